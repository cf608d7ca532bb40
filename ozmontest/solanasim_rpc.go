package ozmontest

import (
	"encoding/json"
	"strconv"
)

// Solana's own JSON-RPC error codes, as agave's RPC answers them.
const (
	solCodeBlockNotAvailable = -32004
	solCodeSlotSkipped       = -32007
	solCodeLongTermStorage   = -32009
)

// solMaxBlocksRange bounds a getBlocks range, as agave does.
const solMaxBlocksRange = 500_000

func (s *SolanaSim) dispatch(method string, params json.RawMessage) (any, *rpcErr) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	switch method {
	case "getSlot", "getBlockHeight":
		return json.RawMessage(strconv.FormatUint(s.slots[s.tipIdx].slot, 10)), nil
	case "getHealth":
		return jsonString("ok"), nil
	case "getVersion":
		return map[string]any{"solana-core": "2.1.0", "feature-set": 1}, nil
	case "getBlock":
		return s.getBlock(params)
	case "getBlocks":
		return s.getBlocks(params)
	}
	return nil, errf(codeNoMethod, "Method not found")
}

// slotParam reads params[i] as a slot number.
func slotParam(p []json.RawMessage, i int) (uint64, bool) {
	if i >= len(p) {
		return 0, false
	}
	n, err := strconv.ParseUint(string(p[i]), 10, 64)
	return n, err == nil
}

func (s *SolanaSim) getBlock(params json.RawMessage) (any, *rpcErr) {
	var p []json.RawMessage
	if err := json.Unmarshal(params, &p); err != nil || len(p) < 1 || len(p) > 2 {
		return nil, errf(codeInvalidParams, "Invalid params: want [slot, config]")
	}
	slot, ok := slotParam(p, 0)
	if !ok {
		return nil, errf(codeInvalidParams, "Invalid params: invalid slot")
	}
	if len(p) == 2 {
		var cfg struct {
			Encoding                       string  `json:"encoding"`
			TransactionDetails             string  `json:"transactionDetails"`
			MaxSupportedTransactionVersion *uint64 `json:"maxSupportedTransactionVersion"`
		}
		if err := json.Unmarshal(p[1], &cfg); err != nil {
			return nil, errf(codeInvalidParams, "Invalid params: %v", err)
		}
		if cfg.Encoding != "" && cfg.Encoding != "json" {
			return nil, errf(codeInvalidParams, "Invalid params: this simulator serves encoding json only")
		}
		if cfg.TransactionDetails != "" && cfg.TransactionDetails != "full" {
			return nil, errf(codeInvalidParams, "Invalid params: this simulator serves transactionDetails full only")
		}
		if cfg.MaxSupportedTransactionVersion == nil && s.hasV0Locked(slot) {
			return nil, errf(-32015, "Transaction version (0) is not supported by the requesting client. Please try the request again with the following configuration parameter: \"maxSupportedTransactionVersion\": 0")
		}
	}
	if slot > s.slots[s.tipIdx].slot {
		return nil, errf(solCodeBlockNotAvailable, "Block not available for slot %d", slot)
	}
	i := s.indexLocked(slot)
	switch {
	case i < 0 && slot < s.slots[0].slot:
		return nil, errf(solCodeLongTermStorage, "Slot %d was skipped, or missing in long-term storage", slot)
	case i < 0 || s.slots[i].block == nil:
		return nil, errf(solCodeSlotSkipped, "Slot %d was skipped, or missing due to ledger jump to recent snapshot", slot)
	}
	// The cached encoding, written as is: no re-encoding per call.
	return preEncoded{s.slots[i].encoded}, nil
}

// hasV0Locked reports whether slot's block holds a version-0 transaction.
func (s *SolanaSim) hasV0Locked(slot uint64) bool {
	i := s.indexLocked(slot)
	if i < 0 || s.slots[i].block == nil {
		return false
	}
	for _, tx := range s.slots[i].block.Transactions {
		if st := tx.Solana; st != nil && (len(st.Message.AddressTableLookups) > 0 ||
			(st.Meta != nil && st.Meta.LoadedAddresses != nil && len(st.Meta.LoadedAddresses.Writable)+len(st.Meta.LoadedAddresses.Readonly) > 0)) {
			return true
		}
	}
	return false
}

func (s *SolanaSim) getBlocks(params json.RawMessage) (any, *rpcErr) {
	var p []json.RawMessage
	if err := json.Unmarshal(params, &p); err != nil || len(p) < 1 || len(p) > 3 {
		return nil, errf(codeInvalidParams, "Invalid params: want [start, end?, config?]")
	}
	start, ok := slotParam(p, 0)
	if !ok {
		return nil, errf(codeInvalidParams, "Invalid params: invalid start slot")
	}
	end := s.slots[s.tipIdx].slot
	if e, ok := slotParam(p, 1); ok {
		end = min(e, end)
	}
	if end >= start && end-start > solMaxBlocksRange {
		return nil, errf(codeInvalidParams, "Slot range too large; max %d", solMaxBlocksRange)
	}
	out := []uint64{}
	for _, ss := range s.slots[:s.tipIdx+1] {
		if ss.slot >= start && ss.slot <= end && ss.block != nil {
			out = append(out, ss.slot)
		}
	}
	return out, nil
}
