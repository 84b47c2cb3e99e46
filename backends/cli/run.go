package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"
	"unsafe"

	"github.com/kesl-status/kesl-status/function"
)

// Limits of one run.
const (
	// maxOutput is the largest stdout that is parsed. KESL 12.2 prints
	// about 1.5 KiB; more than maxOutput is rejected, never cut and parsed.
	maxOutput = 1 << 20
	// stderrTail is how much of the end of stderr an error message quotes.
	stderrTail = 512
	// drainDelay bounds the wait for the end of stdout and stderr after the
	// child and its process group are gone, in case a process that left
	// the group still holds them open.
	drainDelay = time.Second
)

// Exit statuses of kesl-control that the backend treats specially.
const (
	exitBadArgs    = 1   // bad arguments, such as --json before KESL 11.4
	exitNotRunning = 64  // KESL is not running
	exitNotFound   = 127 // a shell's "command not found", from wrappers
)

// childEnv is the whole environment of kesl-control: a C locale so that it
// prints English labels, and a fixed PATH.
var childEnv = []string{
	"LC_ALL=C",
	"LANG=C",
	"PATH=/usr/sbin:/usr/bin:/sbin:/bin",
}

// output is the result of one run of kesl-control.
type output struct {
	args     []string
	stdout   []byte
	stderr   []byte // the last stderrTail bytes
	state    *os.ProcessState
	elapsed  time.Duration
	tooLarge bool // stdout passed maxOutput and the group was killed
	// stdoutComplete is false when stdout was still open drainDelay after
	// the process group was killed, so that its end may be missing.
	stdoutComplete bool
	stopped        error // ctx's error when ctx ended the run
}

// run starts kesl-control with args in a new process group, collects its
// output and waits for it. Once the child has exited, or ctx is done, or
// stdout passes maxOutput, the whole group is killed. The error reports a
// run that did not start. Every other outcome is in the output.
func (b *Backend) run(ctx context.Context, args ...string) (*output, error) {
	if err := ctx.Err(); err != nil {
		return nil, noResponse(fmt.Errorf("%s: not started: %w", command(args), err))
	}

	outR, outW, err := os.Pipe()
	if err != nil {
		return nil, noResponse(fmt.Errorf("%s: create stdout pipe: %w", command(args), err))
	}
	errR, errW, err := os.Pipe()
	if err != nil {
		outR.Close()
		outW.Close()
		return nil, noResponse(fmt.Errorf("%s: create stderr pipe: %w", command(args), err))
	}

	cmd := &exec.Cmd{
		Path:   b.path,
		Args:   append([]string{b.path}, args...),
		Env:    childEnv,
		Stdout: outW,
		Stderr: errW,
		SysProcAttr: &syscall.SysProcAttr{
			Setpgid: true,
			// Kill the child when this process dies, because a signal to
			// this process's group does not reach the child's group.
			// NOTE: Linux sends Pdeathsig when the thread that started the
			// child exits. Go ends a thread only when a goroutine exits
			// while locked to it by runtime.LockOSThread, so such a
			// goroutine could kill a running check early. Processes that
			// the child started do not get the signal.
			Pdeathsig: syscall.SIGKILL,
		},
	}
	start := time.Now()
	err = cmd.Start()
	outW.Close()
	errW.Close()
	if err != nil {
		outR.Close()
		errR.Close()
		return nil, noResponse(fmt.Errorf("%s: %w", command(args), err))
	}

	col := collect(outR, errR)
	stopped := waitOrKill(ctx, cmd.Process.Pid, col.overflow)
	waitErr := cmd.Wait()
	complete := col.finish()
	if cmd.ProcessState == nil {
		return nil, noResponse(fmt.Errorf("%s: %w", command(args), waitErr))
	}

	return &output{
		args:           args,
		stdout:         col.stdout,
		stderr:         col.stderr.buf,
		state:          cmd.ProcessState,
		elapsed:        time.Since(start),
		tooLarge:       col.tooLarge,
		stdoutComplete: complete,
		stopped:        stopped,
	}, nil
}

// waitOrKill waits until the child pid has exited, ctx is done or overflow
// is closed, and leaves the child unreaped, so that its pid still names its
// process group. It then kills the group, which the child leads. It returns
// ctx's error when ctx was done first.
func waitOrKill(ctx context.Context, pid int, overflow <-chan struct{}) (stopped error) {
	exited := make(chan struct{})
	go func() {
		waitExited(pid)
		close(exited)
	}()

	select {
	case <-exited:
	case <-ctx.Done():
		stopped = ctx.Err()
	case <-overflow:
	}
	killGroup(pid)
	<-exited
	// Kill again: a process may have been started between the first kill
	// and the child's exit.
	killGroup(pid)
	return stopped
}

// waitExited blocks until the child pid has exited, without reaping it.
func waitExited(pid int) {
	const pPID = 1 // P_PID of waitid(2)
	var info [128]byte
	for {
		_, _, errno := syscall.Syscall6(syscall.SYS_WAITID, pPID, uintptr(pid),
			uintptr(unsafe.Pointer(&info)), syscall.WEXITED|syscall.WNOWAIT, 0, 0)
		if errno != syscall.EINTR {
			return
		}
	}
}

// killGroup sends SIGKILL to every process of the group pgid. A group that
// is already gone is not an error.
func killGroup(pgid int) {
	syscall.Kill(-pgid, syscall.SIGKILL)
}

// rejectedArgs reports whether kesl-control exited with status 1, bad
// arguments, as builds before --json existed do for --json.
func (o *output) rejectedArgs() bool {
	return o.stopped == nil && !o.tooLarge && o.state.ExitCode() == exitBadArgs
}

// parse checks how the run ended and parses stdout, as JSON when jsonForm
// is set.
func (o *output) parse(jsonForm bool) (appInfo, error) {
	if err := o.failure(); err != nil {
		return appInfo{}, o.noResponse(err)
	}
	info, err := parseOutput(o.stdout, jsonForm)
	if err != nil {
		return appInfo{}, o.noResponse(fmt.Errorf("unreadable output, %v: %w", o.state, err))
	}
	return info, nil
}

// failure returns why the run gave no output to parse, or nil.
func (o *output) failure() error {
	ws, _ := o.state.Sys().(syscall.WaitStatus)
	switch {
	case errors.Is(o.stopped, context.DeadlineExceeded):
		return fmt.Errorf("timed out after %v: %w", o.elapsed.Round(time.Millisecond), o.stopped)
	case o.stopped != nil:
		return fmt.Errorf("canceled after %v: %w", o.elapsed.Round(time.Millisecond), o.stopped)
	case o.tooLarge:
		return fmt.Errorf("output larger than %d bytes", maxOutput)
	case ws.Signaled():
		return fmt.Errorf("crashed: %v", o.state)
	case ws.ExitStatus() == exitNotRunning:
		return fmt.Errorf("%v (KESL is not running)", o.state)
	case ws.ExitStatus() == exitNotFound:
		return fmt.Errorf("%v (command not found)", o.state)
	case !o.stdoutComplete:
		return fmt.Errorf("stdout still open %v after the process group was killed, %v", drainDelay, o.state)
	case len(bytes.TrimSpace(o.stdout)) == 0:
		return fmt.Errorf("empty output, %v", o.state)
	}
	return nil
}

// noResponse adds the command and the end of stderr, when there is one,
// to err, and wraps it with function.ErrNoResponse.
func (o *output) noResponse(err error) error {
	err = fmt.Errorf("%s: %w", command(o.args), err)
	if tail := bytes.TrimSpace(o.stderr); len(tail) > 0 {
		err = fmt.Errorf("%w; stderr ends %q", err, tail)
	}
	return noResponse(err)
}

// command returns the command line of a run, for messages.
func command(args []string) string {
	return "run kesl-control " + strings.Join(args, " ")
}

// noResponseError is a failed run. It wraps function.ErrNoResponse.
type noResponseError struct {
	err error
}

func noResponse(err error) error {
	return &noResponseError{err: err}
}

func (e *noResponseError) Error() string { return e.err.Error() }

func (e *noResponseError) Unwrap() []error {
	return []error{e.err, function.ErrNoResponse}
}
