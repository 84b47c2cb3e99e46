package agent

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
)

// clientTLSConfig returns the TLS settings of o: TLS 1.2 or later, the
// system roots or the roots in o.CAFile, and the client certificate of
// o.CertFile and o.KeyFile when both are set. Verification is never turned
// off.
func clientTLSConfig(o Options) (*tls.Config, error) {
	c := &tls.Config{MinVersion: tls.VersionTLS12}

	if o.CAFile != "" {
		pool, err := LoadCertPool(o.CAFile)
		if err != nil {
			return nil, err
		}
		c.RootCAs = pool
	}

	if (o.CertFile == "") != (o.KeyFile == "") {
		return nil, errors.New("set both the client certificate and its key, or neither")
	}
	if o.CertFile != "" {
		cert, err := tls.LoadX509KeyPair(o.CertFile, o.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("load client certificate %q and key %q: %w", o.CertFile, o.KeyFile, err)
		}
		c.Certificates = []tls.Certificate{cert}
	}
	return c, nil
}

// LoadCertPool reads the PEM certificates in file into a pool. A file with
// no certificate in it is an error.
func LoadCertPool(file string) (*x509.CertPool, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(data) {
		return nil, fmt.Errorf("%q contains no PEM certificate", file)
	}
	return pool, nil
}
