package stellar

import (
	"context"
	"testing"

	"github.com/ozmon/ozmon/ozmontest"
)

// BenchmarkClientLedgers is the catch-up path end to end over loopback:
// one getLedgers call for 20 synthetic ledgers of 300 transactions,
// JSON-decoded and base64-decoded into RawLedgers.
func BenchmarkClientLedgers(b *testing.B) {
	sim := ozmontest.StartStellarSim(b, ozmontest.SimSynthetic(ozmontest.SyntheticConfig{Seed: 1, StartLedger: 1000, Ledgers: 20, TxPerLedger: 300}))
	c := newClient(b, []string{sim.URL()})
	ctx := context.Background()
	var n, size int
	for b.Loop() {
		ls, err := c.Ledgers(ctx, 1000, 20)
		if err != nil || len(ls) != 20 {
			b.Fatalf("%d ledgers, %v", len(ls), err)
		}
		n += len(ls)
		size = 0
		for _, l := range ls {
			size += len(l.Meta)
		}
	}
	b.SetBytes(int64(size))
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "ledgers/s")
}
