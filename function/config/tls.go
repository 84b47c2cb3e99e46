package config

import "os"

// validateTLS checks the local runner's TLS files.
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
	for _, f := range files {
		if f.path == "" {
			continue
		}
		if _, err := os.ReadFile(f.path); err != nil {
			errs.add(f.name, f.path, "cannot read the file: "+err.Error())
		}
	}
}
