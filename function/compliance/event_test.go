package compliance

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestParseScheduledEventFiles(t *testing.T) {
	tests := []struct {
		file string
		want Trigger
	}{
		{"event-rule.json", TriggerRule},
		{"event-scheduler.json", TriggerScheduler},
		{"event-input.json", TriggerInput},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			got, err := ParseScheduledEvent(readTestdata(t, tt.file))
			if err != nil {
				t.Fatalf("ParseScheduledEvent: %v", err)
			}
			if got != tt.want {
				t.Errorf("trigger = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestParseScheduledEvent(t *testing.T) {
	tests := []struct {
		name    string
		payload string
		want    Trigger
		wantErr string // part of the message; empty when accepted
	}{
		{"rule minimal", `{"source":"aws.events","detail-type":"Scheduled Event"}`, TriggerRule, ""},
		{"rule detail object", `{"source":"aws.events","detail-type":"Scheduled Event","detail":{"a":1}}`, TriggerRule, ""},
		{"scheduler detail object", `{"source":"aws.scheduler","detail-type":"Scheduled Event","detail":{}}`, TriggerScheduler, ""},
		{"scheduler detail string", `{"source":"aws.scheduler","detail":"{}"}`, TriggerScheduler, ""},
		{"scheduler detail string object", `{"source":"aws.scheduler","detail":"{\"k\":\"v\"}"}`, TriggerScheduler, ""},
		{"input with spaces", ` { "action" : "compliance-check" } `, TriggerInput, ""},

		{"empty object", `{}`, "", "expected an EventBridge"},
		{"empty payload", ``, "", "not a JSON object"},
		{"null", `null`, "", "not a JSON object"},
		{"array", `[{"action":"compliance-check"}]`, "", "not a JSON object"},
		{"string", `"compliance-check"`, "", "not a JSON object"},
		{"truncated", `{"action":"compliance-check"`, "", "not valid JSON"},
		{"trailing data", `{"action":"compliance-check"} {}`, "", "data after"},
		{"other action", `{"action":"compliance-check-all"}`, "", `unknown action "compliance-check-all"`},
		{"action case", `{"action":"Compliance-Check"}`, "", "unknown action"},
		{"action not string", `{"action":true}`, "", `"action" must be the string`},
		{"action extra member", `{"action":"compliance-check","targets":"x=http://127.0.0.1"}`, "", "no other members"},
		{"action repeated", `{"action":"status","action":"compliance-check"}`, "", "more than once"},
		{"source repeated", `{"source":"aws.s3","source":"aws.events","detail-type":"Scheduled Event"}`, "", "more than once"},
		{"rule without detail-type", `{"source":"aws.events"}`, "", `detail-type ""`},
		{"rule other detail-type", `{"source":"aws.events","detail-type":"EC2 Instance State-change Notification","detail":{}}`, "", "only \"Scheduled Event\""},
		{"rule detail string", `{"source":"aws.events","detail-type":"Scheduled Event","detail":"{}"}`, "", `"detail"`},
		{"rule detail null", `{"source":"aws.events","detail-type":"Scheduled Event","detail":null}`, "", `"detail"`},
		{"scheduler detail junk string", `{"source":"aws.scheduler","detail":"{oops"}`, "", `"detail"`},
		{"scheduler other detail-type", `{"source":"aws.scheduler","detail-type":"Object Created"}`, "", "only \"Scheduled Event\""},
		{"other source", `{"source":"aws.s3","detail-type":"Scheduled Event"}`, "", `event source "aws.s3"`},
		{"source not string", `{"source":1,"detail-type":"Scheduled Event"}`, "", `"source" must be a string`},
		{"API Gateway request", `{"version":"2.0","rawPath":"/status","requestContext":{"http":{"method":"GET"}}}`, "", "expected an EventBridge"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseScheduledEvent([]byte(tt.payload))
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("ParseScheduledEvent: %v", err)
				}
				if got != tt.want {
					t.Errorf("trigger = %q, want %q", got, tt.want)
				}
				return
			}
			if err == nil {
				t.Fatalf("ParseScheduledEvent = %q, want an error containing %q", got, tt.wantErr)
			}
			if !errors.Is(err, ErrNotScheduled) {
				t.Errorf("error %v does not wrap ErrNotScheduled", err)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error = %q, want it to contain %q", err, tt.wantErr)
			}
			if got != "" {
				t.Errorf("trigger = %q with an error, want empty", got)
			}
		})
	}
}
