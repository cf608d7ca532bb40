package evm

import (
	"cmp"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"sync"
	"time"
)

// Endpoint is one EVM JSON-RPC URL. Endpoints with a higher Weight are tried
// first; a Weight of 0 or less is skipped (OpenZeppelin Monitor's rule for
// rpc_urls).
type Endpoint struct {
	URL    string
	Weight int
}

// Client reads blocks, logs and receipts from EVM JSON-RPC endpoints with
// failover: a call that fails at one endpoint (network error, timeout, 429,
// 5xx, JSON-RPC error, garbage) is tried at the next, for a bounded number
// of rounds with backoff. Each method makes one JSON-RPC call per attempt.
// It is safe for concurrent use.
type Client struct {
	endpoints []endpoint
	http      *http.Client
	log       *slog.Logger
	observe   func(method, endpointURL string, err error)

	callTimeout   time.Duration
	rounds        int
	backoffBase   time.Duration
	backoffMax    time.Duration
	maxRespBytes  int64
	failbackAfter time.Duration

	mu         sync.Mutex
	active     int       // index of the endpoint tried first
	activeFrom time.Time // when active moved off the primary
	nextID     uint64
}

type endpoint struct {
	url      string // full URL, secrets included; never logged
	redacted string // what errors, logs and metrics show
}

// ClientOption configures a Client.
type ClientOption func(*Client)

// WithHTTPClient sets the HTTP client (transport, proxies, TLS). Its own
// Timeout should be unset or larger than the call timeout.
func WithHTTPClient(hc *http.Client) ClientOption {
	return func(c *Client) {
		if hc != nil {
			c.http = hc
		}
	}
}

// WithCallTimeout bounds one attempt of one call at one endpoint (default
// 10 s); a slower endpoint is treated as failed and the next one is tried.
func WithCallTimeout(d time.Duration) ClientOption {
	return func(c *Client) {
		if d > 0 {
			c.callTimeout = d
		}
	}
}

// WithRetries sets how many rounds over all endpoints a call makes before
// it fails (default 3). Rounds are separated by exponential backoff.
func WithRetries(rounds int) ClientOption {
	return func(c *Client) {
		if rounds > 0 {
			c.rounds = rounds
		}
	}
}

// WithBackoff sets the pause after the first failed round and its cap
// (defaults 250 ms and 5 s); each later pause doubles, with jitter.
func WithBackoff(base, max time.Duration) ClientOption {
	return func(c *Client) {
		if base > 0 {
			c.backoffBase = base
		}
		if max > 0 {
			c.backoffMax = max
		}
	}
}

// WithLogger sets the logger for failovers (default: discard).
func WithLogger(l *slog.Logger) ClientOption {
	return func(c *Client) {
		if l != nil {
			c.log = l
		}
	}
}

// WithCallObserver is called after every attempt with the method, the
// redacted endpoint URL and the attempt's error (nil on success); metrics
// hang off it. It must be fast and safe for concurrent use.
func WithCallObserver(f func(method, endpointURL string, err error)) ClientOption {
	return func(c *Client) { c.observe = f }
}

// WithMaxResponseBytes caps one response body (default 64 MiB; a full
// mainnet block with its transactions is a few MB).
func WithMaxResponseBytes(n int64) ClientOption {
	return func(c *Client) {
		if n > 0 {
			c.maxRespBytes = n
		}
	}
}

// WithFailback sets how long the client stays on a fallback endpoint after
// a failover before it tries the highest-weight endpoint first again
// (default 1 minute).
func WithFailback(d time.Duration) ClientOption {
	return func(c *Client) {
		if d > 0 {
			c.failbackAfter = d
		}
	}
}

// NewClient returns a client over the endpoints, ordered by weight (highest
// first, ties keep their given order). It makes no network call.
func NewClient(endpoints []Endpoint, opts ...ClientOption) (*Client, error) {
	eps := slices.Clone(endpoints)
	eps = slices.DeleteFunc(eps, func(e Endpoint) bool { return e.Weight <= 0 })
	if len(eps) == 0 {
		return nil, errors.New("evm rpc client: no endpoint with a positive weight")
	}
	slices.SortStableFunc(eps, func(a, b Endpoint) int { return cmp.Compare(b.Weight, a.Weight) })
	c := &Client{
		http:          &http.Client{},
		log:           slog.New(slog.DiscardHandler),
		callTimeout:   10 * time.Second,
		rounds:        3,
		backoffBase:   250 * time.Millisecond,
		backoffMax:    5 * time.Second,
		maxRespBytes:  64 << 20,
		failbackAfter: time.Minute,
	}
	for i, e := range eps {
		red, err := RedactURL(e.URL)
		if err != nil {
			return nil, fmt.Errorf("evm rpc client: endpoint %d: %w", i+1, err)
		}
		c.endpoints = append(c.endpoints, endpoint{url: e.URL, redacted: red})
	}
	for _, o := range opts {
		o(c)
	}
	if c.backoffMax < c.backoffBase {
		c.backoffMax = c.backoffBase
	}
	return c, nil
}

// Endpoints returns the redacted endpoint URLs in the order they are tried
// when all are healthy.
func (c *Client) Endpoints() []string {
	out := make([]string, len(c.endpoints))
	for i, e := range c.endpoints {
		out[i] = e.redacted
	}
	return out
}

// Close releases idle connections.
func (c *Client) Close() error {
	c.http.CloseIdleConnections()
	return nil
}
