package function

import (
	"slices"
	"testing"
)

func TestEvaluate(t *testing.T) {
	healthy := Facts{
		DatabasesDate:     "2026-11-28 12:58:00",
		DatabasesLoaded:   true,
		LicenseExpiration: "2027-06-30",
		LicenseInfo:       "The key is valid",
		Policy:            "Not applied",
		Version:           "12.1.0.1297",
	}
	with := func(change func(*Facts)) Facts {
		f := healthy
		change(&f)
		return f
	}

	tests := []struct {
		name        string
		facts       Facts
		wantStatus  string
		wantReasons []string
	}{
		{"healthy", healthy, StatusAvailable, nil},
		{"databases not loaded", with(func(f *Facts) { f.DatabasesLoaded = false }),
			StatusNotAvailable, []string{"Databases not loaded"}},
		{"licence expired", with(func(f *Facts) { f.LicenseInfo = "Expired" }),
			StatusNotAvailable, []string{"License error: Expired"}},
		{"inconsistent update", with(func(f *Facts) { f.LicenseInfo = "Inconsistent update" }),
			StatusNotAvailable, []string{"License error: Inconsistent update"}},
		{"both, databases first", with(func(f *Facts) { f.DatabasesLoaded = false; f.LicenseInfo = "Expired" }),
			StatusNotAvailable, []string{"Databases not loaded", "License error: Expired"}},
		{"licence missing", with(func(f *Facts) { f.LicenseInfo = "" }),
			StatusNotAvailable, []string{"License error: N/A"}},
		{"licence differs in case", with(func(f *Facts) { f.LicenseInfo = "the key is valid" }),
			StatusNotAvailable, []string{"License error: the key is valid"}},
		{"nothing printed", Facts{},
			StatusNotAvailable, []string{"Databases not loaded", "License error: N/A"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Evaluate(tt.facts)
			if got.Status != tt.wantStatus {
				t.Errorf("Status = %q, want %q", got.Status, tt.wantStatus)
			}
			if !slices.Equal(got.Reasons, tt.wantReasons) {
				t.Errorf("Reasons = %q, want %q", got.Reasons, tt.wantReasons)
			}
		})
	}
}

func TestEvaluatePlaceholders(t *testing.T) {
	got := Evaluate(Facts{Version: "  12.2.0.2412 ", Policy: " "}).ProductInfo
	want := Facts{
		DatabasesDate:     "N/A",
		LicenseExpiration: "N/A",
		LicenseInfo:       "N/A",
		Policy:            "N/A",
		Version:           "12.2.0.2412",
	}
	if got != want {
		t.Errorf("ProductInfo = %+v, want %+v", got, want)
	}
}

func TestNotAvailable(t *testing.T) {
	got := string(Marshal(NotAvailable(ReasonNoResponse)))
	want := `{"product info":{"databases_date":"N/A","databases_loaded":false,"license_expiration":"N/A","license_info":"N/A","policy":"N/A","version":"N/A"},"status":"service not available","status_reason":["KESL not response"]}` + "\n"
	if got != want {
		t.Errorf("Marshal(NotAvailable) =\n%s\nwant\n%s", got, want)
	}
}
