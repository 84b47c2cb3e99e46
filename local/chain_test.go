package main

import (
	"crypto/tls"
	"io"
	"net/http"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/kesl-status/kesl-status/backends/agent/agenttest"
	"github.com/kesl-status/kesl-status/function"
	"github.com/kesl-status/kesl-status/internal/testutil"
)

// The chain tests run two runners: the host runner with the CLI backend and
// a kesl-control stand-in, and the edge runner with the agent backend that
// sends its checks to the host runner, as the Lambda function does to a
// KESL host.

// chainSlack is added to a check's timeout for the upper bound on how long
// a response may take on a loaded machine.
const chainSlack = time.Second

// startHost starts a host runner that plays scenario, with extra settings.
func startHost(t *testing.T, scenario string, env ...string) *testutil.Runner {
	t.Helper()
	return testutil.StartRunner(t, append([]string{
		"KESL_STATUS_BACKEND=cli",
		"KESL_STATUS_KESL_CONTROL=" + testutil.StandIn(t, scenario),
	}, env...)...)
}

// startEdge starts an edge runner whose agent backend requests agentURL,
// with extra settings.
func startEdge(t *testing.T, agentURL string, env ...string) *testutil.Runner {
	t.Helper()
	return testutil.StartRunner(t, append([]string{
		"KESL_STATUS_BACKEND=agent",
		"KESL_STATUS_AGENT_URL=" + agentURL,
	}, env...)...)
}

// fetch sends GET url with client, and with apiKey as x-api-key when not
// empty, and returns the status code and body.
func fetch(t *testing.T, client *http.Client, url, apiKey string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if apiKey != "" {
		req.Header.Set("X-Api-Key", apiKey)
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: read body: %v", url, err)
	}
	return resp.StatusCode, body
}

// fetchDocument sends GET url, checks for a 200 with a status document and
// returns the raw body and the document.
func fetchDocument(t *testing.T, client *http.Client, url string) ([]byte, function.Document) {
	t.Helper()
	return fetchDocumentWithKey(t, client, url, "")
}

func fetchDocumentWithKey(t *testing.T, client *http.Client, url, apiKey string) ([]byte, function.Document) {
	t.Helper()
	code, body := fetch(t, client, url, apiKey)
	if code != http.StatusOK {
		t.Fatalf("GET %s: code %d, want 200\n%s", url, code, body)
	}
	doc, err := function.ParseDocument(body)
	if err != nil {
		t.Fatalf("GET %s: %v\n%s", url, err, body)
	}
	return body, doc
}

var plainClient = &http.Client{Timeout: 30 * time.Second}

func TestChainRelaysHostDocument(t *testing.T) {
	tests := []struct {
		scenario string
		status   string
		reasons  []string
	}{
		{"healthy-12.2", function.StatusAvailable, nil},
		{"license-expired", function.StatusNotAvailable, []string{"License error: Expired"}},
		{"databases-not-loaded", function.StatusNotAvailable, []string{"Databases not loaded"}},
		{"not-running", function.StatusNotAvailable, []string{function.ReasonNoResponse}},
	}
	for _, tt := range tests {
		t.Run(tt.scenario, func(t *testing.T) {
			t.Parallel()
			host := startHost(t, tt.scenario, "KESL_STATUS_API_KEY=host-key")
			edge := startEdge(t, host.URL("/status"), "KESL_STATUS_AGENT_API_KEY=host-key")

			hostBody, _ := fetchDocumentWithKey(t, plainClient, host.URL("/status"), "host-key")
			edgeBody, doc := fetchDocument(t, plainClient, edge.URL("/status"))

			if string(edgeBody) != string(hostBody) {
				t.Errorf("edge body differs from host body:\nedge %s\nhost %s", edgeBody, hostBody)
			}
			if doc.Status != tt.status {
				t.Errorf("status = %q, want %q", doc.Status, tt.status)
			}
			if !reflect.DeepEqual(doc.Reasons, tt.reasons) {
				t.Errorf("reasons = %q, want %q", doc.Reasons, tt.reasons)
			}
		})
	}
}

func TestChainFailures(t *testing.T) {
	refused := testutil.FreeAddr(t)
	tests := []struct {
		name     string
		host     []string // scenario and settings of the host runner; nil for none
		agentURL func(host *testutil.Runner) string
		edgeEnv  []string
		reason   string
		timeout  time.Duration // the edge's check timeout
	}{
		{
			name:     "wrong key",
			host:     []string{"healthy-12.2", "KESL_STATUS_API_KEY=host-key"},
			agentURL: func(h *testutil.Runner) string { return h.URL("/status") },
			edgeEnv:  []string{"KESL_STATUS_AGENT_API_KEY=wrong-key-5f4dcc3b"},
			reason:   "Agent error: HTTP 403",
		},
		{
			name:     "wrong path",
			host:     []string{"healthy-12.2"},
			agentURL: func(h *testutil.Runner) string { return h.URL("/state") },
			reason:   "Agent error: HTTP 404",
		},
		{
			name:     "refused",
			agentURL: func(*testutil.Runner) string { return "http://" + refused + "/status" },
			reason:   "Agent not response",
		},
		{
			name:     "host check slower than the edge timeout",
			host:     []string{"hang", "KESL_STATUS_TIMEOUT=20s"},
			agentURL: func(h *testutil.Runner) string { return h.URL("/status") },
			edgeEnv:  []string{"KESL_STATUS_TIMEOUT=4s"},
			reason:   "Agent not response",
			timeout:  4 * time.Second,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var host *testutil.Runner
			if tt.host != nil {
				host = startHost(t, tt.host[0], tt.host[1:]...)
			}
			edge := startEdge(t, tt.agentURL(host), tt.edgeEnv...)

			start := time.Now()
			_, doc := fetchDocument(t, plainClient, edge.URL("/status"))
			elapsed := time.Since(start)

			if want := []string{tt.reason}; !reflect.DeepEqual(doc.Reasons, want) {
				t.Errorf("reasons = %q, want %q", doc.Reasons, want)
			}
			if doc.ProductInfo.Version != function.NotApplicable {
				t.Errorf("version = %q, want %q", doc.ProductInfo.Version, function.NotApplicable)
			}
			if tt.timeout > 0 && elapsed > tt.timeout+chainSlack {
				t.Errorf("response took %v, want at most %v", elapsed, tt.timeout+chainSlack)
			}
			log := waitForLog(t, edge, "status check failed")
			if strings.Contains(log, "wrong-key-5f4dcc3b") || strings.Contains(log, "host-key") {
				t.Errorf("edge log contains an API key:\n%s", log)
			}
		})
	}
}

func TestChainTLS(t *testing.T) {
	ca := agenttest.NewCA(t, "private")
	server := ca.Server(t, "kesl-host", "127.0.0.1")
	wrongName := ca.Server(t, "wrong-name", "kesl-99.example")
	client := ca.Client(t, "lambda")
	stranger := agenttest.NewCA(t, "stranger").Client(t, "stranger")

	serverTLS := []string{
		"KESL_STATUS_TLS_CERT_FILE=" + server.CertFile,
		"KESL_STATUS_TLS_KEY_FILE=" + server.KeyFile,
	}
	mutualTLS := append([]string{"KESL_STATUS_TLS_CLIENT_CA_FILE=" + ca.CertFile}, serverTLS...)
	misnamedTLS := []string{
		"KESL_STATUS_TLS_CERT_FILE=" + wrongName.CertFile,
		"KESL_STATUS_TLS_KEY_FILE=" + wrongName.KeyFile,
	}
	edgeCA := "KESL_STATUS_AGENT_CA_FILE=" + ca.CertFile
	clientCert := []string{"KESL_STATUS_AGENT_CERT_FILE=" + client.CertFile, "KESL_STATUS_AGENT_KEY_FILE=" + client.KeyFile}
	strangerCert := []string{"KESL_STATUS_AGENT_CERT_FILE=" + stranger.CertFile, "KESL_STATUS_AGENT_KEY_FILE=" + stranger.KeyFile}

	tests := []struct {
		name    string
		hostEnv []string
		edgeEnv []string
		reason  string // empty when the host's document must come through
	}{
		{"private CA", serverTLS, []string{edgeCA}, ""},
		{"system roots", serverTLS, nil, "Agent error: TLS"},
		{"wrong name", misnamedTLS, []string{edgeCA}, "Agent error: TLS"},
		{"mutual TLS", mutualTLS, append([]string{edgeCA}, clientCert...), ""},
		{"mutual TLS without certificate", mutualTLS, []string{edgeCA}, "Agent error: TLS"},
		{"mutual TLS with a stranger's certificate", mutualTLS, append([]string{edgeCA}, strangerCert...), "Agent error: TLS"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			host := startHost(t, "healthy-12.2", tt.hostEnv...)
			edge := startEdge(t, "https://"+host.Addr+"/status", tt.edgeEnv...)

			_, doc := fetchDocument(t, plainClient, edge.URL("/status"))
			if tt.reason == "" {
				if !doc.Available() {
					t.Errorf("document = %+v, want available", doc)
				}
				return
			}
			if want := []string{tt.reason}; !reflect.DeepEqual(doc.Reasons, want) {
				t.Errorf("reasons = %q, want %q", doc.Reasons, want)
			}
		})
	}
}

func TestRunnerServesTLS(t *testing.T) {
	ca := agenttest.NewCA(t, "private")
	server := ca.Server(t, "kesl-host", "127.0.0.1")
	client := ca.Client(t, "lambda")
	host := startHost(t, "healthy-12.2",
		"KESL_STATUS_TLS_CERT_FILE="+server.CertFile,
		"KESL_STATUS_TLS_KEY_FILE="+server.KeyFile,
		"KESL_STATUS_TLS_CLIENT_CA_FILE="+ca.CertFile,
	)
	url := "https://" + host.Addr + "/status"

	withCert := tlsClient(&tls.Config{RootCAs: ca.Pool(), Certificates: []tls.Certificate{client.TLS}})
	if _, doc := fetchDocument(t, withCert, url); !doc.Available() {
		t.Errorf("document = %+v, want available", doc)
	}

	withoutCert := tlsClient(&tls.Config{RootCAs: ca.Pool()})
	if resp, err := withoutCert.Get(url); err == nil {
		resp.Body.Close()
		t.Errorf("GET without a client certificate: code %d, want a TLS failure", resp.StatusCode)
	}

	old := tlsClient(&tls.Config{RootCAs: ca.Pool(), Certificates: []tls.Certificate{client.TLS}, MaxVersion: tls.VersionTLS11})
	if resp, err := old.Get(url); err == nil {
		resp.Body.Close()
		t.Errorf("GET with TLS 1.1: code %d, want a TLS failure", resp.StatusCode)
	}

	if resp, err := plainClient.Get("http://" + host.Addr + "/status"); err == nil {
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			t.Error("plain HTTP to the TLS port got 200")
		}
	}
}

func tlsClient(c *tls.Config) *http.Client {
	return &http.Client{
		Timeout:   30 * time.Second,
		Transport: &http.Transport{TLSClientConfig: c, Proxy: nil},
	}
}

func TestRunnerInvalidAgentConfiguration(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "missing-ca.pem")
	tests := []struct {
		name     string
		env      []string
		variable string
	}{
		{"no URL", []string{"KESL_STATUS_BACKEND=agent"}, "KESL_STATUS_AGENT_URL"},
		{"invalid URL", []string{"KESL_STATUS_BACKEND=agent", "KESL_STATUS_AGENT_URL=ftp://10.0.0.5/status"}, "KESL_STATUS_AGENT_URL"},
		{"unreadable CA file", []string{"KESL_STATUS_BACKEND=agent", "KESL_STATUS_AGENT_URL=https://10.0.0.5/status", "KESL_STATUS_AGENT_CA_FILE=" + missing}, "KESL_STATUS_AGENT_CA_FILE"},
		{"server certificate without key", []string{"KESL_STATUS_TLS_CERT_FILE=" + missing}, "KESL_STATUS_TLS_CERT_FILE"},
	}
	bin := testutil.Build(t, "./local")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmd := exec.Command(bin)
			cmd.Env = append(append(testutil.BaseEnv(), "KESL_STATUS_LISTEN=127.0.0.1:0"), tt.env...)
			var stderr strings.Builder
			cmd.Stderr = &stderr
			err := cmd.Run()

			exitErr, ok := err.(*exec.ExitError)
			if !ok || exitErr.ExitCode() != exitUsage {
				t.Fatalf("exit = %v, want exit status %d\n%s", err, exitUsage, stderr.String())
			}
			if !strings.Contains(stderr.String(), tt.variable) {
				t.Errorf("stderr does not name %s:\n%s", tt.variable, stderr.String())
			}
		})
	}
}

// waitForLog waits up to 10 s for text to appear in r's log and returns the
// log. The wait is needed because the log reaches the test through a pipe,
// after the response.
func waitForLog(t *testing.T, r *testutil.Runner, text string) string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		log := r.Log()
		if strings.Contains(log, text) {
			return log
		}
		if time.Now().After(deadline) {
			t.Errorf("runner log lacks %q after 10s:\n%s", text, log)
			return log
		}
		time.Sleep(20 * time.Millisecond)
	}
}
