package config

import (
	"fmt"

	"log/slog"

	"github.com/kesl-status/kesl-status/backends/agent"
	"github.com/kesl-status/kesl-status/backends/cli"
	"github.com/kesl-status/kesl-status/function"
)

// NewBackend builds the backend that BACKEND selects, behind a Cache with
// CACHE_TTL.
func (c Config) NewBackend() (*function.Cache, error) {
	var b function.Backend
	switch c.Backend {
	case "cli":
		b = cli.New(c.KESLControl)
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
