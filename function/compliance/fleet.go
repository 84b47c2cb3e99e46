package compliance

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/kesl-status/kesl-status/function"
)

// Defaults of Options.
const (
	DefaultConcurrency = 8
	DefaultTimeout     = function.DefaultTimeout
)

// returnGrace is how long a check may run past its own timeout to return
// its error, before the host is given up as UNKNOWN.
const returnGrace = time.Second

// Target is one host to check.
type Target struct {
	Name    string
	Backend function.Backend
}

// Options configure Run. Rules must be set, usually from DefaultRules,
// because zero thresholds fail every host. A zero Concurrency or Timeout
// takes its default.
type Options struct {
	Rules Rules
	// Concurrency bounds the hosts checked at the same time.
	Concurrency int
	// Timeout bounds the check of one host.
	Timeout time.Duration
	// Now is the clock of the rules and the report, time.Now when nil.
	Now func() time.Time
}

// Run checks targets, at most Concurrency at a time and each within
// Timeout, and reports on every target in the order given. Run returns by
// ctx's deadline (plus at most returnGrace when a backend overruns its own
// timeout): a host whose check had not started or not finished by then is
// UNKNOWN with the reason "not checked before the deadline".
//
// A backend that ignores its context keeps its goroutine after Run returns.
func Run(ctx context.Context, targets []Target, o Options) Report {
	o = o.withDefaults()
	start := o.Now()
	slots := make(chan struct{}, o.Concurrency)
	hosts := make([]Host, len(targets))

	// Hosts start in the order listed, each as soon as a slot is free.
	var wg sync.WaitGroup
	for i, t := range targets {
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
			hosts[i] = notChecked(ctx, t.Name)
			continue
		}
		wg.Go(func() {
			defer func() { <-slots }()
			hosts[i] = checkHost(ctx, t, o)
		})
	}
	wg.Wait()

	return newReport(start, hosts)
}

func (o Options) withDefaults() Options {
	if o.Concurrency <= 0 {
		o.Concurrency = DefaultConcurrency
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// checkHost checks t and evaluates its document.
func checkHost(ctx context.Context, t Target, o Options) Host {
	// Backends may stop a little before their deadline to return a
	// document in time, so a timeout counts as the run's deadline whenever
	// that deadline came before the host's own.
	deadline, hasDeadline := ctx.Deadline()
	runBound := hasDeadline && deadline.Before(time.Now().Add(o.Timeout))

	doc, err := status(ctx, t.Backend, o.Timeout)
	if err != nil && (ctx.Err() != nil || runBound && errors.Is(err, context.DeadlineExceeded)) {
		return notChecked(ctx, t.Name)
	}
	if err != nil {
		doc = function.FailureDocument(err)
	}
	return newHost(t.Name, doc, err, o.Rules.Evaluate(doc, o.Now()))
}

type result struct {
	doc function.Document
	err error
}

// status calls b within timeout and returns by ctx's deadline or
// timeout+returnGrace, whichever comes first, even if b does not.
func status(ctx context.Context, b function.Backend, timeout time.Duration) (function.Document, error) {
	hostCtx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	done := make(chan result, 1)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				done <- result{err: fmt.Errorf("backend panicked: %v: %w", p, function.ErrNoResponse)}
			}
		}()
		doc, err := b.Status(hostCtx)
		done <- result{doc, err}
	}()

	grace := time.NewTimer(timeout + returnGrace)
	defer grace.Stop()
	select {
	case r := <-done:
		return r.doc, r.err
	case <-ctx.Done():
		return function.Document{}, ctx.Err()
	case <-grace.C:
		return function.Document{}, fmt.Errorf("check did not return within %v: %w", timeout, function.ErrNoResponse)
	}
}

// notChecked is the entry of a host that ctx ended before its check did.
func notChecked(ctx context.Context, name string) Host {
	reason := "not checked before the deadline"
	if errors.Is(ctx.Err(), context.Canceled) {
		reason = "not checked because the run was cancelled"
	}
	return Host{
		Name:     name,
		Outcome:  Unknown,
		Failures: []Finding{{Rule: RuleStatus, Outcome: Unknown, Reason: reason}},
	}
}
