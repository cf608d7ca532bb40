package ozmontest

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// evmSimBlock is one block as JSON fields, so that what the sim serves is
// what it was given, field for field, and a reorg can rewrite hashes.
type evmSimBlock struct {
	number   uint64
	hash     string
	parent   string
	fields   map[string]json.RawMessage // every field but transactions
	txs      []map[string]json.RawMessage
	txHashes []string // lowercase
}

// evmSimReceipt is one receipt as JSON fields; its logs are the block's.
type evmSimReceipt struct {
	blockNumber uint64
	fields      map[string]json.RawMessage // every field but logs
	logs        []map[string]json.RawMessage
}

// evmSimLog is a log as eth_getLogs filters and orders it.
type evmSimLog struct {
	address  string
	topics   []string
	logIndex uint64
	fields   map[string]json.RawMessage
}

func jsonString(s string) json.RawMessage {
	b, _ := json.Marshal(s) // a string always marshals
	return b
}

func fieldString(m map[string]json.RawMessage, key string) string {
	var s string
	_ = json.Unmarshal(m[key], &s) // absent or not a string: ""
	return s
}

func parseHexUint(s string) (uint64, error) {
	if !strings.HasPrefix(s, "0x") && !strings.HasPrefix(s, "0X") {
		return 0, fmt.Errorf("%q is not a 0x quantity", s)
	}
	return strconv.ParseUint(s[2:], 16, 64)
}

func (s *EVMSim) loadFixtures(blocksJSON, receiptsJSON []byte) error {
	var wrapped []struct {
		EVM json.RawMessage `json:"EVM"`
	}
	if err := json.Unmarshal(blocksJSON, &wrapped); err != nil {
		return fmt.Errorf("evm sim: blocks: %w", err)
	}
	var receipts []json.RawMessage
	if len(receiptsJSON) > 0 {
		if err := json.Unmarshal(receiptsJSON, &receipts); err != nil {
			return fmt.Errorf("evm sim: receipts: %w", err)
		}
	}
	raws := make([]json.RawMessage, len(wrapped))
	for i, w := range wrapped {
		raws[i] = w.EVM
	}
	return s.addLocked(raws, receipts)
}

// addLocked adds blocks and receipts; transactions without a receipt get
// a minimal successful one.
func (s *EVMSim) addLocked(blocks, receipts []json.RawMessage) error {
	for i, raw := range blocks {
		b, err := parseSimBlock(raw)
		if err != nil {
			return fmt.Errorf("evm sim: block %d: %w", i, err)
		}
		j := sort.Search(len(s.blocks), func(k int) bool { return s.blocks[k].number >= b.number })
		if j < len(s.blocks) && s.blocks[j].number == b.number {
			return fmt.Errorf("evm sim: block %d given twice", b.number)
		}
		s.blocks = append(s.blocks, nil)
		copy(s.blocks[j+1:], s.blocks[j:])
		s.blocks[j] = b
	}
	for i, raw := range receipts {
		var fields map[string]json.RawMessage
		if err := json.Unmarshal(raw, &fields); err != nil {
			return fmt.Errorf("evm sim: receipt %d: %w", i, err)
		}
		var logs []map[string]json.RawMessage
		if err := json.Unmarshal(fields["logs"], &logs); err != nil && len(fields["logs"]) > 0 {
			return fmt.Errorf("evm sim: receipt %d logs: %w", i, err)
		}
		delete(fields, "logs")
		bn, err := parseHexUint(fieldString(fields, "blockNumber"))
		if err != nil {
			return fmt.Errorf("evm sim: receipt %d block number: %w", i, err)
		}
		s.receipts[strings.ToLower(fieldString(fields, "transactionHash"))] = &evmSimReceipt{blockNumber: bn, fields: fields, logs: logs}
	}
	for _, b := range s.blocks {
		for i, h := range b.txHashes {
			if _, ok := s.receipts[h]; !ok {
				s.receipts[h] = minimalReceipt(b, i)
			}
		}
	}
	return nil
}

func parseSimBlock(raw json.RawMessage) (*evmSimBlock, error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil {
		return nil, err
	}
	b := &evmSimBlock{fields: fields, hash: strings.ToLower(fieldString(fields, "hash")),
		parent: strings.ToLower(fieldString(fields, "parentHash"))}
	var err error
	if b.number, err = parseHexUint(fieldString(fields, "number")); err != nil {
		return nil, fmt.Errorf("number: %w", err)
	}
	if err := json.Unmarshal(fields["transactions"], &b.txs); err != nil {
		return nil, fmt.Errorf("block %d transactions (full objects expected): %w", b.number, err)
	}
	delete(fields, "transactions")
	for _, tx := range b.txs {
		b.txHashes = append(b.txHashes, strings.ToLower(fieldString(tx, "hash")))
	}
	return b, nil
}

func minimalReceipt(b *evmSimBlock, i int) *evmSimReceipt {
	tx := b.txs[i]
	f := map[string]json.RawMessage{
		"transactionHash":   jsonString(b.txHashes[i]),
		"transactionIndex":  jsonString("0x" + strconv.FormatInt(int64(i), 16)),
		"blockHash":         jsonString(b.hash),
		"blockNumber":       jsonString("0x" + strconv.FormatUint(b.number, 16)),
		"from":              tx["from"],
		"to":                tx["to"],
		"status":            jsonString("0x1"),
		"gasUsed":           jsonString("0x5208"),
		"cumulativeGasUsed": jsonString("0x5208"),
		"contractAddress":   json.RawMessage("null"),
		"logsBloom":         jsonString("0x" + strings.Repeat("0", 512)),
	}
	if f["to"] == nil {
		f["to"] = json.RawMessage("null")
	}
	return &evmSimReceipt{blockNumber: b.number, fields: f}
}

// indexAtOrBelow is the index of the newest block numbered n or less, -1
// if none.
func (s *EVMSim) indexAtOrBelow(n uint64) int {
	return lastAtOrBelow(s.blocks, func(b *evmSimBlock) uint64 { return b.number }, n)
}

// visibleLocked returns visible block n, or nil.
func (s *EVMSim) visibleLocked(n uint64) *evmSimBlock {
	i := s.indexAtOrBelow(n)
	if i < 0 || i > s.tipIdx || s.blocks[i].number != n {
		return nil
	}
	return s.blocks[i]
}

// logsLocked returns block b's logs in log-index order.
func (s *EVMSim) logsLocked(b *evmSimBlock) []evmSimLog {
	var out []evmSimLog
	for _, h := range b.txHashes {
		r := s.receipts[h]
		if r == nil {
			continue
		}
		for _, l := range r.logs {
			sl := evmSimLog{address: strings.ToLower(fieldString(l, "address")), fields: l}
			sl.logIndex, _ = parseHexUint(fieldString(l, "logIndex"))
			var topics []string
			_ = json.Unmarshal(l["topics"], &topics)
			for _, t := range topics {
				sl.topics = append(sl.topics, strings.ToLower(t))
			}
			out = append(out, sl)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].logIndex < out[j].logIndex })
	return out
}

func (s *EVMSim) generateLocked() error {
	block, receipts, err := s.gen.next()
	if err != nil {
		return err
	}
	return s.addLocked([]json.RawMessage{block}, receipts)
}

// Reorg replaces the newest depth visible blocks with another branch:
// each gets a new hash and the parent links follow it (the first keeps its
// parent, the block after the range, if held, is relinked); in each, the
// first transaction gets a new hash and, when there are several, the last
// one is dropped, with receipts and logs updated to match. It returns the
// numbers of the replaced blocks.
func (s *EVMSim) Reorg(depth int) ([]uint64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if depth < 1 || depth > s.tipIdx+1 {
		return nil, fmt.Errorf("evm sim: reorg depth %d: %d blocks visible", depth, s.tipIdx+1)
	}
	s.reorgs++
	var out []uint64
	for i := s.tipIdx - depth + 1; i <= s.tipIdx; i++ {
		b := s.blocks[i]
		if i > s.tipIdx-depth+1 {
			b.parent = s.blocks[i-1].hash
			b.fields["parentHash"] = jsonString(b.parent)
		}
		b.hash = s.derivedHash(b.hash)
		b.fields["hash"] = jsonString(b.hash)
		if len(b.txs) > 1 {
			last := len(b.txs) - 1
			delete(s.receipts, b.txHashes[last])
			b.txs, b.txHashes = b.txs[:last], b.txHashes[:last]
		}
		if len(b.txs) > 0 {
			old := b.txHashes[0]
			nh := s.derivedHash(old)
			b.txHashes[0] = nh
			b.txs[0]["hash"] = jsonString(nh)
			if r := s.receipts[old]; r != nil {
				delete(s.receipts, old)
				s.receipts[nh] = r
				r.fields["transactionHash"] = jsonString(nh)
				for _, l := range r.logs {
					l["transactionHash"] = jsonString(nh)
				}
			}
		}
		for j, tx := range b.txs {
			tx["blockHash"] = jsonString(b.hash)
			if r := s.receipts[b.txHashes[j]]; r != nil {
				r.fields["blockHash"] = jsonString(b.hash)
				for _, l := range r.logs {
					l["blockHash"] = jsonString(b.hash)
				}
			}
		}
		out = append(out, b.number)
	}
	if n := s.tipIdx + 1; n < len(s.blocks) && s.blocks[n].number == s.blocks[s.tipIdx].number+1 {
		s.blocks[n].parent = s.blocks[s.tipIdx].hash
		s.blocks[n].fields["parentHash"] = jsonString(s.blocks[n].parent)
	}
	if s.gen != nil {
		s.gen.parent = s.blocks[len(s.blocks)-1].hash
	}
	return out, nil
}

func (s *EVMSim) derivedHash(old string) string {
	h := sha256.Sum256([]byte(old + "/reorg/" + strconv.Itoa(s.reorgs)))
	return "0x" + hex.EncodeToString(h[:])
}
