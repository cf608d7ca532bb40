package chain

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// jsonBlock is midnight_jsonBlock's block (after the second parse).
type jsonBlock struct {
	Header struct {
		ParentHash string `json:"parentHash"`
		Number     string `json:"number"`
	} `json:"header"`
	Body []json.RawMessage `json:"body"`
}

// MidnightBlockFromJSON turns midnight_jsonBlock's block JSON (the string the node
// returned, parsed once more) into a Block with Midnight set and no
// events; hash is the block's hash (chain_getBlockHash). Body items other
// than MidnightTransaction and Timestamp are skipped, as OpenZeppelin
// Monitor skips them. A transaction whose hash is not 32 bytes of hex, or
// whose operations do not parse, is dropped alone (QM5, our fix: OZ fails
// the whole block); a block that is not JSON of this shape is an error.
// Block number: hex header.number, 0 when it does not parse (OZ's rule).
func MidnightBlockFromJSON(network, hash string, data []byte) (*Block, error) {
	var jb jsonBlock
	if err := json.Unmarshal(data, &jb); err != nil {
		return nil, fmt.Errorf("decode block JSON: %w", err)
	}
	n, _ := parseMidnightNumber(jb.Header.Number)
	b := &Block{
		Chain: Midnight, Network: network, Ledger: n,
		Hash: strings.ToLower(hash), ParentHash: strings.ToLower(jb.Header.ParentHash),
		Transactions: []Transaction{},
		Midnight:     &MidnightBlock{},
	}
	for _, item := range jb.Body {
		kind, inner, ok := midnightTaggedItem(item)
		if !ok {
			continue // "UnknownTransaction", "RuntimeUpgrade", …
		}
		switch kind {
		case "Timestamp":
			ms, err := strconv.ParseInt(string(bytes.TrimSpace(inner)), 10, 64)
			if err == nil {
				b.CloseTime = time.UnixMilli(ms).UTC()
			}
		case "MidnightTransaction":
			var wrapper struct {
				Tx *MidnightTransaction `json:"tx"`
			}
			if err := json.Unmarshal(inner, &wrapper); err != nil || wrapper.Tx == nil {
				continue
			}
			key := MidnightHashKey(wrapper.Tx.TxHash)
			if h, err := hex.DecodeString(key); err != nil || len(h) != 32 {
				continue // QM5
			}
			b.Transactions = append(b.Transactions, Transaction{
				Hash: key, Index: len(b.Transactions) + 1, Midnight: wrapper.Tx,
			})
		}
	}
	return b, nil
}

// tagged splits an externally tagged enum value written as a one-key
// object; ok is false for any other JSON (bare strings included).
func midnightTaggedItem(data []byte) (string, json.RawMessage, bool) {
	data = bytes.TrimSpace(data)
	if len(data) == 0 || data[0] != '{' {
		return "", nil, false
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(data, &m); err != nil || len(m) != 1 {
		return "", nil, false
	}
	for k, v := range m {
		return k, v, true
	}
	return "", nil, false
}

// MidnightEventFromJSON reads one element of midnight_decodeEvents' answer. The seven
// kinds of spec 17.3 keep their kind, transaction hash (normalised) and
// contract address (MidnightAddressKey form); anything else, or a known
// kind whose fields do not fit, is kind "Unknown". Raw is the element as
// sent.
func MidnightEventFromJSON(raw json.RawMessage) MidnightEvent {
	ev := MidnightEvent{Kind: MidnightEventUnknown, Raw: append(json.RawMessage(nil), raw...)}
	kind, inner, ok := midnightTaggedItem(raw)
	if !ok {
		return ev
	}
	var f struct {
		Phase   json.RawMessage `json:"phase"`
		TxHash  *string         `json:"tx_hash"`
		Address *string         `json:"address"`
	}
	if err := json.Unmarshal(inner, &f); err != nil || len(f.Phase) == 0 {
		return ev
	}
	needHash, needAddr := true, false
	switch kind {
	case MidnightEventCallContract, MidnightEventDeployContract, MidnightEventMaintainContract:
		needAddr = true
	case MidnightEventTxApplied, MidnightEventOnlyGuaranteedTxApplied, MidnightEventClaimMint:
	case MidnightEventPayoutMinted:
		needHash = false
	default:
		return ev
	}
	if (needHash && f.TxHash == nil) || (needAddr && f.Address == nil) {
		return ev
	}
	ev.Kind = kind
	if f.TxHash != nil {
		ev.TxHash = MidnightHashKey(*f.TxHash)
	}
	if f.Address != nil {
		ev.Address = MidnightAddressKey(*f.Address)
	}
	return ev
}

// SetMidnightStatuses sets each transaction's Success from the block's events: a
// transaction succeeded iff some MidnightTxApplied or
// MidnightOnlyGuaranteedTxApplied event names its hash (spec 17.4).
func SetMidnightStatuses(b *Block) {
	applied := map[string]bool{}
	if b.Midnight != nil {
		for i := range b.Midnight.Events {
			if ev := &b.Midnight.Events[i]; ev.Applied() {
				applied[ev.TxHash] = true
			}
		}
	}
	for i := range b.Transactions {
		b.Transactions[i].Success = applied[b.Transactions[i].Hash]
	}
}

// parseMidnightNumber reads a hex block number ("0x2beb").
func parseMidnightNumber(s string) (uint64, error) {
	t := strings.TrimPrefix(strings.TrimPrefix(s, "0x"), "0X")
	n, err := strconv.ParseUint(t, 16, 64)
	if err != nil || t == "" {
		return 0, fmt.Errorf("%q is not a hex number", s)
	}
	return n, nil
}

// MidnightBlocksFromFile reads a Midnight block file: OpenZeppelin
// Monitor's fixture format (a JSON array of {"Midnight": block}, block
// being what midnight_jsonBlock's string holds, as its blocks.json), bare
// blocks accepted too. ozmon's extension: an item may carry, beside
// "Midnight", "events" — the block's midnight_decodeEvents elements —
// which set the transactions' statuses; without them every transaction
// counts as failed, as for a node whose events cannot be read (QM3).
func MidnightBlocksFromFile(network string, data []byte) ([]*Block, error) {
	var items []map[string]json.RawMessage
	if err := json.Unmarshal(data, &items); err != nil {
		return nil, fmt.Errorf("midnight block file: want a JSON array of blocks: %w", err)
	}
	out := make([]*Block, 0, len(items))
	for i, item := range items {
		raw, wrapped := item["Midnight"]
		if !wrapped {
			bare, err := json.Marshal(item)
			if err != nil {
				return nil, fmt.Errorf("midnight block file: item %d: %w", i, err)
			}
			raw = bare
		}
		var hash string
		if h, ok := item["hash"]; ok && wrapped {
			if err := json.Unmarshal(h, &hash); err != nil {
				return nil, fmt.Errorf("midnight block file: item %d: hash: %w", i, err)
			}
		}
		b, err := MidnightBlockFromJSON(network, hash, raw)
		if err != nil {
			return nil, fmt.Errorf("midnight block file: item %d: %w", i, err)
		}
		if evs, ok := item["events"]; ok && wrapped {
			var elems []json.RawMessage
			if err := json.Unmarshal(evs, &elems); err != nil {
				return nil, fmt.Errorf("midnight block file: item %d: events: want an array: %w", i, err)
			}
			for _, e := range elems {
				b.Midnight.Events = append(b.Midnight.Events, MidnightEventFromJSON(e))
			}
		}
		SetMidnightStatuses(b)
		out = append(out, b)
	}
	return out, nil
}
