package function

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
)

const (
	availableJSON    = `{"product info":{"databases_date":"2026-11-28 12:58:00","databases_loaded":true,"license_expiration":"2027-06-30","license_info":"The key is valid","policy":"Not applied","version":"12.1.0.1297"},"status":"service available"}` + "\n"
	notAvailableJSON = `{"product info":{"databases_date":"N/A","databases_loaded":false,"license_expiration":"N/A","license_info":"N/A","policy":"N/A","version":"N/A"},"status":"service not available","status_reason":["KESL not response"]}` + "\n"
)

func TestParseDocumentValid(t *testing.T) {
	tests := []struct {
		name string
		data string
		want Document
	}{
		{
			name: "available",
			data: availableJSON,
			want: Document{
				ProductInfo: Facts{
					DatabasesDate:     "2026-11-28 12:58:00",
					DatabasesLoaded:   true,
					LicenseExpiration: "2027-06-30",
					LicenseInfo:       "The key is valid",
					Policy:            "Not applied",
					Version:           "12.1.0.1297",
				},
				Status: StatusAvailable,
			},
		},
		{
			name: "not available",
			data: notAvailableJSON,
			want: NotAvailable(ReasonNoResponse),
		},
		{
			name: "two reasons",
			data: `{"product info":{"databases_date":"2026-11-28 12:58:00","databases_loaded":false,"license_expiration":"2025-06-30","license_info":"Expired","policy":"Not applied","version":"12.2.0.2412"},"status":"service not available","status_reason":["Databases not loaded","License error: Expired"]}`,
			want: Document{
				ProductInfo: Facts{
					DatabasesDate:     "2026-11-28 12:58:00",
					LicenseExpiration: "2025-06-30",
					LicenseInfo:       "Expired",
					Policy:            "Not applied",
					Version:           "12.2.0.2412",
				},
				Status:  StatusNotAvailable,
				Reasons: []string{ReasonDatabasesNotLoaded, "License error: Expired"},
			},
		},
		{
			name: "keys in another order with spaces",
			data: " {\"status\" : \"service available\",\n \"product info\": {\"version\":\"1\",\"policy\":\"p\",\"license_info\":\"The key is valid\",\"license_expiration\":\"e\",\"databases_loaded\":true,\"databases_date\":\"d\"}}\r\n",
			want: Document{
				ProductInfo: Facts{DatabasesDate: "d", DatabasesLoaded: true, LicenseExpiration: "e", LicenseInfo: "The key is valid", Policy: "p", Version: "1"},
				Status:      StatusAvailable,
			},
		},
		{
			name: "extra member in product info",
			data: `{"product info":{"name":{"a":[1,{"b":null}]},"databases_date":"d","databases_loaded":true,"license_expiration":"e","license_info":"The key is valid","policy":"p","version":"v"},"status":"service available"}`,
			want: Document{
				ProductInfo: Facts{DatabasesDate: "d", DatabasesLoaded: true, LicenseExpiration: "e", LicenseInfo: "The key is valid", Policy: "p", Version: "v"},
				Status:      StatusAvailable,
			},
		},
		{
			name: "escaped non-ASCII",
			data: `{"product info":{"databases_date":"\u0414\u0430","databases_loaded":true,"license_expiration":"\ud83d\ude00","license_info":"The key is valid","policy":"<&>","version":"v"},"status":"service available"}`,
			want: Document{
				ProductInfo: Facts{DatabasesDate: "Да", DatabasesLoaded: true, LicenseExpiration: "😀", LicenseInfo: "The key is valid", Policy: "<&>", Version: "v"},
				Status:      StatusAvailable,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseDocument([]byte(tt.data))
			if err != nil {
				t.Fatalf("ParseDocument: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ParseDocument = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestParseDocumentCanonicalRoundTrip(t *testing.T) {
	for _, data := range []string{availableJSON, notAvailableJSON} {
		doc, err := ParseDocument([]byte(data))
		if err != nil {
			t.Fatalf("ParseDocument(%s): %v", data, err)
		}
		if got := string(Marshal(doc)); got != data {
			t.Errorf("Marshal(ParseDocument(x)) = %s, want %s", got, data)
		}
	}
}

func TestParseDocumentInvalid(t *testing.T) {
	valid := strings.TrimSpace(availableJSON)
	tests := []struct {
		name string
		data string
		want string // part of the error message
	}{
		{"empty", ``, "EOF"},
		{"not an object", `[]`, "want"},
		{"null", `null`, "got null"},
		{"not JSON", `<html><body>Internal Server Error</body></html>`, "invalid character"},
		{
			name: "Python printout",
			data: `{'product info': {'databases_date': '2026-11-28 12:58:00', 'databases_loaded': True, 'license_expiration': '2027-06-30', 'license_info': 'The key is valid', 'policy': 'Not applied', 'version': '12.1.0.1297'}, 'status': 'service available'}`,
			want: "invalid character",
		},
		{"truncated", valid[:len(valid)/2], "EOF"},
		{"data after object", valid + `{}`, "data after"},
		{"two documents", valid + "\n" + valid, "data after"},
		{"unknown top-level member", strings.Replace(valid, `"status"`, `"state":1,"status"`, 1), `unknown member "state"`},
		{"repeated status", strings.Replace(valid, `}`, `},"status":"service available"`, 1), `"status" repeated`},
		{"repeated product info", strings.Replace(valid, `,"status"`, `,"product info":{},"status"`, 1), `"product info" repeated`},
		{"repeated field", strings.Replace(valid, `"policy":"Not applied"`, `"policy":"Not applied","policy":"x"`, 1), `"policy" repeated`},
		{"missing product info", `{"status":"service available"}`, `missing member "product info"`},
		{"missing status", `{"product info":{"databases_date":"d","databases_loaded":true,"license_expiration":"e","license_info":"The key is valid","policy":"p","version":"v"}}`, `missing member "status"`},
		{"missing field", strings.Replace(valid, `"policy":"Not applied",`, ``, 1), "lacks"},
		{"product info not an object", `{"product info":"x","status":"service available"}`, "product info: got a string"},
		{"string for bool", strings.Replace(valid, `"databases_loaded":true`, `"databases_loaded":"true"`, 1), "databases_loaded: got a string"},
		{"number for string", strings.Replace(valid, `"version":"12.1.0.1297"`, `"version":12.1`, 1), "version: got a number"},
		{"null for string", strings.Replace(valid, `"version":"12.1.0.1297"`, `"version":null`, 1), "version: got null"},
		{"unknown status", strings.Replace(valid, `"service available"`, `"ok"`, 1), `invalid status "ok"`},
		{"available without databases", strings.Replace(valid, `"databases_loaded":true`, `"databases_loaded":false`, 1), "contradicts"},
		{"available with expired licence", strings.Replace(valid, `"The key is valid"`, `"Expired"`, 1), "contradicts"},
		{"status not a string", strings.Replace(valid, `"service available"`, `true`, 1), "status: got a boolean"},
		{"reasons when available", strings.Replace(valid, `"status":"service available"`, `"status":"service available","status_reason":["x"]`, 1), `"status_reason" with status`},
		{"reasons missing", strings.Replace(valid, `"service available"`, `"service not available"`, 1), `missing member "status_reason"`},
		{"reasons empty", strings.Replace(valid, `"status":"service available"`, `"status":"service not available","status_reason":[]`, 1), "is empty"},
		{"reasons null", strings.Replace(valid, `"status":"service available"`, `"status":"service not available","status_reason":null`, 1), "got null"},
		{"reason not a string", strings.Replace(valid, `"status":"service available"`, `"status":"service not available","status_reason":[1]`, 1), "got a number"},
		{"empty reason", strings.Replace(valid, `"status":"service available"`, `"status":"service not available","status_reason":[""]`, 1), "empty string"},
		{"reasons a string", strings.Replace(valid, `"status":"service available"`, `"status":"service not available","status_reason":"x"`, 1), "got a string"},
		{"error envelope", `{"error":{"code":"FORBIDDEN","message":"Forbidden"},"status":"error"}`, `unknown member "error"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := ParseDocument([]byte(tt.data))
			if err == nil {
				t.Fatalf("ParseDocument(%s) = %+v, want an error", tt.data, doc)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ParseDocument(%s) error = %q, want it to contain %q", tt.data, err, tt.want)
			}
		})
	}
}

func FuzzParseDocument(f *testing.F) {
	f.Add([]byte(availableJSON))
	f.Add([]byte(notAvailableJSON))
	f.Add([]byte(`{"product info":{"x":[{}],"databases_date":"\u00e9","databases_loaded":false,"license_expiration":"","license_info":"\"","policy":"\\","version":"\ud800"},"status":"service not available","status_reason":["a","b"]}`))
	f.Add([]byte(`{'status': 'service available'}`))

	f.Fuzz(func(t *testing.T, data []byte) {
		doc, err := ParseDocument(data)
		if err != nil {
			return
		}

		switch {
		case doc.Status == StatusAvailable && len(doc.Reasons) != 0:
			t.Fatalf("available with reasons %q", doc.Reasons)
		case doc.Status == StatusNotAvailable && len(doc.Reasons) == 0:
			t.Fatal("not available without reasons")
		case doc.Status != StatusAvailable && doc.Status != StatusNotAvailable:
			t.Fatalf("status %q accepted", doc.Status)
		}

		// The canonical encoding of an accepted document parses back to the
		// same document and encodes to the same bytes.
		canonical := Marshal(doc)
		again, err := ParseDocument(canonical)
		if err != nil {
			t.Fatalf("ParseDocument(Marshal(doc)): %v\n%s", err, canonical)
		}
		if !reflect.DeepEqual(again, doc) {
			t.Fatalf("round trip = %+v, want %+v", again, doc)
		}
		if b := Marshal(again); !bytes.Equal(b, canonical) {
			t.Fatalf("second encoding %s differs from %s", b, canonical)
		}
	})
}
