package main

import (
	"fmt"
	"log/slog"
	"os"

	"github.com/kesl-status/kesl-status/function"
	"github.com/kesl-status/kesl-status/function/awslambda"
	"github.com/kesl-status/kesl-status/function/compliance"
	"github.com/kesl-status/kesl-status/function/config"
)

// newScheduler builds the compliance check that scheduled events start:
// the hosts of KESL_STATUS_TARGETS, or local, the backend that also serves
// /status, as the host "local", with the metrics going to stdout, where
// Lambda passes them to CloudWatch Logs.
func newScheduler(cfg config.Config, environ []string, local function.Backend, log *slog.Logger) (*compliance.Scheduler, error) {
	cc, err := config.LoadCompliance(environ)
	if err != nil {
		return nil, err
	}
	targets, err := cfg.ComplianceTargets(cc, local)
	if err != nil {
		return nil, fmt.Errorf("compliance targets: %w", err)
	}
	return &compliance.Scheduler{
		Targets:        targets,
		Options:        cfg.ComplianceOptions(cc),
		Namespace:      cc.Namespace,
		Metrics:        os.Stdout,
		Logger:         log,
		DeadlineMargin: awslambda.DeadlineMargin,
	}, nil
}
