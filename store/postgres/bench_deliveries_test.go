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
// Each variant has a fresh schema of its own, so none runs on what
// another wrote.
//
// close_time_unknown writes as BeginDelivery and FinishDelivery do;
// close_time_known as BeginDeliveryAt and FinishDeliveryAt do (the deliver
// handler, whose task carries its ledger's close time), on one partition.
// year_log writes into the current week's partition (analyzed, ~2,200
// records); year_log_new_week into next week's, made ahead, empty and
// never analyzed, as every Monday; new_log into a log just migrated (19
// partitions, all empty and never analyzed), as a new deployment.
//
// pg-cpu-ms-expect/batch and pg-cpu-ms-deliver/batch are the CPU of the
// PostgreSQL backends serving the benchmark (from /proc, 10 ms ticks:
// read them over 30 batches or more) for ExpectDeliveries and for the
// begins and finishes; ms-deliver/batch is the latter's wall time. Run
// each variant in a process of its own to compare them:
//
//	go test -run '^$' -bench 'BenchmarkDeliveryRecords/close_time_known/year_log$' -benchtime 60x ./store/postgres/
func BenchmarkDeliveryRecords(b *testing.B) {
	type variant struct {
		name  string
		known bool
		year  bool          // a year of records; else a log just migrated, every partition empty
		ahead time.Duration // how far ahead of now the batches' close times are
	}
	var variants []variant
	for _, known := range []bool{false, true} {
		name := "close_time_unknown"
		if known {
			name = "close_time_known"
		}
		variants = append(variants,
			variant{name + "/year_log", known, true, 0},
			variant{name + "/year_log_new_week", known, true, 7 * 24 * time.Hour},
			variant{name + "/new_log", known, false, 0})
	}
	for _, v := range variants {
		known := v.known
		b.Run(v.name, func(b *testing.B) {
			s, app := openBenchStore(b)
			ctx := context.Background()
			tenant := importFixture(b, s, "acme", standardFixture())
			if v.year {
				prepareBenchLog(b, s, tenant)
			} else if _, err := s.EnsureDeliveryPartitions(ctx, time.Now().Add(-90*24*time.Hour), time.Now().Add(PartitionsAhead)); err != nil {
				b.Fatal(err)
			}
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
