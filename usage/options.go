package usage

import (
	"log/slog"
	"time"
)

// Option configures a Meter.
type Option func(*Meter)

// WithInterval sets how often Run flushes (default 10 s): the most a
// process killed between flushes can lose.
func WithInterval(d time.Duration) Option {
	return func(m *Meter) {
		if d > 0 {
			m.interval = d
		}
	}
}

// WithShutdownTimeout bounds the last flush made by Shutdown (default 10 s).
func WithShutdownTimeout(d time.Duration) Option {
	return func(m *Meter) {
		if d > 0 {
			m.shutdownTimeout = d
		}
	}
}

// WithFlushTimeout bounds each periodic flush (default 30 s).
func WithFlushTimeout(d time.Duration) Option {
	return func(m *Meter) {
		if d > 0 {
			m.flushTimeout = d
		}
	}
}

// WithMaxPending bounds the tenant-hours kept across failed flushes
// (default 2,000,000: 100,000 active tenants through a 20-hour outage, a
// few hundred MB). Past it the oldest hours are dropped, loudly.
func WithMaxPending(n int) Option {
	return func(m *Meter) {
		if n > 0 {
			m.maxPending = n
		}
	}
}

// WithClock replaces time.Now (tests: hour boundaries).
func WithClock(now func() time.Time) Option {
	return func(m *Meter) {
		if now != nil {
			m.now = now
		}
	}
}

// WithLogger sets the logger for flush failures (default slog.Default()).
func WithLogger(l *slog.Logger) Option {
	return func(m *Meter) {
		if l != nil {
			m.log = l
		}
	}
}
