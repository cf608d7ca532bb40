package api

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
)

// The buffers a WebSocket connection keeps for its life. Clients send a
// few small frames (init, subscribe, ping); larger frames either way are
// read or written through in a few more system calls. net/http's own
// 4 KB reader and 4 KB writer would otherwise stay with every idle
// subscription.
const (
	wsReadBuffer  = 512
	wsWriteBuffer = 1024
)

// serveDetached serves a WebSocket upgrade on a goroutine of its own and
// returns once the connection is hijacked: net/http then lets go of its
// per-connection state (its buffers, the request's parsing, the serving
// goroutine's grown stack), which would otherwise stay with every idle
// subscription for its life. r's context must not end with the handler
// (context.WithoutCancel): the connection outlives it.
func serveDetached(log *slog.Logger, next http.Handler, w http.ResponseWriter, r *http.Request) {
	sw := &smallBuffers{ResponseWriter: w, hijacked: make(chan struct{})}
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer func() {
			// net/http's own recovery does not cover this goroutine.
			if v := recover(); v != nil {
				log.ErrorContext(r.Context(), "api: panic serving a WebSocket", "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
			}
		}()
		next.ServeHTTP(sw, r)
	}()
	select {
	case <-sw.hijacked:
	case <-done: // refused before the upgrade: the answer is written
	}
}

// smallBuffers is the ResponseWriter a WebSocket upgrade is served with:
// its Hijack hands the WebSocket library small buffers in place of
// net/http's, and says when the connection is the handler's.
type smallBuffers struct {
	http.ResponseWriter
	hijacked chan struct{} // closed once hijacked
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *smallBuffers) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *smallBuffers) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, brw, err := http.NewResponseController(w.ResponseWriter).Hijack()
	if err != nil {
		return nil, nil, fmt.Errorf("hijack the connection for a WebSocket: %w", err)
	}
	// Bytes the client sent after its upgrade request, already read into
	// net/http's buffer, must be in the new reader's buffer: the
	// WebSocket library keeps what is buffered and reads the rest from
	// conn.
	br := bufio.NewReaderSize(conn, wsReadBuffer)
	if n := brw.Reader.Buffered(); n > 0 {
		b, _ := brw.Reader.Peek(n)
		br = bufio.NewReaderSize(io.MultiReader(bytes.NewReader(bytes.Clone(b)), conn), max(n, wsReadBuffer))
		if _, err := br.Peek(n); err != nil {
			conn.Close()
			return nil, nil, fmt.Errorf("hijack the connection for a WebSocket: keep %d buffered bytes: %w", n, err)
		}
	}
	// The library reads the response's header after Hijack; nothing may
	// write. Holding no reference to net/http's writer lets its
	// connection state go.
	w.ResponseWriter = hijackedWriter{h: w.Header().Clone()}
	close(w.hijacked)
	return conn, bufio.NewReadWriter(br, bufio.NewWriterSize(conn, wsWriteBuffer)), nil
}

// hijackedWriter stands in for the ResponseWriter of a hijacked
// connection.
type hijackedWriter struct{ h http.Header }

func (w hijackedWriter) Header() http.Header     { return w.h }
func (hijackedWriter) Write([]byte) (int, error) { return 0, http.ErrHijacked }
func (hijackedWriter) WriteHeader(int)           {}
