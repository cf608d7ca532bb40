package evm

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/ozmon/ozmon/chain"
)

// RawBlock is one eth_getBlockByNumber(n, true) answer: the verbatim JSON
// and what was decoded from it. Transactions have Hash, Index (1-based),
// Success (true until a receipt says otherwise) and EVM set, without logs
// or receipt.
type RawBlock struct {
	JSON         json.RawMessage
	Number       uint64
	Hash         string
	ParentHash   string
	Timestamp    uint64
	Transactions []chain.Transaction
}

// Log is one eth_getLogs or receipt log with the identifiers that place
// it: its transaction and block.
type Log struct {
	chain.EVMLog
	TxHash      string
	BlockHash   string
	BlockNumber uint64
}

// Receipt is one eth_getTransactionReceipt answer.
type Receipt struct {
	chain.EVMReceipt
	TxHash      string
	BlockHash   string
	BlockNumber uint64
	Logs        []Log
}

type rpcHeader struct {
	Number     string `json:"number"`
	Hash       string `json:"hash"`
	ParentHash string `json:"parentHash"`
	Timestamp  string `json:"timestamp"`
}

type rpcBlock struct {
	rpcHeader
	Transactions []json.RawMessage `json:"transactions"`
}

// rpcBlockFull decodes the transactions in the same pass (the fast path).
type rpcBlockFull struct {
	rpcHeader
	Transactions []rpcTx `json:"transactions"`
}

type rpcTx struct {
	Hash                 string  `json:"hash"`
	TransactionIndex     string  `json:"transactionIndex"`
	From                 string  `json:"from"`
	To                   *string `json:"to"`
	Value                string  `json:"value"`
	Input                string  `json:"input"`
	Nonce                string  `json:"nonce"`
	Gas                  string  `json:"gas"`
	GasPrice             string  `json:"gasPrice"`
	MaxFeePerGas         string  `json:"maxFeePerGas"`
	MaxPriorityFeePerGas string  `json:"maxPriorityFeePerGas"`
}

type rpcLog struct {
	Address         string   `json:"address"`
	Topics          []string `json:"topics"`
	Data            string   `json:"data"`
	LogIndex        string   `json:"logIndex"`
	TransactionHash string   `json:"transactionHash"`
	BlockHash       string   `json:"blockHash"`
	BlockNumber     string   `json:"blockNumber"`
}

type rpcReceipt struct {
	TransactionHash string            `json:"transactionHash"`
	BlockHash       string            `json:"blockHash"`
	BlockNumber     string            `json:"blockNumber"`
	Status          string            `json:"status"`
	GasUsed         string            `json:"gasUsed"`
	Logs            []json.RawMessage `json:"logs"`
}

// DecodeBlock decodes an eth_getBlockByNumber(n, true) result. A null
// result is ErrBlockNotFound; anything malformed is an error naming the
// field and transaction, never a panic. The Raw JSON of transactions
// shares raw's memory.
func DecodeBlock(raw json.RawMessage) (*RawBlock, error) {
	if isNull(raw) {
		return nil, ErrBlockNotFound
	}
	// Fast path: one decoding pass, then the scanner finds each
	// transaction's bytes. Anything unexpected takes the slow path, whose
	// errors say which transaction is wrong.
	var full rpcBlockFull
	if err := json.Unmarshal(raw, &full); err == nil {
		if txs, err := objectField(raw, "transactions"); err == nil {
			if raws, err := splitArray(txs); err == nil && len(raws) == len(full.Transactions) {
				return decodeBlockParts(raw, &full.rpcHeader, len(raws), func(i int, tx *chain.Transaction) error {
					return fillTx(tx, &full.Transactions[i], raws[i])
				})
			}
		}
	}
	var rb rpcBlock
	if err := json.Unmarshal(raw, &rb); err != nil {
		return nil, fmt.Errorf("decode block: %w", err)
	}
	return decodeBlockParts(raw, &rb.rpcHeader, len(rb.Transactions), func(i int, tx *chain.Transaction) error {
		return decodeTx(tx, rb.Transactions[i])
	})
}

func decodeBlockParts(raw json.RawMessage, rb *rpcHeader, ntx int, tx func(int, *chain.Transaction) error) (*RawBlock, error) {
	b := &RawBlock{JSON: raw}
	var err error
	if b.Number, err = parseQuantity(rb.Number); err != nil {
		return nil, fmt.Errorf("decode block: number: %w", err)
	}
	if b.Hash, err = parseHash(rb.Hash); err != nil {
		return nil, fmt.Errorf("decode block %d: hash: %w", b.Number, err)
	}
	if b.ParentHash, err = parseHash(rb.ParentHash); err != nil {
		return nil, fmt.Errorf("decode block %d: parent hash: %w", b.Number, err)
	}
	if b.Timestamp, err = parseQuantity(rb.Timestamp); err != nil {
		return nil, fmt.Errorf("decode block %d: timestamp: %w", b.Number, err)
	}
	b.Transactions = make([]chain.Transaction, ntx)
	evms := make([]chain.EVMTransaction, ntx)
	for i := range b.Transactions {
		t := &b.Transactions[i]
		t.EVM = &evms[i]
		if err := tx(i, t); err != nil {
			return nil, fmt.Errorf("decode block %d: transaction %d: %w", b.Number, i, err)
		}
	}
	return b, nil
}

func decodeTx(tx *chain.Transaction, raw json.RawMessage) error {
	if t := bytes.TrimSpace(raw); len(t) > 0 && t[0] == '"' {
		return errors.New("transactions are hashes: the block was not fetched with full transactions")
	}
	var rt rpcTx
	if err := json.Unmarshal(raw, &rt); err != nil {
		return err
	}
	return fillTx(tx, &rt, raw)
}

func fillTx(tx *chain.Transaction, rt *rpcTx, raw json.RawMessage) error {
	var err error
	if tx.Hash, err = parseHash(rt.Hash); err != nil {
		return fmt.Errorf("hash: %w", err)
	}
	x := tx.EVM
	x.Raw = raw
	tx.Success = true // as OpenZeppelin Monitor assumes without a receipt
	wrap := func(field string, err error) error { return fmt.Errorf("tx %s: %s: %w", tx.Hash, field, err) }
	if x.TransactionIndex, err = parseQuantity(rt.TransactionIndex); err != nil {
		return wrap("transactionIndex", err)
	}
	tx.Index = int(x.TransactionIndex) + 1
	if x.From, err = parseAddress(rt.From); err != nil {
		return wrap("from", err)
	}
	if rt.To != nil {
		if x.To, err = parseAddress(*rt.To); err != nil {
			return wrap("to", err)
		}
	}
	if x.Value, err = quantityDecimal(rt.Value); err != nil {
		return wrap("value", err)
	}
	if x.Value == "" {
		return wrap("value", errors.New("missing"))
	}
	if x.Input, err = parseData(rt.Input); err != nil {
		return wrap("input", err)
	}
	for _, f := range [...]struct {
		dst        *string
		src, field string
	}{
		{&x.Nonce, rt.Nonce, "nonce"}, {&x.Gas, rt.Gas, "gas"}, {&x.GasPrice, rt.GasPrice, "gasPrice"},
		{&x.MaxFeePerGas, rt.MaxFeePerGas, "maxFeePerGas"}, {&x.MaxPriorityFeePerGas, rt.MaxPriorityFeePerGas, "maxPriorityFeePerGas"},
	} {
		if *f.dst, err = quantityDecimal(f.src); err != nil {
			return wrap(f.field, err)
		}
	}
	return nil
}

// decodeLogs decodes an eth_getLogs result (or a receipt's logs). The
// logs' Raw JSON shares raw's memory.
func decodeLogs(raw json.RawMessage) ([]Log, error) {
	var rls []rpcLog
	if err := json.Unmarshal(raw, &rls); err == nil {
		if raws, err := splitArray(raw); err == nil && len(raws) == len(rls) {
			logs := make([]Log, len(rls))
			for i := range rls {
				if err := fillLog(&logs[i], &rls[i], raws[i]); err != nil {
					return nil, fmt.Errorf("decode logs: log %d: %w", i, err)
				}
			}
			return logs, nil
		}
	}
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		return nil, fmt.Errorf("decode logs: %w", err)
	}
	return decodeLogItems(items)
}

func decodeLogItems(items []json.RawMessage) ([]Log, error) {
	logs := make([]Log, len(items))
	for i, it := range items {
		if err := decodeLog(&logs[i], it); err != nil {
			return nil, fmt.Errorf("decode logs: log %d: %w", i, err)
		}
	}
	return logs, nil
}

func decodeLog(l *Log, raw json.RawMessage) error {
	var rl rpcLog
	if err := json.Unmarshal(raw, &rl); err != nil {
		return err
	}
	return fillLog(l, &rl, raw)
}

func fillLog(l *Log, rl *rpcLog, raw json.RawMessage) error {
	var err error
	l.Raw = raw
	if l.TxHash, err = parseHash(rl.TransactionHash); err != nil {
		return fmt.Errorf("transactionHash: %w", err)
	}
	wrap := func(field string, err error) error { return fmt.Errorf("tx %s: %s: %w", l.TxHash, field, err) }
	if l.LogIndex, err = parseQuantity(rl.LogIndex); err != nil {
		return wrap("logIndex", err)
	}
	if l.Address, err = parseAddress(rl.Address); err != nil {
		return wrap("address", err)
	}
	if rl.BlockHash != "" {
		if l.BlockHash, err = parseHash(rl.BlockHash); err != nil {
			return wrap("blockHash", err)
		}
	}
	if rl.BlockNumber != "" {
		if l.BlockNumber, err = parseQuantity(rl.BlockNumber); err != nil {
			return wrap("blockNumber", err)
		}
	}
	if len(rl.Topics) > 4 {
		return wrap("topics", fmt.Errorf("%d topics, at most 4", len(rl.Topics)))
	}
	l.Topics = make([]string, len(rl.Topics))
	for j, t := range rl.Topics {
		if l.Topics[j], err = parseHash(t); err != nil {
			return wrap(fmt.Sprintf("topic %d", j), err)
		}
	}
	if l.Data, err = parseData(rl.Data); err != nil {
		return wrap("data", err)
	}
	return nil
}

// DecodeReceipt decodes an eth_getTransactionReceipt result; null is
// ErrReceiptNotFound.
func DecodeReceipt(raw json.RawMessage) (*Receipt, error) {
	if isNull(raw) {
		return nil, ErrReceiptNotFound
	}
	var rr rpcReceipt
	if err := json.Unmarshal(raw, &rr); err != nil {
		return nil, fmt.Errorf("decode receipt: %w", err)
	}
	r := &Receipt{}
	r.Raw = raw
	var err error
	if r.TxHash, err = parseHash(rr.TransactionHash); err != nil {
		return nil, fmt.Errorf("decode receipt: transactionHash: %w", err)
	}
	wrap := func(field string, err error) error {
		return fmt.Errorf("decode receipt of tx %s: %s: %w", r.TxHash, field, err)
	}
	if r.Status, err = parseQuantity(rr.Status); err != nil {
		return nil, wrap("status", err)
	}
	if r.GasUsed, err = quantityDecimal(rr.GasUsed); err != nil || r.GasUsed == "" {
		if err == nil {
			err = errors.New("missing")
		}
		return nil, wrap("gasUsed", err)
	}
	if rr.BlockHash != "" {
		if r.BlockHash, err = parseHash(rr.BlockHash); err != nil {
			return nil, wrap("blockHash", err)
		}
	}
	if rr.BlockNumber != "" {
		if r.BlockNumber, err = parseQuantity(rr.BlockNumber); err != nil {
			return nil, wrap("blockNumber", err)
		}
	}
	if r.Logs, err = decodeLogItems(rr.Logs); err != nil {
		return nil, wrap("logs", err)
	}
	return r, nil
}

// Assemble builds the chain.Block of network from a decoded block, the
// block's logs (any order; attached to their transactions by hash and
// sorted by log index) and, when fetched, receipts by transaction hash
// (Success then follows status). Logs of another block or of a transaction
// the block lacks are ErrInconsistent.
func Assemble(network string, rb *RawBlock, logs []Log, receipts map[string]*Receipt) (*chain.Block, error) {
	b := &chain.Block{
		Chain:        chain.EVM,
		Network:      network,
		Ledger:       rb.Number,
		Hash:         rb.Hash,
		ParentHash:   rb.ParentHash,
		CloseTime:    time.Unix(int64(rb.Timestamp), 0).UTC(),
		Transactions: rb.Transactions,
	}
	if len(logs) > 0 {
		byHash := make(map[string]int, len(b.Transactions))
		for i := range b.Transactions {
			byHash[b.Transactions[i].Hash] = i
		}
		counts := make([]int, len(b.Transactions))
		for i := range logs {
			l := &logs[i]
			if (l.BlockHash != "" && l.BlockHash != rb.Hash) || (l.BlockNumber != 0 && l.BlockNumber != rb.Number) {
				return nil, fmt.Errorf("network %s: block %d: log %d belongs to block %d %s: %w",
					network, rb.Number, l.LogIndex, l.BlockNumber, l.BlockHash, ErrInconsistent)
			}
			ti, ok := byHash[l.TxHash]
			if !ok {
				return nil, fmt.Errorf("network %s: block %d: log %d of tx %s not in the block: %w",
					network, rb.Number, l.LogIndex, l.TxHash, ErrInconsistent)
			}
			counts[ti]++
		}
		// One array for every log, carved per transaction.
		all := make([]chain.EVMLog, len(logs))
		off := 0
		for i, n := range counts {
			if n > 0 {
				b.Transactions[i].EVM.Logs = all[off : off : off+n]
				off += n
			}
		}
		for i := range logs {
			x := b.Transactions[byHash[logs[i].TxHash]].EVM
			x.Logs = append(x.Logs, logs[i].EVMLog)
		}
		for i := range b.Transactions {
			if ls := b.Transactions[i].EVM.Logs; len(ls) > 1 {
				slices.SortStableFunc(ls, func(a, b chain.EVMLog) int {
					return cmp.Compare(a.LogIndex, b.LogIndex)
				})
			}
		}
	}
	if err := applyReceipts(b, receipts); err != nil {
		return nil, err
	}
	return b, nil
}

// applyReceipts sets Receipt and Success of b's transactions that have a
// receipt in receipts.
func applyReceipts(b *chain.Block, receipts map[string]*Receipt) error {
	for i := range b.Transactions {
		tx := &b.Transactions[i]
		r, ok := receipts[tx.Hash]
		if !ok || tx.EVM == nil {
			continue
		}
		if r.BlockHash != "" && r.BlockHash != b.Hash {
			return fmt.Errorf("network %s: block %d: receipt of tx %s belongs to block %s: %w",
				b.Network, b.Ledger, tx.Hash, r.BlockHash, ErrInconsistent)
		}
		rec := r.EVMReceipt
		tx.EVM.Receipt = &rec
		tx.Success = r.Status == 1
	}
	return nil
}

func isNull(raw json.RawMessage) bool {
	t := bytes.TrimSpace(raw)
	return len(t) == 0 || string(t) == "null"
}
