package chain

import (
	"log/slog"
	"time"

	"github.com/ozmon/ozmon/chain/internal/jsonrpc"
)

// RPCOption configures a chain client's JSON-RPC transport
// (stellar.NewClient, evm.NewClient). Out-of-range values keep the default.
type RPCOption = jsonrpc.Option

// WithCallTimeout bounds one attempt of one call at one endpoint (default
// 10 s, stellar-rpc's own getLedgers timeout); a slower endpoint is treated
// as failed and the next one is tried.
func WithCallTimeout(d time.Duration) RPCOption { return jsonrpc.WithCallTimeout(d) }

// WithRetries sets how many rounds over all endpoints a call makes before
// it fails (default 3). Rounds are separated by exponential backoff.
func WithRetries(rounds int) RPCOption { return jsonrpc.WithRetries(rounds) }

// WithBackoff sets the pause after the first failed round and its cap
// (defaults 250 ms and 5 s); each later pause doubles, with jitter.
func WithBackoff(base, max time.Duration) RPCOption { return jsonrpc.WithBackoff(base, max) }

// WithLogger sets the logger for failovers (default: discard).
func WithLogger(l *slog.Logger) RPCOption { return jsonrpc.WithLogger(l) }

// WithCallObserver is called after every attempt with the method, the
// redacted endpoint URL and the attempt's error (nil on success); metrics
// hang off it. It must be fast and safe for concurrent use.
func WithCallObserver(f func(method, endpointURL string, err error)) RPCOption {
	return jsonrpc.WithCallObserver(f)
}

// WithMaxResponseBytes caps one response body (default 64 MiB; Stellar's
// getLedgers has its own cap, stellar.WithMaxLedgerBytes). 64 MiB holds
// getLedgerEntries for 200 contract codes at Stellar's 128 KiB WASM limit
// (about 35 MB) and any EVM block: the busiest in OpenZeppelin Monitor's
// fixtures, Ethereum mainnet 21306059 with 129 transactions, is 156 KB,
// and a block of calldata at today's gas limits a few MB of hex. An answer
// over the cap fails without being read further (ErrResponseTooLarge), and
// memory stays proportional to the cap.
func WithMaxResponseBytes(n int64) RPCOption { return jsonrpc.WithMaxResponseBytes(n) }

// WithFailback sets how long the client stays on a fallback endpoint after
// a failover before it tries the highest-weight endpoint first again
// (default 1 minute).
func WithFailback(d time.Duration) RPCOption { return jsonrpc.WithFailback(d) }
