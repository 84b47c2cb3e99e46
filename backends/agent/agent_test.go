package agent

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kesl-status/kesl-status/function"
)

// checkBudget is the deadline of one check in these tests. Upper bounds on
// elapsed time add slack for a loaded machine running -race.
const (
	checkBudget = 2 * time.Second
	timeSlack   = time.Second
)

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// serveReply starts a server that responds to every request with code, the
// Content-Type contentType and the body of testdata file name.
func serveReply(t *testing.T, code int, contentType, name string) *httptest.Server {
	t.Helper()
	body := readTestdata(t, name)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", contentType)
		w.WriteHeader(code)
		w.Write(body)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func newBackend(t *testing.T, o Options) *Backend {
	t.Helper()
	b, err := New(o)
	if err != nil {
		t.Fatalf("New(%+v): %v", o, err)
	}
	t.Cleanup(b.client.CloseIdleConnections)
	return b
}

// check runs one Status with checkBudget and fails the test when it takes
// longer than the budget plus slack.
func check(t *testing.T, b *Backend) (function.Document, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), checkBudget)
	defer cancel()

	start := time.Now()
	doc, err := b.Status(ctx)
	if elapsed := time.Since(start); elapsed > checkBudget+timeSlack {
		t.Errorf("Status took %v, want at most %v", elapsed, checkBudget+timeSlack)
	}
	return doc, err
}

// wantReason checks that err is an *function.UnavailableError with reason.
func wantReason(t *testing.T, err error, reason string) {
	t.Helper()
	if err == nil {
		t.Fatalf("Status returned no error, want reason %q", reason)
	}
	ue, ok := errors.AsType[*function.UnavailableError](err)
	if !ok {
		t.Fatalf("Status error = %v (%T), want an *UnavailableError", err, err)
	}
	if ue.Reason != reason {
		t.Errorf("reason = %q, want %q (error: %v)", ue.Reason, reason, err)
	}
	if doc := function.FailureDocument(err); !reflect.DeepEqual(doc.Reasons, []string{reason}) {
		t.Errorf("FailureDocument reasons = %q, want [%q]", doc.Reasons, reason)
	}
}

func TestStatusRelaysDocument(t *testing.T) {
	tests := []struct {
		name       string
		file       string
		wantStatus string
	}{
		{"available", "available.json", function.StatusAvailable},
		{"not available with reasons", "not-available.json", function.StatusNotAvailable},
		{"KESL not response on the host", "kesl-not-response.json", function.StatusNotAvailable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := serveReply(t, http.StatusOK, "application/json", tt.file)
			b := newBackend(t, Options{URL: srv.URL + "/status"})

			doc, err := check(t, b)
			if err != nil {
				t.Fatalf("Status: %v", err)
			}
			if doc.Status != tt.wantStatus {
				t.Errorf("status = %q, want %q", doc.Status, tt.wantStatus)
			}
			if got, want := function.Marshal(doc), readTestdata(t, tt.file); !bytes.Equal(got, want) {
				t.Errorf("Marshal(doc) = %s, want %s", got, want)
			}
		})
	}
}

func TestStatusCharsetAccepted(t *testing.T) {
	srv := serveReply(t, http.StatusOK, "application/json; charset=utf-8", "available.json")
	b := newBackend(t, Options{URL: srv.URL + "/status"})

	if _, err := check(t, b); err != nil {
		t.Fatalf("Status: %v", err)
	}
}

func TestStatusRequestHeaders(t *testing.T) {
	var mu sync.Mutex
	var got http.Header
	var method, path string
	body := readTestdata(t, "available.json")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got, method, path = r.Header.Clone(), r.Method, r.URL.RequestURI()
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	}))
	t.Cleanup(srv.Close)

	t.Run("with key", func(t *testing.T) {
		b := newBackend(t, Options{URL: srv.URL + "/kesl/status?host=a", APIKey: "s3cret"})
		if _, err := check(t, b); err != nil {
			t.Fatalf("Status: %v", err)
		}
		mu.Lock()
		defer mu.Unlock()
		if method != http.MethodGet {
			t.Errorf("method = %s, want GET", method)
		}
		if path != "/kesl/status?host=a" {
			t.Errorf("request URI = %s, want /kesl/status?host=a", path)
		}
		if v := got.Values("X-Api-Key"); len(v) != 1 || v[0] != "s3cret" {
			t.Errorf("x-api-key = %q, want [s3cret]", v)
		}
		if v := got.Get("Accept"); v != "application/json" {
			t.Errorf("Accept = %q, want application/json", v)
		}
		if v := got.Get("User-Agent"); v != "kesl-status" {
			t.Errorf("User-Agent = %q, want kesl-status", v)
		}
		if v := got.Get("Accept-Encoding"); v != "" {
			t.Errorf("Accept-Encoding = %q, want none", v)
		}
	})

	t.Run("without key", func(t *testing.T) {
		b := newBackend(t, Options{URL: srv.URL + "/status"})
		if _, err := check(t, b); err != nil {
			t.Fatalf("Status: %v", err)
		}
		mu.Lock()
		defer mu.Unlock()
		if v, ok := got["X-Api-Key"]; ok {
			t.Errorf("x-api-key = %q, want no header", v)
		}
	})
}

func TestStatusWrongKey(t *testing.T) {
	forbidden := readTestdata(t, "forbidden.json")
	available := readTestdata(t, "available.json")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.Header.Get("X-Api-Key") != "right-key" {
			w.WriteHeader(http.StatusForbidden)
			w.Write(forbidden)
			return
		}
		w.Write(available)
	}))
	t.Cleanup(srv.Close)

	b := newBackend(t, Options{URL: srv.URL + "/status", APIKey: "wrong-key-d41d8cd9"})
	_, err := check(t, b)
	wantReason(t, err, "Agent error: HTTP 403")
	if strings.Contains(err.Error(), "wrong-key-d41d8cd9") {
		t.Errorf("error %q contains the API key", err)
	}

	b = newBackend(t, Options{URL: srv.URL + "/status", APIKey: "right-key"})
	if _, err := check(t, b); err != nil {
		t.Errorf("Status with the right key: %v", err)
	}
}

func TestStatusInvalidAnswers(t *testing.T) {
	tests := []struct {
		name        string
		code        int
		contentType string
		file        string
		reason      string
	}{
		{"server error page", http.StatusInternalServerError, "text/html; charset=utf-8", "internal-error.html", "Agent error: HTTP 500"},
		{"service unavailable", http.StatusServiceUnavailable, "application/json", "kesl-not-response.json", "Agent error: HTTP 503"},
		{"HTML with 200", http.StatusOK, "text/html; charset=utf-8", "internal-error.html", ReasonInvalidAnswer},
		{"HTML labelled JSON", http.StatusOK, "application/json", "internal-error.html", ReasonInvalidAnswer},
		{"document as text/plain", http.StatusOK, "text/plain", "available.json", ReasonInvalidAnswer},
		{"no content type", http.StatusOK, "", "available.json", ReasonInvalidAnswer},
		{"truncated JSON", http.StatusOK, "application/json", "truncated.json", ReasonInvalidAnswer},
		{"wrong type in a field", http.StatusOK, "application/json", "wrong-type.json", ReasonInvalidAnswer},
		{"reasons missing", http.StatusOK, "application/json", "reasons-missing.json", ReasonInvalidAnswer},
		{"Python printout", http.StatusOK, "application/json", "python-printout.txt", ReasonInvalidAnswer},
		{"error envelope with 200", http.StatusOK, "application/json", "forbidden.json", ReasonInvalidAnswer},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tt.contentType == "" {
					w.Header()["Content-Type"] = nil // keep net/http from sniffing one
				} else {
					w.Header().Set("Content-Type", tt.contentType)
				}
				w.WriteHeader(tt.code)
				w.Write(readTestdata(t, tt.file))
			}))
			t.Cleanup(srv.Close)
			b := newBackend(t, Options{URL: srv.URL + "/status"})

			_, err := check(t, b)
			wantReason(t, err, tt.reason)
		})
	}
}

func TestStatusRefused(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()

	b := newBackend(t, Options{URL: "http://" + addr + "/status"})
	_, err = check(t, b)
	wantReason(t, err, ReasonNoResponse)
}

// TestStatusStalls covers servers that stop in the middle of a response, so
// the check must end by its deadline.
func TestStatusStalls(t *testing.T) {
	t.Parallel()
	body := readTestdata(t, "available.json")
	tests := []struct {
		name    string
		handler func(w http.ResponseWriter, r *http.Request, stop <-chan struct{})
	}{
		{
			name: "no headers",
			handler: func(w http.ResponseWriter, r *http.Request, stop <-chan struct{}) {
				<-stop
			},
		},
		{
			name: "half a body",
			handler: func(w http.ResponseWriter, r *http.Request, stop <-chan struct{}) {
				w.Header().Set("Content-Type", "application/json")
				w.Header().Set("Content-Length", strconv.Itoa(len(body)))
				w.Write(body[:len(body)/2])
				w.(http.Flusher).Flush()
				<-stop
			},
		},
		{
			name: "half a chunked body",
			handler: func(w http.ResponseWriter, r *http.Request, stop <-chan struct{}) {
				w.Header().Set("Content-Type", "application/json")
				w.Write(body[:len(body)/2])
				w.(http.Flusher).Flush()
				<-stop
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			stop := make(chan struct{})
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				tt.handler(w, r, stop)
			}))
			t.Cleanup(srv.Close)
			t.Cleanup(func() { close(stop) })
			b := newBackend(t, Options{URL: srv.URL + "/status"})

			_, err := check(t, b)
			wantReason(t, err, ReasonNoResponse)
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("error = %v, want it to wrap context.DeadlineExceeded", err)
			}
		})
	}
}

// TestStatusSilentListener covers a port that accepts connections and never
// reads or writes.
func TestStatusSilentListener(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var conns []net.Conn
	var mu sync.Mutex
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})

	for _, scheme := range []string{"http", "https"} {
		t.Run(scheme, func(t *testing.T) {
			t.Parallel()
			b := newBackend(t, Options{URL: scheme + "://" + ln.Addr().String() + "/status"})
			_, err := check(t, b)
			wantReason(t, err, ReasonNoResponse)
		})
	}
}

func TestStatusRedirectNotFollowed(t *testing.T) {
	var hits atomic.Int32
	var leaked atomic.Value
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		leaked.Store(r.Header.Get("X-Api-Key"))
		w.Header().Set("Content-Type", "application/json")
		w.Write(readTestdata(t, "available.json"))
	}))
	t.Cleanup(target.Close)

	for _, code := range []int{http.StatusMovedPermanently, http.StatusFound, http.StatusTemporaryRedirect, http.StatusPermanentRedirect} {
		t.Run(strconv.Itoa(code), func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, target.URL+"/status", code)
			}))
			t.Cleanup(srv.Close)
			b := newBackend(t, Options{URL: srv.URL + "/status", APIKey: "redirect-key"})

			_, err := check(t, b)
			wantReason(t, err, "Agent error: HTTP "+strconv.Itoa(code))
			if !strings.Contains(err.Error(), "not followed") {
				t.Errorf("error = %v, want it to say that the redirect was not followed", err)
			}
		})
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("redirect target received %d requests (x-api-key %q), want none", n, leaked.Load())
	}
}

func TestStatusBodyLimit(t *testing.T) {
	valid := readTestdata(t, "available.json")
	// A document padded with spaces to exactly MaxBodySize bytes is valid.
	padded := append(bytes.Repeat([]byte(" "), MaxBodySize-len(valid)), valid...)

	tests := []struct {
		name          string
		body          []byte
		contentLength bool
		wantReason    string
	}{
		{"exactly the limit", padded, true, ""},
		{"exactly the limit chunked", padded, false, ""},
		{"one byte over", append([]byte(" "), padded...), true, ReasonTooLarge},
		{"one byte over chunked", append([]byte(" "), padded...), false, ReasonTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				if tt.contentLength {
					w.Header().Set("Content-Length", strconv.Itoa(len(tt.body)))
				}
				w.Write(tt.body)
			}))
			t.Cleanup(srv.Close)
			b := newBackend(t, Options{URL: srv.URL + "/status"})

			_, err := check(t, b)
			if tt.wantReason == "" {
				if err != nil {
					t.Fatalf("Status: %v", err)
				}
				return
			}
			wantReason(t, err, tt.wantReason)
		})
	}
}

// TestStatusHugeBody sends 100 MiB and checks that the backend neither
// reads nor keeps it: the heap grows by much less than the body.
func TestStatusHugeBody(t *testing.T) {
	const size = 100 << 20
	const maxGrowth = 10 << 20
	chunk := bytes.Repeat([]byte(" "), 32<<10)

	for _, withLength := range []bool{true, false} {
		name := "chunked"
		if withLength {
			name = "with Content-Length"
		}
		t.Run(name, func(t *testing.T) {
			var sent atomic.Int64
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				if withLength {
					w.Header().Set("Content-Length", strconv.Itoa(size))
				}
				for n := 0; n < size; n += len(chunk) {
					if _, err := w.Write(chunk); err != nil {
						return
					}
					sent.Add(int64(len(chunk)))
				}
			}))
			t.Cleanup(srv.Close)
			b := newBackend(t, Options{URL: srv.URL + "/status"})

			before := memStats()
			_, err := check(t, b)
			after := memStats()

			wantReason(t, err, ReasonTooLarge)
			if grown := after.TotalAlloc - before.TotalAlloc; grown > maxGrowth {
				t.Errorf("allocated %d bytes during the check, want at most %d", grown, maxGrowth)
			}
			if after.HeapInuse > before.HeapInuse && after.HeapInuse-before.HeapInuse > maxGrowth {
				t.Errorf("heap in use grew by %d bytes, want at most %d", after.HeapInuse-before.HeapInuse, maxGrowth)
			}
			t.Logf("server wrote %d bytes before the client closed", sent.Load())
		})
	}
}

// TestStatusErrorsKeepConnections sends many requests that fail with an
// HTML error page and checks that the open file descriptors stay level,
// because small unread bodies are drained and connections are reused.
func TestStatusErrorsKeepConnections(t *testing.T) {
	if _, err := os.ReadDir("/proc/self/fd"); err != nil {
		t.Skipf("cannot count file descriptors: %v", err)
	}
	const requests = 1000
	const slack = 8

	page := readTestdata(t, "internal-error.html")
	var conns atomic.Int32
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusInternalServerError)
		w.Write(page)
	}))
	srv.Config.ConnState = func(c net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	b := newBackend(t, Options{URL: srv.URL + "/status"})

	_, err := check(t, b) // opens the connection that the loop reuses
	wantReason(t, err, "Agent error: HTTP 500")
	before := openFiles(t)

	for range requests {
		_, err := check(t, b)
		if err == nil {
			t.Fatal("Status returned no error for a 500")
		}
	}

	if after := openFiles(t); after > before+slack {
		t.Errorf("open file descriptors grew from %d to %d after %d requests, want at most %d more", before, after, requests, slack)
	}
	if n := conns.Load(); n > slack {
		t.Errorf("server saw %d connections for %d requests, want reuse (at most %d)", n, requests+1, slack)
	}
}

func openFiles(t *testing.T) int {
	t.Helper()
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	return len(entries)
}

func TestStatusNoProxy(t *testing.T) {
	b := newBackend(t, Options{URL: "http://127.0.0.1:1/status"})
	transport := b.client.Transport.(*http.Transport)
	if transport.Proxy != nil {
		t.Error("transport has a Proxy function, want none so that the key cannot reach a proxy")
	}
	if transport.TLSClientConfig.InsecureSkipVerify {
		t.Error("InsecureSkipVerify is set")
	}
}

func TestStatusNoDeadline(t *testing.T) {
	srv := serveReply(t, http.StatusOK, "application/json", "available.json")
	b := newBackend(t, Options{URL: srv.URL + "/status"})

	if _, err := b.Status(context.Background()); err != nil {
		t.Fatalf("Status without a deadline: %v", err)
	}
}

func TestParseURL(t *testing.T) {
	tests := []struct {
		url  string
		want string // part of the error; empty for a valid URL
	}{
		{"http://127.0.0.1:8085/status", ""},
		{"https://kesl-01.internal:8085/status", ""},
		{"https://[fd00::5]:8085/kesl/status?x=1", ""},
		{"HTTPS://10.0.0.5/status", ""},
		{"", "empty"},
		{"10.0.0.5:8085/status", "http"},
		{"ftp://10.0.0.5/status", "http:// or https://"},
		{"/status", "http:// or https://"},
		{"https:///status", "no host"},
		{"https://:8085/status", "no host"},
		{"https://user:hunter2@10.0.0.5/status", "user information"},
		{"https://10.0.0.5/status#top", "fragment"},
		{"https://10.0.0.5/status#", "fragment"},
		{"https://10.0.0.5", "no path"},
		{"https://10.0.0.5:port/status", "invalid"},
		{"https://10.0.0.5/%zz", "invalid"},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			_, err := ParseURL(tt.url)
			if tt.want == "" {
				if err != nil {
					t.Errorf("ParseURL(%q): %v", tt.url, err)
				}
				return
			}
			if err == nil {
				t.Fatalf("ParseURL(%q) = nil error, want one containing %q", tt.url, tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ParseURL(%q) error = %q, want it to contain %q", tt.url, err, tt.want)
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Errorf("ParseURL(%q) error = %q contains the password", tt.url, err)
			}
		})
	}
}

func memStats() runtime.MemStats {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m
}

// discardLog returns a logger for test servers whose expected handshake
// failures would otherwise fill the test output.
func discardLog() *log.Logger {
	return log.New(io.Discard, "", 0)
}

// TestStatusThroughCacheTimeout checks the reason that a caller of a Cache
// gets when the agent stalls until the caller's deadline.
func TestStatusThroughCacheTimeout(t *testing.T) {
	t.Parallel()
	stop := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-stop
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(stop) })
	cache := function.NewCache(newBackend(t, Options{URL: srv.URL + "/status"}), 0)

	// A 5 s budget gives the backend a margin of 0.5 s to return first.
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	_, err := cache.Status(ctx)
	wantReason(t, err, ReasonNoResponse)
}

// A response of 101 turns the body into the raw connection, which
// the request's context does not bound. An agent that then holds the
// connection must not hold the check.
func TestStatusSwitchingProtocolsHeld(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, buf, err := http.NewResponseController(w).Hijack()
		if err != nil {
			t.Errorf("hijack: %v", err)
			return
		}
		defer conn.Close()
		buf.WriteString("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: x\r\n\r\n")
		buf.Flush()
		<-release
	}))
	t.Cleanup(srv.Close)
	defer close(release)

	_, err := check(t, newBackend(t, Options{URL: srv.URL + "/status"}))
	wantReason(t, err, "Agent error: HTTP 101")
}
