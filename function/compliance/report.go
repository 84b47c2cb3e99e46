package compliance

import (
	"bytes"
	"encoding/json"
	"time"

	"github.com/kesl-status/kesl-status/function"
)

// Report is the result of one Run.
type Report struct {
	// Time is when the run started.
	Time time.Time
	// Outcome is the worst outcome of Hosts, or OK for no hosts.
	Outcome Outcome
	Counts  Counts
	// Hosts lists every target in the order given to Run.
	Hosts []Host
}

// Counts are the number of hosts per outcome. NonCompliant counts the hosts
// whose outcome is not OK.
type Counts struct {
	OK           int `json:"ok"`
	Warning      int `json:"warning"`
	Critical     int `json:"critical"`
	Unknown      int `json:"unknown"`
	NonCompliant int `json:"non_compliant"`
}

// Host is the result for one target.
type Host struct {
	Name    string  `json:"name"`
	Outcome Outcome `json:"outcome"`
	// Failures lists the rules that are not OK, in rule order.
	Failures []Finding `json:"failures"`
	// Document is the status document as the service returns it, without
	// the trailing newline, or null when the host was not checked.
	Document json.RawMessage `json:"document"`
	// Error is the failure of the check when the host returned no document.
	Error string `json:"error,omitempty"`

	// Evaluation holds the measurements for metrics and performance data;
	// it is nil when the host was not checked.
	Evaluation *Evaluation `json:"-"`
	// Available is true when the document's status is "service available".
	Available bool `json:"-"`
}

// Compliant reports whether every rule of h is OK.
func (h Host) Compliant() bool { return h.Outcome == OK }

func newHost(name string, doc function.Document, err error, e Evaluation) Host {
	h := Host{
		Name:       name,
		Outcome:    e.Outcome,
		Failures:   e.Failed(),
		Document:   json.RawMessage(bytes.TrimSuffix(function.Marshal(doc), []byte("\n"))),
		Evaluation: &e,
		Available:  doc.Available(),
	}
	if h.Failures == nil {
		h.Failures = []Finding{}
	}
	if err != nil {
		h.Error = err.Error()
	}
	return h
}

func newReport(now time.Time, hosts []Host) Report {
	r := Report{Time: now.UTC(), Hosts: hosts}
	for _, h := range hosts {
		r.Outcome = Worst(r.Outcome, h.Outcome)
		switch h.Outcome {
		case OK:
			r.Counts.OK++
		case Warning:
			r.Counts.Warning++
		case Critical:
			r.Counts.Critical++
		default:
			r.Counts.Unknown++
		}
	}
	r.Counts.NonCompliant = len(hosts) - r.Counts.OK
	return r
}

// MarshalJSON encodes r with the time in RFC 3339 UTC to the second and
// hosts as an array, never null.
func (r Report) MarshalJSON() ([]byte, error) {
	hosts := r.Hosts
	if hosts == nil {
		hosts = []Host{}
	}
	return json.Marshal(struct {
		Time    string  `json:"time"`
		Outcome Outcome `json:"outcome"`
		Counts  Counts  `json:"counts"`
		Hosts   []Host  `json:"hosts"`
	}{r.Time.UTC().Format(time.RFC3339), r.Outcome, r.Counts, hosts})
}

// MarshalText encodes r as JSON, so that a text log line shows the report
// in the same form as a JSON one.
func (r Report) MarshalText() ([]byte, error) { return r.MarshalJSON() }
