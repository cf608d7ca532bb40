package replay_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/ozmon/ozmon/internal/testkit"
	"github.com/ozmon/ozmon/replay"
	"github.com/ozmon/ozmon/store"
	"github.com/ozmon/ozmon/store/postgres"
	"github.com/ozmon/ozmon/tasks"
)

// A notification whose task has left Redis (past notify.retention) is
// still re-queued from the payload its delivery record keeps: an archived
// one on a plain retry, a delivered one only when forced (its record reset
// first), and one whose record keeps no payload is reported not found.
// The rebuilt task is the one first enqueued: same TaskID, same payload.
func TestRetryRebuildsExpiredTaskFromTheLog(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url, schema := testkit.PostgresSchema(t)
	pg, err := postgres.Open(ctx, url, postgres.WithNotifyChannel("ozmon_"+schema))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pg.Close)
	if err := pg.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	var tenant string
	if err := pg.Pool().QueryRow(ctx, `INSERT INTO tenants (name, slug) VALUES ('acme', 'acme') RETURNING id`).Scan(&tenant); err != nil {
		t.Fatal(err)
	}
	rdb := testkit.RedisClient(t)
	insp := asynq.NewInspectorFromRedisClient(rdb)
	codec, err := tasks.NewDeliverCodec()
	if err != nil {
		t.Fatal(err)
	}
	closed := time.Now().Add(-30 * 24 * time.Hour).UTC().Truncate(time.Second) // a month ago: long out of Redis
	payload := func(tx string) tasks.Deliver {
		return tasks.Deliver{V: 2, TenantID: tenant, Monitor: "Big swaps", Network: "stellar_mainnet", Ledger: 500, TxHash: tx,
			Trigger: "ops_hook", Tier: tasks.TierDefault, Vars: map[string]string{"transaction.hash": tx}, LedgerClosedAt: closed}
	}
	record := func(p tasks.Deliver, keep bool, outcome store.DeliveryStatus) store.DeliveryKey {
		key := store.DeliveryKey{TenantID: p.TenantID, Monitor: p.Monitor, Network: p.Network, Ledger: p.Ledger, TxHash: p.TxHash, Trigger: p.Trigger}
		var b []byte
		if keep {
			if b, err = codec.Compact(p); err != nil {
				t.Fatal(err)
			}
		}
		if err := pg.ExpectDeliveries(ctx, []store.ExpectedDelivery{{Key: key, TaskID: p.TaskID(), Channel: "webhook", LedgerClosedAt: closed, Payload: b}}); err != nil {
			t.Fatal(err)
		}
		if _, err := pg.BeginDelivery(ctx, key, p.TaskID(), "webhook"); err != nil {
			t.Fatal(err)
		}
		if err := pg.FinishDelivery(ctx, key, outcome, "receiver said no"); err != nil {
			t.Fatal(err)
		}
		return key
	}
	archived, delivered, bare := payload("aa"), payload("bb"), payload("cc")
	record(archived, true, store.DeliveryArchived)
	kd := record(delivered, true, store.DeliveryDelivered)
	record(bare, false, store.DeliveryArchived)
	f := store.DeliveryFilter{TenantID: tenant}
	queue := tasks.NotifyQueue(tasks.TierDefault)

	res, err := replay.Retry(ctx, pg, rdb, insp, f, false)
	if err != nil {
		t.Fatal(err)
	}
	got := outcomes(res)
	if want := map[string]string{archived.TaskID(): "from log", delivered.TaskID(): "delivered", bare.TaskID(): "not found"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("retry without force: %v, want %v", got, want)
	}
	info, err := insp.GetTaskInfo(queue, archived.TaskID())
	if err != nil || info.State != asynq.TaskStatePending {
		t.Fatalf("the archived notification's rebuilt task: %+v, %v; want pending", info, err)
	}
	var back tasks.Deliver
	if err := tasks.Decode(asynq.NewTask(info.Type, info.Payload), &back); err != nil || !reflect.DeepEqual(back, archived) {
		t.Fatalf("rebuilt payload %+v (%v), want %+v", back, err, archived)
	}

	res, err = replay.Retry(ctx, pg, rdb, insp, f, true)
	if err != nil {
		t.Fatal(err)
	}
	got = outcomes(res)
	if want := map[string]string{archived.TaskID(): "queued", delivered.TaskID(): "from log", bare.TaskID(): "not found"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("retry with force: %v, want %v", got, want)
	}
	if info, err := insp.GetTaskInfo(queue, delivered.TaskID()); err != nil || info.State != asynq.TaskStatePending {
		t.Fatalf("the delivered notification's rebuilt task: %+v, %v; want pending", info, err)
	}
	list, err := pg.ListDeliveries(ctx, store.DeliveryFilter{TenantID: tenant, TaskID: delivered.TaskID()})
	if err != nil || len(list) != 1 || list[0].Key != kd || list[0].Status != store.DeliveryFailed {
		t.Fatalf("the forced record: %+v, %v; want reset to failed so the worker sends it", list, err)
	}
}

// outcomes maps each TaskID to what Retry did: "from log", a re-queue of a
// retained task (""), or the reason it was skipped.
func outcomes(res replay.Result) map[string]string {
	out := map[string]string{}
	for _, o := range res.Outcomes {
		switch {
		case o.Err != nil:
			out[o.Delivery.TaskID] = "error: " + o.Err.Error()
		case o.FromLog:
			out[o.Delivery.TaskID] = "from log"
		default:
			out[o.Delivery.TaskID] = o.Reason
		}
	}
	return out
}
