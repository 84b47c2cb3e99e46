package awslambda

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/kesl-status/kesl-status/function"
)

const testKey = "test-key"

var healthy = function.Evaluate(function.Facts{
	DatabasesDate:     "2026-11-28 12:58:00",
	DatabasesLoaded:   true,
	LicenseExpiration: "2027-06-30",
	LicenseInfo:       "The key is valid",
	Policy:            "Not applied",
	Version:           "12.2.0.2412",
})

// staticBackend returns one document.
type staticBackend struct{ doc function.Document }

func (b staticBackend) Status(context.Context) (function.Document, error) { return b.doc, nil }

// hangingBackend waits for its context to end, as a hanging kesl-control
// does.
type hangingBackend struct{}

func (hangingBackend) Status(ctx context.Context) (function.Document, error) {
	<-ctx.Done()
	return function.Document{}, function.ErrNoResponse
}

type panickingBackend struct{}

func (panickingBackend) Status(context.Context) (function.Document, error) {
	panic("backend exploded")
}

func newTestHandler(b function.Backend) *Handler {
	h := function.NewHandler(b, function.Options{APIKey: testKey, DeadlineMargin: DeadlineMargin})
	return New(h, Options{BasePath: "/kesl"})
}

func readEvent(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// invoke calls h as the Lambda runtime does, with a request id and a
// deadline 10 seconds away.
func invoke(t *testing.T, h *Handler, event []byte) ([]byte, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(invocationContext(), 10*time.Second)
	defer cancel()
	return h.Invoke(ctx, event)
}

func invocationContext() context.Context {
	return lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{
		AwsRequestID: "8f507cfc-b7b4-4a1b-9c0e-3c1f0e9b5d2a",
	})
}

// decoded is a Lambda response with each header field kept apart.
type decoded struct {
	fields            map[string]json.RawMessage
	StatusCode        int                 `json:"statusCode"`
	StatusDescription string              `json:"statusDescription"`
	Headers           map[string]string   `json:"headers"`
	MultiValueHeaders map[string][]string `json:"multiValueHeaders"`
	Body              string              `json:"body"`
	IsBase64Encoded   bool                `json:"isBase64Encoded"`
}

func decode(t *testing.T, out []byte) decoded {
	t.Helper()
	var d decoded
	if err := json.Unmarshal(out, &d); err != nil {
		t.Fatalf("decode response %s: %v", out, err)
	}
	if err := json.Unmarshal(out, &d.fields); err != nil {
		t.Fatalf("decode response %s: %v", out, err)
	}
	return d
}

// headerField names where each integration reads headers.
const (
	single = "headers"
	multi  = "multiValueHeaders"
)

var (
	notFound   = string(function.MarshalError("OBJECT NOT FOUND", "Not Found"))
	forbidden  = string(function.MarshalError("FORBIDDEN", "Forbidden"))
	notAllowed = string(function.MarshalError("METHOD NOT ALLOWED", "Method Not Allowed"))
	internal   = string(function.MarshalError("INTERNAL_SERVER_ERROR", "Internal Server Error"))
	invalid    = string(function.MarshalError("BAD REQUEST", "Bad Request"))
)

func TestInvokeHTTPEvents(t *testing.T) {
	doc := string(function.Marshal(healthy))
	tests := []struct {
		name        string
		file        string
		wantStatus  int
		wantField   string // "headers" or "multiValueHeaders"
		wantBody    string
		description string // statusDescription, for ALB
	}{
		{"REST API", "rest-get.json", 200, multi, doc, ""},
		{"REST API HEAD", "rest-head.json", 200, multi, "", ""},
		{"REST API POST", "rest-post.json", 405, multi, notAllowed, ""},
		{"REST API wrong path", "rest-wrong-path.json", 404, multi, notFound, ""},
		{"REST API missing key", "rest-missing-key.json", 403, multi, forbidden, ""},
		{"REST API wrong key", "rest-wrong-key.json", 403, multi, forbidden, ""},
		{"REST API key sent twice", "rest-two-keys.json", 403, multi, forbidden, ""},
		{"REST API custom domain base path", "rest-base-path.json", 200, multi, doc, ""},
		{"HTTP API default stage", "http-api-default.json", 200, single, doc, ""},
		{"HTTP API named stage", "http-api-stage.json", 200, single, doc, ""},
		{"HTTP API stage then statusX", "http-api-stage-prefix.json", 404, single, notFound, ""},
		{"HTTP API other stage", "http-api-other-stage.json", 404, single, notFound, ""},
		{"HTTP API stage root", "http-api-stage-only.json", 404, single, notFound, ""},
		{"HTTP API custom domain base path", "http-api-base-path.json", 200, single, doc, ""},
		{"HTTP API HEAD", "http-api-head.json", 200, single, "", ""},
		{"HTTP API POST", "http-api-post.json", 405, single, notAllowed, ""},
		{"HTTP API missing key", "http-api-missing-key.json", 403, single, forbidden, ""},
		{"HTTP API invalid path escape", "http-api-bad-path.json", 400, single, invalid, ""},
		{"HTTP API payload 1.0 named stage", "http-api-v1-stage.json", 200, multi, doc, ""},
		{"function URL", "function-url.json", 200, single, doc, ""},
		{"ALB single-value", "alb-single.json", 200, single, doc, "200 OK"},
		{"ALB multi-value", "alb-multi.json", 200, multi, doc, "200 OK"},
		{"ALB HEAD", "alb-head.json", 200, single, "", "200 OK"},
	}
	h := newTestHandler(staticBackend{healthy})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := invoke(t, h, readEvent(t, tt.file))
			if err != nil {
				t.Fatalf("Invoke(%s): %v", tt.file, err)
			}
			got := decode(t, out)

			if got.StatusCode != tt.wantStatus {
				t.Errorf("statusCode = %d, want %d", got.StatusCode, tt.wantStatus)
			}
			if got.Body != tt.wantBody {
				t.Errorf("body = %q, want %q", got.Body, tt.wantBody)
			}
			if got.IsBase64Encoded {
				t.Error("isBase64Encoded = true, want false")
			}
			if string(got.fields["isBase64Encoded"]) != "false" {
				t.Errorf("isBase64Encoded field = %s, want false", got.fields["isBase64Encoded"])
			}
			if got.StatusDescription != tt.description {
				t.Errorf("statusDescription = %q, want %q", got.StatusDescription, tt.description)
			}
			checkHeaders(t, got, tt.wantField)
		})
	}
}

// checkHeaders checks that the response carries its headers only in field
// and that Content-Type is exactly application/json.
func checkHeaders(t *testing.T, got decoded, field string) {
	t.Helper()
	var contentType []string
	switch field {
	case single:
		if _, ok := got.fields[multi]; ok {
			t.Errorf("response has %s, want only %s", multi, single)
		}
		if v, ok := got.Headers["Content-Type"]; ok {
			contentType = []string{v}
		}
	case multi:
		if _, ok := got.fields[single]; ok {
			t.Errorf("response has %s, want only %s", single, multi)
		}
		contentType = got.MultiValueHeaders["Content-Type"]
	}
	if len(contentType) != 1 || contentType[0] != "application/json" {
		t.Errorf("%s Content-Type = %q, want [application/json]", field, contentType)
	}
	if _, ok := got.Headers["Content-Length"]; ok {
		t.Errorf("headers has Content-Length, want none")
	}
	if _, ok := got.MultiValueHeaders["Content-Length"]; ok {
		t.Errorf("multiValueHeaders has Content-Length, want none")
	}
}

func TestInvokeNotAvailableDocument(t *testing.T) {
	doc := function.Evaluate(function.Facts{LicenseInfo: "Expired", DatabasesLoaded: true})
	h := New(function.NewHandler(staticBackend{doc}, function.Options{UnavailableCode: 503}), Options{})

	out, err := invoke(t, h, readEvent(t, "http-api-default.json"))
	if err != nil {
		t.Fatal(err)
	}
	got := decode(t, out)
	if got.StatusCode != 503 {
		t.Errorf("statusCode = %d, want 503", got.StatusCode)
	}
	if want := string(function.Marshal(doc)); got.Body != want {
		t.Errorf("body = %q, want %q", got.Body, want)
	}
}

func TestInvokePastDeadline(t *testing.T) {
	h := newTestHandler(function.NewCache(hangingBackend{}, 5*time.Second))
	ctx, cancel := context.WithDeadline(invocationContext(), time.Now().Add(-time.Second))
	defer cancel()

	start := time.Now()
	out, err := h.Invoke(ctx, readEvent(t, "rest-get.json"))
	elapsed := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}

	got := decode(t, out)
	if got.StatusCode != 200 {
		t.Errorf("statusCode = %d, want 200", got.StatusCode)
	}
	if want := string(function.Marshal(function.NotAvailable(function.ReasonNoResponse))); got.Body != want {
		t.Errorf("body = %q, want %q", got.Body, want)
	}
	if elapsed > 2*time.Second {
		t.Errorf("Invoke took %v, want well under 2s", elapsed)
	}
}

// deadlineBackend records the deadline of the context that the check
// gets.
type deadlineBackend struct {
	deadline chan time.Time
}

func (b deadlineBackend) Status(ctx context.Context) (function.Document, error) {
	deadline, _ := ctx.Deadline()
	b.deadline <- deadline
	return healthy, nil
}

func TestInvokeDeadlineLeavesMargin(t *testing.T) {
	backend := deadlineBackend{deadline: make(chan time.Time, 1)}
	h := newTestHandler(backend)
	invocationDeadline := time.Now().Add(3 * time.Second)
	ctx, cancel := context.WithDeadline(invocationContext(), invocationDeadline)
	defer cancel()

	if _, err := h.Invoke(ctx, readEvent(t, "http-api-default.json")); err != nil {
		t.Fatal(err)
	}

	got := <-backend.deadline
	want := invocationDeadline.Add(-DeadlineMargin)
	// The budget is computed a moment before the check's context starts,
	// so the check's deadline may be that moment later than want.
	if got.Before(want.Add(-time.Second)) || got.After(want.Add(100*time.Millisecond)) {
		t.Errorf("check deadline = invocation deadline %+v, want %v", got.Sub(invocationDeadline), -DeadlineMargin)
	}
}

func TestInvokePanickingBackend(t *testing.T) {
	for _, file := range []string{"rest-get.json", "http-api-default.json", "alb-single.json", "alb-multi.json"} {
		t.Run(file, func(t *testing.T) {
			var logs bytes.Buffer
			h := New(function.NewHandler(panickingBackend{}, function.Options{Logger: NewLogger(&logs, noEnv, "info", "json")}), Options{})

			out, err := invoke(t, h, readEvent(t, file))
			if err != nil {
				t.Fatalf("Invoke: %v, want a 500 response", err)
			}
			got := decode(t, out)
			if got.StatusCode != 500 {
				t.Errorf("statusCode = %d, want 500", got.StatusCode)
			}
			if got.Body != internal {
				t.Errorf("body = %q, want %q", got.Body, internal)
			}
			if !strings.Contains(logs.String(), `"message":"request panicked"`) {
				t.Errorf("log = %q, want a line for the panic", logs.String())
			}
		})
	}
}

// TestInvokePanickingHTTPHandler covers a panic that function.Handler does
// not catch: the adapter layer must still answer 500 in the integration's
// shape.
func TestInvokePanickingHTTPHandler(t *testing.T) {
	panicking := http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic(http.ErrAbortHandler) })
	h := New(panicking, Options{})

	for _, tt := range []struct{ file, field string }{
		{"rest-get.json", multi},
		{"http-api-default.json", single},
		{"alb-single.json", single},
		{"alb-multi.json", multi},
	} {
		t.Run(tt.file, func(t *testing.T) {
			out, err := invoke(t, h, readEvent(t, tt.file))
			if err != nil {
				t.Fatalf("Invoke: %v, want a 500 response", err)
			}
			got := decode(t, out)
			if got.StatusCode != 500 {
				t.Errorf("statusCode = %d, want 500", got.StatusCode)
			}
			if got.Body != internal {
				t.Errorf("body = %q, want %q", got.Body, internal)
			}
			checkHeaders(t, got, tt.field)
		})
	}
}

func TestInvokeUnsupportedEvents(t *testing.T) {
	tests := []struct {
		file      string
		wantShape string
	}{
		{"scheduled.json", `EventBridge scheduled event (source "aws.events", detail-type "Scheduled Event")`},
		{"sqs.json", `event with Records from "aws:sqs"`},
		{"test-event.json", "JSON object with keys [key1 key2 key3]"},
		{"string.json", "not a JSON object"},
	}
	h := newTestHandler(staticBackend{healthy})
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			out, err := invoke(t, h, readEvent(t, tt.file))
			if err == nil {
				t.Fatalf("Invoke(%s) = %s, want an error", tt.file, out)
			}
			var ue *UnsupportedEventError
			if !errors.As(err, &ue) {
				t.Fatalf("Invoke(%s) error = %T %v, want *UnsupportedEventError", tt.file, err, err)
			}
			if ue.Shape != tt.wantShape {
				t.Errorf("Shape = %q, want %q", ue.Shape, tt.wantShape)
			}
			if !strings.HasPrefix(err.Error(), "unsupported event: "+tt.wantShape+": ") {
				t.Errorf("error = %q, want it to start with the shape", err)
			}
		})
	}
}

func TestInvokeScheduledHook(t *testing.T) {
	var seen json.RawMessage
	hook := func(ctx context.Context, event json.RawMessage) (any, bool, error) {
		var probe struct {
			Source string `json:"source"`
		}
		if err := json.Unmarshal(event, &probe); err != nil || probe.Source != "aws.events" {
			return nil, false, nil
		}
		seen = event
		return map[string]string{"status": "checked"}, true, nil
	}
	h := New(function.NewHandler(staticBackend{healthy}, function.Options{}), Options{Scheduled: hook})

	scheduled := readEvent(t, "scheduled.json")
	out, err := invoke(t, h, scheduled)
	if err != nil {
		t.Fatalf("Invoke(scheduled.json): %v", err)
	}
	if string(out) != `{"status":"checked"}` {
		t.Errorf("Invoke(scheduled.json) = %s, want the hook's result", out)
	}
	if !bytes.Equal(seen, scheduled) {
		t.Errorf("hook got %s, want the raw event", seen)
	}

	if _, err := invoke(t, h, readEvent(t, "sqs.json")); !errors.As(err, new(*UnsupportedEventError)) {
		t.Errorf("Invoke(sqs.json) error = %v, want *UnsupportedEventError after the hook declined", err)
	}
	out, err = invoke(t, h, readEvent(t, "http-api-default.json"))
	if err != nil || decode(t, out).StatusCode != 200 {
		t.Errorf("Invoke(http-api-default.json) = %s, %v, want a 200 response without the hook", out, err)
	}
}

func TestInvokeHookError(t *testing.T) {
	want := errors.New("check failed")
	hook := func(context.Context, json.RawMessage) (any, bool, error) { return nil, true, want }
	h := New(http.NotFoundHandler(), Options{Scheduled: hook})

	if _, err := invoke(t, h, readEvent(t, "scheduled.json")); !errors.Is(err, want) {
		t.Errorf("Invoke error = %v, want %v", err, want)
	}
}

// TestInvokeBodyMatchesHTTP checks that the Lambda body has the bytes that
// the same handler sends over plain HTTP, as the local runner serves it.
func TestInvokeBodyMatchesHTTP(t *testing.T) {
	doc := function.Evaluate(function.Facts{
		DatabasesDate:   "2026-11-28 12:58:00",
		DatabasesLoaded: false,
		LicenseInfo:     "Информация <недоступна> & \U0001F600",
		Policy:          `"quoted" \ path`,
		Version:         "12.2.0.2412",
	})
	fh := function.NewHandler(staticBackend{doc}, function.Options{})
	rec := httptest.NewRecorder()
	fh.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/status", nil))

	out, err := invoke(t, New(fh, Options{}), readEvent(t, "http-api-default.json"))
	if err != nil {
		t.Fatal(err)
	}
	if got := decode(t, out).Body; got != rec.Body.String() {
		t.Errorf("Lambda body = %q, want HTTP body %q", got, rec.Body.String())
	}
}

func TestClassifyNullFields(t *testing.T) {
	tests := []struct {
		name  string
		event string
		want  kind
	}{
		{"multi-value headers null", `{"requestContext":{"elb":{"targetGroupArn":"arn"}},"httpMethod":"GET","path":"/status","headers":{},"multiValueHeaders":null}`, kindALB},
		{"multi-value headers set", `{"requestContext":{"elb":{"targetGroupArn":"arn"}},"httpMethod":"GET","path":"/status","multiValueHeaders":{}}`, kindALBMulti},
		{"elb null", `{"requestContext":{"elb":null},"httpMethod":"GET","path":"/status"}`, kindRESTv1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := classify([]byte(tt.event))
			if err != nil {
				t.Fatalf("classify: %v", err)
			}
			if got != tt.want {
				t.Errorf("classify = %v, want %v", got, tt.want)
			}
		})
	}
}
