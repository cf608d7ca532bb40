package postgres

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/ozmon/ozmon/store"
)

// BenchmarkDeliveryRecords is one evaluated batch's delivery bookkeeping:
// 64 notifications expected in one statement, then each begun and
// finished as 64 concurrent deliver tasks do (grouped by groupCommit).
// Each variant has a fresh schema of its own holding a year of records
// (prepareBenchLog: 51 partitions, 100,000 rows), so none runs on what
// another wrote.
//
// close_time_unknown writes as BeginDelivery and FinishDelivery do;
// close_time_known as BeginDeliveryAt and FinishDeliveryAt do (the deliver
// handler, whose task carries its ledger's close time), on one partition.
// this_week writes into the current week's partition (analyzed, ~2,200
// records); new_week into next week's, made ahead, empty and never
// analyzed, as every Monday.
//
// pg-cpu-ms-expect/batch and pg-cpu-ms-deliver/batch are the CPU of the
// PostgreSQL backends serving the benchmark (from /proc, 10 ms ticks:
// read them over 30 batches or more) for ExpectDeliveries and for the
// begins and finishes; ms-deliver/batch is the latter's wall time. Run
// each variant in a process of its own to compare them:
//
//	go test -run '^$' -bench 'BenchmarkDeliveryRecords/close_time_known/this_week$' -benchtime 60x ./store/postgres/
func BenchmarkDeliveryRecords(b *testing.B) {
	for _, v := range []struct {
		name  string
		known bool
		ahead time.Duration // how far ahead of now the batches' close times are
	}{
		{"close_time_unknown/this_week", false, 0},
		{"close_time_known/this_week", true, 0},
		{"close_time_unknown/new_week", false, 7 * 24 * time.Hour},
		{"close_time_known/new_week", true, 7 * 24 * time.Hour},
	} {
		known := v.known
		b.Run(v.name, func(b *testing.B) {
			s, app := openBenchStore(b)
			ctx := context.Background()
			tenant := importFixture(b, s, "acme", standardFixture())
			prepareBenchLog(b, s, tenant)
			const batch = 64
			ledger := uint64(10_000_000)
			// One batch before the clock starts opens the pool's
			// connections, whose backends are then measured.
			run := func(phase *[3]time.Duration, pids []int) {
				ledger++
				closed := time.Now().Add(v.ahead).UTC().Truncate(time.Second)
				ds := make([]store.ExpectedDelivery, batch)
				for i := range ds {
					ds[i] = store.ExpectedDelivery{Key: store.DeliveryKey{TenantID: tenant, Monitor: "Big swaps", Network: "stellar_mainnet",
						Ledger: ledger, TxHash: fmt.Sprintf("%064d", i), Trigger: "ops_hook"}, TaskID: "t", Channel: "webhook", LedgerClosedAt: closed}
				}
				cpu0 := backendsCPU(b, pids)
				if err := s.ExpectDeliveries(ctx, ds); err != nil {
					b.Fatal(err)
				}
				cpu1 := backendsCPU(b, pids)
				start := time.Now()
				var wg sync.WaitGroup
				for _, d := range ds {
					wg.Go(func() {
						var err error
						if known {
							_, err = s.BeginDeliveryAt(ctx, d.Key, closed, "t", "webhook")
						} else {
							_, err = s.BeginDelivery(ctx, d.Key, "t", "webhook")
						}
						if err != nil {
							b.Error(err)
							return
						}
						if known {
							err = s.FinishDeliveryAt(ctx, d.Key, closed, store.DeliveryDelivered, "")
						} else {
							err = s.FinishDelivery(ctx, d.Key, store.DeliveryDelivered, "")
						}
						if err != nil {
							b.Error(err)
						}
					})
				}
				wg.Wait()
				phase[2] += time.Since(start)
				cpu2 := backendsCPU(b, pids)
				phase[0] += cpu1 - cpu0
				phase[1] += cpu2 - cpu1
			}
			var phase [3]time.Duration
			run(&phase, nil)
			pids := backends(b, s, app)
			phase = [3]time.Duration{}
			for b.Loop() {
				run(&phase, pids)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*batch), "ns/delivery")
			b.ReportMetric(float64(phase[0].Microseconds())/1e3/float64(b.N), "pg-cpu-ms-expect/batch")
			b.ReportMetric(float64(phase[1].Microseconds())/1e3/float64(b.N), "pg-cpu-ms-deliver/batch")
			b.ReportMetric(float64(phase[2].Microseconds())/1e3/float64(b.N), "ms-deliver/batch")
		})
	}
}
