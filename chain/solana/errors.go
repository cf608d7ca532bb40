package solana

import (
	"errors"

	"github.com/ozmon/ozmon/chain/internal/jsonrpc"
)

// ErrSlotSkipped is matched (errors.Is) by Client.Block's error when every
// endpoint said the slot has no block: JSON-RPC −32007 ("slot was
// skipped, or missing due to ledger jump to recent snapshot"), −32009
// ("slot missing in long-term storage") or a null result. Asking again
// gives the same answer.
var ErrSlotSkipped = errors.New("slot skipped")

// Solana's JSON-RPC error codes the client tells apart (spec 12.6).
const (
	// CodeBlockNotAvailable (−32004): the node does not have the block
	// yet; a transient failure, retried (QS15).
	CodeBlockNotAvailable = -32004
	// CodeSlotSkipped (−32007): no block was produced in the slot.
	CodeSlotSkipped = -32007
	// CodeLongTermStorageSlotSkipped (−32009): the slot is missing in the
	// node's long-term storage (skipped, as far as it knows).
	CodeLongTermStorageSlotSkipped = -32009
)

// skipped is one endpoint's "no block in this slot".
type skipped struct{ reason string }

func (s skipped) Error() string        { return s.reason }
func (s skipped) Is(target error) bool { return target == ErrSlotSkipped }

// CallError is one failed attempt: which method, at which endpoint, about
// what (a slot), and what went wrong.
type CallError struct {
	Method   string
	Endpoint string // redacted
	Subject  string // "slot 123"; "" when none
	// HTTPStatus is set for non-2xx answers; Code and Message for JSON-RPC
	// errors.
	HTTPStatus int
	Code       int
	Message    string
	Err        error
}

func (e *CallError) Error() string {
	f := jsonrpc.Fault{Endpoint: e.Endpoint, HTTPStatus: e.HTTPStatus, Code: e.Code, Message: e.Message, Err: e.Err}
	return f.Describe("solana rpc", e.Method, e.Subject)
}

func (e *CallError) Unwrap() error { return e.Err }
