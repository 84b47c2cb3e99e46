package function

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// ParseDocument decodes a status document as another kesl-status or
// Kaspersky's service sends it, and rejects anything that is not one.
//
// The top level must be a JSON object with exactly the members
// "product info", "status" and, only when status is "service not available",
// "status_reason". "product info" must contain the six fields with their
// JSON types: databases_loaded a boolean, the other five strings. Extra
// members inside "product info" are skipped, so that a later release of the
// service may add facts; unknown top-level members are rejected.
// status_reason must be a non-empty list of non-empty strings. A status of
// "service available" requires the facts that make a service available:
// databases loaded and the licence information "The key is valid". A member
// repeated at any level, null in place of a value, and any data after the
// object are errors. Python's printout of a document, with single quotes
// and True, is not JSON and is rejected.
//
// The strings are kept as they are, including "N/A". The error names the
// member that is wrong.
func ParseDocument(data []byte) (Document, error) {
	p := parser{dec: json.NewDecoder(bytes.NewReader(data))}
	doc, err := p.document()
	if err != nil {
		return Document{}, err
	}
	if _, err := p.dec.Token(); err != io.EOF {
		return Document{}, errors.New("data after the document")
	}
	return doc, nil
}

type parser struct {
	dec *json.Decoder
}

func (p *parser) document() (Document, error) {
	var doc Document
	var hasInfo, hasStatus, hasReasons bool

	err := p.object("document", func(key string) error {
		switch key {
		case "product info":
			hasInfo = true
			return p.facts(&doc.ProductInfo)
		case "status":
			hasStatus = true
			return p.string(key, &doc.Status)
		case "status_reason":
			hasReasons = true
			return p.reasons(&doc.Reasons)
		}
		return fmt.Errorf("unknown member %q", key)
	})
	if err != nil {
		return Document{}, err
	}

	switch {
	case !hasInfo:
		return Document{}, errors.New(`missing member "product info"`)
	case !hasStatus:
		return Document{}, errors.New(`missing member "status"`)
	case doc.Status == StatusAvailable && hasReasons:
		return Document{}, fmt.Errorf(`member "status_reason" with status %q`, doc.Status)
	case doc.Status == StatusNotAvailable && !hasReasons:
		return Document{}, fmt.Errorf(`missing member "status_reason" with status %q`, doc.Status)
	case doc.Status != StatusAvailable && doc.Status != StatusNotAvailable:
		return Document{}, fmt.Errorf("invalid status %q", doc.Status)
	case doc.Status == StatusAvailable && !Evaluate(doc.ProductInfo).Available():
		return Document{}, fmt.Errorf("status %q contradicts \"product info\": %q",
			doc.Status, Evaluate(doc.ProductInfo).Reasons)
	}
	return doc, nil
}

func (p *parser) facts(f *Facts) error {
	text := map[string]*string{
		"databases_date":     &f.DatabasesDate,
		"license_expiration": &f.LicenseExpiration,
		"license_info":       &f.LicenseInfo,
		"policy":             &f.Policy,
		"version":            &f.Version,
	}
	found := 0

	err := p.object("product info", func(key string) error {
		if key == "databases_loaded" {
			found++
			return p.bool(key, &f.DatabasesLoaded)
		}
		if s, ok := text[key]; ok {
			found++
			return p.string(key, s)
		}
		return p.skip(key)
	})
	if err != nil {
		return err
	}

	// The object walk rejects repeated names, so six known names mean that
	// every field is present.
	if found != len(text)+1 {
		return errors.New(`"product info" lacks some of databases_date, databases_loaded, license_expiration, license_info, policy and version`)
	}
	return nil
}

func (p *parser) reasons(reasons *[]string) error {
	if err := p.delim("status_reason", '['); err != nil {
		return err
	}
	for p.dec.More() {
		var r string
		if err := p.string("status_reason", &r); err != nil {
			return err
		}
		if r == "" {
			return errors.New(`empty string in "status_reason"`)
		}
		*reasons = append(*reasons, r)
	}
	if _, err := p.dec.Token(); err != nil {
		return fmt.Errorf(`"status_reason": %w`, err)
	}
	if len(*reasons) == 0 {
		return errors.New(`"status_reason" is empty`)
	}
	return nil
}

// object reads a JSON object named name and calls member for each member
// name, with the decoder positioned at its value. A name seen twice is an
// error.
func (p *parser) object(name string, member func(key string) error) error {
	if err := p.delim(name, '{'); err != nil {
		return err
	}
	seen := map[string]bool{}
	for p.dec.More() {
		tok, err := p.dec.Token()
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		key := tok.(string) // the decoder returns object keys as strings
		if seen[key] {
			return fmt.Errorf("%s: member %q repeated", name, key)
		}
		seen[key] = true
		if err := member(key); err != nil {
			return err
		}
	}
	if _, err := p.dec.Token(); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

func (p *parser) delim(name string, want json.Delim) error {
	tok, err := p.dec.Token()
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	if tok != want {
		return fmt.Errorf("%s: got %s, want %s", name, describe(tok), describe(want))
	}
	return nil
}

func (p *parser) string(name string, s *string) error {
	tok, err := p.dec.Token()
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	v, ok := tok.(string)
	if !ok {
		return fmt.Errorf("%s: got %s, want a string", name, describe(tok))
	}
	*s = v
	return nil
}

func (p *parser) bool(name string, b *bool) error {
	tok, err := p.dec.Token()
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	v, ok := tok.(bool)
	if !ok {
		return fmt.Errorf("%s: got %s, want true or false", name, describe(tok))
	}
	*b = v
	return nil
}

// skip reads and discards the value of an unknown member, which may be any
// JSON value.
func (p *parser) skip(name string) error {
	var v json.RawMessage
	if err := p.dec.Decode(&v); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

func describe(tok json.Token) string {
	switch v := tok.(type) {
	case nil:
		return "null"
	case json.Delim:
		return fmt.Sprintf("%q", string(v))
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case float64:
		return "a number"
	}
	return fmt.Sprintf("%v", tok)
}
