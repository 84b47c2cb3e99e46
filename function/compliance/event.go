package compliance

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// Trigger names the kind of scheduled event that starts a check.
type Trigger string

// Triggers recognised by ParseScheduledEvent.
const (
	// TriggerRule is an EventBridge rule with a schedule expression:
	// source "aws.events", detail-type "Scheduled Event".
	TriggerRule Trigger = "eventbridge-rule"
	// TriggerScheduler is EventBridge Scheduler's envelope: source
	// "aws.scheduler", with detail as an object or as a string that contains
	// a JSON object, such as "{}".
	TriggerScheduler Trigger = "eventbridge-scheduler"
	// TriggerInput is the constant input {"action":"compliance-check"} of a
	// rule or schedule target.
	TriggerInput Trigger = "input"
)

// Action is the only value of "action" in a constant input.
const Action = "compliance-check"

// ErrNotScheduled is wrapped by every error of ParseScheduledEvent.
var ErrNotScheduled = errors.New("not a scheduled compliance check event")

// EventError is an event that ParseScheduledEvent rejects.
type EventError struct {
	// Attempt reports whether the event looks like a request for a check
	// that went wrong: it has an "action" member, the source aws.scheduler,
	// or the source aws.events with detail-type "Scheduled Event". Other
	// events, {} included, belong to some other integration or to none.
	Attempt bool
	Err     error
}

func (e *EventError) Error() string { return ErrNotScheduled.Error() + ": " + e.Err.Error() }

// Unwrap returns ErrNotScheduled and the reason, so that errors.Is finds
// either.
func (e *EventError) Unwrap() []error { return []error{ErrNotScheduled, e.Err} }

const expectedShapes = `expected an EventBridge "Scheduled Event" from aws.events or aws.scheduler, or {"action":"compliance-check"}`

// ParseScheduledEvent recognises a Lambda payload that requests a
// compliance check and returns its kind. Anything else, {} included, is an
// *EventError that says what was wrong, so that a payload read only in part
// never starts a check. The payload must be one JSON object with no member
// repeated at the top level.
func ParseScheduledEvent(payload []byte) (Trigger, error) {
	members, err := topLevel(payload)
	if err != nil {
		return "", &EventError{Err: err}
	}

	var t Trigger
	switch _, hasAction := members["action"]; {
	case hasAction:
		t, err = parseInput(members)
	case members["source"] != nil:
		t, err = parseEnvelope(members)
	default:
		err = errors.New(expectedShapes)
	}
	if err != nil {
		return "", &EventError{Attempt: isAttempt(members), Err: err}
	}
	return t, nil
}

func isAttempt(members map[string]json.RawMessage) bool {
	if _, ok := members["action"]; ok {
		return true
	}
	var source, detailType string
	json.Unmarshal(members["source"], &source)
	json.Unmarshal(members["detail-type"], &detailType)
	return source == "aws.scheduler" || (source == "aws.events" && detailType == "Scheduled Event")
}

func parseInput(members map[string]json.RawMessage) (Trigger, error) {
	var action string
	if err := json.Unmarshal(members["action"], &action); err != nil {
		return "", errors.New(`"action" must be the string "compliance-check"`)
	}
	if action != Action {
		return "", fmt.Errorf(`unknown action %q: the only action is "compliance-check"`, action)
	}
	if len(members) != 1 {
		return "", errors.New(`{"action":"compliance-check"} must have no other members`)
	}
	return TriggerInput, nil
}

func parseEnvelope(members map[string]json.RawMessage) (Trigger, error) {
	var source, detailType string
	if err := json.Unmarshal(members["source"], &source); err != nil {
		return "", errors.New(`"source" must be a string`)
	}
	if raw, ok := members["detail-type"]; ok {
		if err := json.Unmarshal(raw, &detailType); err != nil {
			return "", errors.New(`"detail-type" must be a string`)
		}
	}

	switch source {
	case "aws.events":
		if detailType != "Scheduled Event" {
			return "", fmt.Errorf(`event from aws.events with detail-type %q: only "Scheduled Event" starts a check`, detailType)
		}
		if err := checkDetail(members["detail"], false); err != nil {
			return "", err
		}
		return TriggerRule, nil
	case "aws.scheduler":
		if _, ok := members["detail-type"]; ok && detailType != "Scheduled Event" {
			return "", fmt.Errorf(`event from aws.scheduler with detail-type %q: only "Scheduled Event" starts a check`, detailType)
		}
		if err := checkDetail(members["detail"], true); err != nil {
			return "", err
		}
		return TriggerScheduler, nil
	}
	return "", fmt.Errorf("event source %q: %s", source, expectedShapes)
}

// checkDetail accepts a missing detail or a JSON object. When quoted is
// true, a string that contains a JSON object is accepted too, as
// EventBridge Scheduler sends it.
func checkDetail(raw json.RawMessage, quoted bool) error {
	if raw == nil {
		return nil
	}
	if quoted && len(raw) > 0 && raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return errors.New(`"detail" is not a valid JSON string`)
		}
		raw = json.RawMessage(s)
	}
	if _, err := topLevel(raw); err != nil {
		return fmt.Errorf(`"detail": %w`, err)
	}
	return nil
}

// topLevel splits data, which must be exactly one JSON object, into its
// members and rejects a repeated member.
func topLevel(data []byte) (map[string]json.RawMessage, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, errors.New("not a JSON object")
	}

	members := map[string]json.RawMessage{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, errors.New("not valid JSON")
		}
		key := tok.(string)
		var value json.RawMessage
		if err := dec.Decode(&value); err != nil {
			return nil, errors.New("not valid JSON")
		}
		if _, dup := members[key]; dup {
			return nil, fmt.Errorf("member %q appears more than once", key)
		}
		members[key] = value
	}

	if _, err := dec.Token(); err != nil {
		return nil, errors.New("not valid JSON")
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("data after the JSON object")
	}
	return members, nil
}
