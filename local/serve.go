package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/kesl-status/kesl-status/function"
	"github.com/kesl-status/kesl-status/function/config"
)

// Server limits. A request carries no body and a few headers, and the
// response waits for one check at most.
const (
	readHeaderTimeout = 5 * time.Second
	readTimeout       = 10 * time.Second
	idleTimeout       = 60 * time.Second
	maxHeaderBytes    = 16 << 10
	writeSlack        = 5 * time.Second // beyond the check's timeout
	shutdownTimeout   = 10 * time.Second
)

func serve(ctx context.Context, environ []string, stderr io.Writer) int {
	cfg, err := config.Load(environ)
	if err != nil {
		fmt.Fprintf(stderr, "kesl-status: %v\n", err)
		return exitUsage
	}
	log := cfg.NewLogger(stderr)

	backend, err := cfg.NewBackend(log)
	if err != nil {
		log.Error("cannot build backend", "err", err)
		return exitUsage
	}
	var handler http.Handler = function.NewHandler(backend, cfg.HandlerOptions(log))
	if cfg.BasePath != "" {
		handler = withBasePath(cfg.BasePath, handler)
	}

	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      cfg.Timeout.Std() + writeSlack,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		// Without this, "OPTIONS *" gets 200 from net/http before the API
		// key check; with it, the handler responds 403 or 404.
		DisableGeneralOptionsHandler: true,
	}

	ln, err := listen(cfg)
	if err != nil {
		log.Error("cannot listen", "listen", cfg.Listen, "err", err)
		return exitFailed
	}
	log.Info("server started", "listen", ln.Addr().String(), "settings", cfg)

	return shutdownOn(ctx, srv, ln, backend, log)
}

// shutdownOn serves on ln until ctx ends. It then cancels the check under
// way, so that waiting requests get "KESL not response" at once and no
// kesl-control outlives the runner, and lets requests in progress finish
// for up to shutdownTimeout. A second SIGINT or SIGTERM ends the process
// at once.
func shutdownOn(ctx context.Context, srv *http.Server, ln net.Listener, checks *function.Cache, log *slog.Logger) int {
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()

	select {
	case err := <-errc:
		log.Error("server stopped", "err", err)
		return exitFailed
	case <-ctx.Done():
	}

	log.Info("server stopping", "reason", context.Cause(ctx))
	signal.Reset(syscall.SIGINT, syscall.SIGTERM)
	checks.Close()
	shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Error("server stopped", "err", err)
		return exitFailed
	}
	log.Info("server stopped")
	return exitOK
}

// withBasePath serves base+"/status" as /status, for a reverse proxy that
// forwards a path prefix. Paths outside base reach h as "", which h rejects
// with its 404 document.
func withBasePath(base string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rest, ok := strings.CutPrefix(r.URL.Path, base)
		if !ok || !strings.HasPrefix(rest, "/") {
			rest = ""
		}
		u := *r.URL
		u.Path, u.RawPath = rest, ""
		r2 := r.Clone(r.Context())
		r2.URL = &u
		h.ServeHTTP(w, r2)
	})
}
