package function

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// countingBackend returns doc after waiting for release, counting runs.
type countingBackend struct {
	runs    atomic.Int32
	release chan struct{}
	doc     Document
	err     error
	panics  bool
}

func (b *countingBackend) Status(ctx context.Context) (Document, error) {
	b.runs.Add(1)
	if b.release != nil {
		select {
		case <-b.release:
		case <-ctx.Done():
			return Document{}, ctx.Err()
		}
	}
	if b.panics {
		panic("backend bug")
	}
	return b.doc, b.err
}

func TestCacheSharesOneRun(t *testing.T) {
	b := &countingBackend{release: make(chan struct{}), doc: Evaluate(Facts{})}
	c := NewCache(b, time.Minute)

	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() {
			if _, err := c.Status(t.Context()); err != nil {
				t.Errorf("Status: %v", err)
			}
		})
	}
	for b.runs.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(50 * time.Millisecond) // let the other callers join
	close(b.release)
	wg.Wait()

	if got := b.runs.Load(); got != 1 {
		t.Errorf("backend ran %d times, want 1", got)
	}
}

func TestCacheExpires(t *testing.T) {
	b := &countingBackend{doc: Evaluate(Facts{})}
	c := NewCache(b, 5*time.Second)
	now := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	c.now = func() time.Time { return now }

	steps := []struct {
		advance  time.Duration
		wantRuns int32
	}{
		{0, 1},
		{4999 * time.Millisecond, 1},
		{time.Millisecond, 2}, // exactly the TTL since the first run started
		{time.Second, 2},
	}
	for _, s := range steps {
		now = now.Add(s.advance)
		if _, err := c.Status(t.Context()); err != nil {
			t.Fatalf("Status: %v", err)
		}
		if got := b.runs.Load(); got != s.wantRuns {
			t.Errorf("after %v: backend ran %d times, want %d", s.advance, got, s.wantRuns)
		}
	}
}

func TestCacheAgeCountsFromRunStart(t *testing.T) {
	now := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	b := &countingBackend{release: make(chan struct{}), doc: Evaluate(Facts{})}
	c := NewCache(b, 5*time.Second)
	c.now = clock

	done := make(chan struct{})
	go func() {
		c.Status(t.Context())
		close(done)
	}()
	for b.runs.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	// The run takes 4 s, so its result may be served for 1 s more only.
	mu.Lock()
	now = now.Add(4 * time.Second)
	mu.Unlock()
	close(b.release)
	<-done

	mu.Lock()
	now = now.Add(time.Second)
	mu.Unlock()
	b.release = nil
	c.Status(t.Context())
	if got := b.runs.Load(); got != 2 {
		t.Errorf("backend ran %d times, want 2: a result aged 5 s was served", got)
	}
}

func TestCacheZeroTTL(t *testing.T) {
	b := &countingBackend{doc: Evaluate(Facts{})}
	c := NewCache(b, 0)
	for range 3 {
		c.Status(t.Context())
	}
	if got := b.runs.Load(); got != 3 {
		t.Errorf("backend ran %d times, want 3", got)
	}
}

func TestCacheKeepsNoFailure(t *testing.T) {
	b := &countingBackend{err: ErrNoResponse}
	c := NewCache(b, time.Minute)
	for range 2 {
		if _, err := c.Status(t.Context()); !errors.Is(err, ErrNoResponse) {
			t.Fatalf("Status error = %v, want ErrNoResponse", err)
		}
	}
	if got := b.runs.Load(); got != 2 {
		t.Errorf("backend ran %d times, want 2", got)
	}
}

func TestCacheCallerGivesUp(t *testing.T) {
	b := &countingBackend{release: make(chan struct{}), doc: Evaluate(Facts{})}
	c := NewCache(b, time.Minute)
	defer close(b.release)

	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
	defer cancel()
	_, err := c.Status(ctx)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Status error = %v, want DeadlineExceeded", err)
	}
}

func TestCachePanicBecomesError(t *testing.T) {
	b := &countingBackend{panics: true}
	c := NewCache(b, time.Minute)
	if _, err := c.Status(t.Context()); !errors.Is(err, ErrNoResponse) {
		t.Errorf("Status error = %v, want ErrNoResponse", err)
	}
}

func TestCacheCloseCancelsRun(t *testing.T) {
	b := &countingBackend{release: make(chan struct{})} // returns only on ctx.Done
	c := NewCache(b, time.Minute)

	errc := make(chan error, 1)
	go func() {
		_, err := c.Status(t.Context())
		errc <- err
	}()
	for b.runs.Load() == 0 {
		time.Sleep(time.Millisecond)
	}

	closed := make(chan struct{})
	go func() {
		c.Close()
		close(closed)
	}()
	select {
	case <-closed:
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not return within 5s of canceling the run")
	}
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Errorf("waiting caller got %v, want the run's cancellation", err)
	}
	if _, err := c.Status(t.Context()); !errors.Is(err, ErrClosed) || !errors.Is(err, ErrNoResponse) {
		t.Errorf("Status after Close = %v, want ErrClosed and ErrNoResponse", err)
	}
}
