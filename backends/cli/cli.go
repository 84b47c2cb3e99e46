// Package cli is the Backend that runs kesl-control --app-info on this host
// and reads what it prints.
//
// Each check runs "kesl-control --app-info --json" directly, without a
// shell, with only LC_ALL=C, LANG=C and a fixed PATH in its environment, so
// that the output is in English. When a build rejects --json with exit
// status 1 (KESL before 11.4), the check runs "kesl-control --app-info" for
// the text form, and once that works the Backend runs only the text form.
// Both parsers accept the labels of KESL 12.2, 12.0, 10.x/11.x and their
// Russian translations, because operators wrap the tool in scripts that may
// run it in another locale.
//
// A run is bounded by ctx's deadline and by 1 MiB of output. The child runs
// in its own process group, which is killed when the run ends, so no
// process that stays in that group outlives the check. A process that
// leaves the group, for example with setsid, is out of reach.
package cli

import (
	"context"
	"fmt"
	"sync/atomic"

	"github.com/kesl-status/kesl-status/function"
)

// Backend runs kesl-control at a fixed path. It is safe for concurrent use.
type Backend struct {
	// Warn, when not nil, receives each problem in kesl-control's output
	// that does not stop the check, such as a *ValueError for a databases
	// flag that is neither a yes-word nor a no-word. It may be called from
	// several goroutines at once. Set it before the first call of Status.
	Warn func(error)

	path string
	// textOnly is set once the build has rejected --json and printed a
	// readable text form. It lasts as long as the Backend.
	textOnly atomic.Bool
}

var _ function.Backend = (*Backend)(nil)

// New returns a Backend that runs the kesl-control binary at path.
func New(path string) *Backend {
	return &Backend{path: path}
}

// Status runs kesl-control and evaluates what it printed. Exit status 66
// (databases not loaded) and other exit statuses with readable output give
// a document. Exit status 64 (KESL is not running) or 127, a start failure,
// a crash, a timeout, empty or unreadable output and output over 1 MiB give
// an error that wraps function.ErrNoResponse and names the case. The error
// of a timeout or cancellation also wraps ctx's error.
func (b *Backend) Status(ctx context.Context) (function.Document, error) {
	info, err := b.appInfo(ctx)
	if err != nil {
		return function.Document{}, err
	}

	if b.Warn != nil {
		for _, w := range info.warnings {
			b.Warn(fmt.Errorf("kesl-control output: %w", w))
		}
	}
	return function.Evaluate(info.facts), nil
}

// appInfo runs kesl-control in the JSON form, or in the text form when the
// build rejects --json, and parses its output.
func (b *Backend) appInfo(ctx context.Context) (appInfo, error) {
	if !b.textOnly.Load() {
		r, err := b.run(ctx, "--app-info", "--json")
		if err != nil {
			return appInfo{}, err
		}
		if !r.rejectedArgs() {
			return r.parse(true)
		}
	}

	r, err := b.run(ctx, "--app-info")
	if err != nil {
		return appInfo{}, err
	}
	info, err := r.parse(false)
	if err != nil {
		return appInfo{}, err
	}
	b.textOnly.Store(true)
	return info, nil
}
