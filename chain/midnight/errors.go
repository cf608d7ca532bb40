package midnight

import (
	"errors"
	"fmt"
)

// ErrBlockNotFound is matched (errors.Is) when the node has no block of
// that number yet (chain_getBlockHash null, or midnight_jsonBlock "null").
var ErrBlockNotFound = errors.New("block not found")

// ErrNoEndpoint is matched when a client has no endpoint to use: none with
// a ws:// or wss:// URL and a weight above 0.
var ErrNoEndpoint = errors.New("no WebSocket URLs available")

// RPCError is a JSON-RPC error answer. It is the node's answer, not a
// transport failure: the client returns it without trying another
// endpoint (QM8).
type RPCError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

func (e *RPCError) Error() string { return fmt.Sprintf("JSON-RPC error %d: %s", e.Code, e.Message) }

// CallError is a failed call: which method, at which endpoint (redacted),
// about what ("block 11243"), and why.
type CallError struct {
	Method   string
	Endpoint string
	Subject  string
	Err      error
}

func (e *CallError) Error() string {
	s := "midnight rpc " + e.Method
	if e.Subject != "" {
		s += " " + e.Subject
	}
	if e.Endpoint != "" {
		s += " at " + e.Endpoint
	}
	return s + ": " + e.Err.Error()
}

func (e *CallError) Unwrap() error { return e.Err }
