package cli

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/kesl-status/kesl-status/function"
)

// Errors of the parsers.
var (
	errNotObject = errors.New("output is not a JSON object")
	errNoLabel   = errors.New("output has no known label")
)

// field is one of the facts that the backend reads.
type field int

const (
	databasesLoaded field = iota
	databasesDate
	licenseInfo
	licenseExpiration
	policy
	version
)

// labels lists the spellings of each field's label, newest release first:
// KESL 12.2, 12.0 and 10.x/11.x in English, then Russian (12.x, then older).
// Labels are compared after normalizeLabel. When output contains two
// spellings of one field, the first in this list wins.
var labels = map[field][]string{
	databasesLoaded: {
		"application databases loaded", // 12.0 and later
		"anti-virus databases loaded",  // 10.x, 11.x
		"базы приложения загружены",
		"базы программы загружены",
	},
	databasesDate: {
		"last release date of databases",
		"дата последнего выпуска баз приложения",
		"дата последнего выпуска баз программы",
	},
	licenseInfo: {
		"application license information", // 12.2
		"license information",             // 12.0
		"key status",                      // 10.x
		"информация о лицензии",
	},
	licenseExpiration: {
		"kaspersky endpoint security license expiration date", // 12.2
		"license expiration date",                             // 12.0, 10.x
		"дата окончания срока действия лицензии",
	},
	policy:  {"policy", "политика"},
	version: {"version", "версия"},
}

// knownLabels maps every spelling in labels to its field.
var knownLabels = func() map[string]field {
	m := map[string]field{}
	for f, spellings := range labels {
		for _, s := range spellings {
			m[s] = f
		}
	}
	return m
}()

// appInfo is the result of parsing the output of one run.
type appInfo struct {
	facts function.Facts
	// warnings are problems in the output that do not stop the check.
	warnings []error
}

// parseOutput parses the output of one run: as text, or when jsonForm is
// set as JSON, falling back to text for a build that ignores --json.
func parseOutput(out []byte, jsonForm bool) (appInfo, error) {
	if !jsonForm {
		return parseText(out)
	}
	info, err := parseJSON(out)
	if err == nil {
		return info, nil
	}
	info, textErr := parseText(out)
	if textErr != nil {
		return appInfo{}, fmt.Errorf("%w, and %w", err, textErr)
	}
	return info, nil
}

// parseJSON reads the output of kesl-control --app-info --json: one flat
// JSON object whose keys are the text labels. Values are strings, and JSON
// booleans and numbers are accepted too. Unknown keys are ignored whatever
// their value, and a JSON null counts as a missing key. As in the text
// form, the first of two keys with the same label wins. An object without
// any known key is valid and gives empty facts.
func parseJSON(out []byte) (appInfo, error) {
	dec := json.NewDecoder(bytes.NewReader(bytes.TrimPrefix(out, utf8BOM)))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return appInfo{}, notObject(tok, err)
	}

	values := map[string]string{}
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return appInfo{}, notObject(nil, err)
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return appInfo{}, notObject(nil, err)
		}

		label := normalizeLabel(key.(string))
		_, known := knownLabels[label]
		_, seen := values[label]
		if !known || seen {
			continue
		}
		if s, ok := jsonScalar(raw); ok {
			values[label] = s
		}
	}

	if _, err := dec.Token(); err != nil {
		return appInfo{}, notObject(nil, err)
	}
	if tok, err := dec.Token(); err != io.EOF {
		return appInfo{}, notObject(tok, err)
	}
	return newAppInfo(values), nil
}

// notObject returns errNotObject with the JSON error err, or with the
// unexpected token tok when err is nil.
func notObject(tok json.Token, err error) error {
	if err == nil {
		return fmt.Errorf("%w: unexpected %v", errNotObject, tok)
	}
	if err == io.EOF {
		return fmt.Errorf("%w: %w", errNotObject, io.ErrUnexpectedEOF)
	}
	return fmt.Errorf("%w: %w", errNotObject, err)
}

// jsonScalar returns a JSON string, boolean or number as text. It reports
// false for null, objects and arrays.
func jsonScalar(raw json.RawMessage) (string, bool) {
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return "", false
	}
	switch v := v.(type) {
	case string:
		return v, true
	case bool:
		return fmt.Sprint(v), true
	case float64:
		return string(bytes.TrimSpace(raw)), true
	}
	return "", false
}

// parseText reads the output of kesl-control --app-info: "Label: value"
// lines split at the first colon, because values contain colons. Line ends
// may be LF or CRLF. Padding, empty lines, lines without a colon and
// unknown labels are skipped. The output must contain at least one known
// label.
func parseText(out []byte) (appInfo, error) {
	values := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(bytes.TrimPrefix(out, utf8BOM)))
	sc.Buffer(nil, maxOutput+1)
	for sc.Scan() {
		label, value, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		label = normalizeLabel(label)
		if _, known := knownLabels[label]; !known {
			continue
		}
		if _, seen := values[label]; !seen {
			values[label] = value
		}
	}
	if err := sc.Err(); err != nil {
		return appInfo{}, err
	}
	if len(values) == 0 {
		return appInfo{}, errNoLabel
	}
	return newAppInfo(values), nil
}

var utf8BOM = []byte("\uFEFF")

// normalizeLabel lowercases label and collapses its white space.
func normalizeLabel(label string) string {
	return strings.ToLower(strings.Join(strings.Fields(label), " "))
}

// newAppInfo builds the facts from values, which maps normalized known
// labels to raw values.
func newAppInfo(values map[string]string) appInfo {
	lookup := func(f field) (label, value string) {
		for _, l := range labels[f] {
			if v, ok := values[l]; ok {
				return l, cleanValue(v)
			}
		}
		return "", ""
	}

	var info appInfo
	_, info.facts.DatabasesDate = lookup(databasesDate)
	_, info.facts.LicenseInfo = lookup(licenseInfo)
	_, info.facts.LicenseExpiration = lookup(licenseExpiration)
	_, info.facts.Policy = lookup(policy)
	_, info.facts.Version = lookup(version)

	label, flag := lookup(databasesLoaded)
	loaded, known := parseFlag(flag)
	info.facts.DatabasesLoaded = loaded
	if !known {
		info.warnings = append(info.warnings, &ValueError{Label: label, Value: flag})
	}
	return info
}

// cleanValue trims s and replaces invalid UTF-8 with U+FFFD.
func cleanValue(s string) string {
	return strings.TrimSpace(strings.ToValidUTF8(s, "\uFFFD"))
}

// parseFlag reads the databases flag, where only a yes-word means loaded.
// Known reports whether s is a yes-word, a no-word or empty.
func parseFlag(s string) (loaded, known bool) {
	switch strings.ToLower(s) {
	case "yes", "да", "true":
		return true, true
	case "", "no", "нет", "none", "false":
		return false, true
	}
	return false, false
}

// ValueError is a value of kesl-control's output that the backend does not
// recognise, such as a databases flag that is neither a yes-word nor a
// no-word. The check goes on with the field's safe reading, so a
// ValueError is only passed to Backend.Warn.
type ValueError struct {
	Label string // normalized: lowercase, single spaces
	Value string
}

func (e *ValueError) Error() string {
	return fmt.Sprintf("unexpected value %q of %q", e.Value, e.Label)
}
