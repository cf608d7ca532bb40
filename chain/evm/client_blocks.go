package evm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
)

// BlockNumber returns the latest block number (eth_blockNumber).
func (c *Client) BlockNumber(ctx context.Context) (uint64, error) {
	var n uint64
	err := c.call(ctx, "eth_blockNumber", "", nil, func(raw json.RawMessage) error {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return fmt.Errorf("block number: %w", err)
		}
		var err error
		n, err = parseQuantity(s)
		return err
	})
	return n, err
}

// Block fetches block n with full transactions (eth_getBlockByNumber
// [hex, true]) and decodes it. A block no endpoint has is
// ErrBlockNotFound; one whose answer does not decode tries the next
// endpoint, then fails naming the block and field.
func (c *Client) Block(ctx context.Context, n uint64) (*RawBlock, error) {
	var b *RawBlock
	err := c.call(ctx, "eth_getBlockByNumber", "block "+strconv.FormatUint(n, 10), []any{hexQuantity(n), true},
		func(raw json.RawMessage) error {
			var err error
			b, err = DecodeBlock(raw)
			switch {
			case errors.Is(err, ErrBlockNotFound):
				return notFound{err}
			case err != nil:
				return err
			case b.Number != n:
				return fmt.Errorf("asked for block %d, got %d", n, b.Number)
			}
			return nil
		})
	if err != nil {
		return nil, err
	}
	return b, nil
}

// Logs returns every log of blocks from to to inclusive (eth_getLogs
// {fromBlock, toBlock}), in the node's order.
func (c *Client) Logs(ctx context.Context, from, to uint64) ([]Log, error) {
	if to < from {
		return nil, fmt.Errorf("evm rpc eth_getLogs: range %d-%d is empty", from, to)
	}
	subject := "block " + strconv.FormatUint(from, 10)
	if to != from {
		subject = "blocks " + strconv.FormatUint(from, 10) + "-" + strconv.FormatUint(to, 10)
	}
	var logs []Log
	params := []any{map[string]string{"fromBlock": hexQuantity(from), "toBlock": hexQuantity(to)}}
	err := c.call(ctx, "eth_getLogs", subject, params, func(raw json.RawMessage) error {
		if isNull(raw) {
			return errors.New("null logs")
		}
		var err error
		logs, err = decodeLogs(raw)
		if err != nil {
			return err
		}
		for i := range logs {
			if bn := logs[i].BlockNumber; bn != 0 && (bn < from || bn > to) {
				return fmt.Errorf("log %d of block %d outside %s", logs[i].LogIndex, bn, subject)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return logs, nil
}

// Receipt fetches one transaction's receipt (eth_getTransactionReceipt).
func (c *Client) Receipt(ctx context.Context, txHash string) (*Receipt, error) {
	var r *Receipt
	err := c.call(ctx, "eth_getTransactionReceipt", "tx "+txHash, []any{txHash}, func(raw json.RawMessage) error {
		var err error
		r, err = DecodeReceipt(raw)
		switch {
		case errors.Is(err, ErrReceiptNotFound):
			return notFound{err}
		case err != nil:
			return err
		case r.TxHash != txHash:
			return fmt.Errorf("asked for the receipt of %s, got %s", txHash, r.TxHash)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}
