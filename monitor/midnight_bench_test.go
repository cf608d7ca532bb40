package monitor_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/ozmon/ozmon/chain"
	"github.com/ozmon/ozmon/monitor"
	"github.com/ozmon/ozmon/monitor/ozconfig"
)

// midBenchBlockJSON is a midnight_jsonBlock block of txs transactions,
// each calling one of 100 contracts' circuit "post" (one in four
// "take_down"), with an applied event for four in five.
func midBenchBlockJSON(txs int) ([]byte, []json.RawMessage) {
	body := []any{map[string]int64{"Timestamp": 1747144764000}}
	var events []json.RawMessage
	for i := range txs {
		name := "post"
		if i%4 == 3 {
			name = "take_down"
		}
		hash := fmt.Sprintf("%064x", i+1)
		body = append(body, map[string]any{"MidnightTransaction": map[string]any{"tx": map[string]any{
			"tx_hash": hash,
			"operations": []any{map[string]any{"Call": map[string]string{"address": midBenchContract(i % 100), "entry_point": fmt.Sprintf("%x", name)}},
				"GuaranteedCoins"},
			"identifiers": []string{hash}}}})
		if i%5 != 4 {
			ev, _ := json.Marshal(map[string]any{"MidnightTxApplied": map[string]any{"phase": map[string]int{"ApplyExtrinsic": i}, "topics": map[string][]string{"topics": {}}, "tx_hash": "0x" + hash}})
			events = append(events, ev)
		}
	}
	blk, _ := json.Marshal(map[string]any{"header": map[string]string{"parentHash": "0x01", "number": "0x2beb"}, "body": body})
	return blk, events
}

func midBenchContract(i int) string { return fmt.Sprintf("020200%064x", i) }

func midBenchBlock(b *testing.B, txs int) *chain.Block {
	raw, events := midBenchBlockJSON(txs)
	blk, err := chain.MidnightBlockFromJSON("midnight_testnet", "0x02", raw)
	if err != nil {
		b.Fatal(err)
	}
	for _, e := range events {
		blk.Midnight.Events = append(blk.Midnight.Events, chain.MidnightEventFromJSON(e))
	}
	chain.SetMidnightStatuses(blk)
	return blk
}

// midBenchMonitors: n monitors over 500 tenants, each watching one of
// 1,000 contracts (so one in ten watches a contract the block calls) for
// post(), half of them also requiring Success.
func midBenchMonitors(b *testing.B, n int) []*monitor.CompiledMonitor {
	out := make([]*monitor.CompiledMonitor, 0, n)
	for i := range n {
		txs := ""
		if i%2 == 1 {
			txs = `{"status": "Success"}`
		}
		raw := fmt.Sprintf(`{"name": "m%d", "networks": ["midnight_testnet"], "paused": false, "addresses": [{"address": %q}],
		  "match_conditions": {"functions": [{"signature": "post()"}], "events": [], "transactions": [%s]}, "trigger_conditions": [], "triggers": []}`, i, midBenchContract(i%1000), txs)
		m, err := ozconfig.ParseMonitor("m.json", []byte(raw))
		if err != nil {
			b.Fatal(err)
		}
		cm, err := monitor.Compile(fmt.Sprintf("tenant-%d", i%500), m, nil, monitor.WithChain(chain.Midnight))
		if err != nil {
			b.Fatal(err)
		}
		out = append(out, cm)
	}
	return out
}

// BenchmarkMidnightDecodeBlock: midnight_jsonBlock's block of 1,000
// transactions into a chain.Block (events and statuses included).
func BenchmarkMidnightDecodeBlock(b *testing.B) {
	raw, events := midBenchBlockJSON(1000)
	b.ReportAllocs()
	b.SetBytes(int64(len(raw)))
	cpu0 := cpuTime()
	for b.Loop() {
		blk, err := chain.MidnightBlockFromJSON("midnight_testnet", "0x02", raw)
		if err != nil {
			b.Fatal(err)
		}
		for _, e := range events {
			blk.Midnight.Events = append(blk.Midnight.Events, chain.MidnightEventFromJSON(e))
		}
		chain.SetMidnightStatuses(blk)
	}
	b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N), "cpu-ns/op")
}

// BenchmarkMidnightEvaluate: N monitors against a 1,000-transaction block,
// the pipeline's way: the index's candidates, then one EvaluateTenant per
// tenant on a shared prepared block.
func BenchmarkMidnightEvaluate(b *testing.B) {
	blk := midBenchBlock(b, 1000)
	e := monitor.NewEngine()
	ctx := context.Background()
	for _, n := range []int{1000, 10000, 50000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			cms := midBenchMonitors(b, n)
			ix := monitor.NewIndex("midnight_testnet")
			byTenant := map[string][]*monitor.CompiledMonitor{}
			for _, cm := range cms {
				byTenant[cm.TenantID] = append(byTenant[cm.TenantID], cm)
			}
			for t, ms := range byTenant {
				if err := ix.SetTenant(t, ms); err != nil {
					b.Fatal(err)
				}
			}
			matches := 0
			b.ReportAllocs()
			cpu0 := cpuTime()
			for b.Loop() {
				p, err := e.Prepare(blk)
				if err != nil {
					b.Fatal(err)
				}
				matches = 0
				for _, tm := range ix.Candidates(blk) {
					ms, err := e.EvaluateTenant(ctx, tm.TenantID, p, tm.Monitors)
					if err != nil {
						b.Fatal(err)
					}
					matches += len(ms)
				}
			}
			b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N), "cpu-ns/op")
			b.ReportMetric(float64(matches), "matches")
		})
	}
}
