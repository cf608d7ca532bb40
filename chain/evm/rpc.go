package evm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"

	"github.com/ozmon/ozmon/chain/internal/jsonrpc"
)

// notFound is what a check returns for a null answer: final for the
// endpoint, and the call's answer when every endpoint says it.
type notFound struct{ err error }

func (n notFound) Error() string { return n.err.Error() }
func (n notFound) Unwrap() error { return n.err }

// call runs one JSON-RPC method with failover. subject names what the call
// is about ("block 12") for errors. check vets the raw result and keeps
// what it needs; a notFound from it makes this endpoint final.
func (c *Client) call(ctx context.Context, method, subject string, params any, check func(json.RawMessage) error) error {
	if params == nil {
		params = []any{} // nodes want "params": [], not no params
	}
	var raw json.RawMessage
	return c.rpc.Call(ctx, jsonrpc.Call{
		Method:  method,
		Params:  params,
		Result:  &raw,
		Subject: subject,
		LogAttr: slog.String("subject", subject),
		Fault: func(f jsonrpc.Fault) error {
			return &CallError{Method: method, Endpoint: f.Endpoint, Subject: subject,
				HTTPStatus: f.HTTPStatus, Code: f.Code, Message: f.Message, Err: f.Err}
		},
		Check:  func() error { return check(raw) },
		Answer: func(err error, _ string) bool { return errors.As(err, new(notFound)) },
		Settle: func(answers []error) error {
			var nf notFound
			errors.As(answers[len(answers)-1], &nf)
			where := method
			if subject != "" {
				where += " " + subject
			}
			return fmt.Errorf("evm rpc %s: %w", where, nf.err)
		},
	})
}
