// Command standin is a stand-in for kesl-control, the command-line tool of
// Kaspersky Endpoint Security for Linux (KESL). It replays recorded
// `kesl-control --app-info [--json]` output for a named scenario. With it,
// the CLI backend is tested against a real child process on hosts without
// KESL.
//
// The backend runs its child with a clean environment, so the scenario comes
// from a file beside the binary: os.Args[0] + ".scenario", with one
// key=value line per setting and # comments:
//
//	scenario=healthy-12.2  the scenario to play; the default
//	delay=200ms            wait this long before printing anything
//	exit=65                exit with this status instead of the scenario's
//	count_file=/path       append one JSON line per run to /path: the pid,
//	                       the process group, the arguments and the
//	                       environment of the run
//
// Without that file the stand-in plays healthy-12.2.
//
// Scenarios that print a recorded file from testdata/, the JSON form for
// --json and the text form otherwise. A scenario without a text file prints
// the members of its JSON file as aligned "Label: value" lines.
//
//	healthy-12.2          KESL 12.2 labels, everything in order
//	healthy-12.0          KESL 12.0 labels, everything in order
//	databases-not-loaded  databases flag "No", exit status 66
//	license-expired       licence information "Expired"
//	inconsistent-update   licence information "Inconsistent update"
//	extra-keys            made-up keys, some with non-string values
//	missing-keys          only Name, Version, the databases flag and KSN
//	json-boolean          the databases flag as JSON true
//	unexpected-flag       the databases flag "Partially"
//	text-only-10.1        a build before --json: --json is rejected with
//	                      exit status 1, and --app-info prints KESL 10.1
//	                      labels with CRLF line ends and padded columns
//
// Scenarios of failure:
//
//	not-running           exit status 64 with a message on stderr
//	garbage               a loader error message on stdout, exit status 0
//	half-json             the first half of healthy-12.2.json
//	empty                 no output, exit status 0
//	crash                 half of the healthy output, then death by SIGSEGV
//	hang                  no output, never exits
//	grandchild            half of the healthy output, then starts
//	                      "sleep 1000" that inherits stdout, then never exits
//	leftover              the healthy output, then starts "sleep 1000"
//	                      that inherits stdout, then exits
//	escape                the healthy output, then starts "sleep 5" in a
//	                      new session that inherits stdout, then exits
//	stderr-flood          256 KiB on stderr, then the healthy output
//	huge                  healthy JSON padded past 1 MiB by an extra key
//
// The language follows the locale as in kesl-control: LC_ALL, else
// LC_MESSAGES, else LANG. Unless that is empty, "C", "POSIX" or starts with
// "C." or "en", the known labels and the values "Yes" and "No" are printed
// in Russian.
//
// The recorded files are illustrative. The 12.2 text form has the layout
// reported for the English output of KESL 12.2.0.2412: 32 "Label: value"
// lines in groups separated by empty lines, with the values of a group
// aligned one space after its longest label. The labels of the six fields
// that the backend reads, and Name, are spellings reported for each
// release. The other labels and all values are made up in the same style.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Exit statuses of kesl-control.
const (
	exitOK         = 0
	exitBadArgs    = 1
	exitNotRunning = 64
	exitNoDatabase = 66
)

// settings are the contents of the .scenario file.
type settings struct {
	scenario  string
	delay     time.Duration
	exit      int
	exitSet   bool
	countFile string
}

func main() {
	s, err := readSettings(settingsPath())
	if err != nil {
		fmt.Fprintf(os.Stderr, "kesl-control stand-in: %v\n", err)
		os.Exit(exitBadArgs)
	}
	if s.countFile != "" {
		if err := recordRun(s.countFile); err != nil {
			fmt.Fprintf(os.Stderr, "kesl-control stand-in: %v\n", err)
			os.Exit(exitBadArgs)
		}
	}

	sc, ok := scenarios[s.scenario]
	if !ok {
		fmt.Fprintf(os.Stderr, "kesl-control stand-in: unknown scenario %q\n", s.scenario)
		os.Exit(exitBadArgs)
	}

	appInfo, jsonForm := parseArgs(os.Args[1:])
	if !appInfo {
		fmt.Fprintln(os.Stderr, "kesl-control stand-in: only --app-info [--json] is supported")
		os.Exit(exitBadArgs)
	}

	time.Sleep(s.delay)
	code := sc.play(jsonForm, russian())
	if s.exitSet {
		code = s.exit
	}
	os.Exit(code)
}

// settingsPath returns os.Args[0] + ".scenario". When os.Args[0] is a bare
// name, because a shell found the command in PATH, it is looked up in PATH.
func settingsPath() string {
	name := os.Args[0]
	if !strings.Contains(name, "/") {
		if found, err := exec.LookPath(name); err == nil {
			name = found
		}
	}
	return name + ".scenario"
}

func readSettings(path string) (settings, error) {
	s := settings{scenario: "healthy-12.2"}
	data, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return s, nil
	}
	if err != nil {
		return s, err
	}

	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		key, value, ok := strings.Cut(line, "=")
		if !ok {
			return s, fmt.Errorf("%s: line %q is not key=value", path, line)
		}
		if err := s.set(strings.TrimSpace(key), strings.TrimSpace(value)); err != nil {
			return s, fmt.Errorf("%s: %w", path, err)
		}
	}
	return s, sc.Err()
}

func (s *settings) set(key, value string) error {
	var err error
	switch key {
	case "scenario":
		s.scenario = value
	case "delay":
		s.delay, err = time.ParseDuration(value)
	case "exit":
		s.exit, err = strconv.Atoi(value)
		s.exitSet = true
	case "count_file":
		s.countFile = value
	default:
		return fmt.Errorf("unknown setting %q", key)
	}
	if err != nil {
		return fmt.Errorf("setting %q: %w", key, err)
	}
	return nil
}

// run is one line of the count file.
type run struct {
	PID  int      `json:"pid"`
	PGID int      `json:"pgid"`
	Args []string `json:"args"`
	Env  []string `json:"env"`
}

func recordRun(path string) error {
	pgid, err := syscall.Getpgid(0)
	if err != nil {
		return fmt.Errorf("get process group: %w", err)
	}
	line, err := json.Marshal(run{PID: os.Getpid(), PGID: pgid, Args: os.Args[1:], Env: os.Environ()})
	if err != nil {
		return err
	}

	f, err := os.OpenFile(filepath.Clean(path), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(append(line, '\n')); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func parseArgs(args []string) (appInfo, jsonForm bool) {
	for _, a := range args {
		switch a {
		case "--app-info":
			appInfo = true
		case "--json":
			jsonForm = true
		default:
			return false, false
		}
	}
	return appInfo, jsonForm
}

// russian reports whether the locale selects Russian output.
func russian() bool {
	locale := os.Getenv("LC_ALL")
	if locale == "" {
		locale = os.Getenv("LC_MESSAGES")
	}
	if locale == "" {
		locale = os.Getenv("LANG")
	}
	switch {
	case locale == "", locale == "C", locale == "POSIX":
		return false
	case strings.HasPrefix(locale, "C."), strings.HasPrefix(locale, "en"):
		return false
	}
	return true
}
