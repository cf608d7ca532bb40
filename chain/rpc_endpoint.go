package chain

import "github.com/ozmon/ozmon/chain/internal/jsonrpc"

// Endpoint is one JSON-RPC URL of a chain client (chain/stellar,
// chain/evm). Endpoints with a higher Weight are tried first; a Weight of
// 0 or less is skipped (OpenZeppelin Monitor's rule for rpc_urls).
type Endpoint struct {
	URL    string
	Weight int
}

// ErrResponseTooLarge is matched (errors.Is) by a chain client's error when
// an endpoint's answer was larger than the call's size cap (the error names
// the method, the endpoint and the cap); that endpoint is not asked again
// for the call.
var ErrResponseTooLarge = jsonrpc.ErrTooLarge
