// Command bareserver is the baseline of the load benchmark: a bare net/http
// handler that writes fixed bytes with the same headers as kesl-status, so
// that the difference in requests per second is the cost of our handler.
package main

import (
	"flag"
	"log"
	"net/http"
	"os"
	"strconv"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:18086", "address to listen on (host:port)")
	bodyFile := flag.String("body", "", "file whose content is the answer to every request")
	flag.Parse()

	body, err := os.ReadFile(*bodyFile)
	if err != nil {
		log.Fatalf("bareserver: read body: %v", err)
	}
	length := strconv.Itoa(len(body))

	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Type", "application/json")
		h.Set("Cache-Control", "no-store")
		h.Set("Content-Length", length)
		w.Write(body)
	})
	log.Fatal(http.ListenAndServe(*listen, nil))
}
