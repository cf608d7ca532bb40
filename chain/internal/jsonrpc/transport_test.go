package jsonrpc

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// server answers every call with body and status, recording the requests.
type server struct {
	*httptest.Server
	mu    sync.Mutex
	calls int
	reqs  []map[string]any
}

func newServer(t *testing.T, status int, body string) *server {
	t.Helper()
	s := &server{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req map[string]any
		data, _ := io.ReadAll(r.Body)
		_ = json.Unmarshal(data, &req)
		s.mu.Lock()
		s.calls++
		s.reqs = append(s.reqs, req)
		s.mu.Unlock()
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *server) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls
}

// testError is the chain package's CallError stand-in.
type testError struct{ f Fault }

func (e *testError) Error() string {
	return fmt.Sprintf("at %s: status %d code %d %s: %v", e.f.Endpoint, e.f.HTTPStatus, e.f.Code, e.f.Message, e.f.Err)
}
func (e *testError) Unwrap() error { return e.f.Err }

func newCall(result any) Call {
	return Call{
		Method: "getThing",
		Result: result,
		Fault:  func(f Fault) error { return &testError{f} },
	}
}

func fast(opts ...Option) []Option {
	return append([]Option{WithBackoff(time.Millisecond, time.Millisecond), WithCallTimeout(2 * time.Second)}, opts...)
}

func TestFailoverOrderByWeight(t *testing.T) {
	bad := newServer(t, http.StatusServiceUnavailable, "")
	garbage := newServer(t, http.StatusOK, "<html>")
	good := newServer(t, http.StatusOK, `{"jsonrpc":"2.0","id":1,"result":{"n":7}}`)
	var seen []string
	var mu sync.Mutex
	tr, err := New("test rpc", []Endpoint{
		{URL: good.URL, Weight: 1},
		{URL: "http://127.0.0.1:1/skipped", Weight: 0},
		{URL: bad.URL, Weight: 5},
		{URL: garbage.URL, Weight: 3},
	}, fast(WithCallObserver(func(method, ep string, err error) {
		mu.Lock()
		defer mu.Unlock()
		seen = append(seen, fmt.Sprintf("%s %s %v", method, ep, err == nil))
	}))...)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(tr.Endpoints(), " "), bad.URL+" "+garbage.URL+" "+good.URL; got != want {
		t.Fatalf("order %q, want %q", got, want)
	}
	var r struct{ N int }
	if err := tr.Call(context.Background(), newCall(&r)); err != nil || r.N != 7 {
		t.Fatalf("call: %v, %+v", err, r)
	}
	want := []string{"getThing " + bad.URL + " false", "getThing " + garbage.URL + " false", "getThing " + good.URL + " true"}
	if strings.Join(seen, "|") != strings.Join(want, "|") {
		t.Fatalf("attempts %q, want %q", seen, want)
	}
	// Sticky: the next call starts at the endpoint that worked.
	seen = nil
	if err := tr.Call(context.Background(), newCall(&r)); err != nil || len(seen) != 1 || bad.count() != 1 {
		t.Fatalf("sticky: %v, %q, primary asked %d times", err, seen, bad.count())
	}
}

func TestFailback(t *testing.T) {
	bad := newServer(t, http.StatusTooManyRequests, "")
	good := newServer(t, http.StatusOK, `{"result":1}`)
	tr, err := New("test rpc", []Endpoint{{URL: bad.URL, Weight: 2}, {URL: good.URL, Weight: 1}}, fast(WithFailback(time.Millisecond))...)
	if err != nil {
		t.Fatal(err)
	}
	var n int
	for range 2 {
		if err := tr.Call(context.Background(), newCall(&n)); err != nil {
			t.Fatal(err)
		}
		time.Sleep(5 * time.Millisecond)
	}
	if bad.count() != 2 {
		t.Fatalf("primary asked %d times, want 2 (failback after 1 ms)", bad.count())
	}
}

func TestAllFailed(t *testing.T) {
	a := newServer(t, http.StatusInternalServerError, "")
	b := newServer(t, http.StatusOK, `{"error":{"code":-32601,"message":"no such method"}}`)
	tr, err := New("test rpc", []Endpoint{{URL: a.URL, Weight: 1}, {URL: b.URL, Weight: 1}}, fast(WithRetries(3))...)
	if err != nil {
		t.Fatal(err)
	}
	c := newCall(new(int))
	c.Subject = "block 9"
	err = tr.Call(context.Background(), c)
	if err == nil || !strings.HasPrefix(err.Error(), "test rpc getThing block 9: all 2 endpoints failed (3 rounds): ") {
		t.Fatalf("error %v", err)
	}
	// 5xx is transient (asked every round); an unknown method is final.
	if a.count() != 3 || b.count() != 1 {
		t.Fatalf("asked %d and %d times, want 3 and 1", a.count(), b.count())
	}
}

var errMissing = errors.New("missing")

func TestAnswersSettle(t *testing.T) {
	a := newServer(t, http.StatusOK, `{"result":null}`)
	b := newServer(t, http.StatusOK, `{"result":null}`)
	tr, err := New("test rpc", []Endpoint{{URL: a.URL, Weight: 1}, {URL: b.URL, Weight: 1}}, fast(WithRawResult())...)
	if err != nil {
		t.Fatal(err)
	}
	var raw json.RawMessage
	c := newCall(&raw)
	c.Check = func() error {
		if string(raw) == "null" {
			return errMissing
		}
		return nil
	}
	c.Answer = func(err error, _ string) bool { return errors.Is(err, errMissing) }
	c.Settle = func(answers []error) error { return fmt.Errorf("%d answers: %w", len(answers), errMissing) }
	if err := tr.Call(context.Background(), c); err == nil || err.Error() != "2 answers: missing" {
		t.Fatalf("error %v", err)
	}
	if a.count() != 1 || b.count() != 1 {
		t.Fatal("an answering endpoint was asked again")
	}
	// Params: nil is left out, an empty list is sent.
	c.Params = []any{}
	_ = tr.Call(context.Background(), c)
	if _, ok := a.reqs[0]["params"]; ok {
		t.Errorf("nil params sent: %v", a.reqs[0])
	}
	if p, ok := a.reqs[1]["params"]; !ok || fmt.Sprint(p) != "[]" {
		t.Errorf("empty params not sent as []: %v", a.reqs[1])
	}
}

func TestSizeCap(t *testing.T) {
	big := `{"result":"` + strings.Repeat("x", 4096) + `"}`
	for _, raw := range []bool{false, true} {
		s := newServer(t, http.StatusOK, big)
		opts, result := resultFor(raw, fast(WithRetries(1), WithMaxResponseBytes(1024)))
		tr, err := New("test rpc", []Endpoint{{URL: s.URL, Weight: 1}}, opts...)
		if err != nil {
			t.Fatal(err)
		}
		err = tr.Call(context.Background(), newCall(result))
		if err == nil || !strings.Contains(err.Error(), "response larger than 1024 bytes") {
			t.Errorf("raw=%v: error %v", raw, err)
		}
	}
}

func TestBackoffBound(t *testing.T) {
	tr, err := New("test rpc", []Endpoint{{URL: "http://127.0.0.1:1", Weight: 1}},
		WithBackoff(10*time.Millisecond, 35*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	for round := 1; round <= 8; round++ {
		d := min(10*time.Millisecond<<(round-1), 35*time.Millisecond)
		for range 50 {
			if got := tr.backoff(round); got < d/2 || got > d {
				t.Fatalf("round %d: backoff %s outside [%s, %s]", round, got, d/2, d)
			}
		}
	}
	// A cap below the base is raised to it.
	tr, _ = New("test rpc", []Endpoint{{URL: "http://127.0.0.1:1", Weight: 1}}, WithBackoff(time.Second, time.Millisecond))
	if got := tr.backoff(3); got > time.Second {
		t.Fatalf("backoff %s above the base", got)
	}
}

func TestNewErrors(t *testing.T) {
	if _, err := New("test rpc", []Endpoint{{URL: "http://127.0.0.1", Weight: 0}}); err == nil ||
		err.Error() != "test rpc client: no endpoint with a positive weight" {
		t.Errorf("no weight: %v", err)
	}
	_, err := New("test rpc", []Endpoint{{URL: "http://127.0.0.1", Weight: 1}, {URL: "ftp://x/key0123456789abcdef", Weight: 1}})
	if err == nil || err.Error() != `test rpc client: endpoint 2: URL scheme "ftp" is not http or https` {
		t.Errorf("bad scheme: %v", err)
	}
}

func TestRedactURL(t *testing.T) {
	for in, want := range map[string]string{
		"https://rpc.example.org":                               "https://rpc.example.org",
		"https://user:pw@rpc.example.org/v1?apikey=s3cret":      "https://REDACTED@rpc.example.org/v1?REDACTED",
		"https://mainnet.infura.io/v3/0123456789abcdef0123":     "https://mainnet.infura.io/v3/REDACTED",
		"http://127.0.0.1:8000/soroban/rpc":                     "http://127.0.0.1:8000/soroban/rpc",
		"https://node.example/averylongpathsegmentwithoutdigit": "https://node.example/averylongpathsegmentwithoutdigit",
	} {
		if got, err := RedactURL(in); err != nil || got != want {
			t.Errorf("RedactURL(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"ftp://x", "http://", "://bad", "http://h/%zz0123456789abcdef"} {
		if got, err := RedactURL(in); err == nil {
			t.Errorf("RedactURL(%q) = %q, want an error", in, got)
		} else if strings.Contains(err.Error(), "0123456789abcdef") {
			t.Errorf("RedactURL(%q) error leaks the URL: %v", in, err)
		}
	}
}

func TestFaultDescribe(t *testing.T) {
	for _, tc := range []struct {
		f       Fault
		subject string
		want    string
	}{
		{Fault{Endpoint: "https://a", HTTPStatus: 503, Err: errors.New("Service Unavailable")}, "", "x rpc m at https://a: HTTP 503: Service Unavailable"},
		{Fault{Endpoint: "https://a", Code: -32602, Message: "bad params", Err: errMissing}, "ledger 5", "x rpc m ledger 5 at https://a: JSON-RPC error -32602: bad params"},
		{Fault{Endpoint: "https://a", Err: errMissing}, "block 1", "x rpc m block 1 at https://a: missing"},
	} {
		if got := tc.f.Describe("x rpc", "m", tc.subject); got != tc.want {
			t.Errorf("Describe = %q, want %q", got, tc.want)
		}
	}
}
