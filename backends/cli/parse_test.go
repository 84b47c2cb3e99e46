package cli

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/kesl-status/kesl-status/function"
)

// testdata is the folder of recorded kesl-control output. It belongs to the
// stand-in, which embeds it, so that each file exists once.
const testdata = "standin/testdata"

func readTestdata(tb testing.TB, file string) []byte {
	tb.Helper()
	data, err := os.ReadFile(filepath.Join(testdata, file))
	if err != nil {
		tb.Fatal(err)
	}
	return data
}

var (
	healthy122 = function.Facts{
		DatabasesDate:     "2025-06-16 19:18:00",
		DatabasesLoaded:   true,
		LicenseExpiration: "2025-07-18 16:25:49",
		LicenseInfo:       "The key is valid",
		Policy:            "Not applied",
		Version:           "12.2.0.2412",
	}
	healthy120 = function.Facts{
		DatabasesDate:     "2023-11-28 12:58:00",
		DatabasesLoaded:   true,
		LicenseExpiration: "2024-03-31",
		LicenseInfo:       "The key is valid",
		Policy:            "Not applied",
		Version:           "12.0.0.6672",
	}
)

// with returns f changed by change, for table entries.
func with(f function.Facts, change func(*function.Facts)) function.Facts {
	change(&f)
	return f
}

type parseCase struct {
	file         string
	want         function.Facts
	wantWarnings int
	wantErr      error // nil when the file parses
}

var jsonCases = []parseCase{
	{file: "healthy-12.2.json", want: healthy122},
	{file: "healthy-12.0.json", want: healthy120},
	{file: "databases-not-loaded.json", want: with(healthy122, func(f *function.Facts) {
		f.DatabasesLoaded = false
		f.DatabasesDate = "Not available"
	})},
	{file: "license-expired.json", want: with(healthy122, func(f *function.Facts) {
		f.LicenseInfo = "Expired"
		f.LicenseExpiration = "2025-05-31 23:59:59"
	})},
	{file: "inconsistent-update.json", want: with(healthy122, func(f *function.Facts) {
		f.LicenseInfo = "Inconsistent update"
	})},
	{file: "extra-keys.json", want: healthy122},
	{file: "missing-keys.json", want: function.Facts{DatabasesLoaded: true, Version: "12.2.0.2412"}},
	{file: "json-boolean.json", want: healthy122},
	{file: "unexpected-flag.json", want: with(healthy122, func(f *function.Facts) {
		f.DatabasesLoaded = false
	}), wantWarnings: 1},
	{file: "russian-11.4.json", want: function.Facts{
		DatabasesDate:     "2024-10-02 08:11:00",
		DatabasesLoaded:   false,
		LicenseExpiration: "2024-12-31",
		LicenseInfo:       "The key is valid",
		Policy:            "Not applied",
		Version:           "11.4.0.4231",
	}},
	{file: "half.json", wantErr: errNotObject},
	{file: "garbage.txt", wantErr: errNotObject},
}

var textCases = []parseCase{
	{file: "healthy-12.2.txt", want: healthy122},
	{file: "text-only-10.1.txt", want: function.Facts{
		DatabasesDate:     "2019-05-20 06:40:00",
		DatabasesLoaded:   true,
		LicenseExpiration: "2019-07-09",
		LicenseInfo:       "The key is valid",
		Policy:            "Not applied",
		Version:           "10.1.1.6421",
	}},
	{file: "russian-12.2.txt", want: healthy122},
	{file: "garbage.txt", wantErr: errNoLabel},
	{file: "half.json", wantErr: errNoLabel},
	{file: "healthy-12.2.json", wantErr: errNoLabel},
}

func TestParseJSON(t *testing.T) {
	testParser(t, parseJSON, jsonCases)
}

func TestParseText(t *testing.T) {
	testParser(t, parseText, textCases)
}

func testParser(t *testing.T, parse func([]byte) (appInfo, error), cases []parseCase) {
	for _, tt := range cases {
		t.Run(tt.file, func(t *testing.T) {
			got, err := parse(readTestdata(t, tt.file))
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("got error %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("got error %v, want none", err)
			}
			if got.facts != tt.want {
				t.Errorf("got facts %+v, want %+v", got.facts, tt.want)
			}
			if len(got.warnings) != tt.wantWarnings {
				t.Errorf("got warnings %v, want %d", got.warnings, tt.wantWarnings)
			}
		})
	}
}

// TestTestdataCovered checks that every recorded file has an expected result
// in the parser tables.
func TestTestdataCovered(t *testing.T) {
	covered := map[string]bool{}
	for _, tt := range append(jsonCases, textCases...) {
		covered[tt.file] = true
	}
	entries, err := os.ReadDir(testdata)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !covered[e.Name()] {
			t.Errorf("got %s in %s, want an entry in jsonCases or textCases", e.Name(), testdata)
		}
	}
}

func TestParseInline(t *testing.T) {
	tests := []struct {
		name    string
		json    bool
		in      string
		want    function.Facts
		wantErr error
	}{
		{name: "json empty", json: true, in: "", wantErr: errNotObject},
		{name: "json null", json: true, in: "null", wantErr: errNotObject},
		{name: "json array", json: true, in: `[{"Version": "12.2"}]`, wantErr: errNotObject},
		{name: "json string", json: true, in: `"Version: 12.2"`, wantErr: errNotObject},
		{name: "json trailing data", json: true, in: `{"Version": "12.2"} {}`, wantErr: errNotObject},
		{name: "json no known key", json: true, in: `{"Name": "KESL"}`, want: function.Facts{}},
		{name: "json byte order mark", json: true, in: "\uFEFF{\"Version\": \"12.2\"}", want: function.Facts{Version: "12.2"}},
		{name: "json padded value", json: true, in: `{"Policy": "  Not applied \t"}`, want: function.Facts{Policy: "Not applied"}},
		{name: "json number and null", json: true, in: `{"Version": 12, "Policy": null}`, want: function.Facts{Version: "12"}},
		{name: "json upper case yes", json: true, in: `{"Application databases loaded": "YES"}`, want: function.Facts{DatabasesLoaded: true}},
		{name: "json false", json: true, in: `{"Application databases loaded": false}`, want: function.Facts{}},
		{name: "json newest label wins", json: true,
			in:   `{"License information": "Expired", "Application license information": "The key is valid"}`,
			want: function.Facts{LicenseInfo: "The key is valid"}},
		{name: "json first duplicate wins", json: true, in: `{"Policy": "first", "policy ": "second"}`,
			want: function.Facts{Policy: "first"}},
		{name: "json null value skipped", json: true, in: `{"Policy": null, "Политика": "Не применена"}`,
			want: function.Facts{Policy: "Не применена"}},
		{name: "json unclosed", json: true, in: `{"Policy": "Not applied"`, wantErr: errNotObject},
		{name: "text empty", in: "", wantErr: errNoLabel},
		{name: "text blank lines", in: "\r\n\n  \r\n", wantErr: errNoLabel},
		{name: "text colon in value", in: "Last release date of databases: 2025-06-16 19:18:00\n",
			want: function.Facts{DatabasesDate: "2025-06-16 19:18:00"}},
		{name: "text no final newline", in: "Version:   12.2.0.2412", want: function.Facts{Version: "12.2.0.2412"}},
		{name: "text first duplicate wins", in: "Policy: first\nPolicy: second\n", want: function.Facts{Policy: "first"}},
		{name: "text label case and spacing", in: "  APPLICATION   databases loaded :Yes\r\n",
			want: function.Facts{DatabasesLoaded: true}},
		{name: "text label only", in: "Version:\n", want: function.Facts{}},
		{name: "text invalid utf-8", in: "Policy: a\xffb\n", want: function.Facts{Policy: "a\uFFFDb"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			parse := parseText
			if tt.json {
				parse = parseJSON
			}
			got, err := parse([]byte(tt.in))
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("got error %v, want %v", err, tt.wantErr)
			}
			if got.facts != tt.want {
				t.Errorf("got facts %+v, want %+v", got.facts, tt.want)
			}
		})
	}
}

func TestParseFlag(t *testing.T) {
	tests := []struct {
		in         string
		wantLoaded bool
		wantKnown  bool
	}{
		{"Yes", true, true},
		{"yes", true, true},
		{"Да", true, true},
		{"ДА", true, true},
		{"true", true, true},
		{"No", false, true},
		{"Нет", false, true},
		{"None", false, true},
		{"false", false, true},
		{"", false, true},
		{"Partially", false, false},
		{"1", false, false},
	}
	for _, tt := range tests {
		loaded, known := parseFlag(tt.in)
		if loaded != tt.wantLoaded || known != tt.wantKnown {
			t.Errorf("parseFlag(%q) = %v, %v, want %v, %v", tt.in, loaded, known, tt.wantLoaded, tt.wantKnown)
		}
	}
}

func TestParseWarning(t *testing.T) {
	got, err := parseJSON(readTestdata(t, "unexpected-flag.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(got.warnings) != 1 {
		t.Fatalf("got warnings %v, want 1", got.warnings)
	}
	var ve *ValueError
	if !errors.As(got.warnings[0], &ve) {
		t.Fatalf("got warning %T, want *ValueError", got.warnings[0])
	}
	if ve.Label != "application databases loaded" || ve.Value != "Partially" {
		t.Errorf("got %+v, want label %q and value %q", ve, "application databases loaded", "Partially")
	}
}

func FuzzParseJSON(f *testing.F) {
	seedFromTestdata(f)
	f.Fuzz(func(t *testing.T, out []byte) {
		info, err := parseJSON(out)
		checkParsed(t, info, err)
	})
}

func FuzzParseText(f *testing.F) {
	seedFromTestdata(f)
	f.Fuzz(func(t *testing.T, out []byte) {
		info, err := parseText(out)
		checkParsed(t, info, err)
	})
}

func seedFromTestdata(f *testing.F) {
	entries, err := os.ReadDir(testdata)
	if err != nil {
		f.Fatal(err)
	}
	for _, e := range entries {
		f.Add(readTestdata(f, e.Name()))
	}
}

// checkParsed checks that parsed facts are trimmed valid UTF-8 and that a
// failed parse gives no facts.
func checkParsed(t *testing.T, info appInfo, err error) {
	if err != nil {
		if info.facts != (function.Facts{}) {
			t.Errorf("got facts %+v with error %v, want none", info.facts, err)
		}
		return
	}
	for _, s := range []string{
		info.facts.DatabasesDate, info.facts.LicenseExpiration,
		info.facts.LicenseInfo, info.facts.Policy, info.facts.Version,
	} {
		if !utf8.ValidString(s) {
			t.Errorf("got invalid UTF-8 %q", s)
		}
		if s != strings.TrimSpace(s) {
			t.Errorf("got untrimmed %q", s)
		}
	}
}

func BenchmarkParseJSON(b *testing.B) {
	out := readTestdata(b, "healthy-12.2.json")
	for b.Loop() {
		if _, err := parseJSON(out); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseText(b *testing.B) {
	out := readTestdata(b, "healthy-12.2.txt")
	for b.Loop() {
		if _, err := parseText(out); err != nil {
			b.Fatal(err)
		}
	}
}
