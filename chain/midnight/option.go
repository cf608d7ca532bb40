package midnight

import (
	"log/slog"
	"time"
)

// Option configures a Client. Out-of-range values keep the default.
type Option func(*options)

type options struct {
	messageTimeout time.Duration
	connectTimeout time.Duration
	heartbeat      time.Duration
	rounds         int
	maxMessage     int64
	log            *slog.Logger
	observe        func(method, endpoint string, err error)
}

func defaultOptions() options {
	return options{
		messageTimeout: 5 * time.Second,
		connectTimeout: 10 * time.Second,
		heartbeat:      30 * time.Second,
		rounds:         1,
		maxMessage:     64 << 20,
		log:            slog.New(slog.DiscardHandler),
	}
}

// WithMessageTimeout bounds the wait for each frame of an answer (default
// 5 s, OpenZeppelin Monitor's); a silent endpoint is left for the next.
func WithMessageTimeout(d time.Duration) Option {
	return func(o *options) {
		if d > 0 {
			o.messageTimeout = d
		}
	}
}

// WithConnectTimeout bounds one WebSocket handshake (default 10 s).
func WithConnectTimeout(d time.Duration) Option {
	return func(o *options) {
		if d > 0 {
			o.connectTimeout = d
		}
	}
}

// WithHeartbeat sets how often an idle connection is pinged (default 30 s);
// a ping without pong closes it, so the next call reconnects.
func WithHeartbeat(d time.Duration) Option {
	return func(o *options) {
		if d > 0 {
			o.heartbeat = d
		}
	}
}

// WithRounds sets how many times a call goes round all endpoints before it
// fails (default 1: each endpoint once, OpenZeppelin Monitor's rotation).
func WithRounds(n int) Option {
	return func(o *options) {
		if n > 0 {
			o.rounds = n
		}
	}
}

// WithMaxMessageBytes caps one answer frame (default 64 MiB).
func WithMaxMessageBytes(n int64) Option {
	return func(o *options) {
		if n > 0 {
			o.maxMessage = n
		}
	}
}

// WithLogger sets the logger for rotations (default: discard).
func WithLogger(l *slog.Logger) Option {
	return func(o *options) {
		if l != nil {
			o.log = l
		}
	}
}

// WithCallObserver is called after every attempt with the method, the
// redacted endpoint URL and the attempt's error (nil on success); metrics
// hang off it. It must be fast.
func WithCallObserver(f func(method, endpoint string, err error)) Option {
	return func(o *options) { o.observe = f }
}
