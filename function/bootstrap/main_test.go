package main

import (
	"strings"
	"testing"
)

func TestNewHandlerInvalidSettings(t *testing.T) {
	environ := []string{"KESL_STATUS_TIMEOUT=5", "KESL_STATUS_BASE_PATH=kesl/"}
	_, err := newHandler(environ, func(string) string { return "" })
	if err == nil {
		t.Fatal("newHandler returned no error for invalid settings")
	}
	for _, name := range []string{"KESL_STATUS_TIMEOUT", "KESL_STATUS_BASE_PATH"} {
		if !strings.Contains(err.Error(), name) {
			t.Errorf("error %q does not name %s", err, name)
		}
	}
}
