package awslambda

import (
	"context"
	"io"
	"log/slog"
	"strings"

	"github.com/aws/aws-lambda-go/lambdacontext"
)

// Levels of Lambda's application log level that slog lacks.
const (
	LevelTrace = slog.LevelDebug - 4
	LevelFatal = slog.LevelError + 4
)

// NewLogger returns a logger for Lambda's log formats, writing to w. The
// format is AWS_LAMBDA_LOG_FORMAT ("JSON" or "Text"), else fallbackFormat
// ("json" or "text"); the level is AWS_LAMBDA_LOG_LEVEL (TRACE, DEBUG,
// INFO, WARN, ERROR or FATAL), else fallbackLevel. getenv reads the
// environment, as os.Getenv does. Records use Lambda's keys "timestamp"
// and "message", and those logged with an invocation's context carry its
// request id as "requestId".
//
// lambdacontext.NewLogHandler of aws-lambda-go v1.55 does the same but
// writes only to os.Stdout, reads the variables once at program start,
// does not accept TRACE or FATAL and has no fallback. Only its ReplaceAttr
// is used here.
func NewLogger(w io.Writer, getenv func(string) string, fallbackLevel, fallbackFormat string) *slog.Logger {
	opts := &slog.HandlerOptions{
		Level:       logLevel(getenv("AWS_LAMBDA_LOG_LEVEL"), fallbackLevel),
		ReplaceAttr: lambdacontext.ReplaceAttr,
	}

	format := getenv("AWS_LAMBDA_LOG_FORMAT")
	if format == "" {
		format = fallbackFormat
	}
	var h slog.Handler
	if strings.EqualFold(format, "json") {
		h = slog.NewJSONHandler(w, opts)
	} else {
		h = slog.NewTextHandler(w, opts)
	}
	return slog.New(requestIDHandler{h})
}

// logLevel parses a level of Lambda's or slog's, case-insensitively. An
// empty or unknown level falls back to fallback, and then to INFO.
func logLevel(level, fallback string) slog.Level {
	for _, s := range []string{level, fallback} {
		switch strings.ToUpper(s) {
		case "TRACE":
			return LevelTrace
		case "FATAL":
			return LevelFatal
		}
		var l slog.Level
		if s != "" && l.UnmarshalText([]byte(s)) == nil {
			return l
		}
	}
	return slog.LevelInfo
}

// requestIDHandler adds the request id of the invocation in the record's
// context, as lambdacontext's own handler does.
type requestIDHandler struct {
	slog.Handler
}

func (h requestIDHandler) Handle(ctx context.Context, r slog.Record) error {
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		r.AddAttrs(slog.String("requestId", lc.AwsRequestID))
	}
	return h.Handler.Handle(ctx, r)
}

func (h requestIDHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return requestIDHandler{h.Handler.WithAttrs(attrs)}
}

func (h requestIDHandler) WithGroup(name string) slog.Handler {
	return requestIDHandler{h.Handler.WithGroup(name)}
}
