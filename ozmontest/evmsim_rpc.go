package ozmontest

import (
	"encoding/json"
	"strconv"
	"strings"
)

// evmMaxLogRange bounds an eth_getLogs block range, like providers do.
const evmMaxLogRange = 10000

func marshalResult(v any) (json.RawMessage, *rpcErr) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, errf(codeInternal, "marshal result: %v", err)
	}
	return b, nil
}

func (s *EVMSim) dispatchEVM(method string, params json.RawMessage) (json.RawMessage, *rpcErr) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	switch method {
	case "eth_blockNumber":
		return jsonString("0x" + strconv.FormatUint(s.blocks[s.tipIdx].number, 16)), nil
	case "net_version":
		return jsonString(strconv.FormatUint(s.chainID, 10)), nil
	case "eth_chainId":
		return jsonString("0x" + strconv.FormatUint(s.chainID, 16)), nil
	case "eth_getBlockByNumber":
		return s.getBlockByNumber(params)
	case "eth_getLogs":
		return s.getLogs(params)
	case "eth_getTransactionReceipt":
		return s.getReceipt(params)
	}
	return nil, errf(codeNoMethod, "the method %s does not exist/is not available", method)
}

// blockTag resolves "latest", "earliest", … or a hex quantity.
func (s *EVMSim) blockTag(raw json.RawMessage) (uint64, *rpcErr) {
	var tag string
	if len(raw) == 0 || string(raw) == "null" {
		tag = "latest"
	} else if err := json.Unmarshal(raw, &tag); err != nil {
		return 0, errf(codeInvalidParams, "invalid block tag: %v", err)
	}
	switch tag {
	case "latest", "pending", "safe", "finalized":
		return s.blocks[s.tipIdx].number, nil
	case "earliest":
		return s.blocks[0].number, nil
	}
	n, err := parseHexUint(tag)
	if err != nil {
		return 0, errf(codeInvalidParams, "invalid block number %q", tag)
	}
	return n, nil
}

func (s *EVMSim) getBlockByNumber(params json.RawMessage) (json.RawMessage, *rpcErr) {
	var p []json.RawMessage
	if err := json.Unmarshal(params, &p); err != nil || len(p) < 1 || len(p) > 2 {
		return nil, errf(codeInvalidParams, "invalid params: want [blockNumber, fullTransactions]")
	}
	n, rerr := s.blockTag(p[0])
	if rerr != nil {
		return nil, rerr
	}
	full := false
	if len(p) == 2 {
		if err := json.Unmarshal(p[1], &full); err != nil {
			return nil, errf(codeInvalidParams, "invalid fullTransactions flag: %v", err)
		}
	}
	b := s.visibleLocked(n)
	if b == nil {
		return json.RawMessage("null"), nil
	}
	out := make(map[string]any, len(b.fields)+1)
	for k, v := range b.fields {
		out[k] = v
	}
	if full {
		out["transactions"] = b.txs
	} else {
		out["transactions"] = b.txHashes
	}
	return marshalResult(out)
}

// logFilter is eth_getLogs' filter object; address is a string or a list,
// each topic position null, a string or a list of alternatives.
type logFilter struct {
	FromBlock json.RawMessage   `json:"fromBlock"`
	ToBlock   json.RawMessage   `json:"toBlock"`
	BlockHash string            `json:"blockHash"`
	Address   json.RawMessage   `json:"address"`
	Topics    []json.RawMessage `json:"topics"`
}

// oneOrMany decodes null, "x" or ["x", …] into a lowercase set (nil = any).
func oneOrMany(raw json.RawMessage) (map[string]bool, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var list []string
	if err := json.Unmarshal(raw, &list); err != nil {
		var one string
		if err := json.Unmarshal(raw, &one); err != nil {
			return nil, err
		}
		list = []string{one}
	}
	set := make(map[string]bool, len(list))
	for _, v := range list {
		set[strings.ToLower(v)] = true
	}
	return set, nil
}

func (s *EVMSim) getLogs(params json.RawMessage) (json.RawMessage, *rpcErr) {
	var p []logFilter
	if err := json.Unmarshal(params, &p); err != nil || len(p) != 1 {
		return nil, errf(codeInvalidParams, "invalid params: want [filter]")
	}
	f := p[0]
	addrs, err := oneOrMany(f.Address)
	if err != nil {
		return nil, errf(codeInvalidParams, "invalid address filter: %v", err)
	}
	topics := make([]map[string]bool, len(f.Topics))
	for i, t := range f.Topics {
		if topics[i], err = oneOrMany(t); err != nil {
			return nil, errf(codeInvalidParams, "invalid topic filter %d: %v", i, err)
		}
	}
	var blocks []*evmSimBlock
	if f.BlockHash != "" {
		for _, b := range s.blocks[:s.tipIdx+1] {
			if b.hash == strings.ToLower(f.BlockHash) {
				blocks = append(blocks, b)
			}
		}
		if blocks == nil {
			return nil, errf(codeInvalidParams, "unknown block %s", f.BlockHash)
		}
	} else {
		from, rerr := s.blockTag(f.FromBlock)
		if rerr != nil {
			return nil, rerr
		}
		to, rerr := s.blockTag(f.ToBlock)
		if rerr != nil {
			return nil, rerr
		}
		if to < from {
			return nil, errf(codeInvalidParams, "invalid block range params")
		}
		if to-from >= evmMaxLogRange {
			return nil, errf(codeInvalidParams, "block range too large, max %d", evmMaxLogRange)
		}
		for _, b := range s.blocks[:s.tipIdx+1] {
			if b.number >= from && b.number <= to {
				blocks = append(blocks, b)
			}
		}
	}
	out := []map[string]json.RawMessage{}
	for _, b := range blocks {
		for _, l := range s.logsLocked(b) {
			if addrs != nil && !addrs[l.address] {
				continue
			}
			if !topicsMatch(topics, l.topics) {
				continue
			}
			out = append(out, l.fields)
		}
	}
	return marshalResult(out)
}

func topicsMatch(filter []map[string]bool, topics []string) bool {
	for i, alts := range filter {
		if alts == nil {
			continue
		}
		if i >= len(topics) || !alts[topics[i]] {
			return false
		}
	}
	return true
}

func (s *EVMSim) getReceipt(params json.RawMessage) (json.RawMessage, *rpcErr) {
	var p []string
	if err := json.Unmarshal(params, &p); err != nil || len(p) != 1 {
		return nil, errf(codeInvalidParams, "invalid params: want [transactionHash]")
	}
	h := strings.ToLower(p[0])
	r := s.receipts[h]
	if r == nil || s.visibleLocked(r.blockNumber) == nil {
		return json.RawMessage("null"), nil
	}
	out := make(map[string]any, len(r.fields)+1)
	for k, v := range r.fields {
		out[k] = v
	}
	logs := r.logs
	if logs == nil {
		logs = []map[string]json.RawMessage{}
	}
	out["logs"] = logs
	return marshalResult(out)
}
