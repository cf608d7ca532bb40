package monitor_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	"github.com/ozmon/ozmon/chain"
	"github.com/ozmon/ozmon/chain/evm"
	"github.com/ozmon/ozmon/monitor"
	"github.com/ozmon/ozmon/monitor/ozconfig"
)

// The EVM evaluation budget (cpuTime is engine_bench_test.go's): 50,000 monitors against a busy block (300
// transactions, 1,000 logs) in at most 100 ms on one core. The monitors
// are 5% transaction-only with selective expressions (gated by sender
// addresses) and 95% function/event monitors on contract addresses, a
// tenth of which the block touches.

const (
	benchMonitors  = 50_000
	benchTxs       = 300
	benchLogs      = 1_000
	benchContracts = 200 // contracts the block touches
	benchSenders   = 250 // senders of the block's transactions
)

func benchAddr(kind byte, i int) string {
	return fmt.Sprintf("0x%c%039x", kind, i)
}

// evmBenchBlock builds the block: transaction i calls transfer on contract
// i mod 200; the 1,000 Transfer logs are spread over the transactions and
// emitted by contracts chosen at random.
func evmBenchBlock() *chain.Block {
	r := rand.New(rand.NewPCG(1, 2))
	b := &chain.Block{Chain: chain.EVM, Network: evmNetwork, Ledger: 21_000_000, Hash: "0xbb", CloseTime: time.Unix(1_700_000_000, 0)}
	for i := range benchTxs {
		value := strconv.FormatUint(r.Uint64N(1_000_000_000), 16)
		b.Transactions = append(b.Transactions, chain.Transaction{
			Hash: fmt.Sprintf("0x%064x", i+1), Index: i + 1, Success: true,
			EVM: &chain.EVMTransaction{
				From: benchAddr('e', i%benchSenders), To: benchAddr('c', i%benchContracts),
				Value: strconv.FormatUint(r.Uint64N(1e18), 10), Input: transferInput(value),
				Nonce: strconv.Itoa(i), Gas: "100000", GasPrice: strconv.FormatUint(r.Uint64N(100e9), 10),
				TransactionIndex: uint64(i),
			},
		})
	}
	for l := range benchLogs {
		tx := b.Transactions[r.IntN(benchTxs)].EVM
		tx.Logs = append(tx.Logs, chain.EVMLog{
			Address:  benchAddr('c', r.IntN(benchContracts)),
			Topics:   []string{transferHex, abiWord(strconv.FormatUint(r.Uint64N(1<<40), 16)), abiWord(strconv.FormatUint(r.Uint64N(1<<40), 16))},
			Data:     hexBytesNoT(pad64(strconv.FormatUint(r.Uint64N(1_000_000_000), 16))),
			LogIndex: uint64(l),
		})
	}
	return b
}

// evmBenchMonitors compiles the monitors, all sharing one ABI decoder (as
// a source returning one decoder per contract ABI does).
func evmBenchMonitors(b *testing.B, abi monitor.ABIDecoder) []*monitor.CompiledMonitor {
	src := monitor.WithABISource(func(string, string, json.RawMessage) (monitor.ABIDecoder, error) { return abi, nil })
	r := rand.New(rand.NewPCG(3, 4))
	out := make([]*monitor.CompiledMonitor, 0, benchMonitors)
	for i := range benchMonitors {
		m := &ozconfig.Monitor{Name: "m" + strconv.Itoa(i), Networks: []string{evmNetwork}}
		var addr string
		switch {
		case i%20 == 0: // transaction-only, on a sender; a tenth are in the block
			addr = benchAddr('e', r.IntN(benchSenders*10))
			m.MatchConditions.Transactions = []ozconfig.TransactionCondition{{
				Status: ozconfig.StatusAny, Expression: "value > 900000000000000000 AND gas_price < 20000000000",
			}}
		default:
			if r.IntN(10) == 0 {
				addr = benchAddr('c', r.IntN(benchContracts))
			} else {
				addr = benchAddr('d', r.IntN(100_000))
			}
			threshold := strconv.FormatUint(r.Uint64N(1_000_000_000), 10)
			switch i % 3 {
			case 0:
				m.MatchConditions.Functions = []ozconfig.FunctionCondition{{Signature: transferFn, Expression: "value > " + threshold}}
			case 1:
				m.MatchConditions.Events = []ozconfig.EventCondition{{Signature: transferSig, Expression: "value > " + threshold + " AND to != 0x0000000000000000000000000000000000000001"}}
			default:
				m.MatchConditions.Functions = []ozconfig.FunctionCondition{{Signature: transferFn}}
				m.MatchConditions.Events = []ozconfig.EventCondition{{Signature: transferSig, Expression: "value < " + threshold}}
			}
		}
		m.Addresses = []ozconfig.MonitorAddress{{Address: addr}}
		cm, err := monitor.Compile("tenant-"+strconv.Itoa(i%500), m, nil, src)
		if err != nil {
			b.Fatal(err)
		}
		out = append(out, cm)
	}
	return out
}

// BenchmarkEVMEvaluateBlock runs with the tests' ABI decoder and with
// chain/evm's (go-ethereum), which production uses.
func BenchmarkEVMEvaluateBlock(b *testing.B) {
	ours, err := parseTestABI([]byte(ruleABI))
	if err != nil {
		b.Fatal(err)
	}
	prod, err := evm.NewABICache().Get([]byte(ruleABI))
	if err != nil {
		b.Fatal(err)
	}
	b.Run("decoder=test", func(b *testing.B) { benchEVMEvaluate(b, ours) })
	b.Run("decoder=chain-evm", func(b *testing.B) { benchEVMEvaluate(b, prod) })
}

func benchEVMEvaluate(b *testing.B, abi monitor.ABIDecoder) {
	blk := evmBenchBlock()
	cms := evmBenchMonitors(b, abi)
	e := monitor.NewEngine()
	ctx := context.Background()
	matches := 0
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuTime()
	for b.Loop() {
		ms, err := e.EvaluateBlock(ctx, blk, cms)
		if err != nil {
			b.Fatal(err)
		}
		matches = len(ms)
	}
	b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N), "cpu-ns/op")
	b.ReportMetric(float64(matches), "matches")
}
