package main

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/kesl-status/kesl-status/function"
	"github.com/kesl-status/kesl-status/internal/testutil"
)

func TestMain(m *testing.M) {
	code := m.Run()
	testutil.RemoveBuilds()
	os.Exit(code)
}

var healthy122 = function.Facts{
	DatabasesDate:     "2025-06-16 19:18:00",
	DatabasesLoaded:   true,
	LicenseExpiration: "2025-07-18 16:25:49",
	LicenseInfo:       "The key is valid",
	Policy:            "Not applied",
	Version:           "12.2.0.2412",
}

// get sends GET url with an optional API key and returns the status code,
// the headers and the body.
func get(t *testing.T, method, url string, header http.Header) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	client := &http.Client{Timeout: 30 * time.Second}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read body: %v", err)
	}
	return resp.StatusCode, resp.Header, string(body)
}

func decode(t *testing.T, body string) (status string, reasons []string, info map[string]any) {
	t.Helper()
	var doc struct {
		ProductInfo map[string]any `json:"product info"`
		Status      string         `json:"status"`
		Reasons     []string       `json:"status_reason"`
	}
	if err := json.Unmarshal([]byte(body), &doc); err != nil {
		t.Fatalf("body is not JSON: %v\n%s", err, body)
	}
	return doc.Status, doc.Reasons, doc.ProductInfo
}

func TestRunnerScenarios(t *testing.T) {
	tests := []struct {
		scenario    string
		wantBody    string // exact bytes, when set
		wantReasons []string
		wantVersion string
	}{
		{scenario: "healthy-12.2", wantBody: string(function.Marshal(function.Evaluate(healthy122)))},
		{scenario: "healthy-12.0", wantVersion: "12.0.0.6672"},
		{scenario: "databases-not-loaded", wantReasons: []string{"Databases not loaded"}, wantVersion: "12.2.0.2412"},
		{scenario: "license-expired", wantReasons: []string{"License error: Expired"}, wantVersion: "12.2.0.2412"},
		{scenario: "inconsistent-update", wantReasons: []string{"License error: Inconsistent update"}, wantVersion: "12.2.0.2412"},
		{scenario: "extra-keys", wantVersion: "12.2.0.2412"},
		{scenario: "missing-keys", wantReasons: []string{"License error: N/A"}, wantVersion: "12.2.0.2412"},
		{scenario: "text-only-10.1", wantBody: string(function.Marshal(function.Evaluate(function.Facts{
			DatabasesDate:     "2019-05-20 06:40:00",
			DatabasesLoaded:   true,
			LicenseExpiration: "2019-07-09",
			LicenseInfo:       "The key is valid",
			Policy:            "Not applied",
			Version:           "10.1.1.6421",
		})))},
		{scenario: "not-running", wantReasons: []string{"KESL not response"}, wantVersion: "N/A"},
		{scenario: "garbage", wantReasons: []string{"KESL not response"}, wantVersion: "N/A"},
		{scenario: "half-json", wantReasons: []string{"KESL not response"}, wantVersion: "N/A"},
		{scenario: "empty", wantReasons: []string{"KESL not response"}, wantVersion: "N/A"},
		{scenario: "crash", wantReasons: []string{"KESL not response"}, wantVersion: "N/A"},
		{scenario: "huge", wantReasons: []string{"KESL not response"}, wantVersion: "N/A"},
		{scenario: "stderr-flood", wantBody: string(function.Marshal(function.Evaluate(healthy122)))},
	}
	for _, tt := range tests {
		t.Run(tt.scenario, func(t *testing.T) {
			t.Parallel()
			standIn := testutil.StandIn(t, tt.scenario)
			r := testutil.StartRunner(t, "KESL_STATUS_KESL_CONTROL="+standIn)

			code, header, body := get(t, "GET", r.URL("/status"), nil)
			if code != 200 {
				t.Errorf("code = %d, want 200", code)
			}
			if got := header.Get("Content-Type"); got != "application/json" {
				t.Errorf("Content-Type = %q, want application/json", got)
			}
			if tt.wantBody != "" {
				if body != tt.wantBody {
					t.Errorf("body =\n%s\nwant\n%s", body, tt.wantBody)
				}
				return
			}
			_, reasons, info := decode(t, body)
			if !slices.Equal(reasons, tt.wantReasons) {
				t.Errorf("status_reason = %q, want %q", reasons, tt.wantReasons)
			}
			if info["version"] != tt.wantVersion {
				t.Errorf("version = %v, want %s", info["version"], tt.wantVersion)
			}
		})
	}
}

func TestRunnerStartFailures(t *testing.T) {
	dir := t.TempDir()
	notExecutable := filepath.Join(dir, "kesl-control")
	if err := os.WriteFile(notExecutable, []byte("#!/bin/sh\necho '{}'\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, path string
	}{
		{"missing binary", filepath.Join(dir, "absent", "kesl-control")},
		{"no execute bit", notExecutable},
	}
	want := string(function.Marshal(function.NotAvailable("KESL not response")))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := testutil.StartRunner(t, "KESL_STATUS_KESL_CONTROL="+tt.path)
			if _, _, body := get(t, "GET", r.URL("/status"), nil); body != want {
				t.Errorf("body =\n%s\nwant\n%s", body, want)
			}
			if !r.WaitLog(t, "status check failed") {
				t.Errorf("log has no failed check:\n%s", r.Log())
			}
		})
	}
}

// The runner's own locale is Russian and the stand-in prints Russian unless
// its locale is C: the response must still be the English document.
func TestRunnerRussianLocale(t *testing.T) {
	standIn := testutil.StandIn(t, "healthy-12.2")

	direct := exec.Command(standIn, "--app-info", "--json")
	direct.Env = []string{"LANG=ru_RU.UTF-8", "LC_ALL=ru_RU.UTF-8"}
	out, err := direct.Output()
	if err != nil {
		t.Fatalf("run stand-in: %v", err)
	}
	if !strings.Contains(string(out), "Версия") {
		t.Fatalf("stand-in printed no Russian under ru_RU.UTF-8:\n%s", out)
	}

	r := testutil.StartRunner(t, "KESL_STATUS_KESL_CONTROL="+standIn,
		"LANG=ru_RU.UTF-8", "LC_ALL=ru_RU.UTF-8", "LC_MESSAGES=ru_RU.UTF-8")
	_, _, body := get(t, "GET", r.URL("/status"), nil)
	if want := string(function.Marshal(function.Evaluate(healthy122))); body != want {
		t.Errorf("body =\n%s\nwant\n%s", body, want)
	}
}

func TestRunnerTimeouts(t *testing.T) {
	for _, scenario := range []string{"hang", "grandchild"} {
		t.Run(scenario, func(t *testing.T) {
			t.Parallel()
			standIn := testutil.StandIn(t, scenario)
			r := testutil.StartRunner(t, "KESL_STATUS_KESL_CONTROL="+standIn, "KESL_STATUS_TIMEOUT=2s")

			start := time.Now()
			_, _, body := get(t, "GET", r.URL("/status"), nil)
			elapsed := time.Since(start)

			if want := string(function.Marshal(function.NotAvailable("KESL not response"))); body != want {
				t.Errorf("body =\n%s\nwant\n%s", body, want)
			}
			if elapsed > 3*time.Second {
				t.Errorf("answer took %v, want at most the 2s timeout plus 1s", elapsed)
			}
		})
	}
}

func TestRunnerColdCacheRunsOnce(t *testing.T) {
	standIn := testutil.StandIn(t, "healthy-12.2", "delay=500ms")
	r := testutil.StartRunner(t, "KESL_STATUS_KESL_CONTROL="+standIn, "KESL_STATUS_CACHE_TTL=1m")

	var wg sync.WaitGroup
	bodies := make([]string, 50)
	for i := range bodies {
		wg.Go(func() { _, _, bodies[i] = get(t, "GET", r.URL("/status"), nil) })
	}
	wg.Wait()

	if got := testutil.Runs(t, standIn); got != 1 {
		t.Errorf("stand-in ran %d times for 50 concurrent requests, want 1", got)
	}
	want := string(function.Marshal(function.Evaluate(healthy122)))
	for i, b := range bodies {
		if b != want {
			t.Errorf("request %d: body =\n%s\nwant\n%s", i, b, want)
		}
	}
}

func TestRunnerHTTP(t *testing.T) {
	standIn := testutil.StandIn(t, "healthy-12.2")
	r := testutil.StartRunner(t, "KESL_STATUS_KESL_CONTROL="+standIn, "KESL_STATUS_API_KEY=k3y")
	key := http.Header{"X-Api-Key": {"k3y"}}
	healthyBody := string(function.Marshal(function.Evaluate(healthy122)))
	forbidden := `{"error":{"code":"FORBIDDEN","message":"Forbidden"},"status":"error"}` + "\n"

	tests := []struct {
		name      string
		method    string
		path      string
		header    http.Header
		wantCode  int
		wantBody  string
		wantAllow string
	}{
		{"key missing", "GET", "/status", nil, 403, forbidden, ""},
		{"key wrong", "GET", "/status", http.Header{"X-Api-Key": {"k3"}}, 403, forbidden, ""},
		{"key right", "GET", "/status", key, 200, healthyBody, ""},
		{"key header lowercase", "GET", "/status", http.Header{"x-api-key": {"k3y"}}, 200, healthyBody, ""},
		{"head", "HEAD", "/status", key, 200, "", ""},
		{"post", "POST", "/status", key, 405,
			`{"error":{"code":"METHOD NOT ALLOWED","message":"Method Not Allowed"},"status":"error"}` + "\n", "GET, HEAD"},
		{"other path", "GET", "/scans", key, 404,
			`{"error":{"code":"OBJECT NOT FOUND","message":"Not Found"},"status":"error"}` + "\n", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, header, body := get(t, tt.method, r.URL(tt.path), tt.header)
			if code != tt.wantCode {
				t.Errorf("code = %d, want %d", code, tt.wantCode)
			}
			if body != tt.wantBody {
				t.Errorf("body = %q, want %q", body, tt.wantBody)
			}
			if got := header.Get("Allow"); got != tt.wantAllow {
				t.Errorf("Allow = %q, want %q", got, tt.wantAllow)
			}
		})
	}

	t.Run("head length", func(t *testing.T) {
		_, header, _ := get(t, "HEAD", r.URL("/status"), key)
		if got, want := header.Get("Content-Length"), len(healthyBody); got != strconv.Itoa(want) {
			t.Errorf("Content-Length = %s, want %d", got, want)
		}
	})
	if strings.Contains(r.Log(), "k3y") {
		t.Errorf("the runner logged the API key:\n%s", r.Log())
	}
}

func TestRunnerUnavailableCode(t *testing.T) {
	standIn := testutil.StandIn(t, "not-running")
	r := testutil.StartRunner(t, "KESL_STATUS_KESL_CONTROL="+standIn, "KESL_STATUS_UNAVAILABLE_CODE=503")
	if code, _, _ := get(t, "GET", r.URL("/status"), nil); code != 503 {
		t.Errorf("code = %d, want 503", code)
	}
}

func TestRunnerInvalidConfiguration(t *testing.T) {
	bin := testutil.Build(t, "./local")
	cmd := exec.Command(bin)
	cmd.Env = append(testutil.BaseEnv(),
		"KESL_STATUS_TIMEOUT=4000",
		"KESL_STATUS_CACHE_TTL=-1s",
		"KESL_STATUS_LISTEN=nowhere",
		"KESL_STATUS_UNAVAILABLE_CODE=abc",
		"KESL_STATUS_LOG_LEVEL=loud",
		"KESL_STATUS_BACKEND=ssh",
	)
	out, err := cmd.CombinedOutput()
	exitErr, ok := err.(*exec.ExitError)
	if !ok || exitErr.ExitCode() != 2 {
		t.Fatalf("exit = %v, want exit status 2\n%s", err, out)
	}
	for _, name := range []string{
		"KESL_STATUS_TIMEOUT", "KESL_STATUS_CACHE_TTL", "KESL_STATUS_LISTEN",
		"KESL_STATUS_UNAVAILABLE_CODE", "KESL_STATUS_LOG_LEVEL", "KESL_STATUS_BACKEND",
	} {
		if !strings.Contains(string(out), name) {
			t.Errorf("message does not name %s:\n%s", name, out)
		}
	}
	if !strings.Contains(string(out), "write 4s") {
		t.Errorf("message has no hint for the bare 4000:\n%s", out)
	}
}

func TestRunnerStopsOnSignal(t *testing.T) {
	r := testutil.StartRunner(t, "KESL_STATUS_KESL_CONTROL="+testutil.StandIn(t, "healthy-12.2"))
	if code := r.Stop(t); code != 0 {
		t.Errorf("exit code after SIGTERM = %d, want 0", code)
	}
	log := r.Log()
	for _, want := range []string{"server started", "server stopped"} {
		if !strings.Contains(log, want) {
			t.Errorf("log lacks %q:\n%s", want, log)
		}
	}
}

func TestRunnerShutdownDuringCheck(t *testing.T) {
	standIn := testutil.StandIn(t, "hang")
	r := testutil.StartRunner(t, "KESL_STATUS_KESL_CONTROL="+standIn, "KESL_STATUS_TIMEOUT=60s")

	bodyc := make(chan string, 1)
	go func() {
		resp, err := http.Get(r.URL("/status"))
		if err != nil {
			bodyc <- "error: " + err.Error()
			return
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		bodyc <- string(body)
	}()
	for testutil.Runs(t, standIn) == 0 {
		time.Sleep(10 * time.Millisecond)
	}

	start := time.Now()
	if code := r.Stop(t); code != 0 {
		t.Errorf("exit code = %d, want 0\n%s", code, r.Log())
	}
	if elapsed := time.Since(start); elapsed > 5*time.Second {
		t.Errorf("stop took %v during a hanging check, want well under the 60s timeout", elapsed)
	}
	if want := string(function.Marshal(function.NotAvailable("KESL not response"))); <-bodyc != want {
		t.Errorf("waiting request did not get the not-available document")
	}
	for _, pid := range testutil.RunPIDs(t, standIn) {
		if err := syscall.Kill(pid, 0); err == nil {
			t.Errorf("kesl-control %d still runs after the runner stopped", pid)
		}
	}
}

func TestRunnerBasePath(t *testing.T) {
	r := testutil.StartRunner(t, "KESL_STATUS_KESL_CONTROL="+testutil.StandIn(t, "healthy-12.2"),
		"KESL_STATUS_BASE_PATH=/kesl")
	tests := []struct {
		path     string
		wantCode int
	}{
		{"/kesl/status", 200},
		{"/status", 404},
		{"/keslstatus", 404},
		{"/kesl/status/", 404},
	}
	for _, tt := range tests {
		if code, _, _ := get(t, "GET", r.URL(tt.path), nil); code != tt.wantCode {
			t.Errorf("GET %s: code = %d, want %d", tt.path, code, tt.wantCode)
		}
	}
}
