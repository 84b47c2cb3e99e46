package awslambda

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/kesl-status/kesl-status/function"
)

// result is the HTTP response that an adapter captured.
type result struct {
	status int
	header http.Header
	body   string
	base64 bool
}

// response is the invocation result for every HTTP integration. Each
// integration reads only some of the fields, so the others are left out,
// because an Application Load Balancer returns 502 when the response carries
// its headers in the field of the other header mode.
type response struct {
	StatusCode        int                 `json:"statusCode"`
	StatusDescription string              `json:"statusDescription,omitempty"`
	Headers           map[string]string   `json:"headers,omitempty"`
	MultiValueHeaders map[string][]string `json:"multiValueHeaders,omitempty"`
	Body              string              `json:"body"`
	IsBase64Encoded   bool                `json:"isBase64Encoded"`
}

// response shapes r for the integration of k: REST APIs and multi-value
// ALB target groups read multiValueHeaders, HTTP APIs, function URLs and
// single-value ALB target groups read headers, and ALB also needs
// statusDescription.
//
// NOTE: Content-Length is left out because each integration sets it from
// the body it sends. A HEAD response therefore lacks the length of the body
// that GET would send, which the local runner gives.
func (r result) response(k kind) response {
	header := r.header.Clone()
	header.Del("Content-Length")

	out := response{StatusCode: r.status, Body: r.body, IsBase64Encoded: r.base64}
	switch k {
	case kindRESTv1, kindHTTPv1, kindALBMulti:
		out.MultiValueHeaders = header
	default:
		out.Headers = make(map[string]string, len(header))
		for key, values := range header {
			out.Headers[key] = strings.Join(values, ",")
		}
	}
	if k == kindALB || k == kindALBMulti {
		out.StatusDescription = strconv.Itoa(r.status) + " " + http.StatusText(r.status)
	}
	return out
}

func internalError() result {
	return errorResult(http.StatusInternalServerError, "INTERNAL_SERVER_ERROR", "Internal Server Error")
}

func badRequest() result {
	return errorResult(http.StatusBadRequest, "BAD REQUEST", "Bad Request")
}

// errorResult builds the error envelope of Kaspersky's service with the
// headers that function.Handler sends.
func errorResult(status int, code, message string) result {
	header := http.Header{}
	header.Set("Content-Type", "application/json")
	header.Set("Cache-Control", "no-store")
	return result{status: status, header: header, body: string(function.MarshalError(code, message))}
}
