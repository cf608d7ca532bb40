package evm

import (
	"errors"

	"github.com/ozmon/ozmon/chain/internal/jsonrpc"
)

var (
	// ErrBlockNotFound: every endpoint answered null for the block (it is
	// not yet mined there, or the node does not have it).
	ErrBlockNotFound = errors.New("block not found")
	// ErrReceiptNotFound: every endpoint answered null for the receipt.
	ErrReceiptNotFound = errors.New("transaction receipt not found")
	// ErrInconsistent: the node's answers do not fit together (logs of
	// another block, a log of an unknown transaction): usually a reorg
	// between two calls; fetching again normally succeeds.
	ErrInconsistent = errors.New("inconsistent RPC answers")
)

// CallError is one failed attempt: which method, at which endpoint, about
// what (block, transaction), and what went wrong.
type CallError struct {
	Method   string
	Endpoint string // redacted
	Subject  string // "block 21306058", "tx 0x…"; "" when none
	// HTTPStatus is set for non-2xx answers; Code and Message for JSON-RPC
	// errors.
	HTTPStatus int
	Code       int
	Message    string
	Err        error
}

func (e *CallError) Error() string {
	f := jsonrpc.Fault{Endpoint: e.Endpoint, HTTPStatus: e.HTTPStatus, Code: e.Code, Message: e.Message, Err: e.Err}
	return f.Describe("evm rpc", e.Method, e.Subject)
}

func (e *CallError) Unwrap() error { return e.Err }
