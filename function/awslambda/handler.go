package awslambda

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"
)

// DeadlineMargin is the part of an invocation's remaining time that the
// check leaves free, for function.Options.DeadlineMargin. In that time the
// CLI backend stops kesl-control, the handler encodes the document and the
// runtime posts it to the Runtime API. Each step takes a few milliseconds,
// but a 128 MB function gets about a twelfth of a vCPU, and a garbage
// collection or a slow kill can stretch a step by a hundred milliseconds.
// Half a second covers that while costing a 15-second function little.
const DeadlineMargin = 500 * time.Millisecond

// ScheduledFunc handles an event that is not an HTTP request, such as an
// EventBridge scheduled event, given as the raw JSON that Lambda delivered.
// For an event that it does not take, it returns handled false with a nil
// response and error, and the Handler then rejects that event as
// unsupported. Otherwise response is encoded as JSON for the invocation's
// result, and a non-nil err becomes the function error.
type ScheduledFunc func(ctx context.Context, event json.RawMessage) (response any, handled bool, err error)

// Options configure a Handler. The zero value strips no base path, rejects
// every event that is not an HTTP request and discards log lines.
type Options struct {
	// BasePath is the base path mapping of a custom domain name, such as
	// "/kesl". A request path that starts with it as a whole segment has it
	// removed before routing. Other paths are routed as they are.
	BasePath string
	// Scheduled, when not nil, receives every event that is not an HTTP
	// request of a supported integration.
	Scheduled ScheduledFunc
	// Logger receives one line per rejected event and per request that
	// panicked. A nil Logger discards them.
	Logger *slog.Logger
}

// Handler is the Lambda handler: it routes each event to the adapter for
// its integration and serves the request with an http.Handler.
type Handler struct {
	opts Options
	log  *slog.Logger
	rest *httpadapter.HandlerAdapter
	v2   *httpadapter.HandlerAdapterV2
	alb  *httpadapter.HandlerAdapterALB
}

var _ lambda.Handler = (*Handler)(nil)

// New returns a Handler that serves HTTP events with h, usually a
// *function.Handler.
func New(h http.Handler, o Options) *Handler {
	o.BasePath = strings.TrimRight(o.BasePath, "/")
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Handler{
		opts: o,
		log:  log,
		rest: httpadapter.New(h),
		v2:   httpadapter.NewV2(h),
		alb:  httpadapter.NewALB(h),
	}
}

// Invoke handles one invocation. An HTTP event always gets an HTTP
// response, also for a panic (500) and for an event that cannot be turned
// into a request (400). Any other event goes to Options.Scheduled, and
// without it fails with an *UnsupportedEventError.
func (h *Handler) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	k, err := classify(payload)
	if err != nil {
		return h.invokeOther(ctx, payload, err)
	}
	return json.Marshal(h.serve(ctx, k, payload).response(k))
}

func (h *Handler) invokeOther(ctx context.Context, payload []byte, unsupported error) ([]byte, error) {
	if h.opts.Scheduled != nil {
		out, handled, err := h.opts.Scheduled(ctx, payload)
		if err != nil {
			return nil, err
		}
		if handled {
			return json.Marshal(out)
		}
	}
	h.log.WarnContext(ctx, "event rejected", "err", unsupported)
	return nil, unsupported
}

// serve passes the event to the adapter of its integration. A panic in the
// adapter or in the http.Handler becomes a 500 response.
func (h *Handler) serve(ctx context.Context, k kind, payload []byte) (res result) {
	defer func() {
		if p := recover(); p != nil {
			h.log.ErrorContext(ctx, "request panicked", "integration", k.String(), "panic", p)
			res = internalError()
		}
	}()

	var err error
	switch k {
	case kindRESTv1, kindHTTPv1:
		res, err = h.serveV1(ctx, k, payload)
	case kindHTTPv2:
		res, err = h.serveV2(ctx, payload)
	case kindALB, kindALBMulti:
		res, err = h.serveALB(ctx, payload)
	default:
		err = fmt.Errorf("no adapter for event kind %d", k)
	}
	if err != nil {
		h.log.WarnContext(ctx, "invalid request event", "integration", k.String(), "err", err)
		return badRequest()
	}
	return res
}

func (h *Handler) serveV1(ctx context.Context, k kind, payload []byte) (result, error) {
	var ev events.APIGatewayProxyRequest
	if err := json.Unmarshal(payload, &ev); err != nil {
		return result{}, err
	}
	// A REST API leaves the stage out of path, but an HTTP API puts it in.
	stage := ""
	if k == kindHTTPv1 {
		stage = ev.RequestContext.Stage
	}
	ev.Path = h.routePath(ev.Path, stage)
	if err := checkPath(ev.Path); err != nil {
		return result{}, err
	}

	out, err := h.rest.ProxyWithContext(ctx, ev)
	if err != nil {
		return result{}, err
	}
	return result{out.StatusCode, out.MultiValueHeaders, out.Body, out.IsBase64Encoded}, nil
}

func (h *Handler) serveV2(ctx context.Context, payload []byte) (result, error) {
	var ev events.APIGatewayV2HTTPRequest
	if err := json.Unmarshal(payload, &ev); err != nil {
		return result{}, err
	}
	path := ev.RawPath
	if path == "" {
		path = ev.RequestContext.HTTP.Path
	}
	ev.RawPath = h.routePath(path, ev.RequestContext.Stage)
	// NOTE: the v2 adapter splits every header value at commas, because
	// HTTP APIs join repeated headers with them. An API key that contains a
	// comma therefore arrives as several values and gets 403.
	if err := checkPath(ev.RawPath); err != nil {
		return result{}, err
	}

	out, err := h.v2.ProxyWithContext(ctx, ev)
	if err != nil {
		return result{}, err
	}
	header := make(http.Header, len(out.Headers))
	for key, value := range out.Headers {
		header[key] = []string{value}
	}
	return result{out.StatusCode, header, out.Body, out.IsBase64Encoded}, nil
}

func (h *Handler) serveALB(ctx context.Context, payload []byte) (result, error) {
	var ev events.ALBTargetGroupRequest
	if err := json.Unmarshal(payload, &ev); err != nil {
		return result{}, err
	}
	ev.Path = h.routePath(ev.Path, "")
	if err := checkPath(ev.Path); err != nil {
		return result{}, err
	}

	out, err := h.alb.ProxyWithContext(ctx, ev)
	if err != nil {
		return result{}, err
	}
	return result{out.StatusCode, out.MultiValueHeaders, out.Body, out.IsBase64Encoded}, nil
}

// routePath removes the stage, unless it is empty or "$default", and then
// the base path from the start of path. Each is removed only as whole
// segments, so with stage "prod" the path "/prod/status" becomes "/status"
// while "/production/status" stays as it is.
func (h *Handler) routePath(path, stage string) string {
	if stage != "" && stage != "$default" {
		path = trimSegments(path, "/"+stage)
	}
	if h.opts.BasePath != "" {
		path = trimSegments(path, h.opts.BasePath)
	}
	return path
}

// checkPath rejects a path that the adapters could not parse into a URL,
// before they print unstructured log lines about it.
func checkPath(path string) error {
	if _, err := url.Parse(path); err != nil {
		return fmt.Errorf("request path: %w", err)
	}
	return nil
}

func trimSegments(path, prefix string) string {
	rest, ok := strings.CutPrefix(path, prefix)
	if !ok || (rest != "" && rest[0] != '/') {
		return path
	}
	return rest
}
