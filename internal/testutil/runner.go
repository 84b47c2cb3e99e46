package testutil

import (
	"bufio"
	"bytes"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Runner is a kesl-status local runner started as a process.
type Runner struct {
	// Addr is the host:port the runner listens on.
	Addr string

	cmd    *exec.Cmd
	mu     sync.Mutex
	stderr bytes.Buffer
	exited chan struct{}
	logEnd chan struct{} // closed when stderr reaches its end
}

var listenRE = regexp.MustCompile(`listen=(\S+)`)

// BaseEnv is the environment every child of a test starts from: no
// variables of the test process leak in, and the AWS SDK, were it ever
// reached, finds fake credentials and no metadata service.
func BaseEnv() []string {
	return []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + os.TempDir(),
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_ACCESS_KEY_ID=test",
		"AWS_SECRET_ACCESS_KEY=test",
		"AWS_REGION=us-east-1",
	}
}

// StartRunner builds ./local, starts it on a free loopback port with BaseEnv
// plus env ("KEY=value" entries, later ones win), and waits until it
// listens. The runner is stopped with SIGTERM when the test ends.
func StartRunner(tb testing.TB, env ...string) *Runner {
	tb.Helper()
	bin := Build(tb, "./local")

	r := &Runner{exited: make(chan struct{}), logEnd: make(chan struct{})}
	r.cmd = exec.Command(bin)
	r.cmd.Env = append(append(BaseEnv(), "KESL_STATUS_LISTEN=127.0.0.1:0"), env...)
	// An os.Pipe, unlike StderrPipe, may be read after Wait returns, so no
	// log line is lost.
	pipe, w, err := os.Pipe()
	if err != nil {
		tb.Fatal(err)
	}
	r.cmd.Stderr = w
	err = r.cmd.Start()
	w.Close()
	if err != nil {
		pipe.Close()
		tb.Fatalf("start runner: %v", err)
	}

	addr := make(chan string, 1)
	go r.readLog(pipe, addr)
	go func() {
		r.cmd.Wait()
		close(r.exited)
	}()
	tb.Cleanup(func() { r.Stop(tb) })

	select {
	case a := <-addr:
		r.Addr = a
	case <-r.exited:
		tb.Fatalf("runner exited before listening: %s\n%s", r.cmd.ProcessState, r.Log())
	case <-time.After(20 * time.Second):
		tb.Fatalf("runner did not listen within 20s:\n%s", r.Log())
	}
	return r
}

func (r *Runner) readLog(pipe io.ReadCloser, addr chan<- string) {
	defer close(r.logEnd)
	defer pipe.Close()
	sc := bufio.NewScanner(pipe)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		r.mu.Lock()
		r.stderr.WriteString(line + "\n")
		r.mu.Unlock()
		if m := listenRE.FindStringSubmatch(line); m != nil {
			select {
			case addr <- m[1]:
			default:
			}
		}
	}
}

// URL returns the runner's address as an http URL with path.
func (r *Runner) URL(path string) string {
	return "http://" + r.Addr + path
}

// Log returns what the runner wrote to stderr so far.
func (r *Runner) Log() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.stderr.String()
}

// WaitLog waits up to 10 s for a log line that contains text, because a
// line reaches Log through a pipe some time after the runner wrote it.
func (r *Runner) WaitLog(tb testing.TB, text string) bool {
	tb.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(r.Log(), text) {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(10 * time.Millisecond)
	}
	return true
}

// Stop sends SIGTERM and waits up to 15 s for the runner to exit, then kills
// it. It returns the exit code once Log holds all that the runner wrote.
func (r *Runner) Stop(tb testing.TB) int {
	tb.Helper()
	select {
	case <-r.exited:
	default:
		r.cmd.Process.Signal(syscall.SIGTERM)
	}

	select {
	case <-r.exited:
	case <-time.After(15 * time.Second):
		r.cmd.Process.Kill()
		<-r.exited
		tb.Errorf("runner ignored SIGTERM for 15s:\n%s", r.Log())
	}

	select {
	case <-r.logEnd:
	case <-time.After(5 * time.Second):
		tb.Errorf("runner's stderr stayed open 5s after it exited")
	}
	return r.cmd.ProcessState.ExitCode()
}
