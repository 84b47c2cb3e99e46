package function

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// StatusPath is the only route of the service.
const StatusPath = "/status"

// DefaultTimeout bounds one check when Options.Timeout is zero.
const DefaultTimeout = 10 * time.Second

// Options configure a Handler. The zero value serves without an API key,
// responds 200 in both states and gives each check DefaultTimeout.
type Options struct {
	// APIKey, when not empty, must arrive in the x-api-key header of every
	// request; other requests get 403.
	APIKey string
	// UnavailableCode is the HTTP status of a "service not available"
	// document; zero means 200, as Kaspersky's service does.
	UnavailableCode int
	// Timeout bounds one backend check.
	Timeout time.Duration
	// DeadlineMargin is kept free before the deadline of the request's
	// context, so that the response still goes out before that deadline.
	DeadlineMargin time.Duration
	// Logger receives one line per failed check; nil discards them.
	Logger *slog.Logger
}

// Handler serves GET and HEAD /status from a Backend.
type Handler struct {
	backend Backend
	opts    Options
	keyHash [sha256.Size]byte
	log     *slog.Logger

	mu          sync.Mutex // guards the fields below, which logFailure uses
	lastError   error
	lastMessage string
	lastLogged  time.Time
	repeats     int // failures not logged since lastLogged
}

var _ http.Handler = (*Handler)(nil)

// NewHandler returns a Handler that calls b on every request. Put a Cache in
// front of b to share and keep results.
func NewHandler(b Backend, o Options) *Handler {
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.UnavailableCode == 0 {
		o.UnavailableCode = http.StatusOK
	}
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Handler{backend: b, opts: o, keyHash: sha256.Sum256([]byte(o.APIKey)), log: log}
}

// Check runs one check within the handler's time budget, the smaller of
// Options.Timeout and the time left before ctx's deadline less
// Options.DeadlineMargin, and returns the document to serve. A failed check
// is logged and gives the "not available" document for its error.
func (h *Handler) Check(ctx context.Context) Document {
	budget := h.opts.Timeout
	if deadline, ok := ctx.Deadline(); ok {
		budget = min(budget, time.Until(deadline)-h.opts.DeadlineMargin)
	}
	checkCtx, cancel := context.WithTimeout(ctx, budget)
	defer cancel()

	doc, err := h.backend.Status(checkCtx)
	if err != nil {
		h.logFailure(ctx, err, budget)
		return FailureDocument(err)
	}
	return doc
}

// ServeHTTP serves the status document on GET and HEAD /status, 405 for
// other methods and 404 for other paths, all after the API key check.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	wrote := false
	defer func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				panic(p)
			}
			h.log.ErrorContext(r.Context(), "request panicked", "method", r.Method, "path", r.URL.Path, "panic", p)
			if !wrote {
				writeError(w, r, http.StatusInternalServerError, "INTERNAL_SERVER_ERROR", "Internal Server Error")
			}
		}
	}()

	code, body := h.respond(r)
	wrote = true
	write(w, r, code, body)
}

func (h *Handler) respond(r *http.Request) (int, []byte) {
	if !h.authorized(r) {
		return http.StatusForbidden, MarshalError("FORBIDDEN", "Forbidden")
	}
	if r.URL.Path != StatusPath {
		return http.StatusNotFound, MarshalError("OBJECT NOT FOUND", "Not Found")
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return http.StatusMethodNotAllowed, MarshalError("METHOD NOT ALLOWED", "Method Not Allowed")
	}

	// A fresh result of a Cache skips the timeout and the encoding.
	if f, ok := h.backend.(freshSource); ok {
		if doc, body, ok := f.Fresh(); ok {
			return h.code(doc), body
		}
	}
	doc := h.Check(r.Context())
	return h.code(doc), Marshal(doc)
}

type freshSource interface {
	Fresh() (Document, []byte, bool)
}

func (h *Handler) code(doc Document) int {
	if doc.Available() {
		return http.StatusOK
	}
	return h.opts.UnavailableCode
}

// authorized compares SHA-256 digests in constant time, so that neither the
// content nor the length of the key shows in the time taken.
func (h *Handler) authorized(r *http.Request) bool {
	if h.opts.APIKey == "" {
		return true
	}
	values := r.Header.Values("X-Api-Key")
	if len(values) != 1 {
		return false
	}
	got := sha256.Sum256([]byte(values[0]))
	return subtle.ConstantTimeCompare(got[:], h.keyHash[:]) == 1
}

// repeatWindow is how long the same failure message is logged only once.
const repeatWindow = time.Minute

// logFailure logs a failed check once per failure: callers that shared one
// run get the same error value, and the same message within repeatWindow
// is counted instead of logged again. A caller whose own request was
// canceled logs at debug level only, because the check did not fail.
func (h *Handler) logFailure(ctx context.Context, err error, budget time.Duration) {
	if ctx.Err() != nil && errors.Is(err, context.Canceled) {
		h.log.DebugContext(ctx, "request canceled before the check ended", "err", err)
		return
	}

	msg := err.Error()
	now := time.Now()
	h.mu.Lock()
	if sameError(h.lastError, err) || (msg == h.lastMessage && now.Sub(h.lastLogged) < repeatWindow) {
		h.lastError = err
		h.repeats++
		h.mu.Unlock()
		return
	}
	repeats := h.repeats
	h.lastError, h.lastMessage, h.lastLogged, h.repeats = err, msg, now, 0
	h.mu.Unlock()

	h.log.WarnContext(ctx, "status check failed", "err", err, "budget", budget,
		"timed_out", errors.Is(err, context.DeadlineExceeded), "repeats_before", repeats)
}

func writeError(w http.ResponseWriter, r *http.Request, code int, errCode, message string) {
	write(w, r, code, MarshalError(errCode, message))
}

// Header values shared by every response; net/http only reads them.
var (
	jsonType   = []string{"application/json"}
	noStore    = []string{"no-store"}
	allowedGet = []string{"GET, HEAD"}
)

func write(w http.ResponseWriter, r *http.Request, code int, body []byte) {
	header := w.Header()
	header["Content-Type"] = jsonType
	header["Cache-Control"] = noStore
	header["Content-Length"] = []string{strconv.Itoa(len(body))}
	if code == http.StatusMethodNotAllowed {
		header["Allow"] = allowedGet
	}
	w.WriteHeader(code)
	if r.Method != http.MethodHead {
		w.Write(body)
	}
}

// sameError reports whether a and b are the same error value. Callers that
// shared one Cache run get the same value. Errors of uncomparable types
// count as different.
func sameError(a, b error) (same bool) {
	defer func() {
		if recover() != nil {
			same = false
		}
	}()
	return a == b
}
