// Package agent is the Backend that reads the status document from a remote
// endpoint speaking the same GET /status contract: another kesl-status
// runner on a KESL host, or the REST service of a KESL container.
//
// Every failure is an *function.UnavailableError whose Reason is one of the
// Reason constants, so the served document reports a failure of the agent,
// not of KESL. The error detail never contains the API key.
package agent

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/kesl-status/kesl-status/function"
)

// Reasons that Status puts into the document when the agent fails.
const (
	// ReasonNoResponse covers refused connections, DNS failures, resets and
	// timeouts at any step of the request.
	ReasonNoResponse = "Agent not response"
	// ReasonTLS covers certificate and handshake failures on either side.
	ReasonTLS = "Agent error: TLS"
	// ReasonInvalidAnswer is an HTTP 200 that is not a status document: a
	// Content-Type other than application/json or an invalid body.
	ReasonInvalidAnswer = "Agent error: invalid answer"
	// ReasonTooLarge is a body larger than MaxBodySize.
	ReasonTooLarge = "Agent error: answer too large"
)

// reasonHTTP is the reason for any status other than 200, redirects
// included, such as "Agent error: HTTP 403".
const reasonHTTP = "Agent error: HTTP %d"

// MaxBodySize is the largest body accepted from the agent. A document is
// about 300 bytes.
const MaxBodySize = 64 << 10

// Transport limits. A check sends one request at a time per Cache, so a
// few idle connections are enough. The idle timeout stays below the 60 s of
// the kesl-status runner so that the client closes first.
const (
	maxIdleConns      = 4
	idleConnTimeout   = 30 * time.Second
	maxHeaderBytes    = 16 << 10
	maxDrain          = 16 << 10 // read from an unused body so its connection can be reused
	dialKeepAlive     = 30 * time.Second
	maxDeadlineMargin = time.Second
	defaultTimeout    = function.DefaultTimeout
	userAgent         = "kesl-status"
	acceptedMIMEType  = "application/json"
)

// Options configure a Backend.
type Options struct {
	URL      string // full http or https URL of the remote /status
	APIKey   string // sent as x-api-key when not empty
	CAFile   string // PEM roots that replace the system roots
	CertFile string // client certificate for mutual TLS, with KeyFile
	KeyFile  string // private key of CertFile
}

// Backend sends one GET per check to a remote /status. It is safe for
// concurrent use and keeps idle connections for reuse.
type Backend struct {
	url    string // checked and normalised by ParseURL
	apiKey string
	client *http.Client
}

var _ function.Backend = (*Backend)(nil)

// New returns a Backend for o. It returns an error when the URL is not
// valid by ParseURL, or when a TLS file cannot be read or parsed.
func New(o Options) (*Backend, error) {
	u, err := ParseURL(o.URL)
	if err != nil {
		return nil, err
	}
	tlsConfig, err := clientTLSConfig(o)
	if err != nil {
		return nil, err
	}

	// Proxy is nil on purpose. A proxy taken from HTTP_PROXY would receive
	// the x-api-key header of every plain-HTTP request, and the agent is
	// expected on a private network that the caller reaches directly.
	transport := &http.Transport{
		Proxy:                  nil,
		DialContext:            (&net.Dialer{KeepAlive: dialKeepAlive}).DialContext,
		TLSClientConfig:        tlsConfig,
		MaxIdleConns:           maxIdleConns,
		MaxIdleConnsPerHost:    maxIdleConns,
		IdleConnTimeout:        idleConnTimeout,
		MaxResponseHeaderBytes: maxHeaderBytes,
		DisableCompression:     true,
	}
	client := &http.Client{
		Transport: transport,
		// A redirect is reported as an agent failure and never followed, so
		// the key never goes to another address.
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
	return &Backend{url: u.String(), apiKey: o.APIKey, client: client}, nil
}

// ParseURL parses raw as the agent's URL. It must be an absolute http or
// https URL with a host and a path, and without user information or a
// fragment.
func ParseURL(raw string) (*url.URL, error) {
	if raw == "" {
		return nil, errors.New("agent URL is empty")
	}
	if !strings.Contains(raw, "://") {
		return nil, errors.New("agent URL must start with http:// or https://")
	}
	u, err := url.Parse(raw)
	if urlErr, ok := errors.AsType[*url.Error](err); ok {
		// The message of a *url.Error repeats raw, which may hold a password.
		return nil, fmt.Errorf("invalid agent URL: %w", urlErr.Err)
	}
	if err != nil {
		return nil, fmt.Errorf("invalid agent URL: %w", err)
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, fmt.Errorf("agent URL %q must start with http:// or https://", u.Redacted())
	case u.Host == "" || u.Hostname() == "":
		return nil, fmt.Errorf("agent URL %q has no host", u.Redacted())
	case u.User != nil:
		return nil, errors.New("agent URL contains user information; remove it and pass the key as the API key")
	case strings.Contains(raw, "#"):
		return nil, fmt.Errorf("agent URL %q has a fragment", u.Redacted())
	case u.Path == "":
		return nil, fmt.Errorf("agent URL %q has no path; add the path of the status route, such as /status", u.Redacted())
	case !validPort(u):
		return nil, fmt.Errorf("agent URL %q has an invalid port; use a number from 1 to 65535 or leave the port out", u.Redacted())
	}
	return u, nil
}

// validPort reports whether u has no port or one from 1 to 65535. A colon
// with no port after it is invalid.
func validPort(u *url.URL) bool {
	_, port, err := net.SplitHostPort(u.Host)
	if err != nil { // no port
		return !strings.HasSuffix(u.Host, ":")
	}
	n, err := strconv.Atoi(port)
	return err == nil && n >= 1 && n <= 65535
}

// Status sends one GET to the agent and returns the document it relays. The
// request, the body included, ends a little before ctx's deadline (see
// withMargin), or after function.DefaultTimeout when ctx has none. The
// agent's own "service not available" document is returned with a nil
// error.
func (b *Backend) Status(ctx context.Context) (function.Document, error) {
	ctx, cancel := withMargin(ctx)
	defer cancel()

	req, err := http.NewRequestWithContext(ctx, http.MethodGet, b.url, nil)
	if err != nil {
		return function.Document{}, fail(ReasonNoResponse, err)
	}
	req.Header.Set("Accept", acceptedMIMEType)
	req.Header.Set("User-Agent", userAgent)
	if b.apiKey != "" {
		req.Header.Set("X-Api-Key", b.apiKey)
	}

	resp, err := b.client.Do(req)
	if err != nil {
		return function.Document{}, fail(transportReason(err), err)
	}
	defer closeBody(resp)

	body, err := readAnswer(resp)
	if err != nil {
		return function.Document{}, err
	}
	doc, err := function.ParseDocument(body)
	if err != nil {
		return function.Document{}, fail(ReasonInvalidAnswer, fmt.Errorf("GET %s: %w", b.url, err))
	}
	return doc, nil
}

// withMargin returns a context that ends a tenth of the time left before
// ctx's deadline, and at most maxDeadlineMargin before it. A caller that
// waits for Status with the same deadline, such as function.Cache, then gets
// "Agent not response" from Status instead of its own timeout, unless the
// machine is too loaded to run Status within the margin.
func withMargin(ctx context.Context) (context.Context, context.CancelFunc) {
	deadline, ok := ctx.Deadline()
	if !ok {
		return context.WithTimeout(ctx, defaultTimeout)
	}
	margin := min(maxDeadlineMargin, time.Until(deadline)/10)
	return context.WithDeadline(ctx, deadline.Add(-margin))
}

// readAnswer checks the status and the media type of resp and reads its
// body up to MaxBodySize.
func readAnswer(resp *http.Response) ([]byte, error) {
	where := resp.Request.URL.Redacted()
	if resp.StatusCode != http.StatusOK {
		detail := fmt.Errorf("GET %s: %s", where, resp.Status)
		if loc := resp.Header.Get("Location"); loc != "" {
			detail = fmt.Errorf("%w; redirect to %q not followed", detail, redactLocation(loc))
		}
		return nil, fail(fmt.Sprintf(reasonHTTP, resp.StatusCode), detail)
	}

	mediaType, _, err := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if err != nil || mediaType != acceptedMIMEType {
		return nil, fail(ReasonInvalidAnswer, fmt.Errorf("GET %s: Content-Type %q, want %s", where, resp.Header.Get("Content-Type"), acceptedMIMEType))
	}
	if resp.ContentLength > MaxBodySize {
		return nil, fail(ReasonTooLarge, fmt.Errorf("GET %s: Content-Length %d exceeds %d bytes", where, resp.ContentLength, MaxBodySize))
	}

	body, err := io.ReadAll(io.LimitReader(resp.Body, MaxBodySize+1))
	switch {
	case err != nil:
		return nil, fail(transportReason(err), fmt.Errorf("GET %s: read body: %w", where, err))
	case len(body) > MaxBodySize:
		return nil, fail(ReasonTooLarge, fmt.Errorf("GET %s: body exceeds %d bytes", where, MaxBodySize))
	}
	return body, nil
}

// closeBody reads up to maxDrain bytes of what is left, so that a small
// unread body does not cost the connection, then closes the body. A larger
// rest makes the transport close the connection instead. The body of a
// 101 response is the raw connection, which the request's context does not
// bound, so it is closed unread.
func closeBody(resp *http.Response) {
	if resp.StatusCode != http.StatusSwitchingProtocols {
		io.Copy(io.Discard, io.LimitReader(resp.Body, maxDrain))
	}
	resp.Body.Close()
}

func fail(reason string, err error) error {
	return &function.UnavailableError{Reason: reason, Err: err}
}

// transportReason returns ReasonTLS for a certificate or handshake failure
// and ReasonNoResponse for any other failure to exchange bytes.
func transportReason(err error) string {
	if isTLSError(err) {
		return ReasonTLS
	}
	return ReasonNoResponse
}

func isTLSError(err error) bool {
	if _, ok := errors.AsType[*tls.CertificateVerificationError](err); ok {
		return true
	}
	if _, ok := errors.AsType[tls.RecordHeaderError](err); ok {
		return true
	}
	if _, ok := errors.AsType[tls.AlertError](err); ok {
		return true
	}
	// crypto/tls reports an alert from the peer, such as "bad certificate"
	// when the agent rejects our client certificate, as a *net.OpError with
	// this Op and an unexported error type.
	if opErr, ok := errors.AsType[*net.OpError](err); ok && opErr.Op == "remote error" {
		return true
	}
	// net/http replaces the RecordHeaderError of a plain-HTTP response to a
	// TLS handshake with an error of its own that has only this text.
	return strings.Contains(err.Error(), "server gave HTTP response to HTTPS client")
}

// redactLocation hides a password in a Location header before it goes into
// an error.
func redactLocation(loc string) string {
	u, err := url.Parse(loc)
	if err != nil {
		return "(unparsable)"
	}
	return u.Redacted()
}
