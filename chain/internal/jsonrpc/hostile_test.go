package jsonrpc

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// describedError is a chain's CallError as the chains build it: its text
// is Fault.Describe's.
type describedError struct{ f Fault }

func (e *describedError) Error() string { return e.f.Describe("test rpc", "getThing", "thing 7") }
func (e *describedError) Unwrap() error { return e.f.Err }

func describedCall(result any) Call {
	c := newCall(result)
	c.Fault = func(f Fault) error { return &describedError{f} }
	return c
}

// hostile serves handle and counts the requests.
func hostile(t *testing.T, handle func(w http.ResponseWriter, r *http.Request)) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		_, _ = io.Copy(io.Discard, r.Body)
		handle(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

// endless writes prefix, then x forever, until the client goes away.
func endless(prefix string) func(w http.ResponseWriter, r *http.Request) {
	chunk := []byte(strings.Repeat("x", 64<<10))
	return func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, prefix)
		for r.Context().Err() == nil {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	}
}

// TestOversizedAnswerFailsAtCap: an endless body, in each decoding mode,
// fails with ErrTooLarge after cap+1 bytes, with a short error naming the
// method, the redacted endpoint and the cap, and that endpoint is not
// asked again (its answer would be the same).
func TestOversizedAnswerFailsAtCap(t *testing.T) {
	srv, calls := hostile(t, endless(`{"jsonrpc":"2.0","id":1,"result":"`))
	for _, mode := range []string{"decode", "parse", "raw"} {
		calls.Store(0)
		opts, result := resultFor(mode == "raw", fast(WithRetries(3), WithMaxResponseBytes(1<<20)))
		tr, err := New("test rpc", []Endpoint{{URL: srv.URL + "/v2/key0123456789abcdefgh", Weight: 1}}, opts...)
		if err != nil {
			t.Fatal(err)
		}
		c := describedCall(result)
		if mode == "parse" {
			c.Parse = func([]byte) bool { t.Error("Parse called on a body over the cap"); return false }
		}
		err = tr.Call(context.Background(), c)
		if !errors.Is(err, ErrTooLarge) {
			t.Fatalf("%s: error %v, want ErrTooLarge", mode, err)
		}
		msg := err.Error()
		for _, want := range []string{"getThing", srv.URL + "/v2/REDACTED", "1048576 bytes"} {
			if !strings.Contains(msg, want) {
				t.Errorf("%s: error %q does not name %q", mode, msg, want)
			}
		}
		if len(msg) > 1024 || strings.Contains(msg, "key0123456789") {
			t.Errorf("%s: error of %d bytes, or with the key: %.300q", mode, len(msg), msg)
		}
		if n := calls.Load(); n != 1 {
			t.Errorf("%s: %d requests, want 1 (too large is final for the endpoint)", mode, n)
		}
	}
}

// TestContentLengthOverCapFailsUnread: an answer announcing more than the
// cap fails at once, naming the cap and the announced size, without the
// body being read (the server here sends only a little of it).
func TestContentLengthOverCapFailsUnread(t *testing.T) {
	srv, _ := hostile(t, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Length", strconv.Itoa(600<<20))
		_, _ = io.WriteString(w, `{"jsonrpc":"2.0","id":1,"result":"`)
	})
	for _, raw := range []bool{false, true} {
		opts, result := resultFor(raw, fast(WithRetries(1), WithMaxResponseBytes(1<<20)))
		tr, err := New("test rpc", []Endpoint{{URL: srv.URL, Weight: 1}}, opts...)
		if err != nil {
			t.Fatal(err)
		}
		err = tr.Call(context.Background(), describedCall(result))
		if err == nil || !strings.Contains(err.Error(), "larger than 1048576 bytes") || !strings.Contains(err.Error(), "Content-Length 629145600") {
			t.Errorf("raw=%v: error %v, want the cap and the announced size", raw, err)
		}
	}
}

// TestHugeNumberErrorIsBounded: a 1 MB number where a uint32 belongs
// makes encoding/json quote it whole; the error stays short and says how
// long the cut text was.
func TestHugeNumberErrorIsBounded(t *testing.T) {
	huge := strings.Repeat("9", 1<<20)
	srv, _ := hostile(t, func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, `{"jsonrpc":"2.0","id":1,"result":{"n":`+huge+`}}`)
	})
	tr, err := New("test rpc", []Endpoint{{URL: srv.URL, Weight: 1}}, fast(WithRetries(1))...)
	if err != nil {
		t.Fatal(err)
	}
	var r struct{ N uint32 }
	err = tr.Call(context.Background(), describedCall(&r))
	if err == nil || len(err.Error()) > 1024 || !strings.Contains(err.Error(), "bytes)") {
		t.Fatalf("error of %d bytes, want a short one noting the cut: %.300v", len(errText(err)), err)
	}
	// The cause is bounded too, not only the text Describe makes of it.
	var de *describedError
	if !errors.As(err, &de) || len(errText(de.f.Err)) > 1024 {
		t.Fatalf("cause of %d bytes", len(errText(de.f.Err)))
	}
}

// TestNodeMessageIsMaskedAndBounded: a huge JSON-RPC error message that
// echoes the endpoint's key (in a URL and bare) comes back short, with
// neither.
func TestNodeMessageIsMaskedAndBounded(t *testing.T) {
	const key = "key0123456789abcdefgh"
	var url string
	srv, _ := hostile(t, func(w http.ResponseWriter, _ *http.Request) {
		msg := "bad key " + key + " (apikey=tok_secret_42) for " + url + strings.Repeat(" pad", 1<<18)
		_, _ = io.WriteString(w, `{"jsonrpc":"2.0","id":1,"error":{"code":-32000,"message":"`+msg+`"}}`)
	})
	url = srv.URL + "/v2/" + key + "?apikey=tok_secret_42"
	tr, err := New("test rpc", []Endpoint{{URL: url, Weight: 1}}, fast(WithRetries(1))...)
	if err != nil {
		t.Fatal(err)
	}
	err = tr.Call(context.Background(), describedCall(new(string)))
	if err == nil {
		t.Fatal("no error")
	}
	msg := err.Error()
	if strings.Contains(msg, key) || strings.Contains(msg, "tok_secret_42") || len(msg) > 1024 {
		t.Fatalf("error of %d bytes, or with a secret: %.600s", len(msg), msg)
	}
}

// TestSlowDripTimesOut: a node that sends its answer a byte at a time is
// cut off by the call timeout, with a short error.
func TestSlowDripTimesOut(t *testing.T) {
	srv, _ := hostile(t, func(w http.ResponseWriter, r *http.Request) {
		rc := http.NewResponseController(w)
		for r.Context().Err() == nil {
			if _, err := io.WriteString(w, " "); err != nil {
				return
			}
			_ = rc.Flush()
			time.Sleep(5 * time.Millisecond)
		}
	})
	tr, err := New("test rpc", []Endpoint{{URL: srv.URL, Weight: 1}},
		WithRetries(1), WithCallTimeout(100*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	err = tr.Call(context.Background(), describedCall(new(string)))
	if err == nil || !strings.Contains(err.Error(), "timed out after 100ms") || len(err.Error()) > 1024 {
		t.Fatalf("error %v, want a short timeout", err)
	}
}

// TestTruncateNotesLength: a cut never splits a character and says how
// long the text was.
func TestTruncateNotesLength(t *testing.T) {
	if got := Truncate("short", 10); got != "short" {
		t.Errorf("short text changed: %q", got)
	}
	if got, want := Truncate("ééé", 3), "é… (6 bytes)"; got != want {
		t.Errorf("Truncate = %q, want %q", got, want)
	}
	// Mask first, then cut: a URL straddling the cut leaves no key.
	s := "at https://rpc.example/v2/key0123456789abcdefgh: down"
	if got := BoundText(s, 40); strings.Contains(got, "key01") {
		t.Errorf("BoundText = %q keeps a prefix of the key", got)
	}
}

// resultFor returns the options and the result of a call in raw mode or
// not.
func resultFor(raw bool, opts []Option) ([]Option, any) {
	if raw {
		return append(opts, WithRawResult()), new(json.RawMessage)
	}
	return opts, new(string)
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
