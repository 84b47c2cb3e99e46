package main

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/kesl-status/kesl-status/function"
	"github.com/kesl-status/kesl-status/internal/testutil"
)

// runCheck runs "kesl-status check args..." with BaseEnv plus env and
// returns its stdout, stderr and exit status.
func runCheck(t *testing.T, env []string, args ...string) (string, string, int) {
	t.Helper()
	bin := testutil.Build(t, "./local")
	cmd := exec.Command(bin, append([]string{"check"}, args...)...)
	cmd.Env = append(testutil.BaseEnv(), env...)
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.WaitDelay = 5 * time.Second

	done := make(chan error, 1)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { done <- cmd.Wait() }()
	var err error
	select {
	case err = <-done:
	case <-time.After(2 * time.Minute):
		cmd.Process.Kill()
		t.Fatalf("kesl-status check %v did not exit within 2 minutes", args)
	}

	code := 0
	if exitErr, ok := errors.AsType[*exec.ExitError](err); ok {
		code = exitErr.ExitCode()
	} else if err != nil {
		t.Fatalf("run check: %v", err)
	}
	return stdout.String(), stderr.String(), code
}

func standInEnv(t *testing.T, scenario string) []string {
	t.Helper()
	return []string{
		"KESL_STATUS_BACKEND=cli",
		"KESL_STATUS_KESL_CONTROL=" + testutil.StandIn(t, scenario),
	}
}

func TestCheckStandIn(t *testing.T) {
	// The recorded healthy-12.2 output has databases of 2025-06-16 19:18:00
	// and a licence that expires 2025-07-18 16:25:49; license-expired has
	// a licence that expired 2025-05-31 23:59:59.
	tests := []struct {
		name      string
		scenario  string
		now       string
		wantCode  int
		wantFirst string
		wantLines []string
	}{
		{
			name: "healthy", scenario: "healthy-12.2", now: "2025-06-17T00:00:00Z", wantCode: 0,
			wantFirst: "KESL OK - local: all rules OK | db_age=16920s;259200;604800 license_days=31;30:;0:",
		},
		{
			name: "old databases and licence ending", scenario: "healthy-12.2", now: "2025-06-20T00:00:00Z", wantCode: 1,
			wantFirst: "KESL WARNING - local: databases released 2025-06-16 19:18:00 UTC, 3d 4h ago, warning from 3d; " +
				"licence expires 2025-07-18 16:25:49 UTC, in 28d 16h, warning from 30d | db_age=276120s;259200;604800 license_days=28;30:;0:",
			wantLines: []string{
				"local: WARNING databases_age: databases released 2025-06-16 19:18:00 UTC, 3d 4h ago, warning from 3d",
				"local: WARNING license_expiry: licence expires 2025-07-18 16:25:49 UTC, in 28d 16h, warning from 30d",
			},
		},
		{
			name: "licence expired", scenario: "license-expired", now: "2025-06-17T00:00:00Z", wantCode: 2,
			wantFirst: "KESL CRITICAL - local: service not available: License error: Expired; " +
				"licence expired 2025-05-31 23:59:59 UTC, 16d ago | db_age=16920s;259200;604800 license_days=-17;30:;0:",
			wantLines: []string{
				"local: CRITICAL status: service not available: License error: Expired",
				"local: CRITICAL license_expiry: licence expired 2025-05-31 23:59:59 UTC, 16d ago",
			},
		},
		{
			name: "KESL not running", scenario: "not-running", now: "2025-06-17T00:00:00Z", wantCode: 2,
			wantFirst: "KESL CRITICAL - local: service not available: KESL not response; databases_date is N/A; license_expiration is N/A",
			wantLines: []string{
				"local: CRITICAL status: service not available: KESL not response",
				"local: UNKNOWN databases_age: databases_date is N/A",
				"local: UNKNOWN license_expiry: license_expiration is N/A",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stdout, stderr, code := runCheck(t, standInEnv(t, tt.scenario), "-now="+tt.now)
			if code != tt.wantCode {
				t.Errorf("exit status = %d, want %d; stderr: %s", code, tt.wantCode, stderr)
			}
			lines := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
			if lines[0] != tt.wantFirst {
				t.Errorf("first line\n got %q\nwant %q", lines[0], tt.wantFirst)
			}
			if got := lines[1:]; strings.Join(got, "\n") != strings.Join(tt.wantLines, "\n") {
				t.Errorf("rule lines\n got %q\nwant %q", got, tt.wantLines)
			}
		})
	}
}

func TestCheckPolicyAndVersionFlags(t *testing.T) {
	stdout, _, code := runCheck(t, standInEnv(t, "healthy-12.2"),
		"-now=2025-06-17T00:00:00Z", "-require-policy", "-min-version=12.10.0.1")
	if code != 2 {
		t.Errorf("exit status = %d, want 2", code)
	}
	for _, want := range []string{
		"local: CRITICAL policy: no policy applied",
		"local: CRITICAL min_version: version 12.2.0.2412 is older than the minimum 12.10.0.1",
	} {
		if !strings.Contains(stdout, want+"\n") {
			t.Errorf("output lacks %q:\n%s", want, stdout)
		}
	}
}

func TestCheckFlagsOverrideEnvironment(t *testing.T) {
	env := append(standInEnv(t, "healthy-12.2"), "KESL_STATUS_DB_WARN_AGE=1h", "KESL_STATUS_DB_CRIT_AGE=2h")
	stdout, _, code := runCheck(t, env, "-now=2025-06-17T00:00:00Z", "-db-crit=200h", "-db-warn=100h", "-license-warn=24h")
	if code != 0 {
		t.Errorf("exit status = %d, want 0:\n%s", code, stdout)
	}
	if want := "db_age=16920s;360000;720000 license_days=31;1:;0:"; !strings.Contains(stdout, want) {
		t.Errorf("output = %q, want perfdata %q", stdout, want)
	}
}

func TestCheckInvalidSettings(t *testing.T) {
	tests := []struct {
		name string
		env  []string
		args []string
		want []string
	}{
		{"flag without unit", nil, []string{"-db-warn=72"}, []string{"KESL UNKNOWN - invalid configuration:\n", `-db-warn="72": a duration needs a unit`}},
		{"warn not below crit", nil, []string{"-db-warn=10h", "-db-crit=5h"}, []string{"-db-warn=", "must be less than -db-crit"}},
		{"variable", []string{"KESL_STATUS_LICENSE_WARN=0s"}, nil, []string{`KESL_STATUS_LICENSE_WARN="0s": must be greater than zero`}},
		{"targets", nil, []string{"-targets=web1=http://127.0.0.1:1/status,web1=http://127.0.0.1:2/status"}, []string{`-targets: host name "web1" is listed more than once`}},
		{"timeout", nil, []string{"-timeout=soon"}, []string{`-timeout="soon"`}},
		{"several", []string{"KESL_STATUS_CONCURRENCY=0"}, []string{"-min-version=twelve"}, []string{"KESL_STATUS_CONCURRENCY", "-min-version"}},
		{"unknown flag", nil, []string{"-db-warning=1h"}, []string{"flag provided but not defined: -db-warning"}},
		{"argument", nil, []string{"web1"}, []string{`KESL UNKNOWN - unexpected argument "web1"`}},
		{"now", nil, []string{"-now=yesterday"}, []string{`KESL UNKNOWN - -now="yesterday"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stdout, _, code := runCheck(t, tt.env, tt.args...)
			if code != 3 {
				t.Errorf("exit status = %d, want 3 (UNKNOWN)", code)
			}
			for _, want := range tt.want {
				if !strings.Contains(stdout, want) {
					t.Errorf("stdout = %q, want it to contain %q", stdout, want)
				}
			}
		})
	}
}

// fleetFacts returns facts that are healthy at 2026-12-04T12:00:00Z.
func fleetFacts() function.Facts {
	return function.Facts{
		DatabasesDate:     "2026-12-04 06:00:00",
		DatabasesLoaded:   true,
		LicenseExpiration: "2027-06-30",
		LicenseInfo:       "The key is valid",
		Policy:            "Not applied",
		Version:           "12.1.0.1297",
	}
}

const fleetNow = "-now=2026-12-04T12:00:00Z"

func TestCheckFleet(t *testing.T) {
	expired := fleetFacts()
	expired.LicenseInfo, expired.LicenseExpiration = "Expired", "2026-11-01"
	old := fleetFacts()
	old.DatabasesDate = "2026-11-30 06:00:00"
	targets := strings.Join([]string{
		"web1=" + testutil.ServeDocument(t, function.Evaluate(fleetFacts())),
		"web2=" + testutil.ServeDocument(t, function.Evaluate(expired)),
		"db1=" + testutil.ServeDocument(t, function.Evaluate(old)),
		"gone=" + "http://" + testutil.FreeAddr(t) + "/status",
	}, ",")

	stdout, stderr, code := runCheck(t, []string{"KESL_STATUS_TARGETS=" + targets}, fleetNow)
	if code != 2 {
		t.Errorf("exit status = %d, want 2; stderr: %s", code, stderr)
	}
	lines := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
	wantFirst := "KESL CRITICAL - 4 hosts: 1 OK, 1 WARNING, 2 CRITICAL, 0 UNKNOWN | " +
		"web1_db_age=21600s;259200;604800 web1_license_days=208;30:;0: " +
		"web2_db_age=21600s;259200;604800 web2_license_days=-33;30:;0: " +
		"db1_db_age=367200s;259200;604800 db1_license_days=208;30:;0:"
	if lines[0] != wantFirst {
		t.Errorf("first line\n got %q\nwant %q", lines[0], wantFirst)
	}
	wantLines := []string{
		"web2: CRITICAL status: service not available: License error: Expired",
		"web2: CRITICAL license_expiry: licence expired 2026-11-02 00:00:00 UTC, 32d 12h ago",
		"db1: WARNING databases_age: databases released 2026-11-30 06:00:00 UTC, 4d 6h ago, warning from 3d",
		"gone: CRITICAL status: service not available: Agent not response",
		"gone: UNKNOWN databases_age: databases_date is N/A",
		"gone: UNKNOWN license_expiry: license_expiration is N/A",
	}
	if got := strings.Join(lines[1:], "\n"); got != strings.Join(wantLines, "\n") {
		t.Errorf("rule lines\n got %q\nwant %q", lines[1:], wantLines)
	}
}

func TestCheckFleetUnknown(t *testing.T) {
	undated := fleetFacts()
	undated.DatabasesDate = "N/A"
	targets := "web1=" + testutil.ServeDocument(t, function.Evaluate(fleetFacts())) + ",web2=" + testutil.ServeDocument(t, function.Evaluate(undated))

	stdout, _, code := runCheck(t, nil, "-targets="+targets, fleetNow)
	if code != 3 {
		t.Errorf("exit status = %d, want 3", code)
	}
	if !strings.HasPrefix(stdout, "KESL UNKNOWN - 2 hosts: 1 OK, 0 WARNING, 0 CRITICAL, 1 UNKNOWN | ") {
		t.Errorf("first line = %q", stdout)
	}
	if !strings.Contains(stdout, "\nweb2: UNKNOWN databases_age: databases_date is N/A\n") {
		t.Errorf("output lacks the UNKNOWN rule of web2:\n%s", stdout)
	}
	if strings.Contains(stdout, "web2_db_age") {
		t.Errorf("output has db_age of web2, whose date is unknown:\n%s", stdout)
	}
}

func TestCheckJSON(t *testing.T) {
	targets := "web1=" + testutil.ServeDocument(t, function.Evaluate(fleetFacts())) + ",gone=" + "http://" + testutil.FreeAddr(t) + "/status"
	stdout, _, code := runCheck(t, nil, "-json", "-targets="+targets, fleetNow)
	if code != 2 {
		t.Errorf("exit status = %d, want 2", code)
	}
	var report struct {
		Time    string         `json:"time"`
		Outcome string         `json:"outcome"`
		Counts  map[string]int `json:"counts"`
		Hosts   []struct {
			Name     string          `json:"name"`
			Outcome  string          `json:"outcome"`
			Document json.RawMessage `json:"document"`
		} `json:"hosts"`
	}
	if err := json.Unmarshal([]byte(stdout), &report); err != nil {
		t.Fatalf("stdout is not a report: %v\n%s", err, stdout)
	}
	if report.Time != "2026-12-04T12:00:00Z" || report.Outcome != "CRITICAL" {
		t.Errorf("time, outcome = %q, %q", report.Time, report.Outcome)
	}
	if report.Counts["ok"] != 1 || report.Counts["critical"] != 1 || report.Counts["non_compliant"] != 1 {
		t.Errorf("counts = %v", report.Counts)
	}
	if len(report.Hosts) != 2 || report.Hosts[0].Name != "web1" || report.Hosts[1].Name != "gone" {
		t.Fatalf("hosts = %+v", report.Hosts)
	}
	want := string(function.Marshal(function.Evaluate(fleetFacts())))
	if got := string(report.Hosts[0].Document) + "\n"; got != want {
		t.Errorf("document of web1 = %s, want %s", got, want)
	}
}

func TestCheckFleetTimeout(t *testing.T) {
	stop := make(chan struct{})
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-stop:
		}
	}))
	t.Cleanup(func() { close(stop); hang.Close() })
	targets := "web1=" + testutil.ServeDocument(t, function.Evaluate(fleetFacts())) + ",hang=" + hang.URL + "/status"

	start := time.Now()
	stdout, _, code := runCheck(t, nil, "-targets="+targets, "-timeout=1s", fleetNow)
	if elapsed := time.Since(start); elapsed > 20*time.Second {
		t.Errorf("check took %v, want about 1s plus start-up", elapsed)
	}
	if code != 2 {
		t.Errorf("exit status = %d, want 2:\n%s", code, stdout)
	}
	if !strings.Contains(stdout, "\nhang: CRITICAL status: service not available: Agent not response\n") {
		t.Errorf("output lacks the timed-out host:\n%s", stdout)
	}
}

func TestCheckInvalidFlagFirstLine(t *testing.T) {
	for _, arg := range []string{"-bogus", "-require-policy=maybe"} {
		stdout, _, code := runCheck(t, nil, arg)
		if code != 3 {
			t.Errorf("check %s: exit %d, want 3", arg, code)
		}
		first, _, _ := strings.Cut(stdout, "\n")
		if !strings.HasPrefix(first, "KESL UNKNOWN - invalid command line: ") {
			t.Errorf("check %s: first line %q, want a KESL UNKNOWN plugin line", arg, first)
		}
	}
}

func TestCheckJSONInvalidSettings(t *testing.T) {
	stdout, _, code := runCheck(t, nil, "-json", "-db-crit=1h")
	if code != 3 {
		t.Errorf("exit %d, want 3", code)
	}
	var report struct {
		Outcome string `json:"outcome"`
		Error   string `json:"error"`
	}
	if err := json.Unmarshal([]byte(stdout), &report); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%s", err, stdout)
	}
	if report.Outcome != "UNKNOWN" || !strings.Contains(report.Error, "-db-crit") {
		t.Errorf("report = %+v, want outcome UNKNOWN and an error that names -db-crit", report)
	}
}

func TestCheckRemoteTextCannotForgeLines(t *testing.T) {
	facts := fleetFacts()
	facts.LicenseInfo = "Expired\nKESL OK - forged | x=1"
	target := "h=" + testutil.ServeDocument(t, function.Evaluate(facts))

	stdout, _, code := runCheck(t, nil, "-targets="+target, fleetNow)
	if code != 2 {
		t.Errorf("exit %d, want 2", code)
	}
	for _, line := range strings.Split(strings.TrimSpace(stdout), "\n")[1:] {
		if strings.HasPrefix(line, "KESL ") || strings.Contains(line, "|") {
			t.Errorf("line %q from the agent's text reads as plugin output", line)
		}
	}
}
