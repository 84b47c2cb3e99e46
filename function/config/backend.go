package config

import (
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/kesl-status/kesl-status/backends/agent"
	"github.com/kesl-status/kesl-status/backends/cli"
	"github.com/kesl-status/kesl-status/function"
)

// NewBackend builds the backend that BACKEND selects, behind a Cache with
// CACHE_TTL. The CLI backend reports odd values in kesl-control's output,
// such as a databases flag that is neither yes nor no, to log; nil
// discards them.
func (c Config) NewBackend(log *slog.Logger) (*function.Cache, error) {
	var b function.Backend
	switch c.Backend {
	case "cli":
		cb := cli.New(c.KESLControl)
		if log != nil {
			cb.Warn = onceAnHour(log)
		}
		b = cb
	case "agent":
		a, err := agent.New(c.AgentOptions(c.AgentURL))
		if err != nil {
			return nil, fmt.Errorf("agent backend: %w", err)
		}
		b = a
	default:
		return nil, fmt.Errorf("unknown backend %q", c.Backend)
	}
	return function.NewCache(b, c.CacheTTL.Std()), nil
}

// AgentOptions returns the agent backend's settings for the remote /status
// at url.
func (c Config) AgentOptions(url string) agent.Options {
	return agent.Options{
		URL:      url,
		APIKey:   c.AgentAPIKey,
		CAFile:   c.AgentCAFile,
		CertFile: c.AgentCertFile,
		KeyFile:  c.AgentKeyFile,
	}
}

// HandlerOptions returns the handler's settings, logging to log.
func (c Config) HandlerOptions(log *slog.Logger) function.Options {
	return function.Options{
		APIKey:          c.APIKey,
		UnavailableCode: c.UnavailableCode,
		Timeout:         c.Timeout.Std(),
		Logger:          log,
	}
}

// onceAnHour returns a function that logs each distinct warning at most once
// an hour, because the same output repeats on every check.
func onceAnHour(log *slog.Logger) func(error) {
	var mu sync.Mutex
	logged := map[string]time.Time{}
	return func(err error) {
		msg := err.Error()
		now := time.Now()

		mu.Lock()
		last, seen := logged[msg]
		if !seen || now.Sub(last) >= time.Hour {
			logged[msg] = now
		} else {
			msg = ""
		}
		mu.Unlock()

		if msg != "" {
			log.Warn("unexpected kesl-control output", "err", err)
		}
	}
}
