package scheduler_test

import (
	"context"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ozmon/ozmon/internal/testkit"
	"github.com/ozmon/ozmon/scheduler"
	"github.com/ozmon/ozmon/store"
	"github.com/ozmon/ozmon/store/postgres"
)

// The maintenance loop, its clock moved forward a week per round over the
// real delivery log: every round leaves partitions from the retention's
// edge to four weeks ahead, and none older.
func TestMaintenanceKeepsPartitionsAsTimeMovesForward(t *testing.T) {
	t.Parallel()
	url, schema := testkit.PostgresSchema(t)
	ctx := context.Background()
	st, err := postgres.Open(ctx, url, postgres.WithNotifyChannel("ozmon_"+schema))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(st.Close)
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	clock := start
	retention := 21 * 24 * time.Hour
	m := scheduler.Maintenance{Log: st, Retention: retention, Every: time.Hour, Now: func() time.Time { return clock }, Logger: slog.New(slog.DiscardHandler)}
	var droppedAll []string
	for week := range 8 {
		clock = start.Add(time.Duration(week) * 7 * 24 * time.Hour)
		_, dropped, err := m.Round(ctx)
		if err != nil {
			t.Fatalf("round at week %d: %v", week, err)
		}
		droppedAll = append(droppedAll, dropped...)
		parts, err := st.DeliveryPartitions(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var oldest, newest time.Time
		for _, p := range parts {
			if p.Default {
				continue
			}
			if oldest.IsZero() || p.From.Before(oldest) {
				oldest = p.From
			}
			if p.To.After(newest) {
				newest = p.To
			}
			if !p.To.After(clock.Add(-retention)) {
				t.Errorf("week %d (%s): partition %s ends %s, past retention", week, clock.Format(time.DateOnly), p.Name, p.To.Format(time.DateOnly))
			}
		}
		if newest.Before(clock.Add(postgres.PartitionsAhead)) {
			t.Errorf("week %d: partitions end %s, want at least %s", week, newest.Format(time.DateOnly), clock.Add(postgres.PartitionsAhead).Format(time.DateOnly))
		}
		if oldest.After(clock.Add(-7 * 24 * time.Hour)) {
			t.Errorf("week %d: oldest partition starts %s, after the past week", week, oldest.Format(time.DateOnly))
		}
	}
	if len(droppedAll) < 4 || !slices.IsSortedFunc(droppedAll, strings.Compare) {
		t.Fatalf("dropped over 8 weeks: %v; want the oldest weeks, oldest first", droppedAll)
	}
}

// Run refuses a loop that could never run a round.
func TestMaintenanceNeedsAnInterval(t *testing.T) {
	t.Parallel()
	err := scheduler.Maintenance{}.Run(context.Background())
	if err == nil || !strings.Contains(err.Error(), "positive interval") {
		t.Fatalf("Run without store or interval: %v", err)
	}
}

// Each round measures tenant storage after the log's partitions, on the
// real store: the tenant past its max_storage_mb comes back, and workers
// then read it as over.
func TestMaintenanceMeasuresTenantStorage(t *testing.T) {
	t.Parallel()
	url, schema := testkit.PostgresSchema(t)
	ctx := context.Background()
	st, err := postgres.Open(ctx, url, postgres.WithNotifyChannel("ozmon_"+schema))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(st.Close)
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	zero := 0
	capped, err := st.CreateTenant(ctx, postgres.NewTenant{Slug: "capped", Quotas: postgres.Quotas{MaxStorageMB: &zero}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateTenant(ctx, postgres.NewTenant{Slug: "roomy"}); err != nil {
		t.Fatal(err)
	}
	if err := st.ExpectDeliveries(ctx, []store.ExpectedDelivery{{Key: store.DeliveryKey{TenantID: capped.ID, Monitor: "m",
		Network: "stellar_testnet", Ledger: 1, TxHash: "a", Trigger: "hook"}, TaskID: "t", Payload: []byte("payload")}}); err != nil {
		t.Fatal(err)
	}
	var over []string
	m := scheduler.Maintenance{Log: st, Every: time.Hour, Logger: slog.New(slog.DiscardHandler),
		MeasureStorage: func(ctx context.Context) ([]string, error) {
			ts, err := st.MeasureTenantStorage(ctx)
			for _, t := range ts {
				over = append(over, t.Slug)
			}
			return over, err
		}}
	if _, _, err := m.Round(ctx); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(over, []string{"capped"}) {
		t.Fatalf("over their cap after a round: %v, want [capped]", over)
	}
	if ok, err := st.OverStorage(ctx, capped.ID); !ok || err != nil {
		t.Fatalf("OverStorage(capped) = %v, %v after the round", ok, err)
	}
}
