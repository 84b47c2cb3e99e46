package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/kesl-status/kesl-status/function"
	"github.com/kesl-status/kesl-status/function/config"
)

// Server limits. A request carries no body and a few headers, and the
// answer waits at most for one check.
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

	backend, err := cfg.NewBackend()
	if err != nil {
		log.Error("cannot build backend", "err", err)
		return exitUsage
	}
	handler := function.NewHandler(backend, cfg.HandlerOptions(log))

	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      cfg.Timeout.Std() + writeSlack,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}

	ln, err := listen(cfg)
	if err != nil {
		log.Error("cannot listen", "listen", cfg.Listen, "err", err)
		return exitFailed
	}
	log.Info("server started", "listen", ln.Addr().String(), "settings", cfg)

	return shutdownOn(ctx, srv, ln, log)
}

// shutdownOn serves on ln until ctx ends, then lets requests in progress
// finish for up to shutdownTimeout.
func shutdownOn(ctx context.Context, srv *http.Server, ln net.Listener, log *slog.Logger) int {
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()

	select {
	case err := <-errc:
		log.Error("server stopped", "err", err)
		return exitFailed
	case <-ctx.Done():
	}

	log.Info("server stopping", "reason", context.Cause(ctx))
	shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Error("server stopped", "err", err)
		return exitFailed
	}
	log.Info("server stopped")
	return exitOK
}
