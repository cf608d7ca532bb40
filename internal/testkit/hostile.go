package testkit

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// OversizedRPC is a hostile JSON-RPC endpoint on 127.0.0.1: every request
// is answered with HTTP 200, prefix (whole), then filler ('A', valid base64) up to
// total bytes, sent without a Content-Length and never closed into valid
// JSON. It stops when the client goes away. Sent counts the bytes it
// managed to write.
type OversizedRPC struct {
	URL  string
	sent atomic.Int64
}

// StartOversizedRPC starts an OversizedRPC, closed when the test ends.
func StartOversizedRPC(tb testing.TB, prefix string, total int64) *OversizedRPC {
	tb.Helper()
	o := &OversizedRPC{}
	chunk := []byte(strings.Repeat("A", 64<<10))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		n, _ := io.WriteString(w, prefix)
		o.sent.Add(int64(n))
		for left := total - int64(n); left > 0 && r.Context().Err() == nil; {
			n, err := w.Write(chunk[:min(left, int64(len(chunk)))])
			o.sent.Add(int64(n))
			left -= int64(n)
			if err != nil {
				return
			}
		}
	}))
	tb.Cleanup(srv.Close)
	o.URL = srv.URL
	return o
}

// Sent is how many bytes of answers the server has written so far.
func (o *OversizedRPC) Sent() int64 { return o.sent.Load() }

// PeakHeap runs f and returns the highest live heap seen while it ran,
// above what was live before (sampled every millisecond, after a GC), for
// figures on how memory follows a size cap. It is a measure for
// benchmarks and reports, not for assertions: sampling may miss a peak.
func PeakHeap(f func()) uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapAlloc
	var peak atomic.Uint64
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			if m.HeapAlloc > base && m.HeapAlloc-base > peak.Load() {
				peak.Store(m.HeapAlloc - base)
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	f()
	close(done)
	<-stopped
	return peak.Load()
}

// CheckBoundedError fails tb unless err matches target (errors.Is), is at
// most maxLen bytes of text and names each of wants: what a hostile
// answer's error must be.
func CheckBoundedError(tb testing.TB, err, target error, maxLen int, wants ...string) {
	tb.Helper()
	if err == nil {
		tb.Fatal("the hostile answer was accepted")
	}
	msg := err.Error()
	for _, want := range wants {
		if !strings.Contains(msg, want) {
			tb.Errorf("error %.600q does not name %q", msg, want)
		}
	}
	if !errors.Is(err, target) || len(msg) > maxLen {
		tb.Errorf("error of %d bytes (at most %d), or not %v: %.600s", len(msg), maxLen, target, msg)
	}
}

// ReportPeakHeap runs call once per iteration, failing b if it succeeds
// (the hostile answer was accepted), and reports the highest live heap
// seen as peak-heap-MB.
func ReportPeakHeap(b *testing.B, call func() error) {
	b.Helper()
	var peak uint64
	for b.Loop() {
		peak = max(peak, PeakHeap(func() {
			if call() == nil {
				b.Fatal("the hostile answer was accepted")
			}
		}))
	}
	b.ReportMetric(float64(peak)/1e6, "peak-heap-MB")
}
