package live

import (
	"log/slog"
	"time"

	"github.com/ozmon/ozmon/internal/metrics"
)

// Option configures a Publisher or a Hub; each says which it is for.
type Option func(*options)

type options struct {
	prefix     string
	maxLen     int64
	timeout    time.Duration
	matchBytes int
	buffer     int
	readers    int
	block      time.Duration
	metrics    *metrics.Metrics
	log        *slog.Logger
}

func newOptions(opts []Option) options {
	o := options{prefix: DefaultKeyPrefix, maxLen: 10000, timeout: 250 * time.Millisecond, matchBytes: 64 << 10,
		buffer: 256, readers: 2, block: 5 * time.Second}
	for _, opt := range opts {
		opt(&o)
	}
	if o.metrics == nil {
		o.metrics = metrics.New()
	}
	if o.log == nil {
		o.log = slog.Default()
	}
	return o
}

// WithKeyPrefix sets the stream keys' prefix (both; default
// DefaultKeyPrefix). Publishers and hubs of one deployment must agree.
func WithKeyPrefix(p string) Option {
	return func(o *options) {
		if p != "" {
			o.prefix = p
		}
	}
}

// WithMaxLen bounds each tenant's stream (Publisher; default 10,000,
// api.stream_max_len): the window a subscriber can resume within. Redis
// trims approximately (MAXLEN ~), so a few more may be kept.
func WithMaxLen(n int64) Option {
	return func(o *options) {
		if n > 0 {
			o.maxLen = n
		}
	}
}

// WithTimeout bounds one publish (Publisher; default 250 ms): past it the
// events are dropped and counted, and the pipeline goes on.
func WithTimeout(d time.Duration) Option {
	return func(o *options) {
		if d > 0 {
			o.timeout = d
		}
	}
}

// WithMaxMatchBytes bounds the MonitorMatch JSON a match event carries
// (Publisher; default 64 KiB); a larger one is left out (MatchOmitted), so
// a monitor with a huge expression cannot fill Redis through its stream.
func WithMaxMatchBytes(n int) Option {
	return func(o *options) {
		if n > 0 {
			o.matchBytes = n
		}
	}
}

// WithBuffer sets how many events a subscriber may lag before it is cut
// off (Hub; default 256, api.subscriber_buffer).
func WithBuffer(n int) Option {
	return func(o *options) {
		if n > 0 {
			o.buffer = n
		}
	}
}

// WithReaders sets how many reader goroutines the hub runs (Hub; default
// 2). Each holds at most one Redis connection, blocked in an XREAD over
// its share of the tenants; tenants are spread over them by hash.
func WithReaders(n int) Option {
	return func(o *options) {
		if n > 0 {
			o.readers = n
		}
	}
}

// WithMetrics sets the instruments (both; default a private set).
func WithMetrics(m *metrics.Metrics) Option { return func(o *options) { o.metrics = m } }

// WithLogger sets the logger (both; default slog.Default()).
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.log = l } }
