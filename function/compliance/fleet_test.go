package compliance

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kesl-status/kesl-status/backends/agent"
	"github.com/kesl-status/kesl-status/function"
	"github.com/kesl-status/kesl-status/internal/testutil"
)

type backendFunc func(ctx context.Context) (function.Document, error)

func (f backendFunc) Status(ctx context.Context) (function.Document, error) { return f(ctx) }

func fixed(doc function.Document) function.Backend {
	return backendFunc(func(context.Context) (function.Document, error) { return doc, nil })
}

func testOptions() Options {
	return Options{Rules: DefaultRules, Timeout: 5 * time.Second, Now: func() time.Time { return clock }}
}

func expiredFacts() function.Facts {
	f := healthyFacts()
	f.LicenseInfo = "Expired"
	f.LicenseExpiration = "2026-11-01"
	return f
}

func oldDatabasesFacts() function.Facts {
	f := healthyFacts()
	f.DatabasesDate = "2026-11-30 06:00:00" // 4 days and 6 hours before clock
	return f
}

func TestRunOutcomesInOrder(t *testing.T) {
	targets := []Target{
		{"healthy", fixed(function.Evaluate(healthyFacts()))},
		{"expired", fixed(function.Evaluate(expiredFacts()))},
		{"old", fixed(function.Evaluate(oldDatabasesFacts()))},
		{"down", backendFunc(func(context.Context) (function.Document, error) {
			return function.Document{}, &function.UnavailableError{Reason: "Agent not response", Err: errors.New("connection refused")}
		})},
		{"panics", backendFunc(func(context.Context) (function.Document, error) { panic("boom") })},
	}
	r := Run(context.Background(), targets, testOptions())

	want := []Outcome{OK, Critical, Warning, Critical, Critical}
	if len(r.Hosts) != len(want) {
		t.Fatalf("got %d hosts, want %d", len(r.Hosts), len(want))
	}
	for i, h := range r.Hosts {
		if h.Name != targets[i].Name {
			t.Errorf("host %d = %q, want %q", i, h.Name, targets[i].Name)
		}
		if h.Outcome != want[i] {
			t.Errorf("host %q = %v, want %v; failures %+v", h.Name, h.Outcome, want[i], h.Failures)
		}
	}
	wantCounts := Counts{OK: 1, Warning: 1, Critical: 3, NonCompliant: 4}
	if r.Counts != wantCounts {
		t.Errorf("counts = %+v, want %+v", r.Counts, wantCounts)
	}
	if r.Outcome != Critical {
		t.Errorf("fleet outcome = %v, want CRITICAL", r.Outcome)
	}
	if got := string(r.Hosts[3].Document); got != `{"product info":{"databases_date":"N/A","databases_loaded":false,"license_expiration":"N/A","license_info":"N/A","policy":"N/A","version":"N/A"},"status":"service not available","status_reason":["Agent not response"]}` {
		t.Errorf("document of down host = %s", got)
	}
	if r.Hosts[3].Error == "" {
		t.Error("down host has no error")
	}
}

func TestRunConcurrencyBound(t *testing.T) {
	var running, peak atomic.Int32
	slow := backendFunc(func(ctx context.Context) (function.Document, error) {
		n := running.Add(1)
		defer running.Add(-1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		time.Sleep(50 * time.Millisecond)
		return function.Evaluate(healthyFacts()), nil
	})
	var targets []Target
	for _, name := range []string{"a", "b", "c", "d", "e", "f", "g"} {
		targets = append(targets, Target{name, slow})
	}
	o := testOptions()
	o.Concurrency = 2
	r := Run(context.Background(), targets, o)

	if got := peak.Load(); got > 2 {
		t.Errorf("peak concurrency = %d, want at most 2", got)
	}
	if r.Counts.OK != len(targets) {
		t.Errorf("counts = %+v, want all OK", r.Counts)
	}
}

func TestRunDeadline(t *testing.T) {
	// The hanging backend ignores its context, the worst case.
	hang := backendFunc(func(context.Context) (function.Document, error) {
		time.Sleep(time.Minute)
		return function.Document{}, nil
	})
	targets := []Target{
		{"healthy", fixed(function.Evaluate(healthyFacts()))},
		{"hang1", hang},
		{"hang2", hang},
		{"queued", fixed(function.Evaluate(healthyFacts()))},
	}
	o := testOptions()
	o.Concurrency = 2
	o.Timeout = time.Minute

	const deadline = time.Second
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()
	start := time.Now()
	r := Run(ctx, targets, o)
	elapsed := time.Since(start)

	if elapsed > deadline+time.Second {
		t.Errorf("Run took %v, want at most %v", elapsed, deadline+time.Second)
	}
	if len(r.Hosts) != len(targets) {
		t.Fatalf("got %d hosts, want %d", len(r.Hosts), len(targets))
	}
	// Hosts start in the order listed: healthy and hang1 first, hang2 when
	// healthy is done, and queued never gets a slot.
	want := []Outcome{OK, Unknown, Unknown, Unknown}
	for i, h := range r.Hosts {
		if h.Name != targets[i].Name {
			t.Errorf("host %d = %q, want %q", i, h.Name, targets[i].Name)
		}
		if h.Outcome != want[i] {
			t.Errorf("host %q = %v, want %v", h.Name, h.Outcome, want[i])
		}
	}
	for _, h := range r.Hosts[1:] {
		if len(h.Failures) != 1 || h.Failures[0].Reason != "not checked before the deadline" {
			t.Errorf("failures of %q = %+v, want one: not checked before the deadline", h.Name, h.Failures)
		}
		if h.Document != nil {
			t.Errorf("document of %q = %s, want none", h.Name, h.Document)
		}
	}
}

func TestRunHostTimeout(t *testing.T) {
	honest := backendFunc(func(ctx context.Context) (function.Document, error) {
		<-ctx.Done()
		return function.Document{}, &function.UnavailableError{Reason: "Agent not response", Err: ctx.Err()}
	})
	o := testOptions()
	o.Timeout = 200 * time.Millisecond

	start := time.Now()
	r := Run(context.Background(), []Target{{"slow", honest}}, o)
	if elapsed := time.Since(start); elapsed > 5*time.Second {
		t.Errorf("Run took %v, want about 200ms", elapsed)
	}
	h := r.Hosts[0]
	if h.Outcome != Critical {
		t.Errorf("outcome = %v, want CRITICAL for a host that did not answer in its own time", h.Outcome)
	}
	if h.Failures[0].Reason != "service not available: Agent not response" {
		t.Errorf("reason = %q", h.Failures[0].Reason)
	}
}

func TestReportJSON(t *testing.T) {
	r := Run(context.Background(), []Target{
		{"web1", fixed(function.Evaluate(healthyFacts()))},
		{"web2", fixed(function.Evaluate(expiredFacts()))},
	}, testOptions())

	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Time    string         `json:"time"`
		Outcome string         `json:"outcome"`
		Counts  map[string]int `json:"counts"`
		Hosts   []struct {
			Name     string           `json:"name"`
			Outcome  string           `json:"outcome"`
			Failures []map[string]any `json:"failures"`
			Document map[string]any   `json:"document"`
		} `json:"hosts"`
	}
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatalf("decode %s: %v", b, err)
	}
	if got.Time != "2026-12-04T12:00:00Z" {
		t.Errorf("time = %q", got.Time)
	}
	if got.Outcome != "CRITICAL" {
		t.Errorf("outcome = %q", got.Outcome)
	}
	wantCounts := map[string]int{"ok": 1, "warning": 0, "critical": 1, "unknown": 0, "non_compliant": 1}
	for k, v := range wantCounts {
		if got.Counts[k] != v {
			t.Errorf("counts[%q] = %d, want %d", k, got.Counts[k], v)
		}
	}
	if len(got.Hosts) != 2 || got.Hosts[0].Name != "web1" || got.Hosts[1].Name != "web2" {
		t.Fatalf("hosts = %+v", got.Hosts)
	}
	if got.Hosts[0].Failures == nil || len(got.Hosts[0].Failures) != 0 {
		t.Errorf("failures of web1 = %v, want []", got.Hosts[0].Failures)
	}
	if got.Hosts[1].Document["status"] != "service not available" {
		t.Errorf("document of web2 = %v", got.Hosts[1].Document)
	}
	rules := map[any]any{}
	for _, f := range got.Hosts[1].Failures {
		rules[f["rule"]] = f["outcome"]
	}
	if rules[RuleStatus] != "CRITICAL" || rules[RuleLicenseExpiry] != "CRITICAL" {
		t.Errorf("failures of web2 = %v", got.Hosts[1].Failures)
	}
}

// hangingServer accepts requests and sends no response until the test ends.
func hangingServer(t *testing.T) string {
	t.Helper()
	stop := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-stop:
		}
	}))
	t.Cleanup(func() { close(stop); srv.Close() })
	return srv.URL + "/status"
}

func agentTarget(t *testing.T, name, url string) Target {
	t.Helper()
	b, err := agent.New(agent.Options{URL: url})
	if err != nil {
		t.Fatalf("agent.New(%q): %v", url, err)
	}
	return Target{name, b}
}

func TestRunAgents(t *testing.T) {
	targets := []Target{
		agentTarget(t, "healthy", testutil.ServeDocument(t, function.Evaluate(healthyFacts()))),
		agentTarget(t, "expired", testutil.ServeDocument(t, function.Evaluate(expiredFacts()))),
		agentTarget(t, "old", testutil.ServeDocument(t, function.Evaluate(oldDatabasesFacts()))),
		agentTarget(t, "closed", "http://"+testutil.FreeAddr(t)+"/status"),
		agentTarget(t, "hanging", hangingServer(t)),
	}
	o := testOptions()
	o.Timeout = 30 * time.Second

	const deadline = 3 * time.Second
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()
	start := time.Now()
	r := Run(ctx, targets, o)
	elapsed := time.Since(start)

	if elapsed > deadline+time.Second {
		t.Errorf("Run took %v, want at most %v", elapsed, deadline+time.Second)
	}
	want := []Outcome{OK, Critical, Warning, Critical, Unknown}
	for i, h := range r.Hosts {
		if h.Outcome != want[i] {
			t.Errorf("host %q = %v, want %v; failures %+v, error %s", h.Name, h.Outcome, want[i], h.Failures, h.Error)
		}
	}
	wantCounts := Counts{OK: 1, Warning: 1, Critical: 2, Unknown: 1, NonCompliant: 4}
	if r.Counts != wantCounts {
		t.Errorf("counts = %+v, want %+v", r.Counts, wantCounts)
	}
	if h := r.Hosts[4]; len(h.Failures) != 1 || h.Failures[0].Reason != "not checked before the deadline" {
		t.Errorf("failures of hanging host = %+v", h.Failures)
	}
}
