package stellar

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/ozmon/ozmon/chain/internal/jsonrpc"
)

// call runs one JSON-RPC method with failover. result must be a pointer to
// the SDK protocol response struct. ledger names the ledger the call is
// about (0 if none) so that every error says which one. check, if set,
// vets a decoded result; a *PrunedError from it counts like the node's own
// range error (the next endpoint is asked, this one not again).
func (c *Client) call(ctx context.Context, method string, ledger uint32, params, result any, check func() error) error {
	return c.callParsed(ctx, method, ledger, params, result, nil, 0, check)
}

// callParsed is call with a hand-written parser tried before encoding/json
// (jsonrpc.Call.Parse), parse filling what result would hold, and a size
// cap of its own (0: the client's).
func (c *Client) callParsed(ctx context.Context, method string, ledger uint32, params, result any, parse func([]byte) bool, maxBytes int64, check func() error) error {
	return c.rpc.Call(ctx, jsonrpc.Call{
		Method:   method,
		Params:   params,
		Result:   result,
		Parse:    parse,
		MaxBytes: maxBytes,
		Subject:  ledgerSubject(ledger),
		LogAttr:  slog.Uint64("ledger", uint64(ledger)),
		Fault: func(f jsonrpc.Fault) error {
			return &CallError{Method: method, Endpoint: f.Endpoint, Ledger: ledger,
				HTTPStatus: f.HTTPStatus, Code: f.Code, Message: f.Message, Err: f.Err}
		},
		Check: check,
		Classify: func(code int, msg, endpoint string) error {
			if pe := classifyRange(code, msg, ledger, endpoint); pe != nil {
				return pe
			}
			return nil // a nil *PrunedError is not a nil error
		},
		Answer: func(err error, endpoint string) bool {
			var pe *PrunedError
			if !errors.As(err, &pe) {
				return false
			}
			pe.Endpoint = endpoint // a check's PrunedError does not know it
			return true
		},
		Settle: func(answers []error) error {
			// Every endpoint says the ledger is outside its range: that is
			// the answer, so say it plainly, naming the oldest ledger any
			// endpoint still serves.
			var best *PrunedError
			for _, err := range answers {
				var pe *PrunedError
				errors.As(err, &pe)
				if best == nil || pe.Oldest != 0 && (best.Oldest == 0 || pe.Oldest < best.Oldest) {
					best = pe
				}
			}
			return fmt.Errorf("stellar rpc %s: %w", method, best)
		},
	})
}

func ledgerSubject(ledger uint32) string {
	if ledger == 0 {
		return ""
	}
	return fmt.Sprintf("ledger %d", ledger)
}
