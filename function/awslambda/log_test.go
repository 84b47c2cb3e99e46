package awslambda

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
)

func noEnv(string) string { return "" }

func env(vars map[string]string) func(string) string {
	return func(key string) string { return vars[key] }
}

func TestNewLoggerJSONFormat(t *testing.T) {
	var buf bytes.Buffer
	log := NewLogger(&buf, env(map[string]string{"AWS_LAMBDA_LOG_FORMAT": "JSON"}), "info", "text")

	log.WarnContext(invocationContext(), "status check failed", "err", "exit status 64")

	var line map[string]any
	if err := json.Unmarshal(buf.Bytes(), &line); err != nil {
		t.Fatalf("log line %q is not JSON: %v", buf.String(), err)
	}
	want := map[string]string{
		"level":     "WARN",
		"message":   "status check failed",
		"requestId": "8f507cfc-b7b4-4a1b-9c0e-3c1f0e9b5d2a",
		"err":       "exit status 64",
	}
	for key, value := range want {
		if line[key] != value {
			t.Errorf("%s = %v, want %q", key, line[key], value)
		}
	}
	if _, ok := line["timestamp"]; !ok {
		t.Errorf("line %q has no timestamp", buf.String())
	}
}

func TestNewLoggerWithoutInvocation(t *testing.T) {
	var buf bytes.Buffer
	log := NewLogger(&buf, noEnv, "info", "json")

	log.InfoContext(context.Background(), "function started")

	if strings.Contains(buf.String(), "requestId") {
		t.Errorf("line %q has a requestId outside an invocation", buf.String())
	}
}

func TestNewLoggerFormat(t *testing.T) {
	tests := []struct {
		name     string
		vars     map[string]string
		fallback string
		wantJSON bool
	}{
		{"Lambda JSON", map[string]string{"AWS_LAMBDA_LOG_FORMAT": "JSON"}, "text", true},
		{"Lambda Text", map[string]string{"AWS_LAMBDA_LOG_FORMAT": "Text"}, "json", false},
		{"fallback json", nil, "json", true},
		{"fallback text", nil, "text", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			NewLogger(&buf, env(tt.vars), "info", tt.fallback).InfoContext(invocationContext(), "x")
			gotJSON := strings.HasPrefix(buf.String(), "{")
			if gotJSON != tt.wantJSON {
				t.Errorf("line %q: JSON = %v, want %v", buf.String(), gotJSON, tt.wantJSON)
			}
			if !strings.Contains(buf.String(), "8f507cfc-b7b4-4a1b-9c0e-3c1f0e9b5d2a") {
				t.Errorf("line %q lacks the request id", buf.String())
			}
		})
	}
}

func TestLogLevel(t *testing.T) {
	tests := []struct {
		lambda, fallback string
		want             slog.Level
	}{
		{"TRACE", "error", LevelTrace},
		{"DEBUG", "error", slog.LevelDebug},
		{"INFO", "error", slog.LevelInfo},
		{"WARN", "debug", slog.LevelWarn},
		{"ERROR", "debug", slog.LevelError},
		{"FATAL", "debug", LevelFatal},
		{"", "warn", slog.LevelWarn},
		{"", "debug", slog.LevelDebug},
		{"LOUD", "error", slog.LevelError},
		{"", "", slog.LevelInfo},
	}
	for _, tt := range tests {
		if got := logLevel(tt.lambda, tt.fallback); got != tt.want {
			t.Errorf("logLevel(%q, %q) = %v, want %v", tt.lambda, tt.fallback, got, tt.want)
		}
	}
}

func TestNewLoggerLevelFilters(t *testing.T) {
	var buf bytes.Buffer
	log := NewLogger(&buf, env(map[string]string{"AWS_LAMBDA_LOG_LEVEL": "ERROR"}), "debug", "json")

	log.Warn("dropped")
	log.Error("kept")

	if strings.Contains(buf.String(), "dropped") || !strings.Contains(buf.String(), "kept") {
		t.Errorf("log = %q, want only the ERROR line", buf.String())
	}
}
