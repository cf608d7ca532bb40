package solana

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"

	"github.com/ozmon/ozmon/chain"
)

// decodeLenient reads a getBlock result that the strict shapes refused,
// field by field with OpenZeppelin Monitor's rules (spec 13.3): a field of
// the wrong type takes its default, a list keeps the elements of the
// right type. Only a transactions value that is not a list fails: that is
// not a block.
func decodeLenient(network string, slot uint64, raw []byte) (*chain.Block, error) {
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var top map[string]any
	if err := d.Decode(&top); err != nil {
		return nil, fmt.Errorf("slot %d: getBlock result: %s", slot, errText(err))
	}
	var list []any
	switch v := top["transactions"].(type) {
	case nil:
	case []any:
		list = v
	default:
		return nil, fmt.Errorf("slot %d: getBlock result: transactions is not a list", slot)
	}
	parentSlot, _ := u64(top["parentSlot"])
	var blockTime *int64
	if n, ok := i64(top["blockTime"]); ok {
		blockTime = &n
	}
	var height *uint64
	if n, ok := u64(top["blockHeight"]); ok {
		height = &n
	}
	b := newBlock(network, slot, str(top["blockhash"]), str(top["previousBlockhash"]), parentSlot, blockTime, height, len(list))
	models := make([]chain.SolanaTransaction, 0, len(list))
	for _, e := range list {
		entry, ok := e.(map[string]any)
		if !ok {
			continue
		}
		txv, ok := entry["transaction"].(map[string]any)
		if !ok {
			continue // OZ drops an entry without a transaction
		}
		st := chain.SolanaTransaction{Slot: slot, BlockTime: blockTime}
		if sigs, ok := txv["signatures"].([]any); ok && len(sigs) > 0 {
			st.Signature = str(sigs[0])
		}
		msg, _ := txv["message"].(map[string]any)
		st.Message.AccountKeys = accountKeys(msg["accountKeys"])
		st.Message.RecentBlockhash = str(msg["recentBlockhash"])
		st.Message.Instructions = lenientInstructions(msg["instructions"])
		for _, l := range objects(msg["addressTableLookups"]) {
			st.Message.AddressTableLookups = append(st.Message.AddressTableLookups, chain.SolanaTableLookup{
				AccountKey: str(l["accountKey"]), WritableIndexes: u8s(l["writableIndexes"]), ReadonlyIndexes: u8s(l["readonlyIndexes"])})
		}
		if mv, ok := entry["meta"].(map[string]any); ok {
			st.Meta = lenientMeta(mv)
		}
		models = append(models, st)
	}
	attach(b, models)
	return b, nil
}

func lenientMeta(mv map[string]any) *chain.SolanaTransactionMeta {
	meta := &chain.SolanaTransactionMeta{}
	if e, ok := mv["err"]; ok && e != nil {
		if raw, err := json.Marshal(e); err == nil {
			meta.Err = raw
		}
	}
	meta.Fee, _ = u64(mv["fee"])
	meta.PreBalances = u64s(mv["preBalances"])
	meta.PostBalances = u64s(mv["postBalances"])
	for _, v := range list(mv["logMessages"]) {
		if s, ok := v.(string); ok {
			meta.LogMessages = append(meta.LogMessages, s)
		}
	}
	for _, g := range objects(mv["innerInstructions"]) {
		idx, ok := u64(g["index"])
		if !ok || idx > math.MaxUint8 {
			continue
		}
		meta.InnerInstructions = append(meta.InnerInstructions,
			chain.SolanaInnerInstructions{Index: uint8(idx), Instructions: lenientInstructions(g["instructions"])})
	}
	if n, ok := u64(mv["computeUnitsConsumed"]); ok {
		meta.ComputeUnitsConsumed = &n
	}
	if la, ok := mv["loadedAddresses"].(map[string]any); ok {
		meta.LoadedAddresses = &chain.SolanaLoadedAddresses{Writable: strs(la["writable"]), Readonly: strs(la["readonly"])}
	}
	return meta
}

func lenientInstructions(v any) []chain.SolanaInstruction {
	var out []chain.SolanaInstruction
	for _, ix := range objects(v) {
		var idx uint64
		if pv, present := ix["programIdIndex"]; present && pv != nil {
			n, ok := u64(pv)
			if !ok || n > math.MaxUint8 {
				continue
			}
			idx = n
		}
		si := chain.SolanaInstruction{ProgramIDIndex: uint8(idx), Accounts: u8s(ix["accounts"]), Data: str(ix["data"]),
			Program: str(ix["program"]), ProgramID: str(ix["programId"])}
		if p, ok := ix["parsed"]; ok && p != nil {
			if raw, err := json.Marshal(p); err == nil {
				si.Parsed = raw
			}
		}
		if h, ok := u64(ix["stackHeight"]); ok && h <= math.MaxUint32 {
			h32 := uint32(h)
			si.StackHeight = &h32
		}
		out = append(out, si)
	}
	return out
}

// accountKeys keeps string keys and the pubkey of object keys (the
// jsonParsed form), dropping anything else.
func accountKeys(v any) []string {
	var out []string
	for _, k := range list(v) {
		switch k := k.(type) {
		case string:
			out = append(out, k)
		case map[string]any:
			if s, ok := k["pubkey"].(string); ok {
				out = append(out, s)
			}
		}
	}
	return out
}

func list(v any) []any {
	l, _ := v.([]any)
	return l
}

func objects(v any) []map[string]any {
	var out []map[string]any
	for _, e := range list(v) {
		if m, ok := e.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

func strs(v any) []string {
	var out []string
	for _, e := range list(v) {
		if s, ok := e.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

func u64(v any) (uint64, bool) {
	n, ok := v.(json.Number)
	if !ok {
		return 0, false
	}
	u, err := strconv.ParseUint(string(n), 10, 64)
	return u, err == nil
}

func i64(v any) (int64, bool) {
	n, ok := v.(json.Number)
	if !ok {
		return 0, false
	}
	i, err := strconv.ParseInt(string(n), 10, 64)
	return i, err == nil
}

func u64s(v any) []uint64 {
	var out []uint64
	for _, e := range list(v) {
		if n, ok := u64(e); ok {
			out = append(out, n)
		}
	}
	return out
}

func u8s(v any) []uint8 {
	var out []uint8
	for _, e := range list(v) {
		if n, ok := u64(e); ok && n <= math.MaxUint8 {
			out = append(out, uint8(n))
		}
	}
	return out
}
