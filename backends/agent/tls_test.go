package agent

import (
	"crypto/tls"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kesl-status/kesl-status/backends/agent/agenttest"
)

// serveTLS starts an HTTPS server on 127.0.0.1 with cert that responds with
// the available document. With clientCA set, it requires a client
// certificate signed by that CA.
func serveTLS(t *testing.T, cert agenttest.Leaf, clientCA *agenttest.CA) *httptest.Server {
	t.Helper()
	body := readTestdata(t, "available.json")
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	}))
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert.TLS}, MinVersion: tls.VersionTLS12}
	if clientCA != nil {
		srv.TLS.ClientAuth = tls.RequireAndVerifyClientCert
		srv.TLS.ClientCAs = clientCA.Pool()
	}
	srv.Config.ErrorLog = discardLog()
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv
}

func TestStatusTLS(t *testing.T) {
	ca := agenttest.NewCA(t, "private")
	other := agenttest.NewCA(t, "other")
	server := ca.Server(t, "agent", "127.0.0.1")
	wrongName := ca.Server(t, "wrong-name", "kesl-99.example")
	client := ca.Client(t, "lambda")
	strangerClient := other.Client(t, "stranger")

	plain := serveTLS(t, server, nil)
	mutual := serveTLS(t, server, ca)
	misnamed := serveTLS(t, wrongName, nil)

	tests := []struct {
		name   string
		url    string
		opts   Options
		reason string // empty when the check must succeed
	}{
		{"private CA", plain.URL, Options{CAFile: ca.CertFile}, ""},
		{"system roots", plain.URL, Options{}, ReasonTLS},
		{"another CA", plain.URL, Options{CAFile: other.CertFile}, ReasonTLS},
		{"wrong name", misnamed.URL, Options{CAFile: ca.CertFile}, ReasonTLS},
		{"mutual TLS", mutual.URL, Options{CAFile: ca.CertFile, CertFile: client.CertFile, KeyFile: client.KeyFile}, ""},
		{"mutual TLS without certificate", mutual.URL, Options{CAFile: ca.CertFile}, ReasonTLS},
		{"mutual TLS with a stranger's certificate", mutual.URL, Options{CAFile: ca.CertFile, CertFile: strangerClient.CertFile, KeyFile: strangerClient.KeyFile}, ReasonTLS},
		{"plain HTTP to HTTPS", strings.Replace(plain.URL, "https://", "http://", 1), Options{}, "Agent error: HTTP 400"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.opts.URL = tt.url + "/status"
			b := newBackend(t, tt.opts)

			doc, err := check(t, b)
			if tt.reason == "" {
				if err != nil {
					t.Fatalf("Status: %v", err)
				}
				if !doc.Available() {
					t.Errorf("status = %q, want available", doc.Status)
				}
				return
			}
			wantReason(t, err, tt.reason)
		})
	}
}

func TestStatusHTTPSToPlainServer(t *testing.T) {
	srv := serveReply(t, http.StatusOK, "application/json", "available.json")
	b := newBackend(t, Options{URL: strings.Replace(srv.URL, "http://", "https://", 1) + "/status"})

	_, err := check(t, b)
	wantReason(t, err, ReasonTLS)
}

func TestStatusTLSMinimumVersion(t *testing.T) {
	ca := agenttest.NewCA(t, "private")
	server := ca.Server(t, "agent", "127.0.0.1")
	srv := serveTLS(t, server, nil)
	srv.TLS.MaxVersion = tls.VersionTLS11 // applies to new handshakes

	b := newBackend(t, Options{URL: srv.URL + "/status", CAFile: ca.CertFile})
	if got := b.client.Transport.(*http.Transport).TLSClientConfig.MinVersion; got != tls.VersionTLS12 {
		t.Errorf("MinVersion = %#x, want TLS 1.2 (%#x)", got, tls.VersionTLS12)
	}
	_, err := check(t, b)
	wantReason(t, err, ReasonTLS)
}

func TestNewInvalidTLSFiles(t *testing.T) {
	ca := agenttest.NewCA(t, "private")
	client := ca.Client(t, "lambda")
	other := ca.Client(t, "other")
	dir := t.TempDir()
	notPEM := filepath.Join(dir, "not.pem")
	if err := os.WriteFile(notPEM, []byte("not a certificate\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name string
		opts Options
		want string
	}{
		{"missing CA file", Options{CAFile: filepath.Join(dir, "missing.pem")}, "no such file"},
		{"CA file without certificate", Options{CAFile: notPEM}, "no PEM certificate"},
		{"certificate without key", Options{CertFile: client.CertFile}, "both"},
		{"key without certificate", Options{KeyFile: client.KeyFile}, "both"},
		{"key of another certificate", Options{CertFile: client.CertFile, KeyFile: other.KeyFile}, "does not match"},
		{"certificate not PEM", Options{CertFile: notPEM, KeyFile: client.KeyFile}, "load client certificate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.opts.URL = "https://127.0.0.1:1/status"
			_, err := New(tt.opts)
			if err == nil {
				t.Fatalf("New(%+v) = nil error, want one containing %q", tt.opts, tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("New error = %q, want it to contain %q", err, tt.want)
			}
		})
	}
}
