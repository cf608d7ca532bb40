package stellar

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	protocol "github.com/stellar/go-stellar-sdk/protocols/rpc"
	"github.com/stellar/go-stellar-sdk/xdr"

	"github.com/ozmon/ozmon/chain/internal/jsonrpc"
)

// maxLedgersPerCall is stellar-rpc's getLedgers page limit.
const maxLedgersPerCall = 200

// maxKeysPerCall is stellar-rpc's getLedgerEntries key limit.
const maxKeysPerCall = 200

// Health is a node's getHealth answer: the tip and the retention window in
// one small call, which is why ozmon polls it instead of getLatestLedger.
type Health struct {
	Status                string
	LatestLedger          uint32
	OldestLedger          uint32
	LatestLedgerCloseTime time.Time // zero if the node does not report it (before RPC v27)
	OldestLedgerCloseTime time.Time
	RetentionWindow       uint32
}

// RawLedger is one ledger as getLedgers returns it, its meta still XDR.
type RawLedger struct {
	Sequence  uint32
	Hash      string // lowercase hex
	CloseTime time.Time
	// Meta is the raw XDR of the LedgerCloseMeta (base64-decoded).
	Meta []byte
}

// ledgerEntry is one getLedgerEntries result, decoded.
type ledgerEntry struct {
	Key                xdr.LedgerKey
	Data               xdr.LedgerEntryData
	LastModifiedLedger uint32
	LiveUntilLedger    *uint32
}

// Health calls getHealth.
func (c *Client) Health(ctx context.Context) (Health, error) {
	var r protocol.GetHealthResponse
	check := func() error {
		if r.LatestLedger == 0 {
			return errors.New("getHealth answer has no latestLedger")
		}
		return nil
	}
	if err := c.call(ctx, protocol.GetHealthMethodName, 0, nil, &r, check); err != nil {
		return Health{}, err
	}
	h := Health{
		Status:          r.Status,
		LatestLedger:    r.LatestLedger,
		OldestLedger:    r.OldestLedger,
		RetentionWindow: r.LedgerRetentionWindow,
	}
	if r.LatestLedgerCloseTime > 0 {
		h.LatestLedgerCloseTime = time.Unix(r.LatestLedgerCloseTime, 0).UTC()
	}
	if r.OldestLedgerCloseTime > 0 {
		h.OldestLedgerCloseTime = time.Unix(r.OldestLedgerCloseTime, 0).UTC()
	}
	return h, nil
}

// Ledgers fetches up to limit (1..200) consecutive ledgers from start with
// ONE getLedgers call. Fewer come back when the tip is closer than limit.
// A start older than the node's oldest ledger is ErrLedgerPruned; one past
// its latest is ErrLedgerAhead.
func (c *Client) Ledgers(ctx context.Context, start uint32, limit int) ([]RawLedger, error) {
	if start == 0 {
		return nil, errors.New("stellar rpc getLedgers: start ledger must be positive")
	}
	if limit < 1 || limit > maxLedgersPerCall {
		return nil, fmt.Errorf("stellar rpc getLedgers ledger %d: limit %d not in 1..%d", start, limit, maxLedgersPerCall)
	}
	req := protocol.GetLedgersRequest{
		StartLedger: start,
		Pagination:  &protocol.LedgerPaginationOptions{Limit: uint(limit)},
	}
	var r protocol.GetLedgersResponse
	// metas holds the decoded metadataXdr of r.Ledgers when parseLedgers
	// read the answer (nil when encoding/json did).
	var metas [][]byte
	parse := func(body []byte) bool { return parseLedgers(body, &r, &metas) }
	var out []RawLedger
	check := func() error {
		out = nil
		if r.LatestLedger == 0 {
			return errors.New("getLedgers answer has no latestLedger")
		}
		if len(r.Ledgers) == 0 {
			// Some node versions answer an empty page, not the range
			// error, for a ledger past the tip.
			if start > r.LatestLedger {
				return &PrunedError{Ledger: start, Oldest: r.OldestLedger, Latest: r.LatestLedger}
			}
			return nil
		}
		if first := r.Ledgers[0].Sequence; first != start {
			// Some providers start the page at their oldest ledger
			// instead of failing: the asked ledger is gone there.
			if first > start {
				return &PrunedError{Ledger: start, Oldest: max(first, r.OldestLedger), Latest: r.LatestLedger}
			}
			return fmt.Errorf("page starts at ledger %d", first)
		}
		if len(r.Ledgers) > limit {
			return fmt.Errorf("%d ledgers returned for limit %d", len(r.Ledgers), limit)
		}
		ls := make([]RawLedger, len(r.Ledgers))
		for i, li := range r.Ledgers {
			want := start + uint32(i)
			if li.Sequence != want {
				return fmt.Errorf("item %d is ledger %d, want %d", i, li.Sequence, want)
			}
			var meta []byte
			if metas != nil {
				meta = metas[i]
			}
			rl, err := rawLedger(li, meta)
			if err != nil {
				return fmt.Errorf("ledger %d: %w", want, err)
			}
			ls[i] = rl
		}
		out = ls
		return nil
	}
	if err := c.callParsed(ctx, protocol.GetLedgersMethodName, start, req, &r, parse, c.ledgersCap(limit), check); err != nil {
		return nil, err
	}
	return out, nil
}

// Ledger fetches one ledger (a getLedgers call with limit 1). A ledger the
// node has not closed yet is ErrLedgerAhead.
func (c *Client) Ledger(ctx context.Context, seq uint32) (RawLedger, error) {
	ls, err := c.Ledgers(ctx, seq, 1)
	if err != nil {
		return RawLedger{}, err
	}
	if len(ls) == 0 {
		return RawLedger{}, fmt.Errorf("stellar rpc getLedgers ledger %d: %w", seq, ErrLedgerAhead)
	}
	return ls[0], nil
}

// rawLedger checks li and decodes its meta, unless parseLedgers already
// has (meta non-nil).
func rawLedger(li protocol.LedgerInfo, meta []byte) (RawLedger, error) {
	if meta == nil {
		if li.LedgerMetadata == "" {
			return RawLedger{}, errors.New("no metadataXdr (was a JSON xdrFormat asked for?)")
		}
		var err error
		meta, err = base64.StdEncoding.DecodeString(li.LedgerMetadata)
		if err != nil {
			return RawLedger{}, fmt.Errorf("metadataXdr is not base64: %w", err)
		}
	}
	if h, err := hex.DecodeString(li.Hash); err != nil || len(h) != 32 {
		return RawLedger{}, fmt.Errorf("ledger hash %q is not 32 bytes of hex", jsonrpc.Truncate(li.Hash, 80))
	}
	rl := RawLedger{Sequence: li.Sequence, Hash: li.Hash, Meta: meta}
	if li.LedgerCloseTime > 0 {
		rl.CloseTime = time.Unix(li.LedgerCloseTime, 0).UTC()
	}
	return rl, nil
}

// ledgerEntries fetches current ledger entries by key (at most 200 per
// call). Keys the node does not know are simply absent from the result.
func (c *Client) ledgerEntries(ctx context.Context, keys []xdr.LedgerKey) ([]ledgerEntry, error) {
	if len(keys) == 0 {
		return nil, nil
	}
	if len(keys) > maxKeysPerCall {
		return nil, fmt.Errorf("stellar rpc getLedgerEntries: %d keys, at most %d per call", len(keys), maxKeysPerCall)
	}
	req := protocol.GetLedgerEntriesRequest{Keys: make([]string, len(keys))}
	for i, k := range keys {
		s, err := xdr.MarshalBase64(k)
		if err != nil {
			return nil, fmt.Errorf("stellar rpc getLedgerEntries: encode key %d: %w", i, err)
		}
		req.Keys[i] = s
	}
	var r protocol.GetLedgerEntriesResponse
	check := func() error {
		if r.LatestLedger == 0 {
			return errors.New("getLedgerEntries answer has no latestLedger")
		}
		return nil
	}
	if err := c.call(ctx, protocol.GetLedgerEntriesMethodName, 0, req, &r, check); err != nil {
		return nil, err
	}
	out := make([]ledgerEntry, 0, len(r.Entries))
	for i, e := range r.Entries {
		var le ledgerEntry
		if err := xdr.SafeUnmarshalBase64(e.KeyXDR, &le.Key); err != nil {
			return nil, fmt.Errorf("stellar rpc getLedgerEntries: entry %d key: %w", i, err)
		}
		if err := xdr.SafeUnmarshalBase64(e.DataXDR, &le.Data); err != nil {
			return nil, fmt.Errorf("stellar rpc getLedgerEntries: entry %d data: %w", i, err)
		}
		le.LastModifiedLedger = e.LastModifiedLedger
		le.LiveUntilLedger = e.LiveUntilLedgerSeq
		out = append(out, le)
	}
	return out, nil
}
