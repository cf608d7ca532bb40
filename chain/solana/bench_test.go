package solana_test

import (
	"context"
	"testing"

	"github.com/ozmon/ozmon/chain"
	"github.com/ozmon/ozmon/chain/solana"
	"github.com/ozmon/ozmon/ozmontest"
)

// slotJSON is the getBlock answer of a synthetic slot of n transactions
// (mainnet slots carry about 1,000–1,500).
func slotJSON(b *testing.B, n int) []byte {
	b.Helper()
	sim, err := ozmontest.NewSolanaSim(ozmontest.SolanaSimSynthetic(ozmontest.SolanaSynthetic{Seed: 1, StartSlot: 100, Slots: 1, TxPerSlot: n}))
	if err != nil {
		b.Fatal(err)
	}
	defer sim.Close()
	raw, err := solana.EncodeBlock(sim.Block(100))
	if err != nil {
		b.Fatal(err)
	}
	return raw
}

// BenchmarkDecodeBlock1500 decodes a 1,500-transaction slot from its
// getBlock JSON into a chain.Block (goal ≤ 30 ms of CPU).
func BenchmarkDecodeBlock1500(b *testing.B) {
	raw := slotJSON(b, 1500)
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		blk, err := solana.DecodeBlock("bench", 100, raw)
		if err != nil || len(blk.Transactions) != 1500 {
			b.Fatalf("%v %d", err, len(blk.Transactions))
		}
	}
}

// BenchmarkCacheRoundTrip1500 is the same slot through the block cache's
// binary codec (what every evaluation after the first fetch pays).
func BenchmarkCacheRoundTrip1500(b *testing.B) {
	blk, err := solana.DecodeBlock("bench", 100, slotJSON(b, 1500))
	if err != nil {
		b.Fatal(err)
	}
	data, err := blk.MarshalBinary()
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		var got chain.Block
		if err := got.UnmarshalBinary(data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRPCCallsPerSlot measures the shared path's calls per slot over
// the simulator (getBlock per slot, skipped slots included, plus getSlot
// per 25-slot tick) and compares them with OpenZeppelin Monitor's sparse
// path (spec 12.5/12.8): per tick, one getSignaturesForAddress per
// distinct monitored address plus one getTransaction per relevant
// signature. With A addresses each seeing r transactions per slot and T
// slots per tick, sparse costs A·(1/T + r) calls per slot; the crossover
// where the shared path becomes cheaper is A = dense / (1/T + r). It
// reports the crossover for quiet programs (r = 0) and for programs with
// one transaction every 10 s (r = 0.04), taking one tenant = one address.
func BenchmarkRPCCallsPerSlot(b *testing.B) {
	const tick = 25 // slots per 10 s cron tick at 400 ms
	sim, err := ozmontest.NewSolanaSim(ozmontest.SolanaSimSynthetic(ozmontest.SolanaSynthetic{Seed: 2, StartSlot: 1000, Slots: tick, TxPerSlot: 5}))
	if err != nil {
		b.Fatal(err)
	}
	defer sim.Close()
	client, err := solana.NewClient([]chain.Endpoint{{URL: sim.URL(), Weight: 100}})
	if err != nil {
		b.Fatal(err)
	}
	defer client.Close()
	src := &solana.Source{Client: client, Network: "bench"}
	ctx := context.Background()
	var dense float64
	for b.Loop() {
		sim.ResetCalls()
		if _, err := src.Tip(ctx); err != nil {
			b.Fatal(err)
		}
		for s := uint64(1000); s < 1000+tick; s++ {
			if _, err := src.FetchBlock(ctx, s); err != nil {
				b.Fatal(err)
			}
		}
		dense = float64(sim.Calls("getSlot")+sim.Calls("getBlock")) / tick
	}
	b.ReportMetric(dense, "calls/slot")
	b.ReportMetric(dense/(1.0/tick), "crossover-addrs-quiet")
	b.ReportMetric(dense/(1.0/tick+0.04), "crossover-addrs-r0.04")
}
