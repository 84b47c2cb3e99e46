package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"unicode/utf8"
)

// russianLabels are the Russian spellings of the labels that the backend
// reads, as KESL 12.x prints them. Other labels stay in English.
var russianLabels = map[string]string{
	"Name":                            "Название",
	"Version":                         "Версия",
	"Policy":                          "Политика",
	"Application databases loaded":    "Базы приложения загружены",
	"Anti-virus databases loaded":     "Базы приложения загружены",
	"Last release date of databases":  "Дата последнего выпуска баз приложения",
	"Application license information": "Информация о лицензии",
	"License information":             "Информация о лицензии",
	"Key status":                      "Информация о лицензии",
	"License expiration date":         "Дата окончания срока действия лицензии",
	"Kaspersky Endpoint Security license expiration date": "Дата окончания срока действия лицензии",
}

var russianValues = map[string]string{"Yes": "Да", "No": "Нет"}

// translateJSON renames the known keys and the values "Yes" and "No" of a
// recorded JSON file, which writes every member as "key": value.
func translateJSON(out []byte) []byte {
	for en, ru := range russianLabels {
		out = bytes.ReplaceAll(out, []byte(`"`+en+`":`), []byte(`"`+ru+`":`))
	}
	for en, ru := range russianValues {
		out = bytes.ReplaceAll(out, []byte(`: "`+en+`"`), []byte(`: "`+ru+`"`))
	}
	return out
}

// translateText renames the known labels and the values "Yes" and "No" of
// text output and aligns the values of each group of lines again. Line ends
// stay as they were.
func translateText(out []byte) []byte {
	eol := "\n"
	if bytes.Contains(out, []byte("\r\n")) {
		eol = "\r\n"
	}
	lines := strings.Split(strings.TrimSuffix(string(out), eol), eol)

	var labels, values []string
	var b strings.Builder
	for _, line := range lines {
		label, value, ok := strings.Cut(line, ":")
		if !ok {
			writeGroup(&b, labels, values, eol)
			labels, values = nil, nil
			b.WriteString(line + eol)
			continue
		}
		value = strings.TrimSpace(value)
		labels = append(labels, translate(russianLabels, label))
		values = append(values, translate(russianValues, value))
	}
	writeGroup(&b, labels, values, eol)
	return []byte(b.String())
}

func translate(words map[string]string, s string) string {
	if t, ok := words[s]; ok {
		return t
	}
	return s
}

// writeGroup writes "label: value" lines with each value one space after the
// colon of the longest label.
func writeGroup(b *strings.Builder, labels, values []string, eol string) {
	width := 0
	for _, l := range labels {
		width = max(width, utf8.RuneCountInString(l))
	}
	for i, l := range labels {
		pad := width - utf8.RuneCountInString(l) + 1
		b.WriteString(l + ":" + strings.Repeat(" ", pad) + values[i] + eol)
	}
}

// jsonToText prints the members of a recorded JSON object as one group of
// aligned "Label: value" lines, in the order of the file. Values that are
// not strings are printed as JSON.
func jsonToText(data []byte) []byte {
	dec := json.NewDecoder(bytes.NewReader(data))
	if _, err := dec.Token(); err != nil {
		panic(err)
	}

	var labels, values []string
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			panic(err)
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			panic(err)
		}
		var s string
		if json.Unmarshal(raw, &s) != nil {
			s = string(raw)
		}
		labels = append(labels, key.(string))
		values = append(values, s)
	}

	var b strings.Builder
	writeGroup(&b, labels, values, "\n")
	return []byte(b.String())
}
