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
// The log is prepared as a 90-day retention leaves it (prepareBenchLog):
// on the partitioned log every write that does not know the partition
// looks the key up in each partition.
//
// close_time_unknown writes as BeginDelivery and FinishDelivery do;
// close_time_known as BeginDeliveryAt and FinishDeliveryAt do (the deliver
// handler, whose task carries its ledger's close time), on one partition.
func BenchmarkDeliveryRecords(b *testing.B) {
	s, _ := openTestStore(b)
	ctx := context.Background()
	tenant := importFixture(b, s, "acme", standardFixture())
	prepareBenchLog(b, s)
	const batch = 64
	ledger := uint64(0)
	for _, known := range []bool{false, true} {
		name := "close_time_unknown"
		if known {
			name = "close_time_known"
		}
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				ledger++
				closed := time.Now().UTC().Truncate(time.Second)
				ds := make([]store.ExpectedDelivery, batch)
				for i := range ds {
					ds[i] = store.ExpectedDelivery{Key: store.DeliveryKey{TenantID: tenant, Monitor: "Big swaps", Network: "stellar_testnet",
						Ledger: ledger, TxHash: fmt.Sprintf("%064d", i), Trigger: "ops_hook"}, TaskID: "t", Channel: "webhook", LedgerClosedAt: closed}
				}
				if err := s.ExpectDeliveries(ctx, ds); err != nil {
					b.Fatal(err)
				}
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
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*batch), "ns/delivery")
		})
	}
}
