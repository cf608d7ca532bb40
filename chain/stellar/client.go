package stellar

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/ozmon/ozmon/chain"
	"github.com/ozmon/ozmon/chain/internal/jsonrpc"
)

// Endpoint is one Stellar RPC URL. Endpoints with a higher Weight are tried
// first; a Weight of 0 or less is skipped (OpenZeppelin Monitor's rule for
// rpc_urls).
type Endpoint struct {
	URL    string
	Weight int
}

// Client reads ledgers from Stellar RPC with failover across endpoints. It
// makes one JSON-RPC call per method call (one getLedgers per ledger or
// batch) and never polls getLatestLedger, whose response carries a whole
// LedgerCloseMeta. It is safe for concurrent use.
type Client struct {
	rpc       *jsonrpc.Transport
	parseSpec func(wasm []byte) (*chain.ContractSpec, error)
	// maxLedgerBytes sizes getLedgers' cap (see WithMaxLedgerBytes).
	maxLedgerBytes int64
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
// 10 s, stellar-rpc's own getLedgers timeout); a slower endpoint is treated
// as failed and the next one is tried.
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

// DefaultMaxLedgerBytes is getLedgers' default cap for one ledger: 8 times
// the busiest mainnet ledger measured (1.94 MB of JSON for ledger
// 51000294; 1.27 to 1.79 MB for the others in testdata/stellar/mainnet).
const DefaultMaxLedgerBytes = 16 << 20

// WithMaxLedgerBytes sizes the cap of a getLedgers answer: n bytes for the
// first ledger asked and a quarter of n for each further one, as a batch's
// size averages out (default DefaultMaxLedgerBytes: 16 MiB for one
// ledger, 92 MiB for a batch of 20, whose measured mainnet answer is
// 26.5 MB). An answer over its cap fails without being read further
// (ErrResponseTooLarge), and memory stays proportional to the cap.
func WithMaxLedgerBytes(n int64) ClientOption {
	return func(c *Client) {
		if n > 0 {
			c.maxLedgerBytes = n
		}
	}
}

// WithMaxResponseBytes caps the answer of every method but getLedgers
// (see WithMaxLedgerBytes): default 64 MiB, as getLedgerEntries for 200
// contract codes at the network's 128 KiB WASM limit is about 35 MB.
func WithMaxResponseBytes(n int64) ClientOption {
	return rpcOption(jsonrpc.WithMaxResponseBytes(n))
}

// WithFailback sets how long the client stays on a fallback endpoint after
// a failover before it tries the highest-weight endpoint first again
// (default 1 minute).
func WithFailback(d time.Duration) ClientOption {
	return rpcOption(jsonrpc.WithFailback(d))
}

// WithSpecParser replaces the contractspecv0 parser ContractSpec uses
// (default ParseWASMSpec).
func WithSpecParser(f func(wasm []byte) (*chain.ContractSpec, error)) ClientOption {
	return func(c *Client) { c.parseSpec = f }
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
	c := &Client{maxLedgerBytes: DefaultMaxLedgerBytes}
	for _, o := range opts {
		o(c)
	}
	rpc, err := jsonrpc.New("stellar rpc", eps, c.rpcOpts...)
	if err != nil {
		return nil, err
	}
	c.rpc, c.rpcOpts = rpc, nil
	return c, nil
}

// ledgersCap is the size cap of a getLedgers answer for limit ledgers.
func (c *Client) ledgersCap(limit int) int64 {
	return c.maxLedgerBytes + int64(max(limit-1, 0))*(c.maxLedgerBytes/4)
}

// Endpoints returns the redacted endpoint URLs in the order they are tried
// when all are healthy.
func (c *Client) Endpoints() []string { return c.rpc.Endpoints() }

// Close releases idle connections.
func (c *Client) Close() error {
	c.rpc.Close()
	return nil
}
