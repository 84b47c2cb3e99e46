package config

import (
	"fmt"
	"io"
	"log/slog"
	"strings"
)

func parseLevel(s string) (slog.Level, error) {
	var l slog.Level
	err := l.UnmarshalText([]byte(s))
	if err != nil || strings.ContainsAny(s, "+-") {
		return 0, fmt.Errorf("invalid log level %q", s)
	}
	return l, nil
}

// NewLogger returns the logger that LOG_LEVEL and LOG_FORMAT select,
// writing to w.
func (c Config) NewLogger(w io.Writer) *slog.Logger {
	level, _ := parseLevel(c.LogLevel)
	opts := &slog.HandlerOptions{Level: level}
	if c.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

const redacted = "[redacted]"

// LogValue lists the effective settings for the start-up log line, with
// secrets replaced by "[redacted]" and unused settings left out.
func (c Config) LogValue() slog.Value {
	attrs := []slog.Attr{
		slog.String("backend", c.Backend),
		slog.Duration("timeout", c.Timeout.Std()),
		slog.Duration("cache_ttl", c.CacheTTL.Std()),
		slog.Int("unavailable_code", c.UnavailableCode),
		slog.String("api_key", secretState(c.APIKey)),
	}
	switch c.Backend {
	case "cli":
		attrs = append(attrs, slog.String("kesl_control", c.KESLControl))
	case "agent":
		attrs = append(attrs,
			slog.String("agent_url", c.AgentURL),
			slog.String("agent_api_key", secretState(c.AgentAPIKey)),
			slog.String("agent_ca_file", c.AgentCAFile),
			slog.String("agent_cert_file", c.AgentCertFile))
	}
	if c.BasePath != "" {
		attrs = append(attrs, slog.String("base_path", c.BasePath))
	}
	if c.TLSCertFile != "" {
		attrs = append(attrs, slog.String("tls_cert_file", c.TLSCertFile),
			slog.String("tls_client_ca_file", c.TLSClientCAFile))
	}
	return slog.GroupValue(attrs...)
}

func secretState(s string) string {
	if s == "" {
		return "none"
	}
	return redacted
}
