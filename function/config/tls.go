package config

import (
	"crypto/tls"
	"fmt"
	"os"

	"github.com/kesl-status/kesl-status/backends/agent"
)

// checkRegularFiles rejects certificate and key settings that name
// something other than a regular file, such as a FIFO, whose reading would
// block start-up. The loaders below skip a file rejected here.
func (c *Config) checkRegularFiles(errs *Error) {
	files := []struct{ name, path string }{
		{"AGENT_CA_FILE", c.AgentCAFile},
		{"AGENT_CERT_FILE", c.AgentCertFile},
		{"AGENT_KEY_FILE", c.AgentKeyFile},
		{"TLS_CERT_FILE", c.TLSCertFile},
		{"TLS_KEY_FILE", c.TLSKeyFile},
		{"TLS_CLIENT_CA_FILE", c.TLSClientCAFile},
	}
	for _, f := range files {
		if f.path == "" {
			continue
		}
		if info, err := os.Stat(f.path); err == nil && !info.Mode().IsRegular() {
			errs.add(f.name, f.path, "must be a regular file in PEM format")
		}
	}
}

// validateTLS checks the local runner's TLS files by loading them as
// ServerTLSConfig does.
func (c *Config) validateTLS(errs *Error) {
	if (c.TLSCertFile == "") != (c.TLSKeyFile == "") {
		errs.add("TLS_CERT_FILE", c.TLSCertFile, "set both "+Prefix+"TLS_CERT_FILE and "+Prefix+"TLS_KEY_FILE, or neither")
	}
	if c.TLSClientCAFile != "" && c.TLSCertFile == "" {
		errs.add("TLS_CLIENT_CA_FILE", c.TLSClientCAFile, "requires "+Prefix+"TLS_CERT_FILE and "+Prefix+"TLS_KEY_FILE")
	}
	files := []struct{ name, path string }{
		{"TLS_CERT_FILE", c.TLSCertFile},
		{"TLS_KEY_FILE", c.TLSKeyFile},
		{"TLS_CLIENT_CA_FILE", c.TLSClientCAFile},
	}
	unreadable := false
	for _, f := range files {
		if f.path == "" {
			continue
		}
		if errs.has(f.name) {
			unreadable = true
			continue
		}
		if _, err := os.ReadFile(f.path); err != nil {
			errs.add(f.name, f.path, "cannot read the file: "+err.Error())
			unreadable = true
		}
	}
	if unreadable || errs.has("TLS_CERT_FILE") {
		return
	}

	if c.TLSCertFile != "" {
		if _, err := tls.LoadX509KeyPair(c.TLSCertFile, c.TLSKeyFile); err != nil {
			errs.add("TLS_CERT_FILE", c.TLSCertFile, keyPairMessage(Prefix+"TLS_KEY_FILE", err))
		}
	}
	if c.TLSClientCAFile != "" {
		if _, err := agent.LoadCertPool(c.TLSClientCAFile); err != nil {
			errs.add("TLS_CLIENT_CA_FILE", c.TLSClientCAFile, "cannot load the CA certificates: "+err.Error())
		}
	}
}

// ServerTLSConfig returns the local runner's TLS settings, or nil when
// TLS_CERT_FILE is not set. The settings require TLS 1.2 or later and serve
// the certificate of TLS_CERT_FILE and TLS_KEY_FILE. When
// TLS_CLIENT_CA_FILE is set, every connection must present a client
// certificate signed by one of its CAs. The files are read once, so a
// renewed certificate needs a restart.
func (c Config) ServerTLSConfig() (*tls.Config, error) {
	if c.TLSCertFile == "" {
		return nil, nil
	}

	cert, err := tls.LoadX509KeyPair(c.TLSCertFile, c.TLSKeyFile)
	if err != nil {
		return nil, fmt.Errorf("load %s %q and %s %q: %w", Prefix+"TLS_CERT_FILE", c.TLSCertFile, Prefix+"TLS_KEY_FILE", c.TLSKeyFile, err)
	}
	tc := &tls.Config{
		MinVersion:   tls.VersionTLS12,
		Certificates: []tls.Certificate{cert},
	}

	if c.TLSClientCAFile != "" {
		pool, err := agent.LoadCertPool(c.TLSClientCAFile)
		if err != nil {
			return nil, fmt.Errorf("load %s: %w", Prefix+"TLS_CLIENT_CA_FILE", err)
		}
		tc.ClientCAs = pool
		tc.ClientAuth = tls.RequireAndVerifyClientCert
	}
	return tc, nil
}

// keyPairMessage describes a failure of tls.LoadX509KeyPair for a problem
// of the certificate variable; keyVar names the key's variable.
func keyPairMessage(keyVar string, err error) string {
	return "cannot load the certificate with the key of " + keyVar + ": " + err.Error() +
		"; both files must be PEM, and the key must belong to the certificate"
}
