package main

import (
	"crypto/tls"
	"net"

	"github.com/kesl-status/kesl-status/function/config"
)

// listen opens cfg.Listen and, when cfg sets a TLS certificate, serves
// HTTPS on it. Without KESL_STATUS_TLS_CERT_FILE it serves plain HTTP.
func listen(cfg config.Config) (net.Listener, error) {
	tlsConfig, err := cfg.ServerTLSConfig()
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil || tlsConfig == nil {
		return ln, err
	}
	return tls.NewListener(ln, tlsConfig), nil
}
