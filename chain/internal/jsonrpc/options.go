package jsonrpc

import (
	"log/slog"
	"time"
)

// Option configures a Transport. Out-of-range values keep the default, so
// a chain package can pass its users' options straight through.
type Option func(*Transport)

// WithCallTimeout bounds one attempt of one call at one endpoint.
func WithCallTimeout(d time.Duration) Option {
	return func(t *Transport) {
		if d > 0 {
			t.callTimeout = d
		}
	}
}

// WithRetries sets how many rounds over all endpoints a call makes.
func WithRetries(rounds int) Option {
	return func(t *Transport) {
		if rounds > 0 {
			t.rounds = rounds
		}
	}
}

// WithBackoff sets the pause after the first failed round and its cap.
func WithBackoff(base, max time.Duration) Option {
	return func(t *Transport) {
		if base > 0 {
			t.backoffBase = base
		}
		if max > 0 {
			t.backoffMax = max
		}
	}
}

// WithLogger sets the logger for failed attempts and failovers.
func WithLogger(l *slog.Logger) Option {
	return func(t *Transport) {
		if l != nil {
			t.log = l
		}
	}
}

// WithCallObserver is called after every attempt with the method, the
// redacted endpoint URL and the attempt's error (nil on success).
func WithCallObserver(f func(method, endpointURL string, err error)) Option {
	return func(t *Transport) { t.observe = f }
}

// WithMaxResponseBytes caps one response body (default 64 MiB); a call's
// own Call.MaxBytes overrides it. The cap bounds memory too: an answer is
// read into one buffer of at most cap+1 bytes (about 1.5 times that while
// it grows when the server sends no Content-Length), and a larger answer
// fails, naming the cap, without being read further.
func WithMaxResponseBytes(n int64) Option {
	return func(t *Transport) {
		if n > 0 {
			t.maxRespBytes = n
		}
	}
}

// WithFailback sets how long calls keep starting at a fallback endpoint
// before the highest-weight one is tried first again.
func WithFailback(d time.Duration) Option {
	return func(t *Transport) {
		if d > 0 {
			t.failbackAfter = d
		}
	}
}

// WithRawResult makes calls hand back the result as it came, sharing the
// body's buffer: Call.Result must be a *json.RawMessage, a null result is
// a result ("null", for the Check to judge) and an absent one is an error.
// Without it the result is decoded straight into Call.Result, and a null
// result is an error.
func WithRawResult() Option {
	return func(t *Transport) { t.raw = true }
}

// WithMaxBlockBytes records a cap for answers that carry whole blocks. The
// transport does not apply it itself: the chain client reads it back
// (MaxBlockBytes) to size such calls' Call.MaxBytes, as Stellar's
// getLedgers cap grows with the number of ledgers asked.
func WithMaxBlockBytes(n int64) Option {
	return func(t *Transport) {
		if n > 0 {
			t.maxBlockBytes = n
		}
	}
}
