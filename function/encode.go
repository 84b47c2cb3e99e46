package function

import "strconv"

// Marshal encodes d as Kaspersky's service does: compact JSON with keys in
// alphabetical order at every level, "status_reason" only when d has reasons,
// and one trailing newline.
func Marshal(d Document) []byte {
	f := d.ProductInfo
	b := make([]byte, 0, 320)

	b = append(b, `{"product info":{"databases_date":`...)
	b = appendString(b, f.DatabasesDate)
	b = append(b, `,"databases_loaded":`...)
	b = strconv.AppendBool(b, f.DatabasesLoaded)
	b = append(b, `,"license_expiration":`...)
	b = appendString(b, f.LicenseExpiration)
	b = append(b, `,"license_info":`...)
	b = appendString(b, f.LicenseInfo)
	b = append(b, `,"policy":`...)
	b = appendString(b, f.Policy)
	b = append(b, `,"version":`...)
	b = appendString(b, f.Version)
	b = append(b, `},"status":`...)
	b = appendString(b, d.Status)

	if len(d.Reasons) > 0 {
		b = append(b, `,"status_reason":[`...)
		for i, r := range d.Reasons {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, r)
		}
		b = append(b, ']')
	}

	return append(b, "}\n"...)
}

// MarshalError encodes the error envelope of Kaspersky's service,
// {"error":{"code":CODE,"message":TEXT},"status":"error"}, with a trailing
// newline.
func MarshalError(code, message string) []byte {
	b := make([]byte, 0, 80)
	b = append(b, `{"error":{"code":`...)
	b = appendString(b, code)
	b = append(b, `,"message":`...)
	b = appendString(b, message)
	return append(b, `},"status":"error"}`+"\n"...)
}

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string the way Python's json.dumps does
// with ensure_ascii. It escapes '"' and '\\', writes \b \f \n \r \t in short
// form, and writes every other character outside ' '..'~' as a lowercase
// \uXXXX escape, with a surrogate pair above U+FFFF. Invalid UTF-8 becomes
// U+FFFD.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b = append(b, '\\', byte(r))
		case r >= ' ' && r <= '~':
			b = append(b, byte(r))
		case r == '\b':
			b = append(b, `\b`...)
		case r == '\f':
			b = append(b, `\f`...)
		case r == '\n':
			b = append(b, `\n`...)
		case r == '\r':
			b = append(b, `\r`...)
		case r == '\t':
			b = append(b, `\t`...)
		case r > 0xFFFF:
			r -= 0x10000
			b = appendEscape(b, 0xD800+(r>>10))
			b = appendEscape(b, 0xDC00+(r&0x3FF))
		default:
			b = appendEscape(b, r)
		}
	}
	return append(b, '"')
}

func appendEscape(b []byte, r rune) []byte {
	return append(b, '\\', 'u',
		hexDigits[r>>12&0xF], hexDigits[r>>8&0xF], hexDigits[r>>4&0xF], hexDigits[r&0xF])
}
