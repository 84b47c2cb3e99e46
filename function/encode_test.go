package function

import (
	"encoding/json"
	"testing"
)

func TestMarshalAvailable(t *testing.T) {
	doc := Evaluate(Facts{
		DatabasesDate:     "2026-11-28 12:58:00",
		DatabasesLoaded:   true,
		LicenseExpiration: "2027-06-30",
		LicenseInfo:       "The key is valid",
		Policy:            "Not applied",
		Version:           "12.1.0.1297",
	})

	got := string(Marshal(doc))
	want := `{"product info":{"databases_date":"2026-11-28 12:58:00","databases_loaded":true,"license_expiration":"2027-06-30","license_info":"The key is valid","policy":"Not applied","version":"12.1.0.1297"},"status":"service available"}` + "\n"
	if got != want {
		t.Errorf("Marshal =\n%s\nwant\n%s", got, want)
	}
}

// The expected strings were produced by Python 3's
// json.dumps(s, ensure_ascii=True), which Kaspersky's service uses.
func TestAppendString(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"ascii", "Not applied", `"Not applied"`},
		{"html characters kept", "<a & b>", `"<a & b>"`},
		{"cyrillic", "Политика", `"\u041f\u043e\u043b\u0438\u0442\u0438\u043a\u0430"`},
		{"astral plane as surrogate pair", "\U0001F600", `"\ud83d\ude00"`},
		{"short escapes", "\b\f\n\r\t", `"\b\f\n\r\t"`},
		{"other control characters", "\x01\x1f", `"\u0001\u001f"`},
		{"delete", "\x7f", `"\u007f"`},
		{"quote and backslash", `"\`, `"\"\\"`},
		{"line separator", "\u2028", `"\u2028"`},
		{"invalid utf-8", "a\xffb", `"a\ufffdb"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := string(appendString(nil, tt.in))
			if got != tt.want {
				t.Errorf("appendString(%q) = %s, want %s", tt.in, got, tt.want)
			}
		})
	}
}

func TestMarshalIsValidJSON(t *testing.T) {
	doc := Evaluate(Facts{Policy: "Политика \"x\" <&>", Version: "\U0001F600\x00"})

	var decoded struct {
		ProductInfo map[string]any `json:"product info"`
		Status      string         `json:"status"`
		Reasons     []string       `json:"status_reason"`
	}
	if err := json.Unmarshal(Marshal(doc), &decoded); err != nil {
		t.Fatalf("Marshal output is not JSON: %v", err)
	}
	if got := decoded.ProductInfo["policy"]; got != doc.ProductInfo.Policy {
		t.Errorf("policy = %q, want %q", got, doc.ProductInfo.Policy)
	}
	if got := decoded.ProductInfo["version"]; got != doc.ProductInfo.Version {
		t.Errorf("version = %q, want %q", got, doc.ProductInfo.Version)
	}
}

func TestMarshalError(t *testing.T) {
	got := string(MarshalError("FORBIDDEN", "Forbidden"))
	want := `{"error":{"code":"FORBIDDEN","message":"Forbidden"},"status":"error"}` + "\n"
	if got != want {
		t.Errorf("MarshalError = %q, want %q", got, want)
	}
}

func BenchmarkMarshal(b *testing.B) {
	doc := Evaluate(Facts{
		DatabasesDate: "2026-11-28 12:58:00", DatabasesLoaded: true,
		LicenseExpiration: "2027-06-30", LicenseInfo: "The key is valid",
		Policy: "Not applied", Version: "12.1.0.1297",
	})
	b.ReportAllocs()
	for b.Loop() {
		Marshal(doc)
	}
}
