// Package function is the handler core of kesl-status. It holds the status
// document that the REST service of the KESL container returns from
// GET /status and the Backend interface that reports it for one host. It
// also holds a time-to-live cache with single-flight in front of a Backend,
// and the http.Handler that the Lambda adapter and the local runner share.
//
// The document is byte-compatible with Kaspersky's service (build
// 12.0.0-6672): compact JSON with keys sorted at every level, every non-ASCII
// character written as a lowercase \uXXXX escape, '<', '>' and '&' left as
// they are, and one trailing newline.
package function
