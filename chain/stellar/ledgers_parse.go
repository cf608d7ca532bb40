package stellar

import (
	"encoding/base64"

	protocol "github.com/stellar/go-stellar-sdk/protocols/rpc"

	"github.com/ozmon/ozmon/chain/internal/jsonrpc"
)

// parseLedgers reads a getLedgers response body as encoding/json would
// decode it into r, except that each ledger's metadataXdr is decoded
// straight from the body into metas[i] and LedgerMetadata is left empty:
// a mainnet ledger is ~1.5 MB of base64, and encoding/json would scan it,
// unquote it, copy it into a string and then have it decoded from there.
//
// It reports false, leaving the body to encoding/json, for anything but a
// clean answer: an error object, nulls, escapes, keys in another case,
// duplicate keys, odd numbers, and also whatever Ledgers would reject with
// a message of its own (a missing or non-base64 metadataXdr, a hash that
// is not 64 hex digits), so that those errors read as they always have.
// The cursor and the ledger headers are checked but not kept: Ledgers
// uses neither.
func parseLedgers(body []byte, r *protocol.GetLedgersResponse, metas *[][]byte) bool {
	*r = protocol.GetLedgersResponse{}
	*metas = nil
	var ms [][]byte
	ok := jsonrpc.ScanResult(body, func(s *jsonrpc.Scanner) bool {
		keys := [...]string{"ledgers", "latestLedger", "latestLedgerCloseTime", "oldestLedger", "oldestLedgerCloseTime", "cursor"}
		return s.Object(keys[:], func(i int) bool {
			var ok bool
			switch i {
			case 0:
				r.Ledgers = []protocol.LedgerInfo{}
				ok = s.Array(func() bool {
					var li protocol.LedgerInfo
					meta, ok := parseLedgerInfo(s, &li)
					r.Ledgers = append(r.Ledgers, li)
					ms = append(ms, meta)
					return ok
				})
			case 1:
				r.LatestLedger, ok = s.Uint32()
			case 2:
				r.LatestLedgerCloseTime, ok = s.Int64()
			case 3:
				r.OldestLedger, ok = s.Uint32()
			case 4:
				r.OldestLedgerCloseTime, ok = s.Int64()
			case 5:
				ok = s.SkipString() // not kept: Ledgers pages by sequence
			}
			return ok
		})
	})
	if !ok {
		*r = protocol.GetLedgersResponse{}
		return false
	}
	*metas = ms
	return true
}

// parseLedgerInfo reads one ledger object into li (all but the XDR
// strings) and returns its decoded meta.
func parseLedgerInfo(s *jsonrpc.Scanner, li *protocol.LedgerInfo) ([]byte, bool) {
	var meta []byte
	hasHash := false
	keys := [...]string{"hash", "sequence", "ledgerCloseTime", "headerXdr", "headerJson", "metadataXdr", "metadataJson"}
	ok := s.Object(keys[:], func(i int) bool {
		var ok bool
		switch i {
		case 0:
			var h []byte
			if h, ok = s.PlainString(); ok && isHash(h) {
				li.Hash, hasHash = string(h), true
			}
			return hasHash
		case 1:
			li.Sequence, ok = s.Uint32()
		case 2:
			li.LedgerCloseTime, ok = s.QuotedInt64()
		case 3:
			// Not kept: RawLedger has no header. Its type is still
			// checked, as encoding/json would fail on a wrong one.
			ok = s.SkipString()
		case 4, 6:
			ok = s.Skip() // json.RawMessage takes any value
		case 5:
			var b64 []byte
			if b64, ok = s.StringSpan(); ok {
				meta, ok = decodeMeta(b64)
			}
		}
		return ok
	})
	return meta, ok && hasHash && meta != nil
}

// decodeMeta decodes a metadataXdr span, refusing what DecodeString of
// the unquoted string would not give the same bytes for: an empty string
// (an error of its own in rawLedger), and CR or LF, which the decoder
// skips but which JSON forbids raw in a string (a backslash or other
// control byte is not base64, so the decoder refuses it).
func decodeMeta(b64 []byte) ([]byte, bool) {
	if len(b64) == 0 || len(b64)%4 != 0 {
		return nil, false
	}
	enc := base64.StdEncoding
	want := len(b64) / 4 * 3
	for i := len(b64) - 1; i >= len(b64)-2 && b64[i] == '='; i-- {
		want--
	}
	buf := make([]byte, enc.DecodedLen(len(b64)))
	n, err := enc.Decode(buf, b64)
	if err != nil || n != want {
		return nil, false
	}
	return buf[:n], true
}

// isHash reports whether h is what rawLedger accepts: 32 bytes in hex.
func isHash(h []byte) bool {
	if len(h) != 64 {
		return false
	}
	for _, c := range h {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}
