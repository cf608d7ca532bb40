package solana

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"

	sol "github.com/gagliardetto/solana-go"
	"github.com/gagliardetto/solana-go/rpc"

	"github.com/ozmon/ozmon/chain"
	"github.com/ozmon/ozmon/chain/internal/jsonrpc"
)

// Client reads slots from Solana JSON-RPC endpoints with failover: a call
// that fails at one endpoint (network error, timeout, 429, 5xx, JSON-RPC
// error, garbage) is tried at the next, for a bounded number of rounds
// with backoff. Every call uses commitment finalized (OpenZeppelin
// Monitor's fixed choice, spec 11.1). It is safe for concurrent use.
type Client struct {
	rpc *jsonrpc.Transport
}

// NewClient returns a client over the endpoints, ordered by weight (highest
// first, ties keep their given order). It makes no network call. Answers
// are capped at 128 MiB by default: a full mainnet block in json encoding
// is several MB, the busiest a few tens.
func NewClient(endpoints []chain.Endpoint, opts ...chain.RPCOption) (*Client, error) {
	eps := make([]jsonrpc.Endpoint, len(endpoints))
	for i, e := range endpoints {
		eps[i] = jsonrpc.Endpoint(e)
	}
	// Raw results: a null block is an answer Block judges. The users'
	// options come after, so theirs win.
	opts = append([]chain.RPCOption{jsonrpc.WithRawResult(), jsonrpc.WithMaxResponseBytes(128 << 20)}, opts...)
	t, err := jsonrpc.New("solana rpc", eps, opts...)
	if err != nil {
		return nil, err
	}
	return &Client{rpc: t}, nil
}

// Close releases idle connections.
func (c *Client) Close() error {
	c.rpc.Close()
	return nil
}

// commitment is the params object every call carries.
type commitment struct {
	Commitment rpc.CommitmentType `json:"commitment"`
}

// blockConfig is getBlock's params object (spec 12.2, with rewards off:
// they are never read).
type blockConfig struct {
	Encoding                       sol.EncodingType           `json:"encoding"`
	TransactionDetails             rpc.TransactionDetailsType `json:"transactionDetails"`
	Rewards                        bool                       `json:"rewards"`
	Commitment                     rpc.CommitmentType         `json:"commitment"`
	MaxSupportedTransactionVersion uint64                     `json:"maxSupportedTransactionVersion"`
}

// BlockParams are the exact params Block sends for slot.
func BlockParams(slot uint64) []any {
	return []any{slot, blockConfig{Encoding: sol.EncodingJSON, TransactionDetails: rpc.TransactionDetailsFull,
		Commitment: rpc.CommitmentFinalized, MaxSupportedTransactionVersion: 0}}
}

// Slot returns the latest finalized slot (getSlot).
func (c *Client) Slot(ctx context.Context) (uint64, error) {
	var n uint64
	err := c.call(ctx, "getSlot", "", []any{commitment{rpc.CommitmentFinalized}}, nil, func(raw json.RawMessage) error {
		v, err := strconv.ParseUint(string(raw), 10, 64)
		if err != nil {
			return errors.New("invalid slot number in response")
		}
		n = v
		return nil
	})
	return n, err
}

// Block fetches and decodes slot (one getBlock). A slot every endpoint
// reports as skipped (−32007, −32009 or a null result) is ErrSlotSkipped;
// −32004 ("not available yet") and every other failure are retried and
// then returned. A result that does not decode tries the next endpoint,
// then fails naming the slot.
func (c *Client) Block(ctx context.Context, network string, slot uint64) (*chain.Block, error) {
	var b *chain.Block
	classify := func(code int, message, _ string) error {
		if code == CodeSlotSkipped || code == CodeLongTermStorageSlotSkipped {
			return skipped{fmt.Sprintf("slot skipped (JSON-RPC %d)", code)}
		}
		return nil
	}
	err := c.call(ctx, "getBlock", "slot "+strconv.FormatUint(slot, 10), BlockParams(slot), classify, func(raw json.RawMessage) error {
		var err error
		b, err = DecodeBlock(network, slot, raw)
		if errors.Is(err, ErrNoBlock) {
			return skipped{"slot skipped (null block)"}
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return b, nil
}

// call runs one JSON-RPC method with failover. subject names what the call
// is about ("slot 12") for errors. check vets the raw result and keeps what
// it needs; classify may turn a JSON-RPC error into the endpoint's answer.
// A skipped answer makes the endpoint final, and when every endpoint gives
// one the call's error matches ErrSlotSkipped.
func (c *Client) call(ctx context.Context, method, subject string, params any, classify func(int, string, string) error, check func(json.RawMessage) error) error {
	var raw json.RawMessage
	return c.rpc.Call(ctx, jsonrpc.Call{
		Method:   method,
		Params:   params,
		Result:   &raw,
		Subject:  subject,
		LogAttr:  slog.String("subject", subject),
		Classify: classify,
		Fault: func(f jsonrpc.Fault) error {
			return &CallError{Method: method, Endpoint: f.Endpoint, Subject: subject,
				HTTPStatus: f.HTTPStatus, Code: f.Code, Message: f.Message, Err: f.Err}
		},
		Check:  func() error { return check(raw) },
		Answer: func(err error, _ string) bool { return errors.Is(err, ErrSlotSkipped) },
		Settle: func(answers []error) error {
			var s skipped
			errors.As(answers[len(answers)-1], &s)
			return fmt.Errorf("solana rpc %s %s: %w", method, subject, s)
		},
	})
}
