package usage_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ozmon/ozmon/usage"
)

// BenchmarkMeterCount is one tenant evaluation counted, from goroutines
// running in parallel over 1,000 tenants (the evaluation hot path).
func BenchmarkMeterCount(b *testing.B) {
	m := usage.New(nil)
	ids := make([]string, 1000)
	for i := range ids {
		ids[i] = tenantID(i)
	}
	// Every tenant has its entry, as after its first count in an interval.
	for _, id := range ids {
		m.Add(id, usage.Counts{})
	}
	var seq atomic.Int64
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := int(seq.Add(1)) * 7919
		for pb.Next() {
			i++
			m.Add(ids[i%len(ids)], usage.Counts{Ledgers: 1, Evaluations: 5, EvalCPUMicros: 40, Matches: 1})
		}
	})
}

// BenchmarkFlush100kTenants is one flush of 100,000 active tenants into
// PostgreSQL: half new rows, half added to existing ones.
func BenchmarkFlush100kTenants(b *testing.B) {
	s, _ := openStore(b)
	const n = 100_000
	ids := make([]string, n)
	for i := range ids {
		ids[i] = tenantID(i)
	}
	c := &clock{t: time.Date(2026, 5, 4, 10, 0, 0, 0, time.UTC)}
	m := usage.New(s, usage.WithClock(c.now))
	ctx := context.Background()
	b.ResetTimer()
	var total time.Duration
	for i := range b.N {
		b.StopTimer()
		// Every other flush moves to a new hour: inserts, then updates.
		c.set(c.now().Add(time.Duration(i%2) * time.Hour))
		for _, id := range ids {
			m.Add(id, usage.Counts{Ledgers: 1, Evaluations: 3, Matches: 1})
		}
		b.StartTimer()
		start := time.Now()
		if err := m.Flush(ctx); err != nil {
			b.Fatal(err)
		}
		total += time.Since(start)
	}
	b.ReportMetric(float64(n)*float64(b.N)/total.Seconds(), "rows/s")
}
