package testutil

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// StandIn returns the path of a kesl-control stand-in that plays scenario,
// in a fresh folder of tb.TempDir(); options are extra key=value lines,
// such as "delay=200ms" or "exit=65". The path is a symbolic link named
// kesl-control to the binary of ./backends/cli/standin, and the settings are
// in path + ".scenario". The stand-in's package comment lists the scenarios.
func StandIn(tb testing.TB, scenario string, options ...string) string {
	tb.Helper()
	binary := Build(tb, "./backends/cli/standin")

	dir, err := os.MkdirTemp(tb.TempDir(), "standin-")
	if err != nil {
		tb.Fatalf("create stand-in folder: %v", err)
	}
	path := filepath.Join(dir, "kesl-control")
	if err := os.Symlink(binary, path); err != nil {
		tb.Fatalf("link stand-in: %v", err)
	}
	SetScenario(tb, path, scenario, options...)
	return path
}

// Runs returns how many times the stand-in at path has run so far
// (StandIn always sets a count_file).
func Runs(tb testing.TB, path string) int {
	tb.Helper()
	data, err := os.ReadFile(countFile(path))
	if os.IsNotExist(err) {
		return 0
	}
	if err != nil {
		tb.Fatalf("read stand-in runs: %v", err)
	}
	return bytes.Count(data, []byte("\n"))
}

// RunPIDs returns the process ids of the stand-in's runs so far, in order.
func RunPIDs(tb testing.TB, path string) []int {
	tb.Helper()
	data, err := os.ReadFile(countFile(path))
	if err != nil {
		tb.Fatalf("read stand-in runs: %v", err)
	}
	var pids []int
	for line := range bytes.Lines(data) {
		var run struct {
			PID int `json:"pid"`
		}
		if err := json.Unmarshal(line, &run); err != nil {
			tb.Fatalf("stand-in run record %q: %v", line, err)
		}
		pids = append(pids, run.PID)
	}
	return pids
}

// SetScenario rewrites the scenario of the stand-in at path. The count of
// runs goes on from where it was.
func SetScenario(tb testing.TB, path, scenario string, options ...string) {
	tb.Helper()
	lines := append([]string{"scenario=" + scenario, "count_file=" + countFile(path)}, options...)
	settings := strings.Join(lines, "\n") + "\n"
	if err := os.WriteFile(path+".scenario", []byte(settings), 0o644); err != nil {
		tb.Fatalf("write stand-in scenario: %v", err)
	}
}

// countFile returns the file in which the stand-in at path records its runs,
// one JSON line per run.
func countFile(path string) string {
	return path + ".runs"
}
