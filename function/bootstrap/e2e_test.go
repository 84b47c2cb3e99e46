package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/kesl-status/kesl-status/internal/testutil"
)

func TestMain(m *testing.M) {
	code := m.Run()
	testutil.RemoveBuilds()
	os.Exit(code)
}

const testKey = "e2e-key"

// emulator is aws-lambda-rie running the bootstrap binary.
type emulator struct {
	addr   string
	cmd    *exec.Cmd
	mu     sync.Mutex
	output bytes.Buffer
	exited chan struct{}
}

func (e *emulator) Write(p []byte) (int, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.output.Write(p)
}

// Log returns what the emulator and the function printed so far.
func (e *emulator) Log() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.output.String()
}

// findEmulator returns the path of aws-lambda-rie: bin/ of the module, as
// `make tools` installs it, or PATH. Without it the test fails when CI is
// set and is skipped otherwise.
func findEmulator(t *testing.T) string {
	t.Helper()
	path := filepath.Join(testutil.ModuleRoot(t), "bin", "aws-lambda-rie")
	if _, err := os.Stat(path); err == nil {
		return path
	}
	if path, err := exec.LookPath("aws-lambda-rie"); err == nil {
		return path
	}
	if os.Getenv("CI") != "" {
		t.Fatal("aws-lambda-rie not found in bin/ or PATH; run make tools")
	}
	t.Skip("aws-lambda-rie not found in bin/ or PATH; run make tools to run this test")
	return ""
}

// startEmulator runs bootstrap for the host under aws-lambda-rie on
// loopback ports, with the environment of testutil.BaseEnv plus env, and
// kills the emulator's process group when the test ends.
func startEmulator(t *testing.T, env ...string) *emulator {
	t.Helper()
	rie := findEmulator(t)
	bootstrap := testutil.Build(t, "./function/bootstrap")

	e := &emulator{addr: testutil.FreeAddr(t), exited: make(chan struct{})}
	e.cmd = exec.Command(rie,
		"--runtime-interface-emulator-address", e.addr,
		"--runtime-api-address", testutil.FreeAddr(t),
		bootstrap)
	e.cmd.Env = append(testutil.BaseEnv(), env...)
	e.cmd.Stdout = e
	e.cmd.Stderr = e
	e.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := e.cmd.Start(); err != nil {
		t.Fatalf("start aws-lambda-rie: %v", err)
	}
	go func() {
		e.cmd.Wait()
		close(e.exited)
	}()
	t.Cleanup(func() {
		// The emulator, bootstrap and any kesl-control share the group.
		syscall.Kill(-e.cmd.Process.Pid, syscall.SIGKILL)
		<-e.exited
		if t.Failed() {
			t.Logf("emulator output:\n%s", e.Log())
		}
	})

	deadline := time.Now().Add(30 * time.Second)
	for {
		conn, err := net.DialTimeout("tcp", e.addr, time.Second)
		if err == nil {
			conn.Close()
			return e
		}
		select {
		case <-e.exited:
			t.Fatalf("aws-lambda-rie exited: %v\n%s", e.cmd.ProcessState, e.Log())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("aws-lambda-rie did not listen on %s within 30s:\n%s", e.addr, e.Log())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// invoke sends one event and returns the invocation's result, which is the
// function's response or, for a function error, errorMessage and errorType.
func (e *emulator) invoke(t *testing.T, event []byte) []byte {
	t.Helper()
	client := &http.Client{Timeout: 60 * time.Second}
	url := "http://" + e.addr + "/2015-03-31/functions/function/invocations"
	resp, err := client.Post(url, "application/json", bytes.NewReader(event))
	if err != nil {
		t.Fatalf("invoke: %v", err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read invocation result: %v", err)
	}
	return out
}

type lambdaResponse struct {
	StatusCode        int                 `json:"statusCode"`
	StatusDescription string              `json:"statusDescription"`
	Headers           map[string]string   `json:"headers"`
	MultiValueHeaders map[string][]string `json:"multiValueHeaders"`
	Body              string              `json:"body"`
	IsBase64Encoded   bool                `json:"isBase64Encoded"`
	ErrorMessage      string              `json:"errorMessage"`
	ErrorType         string              `json:"errorType"`
}

func decodeResponse(t *testing.T, out []byte) lambdaResponse {
	t.Helper()
	var r lambdaResponse
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatalf("invocation result %q is not JSON: %v", out, err)
	}
	return r
}

func readEvent(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "awslambda", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return bytes.ReplaceAll(data, []byte(`"test-key"`), []byte(`"`+testKey+`"`))
}

// localBody returns the body of GET /status from the local runner with the
// same stand-in, the bytes that the function must send too. The stand-in
// must play a healthy scenario.
func localBody(t *testing.T, standIn string) string {
	t.Helper()
	runner := testutil.StartRunner(t, "KESL_STATUS_BACKEND=cli", "KESL_STATUS_KESL_CONTROL="+standIn)
	resp, err := http.Get(runner.URL("/status"))
	if err != nil {
		t.Fatalf("GET /status from the local runner: %v", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(body), `"status":"service available"`) {
		t.Fatalf("local runner body = %q, want an available document; runner log:\n%s", body, runner.Log())
	}
	return string(body)
}

func TestEmulatorHTTPEvents(t *testing.T) {
	standIn := testutil.StandIn(t, "healthy-12.2")
	want := localBody(t, standIn)
	e := startEmulator(t,
		"KESL_STATUS_BACKEND=cli",
		"KESL_STATUS_KESL_CONTROL="+standIn,
		"KESL_STATUS_API_KEY="+testKey,
		"AWS_LAMBDA_LOG_FORMAT=JSON",
	)

	tests := []struct {
		file        string
		wantStatus  int
		wantBody    string
		multiValue  bool
		description string
	}{
		{"rest-get.json", 200, want, true, ""},
		{"http-api-stage.json", 200, want, false, ""},
		{"function-url.json", 200, want, false, ""},
		{"alb-single.json", 200, want, false, "200 OK"},
		{"alb-multi.json", 200, want, true, "200 OK"},
		{"rest-head.json", 200, "", true, ""},
		{"http-api-post.json", 405, `{"error":{"code":"METHOD NOT ALLOWED","message":"Method Not Allowed"},"status":"error"}` + "\n", false, ""},
		{"http-api-other-stage.json", 404, `{"error":{"code":"OBJECT NOT FOUND","message":"Not Found"},"status":"error"}` + "\n", false, ""},
		{"rest-wrong-key.json", 403, `{"error":{"code":"FORBIDDEN","message":"Forbidden"},"status":"error"}` + "\n", true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			got := decodeResponse(t, e.invoke(t, readEvent(t, tt.file)))
			if got.ErrorType != "" {
				t.Fatalf("function error %s: %s", got.ErrorType, got.ErrorMessage)
			}
			if got.StatusCode != tt.wantStatus {
				t.Errorf("statusCode = %d, want %d", got.StatusCode, tt.wantStatus)
			}
			if got.Body != tt.wantBody {
				t.Errorf("body = %q, want %q", got.Body, tt.wantBody)
			}
			if got.IsBase64Encoded {
				t.Error("isBase64Encoded = true, want false")
			}
			if got.StatusDescription != tt.description {
				t.Errorf("statusDescription = %q, want %q", got.StatusDescription, tt.description)
			}
			contentType := got.Headers["Content-Type"]
			if tt.multiValue {
				contentType = strings.Join(got.MultiValueHeaders["Content-Type"], "|")
				if got.Headers != nil {
					t.Errorf("headers = %v, want none beside multiValueHeaders", got.Headers)
				}
			} else if got.MultiValueHeaders != nil {
				t.Errorf("multiValueHeaders = %v, want none beside headers", got.MultiValueHeaders)
			}
			if contentType != "application/json" {
				t.Errorf("Content-Type = %q, want application/json", contentType)
			}
		})
	}

	// The backend is built once per execution environment, so the cache
	// of CACHE_TTL (5 s by default) serves the warm invocations above.
	if runs := testutil.Runs(t, standIn); runs > 3 {
		t.Errorf("kesl-control ran %d times for %d invocations, want the cache to serve most", runs, len(tests))
	}
}

func TestEmulatorUnsupportedEvent(t *testing.T) {
	e := startEmulator(t,
		"KESL_STATUS_BACKEND=cli",
		"KESL_STATUS_KESL_CONTROL="+testutil.StandIn(t, "healthy-12.2"),
	)
	// Scheduled events start the compliance check, so an SQS event stands
	// for the events that no integration takes.
	got := decodeResponse(t, e.invoke(t, readEvent(t, "sqs.json")))

	if got.ErrorType != "UnsupportedEventError" {
		t.Errorf("errorType = %q, want UnsupportedEventError", got.ErrorType)
	}
	if !strings.Contains(got.ErrorMessage, `event with Records from "aws:sqs"`) {
		t.Errorf("errorMessage = %q, want it to name the event shape", got.ErrorMessage)
	}
}

// TestEmulatorHangingKESL runs a kesl-control that never responds in a
// function with a 3-second timeout. The function must return the "KESL not
// response" document itself before Lambda ends the invocation.
func TestEmulatorHangingKESL(t *testing.T) {
	e := startEmulator(t,
		"KESL_STATUS_BACKEND=cli",
		"KESL_STATUS_KESL_CONTROL="+testutil.StandIn(t, "hang"),
		"AWS_LAMBDA_FUNCTION_TIMEOUT=3",
		"AWS_LAMBDA_LOG_FORMAT=JSON",
	)

	start := time.Now()
	got := decodeResponse(t, e.invoke(t, readEvent(t, "http-api-default.json")))
	elapsed := time.Since(start)

	if got.ErrorType != "" {
		t.Fatalf("function error %s: %s, want a response before the timeout", got.ErrorType, got.ErrorMessage)
	}
	if got.StatusCode != 200 {
		t.Errorf("statusCode = %d, want 200", got.StatusCode)
	}
	want := `{"product info":{"databases_date":"N/A","databases_loaded":false,"license_expiration":"N/A",` +
		`"license_info":"N/A","policy":"N/A","version":"N/A"},"status":"service not available",` +
		`"status_reason":["KESL not response"]}` + "\n"
	if got.Body != want {
		t.Errorf("body = %q, want %q", got.Body, want)
	}
	// Init plus a check cut at 3 s less the margin take about 2.5 s. The
	// bound is generous for a loaded machine but far below the client's 60 s.
	if elapsed > 20*time.Second {
		t.Errorf("invocation took %v, want about 2.5 s", elapsed)
	}
	checkLogLine(t, e.Log(), "status check failed")
}

// TestEmulatorSequence checks that warm invocations keep working one after
// another, including after a rejected event.
func TestEmulatorSequence(t *testing.T) {
	e := startEmulator(t,
		"KESL_STATUS_BACKEND=cli",
		"KESL_STATUS_KESL_CONTROL="+testutil.StandIn(t, "license-expired"),
		"KESL_STATUS_UNAVAILABLE_CODE=503",
	)
	events := []string{"http-api-default.json", "sqs.json", "alb-single.json", "rest-get.json"}
	for i, name := range events {
		got := decodeResponse(t, e.invoke(t, readEvent(t, name)))
		if name == "sqs.json" {
			if got.ErrorType != "UnsupportedEventError" {
				t.Errorf("invocation %d (%s): errorType = %q, want UnsupportedEventError", i, name, got.ErrorType)
			}
			continue
		}
		if got.StatusCode != 503 || !strings.Contains(got.Body, `"License error: Expired"`) {
			t.Errorf("invocation %d (%s) = %d %q, want 503 with the licence error", i, name, got.StatusCode, got.Body)
		}
	}
}

// checkLogLine checks that the function logged message as a JSON line in
// Lambda's format, with the request id of the invocation.
func checkLogLine(t *testing.T, log, message string) {
	t.Helper()
	for line := range strings.Lines(log) {
		var record map[string]any
		if json.Unmarshal([]byte(line), &record) != nil || record["message"] != message {
			continue
		}
		if id, _ := record["requestId"].(string); id == "" {
			t.Errorf("log line %q has no requestId", line)
		}
		if _, ok := record["timestamp"]; !ok {
			t.Errorf("log line %q has no timestamp", line)
		}
		return
	}
	t.Errorf("function log has no JSON line %q:\n%s", message, log)
}
