package stellar

import (
	"github.com/ozmon/ozmon/chain"
	"github.com/ozmon/ozmon/chain/internal/jsonrpc"
)

// Client reads ledgers from Stellar RPC with failover across endpoints. It
// makes one JSON-RPC call per method call (one getLedgers per ledger or
// batch) and never polls getLatestLedger, whose response carries a whole
// LedgerCloseMeta. It is safe for concurrent use.
type Client struct {
	rpc *jsonrpc.Transport
	// maxLedgerBytes sizes getLedgers' cap (see WithMaxLedgerBytes).
	maxLedgerBytes int64
}

// defaultMaxLedgerBytes is getLedgers' default cap for one ledger: 8 times
// the busiest mainnet ledger measured (1.94 MB of JSON for ledger
// 51000294; 1.27 to 1.79 MB for the others in testdata/stellar/mainnet).
const defaultMaxLedgerBytes = 16 << 20

// WithMaxLedgerBytes sizes the cap of a getLedgers answer: n bytes for the
// first ledger asked and a quarter of n for each further one, as a batch's
// size averages out (default 16 MiB for one ledger, 92 MiB for a batch
// of 20, whose measured mainnet answer is 26.5 MB). An answer over its cap
// fails without being read further (chain.ErrResponseTooLarge), and memory
// stays proportional to the cap. Every other method's answer is capped by
// chain.WithMaxResponseBytes.
func WithMaxLedgerBytes(n int64) chain.RPCOption { return jsonrpc.WithMaxBlockBytes(n) }

// NewClient returns a client over the endpoints, ordered by weight (highest
// first, ties keep their given order). It makes no network call.
func NewClient(endpoints []chain.Endpoint, opts ...chain.RPCOption) (*Client, error) {
	eps := make([]jsonrpc.Endpoint, len(endpoints))
	for i, e := range endpoints {
		eps[i] = jsonrpc.Endpoint(e)
	}
	// The users' options come after the default, so theirs win.
	opts = append([]chain.RPCOption{jsonrpc.WithMaxBlockBytes(defaultMaxLedgerBytes)}, opts...)
	rpc, err := jsonrpc.New("stellar rpc", eps, opts...)
	if err != nil {
		return nil, err
	}
	return &Client{rpc: rpc, maxLedgerBytes: rpc.MaxBlockBytes()}, nil
}

// ledgersCap is the size cap of a getLedgers answer for limit ledgers.
func (c *Client) ledgersCap(limit int) int64 {
	return c.maxLedgerBytes + int64(max(limit-1, 0))*(c.maxLedgerBytes/4)
}

// Close releases idle connections.
func (c *Client) Close() error {
	c.rpc.Close()
	return nil
}
