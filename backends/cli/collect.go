package cli

import (
	"io"
	"os"
	"time"
)

// collector reads a child's stdout and stderr while it runs, so that
// neither pipe fills up and blocks the child.
type collector struct {
	outR, errR *os.File
	overflow   chan struct{} // closed when stdout passes maxOutput
	outDone    chan struct{} // closed when the stdout reader returns
	errDone    chan struct{} // closed when the stderr reader returns

	stdout   []byte // nil when tooLarge is set
	outErr   error
	tooLarge bool
	stderr   tailBuffer
}

// collect starts reading outR and errR. Call finish once the child has
// been reaped.
func collect(outR, errR *os.File) *collector {
	c := &collector{
		outR:     outR,
		errR:     errR,
		overflow: make(chan struct{}),
		outDone:  make(chan struct{}),
		errDone:  make(chan struct{}),
	}
	go c.readStdout()
	go func() {
		defer close(c.errDone)
		io.Copy(&c.stderr, errR)
	}()
	return c
}

func (c *collector) readStdout() {
	defer close(c.outDone)
	c.stdout, c.outErr = io.ReadAll(io.LimitReader(c.outR, maxOutput+1))
	if len(c.stdout) > maxOutput {
		c.stdout, c.tooLarge = nil, true
		close(c.overflow)
		io.Copy(io.Discard, c.outR)
	}
}

// finish waits up to drainDelay for the end of both pipes, then closes
// them, which ends the reads of a pipe that a process outside the group
// still holds open. It reports whether stdout was read to its end.
func (c *collector) finish() (complete bool) {
	timer := time.NewTimer(drainDelay)
	defer timer.Stop()

	complete = true
	select {
	case <-c.outDone:
	case <-timer.C:
		complete = false
	}
	if complete {
		select {
		case <-c.errDone:
		case <-timer.C:
		}
	}

	c.outR.Close()
	c.errR.Close()
	<-c.outDone
	<-c.errDone
	return complete && c.outErr == nil
}

// tailBuffer keeps the last stderrTail bytes written to it.
type tailBuffer struct {
	buf []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.buf = append(t.buf, p...)
	if extra := len(t.buf) - stderrTail; extra > 0 {
		t.buf = append(t.buf[:0], t.buf[extra:]...)
	}
	return len(p), nil
}
