package main

import (
	"bytes"
	"embed"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

//go:embed testdata/*.json testdata/*.txt
var recorded embed.FS

// scenario is one behaviour of the stand-in. Play prints the output for the
// JSON or the text form, in Russian when ru is set, and returns the exit
// status.
type scenario struct {
	play func(jsonForm, ru bool) int
}

var scenarios = map[string]scenario{
	"healthy-12.2":         replay("healthy-12.2.json", "healthy-12.2.txt", exitOK),
	"healthy-12.0":         replay("healthy-12.0.json", "", exitOK),
	"databases-not-loaded": replay("databases-not-loaded.json", "", exitNoDatabase),
	"license-expired":      replay("license-expired.json", "", exitOK),
	"inconsistent-update":  replay("inconsistent-update.json", "", exitOK),
	"extra-keys":           replay("extra-keys.json", "", exitOK),
	"missing-keys":         replay("missing-keys.json", "", exitOK),
	"json-boolean":         replay("json-boolean.json", "", exitOK),
	"unexpected-flag":      replay("unexpected-flag.json", "", exitOK),
	"text-only-10.1":       {play: playTextOnly},

	"not-running":  {play: playNotRunning},
	"garbage":      verbatim("garbage.txt"),
	"half-json":    verbatim("half.json"),
	"empty":        {play: func(bool, bool) int { return exitOK }},
	"crash":        {play: playCrash},
	"hang":         {play: func(bool, bool) int { hang(); return exitOK }},
	"grandchild":   {play: playGrandchild},
	"leftover":     {play: playLeftover},
	"escape":       {play: playEscape},
	"stderr-flood": {play: playStderrFlood},
	"huge":         {play: playHuge},
}

// replay prints jsonFile for --json and textFile, or the JSON keys as text
// when textFile is empty, otherwise.
func replay(jsonFile, textFile string, code int) scenario {
	return scenario{play: func(jsonForm, ru bool) int {
		os.Stdout.Write(output(jsonFile, textFile, jsonForm, ru))
		return code
	}}
}

// verbatim prints file for both forms and in every locale.
func verbatim(file string) scenario {
	return scenario{play: func(bool, bool) int {
		os.Stdout.Write(mustRead(file))
		return exitOK
	}}
}

func output(jsonFile, textFile string, jsonForm, ru bool) []byte {
	if jsonForm {
		out := mustRead(jsonFile)
		if ru {
			out = translateJSON(out)
		}
		return out
	}

	var out []byte
	if textFile != "" {
		out = mustRead(textFile)
	} else {
		out = jsonToText(mustRead(jsonFile))
	}
	if ru {
		out = translateText(out)
	}
	return out
}

func mustRead(file string) []byte {
	data, err := recorded.ReadFile("testdata/" + file)
	if err != nil {
		panic(err)
	}
	return data
}

// healthyHalf returns the first half of the healthy 12.2 output.
func healthyHalf(jsonForm, ru bool) []byte {
	out := output("healthy-12.2.json", "healthy-12.2.txt", jsonForm, ru)
	return out[:len(out)/2]
}

func playTextOnly(jsonForm, ru bool) int {
	if jsonForm {
		fmt.Fprintln(os.Stderr, "Unknown option: --json")
		return exitBadArgs
	}
	out := mustRead("text-only-10.1.txt")
	if ru {
		out = translateText(out)
	}
	os.Stdout.Write(out)
	return exitOK
}

func playNotRunning(bool, bool) int {
	fmt.Fprintln(os.Stderr, "Kaspersky Endpoint Security for Linux is not running")
	return exitNotRunning
}

// playCrash prints half of the healthy output and then dies by SIGSEGV. The
// Go runtime turns a SIGSEGV into an exit status 2, so the stand-in execs a
// shell that sends the signal to itself, in the same process, with core
// dumps off.
func playCrash(jsonForm, ru bool) int {
	os.Stdout.Write(healthyHalf(jsonForm, ru))
	syscall.Setrlimit(syscall.RLIMIT_CORE, &syscall.Rlimit{})
	err := syscall.Exec("/bin/sh", []string{"sh", "-c", "kill -SEGV $$"}, nil)
	fmt.Fprintf(os.Stderr, "exec /bin/sh: %v\n", err)
	return exitBadArgs
}

// playGrandchild prints half of the healthy output, starts "sleep 1000"
// with the same stdout and process group, and never exits, so that stdout
// stays open after the stand-in is killed unless its whole group is.
func playGrandchild(jsonForm, ru bool) int {
	os.Stdout.Write(healthyHalf(jsonForm, ru))
	cmd := exec.Command("sleep", "1000")
	cmd.Stdout = os.Stdout
	if err := cmd.Start(); err != nil {
		fmt.Fprintf(os.Stderr, "start sleep: %v\n", err)
		return exitBadArgs
	}
	hang()
	return exitOK
}

// playLeftover prints the healthy output, starts "sleep 1000" with the same
// stdout and process group, and exits.
func playLeftover(jsonForm, ru bool) int {
	os.Stdout.Write(output("healthy-12.2.json", "healthy-12.2.txt", jsonForm, ru))
	cmd := exec.Command("sleep", "1000")
	cmd.Stdout = os.Stdout
	if err := cmd.Start(); err != nil {
		fmt.Fprintf(os.Stderr, "start sleep: %v\n", err)
		return exitBadArgs
	}
	return exitOK
}

// playEscape prints the healthy output, starts "sleep 5" in a new session,
// outside the process group, with the same stdout, and exits.
func playEscape(jsonForm, ru bool) int {
	os.Stdout.Write(output("healthy-12.2.json", "healthy-12.2.txt", jsonForm, ru))
	cmd := exec.Command("sleep", "5")
	cmd.Stdout = os.Stdout
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		fmt.Fprintf(os.Stderr, "start sleep: %v\n", err)
		return exitBadArgs
	}
	return exitOK
}

// playStderrFlood writes just over 256 KiB to stderr, four times the
// pipe buffer of Linux, before the healthy output.
func playStderrFlood(jsonForm, ru bool) int {
	line := []byte("warning: flooding stderr\n")
	os.Stderr.Write(bytes.Repeat(line, 256<<10/len(line)+1))
	os.Stdout.Write(output("healthy-12.2.json", "healthy-12.2.txt", jsonForm, ru))
	return exitOK
}

// playHuge prints the healthy output with an extra key or line of 1.5 MiB
// in front, so that the output is still complete and valid.
func playHuge(jsonForm, ru bool) int {
	padding := strings.Repeat("x", 3<<19)
	out := output("healthy-12.2.json", "healthy-12.2.txt", jsonForm, ru)
	if jsonForm {
		out = bytes.Replace(out, []byte("{"), []byte(`{"Padding": "`+padding+`",`), 1)
	} else {
		out = append([]byte("Padding: "+padding+"\n\n"), out...)
	}
	os.Stdout.Write(out)
	return exitOK
}

func hang() {
	for {
		time.Sleep(time.Hour)
	}
}
