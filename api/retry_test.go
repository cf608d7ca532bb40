package api

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/hibiken/asynq"

	"github.com/ozmon/ozmon/store"
	"github.com/ozmon/ozmon/tasks"
)

// TestRetryDeliveriesRequeuesOwnTenantOnly: A's and B's failed
// notifications have archived tasks; A's retryDeliveries re-queues A's
// and leaves B's archived; a delivered one of A's is skipped unless force.
func TestRetryDeliveriesRequeuesOwnTenantOnly(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	client := asynq.NewClientFromRedisClient(e.rdb)
	insp := asynq.NewInspectorFromRedisClient(e.rdb)
	q := tasks.NotifyQueue(tasks.TierDefault)
	archived := func(tenant, tx string, status store.DeliveryStatus) string {
		p := tasks.Deliver{TenantID: tenant, Monitor: "m", Network: "n", Ledger: 7, TxHash: tx, Trigger: "hook", Tier: tasks.TierDefault}
		task, err := tasks.NewTask(p)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := client.Enqueue(task, asynq.Queue(q), asynq.TaskID(p.TaskID())); err != nil {
			t.Fatalf("enqueue: %v", err)
		}
		if err := insp.ArchiveTask(q, p.TaskID()); err != nil {
			t.Fatalf("archive: %v", err)
		}
		k := store.DeliveryKey{TenantID: tenant, Monitor: "m", Network: "n", Ledger: 7, TxHash: tx, Trigger: "hook"}
		if _, err := e.st.BeginDelivery(ctx, k, p.TaskID(), "webhook"); err != nil {
			t.Fatal(err)
		}
		if err := e.st.FinishDelivery(ctx, k, status, "receiver said 503"); err != nil {
			t.Fatal(err)
		}
		return p.TaskID()
	}
	aFailed := archived(e.a, "aa01", store.DeliveryFailed)
	aDelivered := archived(e.a, "aa02", store.DeliveryDelivered)
	bFailed := archived(e.b, "bb01", store.DeliveryFailed)
	state := func(id string) asynq.TaskState {
		info, err := insp.GetTaskInfo(q, id)
		if err != nil {
			t.Fatalf("task %s: %v", id, err)
		}
		return info.State
	}
	var d struct {
		RetryDeliveries struct {
			Requeued int
			Skipped  []struct{ Reason string }
		}
	}
	r := e.query(t, "a-owner", `mutation { retryDeliveries { requeued skipped { reason } } }`, nil)
	_ = json.Unmarshal(r.Data, &d)
	if len(r.Errors) > 0 || d.RetryDeliveries.Requeued != 1 || len(d.RetryDeliveries.Skipped) != 1 || d.RetryDeliveries.Skipped[0].Reason != "delivered" {
		t.Fatalf("retry: %s %+v", r.Data, r.Errors)
	}
	if state(aFailed) != asynq.TaskStatePending || state(aDelivered) != asynq.TaskStateArchived || state(bFailed) != asynq.TaskStateArchived {
		t.Fatalf("after retry: A failed %v, A delivered %v, B failed %v", state(aFailed), state(aDelivered), state(bFailed))
	}
	r = e.query(t, "a-owner", `mutation { retryDeliveries(filter: {status: DELIVERED}, force: true) { requeued } }`, nil)
	if len(r.Errors) > 0 || state(aDelivered) != asynq.TaskStatePending || state(bFailed) != asynq.TaskStateArchived {
		t.Fatalf("forced retry: %s %+v; A delivered %v, B %v", r.Data, r.Errors, state(aDelivered), state(bFailed))
	}
}
