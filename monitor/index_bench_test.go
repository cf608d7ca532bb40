package monitor_test

import (
	"fmt"
	"testing"

	"github.com/ozmon/ozmon/chain"
	"github.com/ozmon/ozmon/monitor"
)

// BenchmarkCandidatesOfPrepared is what evaluate-tenants batches spend
// finding their tenants' candidate monitors, per ledger: 5,000 tenants × 5
// event monitors over 1,000 contracts, a block touching all of them, 25
// batches of 200 tenants. Each op is a ledger the index has not seen
// (20 prepared blocks in turn, more than it keeps).
func BenchmarkCandidatesOfPrepared(b *testing.B) {
	const tenants, perTenant, contracts, batch = 5000, 5, 1000, 200
	addr := func(i int) string { return fmt.Sprintf("C%055d", i) }
	ix := monitor.NewIndex("stellar_mainnet")
	ids := make([]string, tenants)
	for t := range tenants {
		ids[t] = fmt.Sprintf("%08x-0000-4000-8000-%012x", t, t)
		ms := make([]*monitor.CompiledMonitor, perTenant)
		for j := range perTenant {
			ms[j] = eventMonitor(b, ids[t], fmt.Sprint("m", j), addr((t*perTenant+j)%contracts))
		}
		if err := ix.SetTenant(ids[t], ms); err != nil {
			b.Fatal(err)
		}
	}
	var txs []chain.Transaction
	for c := range contracts {
		txs = append(txs, tx(fmt.Sprint("h", c), true, callOp(addr(c), "f")))
	}
	e := monitor.NewEngine()
	preps := make([]*monitor.PreparedBlock, 20)
	for i := range preps {
		blk := newBlock(txs...)
		blk.Ledger = uint64(1000 + i)
		p, err := e.Prepare(blk)
		if err != nil {
			b.Fatal(err)
		}
		preps[i] = p
	}
	i, found := 0, 0
	for b.Loop() {
		p := preps[i%len(preps)]
		for from := 0; from < tenants; from += batch {
			for _, tm := range ix.CandidatesOfPrepared(p, ids[from:from+batch]) {
				found += len(tm.Monitors)
			}
		}
		i++
	}
	if want := i * tenants * perTenant; found != want {
		b.Fatalf("%d candidate monitors, want %d", found, want)
	}
}
