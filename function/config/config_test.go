package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestLoadDefaults(t *testing.T) {
	c, err := Load(nil)
	if err != nil {
		t.Fatalf("Load(nil): %v", err)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"Backend", c.Backend, "cli"},
		{"KESLControl", c.KESLControl, "/opt/kaspersky/kesl/bin/kesl-control"},
		{"Timeout", c.Timeout.Std(), 10 * time.Second},
		{"CacheTTL", c.CacheTTL.Std(), 5 * time.Second},
		{"Listen", c.Listen, "127.0.0.1:8085"},
		{"UnavailableCode", c.UnavailableCode, 200},
		{"APIKey", c.APIKey, ""},
		{"LogLevel", c.LogLevel, "info"},
		{"LogFormat", c.LogFormat, "text"},
	}
	for _, ck := range checks {
		if ck.got != ck.want {
			t.Errorf("%s = %v, want %v", ck.name, ck.got, ck.want)
		}
	}
}

func TestLoadEmptyMeansDefault(t *testing.T) {
	c, err := Load([]string{"KESL_STATUS_TIMEOUT=", "KESL_STATUS_LISTEN=", "KESL_STATUS_BACKEND="})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if c.Timeout.Std() != 10*time.Second || c.Listen != "127.0.0.1:8085" || c.Backend != "cli" {
		t.Errorf("got %+v, want the defaults", c)
	}
}

func TestLoadValues(t *testing.T) {
	c, err := Load([]string{
		"KESL_STATUS_TIMEOUT=4s",
		"KESL_STATUS_CACHE_TTL=0",
		"KESL_STATUS_UNAVAILABLE_CODE=503",
		"KESL_STATUS_LISTEN=[::1]:9000",
		"KESL_STATUS_LOG_FORMAT=json",
		"KESL_STATUS_LOG_LEVEL=debug",
	})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if c.Timeout.Std() != 4*time.Second {
		t.Errorf("Timeout = %v, want 4s", c.Timeout.Std())
	}
	if c.CacheTTL != 0 {
		t.Errorf("CacheTTL = %v, want 0", c.CacheTTL.Std())
	}
	if c.UnavailableCode != 503 {
		t.Errorf("UnavailableCode = %d, want 503", c.UnavailableCode)
	}
}

func TestLoadInvalid(t *testing.T) {
	tests := []struct {
		name    string
		environ []string
		want    []string // each must appear in the message
	}{
		{"duration without unit", []string{"KESL_STATUS_TIMEOUT=4000"},
			[]string{`KESL_STATUS_TIMEOUT="4000"`, "write 4s"}},
		{"zero timeout", []string{"KESL_STATUS_TIMEOUT=0s"},
			[]string{"KESL_STATUS_TIMEOUT", "at least 100ms"}},
		{"negative timeout", []string{"KESL_STATUS_TIMEOUT=-1s"},
			[]string{"KESL_STATUS_TIMEOUT", "at least 100ms"}},
		{"tiny timeout", []string{"KESL_STATUS_TIMEOUT=1ns"},
			[]string{"KESL_STATUS_TIMEOUT", "at least 100ms"}},
		{"timeout NaN", []string{"KESL_STATUS_TIMEOUT=NaN"},
			[]string{`KESL_STATUS_TIMEOUT="NaN"`, "not a duration"}},
		{"negative ttl", []string{"KESL_STATUS_CACHE_TTL=-5s"},
			[]string{"KESL_STATUS_CACHE_TTL"}},
		{"ttl not a duration", []string{"KESL_STATUS_CACHE_TTL=soon"},
			[]string{`KESL_STATUS_CACHE_TTL="soon"`, "such as 4s"}},
		{"unknown backend", []string{"KESL_STATUS_BACKEND=ssh"},
			[]string{`KESL_STATUS_BACKEND="ssh"`, "cli or agent"}},
		{"relative kesl-control", []string{"KESL_STATUS_KESL_CONTROL=kesl-control"},
			[]string{"KESL_STATUS_KESL_CONTROL", "absolute path"}},
		{"listen without port", []string{"KESL_STATUS_LISTEN=127.0.0.1"},
			[]string{"KESL_STATUS_LISTEN", "host:port"}},
		{"code not a number", []string{"KESL_STATUS_UNAVAILABLE_CODE=five"},
			[]string{"KESL_STATUS_UNAVAILABLE_CODE", "whole number"}},
		{"code out of range", []string{"KESL_STATUS_UNAVAILABLE_CODE=99"},
			[]string{"KESL_STATUS_UNAVAILABLE_CODE", "200 or a code from 400 to 599"}},
		{"code without body", []string{"KESL_STATUS_UNAVAILABLE_CODE=204"},
			[]string{"KESL_STATUS_UNAVAILABLE_CODE", "200 or a code from 400 to 599"}},
		{"listen port not a number", []string{"KESL_STATUS_LISTEN=127.0.0.1:abc"},
			[]string{"KESL_STATUS_LISTEN", "port from 0 to 65535"}},
		{"listen port too large", []string{"KESL_STATUS_LISTEN=127.0.0.1:99999"},
			[]string{"KESL_STATUS_LISTEN", "port from 0 to 65535"}},
		{"misspelt variable", []string{"KESL_STATUS_APIKEY=secret"},
			[]string{"KESL_STATUS_APIKEY", "did you mean KESL_STATUS_API_KEY?"}},
		{"unknown variable", []string{"KESL_STATUS_COLOUR=blue"},
			[]string{"KESL_STATUS_COLOUR", "not a setting"}},
		{"key with trailing space", []string{"KESL_STATUS_API_KEY=k3y "},
			[]string{"KESL_STATUS_API_KEY", "space"}},
		{"key file not regular", []string{"KESL_STATUS_API_KEY_FILE=/dev/null"},
			[]string{"KESL_STATUS_API_KEY_FILE", "regular file"}},
		{"log level", []string{"KESL_STATUS_LOG_LEVEL=verbose"},
			[]string{"KESL_STATUS_LOG_LEVEL", "debug, info, warn or error"}},
		{"log format", []string{"KESL_STATUS_LOG_FORMAT=xml"},
			[]string{"KESL_STATUS_LOG_FORMAT", "text or json"}},
		{"base path", []string{"KESL_STATUS_BASE_PATH=kesl/"},
			[]string{"KESL_STATUS_BASE_PATH"}},
		{"agent without url", []string{"KESL_STATUS_BACKEND=agent"},
			[]string{"KESL_STATUS_AGENT_URL", "required"}},
		{"tls cert without key", []string{"KESL_STATUS_TLS_CERT_FILE=/nonexistent/cert.pem"},
			[]string{"KESL_STATUS_TLS_CERT_FILE"}},
		{"key and key file", []string{"KESL_STATUS_API_KEY=a", "KESL_STATUS_API_KEY_FILE=/etc/hostname"},
			[]string{"KESL_STATUS_API_KEY_FILE", "not both"}},
		{"missing key file", []string{"KESL_STATUS_API_KEY_FILE=/nonexistent/key"},
			[]string{"KESL_STATUS_API_KEY_FILE", "cannot read"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(tt.environ)
			var cerr *Error
			if !errors.As(err, &cerr) {
				t.Fatalf("Load error = %v, want *Error", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("message %q does not contain %q", err.Error(), w)
				}
			}
		})
	}
}

func TestLoadNamesEveryBadVariable(t *testing.T) {
	_, err := Load([]string{
		"KESL_STATUS_TIMEOUT=4000",
		"KESL_STATUS_CACHE_TTL=x",
		"KESL_STATUS_UNAVAILABLE_CODE=abc",
		"KESL_STATUS_BACKEND=x",
		"KESL_STATUS_LOG_FORMAT=xml",
	})
	var cerr *Error
	if !errors.As(err, &cerr) {
		t.Fatalf("Load error = %v, want *Error", err)
	}
	if got := len(cerr.Problems); got != 5 {
		t.Errorf("got %d problems, want 5:\n%v", got, err)
	}
}

func TestLoadAPIKeyFile(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "key")
	if err := os.WriteFile(file, []byte("from-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	c, err := Load([]string{"KESL_STATUS_API_KEY_FILE=" + file})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if c.APIKey != "from-file" {
		t.Errorf("APIKey = %q, want %q", c.APIKey, "from-file")
	}
}

func TestLoadNeverPrintsSecret(t *testing.T) {
	_, err := Load([]string{"KESL_STATUS_API_KEY=topsecret", "KESL_STATUS_API_KEY_FILE=/nonexistent"})
	if err == nil || strings.Contains(err.Error(), "topsecret") {
		t.Errorf("Load error = %v, want an error without the key", err)
	}
}

func TestLoadAPIKeyFileInvalidKey(t *testing.T) {
	tests := []struct {
		name, content, want string
	}{
		{"two lines", "first\nsecond\n", "printable ASCII"},
		{"trailing space", "k3y \n", "space"},
		{"byte order mark", "\ufeffk3y\n", "printable ASCII"},
		{"only a newline", "\n", "empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "key")
			if err := os.WriteFile(file, []byte(tt.content), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := Load([]string{"KESL_STATUS_API_KEY_FILE=" + file})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Load error = %v, want one that contains %q", err, tt.want)
			}
		})
	}
}
