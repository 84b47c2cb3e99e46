package config

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/kesl-status/kesl-status/function/compliance"
)

func TestLoadComplianceDefaults(t *testing.T) {
	c, err := LoadCompliance(nil)
	if err != nil {
		t.Fatalf("LoadCompliance(nil): %v", err)
	}
	if len(c.Targets) != 0 {
		t.Errorf("Targets = %v, want none", c.Targets)
	}
	if c.Rules != compliance.DefaultRules {
		t.Errorf("Rules = %+v, want %+v", c.Rules, compliance.DefaultRules)
	}
	if c.Rules.DatabasesWarnAge != 72*time.Hour || c.Rules.DatabasesCritAge != 168*time.Hour || c.Rules.LicenseWarn != 720*time.Hour {
		t.Errorf("thresholds = %+v, want 72h, 168h and 720h", c.Rules)
	}
	if c.Concurrency != 8 {
		t.Errorf("Concurrency = %d, want 8", c.Concurrency)
	}
	if c.Namespace != "KESL/Status" {
		t.Errorf("Namespace = %q, want KESL/Status", c.Namespace)
	}
}

func TestLoadComplianceValues(t *testing.T) {
	c, err := LoadCompliance([]string{
		"KESL_STATUS_TARGETS= web1=https://10.0.0.5:8085/status , web-2.example=http://127.0.0.1:8085/status",
		"KESL_STATUS_DB_WARN_AGE=24h",
		"KESL_STATUS_DB_CRIT_AGE=48h",
		"KESL_STATUS_LICENSE_WARN=336h",
		"KESL_STATUS_REQUIRE_POLICY=true",
		"KESL_STATUS_MIN_VERSION=12.1.0.1297",
		"KESL_STATUS_CONCURRENCY=3",
		"KESL_STATUS_METRICS_NAMESPACE=Security/KESL",
	})
	if err != nil {
		t.Fatalf("LoadCompliance: %v", err)
	}
	wantTargets := []Target{
		{"web1", "https://10.0.0.5:8085/status"},
		{"web-2.example", "http://127.0.0.1:8085/status"},
	}
	if !reflect.DeepEqual(c.Targets, wantTargets) {
		t.Errorf("Targets = %+v, want %+v", c.Targets, wantTargets)
	}
	wantRules := compliance.Rules{
		DatabasesWarnAge: 24 * time.Hour,
		DatabasesCritAge: 48 * time.Hour,
		LicenseWarn:      336 * time.Hour,
		RequirePolicy:    true,
		MinVersion:       "12.1.0.1297",
	}
	if c.Rules != wantRules {
		t.Errorf("Rules = %+v, want %+v", c.Rules, wantRules)
	}
	if c.Concurrency != 3 {
		t.Errorf("Concurrency = %d, want 3", c.Concurrency)
	}
	if c.Namespace != "Security/KESL" {
		t.Errorf("Namespace = %q", c.Namespace)
	}
}

func TestLoadComplianceInvalid(t *testing.T) {
	tests := []struct {
		name    string
		env     string
		wantVar string
		wantMsg string
	}{
		{"warn without unit", "KESL_STATUS_DB_WARN_AGE=72", "KESL_STATUS_DB_WARN_AGE", "needs a unit"},
		{"crit not a duration", "KESL_STATUS_DB_CRIT_AGE=a week", "KESL_STATUS_DB_CRIT_AGE", "not a duration"},
		{"warn zero", "KESL_STATUS_DB_WARN_AGE=0s", "KESL_STATUS_DB_WARN_AGE", "greater than zero"},
		{"crit negative", "KESL_STATUS_DB_CRIT_AGE=-1h", "KESL_STATUS_DB_CRIT_AGE", "greater than zero"},
		{"warn not below crit", "KESL_STATUS_DB_WARN_AGE=200h", "KESL_STATUS_DB_WARN_AGE", "less than KESL_STATUS_DB_CRIT_AGE"},
		{"licence zero", "KESL_STATUS_LICENSE_WARN=0h", "KESL_STATUS_LICENSE_WARN", "greater than zero"},
		{"licence without unit", "KESL_STATUS_LICENSE_WARN=30", "KESL_STATUS_LICENSE_WARN", "needs a unit"},
		{"policy not bool", "KESL_STATUS_REQUIRE_POLICY=yes please", "KESL_STATUS_REQUIRE_POLICY", "true or false"},
		{"version not dotted", "KESL_STATUS_MIN_VERSION=12.1-beta", "KESL_STATUS_MIN_VERSION", "dotted version"},
		{"concurrency zero", "KESL_STATUS_CONCURRENCY=0", "KESL_STATUS_CONCURRENCY", "1 or more"},
		{"concurrency word", "KESL_STATUS_CONCURRENCY=many", "KESL_STATUS_CONCURRENCY", "whole number"},
		{"namespace AWS", "KESL_STATUS_METRICS_NAMESPACE=AWS/Lambda", "KESL_STATUS_METRICS_NAMESPACE", "not starting with AWS/"},
		{"namespace character", "KESL_STATUS_METRICS_NAMESPACE=KESL$Status", "KESL_STATUS_METRICS_NAMESPACE", "CloudWatch namespace"},
		{"target without url", "KESL_STATUS_TARGETS=web1", "KESL_STATUS_TARGETS", `entry "web1" is not name=url`},
		{"target empty entry", "KESL_STATUS_TARGETS=web1=http://127.0.0.1:1/status,", "KESL_STATUS_TARGETS", "entry 2 is empty"},
		{"target duplicate", "KESL_STATUS_TARGETS=a=http://127.0.0.1:1/status,a=http://127.0.0.1:2/status", "KESL_STATUS_TARGETS", `"a" is listed more than once`},
		{"target bad name", "KESL_STATUS_TARGETS=web 1=http://127.0.0.1:1/status", "KESL_STATUS_TARGETS", `host name "web 1"`},
		{"target empty name", "KESL_STATUS_TARGETS==http://127.0.0.1:1/status", "KESL_STATUS_TARGETS", `host name ""`},
		{"target relative url", "KESL_STATUS_TARGETS=a=/status", "KESL_STATUS_TARGETS", "must start with http:// or https://"},
		{"target other scheme", "KESL_STATUS_TARGETS=a=ftp://10.0.0.5/status", "KESL_STATUS_TARGETS", "http:// or https://"},
		{"target with password", "KESL_STATUS_TARGETS=a=https://u:secret@10.0.0.5/status", "KESL_STATUS_TARGETS", "user information"},
		{"target not a url", "KESL_STATUS_TARGETS=a=http://[::1", "KESL_STATUS_TARGETS", "invalid agent URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadCompliance([]string{tt.env})
			var cerr *Error
			if !errors.As(err, &cerr) {
				t.Fatalf("LoadCompliance(%q) error = %v, want *Error", tt.env, err)
			}
			if len(cerr.Problems) != 1 {
				t.Fatalf("problems = %+v, want one", cerr.Problems)
			}
			p := cerr.Problems[0]
			if p.Var != tt.wantVar {
				t.Errorf("variable = %q, want %q", p.Var, tt.wantVar)
			}
			if !strings.Contains(p.Message, tt.wantMsg) {
				t.Errorf("message = %q, want it to contain %q", p.Message, tt.wantMsg)
			}
			if strings.Contains(err.Error(), "secret") {
				t.Errorf("error %q shows the password of a URL", err)
			}
		})
	}
}

func TestLoadComplianceAllProblems(t *testing.T) {
	_, err := LoadCompliance([]string{
		"KESL_STATUS_DB_WARN_AGE=3",
		"KESL_STATUS_LICENSE_WARN=-1h",
		"KESL_STATUS_CONCURRENCY=-2",
	})
	var cerr *Error
	if !errors.As(err, &cerr) {
		t.Fatalf("error = %v, want *Error", err)
	}
	var vars []string
	for _, p := range cerr.Problems {
		vars = append(vars, p.Var)
	}
	want := []string{"KESL_STATUS_DB_WARN_AGE", "KESL_STATUS_LICENSE_WARN", "KESL_STATUS_CONCURRENCY"}
	if !reflect.DeepEqual(vars, want) {
		t.Errorf("variables = %v, want %v", vars, want)
	}
}

func TestComplianceTargets(t *testing.T) {
	cfg, err := Load(nil)
	if err != nil {
		t.Fatal(err)
	}

	cc, err := LoadCompliance(nil)
	if err != nil {
		t.Fatal(err)
	}
	backend, err := cfg.NewBackend(nil)
	if err != nil {
		t.Fatal(err)
	}
	local, err := cfg.ComplianceTargets(cc, backend)
	if err != nil {
		t.Fatalf("ComplianceTargets without TARGETS: %v", err)
	}
	if len(local) != 1 || local[0].Name != "local" || local[0].Backend != backend {
		t.Errorf("targets = %+v, want the configured backend as host local", local)
	}

	cc, err = LoadCompliance([]string{"KESL_STATUS_TARGETS=a=http://127.0.0.1:1/status,b=http://127.0.0.1:2/status"})
	if err != nil {
		t.Fatal(err)
	}
	fleet, err := cfg.ComplianceTargets(cc, nil)
	if err != nil {
		t.Fatalf("ComplianceTargets: %v", err)
	}
	if len(fleet) != 2 || fleet[0].Name != "a" || fleet[1].Name != "b" {
		t.Errorf("targets = %+v, want a and b in order", fleet)
	}

	opts := cfg.ComplianceOptions(cc)
	if opts.Timeout != 10*time.Second || opts.Concurrency != 8 || opts.Rules != compliance.DefaultRules {
		t.Errorf("options = %+v", opts)
	}
}
