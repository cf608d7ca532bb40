package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/hibiken/asynq"
	"github.com/ozmon/ozmon/internal/testkit"
	"github.com/ozmon/ozmon/store"
	"github.com/ozmon/ozmon/store/memory"
	"github.com/ozmon/ozmon/tasks"
)

// TestDeliveriesRetry: an archived notification is re-queued, a delivered
// one is refused, and --force resends it (the record is reset first, so
// the handler does not refuse it either).
func TestDeliveriesRetry(t *testing.T) {
	t.Parallel()
	o := testkit.Redis(t)
	opt := asynq.RedisClientOpt{Addr: o.Addr, DB: o.DB}
	client := asynq.NewClient(opt)
	defer client.Close()
	insp := asynq.NewInspector(opt)
	defer insp.Close()
	ctx := context.Background()
	st := memory.New()
	q := tasks.NotifyQueue(tasks.TierDefault)
	mk := func(tx string, status store.DeliveryStatus) store.DeliveryKey {
		p := tasks.Deliver{TenantID: "t1", Monitor: "m", Network: "n", Ledger: 7, TxHash: tx, Trigger: "hook", Tier: tasks.TierDefault}
		task, _ := tasks.NewTask(p)
		if _, err := client.Enqueue(task); err != nil {
			t.Fatal(err)
		}
		if err := insp.ArchiveTask(q, p.TaskID()); err != nil {
			t.Fatal(err)
		}
		k := store.DeliveryKey{TenantID: "t1", Monitor: "m", Network: "n", Ledger: 7, TxHash: tx, Trigger: "hook"}
		if _, err := st.BeginDelivery(ctx, k, p.TaskID(), "webhook"); err != nil {
			t.Fatal(err)
		}
		if err := st.FinishDelivery(ctx, k, status, ""); err != nil {
			t.Fatal(err)
		}
		return k
	}
	mk("aa", store.DeliveryArchived)
	delivered := mk("bb", store.DeliveryDelivered)

	var out bytes.Buffer
	if err := adminDeliveriesRetry(ctx, st, insp, store.DeliveryFilter{TenantID: "t1"}, false, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "re-queued 1, refused 1 (delivered), not found 0") {
		t.Fatalf("without --force: %s", out.String())
	}
	out.Reset()
	if err := adminDeliveriesRetry(ctx, st, insp, store.DeliveryFilter{TaskID: tasks.Deliver{TenantID: "t1", Monitor: "m", Network: "n", Ledger: 7, TxHash: "bb", Trigger: "hook"}.TaskID()}, true, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "re-queued 1, refused 0") {
		t.Fatalf("with --force: %s", out.String())
	}
	recs, _ := st.ListDeliveries(ctx, store.DeliveryFilter{TenantID: "t1"})
	for _, r := range recs {
		if r.Key == delivered && r.Status == store.DeliveryDelivered {
			t.Fatal("forced resend left the record delivered: the handler would refuse it")
		}
	}
	pending, err := insp.ListPendingTasks(q)
	if err != nil || len(pending) != 2 {
		t.Fatalf("pending after retries = %d (%v), want 2", len(pending), err)
	}
}
