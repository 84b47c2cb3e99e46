// Command bootstrap is kesl-status as an AWS Lambda function for the
// provided.al2023 runtime. It reads the KESL_STATUS_* variables and builds
// the backend with its cache once, so that the cache and the shared check
// persist across warm invocations. It serves GET /status to API Gateway
// REST and HTTP APIs, function URLs and Application Load Balancers.
//
// Invalid settings stop it with exit status 2 before the first invocation,
// which Lambda reports as an initialization error. The message on stderr
// names each invalid variable.
package main

import (
	"fmt"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/kesl-status/kesl-status/function"
	"github.com/kesl-status/kesl-status/function/awslambda"
	"github.com/kesl-status/kesl-status/function/config"
)

func main() {
	handler, err := newHandler(os.Environ(), os.Getenv)
	if err != nil {
		fmt.Fprintf(os.Stderr, "bootstrap: %v\n", err)
		os.Exit(2)
	}
	lambda.Start(handler)
}

func newHandler(environ []string, getenv func(string) string) (*awslambda.Handler, error) {
	cfg, err := config.Load(environ)
	if err != nil {
		return nil, err
	}
	log := awslambda.NewLogger(os.Stderr, getenv, cfg.LogLevel, cfg.LogFormat)
	// The log package's lines, which aws-lambda-go and the proxy adapters
	// write, then go through the same handler and format.
	// NOTE: the adapters also print some errors to stdout with fmt, which
	// stay plain text without a request id.
	slog.SetDefault(log)

	backend, err := cfg.NewBackend(log)
	if err != nil {
		log.Error("cannot build backend", "err", err)
		return nil, err
	}
	scheduler, err := newScheduler(cfg, environ, backend, log)
	if err != nil {
		log.Error("cannot build compliance check", "err", err)
		return nil, err
	}
	opts := cfg.HandlerOptions(log)
	opts.DeadlineMargin = awslambda.DeadlineMargin

	log.Info("function started", slog.Any("settings", cfg))
	return awslambda.New(function.NewHandler(backend, opts), awslambda.Options{
		BasePath:  cfg.BasePath,
		Scheduled: scheduler.HandleEvent,
		Logger:    log,
	}), nil
}
