package testutil

import (
	"net"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/kesl-status/kesl-status/function"
)

// ServeDocument starts an HTTP server on loopback that returns doc as the
// REST service of the KESL container does, and returns its /status URL.
// The server stops when the test ends.
func ServeDocument(tb testing.TB, doc function.Document) string {
	tb.Helper()
	body := function.Marshal(doc)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	}))
	tb.Cleanup(srv.Close)
	return srv.URL + "/status"
}

// FreeAddr returns a loopback host:port that was free a moment ago, so
// that a connection to it is refused unless something took it since.
func FreeAddr(tb testing.TB) string {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}
