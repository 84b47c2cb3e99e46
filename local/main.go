// Command kesl-status is the local runner: it serves GET /status on
// KESL_STATUS_LISTEN, by default 127.0.0.1:8085, from the backend that the
// KESL_STATUS_* variables select.
//
// Usage:
//
//	kesl-status          serve until SIGINT or SIGTERM
//	kesl-status check    check the compliance rules once (Nagios plugin)
//
// Invalid settings stop it with exit status 2 and a message that names each
// variable. The check command exits with 3 instead, which Nagios reads as
// UNKNOWN.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Environ(), os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// Exit statuses of run.
const (
	exitOK     = 0
	exitFailed = 1
	exitUsage  = 2
)

const usage = `Usage:
  kesl-status          serve GET /status on KESL_STATUS_LISTEN (default 127.0.0.1:8085)
  kesl-status check    check the compliance rules once, as a Nagios plugin (check -h lists its flags)

Settings are KESL_STATUS_* environment variables; the README lists them.
`

func run(ctx context.Context, args, environ []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		return serve(ctx, environ, stderr)
	}
	switch args[0] {
	case "check":
		return check(ctx, args[1:], environ, stdout, stderr)
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, usage)
		return exitOK
	}
	fmt.Fprintf(stderr, "kesl-status: unknown command %q\n%s", args[0], usage)
	return exitUsage
}
