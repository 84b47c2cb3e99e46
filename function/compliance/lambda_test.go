package compliance

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/kesl-status/kesl-status/function"
)

func testScheduler(metrics, logs *bytes.Buffer) *Scheduler {
	return &Scheduler{
		Targets: []Target{
			{"web1", fixed(function.Evaluate(healthyFacts()))},
			{"web2", fixed(function.Evaluate(oldDatabasesFacts()))},
		},
		Options:        testOptions(),
		Namespace:      DefaultNamespace,
		Metrics:        metrics,
		Logger:         slog.New(slog.NewJSONHandler(logs, nil)),
		DeadlineMargin: 500 * time.Millisecond,
	}
}

func TestSchedulerHandleEvent(t *testing.T) {
	for _, file := range []string{"event-rule.json", "event-scheduler.json", "event-input.json"} {
		t.Run(file, func(t *testing.T) {
			var metrics, logs bytes.Buffer
			s := testScheduler(&metrics, &logs)

			out, handled, err := s.HandleEvent(context.Background(), readTestdata(t, file))
			if err != nil || !handled {
				t.Fatalf("HandleEvent = %v, %v, want handled", handled, err)
			}
			r, ok := out.(Report)
			if !ok {
				t.Fatalf("result is %T, want Report", out)
			}
			if r.Outcome != Warning || r.Counts.OK != 1 || r.Counts.Warning != 1 {
				t.Errorf("report = %v %+v, want WARNING with 1 OK and 1 WARNING", r.Outcome, r.Counts)
			}

			if n := len(parseEMF(t, metrics.Bytes())); n != 3 {
				t.Errorf("got %d EMF lines, want 3", n)
			}

			lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
			if len(lines) != 1 {
				t.Fatalf("got %d log lines, want 1:\n%s", len(lines), logs.String())
			}
			var entry struct {
				Msg    string `json:"msg"`
				Report struct {
					Outcome string `json:"outcome"`
					Hosts   []any  `json:"hosts"`
				} `json:"report"`
			}
			if err := json.Unmarshal([]byte(lines[0]), &entry); err != nil {
				t.Fatalf("log line %s: %v", lines[0], err)
			}
			if entry.Msg != "compliance check" || entry.Report.Outcome != "WARNING" || len(entry.Report.Hosts) != 2 {
				t.Errorf("log line = %s", lines[0])
			}
		})
	}
}

func TestSchedulerRejectsAttempts(t *testing.T) {
	for _, payload := range []string{
		`{"action":"status"}`,
		`{"action":"compliance-check","extra":1}`,
		`{"source":"aws.events","detail-type":"Scheduled Event","detail":"{}"}`,
		`{"source":"aws.scheduler","detail":"{oops"}`,
	} {
		t.Run(payload, func(t *testing.T) {
			var metrics, logs bytes.Buffer
			s := testScheduler(&metrics, &logs)

			out, handled, err := s.HandleEvent(context.Background(), json.RawMessage(payload))
			if ee, ok := errors.AsType[*EventError](err); !ok || !ee.Attempt {
				t.Errorf("error = %#v, want an *EventError of an attempt", err)
			}
			if !errors.Is(err, ErrNotScheduled) {
				t.Errorf("error = %v, want ErrNotScheduled", err)
			}
			if handled || out != nil {
				t.Errorf("HandleEvent = %v, %v, want nothing handled", out, handled)
			}
			if metrics.Len() != 0 {
				t.Errorf("metrics written for a rejected event:\n%s", metrics.String())
			}
			if !strings.Contains(logs.String(), "event rejected") {
				t.Errorf("log = %q, want an event rejected line", logs.String())
			}
		})
	}
}

func TestSchedulerDeclinesOtherEvents(t *testing.T) {
	for _, payload := range []string{
		`{}`,
		`[]`,
		`"compliance-check"`,
		`{"Records":[{"eventSource":"aws:sqs"}]}`,
		`{"source":"aws.events","detail-type":"EC2 Instance State-change Notification","detail":{}}`,
	} {
		t.Run(payload, func(t *testing.T) {
			var metrics, logs bytes.Buffer
			s := testScheduler(&metrics, &logs)

			out, handled, err := s.HandleEvent(context.Background(), json.RawMessage(payload))
			if err != nil || handled || out != nil {
				t.Errorf("HandleEvent = %v, %v, %v, want it declined without error", out, handled, err)
			}
			if metrics.Len() != 0 {
				t.Errorf("metrics written for a declined event:\n%s", metrics.String())
			}
		})
	}
}

func TestSchedulerDeadlineMargin(t *testing.T) {
	var metrics, logs bytes.Buffer
	s := testScheduler(&metrics, &logs)
	s.Targets = append(s.Targets, Target{"hang", backendFunc(func(ctx context.Context) (function.Document, error) {
		<-ctx.Done()
		return function.Document{}, ctx.Err()
	})})
	s.DeadlineMargin = time.Second

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	start := time.Now()
	r := s.Check(ctx, TriggerInput)
	if elapsed := time.Since(start); elapsed > 3*time.Second {
		t.Errorf("Check took %v, want about 1s (deadline less the margin)", elapsed)
	}
	if h := r.Hosts[2]; h.Outcome != Unknown {
		t.Errorf("hanging host = %v, want UNKNOWN", h.Outcome)
	}
}
