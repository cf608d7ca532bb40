package ozmontest

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"
)

// SinkRequest is one request a WebhookSink received.
type SinkRequest struct {
	Method   string
	Path     string // escaped path, as on the wire (tokens in Slack/Telegram paths stay visible)
	RawQuery string
	Header   http.Header
	Body     []byte
	At       time.Time
}

// SinkResponse is how a WebhookSink answers one request.
type SinkResponse struct {
	Status int           // default 200
	Header http.Header   // e.g. Retry-After
	Body   string        // default "ok"
	Delay  time.Duration // wait before answering (a slow receiver)
}

// WebhookSink is a local HTTP receiver on 127.0.0.1 that records every request, playing Slack,
// Discord, Telegram and webhook endpoints in tests and in `make dev`. Its answers can be
// scripted per call: the i-th request gets the i-th scripted response, later ones the default.
type WebhookSink struct {
	srv      *http.Server
	ln       net.Listener
	url      string
	closed   chan struct{}
	onReq    func(SinkRequest)
	maxBody  int64
	mu       sync.Mutex
	reqs     []SinkRequest
	script   []SinkResponse
	fallback SinkResponse
	arrived  chan struct{} // closed and replaced on every request, to wake WaitFor
}

// WebhookSinkOption configures a WebhookSink.
type WebhookSinkOption func(*WebhookSink)

// SinkResponses scripts the answers to the first len(rs) requests, in order.
func SinkResponses(rs ...SinkResponse) WebhookSinkOption {
	return func(s *WebhookSink) { s.script = append(s.script, rs...) }
}

// SinkFailTimes answers the next n requests with status (e.g. 500) before the default.
func SinkFailTimes(n, status int) WebhookSinkOption {
	return func(s *WebhookSink) {
		for range n {
			s.script = append(s.script, SinkResponse{Status: status, Body: http.StatusText(status)})
		}
	}
}

// SinkRateLimited answers the next n requests with 429 and the given Retry-After value.
func SinkRateLimited(n int, retryAfter string) WebhookSinkOption {
	return func(s *WebhookSink) {
		for range n {
			s.script = append(s.script, SinkResponse{
				Status: http.StatusTooManyRequests,
				Header: http.Header{"Retry-After": {retryAfter}},
				Body:   "rate limited",
			})
		}
	}
}

// SinkDefault sets the answer given once the script is used up (default 200 "ok").
func SinkDefault(r SinkResponse) WebhookSinkOption {
	return func(s *WebhookSink) { s.fallback = r }
}

// SinkOnRequest calls f with every request as it arrives (`make dev` prints notifications).
func SinkOnRequest(f func(SinkRequest)) WebhookSinkOption {
	return func(s *WebhookSink) { s.onReq = f }
}

// StartWebhookSink starts a sink on a free 127.0.0.1 port, closed when the test ends.
func StartWebhookSink(tb testing.TB, opts ...WebhookSinkOption) *WebhookSink {
	tb.Helper()
	s, err := NewWebhookSink("127.0.0.1:0", opts...)
	if err != nil {
		tb.Fatalf("start webhook sink: %v", err)
	}
	tb.Cleanup(func() { _ = s.Close() })
	return s
}

// NewWebhookSink starts a sink listening on addr (e.g. "127.0.0.1:9099" for `make dev`).
func NewWebhookSink(addr string, opts ...WebhookSinkOption) (*WebhookSink, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("webhook sink: listen on %s: %w", addr, err)
	}
	s := &WebhookSink{
		ln:       ln,
		url:      "http://" + ln.Addr().String(),
		closed:   make(chan struct{}),
		maxBody:  16 << 20,
		fallback: SinkResponse{Status: http.StatusOK, Body: "ok"},
		arrived:  make(chan struct{}),
	}
	for _, o := range opts {
		o(s)
	}
	s.srv = &http.Server{Handler: http.HandlerFunc(s.serve), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = s.srv.Serve(ln) }()
	return s, nil
}

// URL is the sink's base URL, "http://127.0.0.1:PORT"; any path under it is accepted.
func (s *WebhookSink) URL() string { return s.url }

// Addr is the sink's listening address.
func (s *WebhookSink) Addr() string { return s.ln.Addr().String() }

// Close stops the sink, cutting slow responses short.
func (s *WebhookSink) Close() error {
	select {
	case <-s.closed:
		return nil
	default:
		close(s.closed)
	}
	return s.srv.Close()
}

func (s *WebhookSink) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, s.maxBody))
	if err != nil {
		http.Error(w, "read body", http.StatusBadRequest)
		return
	}
	req := SinkRequest{
		Method:   r.Method,
		Path:     r.URL.EscapedPath(),
		RawQuery: r.URL.RawQuery,
		Header:   r.Header.Clone(),
		Body:     body,
		At:       time.Now(),
	}
	s.mu.Lock()
	n := len(s.reqs)
	s.reqs = append(s.reqs, req)
	resp := s.fallback
	if n < len(s.script) {
		resp = s.script[n]
	}
	close(s.arrived)
	s.arrived = make(chan struct{})
	s.mu.Unlock()
	if s.onReq != nil {
		s.onReq(req)
	}
	if resp.Delay > 0 {
		t := time.NewTimer(resp.Delay)
		defer t.Stop()
		select {
		case <-t.C:
		case <-r.Context().Done():
			return
		case <-s.closed:
			return
		}
	}
	for k, vs := range resp.Header {
		w.Header()[k] = vs
	}
	status := resp.Status
	if status == 0 {
		status = http.StatusOK
	}
	w.WriteHeader(status)
	_, _ = io.WriteString(w, resp.Body)
}

// Requests returns a copy of every request received so far, in arrival order.
func (s *WebhookSink) Requests() []SinkRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]SinkRequest(nil), s.reqs...)
}

// Count is the number of requests received so far.
func (s *WebhookSink) Count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.reqs)
}

// ErrSinkTimeout is returned by WaitFor when too few requests or messages arrived in time.
var ErrSinkTimeout = errors.New("sink: timed out waiting")

// WaitFor blocks until at least n requests have arrived or timeout passes, and returns the
// requests received so far.
func (s *WebhookSink) WaitFor(n int, timeout time.Duration) ([]SinkRequest, error) {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		got, wake := len(s.reqs), s.arrived
		s.mu.Unlock()
		if got >= n {
			return s.Requests(), nil
		}
		select {
		case <-wake:
		case <-deadline.C:
			return s.Requests(), fmt.Errorf("%w: %d of %d requests after %s", ErrSinkTimeout, got, n, timeout)
		}
	}
}
