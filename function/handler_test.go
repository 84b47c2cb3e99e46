package function

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"
)

var healthyFacts = Facts{
	DatabasesDate:     "2026-11-28 12:58:00",
	DatabasesLoaded:   true,
	LicenseExpiration: "2027-06-30",
	LicenseInfo:       "The key is valid",
	Policy:            "Not applied",
	Version:           "12.1.0.1297",
}

type staticBackend struct {
	doc Document
	err error
}

func (b staticBackend) Status(context.Context) (Document, error) { return b.doc, b.err }

func serve(t *testing.T, h http.Handler, method, target string, header http.Header) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(method, target, nil)
	for k, v := range header {
		r.Header[k] = v
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func TestHandlerRoutes(t *testing.T) {
	healthy := NewHandler(staticBackend{doc: Evaluate(healthyFacts)}, Options{})
	healthyBody := string(Marshal(Evaluate(healthyFacts)))

	tests := []struct {
		name       string
		method     string
		target     string
		wantCode   int
		wantBody   string
		wantAllow  string
		wantLength int
	}{
		{"get", "GET", "/status", 200, healthyBody, "", len(healthyBody)},
		{"query ignored", "GET", "/status?verbose=1", 200, healthyBody, "", len(healthyBody)},
		{"head", "HEAD", "/status", 200, "", "", len(healthyBody)},
		{"post", "POST", "/status", 405,
			`{"error":{"code":"METHOD NOT ALLOWED","message":"Method Not Allowed"},"status":"error"}` + "\n", "GET, HEAD", 88},
		{"delete", "DELETE", "/status", 405,
			`{"error":{"code":"METHOD NOT ALLOWED","message":"Method Not Allowed"},"status":"error"}` + "\n", "GET, HEAD", 88},
		{"other path", "GET", "/scans", 404,
			`{"error":{"code":"OBJECT NOT FOUND","message":"Not Found"},"status":"error"}` + "\n", "", 77},
		{"trailing slash", "GET", "/status/", 404,
			`{"error":{"code":"OBJECT NOT FOUND","message":"Not Found"},"status":"error"}` + "\n", "", 77},
		{"shutdown route absent", "GET", "/shutdown", 404,
			`{"error":{"code":"OBJECT NOT FOUND","message":"Not Found"},"status":"error"}` + "\n", "", 77},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := serve(t, healthy, tt.method, tt.target, nil)
			if w.Code != tt.wantCode {
				t.Errorf("code = %d, want %d", w.Code, tt.wantCode)
			}
			if got := w.Body.String(); got != tt.wantBody {
				t.Errorf("body = %q, want %q", got, tt.wantBody)
			}
			if got := w.Header().Get("Allow"); got != tt.wantAllow {
				t.Errorf("Allow = %q, want %q", got, tt.wantAllow)
			}
			if got := w.Header().Get("Content-Type"); got != "application/json" {
				t.Errorf("Content-Type = %q, want application/json", got)
			}
			if got := w.Header().Get("Cache-Control"); got != "no-store" {
				t.Errorf("Cache-Control = %q, want no-store", got)
			}
			if got := w.Header().Get("Content-Length"); got != strconv.Itoa(tt.wantLength) {
				t.Errorf("Content-Length = %q, want %d", got, tt.wantLength)
			}
		})
	}
}

func TestHandlerAPIKey(t *testing.T) {
	h := NewHandler(staticBackend{doc: Evaluate(healthyFacts)}, Options{APIKey: "s3cret"})
	forbidden := `{"error":{"code":"FORBIDDEN","message":"Forbidden"},"status":"error"}` + "\n"

	tests := []struct {
		name     string
		target   string
		header   http.Header
		wantCode int
	}{
		{"missing", "/status", nil, 403},
		{"empty", "/status", http.Header{"X-Api-Key": {""}}, 403},
		{"wrong", "/status", http.Header{"X-Api-Key": {"s3cre"}}, 403},
		{"twice", "/status", http.Header{"X-Api-Key": {"s3cret", "s3cret"}}, 403},
		{"right", "/status", http.Header{"X-Api-Key": {"s3cret"}}, 200},
		{"missing on other path", "/scans", nil, 403},
		{"right on other path", "/scans", http.Header{"X-Api-Key": {"s3cret"}}, 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := serve(t, h, "GET", tt.target, tt.header)
			if w.Code != tt.wantCode {
				t.Errorf("code = %d, want %d", w.Code, tt.wantCode)
			}
			if tt.wantCode == 403 && w.Body.String() != forbidden {
				t.Errorf("body = %q, want %q", w.Body.String(), forbidden)
			}
		})
	}
}

func TestHandlerHeaderNameCaseInsensitive(t *testing.T) {
	h := NewHandler(staticBackend{doc: Evaluate(healthyFacts)}, Options{APIKey: "k"})
	srv := httptest.NewServer(h)
	defer srv.Close()

	req, _ := http.NewRequest("GET", srv.URL+"/status", nil)
	req.Header["x-API-key"] = []string{"k"} // sent as written, not canonical
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("code = %d, want 200", resp.StatusCode)
	}
}

func TestHandlerUnavailableCode(t *testing.T) {
	tests := []struct {
		name     string
		backend  Backend
		code     int
		wantCode int
	}{
		{"default for not available", staticBackend{err: ErrNoResponse}, 0, 200},
		{"503 for not available", staticBackend{err: ErrNoResponse}, 503, 503},
		{"503 for KESL's own not available", staticBackend{doc: Evaluate(Facts{})}, 503, 503},
		{"200 for available", staticBackend{doc: Evaluate(healthyFacts)}, 503, 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := NewHandler(tt.backend, Options{UnavailableCode: tt.code})
			if w := serve(t, h, "GET", "/status", nil); w.Code != tt.wantCode {
				t.Errorf("code = %d, want %d", w.Code, tt.wantCode)
			}
		})
	}
}

func TestHandlerFailureReason(t *testing.T) {
	tests := []struct {
		name       string
		err        error
		wantReason string
	}{
		{"no response", ErrNoResponse, `["KESL not response"]`},
		{"agent", &UnavailableError{Reason: "Agent not response"}, `["Agent not response"]`},
		{"unknown error", context.Canceled, `["KESL not response"]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := NewHandler(staticBackend{err: tt.err}, Options{})
			body := serve(t, h, "GET", "/status", nil).Body.String()
			if !strings.Contains(body, `"status_reason":`+tt.wantReason) {
				t.Errorf("body = %s, want reason %s", body, tt.wantReason)
			}
		})
	}
}

type panickingBackend struct{}

func (panickingBackend) Status(context.Context) (Document, error) { panic("bug") }

func TestHandlerPanicBecomes500(t *testing.T) {
	var logs bytes.Buffer
	h := NewHandler(panickingBackend{}, Options{Logger: slog.New(slog.NewTextHandler(&logs, nil))})

	w := serve(t, h, "GET", "/status", nil)
	if w.Code != 500 {
		t.Errorf("code = %d, want 500", w.Code)
	}
	want := `{"error":{"code":"INTERNAL_SERVER_ERROR","message":"Internal Server Error"},"status":"error"}` + "\n"
	if w.Body.String() != want {
		t.Errorf("body = %q, want %q", w.Body.String(), want)
	}
	if !strings.Contains(logs.String(), "request panicked") {
		t.Errorf("log = %q, want a line about the panic", logs.String())
	}
}

type deadlineBackend struct{ got chan time.Duration }

func (b deadlineBackend) Status(ctx context.Context) (Document, error) {
	deadline, _ := ctx.Deadline()
	b.got <- time.Until(deadline)
	return Document{}, ErrNoResponse
}

func TestHandlerCheckBudget(t *testing.T) {
	tests := []struct {
		name       string
		timeout    time.Duration
		margin     time.Duration
		ctxTimeout time.Duration
		wantMax    time.Duration
	}{
		{"timeout smaller", time.Second, 0, time.Minute, time.Second},
		{"deadline minus margin smaller", time.Minute, 2 * time.Second, 3 * time.Second, time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := deadlineBackend{got: make(chan time.Duration, 1)}
			h := NewHandler(b, Options{Timeout: tt.timeout, DeadlineMargin: tt.margin})
			ctx, cancel := context.WithTimeout(t.Context(), tt.ctxTimeout)
			defer cancel()

			h.Check(ctx)
			if got := <-b.got; got > tt.wantMax || got < tt.wantMax-500*time.Millisecond {
				t.Errorf("budget = %v, want about %v", got, tt.wantMax)
			}
		})
	}
}

func TestHandlerLogsSharedFailureOnce(t *testing.T) {
	var logs bytes.Buffer
	err := ErrNoResponse
	h := NewHandler(staticBackend{err: err}, Options{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	for range 3 {
		h.Check(t.Context())
	}
	if got := strings.Count(logs.String(), "status check failed"); got != 1 {
		t.Errorf("logged %d lines for one error value, want 1", got)
	}
}

func TestHandlerLogsRepeatedMessageOnce(t *testing.T) {
	var logs bytes.Buffer
	h := NewHandler(nil, Options{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	for range 3 {
		h.logFailure(t.Context(), fmt.Errorf("exit status 64: %w", ErrNoResponse), time.Second)
	}
	h.logFailure(t.Context(), fmt.Errorf("exit status 65: %w", ErrNoResponse), time.Second)

	if got := strings.Count(logs.String(), "status check failed"); got != 2 {
		t.Errorf("logged %d lines, want 2 (one per message):\n%s", got, logs.String())
	}
	if !strings.Contains(logs.String(), "repeats_before=2") {
		t.Errorf("second line does not count the 2 repeats:\n%s", logs.String())
	}
}

func TestHandlerCanceledRequestNotWarned(t *testing.T) {
	var logs bytes.Buffer
	h := NewHandler(staticBackend{err: context.Canceled}, Options{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	h.Check(ctx)
	if strings.Contains(logs.String(), "level=WARN") {
		t.Errorf("a canceled request was logged as a failure:\n%s", logs.String())
	}
}

// BenchmarkServeCached and BenchmarkServeBare compare the handler on a
// cached result with a bare handler that writes the same bytes.
func BenchmarkServeCached(b *testing.B) {
	c := NewCache(staticBackend{doc: Evaluate(healthyFacts)}, time.Hour)
	h := NewHandler(c, Options{})
	benchmarkServe(b, h)
}

func BenchmarkServeBare(b *testing.B) {
	body := Marshal(Evaluate(healthyFacts))
	length := strconv.Itoa(len(body))
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		header := w.Header()
		header.Set("Content-Type", "application/json")
		header.Set("Cache-Control", "no-store")
		header.Set("Content-Length", length)
		w.Write(body)
	})
	benchmarkServe(b, h)
}

func benchmarkServe(b *testing.B, h http.Handler) {
	r := httptest.NewRequest("GET", "/status", nil)
	h.ServeHTTP(httptest.NewRecorder(), r) // fill the cache
	b.ReportAllocs()
	for b.Loop() {
		h.ServeHTTP(discardWriter{header: http.Header{}}, r)
	}
}

// discardWriter is a ResponseWriter that costs as little as possible, so
// that the benchmark measures the handler.
type discardWriter struct{ header http.Header }

func (w discardWriter) Header() http.Header         { return w.header }
func (w discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (w discardWriter) WriteHeader(int)             {}
