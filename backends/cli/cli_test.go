package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kesl-status/kesl-status/function"
	"github.com/kesl-status/kesl-status/internal/testutil"
)

// timeout bounds one Status call in these tests; it is generous because the
// tests run under -race on loaded machines.
const timeout = 20 * time.Second

// statusHelperEnv names the stand-in that the test binary checks, with no
// deadline, when it runs as the helper of TestStatusParentKilled.
const statusHelperEnv = "KESL_STATUS_CLI_TEST_HELPER"

func TestMain(m *testing.M) {
	if path := os.Getenv(statusHelperEnv); path != "" {
		New(path).Status(context.Background())
		os.Exit(0)
	}
	code := m.Run()
	testutil.RemoveBuilds()
	os.Exit(code)
}

// status calls Status on a new Backend for path with the given timeout.
func status(t *testing.T, b *Backend, timeout time.Duration) (function.Document, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	return b.Status(ctx)
}

func TestStatusScenarios(t *testing.T) {
	tests := []struct {
		scenario    string
		options     []string
		want        function.Facts
		wantReasons []string
	}{
		{scenario: "healthy-12.2", want: healthy122},
		{scenario: "healthy-12.0", want: healthy120},
		{scenario: "databases-not-loaded", want: with(healthy122, func(f *function.Facts) {
			f.DatabasesLoaded = false
			f.DatabasesDate = "Not available"
		}), wantReasons: []string{"Databases not loaded"}},
		{scenario: "license-expired", want: with(healthy122, func(f *function.Facts) {
			f.LicenseInfo = "Expired"
			f.LicenseExpiration = "2025-05-31 23:59:59"
		}), wantReasons: []string{"License error: Expired"}},
		{scenario: "inconsistent-update", want: with(healthy122, func(f *function.Facts) {
			f.LicenseInfo = "Inconsistent update"
		}), wantReasons: []string{"License error: Inconsistent update"}},
		{scenario: "extra-keys", want: healthy122},
		{scenario: "missing-keys", want: function.Facts{
			DatabasesDate:     "N/A",
			DatabasesLoaded:   true,
			LicenseExpiration: "N/A",
			LicenseInfo:       "N/A",
			Policy:            "N/A",
			Version:           "12.2.0.2412",
		}, wantReasons: []string{"License error: N/A"}},
		{scenario: "json-boolean", want: healthy122},
		{scenario: "stderr-flood", want: healthy122},
		{scenario: "healthy-12.2", options: []string{"exit=65"}, want: healthy122},
		{scenario: "healthy-12.2", options: []string{"delay=300ms"}, want: healthy122},
	}
	for _, tt := range tests {
		name := strings.Join(append([]string{tt.scenario}, tt.options...), " ")
		t.Run(name, func(t *testing.T) {
			b := New(testutil.StandIn(t, tt.scenario, tt.options...))

			got, err := status(t, b, timeout)
			if err != nil {
				t.Fatalf("got error %v, want none", err)
			}
			if got.ProductInfo != tt.want {
				t.Errorf("got facts %+v, want %+v", got.ProductInfo, tt.want)
			}
			if !slices.Equal(got.Reasons, tt.wantReasons) {
				t.Errorf("got reasons %q, want %q", got.Reasons, tt.wantReasons)
			}
			wantStatus := function.StatusAvailable
			if tt.wantReasons != nil {
				wantStatus = function.StatusNotAvailable
			}
			if got.Status != wantStatus {
				t.Errorf("got status %q, want %q", got.Status, wantStatus)
			}
			checkNoZombies(t)
		})
	}
}

func TestStatusNoResponse(t *testing.T) {
	tests := []struct {
		name    string
		path    func(t *testing.T) string
		wantErr string
	}{
		{name: "not running", path: standIn("not-running"),
			wantErr: `run kesl-control --app-info --json: exit status 64 (KESL is not running); stderr ends "Kaspersky Endpoint Security for Linux is not running"`},
		{name: "exit status 127", path: standIn("empty", "exit=127"),
			wantErr: "exit status 127 (command not found)"},
		{name: "missing binary", path: func(t *testing.T) string {
			return filepath.Join(t.TempDir(), "kesl-control")
		}, wantErr: "no such file or directory"},
		{name: "no execute bit", path: func(t *testing.T) string {
			path := filepath.Join(t.TempDir(), "kesl-control")
			if err := os.WriteFile(path, []byte("#!/bin/sh\necho 'Version: 12.2'\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			return path
		}, wantErr: "permission denied"},
		{name: "garbage", path: standIn("garbage"),
			wantErr: "unreadable output, exit status 0: output is not a JSON object"},
		{name: "half json", path: standIn("half-json"),
			wantErr: "unreadable output, exit status 0: output is not a JSON object"},
		{name: "empty", path: standIn("empty"),
			wantErr: "empty output, exit status 0"},
		{name: "crash", path: standIn("crash"),
			wantErr: "crashed: signal: segmentation fault"},
		{name: "output over 1 MiB", path: standIn("huge"),
			wantErr: "output larger than 1048576 bytes"},
		{name: "stdout held open", path: standIn("escape"),
			wantErr: "stdout still open 1s after the process group was killed, exit status 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := New(tt.path(t))

			got, err := status(t, b, timeout)
			if err == nil {
				t.Fatalf("got document %+v, want an error", got)
			}
			if !errors.Is(err, function.ErrNoResponse) {
				t.Errorf("got error %v, want one that wraps function.ErrNoResponse", err)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("got error %q, want it to contain %q", err, tt.wantErr)
			}
			checkNoZombies(t)
		})
	}
}

// standIn returns a path function for a stand-in with scenario and options.
func standIn(scenario string, options ...string) func(t *testing.T) string {
	return func(t *testing.T) string {
		return testutil.StandIn(t, scenario, options...)
	}
}

func TestStatusTimeout(t *testing.T) {
	const short = 2 * time.Second
	for _, scenario := range []string{"hang", "grandchild"} {
		t.Run(scenario, func(t *testing.T) {
			path := testutil.StandIn(t, scenario)
			b := New(path)

			start := time.Now()
			_, err := status(t, b, short)
			elapsed := time.Since(start)

			pgid := lastRun(t, path).PGID
			t.Cleanup(func() { syscall.Kill(-pgid, syscall.SIGKILL) })

			if !errors.Is(err, function.ErrNoResponse) {
				t.Errorf("got error %v, want one that wraps function.ErrNoResponse", err)
			}
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("got error %v, want one that wraps context.DeadlineExceeded", err)
			}
			if elapsed > short+time.Second {
				t.Errorf("got answer after %v, want within %v", elapsed, short+time.Second)
			}
			checkGroupGone(t, pgid)
			checkNoZombies(t)
		})
	}
}

func TestStatusLeftoverKilled(t *testing.T) {
	path := testutil.StandIn(t, "leftover")

	got, err := status(t, New(path), timeout)
	pgid := lastRun(t, path).PGID
	t.Cleanup(func() { syscall.Kill(-pgid, syscall.SIGKILL) })

	if err != nil {
		t.Fatalf("got error %v, want none", err)
	}
	if got.ProductInfo != healthy122 {
		t.Errorf("got facts %+v, want %+v", got.ProductInfo, healthy122)
	}
	checkGroupGone(t, pgid)
	checkNoZombies(t)
}

// TestStatusParentKilled kills a process that is in the middle of a check
// and expects its kesl-control to die with it, although the child is in a
// process group of its own.
func TestStatusParentKilled(t *testing.T) {
	path := testutil.StandIn(t, "hang")
	helper := exec.Command(os.Args[0], "-test.run=^$")
	helper.Env = append(os.Environ(), statusHelperEnv+"="+path)
	if err := helper.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		helper.Process.Kill()
		helper.Wait()
	})

	deadline := time.Now().Add(timeout)
	for testutil.Runs(t, path) == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("got no stand-in run within %v, want one", timeout)
		}
		time.Sleep(20 * time.Millisecond)
	}
	pgid := lastRun(t, path).PGID
	t.Cleanup(func() { syscall.Kill(-pgid, syscall.SIGKILL) })

	helper.Process.Kill()
	helper.Wait()
	checkGroupGone(t, pgid)
}

func TestStatusTextFallback(t *testing.T) {
	path := testutil.StandIn(t, "text-only-10.1")
	b := New(path)
	want := function.Facts{
		DatabasesDate:     "2019-05-20 06:40:00",
		DatabasesLoaded:   true,
		LicenseExpiration: "2019-07-09",
		LicenseInfo:       "The key is valid",
		Policy:            "Not applied",
		Version:           "10.1.1.6421",
	}

	for i, wantRuns := range []int{2, 3} {
		got, err := status(t, b, timeout)
		if err != nil {
			t.Fatalf("check %d: got error %v, want none", i+1, err)
		}
		if got.ProductInfo != want {
			t.Errorf("check %d: got facts %+v, want %+v", i+1, got.ProductInfo, want)
		}
		if runs := testutil.Runs(t, path); runs != wantRuns {
			t.Errorf("check %d: got %d runs in all, want %d", i+1, runs, wantRuns)
		}
		if args := lastRun(t, path).Args; !slices.Equal(args, []string{"--app-info"}) {
			t.Errorf("check %d: got last arguments %q, want --app-info", i+1, args)
		}
	}
}

func TestStatusFallbackNotKeptOnFailure(t *testing.T) {
	path := testutil.StandIn(t, "empty", "exit=1")
	b := New(path)

	if _, err := status(t, b, timeout); !errors.Is(err, function.ErrNoResponse) {
		t.Fatalf("got error %v, want one that wraps function.ErrNoResponse", err)
	}
	testutil.SetScenario(t, path, "healthy-12.2")
	if _, err := status(t, b, timeout); err != nil {
		t.Fatalf("got error %v, want none", err)
	}
	if args := lastRun(t, path).Args; !slices.Equal(args, []string{"--app-info", "--json"}) {
		t.Errorf("got last arguments %q, want --app-info --json", args)
	}
}

func TestStatusEnvironment(t *testing.T) {
	t.Setenv("LANG", "ru_RU.UTF-8")
	t.Setenv("LC_ALL", "ru_RU.UTF-8")
	t.Setenv("LC_MESSAGES", "ru_RU.UTF-8")
	t.Setenv("KESL_STATUS_TEST_SECRET", "leak")
	path := testutil.StandIn(t, "healthy-12.2")

	got, err := status(t, New(path), timeout)
	if err != nil {
		t.Fatalf("got error %v, want none", err)
	}
	if got.ProductInfo != healthy122 {
		t.Errorf("got facts %+v, want %+v", got.ProductInfo, healthy122)
	}

	run := lastRun(t, path)
	wantEnv := []string{"LANG=C", "LC_ALL=C", "PATH=/usr/sbin:/usr/bin:/sbin:/bin"}
	slices.Sort(run.Env)
	if !slices.Equal(run.Env, wantEnv) {
		t.Errorf("got environment %q, want %q", run.Env, wantEnv)
	}
	if !slices.Equal(run.Args, []string{"--app-info", "--json"}) {
		t.Errorf("got arguments %q, want --app-info --json", run.Args)
	}
}

// TestStandInRussian shows that the stand-in prints Russian labels in a
// Russian locale, so that TestStatusEnvironment proves the C locale.
func TestStandInRussian(t *testing.T) {
	path := testutil.StandIn(t, "healthy-12.2")
	tests := []struct {
		env       string
		wantLabel string
	}{
		{"LANG=ru_RU.UTF-8", `"Версия":`},
		{"LC_ALL=ru_RU.UTF-8", `"Версия":`},
		{"LANG=C", `"Version":`},
	}
	for _, tt := range tests {
		t.Run(tt.env, func(t *testing.T) {
			cmd := exec.Command(path, "--app-info", "--json")
			cmd.Env = []string{tt.env}
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("run stand-in: %v", err)
			}
			if !bytes.Contains(out, []byte(tt.wantLabel)) {
				t.Errorf("got output %s, want label %s", out, tt.wantLabel)
			}
			info, err := parseJSON(out)
			if err != nil {
				t.Fatalf("got error %v, want none", err)
			}
			if info.facts != healthy122 {
				t.Errorf("got facts %+v, want %+v", info.facts, healthy122)
			}
		})
	}
}

func TestStatusWarn(t *testing.T) {
	b := New(testutil.StandIn(t, "unexpected-flag"))
	var warnings []error
	b.Warn = func(err error) { warnings = append(warnings, err) }

	got, err := status(t, b, timeout)
	if err != nil {
		t.Fatalf("got error %v, want none", err)
	}
	if !slices.Equal(got.Reasons, []string{"Databases not loaded"}) {
		t.Errorf("got reasons %q, want Databases not loaded", got.Reasons)
	}
	if len(warnings) != 1 {
		t.Fatalf("got warnings %v, want 1", warnings)
	}
	if _, ok := errors.AsType[*ValueError](warnings[0]); !ok {
		t.Errorf("got warning %v, want a *ValueError", warnings[0])
	}
}

func TestStatusCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	path := testutil.StandIn(t, "healthy-12.2")

	_, err := New(path).Status(ctx)
	if !errors.Is(err, function.ErrNoResponse) || !errors.Is(err, context.Canceled) {
		t.Errorf("got error %v, want one that wraps function.ErrNoResponse and context.Canceled", err)
	}
	if runs := testutil.Runs(t, path); runs != 0 {
		t.Errorf("got %d runs, want 0", runs)
	}
}

// standInRun is one line of the stand-in's count file.
type standInRun struct {
	PID  int      `json:"pid"`
	PGID int      `json:"pgid"`
	Args []string `json:"args"`
	Env  []string `json:"env"`
}

// lastRun returns the newest run of the stand-in at path.
func lastRun(t *testing.T, path string) standInRun {
	t.Helper()
	f, err := os.Open(path + ".runs")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()

	var last []byte
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		last = slices.Clone(sc.Bytes())
	}
	var r standInRun
	if err := json.Unmarshal(last, &r); err != nil {
		t.Fatalf("read stand-in run %q: %v", last, err)
	}
	return r
}

// checkGroupGone fails unless every live process of group pgid is gone
// within a few seconds. Zombies are skipped: they wait for init to reap them.
func checkGroupGone(t *testing.T, pgid int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		alive := liveProcesses(func(p procStat) bool { return p.pgrp == pgid })
		if len(alive) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Errorf("got live processes %v in group %d, want none", alive, pgid)
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// checkNoZombies fails if a child of the test process is left unreaped.
func checkNoZombies(t *testing.T) {
	t.Helper()
	self := os.Getpid()
	zombies := processes(func(p procStat) bool { return p.ppid == self && p.state == "Z" })
	if len(zombies) > 0 {
		t.Errorf("got zombie children %v, want none", zombies)
	}
}

// procStat is the part of /proc/PID/stat that the tests read.
type procStat struct {
	pid, ppid, pgrp int
	state           string
}

func liveProcesses(match func(procStat) bool) []int {
	return processes(func(p procStat) bool { return p.state != "Z" && match(p) })
}

// processes returns the pids of the processes in /proc that match.
func processes(match func(procStat) bool) []int {
	entries, _ := os.ReadDir("/proc")
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		data, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// The command name is in brackets and may contain spaces.
		_, rest, ok := bytes.Cut(data, []byte(") "))
		if !ok {
			continue
		}
		fields := strings.Fields(string(rest))
		if len(fields) < 3 {
			continue
		}
		p := procStat{pid: pid, state: fields[0]}
		p.ppid, _ = strconv.Atoi(fields[1])
		p.pgrp, _ = strconv.Atoi(fields[2])
		if match(p) {
			pids = append(pids, pid)
		}
	}
	return pids
}

func BenchmarkStatus(b *testing.B) {
	backend := New(testutil.StandIn(b, "healthy-12.2"))
	ctx := context.Background()
	for b.Loop() {
		if _, err := backend.Status(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkStandInRun is the stand-in's own run time without the backend,
// the baseline for BenchmarkStatus.
func BenchmarkStandInRun(b *testing.B) {
	path := testutil.StandIn(b, "healthy-12.2")
	for b.Loop() {
		cmd := exec.Command(path, "--app-info", "--json")
		cmd.Env = []string{"LC_ALL=C", "LANG=C"}
		if _, err := cmd.Output(); err != nil {
			b.Fatal(err)
		}
	}
}
