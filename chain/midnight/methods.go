package midnight

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/ozmon/ozmon/chain"
)

// SystemEventsKey is the storage key of System.Events
// (twox128("System") ++ twox128("Events")): state_getStorage of it at a
// block hash returns the block's raw events, which midnight_decodeEvents
// turns into JSON (spec 17.2).
const SystemEventsKey = "0x26aa394eea5630e07c48ae0c9558cef780d41e5e16056765bc8461851072c9d7"

// FinalisedHead returns the hash of the latest finalised block
// (chain_getFinalisedHead).
func (c *Client) FinalisedHead(ctx context.Context) (string, error) {
	var h *string
	if err := c.Call(ctx, "chain_getFinalisedHead", "", []any{}, &h); err != nil {
		return "", err
	}
	if h == nil || *h == "" {
		return "", &CallError{Method: "chain_getFinalisedHead", Err: errors.New("null result")}
	}
	return *h, nil
}

// HeaderNumber returns the number of the block with that hash
// (chain_getHeader).
func (c *Client) HeaderNumber(ctx context.Context, hash string) (uint64, error) {
	var hdr *struct {
		Number string `json:"number"`
	}
	if err := c.Call(ctx, "chain_getHeader", "block "+hash, []any{hash}, &hdr); err != nil {
		return 0, err
	}
	if hdr == nil {
		return 0, &CallError{Method: "chain_getHeader", Subject: "block " + hash, Err: ErrBlockNotFound}
	}
	n, err := parseHexNumber(hdr.Number)
	if err != nil {
		return 0, &CallError{Method: "chain_getHeader", Subject: "block " + hash, Err: fmt.Errorf("header number: %w", err)}
	}
	return n, nil
}

// Tip returns the latest finalised block number.
func (c *Client) Tip(ctx context.Context) (uint64, error) {
	h, err := c.FinalisedHead(ctx)
	if err != nil {
		return 0, err
	}
	return c.HeaderNumber(ctx, h)
}

// BlockHash returns the hash of block n (chain_getBlockHash);
// ErrBlockNotFound when the node has none.
func (c *Client) BlockHash(ctx context.Context, n uint64) (string, error) {
	subject := "block " + strconv.FormatUint(n, 10)
	var h *string
	if err := c.Call(ctx, "chain_getBlockHash", subject, []any{"0x" + strconv.FormatUint(n, 16)}, &h); err != nil {
		return "", err
	}
	if h == nil || *h == "" {
		return "", &CallError{Method: "chain_getBlockHash", Subject: subject, Err: ErrBlockNotFound}
	}
	return *h, nil
}

// JSONBlock returns midnight_jsonBlock's answer for the block hash: the
// block JSON, which the node sends as a JSON string; "null" is
// ErrBlockNotFound.
func (c *Client) JSONBlock(ctx context.Context, hash string) ([]byte, error) {
	var s *string
	if err := c.Call(ctx, "midnight_jsonBlock", "block "+hash, []any{hash}, &s); err != nil {
		return nil, err
	}
	if s == nil || strings.TrimSpace(*s) == "null" {
		return nil, &CallError{Method: "midnight_jsonBlock", Subject: "block " + hash, Err: ErrBlockNotFound}
	}
	return []byte(*s), nil
}

// RawEvents returns the block's System.Events storage as hex without 0x
// (state_getStorage); "" when the block has none.
func (c *Client) RawEvents(ctx context.Context, hash string) (string, error) {
	var s *string
	if err := c.Call(ctx, "state_getStorage", "block "+hash, []any{SystemEventsKey, hash}, &s); err != nil {
		return "", err
	}
	if s == nil {
		return "", nil
	}
	return strings.TrimPrefix(*s, "0x"), nil
}

// DecodeEvents asks the node to decode raw System.Events storage
// (midnight_decodeEvents) and returns the elements as it sent them.
func (c *Client) DecodeEvents(ctx context.Context, rawHex string) ([]json.RawMessage, error) {
	var out []json.RawMessage
	if err := c.Call(ctx, "midnight_decodeEvents", "", []any{rawHex}, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// ChainName returns the node's chain name (system_chain, params null),
// asked once per client.
func (c *Client) ChainName(ctx context.Context) (string, error) {
	c.mu.Lock()
	name := c.chainName
	c.mu.Unlock()
	if name != "" {
		return name, nil
	}
	if err := c.Call(ctx, "system_chain", "", nil, &name); err != nil {
		return "", err
	}
	c.mu.Lock()
	c.chainName = name
	c.mu.Unlock()
	return name, nil
}

// Events reads and decodes the events of the block with that hash. A
// JSON-RPC error answer of midnight_decodeEvents (the node could not
// decode them) is not an error: it yields no events and the reason, and
// every transaction of the block then counts as failed (QM3). Transport
// failures are errors.
func (c *Client) Events(ctx context.Context, hash string) ([]chain.MidnightEvent, string, error) {
	raw, err := c.RawEvents(ctx, hash)
	if err != nil {
		return nil, "", err
	}
	if raw == "" {
		return nil, "", nil
	}
	elems, err := c.DecodeEvents(ctx, raw)
	var rpcErr *RPCError
	if errors.As(err, &rpcErr) {
		return nil, "midnight_decodeEvents: " + rpcErr.Error(), nil
	}
	if err != nil {
		return nil, "", err
	}
	out := make([]chain.MidnightEvent, len(elems))
	for i, e := range elems {
		out[i] = DecodeEvent(e)
	}
	return out, "", nil
}

// Block fetches block n fully: hash, block JSON, events and the chain
// name, so that evaluating it needs no further call.
func (c *Client) Block(ctx context.Context, network string, n uint64) (*chain.Block, error) {
	hash, err := c.BlockHash(ctx, n)
	if err != nil {
		return nil, err
	}
	js, err := c.JSONBlock(ctx, hash)
	if err != nil {
		return nil, err
	}
	name, err := c.ChainName(ctx)
	if err != nil {
		return nil, err
	}
	events, eventsErr, err := c.Events(ctx, hash)
	if err != nil {
		return nil, err
	}
	b, err := DecodeBlock(network, hash, js)
	if err != nil {
		return nil, fmt.Errorf("midnight block %d: %w", n, err)
	}
	if b.Ledger != n && b.Ledger != 0 {
		return nil, fmt.Errorf("midnight block %d: the node answered block %d", n, b.Ledger)
	}
	b.Ledger = n // an unparsable header number reads 0 (OZ's rule); the number asked is the truth
	b.Midnight.ChainName = name
	b.Midnight.Events = events
	b.Midnight.EventsError = eventsErr
	SetStatuses(b)
	return b, nil
}

func parseHexNumber(s string) (uint64, error) {
	t := strings.TrimPrefix(strings.TrimPrefix(s, "0x"), "0X")
	n, err := strconv.ParseUint(t, 16, 64)
	if err != nil || t == "" {
		return 0, fmt.Errorf("%q is not a hex number", s)
	}
	return n, nil
}
