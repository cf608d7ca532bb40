package scheduler_test

import (
	"context"
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/ozmon/ozmon/internal/metrics"
	"github.com/ozmon/ozmon/internal/testkit"
	"github.com/ozmon/ozmon/scheduler"
	"github.com/ozmon/ozmon/store"
	"github.com/ozmon/ozmon/store/postgres"
	"github.com/ozmon/ozmon/tasks"
)

// TestRecoverRequeuesPendingDeliveriesLostFromRedis: the gap a lagging
// replica's failover leaves. Three notifications of a ledger that counts
// as complete are recorded in the real delivery log: one pending whose
// deliver task Redis lost, one pending whose task is queued, one
// delivered whose task has left Redis. Recovery enqueues the lost one
// again, under its own TaskID and with its own payload, exactly once, and
// touches neither of the others.
func TestRecoverRequeuesPendingDeliveriesLostFromRedis(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	url, schema := testkit.PostgresSchema(t)
	ctx := context.Background()
	st, err := postgres.Open(ctx, url, postgres.WithNotifyChannel("ozmon_"+schema))
	must(t, err)
	t.Cleanup(st.Close)
	must(t, st.Migrate(ctx))
	tenant, err := st.CreateTenant(ctx, postgres.NewTenant{Slug: "acme"})
	must(t, err)

	m := metrics.New()
	s := scheduler.New(e.client, e.cursors, scheduler.WithProgress(st, e.rdb), scheduler.WithMetrics(m),
		scheduler.WithLogger(slog.New(slog.DiscardHandler)))
	n := e.network(0, 0)
	n.Recovery.Grace = time.Millisecond
	must(t, s.AddNetwork(n))

	codec, err := tasks.NewDeliverCodec()
	must(t, err)
	closed := time.Now().Add(-time.Minute).UTC().Truncate(time.Second)
	deliver := func(tx string) tasks.Deliver {
		return tasks.Deliver{TenantID: tenant.ID, Monitor: "Big swaps", Network: "stellar_testnet", Ledger: 500, TxHash: tx,
			Trigger: "hook", Tier: tasks.TierHigh, Vars: map[string]string{"transaction.hash": tx}, LedgerClosedAt: closed}
	}
	lost, queued, delivered := deliver("aa"), deliver("bb"), deliver("cc")
	var expected []store.ExpectedDelivery
	for _, d := range []tasks.Deliver{lost, queued, delivered} {
		b, err := codec.Compact(d)
		must(t, err)
		expected = append(expected, store.ExpectedDelivery{Key: keyOf(d), TaskID: d.TaskID(), Channel: "webhook", LedgerClosedAt: closed, Payload: b})
	}
	must(t, st.ExpectDeliveries(ctx, expected))
	if _, err := tasks.Enqueue(ctx, e.client, queued); err != nil {
		t.Fatal(err)
	}
	_, err = st.BeginDelivery(ctx, keyOf(delivered), delivered.TaskID(), "webhook")
	must(t, err)
	must(t, st.FinishDelivery(ctx, keyOf(delivered), store.DeliveryDelivered, ""))
	time.Sleep(10 * time.Millisecond) // past the grace period

	r, err := s.Recover(ctx, "stellar_testnet")
	must(t, err)
	if !slices.Equal(r.Requeued, []string{lost.TaskID()}) {
		t.Fatalf("requeued %v; want only the lost %s", r.Requeued, lost.TaskID())
	}
	info, err := e.insp.GetTaskInfo(tasks.NotifyQueue(tasks.TierHigh), lost.TaskID())
	if err != nil || info.State != asynq.TaskStatePending {
		t.Fatalf("requeued task: %+v, %v", info, err)
	}
	var got tasks.Deliver
	must(t, tasks.Decode(asynq.NewTask(info.Type, info.Payload), &got))
	if got.TaskID() != lost.TaskID() || got.Vars["transaction.hash"] != "aa" || !got.LedgerClosedAt.Equal(closed) {
		t.Fatalf("requeued payload %+v; want the one enqueued first", got)
	}
	if _, err := e.insp.GetTaskInfo(tasks.NotifyQueue(tasks.TierHigh), delivered.TaskID()); err == nil {
		t.Fatal("the delivered notification's task was enqueued again")
	}
	if v := testutil.ToFloat64(m.DeliveriesRequeued.WithLabelValues("stellar_testnet", "requeued")); v != 1 {
		t.Fatalf("requeued metric = %v, want 1", v)
	}

	// Its task is in Redis now: later runs leave it alone.
	for range 2 {
		if r, err = s.Recover(ctx, "stellar_testnet"); err != nil || len(r.Requeued) != 0 {
			t.Fatalf("later run requeued %v (%v); the task is queued", r.Requeued, err)
		}
	}
	pending, err := e.insp.ListPendingTasks(tasks.NotifyQueue(tasks.TierHigh))
	must(t, err)
	if len(pending) != 2 {
		t.Fatalf("%d deliver tasks queued, want 2 (the lost one once, the queued one)", len(pending))
	}
}

// A pending record that keeps no payload cannot be rebuilt: its missing
// task is reported (metric) once, and nothing is enqueued.
func TestRecoverReportsPendingDeliveryWithoutPayloadOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	url, schema := testkit.PostgresSchema(t)
	ctx := context.Background()
	st, err := postgres.Open(ctx, url, postgres.WithNotifyChannel("ozmon_"+schema))
	must(t, err)
	t.Cleanup(st.Close)
	must(t, st.Migrate(ctx))
	tenant, err := st.CreateTenant(ctx, postgres.NewTenant{Slug: "acme"})
	must(t, err)
	m := metrics.New()
	s := scheduler.New(e.client, e.cursors, scheduler.WithProgress(st, e.rdb), scheduler.WithMetrics(m),
		scheduler.WithLogger(slog.New(slog.DiscardHandler)))
	n := e.network(0, 0)
	n.Recovery.Grace = time.Millisecond
	must(t, s.AddNetwork(n))
	d := tasks.Deliver{TenantID: tenant.ID, Monitor: "m", Network: "stellar_testnet", Ledger: 7, TxHash: "aa", Trigger: "hook", Tier: tasks.TierDefault}
	must(t, st.ExpectDeliveries(ctx, []store.ExpectedDelivery{{Key: keyOf(d), TaskID: d.TaskID(), Channel: "webhook"}}))
	time.Sleep(10 * time.Millisecond)
	for range 2 {
		r, err := s.Recover(ctx, "stellar_testnet")
		if err != nil || len(r.Requeued) != 0 {
			t.Fatalf("run requeued %v (%v); there is nothing to rebuild the task from", r.Requeued, err)
		}
	}
	if v := testutil.ToFloat64(m.DeliveriesRequeued.WithLabelValues("stellar_testnet", "unrecoverable")); v != 1 {
		t.Fatalf("unrecoverable metric = %v, want 1 (reported once)", v)
	}
}

func keyOf(d tasks.Deliver) store.DeliveryKey {
	return store.DeliveryKey{TenantID: d.TenantID, Monitor: d.Monitor, Network: d.Network, Ledger: d.Ledger, TxHash: d.TxHash, Trigger: d.Trigger}
}
