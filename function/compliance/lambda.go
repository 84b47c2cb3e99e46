package compliance

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"time"
)

// Scheduler runs the fleet check for scheduled Lambda invocations.
type Scheduler struct {
	Targets []Target
	Options Options
	// Namespace is the CloudWatch namespace of the metrics.
	Namespace string
	// Metrics receives the EMF lines, usually os.Stdout, which Lambda sends
	// to CloudWatch Logs.
	Metrics io.Writer
	// Logger receives the report as one line and every rejected event; nil
	// discards them.
	Logger *slog.Logger
	// DeadlineMargin is kept free before the invocation's deadline for
	// writing the metrics and the result.
	DeadlineMargin time.Duration
}

// HandleEvent takes a Lambda event that ParseScheduledEvent recognises,
// runs the check and returns its Report as the invocation's result. Its
// signature is that of awslambda.ScheduledFunc. An event that requests a
// check but is malformed (EventError.Attempt) is logged and returned as its
// *EventError. Any other event is declined (handled false), so that the
// Lambda adapter rejects it as unsupported. Either way no check runs and
// no metric is written.
func (s *Scheduler) HandleEvent(ctx context.Context, event json.RawMessage) (any, bool, error) {
	trigger, err := ParseScheduledEvent(event)
	if ee, ok := errors.AsType[*EventError](err); ok && !ee.Attempt {
		return nil, false, nil
	}
	if err != nil {
		s.log().WarnContext(ctx, "event rejected", "err", err)
		return nil, false, err
	}
	return s.Check(ctx, trigger), true, nil
}

// Check runs the check once, within ctx's deadline less DeadlineMargin,
// writes the metrics and logs the report.
func (s *Scheduler) Check(ctx context.Context, trigger Trigger) Report {
	runCtx := ctx
	if deadline, ok := ctx.Deadline(); ok {
		var cancel context.CancelFunc
		runCtx, cancel = context.WithDeadline(ctx, deadline.Add(-s.DeadlineMargin))
		defer cancel()
	}

	r := Run(runCtx, s.Targets, s.Options)

	if err := WriteMetrics(s.Metrics, r, s.Namespace); err != nil {
		s.log().ErrorContext(ctx, "cannot write metrics", "err", err)
	}
	s.log().InfoContext(ctx, "compliance check", "trigger", string(trigger),
		"outcome", r.Outcome.String(), "report", r)
	return r
}

func (s *Scheduler) log() *slog.Logger {
	if s.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return s.Logger
}
