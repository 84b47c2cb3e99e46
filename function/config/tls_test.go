package config

import (
	"crypto/tls"
	"os"
	"path/filepath"
	"testing"

	"github.com/kesl-status/kesl-status/backends/agent/agenttest"
)

func TestServerTLSConfig(t *testing.T) {
	ca := agenttest.NewCA(t, "private")
	server := ca.Server(t, "host", "127.0.0.1")

	t.Run("off", func(t *testing.T) {
		c, err := Load(nil)
		if err != nil {
			t.Fatal(err)
		}
		if tc, err := c.ServerTLSConfig(); tc != nil || err != nil {
			t.Errorf("ServerTLSConfig = %v, %v, want nil, nil", tc, err)
		}
	})

	t.Run("server certificate", func(t *testing.T) {
		c, err := Load([]string{"KESL_STATUS_TLS_CERT_FILE=" + server.CertFile, "KESL_STATUS_TLS_KEY_FILE=" + server.KeyFile})
		if err != nil {
			t.Fatal(err)
		}
		tc, err := c.ServerTLSConfig()
		if err != nil {
			t.Fatalf("ServerTLSConfig: %v", err)
		}
		if tc.MinVersion != tls.VersionTLS12 {
			t.Errorf("MinVersion = %#x, want %#x", tc.MinVersion, tls.VersionTLS12)
		}
		if len(tc.Certificates) != 1 {
			t.Errorf("got %d certificates, want 1", len(tc.Certificates))
		}
		if tc.ClientAuth != tls.NoClientCert {
			t.Errorf("ClientAuth = %v, want NoClientCert", tc.ClientAuth)
		}
	})

	t.Run("client certificates", func(t *testing.T) {
		c, err := Load([]string{
			"KESL_STATUS_TLS_CERT_FILE=" + server.CertFile,
			"KESL_STATUS_TLS_KEY_FILE=" + server.KeyFile,
			"KESL_STATUS_TLS_CLIENT_CA_FILE=" + ca.CertFile,
		})
		if err != nil {
			t.Fatal(err)
		}
		tc, err := c.ServerTLSConfig()
		if err != nil {
			t.Fatalf("ServerTLSConfig: %v", err)
		}
		if tc.ClientAuth != tls.RequireAndVerifyClientCert {
			t.Errorf("ClientAuth = %v, want RequireAndVerifyClientCert", tc.ClientAuth)
		}
		if tc.ClientCAs == nil {
			t.Error("ClientCAs is nil")
		}
	})
}

func TestLoadTLSInvalid(t *testing.T) {
	ca := agenttest.NewCA(t, "private")
	server := ca.Server(t, "host", "127.0.0.1")
	other := ca.Server(t, "other", "127.0.0.1")
	dir := t.TempDir()
	notPEM := filepath.Join(dir, "not.pem")
	if err := os.WriteFile(notPEM, []byte("not a certificate\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cert := "KESL_STATUS_TLS_CERT_FILE=" + server.CertFile
	key := "KESL_STATUS_TLS_KEY_FILE=" + server.KeyFile

	tests := []struct {
		name     string
		env      []string
		variable string
		text     string
	}{
		{"certificate without key", []string{cert}, "KESL_STATUS_TLS_CERT_FILE", "set both"},
		{"key of another certificate", []string{cert, "KESL_STATUS_TLS_KEY_FILE=" + other.KeyFile}, "KESL_STATUS_TLS_CERT_FILE", "does not match"},
		{"certificate not PEM", []string{"KESL_STATUS_TLS_CERT_FILE=" + notPEM, key}, "KESL_STATUS_TLS_CERT_FILE", "PEM"},
		{"unreadable key", []string{cert, "KESL_STATUS_TLS_KEY_FILE=" + filepath.Join(dir, "missing")}, "KESL_STATUS_TLS_KEY_FILE", "no such file"},
		{"client CA without certificate", []string{"KESL_STATUS_TLS_CLIENT_CA_FILE=" + ca.CertFile}, "KESL_STATUS_TLS_CLIENT_CA_FILE", "requires"},
		{"client CA not PEM", []string{cert, key, "KESL_STATUS_TLS_CLIENT_CA_FILE=" + notPEM}, "KESL_STATUS_TLS_CLIENT_CA_FILE", "no PEM certificate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(tt.env)
			wantProblem(t, err, tt.variable, tt.text)
		})
	}
}
