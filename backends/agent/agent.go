// Package agent is the Backend that reads the status document from a remote
// endpoint speaking the same GET /status contract.
package agent

import (
	"context"
	"errors"

	"github.com/kesl-status/kesl-status/function"
)

// Options configure a Backend.
type Options struct {
	URL      string // full URL of the remote /status
	APIKey   string // sent as x-api-key when not empty
	CAFile   string // PEM roots that replace the system roots
	CertFile string // client certificate for mutual TLS
	KeyFile  string // key of CertFile
}

// Backend asks one remote /status.
type Backend struct {
	opts Options
}

var _ function.Backend = (*Backend)(nil)

// New returns a Backend for o.
func New(o Options) (*Backend, error) {
	return &Backend{opts: o}, nil
}

// Status asks the remote endpoint.
func (b *Backend) Status(ctx context.Context) (function.Document, error) {
	return function.Document{}, &function.UnavailableError{Reason: "Agent not response", Err: errors.New("not implemented")}
}
