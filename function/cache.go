package function

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// Cache is a Backend that shares one run of another Backend among all
// concurrent callers (single-flight). It keeps a successful result for a
// time-to-live counted from the moment its run started, so no kept result
// is older than the TTL. Failures are not kept, so the next caller after a
// failed run starts a new one. A TTL of zero turns the keeping off, but
// callers that arrive during a run still share it.
type Cache struct {
	backend Backend
	ttl     time.Duration
	now     func() time.Time

	life context.Context // canceled by Close, and with it every run
	end  context.CancelFunc

	mu     sync.Mutex
	closed bool
	last   *run // the newest successful run, possibly expired
	flight *run // the run under way, or nil
}

// ErrClosed is returned by Status after Close.
var ErrClosed = errors.New("status cache closed")

var _ Backend = (*Cache)(nil)

type run struct {
	started time.Time
	done    chan struct{}
	doc     Document
	body    []byte // Marshal(doc), set with doc when err is nil
	err     error
}

// NewCache returns a Cache in front of b that keeps results for ttl.
func NewCache(b Backend, ttl time.Duration) *Cache {
	life, end := context.WithCancel(context.Background())
	return &Cache{backend: b, ttl: ttl, now: time.Now, life: life, end: end}
}

// Close cancels the run under way, waits until it has returned (at most
// closeWait), and makes every later Status fail with ErrClosed. A server
// that shuts down thus responds to waiting requests at once and leaves no
// check running.
func (c *Cache) Close() {
	c.mu.Lock()
	c.closed = true
	r := c.flight
	c.mu.Unlock()

	c.end()
	if r == nil {
		return
	}
	select {
	case <-r.done:
	case <-time.After(closeWait):
	}
}

// closeWait bounds how long Close waits for a canceled run, in case the
// backend ignores its context.
const closeWait = 5 * time.Second

// Status returns the kept document while it is younger than the TTL;
// otherwise it joins the run under way or starts one. The run takes the
// values and the deadline of the ctx of the caller that started it, but not
// its cancellation, so a caller that gives up does not fail the others.
// Only Close cancels a run. Each caller waits no longer than its own ctx
// allows.
func (c *Cache) Status(ctx context.Context) (Document, error) {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return Document{}, fmt.Errorf("%w: %w", ErrNoResponse, ErrClosed)
	}
	if l := c.freshLocked(); l != nil {
		c.mu.Unlock()
		return l.doc, nil
	}
	r := c.flight
	if r == nil {
		r = &run{started: c.now(), done: make(chan struct{})}
		c.flight = r
		go c.do(ctx, r)
	}
	c.mu.Unlock()

	select {
	case <-r.done:
		return r.doc, r.err
	case <-ctx.Done():
		return Document{}, fmt.Errorf("wait for check: %w: %w", ErrNoResponse, ctx.Err())
	}
}

// Fresh returns the kept document and its encoding by Marshal while they
// are younger than the TTL. The caller must not modify the bytes.
func (c *Cache) Fresh() (Document, []byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if l := c.freshLocked(); l != nil {
		return l.doc, l.body, true
	}
	return Document{}, nil, false
}

func (c *Cache) freshLocked() *run {
	if l := c.last; l != nil && !c.closed && c.now().Sub(l.started) < c.ttl {
		return l
	}
	return nil
}

func (c *Cache) do(ctx context.Context, r *run) {
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	defer cancel()
	defer context.AfterFunc(c.life, cancel)()
	if deadline, ok := ctx.Deadline(); ok {
		runCtx, cancel = context.WithDeadline(runCtx, deadline)
		defer cancel()
	}

	r.doc, r.err = safeStatus(runCtx, c.backend)
	if r.err == nil {
		r.body = Marshal(r.doc)
	}

	c.mu.Lock()
	c.flight = nil
	if r.err == nil {
		c.last = r
	}
	c.mu.Unlock()
	close(r.done)
}

// safeStatus calls b and turns a panic into an error, because a panic in a
// goroutine of its own would stop the whole process.
func safeStatus(ctx context.Context, b Backend) (doc Document, err error) {
	defer func() {
		if p := recover(); p != nil {
			doc, err = Document{}, fmt.Errorf("backend panicked: %v: %w", p, ErrNoResponse)
		}
	}()
	return b.Status(ctx)
}
