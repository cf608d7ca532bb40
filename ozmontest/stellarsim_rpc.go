package ozmontest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"

	protocol "github.com/stellar/go-stellar-sdk/protocols/rpc"
	"github.com/stellar/go-stellar-sdk/toid"
	"github.com/stellar/go-stellar-sdk/xdr"
)

// stellar-rpc's limits (internal/config/options.go).
const (
	simLedgersDefault = 50
	simLedgersMax     = 200
	simTxDefault      = 50
	simTxMax          = 200
	simEventsDefault  = 100
	simEventsMax      = 10000
	simEventsScan     = 10000
	simKeysMax        = 200
)

// JSON-RPC 2.0 error codes the sim answers with.
const (
	codeParse          = -32700
	codeInvalidRequest = -32600
	codeNoMethod       = -32601
	codeInvalidParams  = -32602
	codeInternal       = -32603
)

type rpcErr struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

func (e *rpcErr) Error() string { return e.Message }

func errf(code int, format string, args ...any) *rpcErr {
	return &rpcErr{Code: code, Message: fmt.Sprintf(format, args...)}
}

func decodeParams(raw json.RawMessage, v any) *rpcErr {
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return errf(codeInvalidParams, "invalid parameters: %v", err)
	}
	return nil
}

// view is a consistent snapshot of what a request may see.
type view struct {
	vis        []*simLedger // visible ledgers, oldest first (pruned ones cut)
	passphrase string
	retention  int
	entries    map[string]simEntry
}

func (v view) oldest() *simLedger { return v.vis[0] }
func (v view) latest() *simLedger { return v.vis[len(v.vis)-1] }

// from returns the index of the first visible ledger at or after seq.
func (v view) from(seq uint32) int {
	return sort.Search(len(v.vis), func(i int) bool { return v.vis[i].seq >= seq })
}

func (s *StellarSim) view(pruned uint32) view {
	s.mu.RLock()
	defer s.mu.RUnlock()
	vis := s.ledgers[:s.tipIdx+1]
	if pruned != 0 {
		i := sort.Search(len(vis), func(i int) bool { return vis[i].seq >= pruned })
		vis = vis[min(i, len(vis)-1):] // a node always keeps its tip
	}
	return view{vis: vis, passphrase: s.passphrase, retention: s.retention, entries: s.entries}
}

func (s *StellarSim) dispatch(method string, params json.RawMessage, pruned uint32) (any, *rpcErr) {
	v := s.view(pruned)
	switch method {
	case protocol.GetHealthMethodName:
		return protocol.GetHealthResponse{
			Status:       "healthy",
			LatestLedger: v.latest().seq, LatestLedgerCloseTime: v.latest().closeTime,
			OldestLedger: v.oldest().seq, OldestLedgerCloseTime: v.oldest().closeTime,
			LedgerRetentionWindow: uint32(v.retention),
		}, nil
	case protocol.GetNetworkMethodName:
		return protocol.GetNetworkResponse{Passphrase: v.passphrase, ProtocolVersion: int(v.latest().protocol)}, nil
	case protocol.GetLatestLedgerMethodName:
		l := v.latest()
		return protocol.GetLatestLedgerResponse{
			Hash: l.hash, ProtocolVersion: l.protocol, Sequence: l.seq, LedgerCloseTime: l.closeTime,
			LedgerHeader: l.headerB64, LedgerMetadata: l.meta(),
		}, nil
	case protocol.GetLedgersMethodName:
		return s.getLedgers(v, params)
	case protocol.GetTransactionsMethodName:
		return s.getTransactions(v, params)
	case protocol.GetEventsMethodName:
		return s.getEvents(v, params)
	case protocol.GetLedgerEntriesMethodName:
		return s.getLedgerEntries(v, params)
	}
	return nil, errf(codeNoMethod, "method %q not found", method)
}

func checkFormat(f string) *rpcErr {
	if f != "" && f != protocol.FormatBase64 {
		return errf(codeInvalidParams, "xdrFormat %q is not served by the simulator (base64 only)", f)
	}
	return nil
}

func pageLimit(p *protocol.LedgerPaginationOptions, def, max uint) (uint, *rpcErr) {
	if p == nil || p.Limit == 0 {
		return def, nil
	}
	if p.Limit > max {
		return 0, errf(codeInvalidParams, "limit must not exceed %d", max)
	}
	return p.Limit, nil
}

func rangeErr(start uint32, v view) *rpcErr {
	return errf(codeInvalidRequest, "start ledger (%d) must be between the oldest ledger: %d and the latest ledger: %d for this rpc instance",
		start, v.oldest().seq, v.latest().seq)
}

func (s *StellarSim) getLedgers(v view, params json.RawMessage) (any, *rpcErr) {
	var req protocol.GetLedgersRequest
	if e := decodeParams(params, &req); e != nil {
		return nil, e
	}
	if e := checkFormat(req.Format); e != nil {
		return nil, e
	}
	limit, e := pageLimit(req.Pagination, simLedgersDefault, simLedgersMax)
	if e != nil {
		return nil, e
	}
	start := req.StartLedger
	if req.Pagination != nil && req.Pagination.Cursor != "" {
		if req.StartLedger != 0 {
			return nil, errf(codeInvalidParams, "startLedger (%d) and cursor (%s) cannot both be set", req.StartLedger, req.Pagination.Cursor)
		}
		c, err := strconv.ParseUint(req.Pagination.Cursor, 10, 32)
		if err != nil {
			return nil, errf(codeInvalidParams, "invalid cursor %q", req.Pagination.Cursor)
		}
		start = uint32(c) + 1
	} else if start < v.oldest().seq || start > v.latest().seq {
		return nil, rangeErr(start, v)
	}
	i := v.from(start)
	page := v.vis[i:min(i+int(limit), len(v.vis))]
	resp := protocol.GetLedgersResponse{
		Ledgers:      []protocol.LedgerInfo{},
		LatestLedger: v.latest().seq, LatestLedgerCloseTime: v.latest().closeTime,
		OldestLedger: v.oldest().seq, OldestLedgerCloseTime: v.oldest().closeTime,
		Cursor: strconv.FormatUint(uint64(start-1), 10),
	}
	if len(page) > 0 {
		resp.Cursor = strconv.FormatUint(uint64(page[len(page)-1].seq), 10)
	}
	return ledgersJSON(resp, page)
}

// ledgersJSON is the getLedgers answer resp (whose Ledgers is empty) with
// page's ledgers, spliced from their cached JSON pieces: it is what
// encoding resp with the ledgers' infos would give, without encoding
// their metas again.
func ledgersJSON(resp protocol.GetLedgersResponse, page []*simLedger) (any, *rpcErr) {
	const open = `{"ledgers":[`
	b, err := encodeJSON(resp)
	if err != nil {
		return nil, errf(codeInternal, "encode getLedgers answer: %v", err)
	}
	rest, ok := bytes.CutPrefix(b, []byte(open+"]"))
	if !ok {
		return nil, errf(codeInternal, "getLedgers answer does not start with its ledgers: %.80s", b)
	}
	out := make(preEncoded, 0, 3+4*len(page))
	out = append(out, []byte(open))
	for j, l := range page {
		if j > 0 {
			out = append(out, []byte(","))
		}
		if out, err = l.jsonPieces(out); err != nil {
			return nil, errf(codeInternal, "%v", err)
		}
	}
	return append(out, []byte("]"), rest), nil
}

func txCursor(ledger uint32, order int) string {
	return strconv.FormatInt(toid.New(int32(ledger), int32(order), 1).ToInt64(), 10)
}

func (s *StellarSim) getTransactions(v view, params json.RawMessage) (any, *rpcErr) {
	var req protocol.GetTransactionsRequest
	if e := decodeParams(params, &req); e != nil {
		return nil, e
	}
	if e := checkFormat(req.Format); e != nil {
		return nil, e
	}
	limit, e := pageLimit(req.Pagination, simTxDefault, simTxMax)
	if e != nil {
		return nil, e
	}
	start, after := req.StartLedger, int32(0)
	if req.Pagination != nil && req.Pagination.Cursor != "" {
		if req.StartLedger != 0 {
			return nil, errf(codeInvalidParams, "startLedger (%d) and cursor (%s) cannot both be set", req.StartLedger, req.Pagination.Cursor)
		}
		id, err := strconv.ParseInt(req.Pagination.Cursor, 10, 64)
		if err != nil {
			return nil, errf(codeInvalidParams, "invalid cursor %q", req.Pagination.Cursor)
		}
		t := toid.Parse(id)
		start, after = uint32(t.LedgerSequence), t.TransactionOrder
	} else if start < v.oldest().seq || start > v.latest().seq {
		return nil, rangeErr(start, v)
	}
	resp := protocol.GetTransactionsResponse{
		Transactions: []protocol.TransactionInfo{},
		LatestLedger: v.latest().seq, LatestLedgerCloseTime: v.latest().closeTime,
		OldestLedger: v.oldest().seq, OldestLedgerCloseTime: v.oldest().closeTime,
	}
	if req.Pagination != nil {
		resp.Cursor = req.Pagination.Cursor
	}
	for _, l := range v.vis[v.from(start):] {
		if err := l.derive(v.passphrase); err != nil {
			return nil, errf(codeInternal, "%v", err)
		}
		for _, tx := range l.txs {
			if l.seq == start && tx.ApplicationOrder <= after {
				continue
			}
			resp.Transactions = append(resp.Transactions, tx)
			if uint(len(resp.Transactions)) == limit {
				resp.Cursor = txCursor(l.seq, int(tx.ApplicationOrder))
				return resp, nil
			}
		}
		// Everything up to the end of this ledger has been returned.
		resp.Cursor = txCursor(l.seq, len(l.txs))
	}
	return resp, nil
}

func (s *StellarSim) getEvents(v view, params json.RawMessage) (any, *rpcErr) {
	var req protocol.GetEventsRequest
	if e := decodeParams(params, &req); e != nil {
		return nil, e
	}
	if err := req.Valid(simEventsMax); err != nil {
		return nil, errf(codeInvalidParams, "%v", err)
	}
	limit := uint(simEventsDefault)
	if req.Pagination != nil && req.Pagination.Limit > 0 {
		limit = req.Pagination.Limit
	}
	latest := v.latest().seq
	var after *protocol.Cursor
	start := req.StartLedger
	if req.Pagination != nil && req.Pagination.Cursor != nil {
		after = req.Pagination.Cursor
		start = after.Ledger
	} else if start < v.oldest().seq || start > latest {
		return nil, errf(codeInvalidRequest, "startLedger must be within the ledger range: %d - %d", v.oldest().seq, latest)
	}
	end := min(uint64(start)+simEventsScan, uint64(latest)+1)
	if after == nil && req.EndLedger != 0 {
		if req.EndLedger <= start {
			return nil, errf(codeInvalidParams, "endLedger must be after startLedger")
		}
		end = min(end, uint64(req.EndLedger))
	}
	resp := protocol.GetEventsResponse{
		Events:       []protocol.EventInfo{},
		LatestLedger: latest, LatestLedgerCloseTime: v.latest().closeTime,
		OldestLedger: v.oldest().seq, OldestLedgerCloseTime: v.oldest().closeTime,
	}
	for _, l := range v.vis[v.from(start):] {
		if uint64(l.seq) >= end {
			break
		}
		if err := l.derive(v.passphrase); err != nil {
			return nil, errf(codeInternal, "%v", err)
		}
		for i := range l.events {
			ev := &l.events[i]
			if after != nil && ev.cursor.Cmp(*after) <= 0 {
				continue
			}
			if !req.Matches(ev.diag) {
				continue
			}
			resp.Events = append(resp.Events, ev.info)
			if uint(len(resp.Events)) == limit {
				resp.Cursor = ev.info.ID
				return resp, nil
			}
		}
	}
	// Not a full page: the search window is exhausted; the cursor marks
	// its end so that the next page starts after it.
	resp.Cursor = protocol.Cursor{Ledger: uint32(end - 1), Tx: toid.TransactionMask, Op: toid.OperationMask, Event: math.MaxUint32}.String()
	return resp, nil
}

func (s *StellarSim) getLedgerEntries(v view, params json.RawMessage) (any, *rpcErr) {
	var req protocol.GetLedgerEntriesRequest
	if e := decodeParams(params, &req); e != nil {
		return nil, e
	}
	if e := checkFormat(req.Format); e != nil {
		return nil, e
	}
	if len(req.Keys) == 0 {
		return nil, errf(codeInvalidParams, "keys must be set")
	}
	if len(req.Keys) > simKeysMax {
		return nil, errf(codeInvalidParams, "key count (%d) exceeds maximum supported (%d)", len(req.Keys), simKeysMax)
	}
	resp := protocol.GetLedgerEntriesResponse{Entries: []protocol.LedgerEntryResult{}, LatestLedger: v.latest().seq}
	liveUntil := v.latest().seq + 1_000_000
	for i, k := range req.Keys {
		var key xdr.LedgerKey
		if err := xdr.SafeUnmarshalBase64(k, &key); err != nil {
			return nil, errf(codeInvalidParams, "cannot unmarshal key value %s at index %d", k, i)
		}
		canon, err := xdr.MarshalBase64(key)
		if err != nil {
			return nil, errf(codeInvalidParams, "cannot marshal key at index %d", i)
		}
		e, ok := v.entries[canon] // written only before serving starts
		if !ok {
			continue
		}
		resp.Entries = append(resp.Entries, protocol.LedgerEntryResult{
			KeyXDR: canon, DataXDR: e.dataB64, LastModifiedLedger: e.lastModified, LiveUntilLedgerSeq: &liveUntil,
		})
	}
	return resp, nil
}
