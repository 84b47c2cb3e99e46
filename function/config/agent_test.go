package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kesl-status/kesl-status/backends/agent/agenttest"
)

// wantProblem checks that err is an *Error with a problem for variable
// whose message contains text.
func wantProblem(t *testing.T, err error, variable, text string) {
	t.Helper()
	if err == nil {
		t.Fatalf("Load returned no error, want a problem with %s", variable)
	}
	cfgErr, ok := errors.AsType[*Error](err)
	if !ok {
		t.Fatalf("Load error = %v (%T), want an *Error", err, err)
	}
	for _, p := range cfgErr.Problems {
		if p.Var == variable {
			if !strings.Contains(p.Message, text) {
				t.Errorf("%s: message = %q, want it to contain %q", variable, p.Message, text)
			}
			return
		}
	}
	t.Errorf("problems = %+v, want one for %s", cfgErr.Problems, variable)
}

func TestLoadAgent(t *testing.T) {
	ca := agenttest.NewCA(t, "private")
	client := ca.Client(t, "lambda")
	keyFile := filepath.Join(t.TempDir(), "key")
	if err := os.WriteFile(keyFile, []byte("agent-key\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	c, err := Load([]string{
		"KESL_STATUS_BACKEND=agent",
		"KESL_STATUS_AGENT_URL=https://10.0.0.5:8085/status",
		"KESL_STATUS_AGENT_API_KEY_FILE=" + keyFile,
		"KESL_STATUS_AGENT_CA_FILE=" + ca.CertFile,
		"KESL_STATUS_AGENT_CERT_FILE=" + client.CertFile,
		"KESL_STATUS_AGENT_KEY_FILE=" + client.KeyFile,
	})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	o := c.AgentOptions(c.AgentURL)
	if o.URL != "https://10.0.0.5:8085/status" || o.APIKey != "agent-key" || o.CAFile != ca.CertFile ||
		o.CertFile != client.CertFile || o.KeyFile != client.KeyFile {
		t.Errorf("AgentOptions = %+v, want the values set", o)
	}
	if _, err := c.NewBackend(nil); err != nil {
		t.Errorf("NewBackend: %v", err)
	}
}

func TestLoadAgentInvalid(t *testing.T) {
	ca := agenttest.NewCA(t, "private")
	client := ca.Client(t, "lambda")
	other := ca.Client(t, "other")
	dir := t.TempDir()
	notPEM := filepath.Join(dir, "not.pem")
	if err := os.WriteFile(notPEM, []byte("not a certificate\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing.pem")
	const url = "KESL_STATUS_AGENT_URL=https://10.0.0.5:8085/status"

	tests := []struct {
		name     string
		env      []string
		variable string
		text     string
	}{
		{"no URL", nil, "KESL_STATUS_AGENT_URL", "required"},
		{"empty URL", []string{"KESL_STATUS_AGENT_URL="}, "KESL_STATUS_AGENT_URL", "required"},
		{"no scheme", []string{"KESL_STATUS_AGENT_URL=10.0.0.5:8085/status"}, "KESL_STATUS_AGENT_URL", "http:// or https://"},
		{"other scheme", []string{"KESL_STATUS_AGENT_URL=ftp://10.0.0.5/status"}, "KESL_STATUS_AGENT_URL", "http:// or https://"},
		{"no host", []string{"KESL_STATUS_AGENT_URL=https:///status"}, "KESL_STATUS_AGENT_URL", "no host"},
		{"user information", []string{"KESL_STATUS_AGENT_URL=https://u:hunter2@10.0.0.5/status"}, "KESL_STATUS_AGENT_URL", "user information"},
		{"fragment", []string{"KESL_STATUS_AGENT_URL=https://10.0.0.5/status#x"}, "KESL_STATUS_AGENT_URL", "fragment"},
		{"no path", []string{"KESL_STATUS_AGENT_URL=https://10.0.0.5:8085"}, "KESL_STATUS_AGENT_URL", "no path"},
		{"bad port", []string{"KESL_STATUS_AGENT_URL=https://10.0.0.5:x/status"}, "KESL_STATUS_AGENT_URL", "invalid"},
		{"unreadable CA file", []string{url, "KESL_STATUS_AGENT_CA_FILE=" + missing}, "KESL_STATUS_AGENT_CA_FILE", "no such file"},
		{"CA file without certificate", []string{url, "KESL_STATUS_AGENT_CA_FILE=" + notPEM}, "KESL_STATUS_AGENT_CA_FILE", "no PEM certificate"},
		{"certificate without key", []string{url, "KESL_STATUS_AGENT_CERT_FILE=" + client.CertFile}, "KESL_STATUS_AGENT_KEY_FILE", "required"},
		{"key without certificate", []string{url, "KESL_STATUS_AGENT_KEY_FILE=" + client.KeyFile}, "KESL_STATUS_AGENT_CERT_FILE", "required"},
		{"unreadable certificate", []string{url, "KESL_STATUS_AGENT_CERT_FILE=" + missing, "KESL_STATUS_AGENT_KEY_FILE=" + client.KeyFile}, "KESL_STATUS_AGENT_CERT_FILE", "no such file"},
		{"key of another certificate", []string{url, "KESL_STATUS_AGENT_CERT_FILE=" + client.CertFile, "KESL_STATUS_AGENT_KEY_FILE=" + other.KeyFile}, "KESL_STATUS_AGENT_CERT_FILE", "does not match"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(append([]string{"KESL_STATUS_BACKEND=agent"}, tt.env...))
			wantProblem(t, err, tt.variable, tt.text)
			if err != nil && strings.Contains(err.Error(), "hunter2") {
				t.Errorf("error contains the password from the URL:\n%v", err)
			}
		})
	}
}

func TestLoadAgentSettingsIgnoredForCLI(t *testing.T) {
	_, err := Load([]string{"KESL_STATUS_AGENT_URL=not a url", "KESL_STATUS_AGENT_CA_FILE=/nonexistent"})
	if err != nil {
		t.Errorf("Load with the CLI backend: %v, want the agent settings ignored", err)
	}
}

func TestLoadAgentRejectsIrregularFiles(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"KESL_STATUS_AGENT_CA_FILE", "KESL_STATUS_TLS_CLIENT_CA_FILE"} {
		env := []string{
			"KESL_STATUS_BACKEND=agent", "KESL_STATUS_AGENT_URL=https://127.0.0.1:8085/status",
			"KESL_STATUS_TLS_CERT_FILE=" + fifo, "KESL_STATUS_TLS_KEY_FILE=" + fifo,
			name + "=" + fifo,
		}
		done := make(chan error, 1)
		go func() {
			_, err := Load(env)
			done <- err
		}()
		select {
		case err := <-done:
			if err == nil || !strings.Contains(err.Error(), name) || !strings.Contains(err.Error(), "regular file") {
				t.Errorf("Load with %s as a FIFO: %v, want an error that names it", name, err)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("Load with %s as a FIFO blocked", name)
		}
	}
}

func TestLoadAgentInvalidPort(t *testing.T) {
	for _, url := range []string{"https://127.0.0.1:99999/status", "https://127.0.0.1:/status", "https://127.0.0.1:0/status"} {
		_, err := Load([]string{"KESL_STATUS_BACKEND=agent", "KESL_STATUS_AGENT_URL=" + url})
		if err == nil || !strings.Contains(err.Error(), "invalid port") {
			t.Errorf("Load with %s: %v, want an invalid port error", url, err)
		}
	}
}
