package awslambda

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// kind is the shape of an invocation event.
type kind int

const (
	kindOther    kind = iota // not an HTTP request
	kindRESTv1               // API Gateway REST API, payload 1.0
	kindHTTPv1               // API Gateway HTTP API, payload 1.0
	kindHTTPv2               // API Gateway HTTP API or function URL, payload 2.0
	kindALB                  // Application Load Balancer, single-value headers
	kindALBMulti             // Application Load Balancer, multi-value headers
)

// probe holds the fields that tell the event shapes apart. A pointer or raw
// field is nil when the event lacks it; a raw field is "null" when the
// event sets it to null, which present treats as absent.
type probe struct {
	Version           *string         `json:"version"`
	HTTPMethod        *string         `json:"httpMethod"`
	Path              *string         `json:"path"`
	MultiValueHeaders json.RawMessage `json:"multiValueHeaders"`
	RequestContext    *struct {
		ELB  json.RawMessage `json:"elb"`
		HTTP *struct {
			Method string `json:"method"`
		} `json:"http"`
		Stage string `json:"stage"`
	} `json:"requestContext"`
	Source     string `json:"source"`
	DetailType string `json:"detail-type"`
	Records    []struct {
		EventSource  string `json:"eventSource"`
		EventSource2 string `json:"EventSource"`
	} `json:"Records"`
}

// classify returns the shape of event. It decides by fields that only one
// shape has, never by whether the event decodes into a type, because every
// event type of aws-lambda-go accepts every JSON object.
func classify(event []byte) (kind, error) {
	event = bytes.TrimSpace(event)
	if len(event) == 0 || event[0] != '{' {
		return kindOther, &UnsupportedEventError{Shape: "not a JSON object"}
	}
	var p probe
	if err := json.Unmarshal(event, &p); err != nil {
		return kindOther, &UnsupportedEventError{Shape: "invalid JSON: " + err.Error()}
	}

	rc := p.RequestContext
	switch {
	case rc != nil && present(rc.ELB) && p.HTTPMethod != nil && p.Path != nil:
		if present(p.MultiValueHeaders) {
			return kindALBMulti, nil
		}
		return kindALB, nil
	case rc != nil && p.Version != nil && *p.Version == "2.0" && rc.HTTP != nil:
		return kindHTTPv2, nil
	case rc != nil && p.HTTPMethod != nil && p.Path != nil && p.Version != nil && *p.Version == "1.0":
		return kindHTTPv1, nil
	case rc != nil && p.HTTPMethod != nil && p.Path != nil && p.Version == nil:
		return kindRESTv1, nil
	}
	return kindOther, &UnsupportedEventError{Shape: describe(event, p)}
}

// present reports whether a raw field is in the event with a value other
// than null.
func present(raw json.RawMessage) bool {
	return raw != nil && string(raw) != "null"
}

// describe names the shape of an event that is not an HTTP request, for the
// error message.
func describe(event []byte, p probe) string {
	switch {
	case p.Source == "aws.events" && p.DetailType == "Scheduled Event":
		return `EventBridge scheduled event (source "aws.events", detail-type "Scheduled Event")`
	case p.Source != "" && p.DetailType != "":
		return fmt.Sprintf("EventBridge event (source %q, detail-type %q)", p.Source, p.DetailType)
	case len(p.Records) > 0:
		return fmt.Sprintf("event with Records from %q", p.Records[0].EventSource+p.Records[0].EventSource2)
	case p.RequestContext != nil && p.Version != nil:
		return fmt.Sprintf("API Gateway event with payload version %q that lacks the HTTP request fields", *p.Version)
	case p.RequestContext != nil:
		return "API Gateway event without httpMethod and path, such as a WebSocket event"
	}

	var fields map[string]json.RawMessage
	if err := json.Unmarshal(event, &fields); err != nil {
		return "JSON object"
	}
	keys := slices.Sorted(maps.Keys(fields))
	const maxKeys = 8
	if len(keys) > maxKeys {
		keys = append(keys[:maxKeys], "...")
	}
	return "JSON object with keys [" + strings.Join(keys, " ") + "]"
}

// UnsupportedEventError is the function error for an event that is not an
// HTTP request of a supported integration. Lambda reports it with the
// errorType "UnsupportedEventError".
type UnsupportedEventError struct {
	// Shape names what the event looks like, such as
	// "EventBridge scheduled event (...)" or "not a JSON object".
	Shape string
}

func (e *UnsupportedEventError) Error() string {
	return "unsupported event: " + e.Shape + ": this function serves GET /status requests " +
		"from API Gateway REST and HTTP APIs, Lambda function URLs and Application Load Balancer target groups"
}

func (k kind) String() string {
	switch k {
	case kindRESTv1:
		return "rest-api"
	case kindHTTPv1:
		return "http-api-v1"
	case kindHTTPv2:
		return "http-api-v2"
	case kindALB:
		return "alb"
	case kindALBMulti:
		return "alb-multi-value"
	}
	return "other"
}
