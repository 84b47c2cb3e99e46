package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/kesl-status/kesl-status/function"
	"github.com/kesl-status/kesl-status/internal/testutil"
)

// scheduleFacts returns healthy facts relative to the current time, since
// the function evaluates with its own clock.
func scheduleFacts() function.Facts {
	now := time.Now().UTC()
	return function.Facts{
		DatabasesDate:     now.Add(-6 * time.Hour).Format(time.DateTime),
		DatabasesLoaded:   true,
		LicenseExpiration: now.AddDate(0, 0, 200).Format(time.DateOnly),
		LicenseInfo:       "The key is valid",
		Policy:            "Not applied",
		Version:           "12.1.0.1297",
	}
}

// startFleetEmulator starts the function with a fleet of three hosts:
// web1 healthy, web2 with databases 4 days old, gone on a closed port.
func startFleetEmulator(t *testing.T) *emulator {
	t.Helper()
	old := scheduleFacts()
	old.DatabasesDate = time.Now().UTC().Add(-96 * time.Hour).Format(time.DateTime)

	closed := "http://" + testutil.FreeAddr(t) + "/status"

	targets := "web1=" + testutil.ServeDocument(t, function.Evaluate(scheduleFacts())) +
		",web2=" + testutil.ServeDocument(t, function.Evaluate(old)) +
		",gone=" + closed
	return startEmulator(t,
		"KESL_STATUS_TARGETS="+targets,
		"KESL_STATUS_TIMEOUT=3s",
		"KESL_STATUS_METRICS_NAMESPACE=Test/KESL",
		"AWS_LAMBDA_FUNCTION_TIMEOUT=15",
		"AWS_LAMBDA_LOG_FORMAT=JSON",
	)
}

type scheduleReport struct {
	Time    string         `json:"time"`
	Outcome string         `json:"outcome"`
	Counts  map[string]int `json:"counts"`
	Hosts   []struct {
		Name     string            `json:"name"`
		Outcome  string            `json:"outcome"`
		Failures []json.RawMessage `json:"failures"`
		Document map[string]any    `json:"document"`
	} `json:"hosts"`
	ErrorType    string `json:"errorType"`
	ErrorMessage string `json:"errorMessage"`
}

func TestEmulatorScheduledCheck(t *testing.T) {
	e := startFleetEmulator(t)
	events := map[string][]byte{
		"eventbridge-rule": readEvent(t, "scheduled.json"),
		"eventbridge-scheduler": []byte(`{"version":"0","id":"c5a1d0b4","detail-type":"Scheduled Event",` +
			`"source":"aws.scheduler","account":"123456789012","time":"2026-12-04T18:00:00Z",` +
			`"region":"eu-central-1","resources":[],"detail":"{}"}`),
		"input": []byte(`{"action":"compliance-check"}`),
	}
	for _, name := range []string{"eventbridge-rule", "eventbridge-scheduler", "input"} {
		t.Run(name, func(t *testing.T) {
			start := time.Now()
			out := e.invoke(t, events[name])
			var r scheduleReport
			if err := json.Unmarshal(out, &r); err != nil {
				t.Fatalf("result %s is not a report: %v", out, err)
			}
			if r.ErrorType != "" {
				t.Fatalf("function error %s: %s", r.ErrorType, r.ErrorMessage)
			}

			ts, err := time.Parse(time.RFC3339, r.Time)
			if err != nil || ts.Before(start.Add(-2*time.Second)) || ts.After(time.Now()) {
				t.Errorf("time = %q, want the time of this run", r.Time)
			}
			if r.Outcome != "CRITICAL" {
				t.Errorf("outcome = %q, want CRITICAL", r.Outcome)
			}
			want := map[string]int{"ok": 1, "warning": 1, "critical": 1, "unknown": 0, "non_compliant": 2}
			for k, v := range want {
				if r.Counts[k] != v {
					t.Errorf("counts[%q] = %d, want %d", k, r.Counts[k], v)
				}
			}
			wantHosts := []struct{ name, outcome string }{{"web1", "OK"}, {"web2", "WARNING"}, {"gone", "CRITICAL"}}
			if len(r.Hosts) != len(wantHosts) {
				t.Fatalf("hosts = %+v", r.Hosts)
			}
			for i, w := range wantHosts {
				if r.Hosts[i].Name != w.name || r.Hosts[i].Outcome != w.outcome {
					t.Errorf("host %d = %s %s, want %s %s", i, r.Hosts[i].Name, r.Hosts[i].Outcome, w.name, w.outcome)
				}
			}
			if r.Hosts[0].Document["status"] != "service available" {
				t.Errorf("document of web1 = %v", r.Hosts[0].Document)
			}
		})
	}

	lines := emfLines(t, e.Log())
	if len(lines) != 3*4 {
		t.Fatalf("got %d EMF lines, want 4 for each of 3 runs:\n%s", len(lines), e.Log())
	}
	for run := range 3 {
		checkFleetEMF(t, lines[run*4:run*4+4])
	}
	checkLogLine(t, e.Log(), "compliance check")
}

// emfLines returns the lines of log that are EMF documents, decoded.
func emfLines(t *testing.T, log string) []map[string]any {
	t.Helper()
	var lines []map[string]any
	for line := range strings.Lines(log) {
		var root map[string]any
		if json.Unmarshal([]byte(line), &root) != nil {
			continue
		}
		if _, ok := root["_aws"]; ok {
			lines = append(lines, root)
		}
	}
	return lines
}

// checkFleetEMF checks the four lines of one run field by field.
func checkFleetEMF(t *testing.T, lines []map[string]any) {
	t.Helper()
	hosts := []string{"web1", "web2", "gone"}
	for i, root := range lines {
		aws := root["_aws"].(map[string]any)
		ts, ok := aws["Timestamp"].(float64)
		if !ok || time.Since(time.UnixMilli(int64(ts))) > 5*time.Minute {
			t.Errorf("line %d: Timestamp = %v, want milliseconds of this run", i, aws["Timestamp"])
		}
		directives := aws["CloudWatchMetrics"].([]any)
		if len(directives) != 1 {
			t.Fatalf("line %d: %d directives, want 1", i, len(directives))
		}
		d := directives[0].(map[string]any)
		if d["Namespace"] != "Test/KESL" {
			t.Errorf("line %d: Namespace = %v", i, d["Namespace"])
		}
		dims, _ := json.Marshal(d["Dimensions"])
		metrics := map[string]bool{}
		for _, m := range d["Metrics"].([]any) {
			name := m.(map[string]any)["Name"].(string)
			metrics[name] = true
			if _, ok := root[name].(float64); !ok {
				t.Errorf("line %d: metric %s has no numeric member", i, name)
			}
		}

		if i == 3 {
			if string(dims) != "[[]]" {
				t.Errorf("fleet Dimensions = %s, want [[]]", dims)
			}
			want := map[string]float64{"HostsOK": 1, "HostsWarning": 1, "HostsCritical": 1, "HostsUnknown": 0, "NonCompliant": 2}
			for name, v := range want {
				if root[name] != v || !metrics[name] {
					t.Errorf("fleet %s = %v, want %v", name, root[name], v)
				}
			}
			continue
		}

		if string(dims) != `[["Host"]]` || root["Host"] != hosts[i] {
			t.Errorf("line %d: Dimensions %s, Host %v, want [[\"Host\"]] and %s", i, dims, root["Host"], hosts[i])
		}
		switch hosts[i] {
		case "web1":
			if root["Up"] != 1.0 || root["Compliant"] != 1.0 {
				t.Errorf("web1 Up, Compliant = %v, %v, want 1, 1", root["Up"], root["Compliant"])
			}
			if age, _ := root["DatabasesAgeHours"].(float64); age < 5.9 || age > 6.5 {
				t.Errorf("web1 DatabasesAgeHours = %v, want about 6", root["DatabasesAgeHours"])
			}
			if days, _ := root["LicenseDaysLeft"].(float64); days < 199 || days > 201 {
				t.Errorf("web1 LicenseDaysLeft = %v, want about 200", root["LicenseDaysLeft"])
			}
		case "web2":
			if root["Up"] != 1.0 || root["Compliant"] != 0.0 {
				t.Errorf("web2 Up, Compliant = %v, %v, want 1, 0", root["Up"], root["Compliant"])
			}
		case "gone":
			if root["Up"] != 0.0 || root["Compliant"] != 0.0 {
				t.Errorf("gone Up, Compliant = %v, %v, want 0, 0", root["Up"], root["Compliant"])
			}
			for _, name := range []string{"DatabasesAgeHours", "LicenseDaysLeft"} {
				if _, ok := root[name]; ok || metrics[name] {
					t.Errorf("gone has %s, whose value is unknown", name)
				}
			}
		}
	}
}

func TestEmulatorScheduledRejects(t *testing.T) {
	e := startFleetEmulator(t)
	tests := []struct {
		event     string
		errorType string
		message   string
	}{
		{`{}`, "UnsupportedEventError", "unsupported event"},
		{`{"action":"status"}`, "EventError", `unknown action "status"`},
		{`{"source":"aws.scheduler","detail":"{oops"}`, "EventError", `"detail"`},
	}
	for _, tt := range tests {
		t.Run(tt.event, func(t *testing.T) {
			var r scheduleReport
			out := e.invoke(t, []byte(tt.event))
			if err := json.Unmarshal(out, &r); err != nil {
				t.Fatalf("result %s: %v", out, err)
			}
			if r.ErrorType != tt.errorType || !strings.Contains(r.ErrorMessage, tt.message) {
				t.Errorf("error = %s: %s, want %s containing %q", r.ErrorType, r.ErrorMessage, tt.errorType, tt.message)
			}
			if r.Outcome != "" || r.Hosts != nil {
				t.Errorf("result %s has a report", out)
			}
		})
	}
	if lines := emfLines(t, e.Log()); len(lines) != 0 {
		t.Errorf("rejected events wrote %d EMF lines", len(lines))
	}
}
