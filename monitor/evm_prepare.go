package monitor

import (
	"encoding/hex"
	"strconv"
	"strings"

	"github.com/ozmon/ozmon/chain"
	"github.com/ozmon/ozmon/monitor/expr"
)

// evmBlock is what every EVM monitor evaluation needs, computed once per
// block: the transactions each address is involved in (the address gate
// of docs/compatibility.md#evm-matching), normalized log emitters, and, lazily, the transaction
// parameters and the decoded calls and logs, shared by all monitors.
type evmBlock struct {
	byAddr  map[string][]int32 // normalized address → tx indexes (from, to, log emitters), ascending, each once
	to      []string           // per tx: normalized recipient, "" for contract creation
	logAddr [][]string         // per tx, per log: normalized emitter

	// Filled lazily under PreparedBlock.mu.
	params map[int32][]expr.Param
	calls  map[evmItemKey]*evmDecoded
	logs   map[evmItemKey]*evmDecoded
}

// evmItemKey names a transaction's call (item -1) or one of its logs as
// decoded by one ABI.
type evmItemKey struct {
	tx, item int32
	abi      any
}

// evmDecoded is a call or log decoded against an ABI; ok is false when the
// ABI does not know it.
type evmDecoded struct {
	ok        bool
	signature string
	sigNorm   string
	selector  string
	args      []Arg
	params    []expr.Param
}

func prepareEVM(b *chain.Block) *evmBlock {
	eb := &evmBlock{
		byAddr:  make(map[string][]int32, 2*len(b.Transactions)),
		to:      make([]string, len(b.Transactions)),
		logAddr: make([][]string, len(b.Transactions)),
		params:  make(map[int32][]expr.Param),
		calls:   make(map[evmItemKey]*evmDecoded),
		logs:    make(map[evmItemKey]*evmDecoded),
	}
	touch := func(a string, ti int) {
		if a == "" {
			return
		}
		l := eb.byAddr[a]
		if len(l) > 0 && l[len(l)-1] == int32(ti) {
			return
		}
		eb.byAddr[a] = append(l, int32(ti))
	}
	for ti := range b.Transactions {
		e := b.Transactions[ti].EVM
		if e == nil {
			continue
		}
		touch(normalizeAddr(e.From), ti)
		eb.to[ti] = normalizeAddr(e.To)
		touch(eb.to[ti], ti)
		if len(e.Logs) > 0 {
			la := make([]string, len(e.Logs))
			for li := range e.Logs {
				la[li] = normalizeAddr(e.Logs[li].Address)
				touch(la[li], ti)
			}
			eb.logAddr[ti] = la
		}
	}
	return eb
}

// evmBlockAddresses returns every address an EVM block involves (senders,
// recipients, log emitters), normalized, each once: the keys under which
// the index finds EVM monitors.
func evmBlockAddresses(b *chain.Block) []string {
	seen := make(map[string]struct{}, 2*len(b.Transactions))
	var out []string
	add := func(a string) {
		if a == "" {
			return
		}
		a = normalizeAddr(a)
		if _, ok := seen[a]; !ok {
			seen[a] = struct{}{}
			out = append(out, a)
		}
	}
	for i := range b.Transactions {
		e := b.Transactions[i].EVM
		if e == nil {
			continue
		}
		add(e.From)
		add(e.To)
		for j := range e.Logs {
			add(e.Logs[j].Address)
		}
	}
	return out
}

// evmTransactionParams builds the parameters EVM transaction expressions
// see (docs/compatibility.md#evm-matching). Absent fees are 0; gas_used is "" without a receipt, so an
// expression referencing it then fails (no match), as in the original.
func evmTransactionParams(tx *chain.Transaction) []expr.Param {
	e := tx.EVM
	orZero := func(s string) string {
		if s == "" {
			return "0"
		}
		return s
	}
	gasUsed := ""
	if e.Receipt != nil {
		gasUsed = e.Receipt.GasUsed
	}
	return []expr.Param{
		{Name: "value", Value: orZero(e.Value), Kind: "uint256"},
		{Name: "from", Value: e.From, Kind: "address"},
		{Name: "to", Value: e.To, Kind: "address"},
		{Name: "hash", Value: tx.Hash, Kind: "string"},
		{Name: "gas_price", Value: orZero(e.GasPrice), Kind: "uint256"},
		{Name: "max_fee_per_gas", Value: orZero(e.MaxFeePerGas), Kind: "uint256"},
		{Name: "max_priority_fee_per_gas", Value: orZero(e.MaxPriorityFeePerGas), Kind: "uint256"},
		{Name: "gas_limit", Value: orZero(e.Gas), Kind: "uint256"},
		{Name: "nonce", Value: orZero(e.Nonce), Kind: "uint256"},
		{Name: "input", Value: "0x" + hex.EncodeToString(e.Input), Kind: "string"},
		{Name: "gas_used", Value: gasUsed, Kind: "uint256"},
		{Name: "transaction_index", Value: strconv.FormatUint(e.TransactionIndex, 10), Kind: "uint64"},
	}
}

// newEVMDecoded turns a decoder's answer into what conditions compare.
func newEVMDecoded(signature, selector string, args []chain.Arg, err error) *evmDecoded {
	if err != nil || signature == "" {
		return &evmDecoded{}
	}
	d := &evmDecoded{
		ok:        true,
		signature: signature,
		sigNorm:   normalizeKey(signature),
		selector:  strings.TrimPrefix(strings.ToLower(selector), "0x"),
		args:      make([]Arg, len(args)),
		params:    make([]expr.Param, len(args)),
	}
	for i, a := range args {
		d.args[i] = Arg(a)
		d.params[i] = expr.Param{Name: a.Name, Value: a.Value, Kind: a.Kind}
	}
	return d
}
