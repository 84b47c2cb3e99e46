// Package cli is the Backend that runs kesl-control --app-info on this host.
package cli

import (
	"context"
	"fmt"

	"github.com/kesl-status/kesl-status/function"
)

// Backend runs kesl-control at a fixed path.
type Backend struct {
	path string
}

var _ function.Backend = (*Backend)(nil)

// New returns a Backend that runs the kesl-control binary at path.
func New(path string) *Backend {
	return &Backend{path: path}
}

// Status runs kesl-control and evaluates what it printed.
func (b *Backend) Status(ctx context.Context) (function.Document, error) {
	return function.Document{}, fmt.Errorf("run %q: not implemented: %w", b.path, function.ErrNoResponse)
}
