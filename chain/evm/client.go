package evm

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/ozmon/ozmon/chain/internal/jsonrpc"
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
	rpc *jsonrpc.Transport
	// rpcOpts gathers the transport's options until NewClient builds it.
	rpcOpts []jsonrpc.Option
}

// ClientOption configures a Client.
type ClientOption func(*Client)

// WithHTTPClient sets the HTTP client (transport, proxies, TLS). Its own
// Timeout should be unset or larger than the call timeout.
func WithHTTPClient(hc *http.Client) ClientOption {
	return rpcOption(jsonrpc.WithHTTPClient(hc))
}

// WithCallTimeout bounds one attempt of one call at one endpoint (default
// 10 s); a slower endpoint is treated as failed and the next one is tried.
func WithCallTimeout(d time.Duration) ClientOption {
	return rpcOption(jsonrpc.WithCallTimeout(d))
}

// WithRetries sets how many rounds over all endpoints a call makes before
// it fails (default 3). Rounds are separated by exponential backoff.
func WithRetries(rounds int) ClientOption {
	return rpcOption(jsonrpc.WithRetries(rounds))
}

// WithBackoff sets the pause after the first failed round and its cap
// (defaults 250 ms and 5 s); each later pause doubles, with jitter.
func WithBackoff(base, max time.Duration) ClientOption {
	return rpcOption(jsonrpc.WithBackoff(base, max))
}

// WithLogger sets the logger for failovers (default: discard).
func WithLogger(l *slog.Logger) ClientOption {
	return rpcOption(jsonrpc.WithLogger(l))
}

// WithCallObserver is called after every attempt with the method, the
// redacted endpoint URL and the attempt's error (nil on success); metrics
// hang off it. It must be fast and safe for concurrent use.
func WithCallObserver(f func(method, endpointURL string, err error)) ClientOption {
	return rpcOption(jsonrpc.WithCallObserver(f))
}

// WithMaxResponseBytes caps one response body (default 64 MiB: the
// busiest block in OpenZeppelin Monitor's fixtures, Ethereum mainnet
// 21306059 with 129 transactions, is 156 KB through the EVM simulator,
// and a block of calldata at today's gas limits is a few MB of hex). An
// answer over the cap fails without being read further
// (ErrResponseTooLarge); memory stays proportional to the cap, the raw
// result being a slice of the one body buffer rather than a copy.
func WithMaxResponseBytes(n int64) ClientOption {
	return rpcOption(jsonrpc.WithMaxResponseBytes(n))
}

// WithFailback sets how long the client stays on a fallback endpoint after
// a failover before it tries the highest-weight endpoint first again
// (default 1 minute).
func WithFailback(d time.Duration) ClientOption {
	return rpcOption(jsonrpc.WithFailback(d))
}

// rpcOption passes a transport option through a ClientOption.
func rpcOption(o jsonrpc.Option) ClientOption {
	return func(c *Client) { c.rpcOpts = append(c.rpcOpts, o) }
}

// NewClient returns a client over the endpoints, ordered by weight (highest
// first, ties keep their given order). It makes no network call.
func NewClient(endpoints []Endpoint, opts ...ClientOption) (*Client, error) {
	eps := make([]jsonrpc.Endpoint, len(endpoints))
	for i, e := range endpoints {
		eps[i] = jsonrpc.Endpoint{URL: e.URL, Weight: e.Weight}
	}
	// Raw results: a null block or receipt is an answer the methods judge.
	// 64 MiB by default; the users' options come after, so theirs win.
	c := &Client{rpcOpts: []jsonrpc.Option{jsonrpc.WithRawResult(), jsonrpc.WithMaxResponseBytes(64 << 20)}}
	for _, o := range opts {
		o(c)
	}
	rpc, err := jsonrpc.New("evm rpc", eps, c.rpcOpts...)
	if err != nil {
		return nil, err
	}
	c.rpc, c.rpcOpts = rpc, nil
	return c, nil
}

// Endpoints returns the redacted endpoint URLs in the order they are tried
// when all are healthy.
func (c *Client) Endpoints() []string { return c.rpc.Endpoints() }

// Close releases idle connections.
func (c *Client) Close() error {
	c.rpc.Close()
	return nil
}
