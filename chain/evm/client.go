package evm

import (
	"github.com/ozmon/ozmon/chain"
	"github.com/ozmon/ozmon/chain/internal/jsonrpc"
)

// Client reads blocks, logs and receipts from EVM JSON-RPC endpoints with
// failover: a call that fails at one endpoint (network error, timeout, 429,
// 5xx, JSON-RPC error, garbage) is tried at the next, for a bounded number
// of rounds with backoff. Each method makes one JSON-RPC call per attempt.
// It is safe for concurrent use.
type Client struct {
	rpc *jsonrpc.Transport
}

// NewClient returns a client over the endpoints, ordered by weight (highest
// first, ties keep their given order). It makes no network call.
func NewClient(endpoints []chain.Endpoint, opts ...chain.RPCOption) (*Client, error) {
	eps := make([]jsonrpc.Endpoint, len(endpoints))
	for i, e := range endpoints {
		eps[i] = jsonrpc.Endpoint(e)
	}
	// Raw results: a null block or receipt is an answer the methods judge.
	// 64 MiB by default; the users' options come after, so theirs win.
	opts = append([]chain.RPCOption{jsonrpc.WithRawResult(), jsonrpc.WithMaxResponseBytes(64 << 20)}, opts...)
	rpc, err := jsonrpc.New("evm rpc", eps, opts...)
	if err != nil {
		return nil, err
	}
	return &Client{rpc: rpc}, nil
}

// Close releases idle connections.
func (c *Client) Close() error {
	c.rpc.Close()
	return nil
}
