package console

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/hibiken/asynq"

	"github.com/ozmon/ozmon/store"
	"github.com/ozmon/ozmon/tasks"
)

// archivedDelivery records a delivery of tenant whose deliver task sits
// in the dead-letter queue, its last attempt failed with errText.
func (e *env) archivedDelivery(tb testing.TB, tenant, monitor, tx, errText string) string {
	tb.Helper()
	ctx := context.Background()
	q := tasks.NotifyQueue(tasks.TierDefault)
	p := tasks.Deliver{TenantID: tenant, Monitor: monitor, Network: "stellar_testnet", Ledger: 7, TxHash: tx, Trigger: "ops_hook", Tier: tasks.TierDefault}
	task, err := tasks.NewTask(p)
	if err != nil {
		tb.Fatal(err)
	}
	client := asynq.NewClientFromRedisClient(e.rdb)
	if _, err := client.Enqueue(task, asynq.Queue(q), asynq.TaskID(p.TaskID())); err != nil {
		tb.Fatalf("enqueue: %v", err)
	}
	if err := asynq.NewInspectorFromRedisClient(e.rdb).ArchiveTask(q, p.TaskID()); err != nil {
		tb.Fatalf("archive: %v", err)
	}
	k := store.DeliveryKey{TenantID: tenant, Monitor: monitor, Network: "stellar_testnet", Ledger: 7, TxHash: tx, Trigger: "ops_hook"}
	if _, err := e.st.BeginDelivery(ctx, k, p.TaskID(), "webhook"); err != nil {
		tb.Fatal(err)
	}
	if err := e.st.FinishDelivery(ctx, k, store.DeliveryArchived, errText); err != nil {
		tb.Fatal(err)
	}
	return p.TaskID()
}

func (e *env) taskState(tb testing.TB, id string) asynq.TaskState {
	tb.Helper()
	info, err := asynq.NewInspectorFromRedisClient(e.rdb).GetTaskInfo(tasks.NotifyQueue(tasks.TierDefault), id)
	if err != nil {
		tb.Fatalf("task %s: %v", id, err)
	}
	return info.State
}

// TestDeliveriesPage lists the tenant's own deliveries with attempts and
// last error, filters them, pages through them, and resends one archived
// delivery — never another tenant's.
func TestDeliveriesPage(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	var batch []store.ExpectedDelivery
	for i := range 60 {
		batch = append(batch, store.ExpectedDelivery{Key: store.DeliveryKey{TenantID: e.a, Monitor: fmt.Sprintf("m%d", i%2),
			Network: "stellar_testnet", Ledger: uint64(1000 + i), TxHash: fmt.Sprintf("tx%05d", i), Trigger: "ops_hook"},
			TaskID: fmt.Sprintf("task-a-%d", i), Channel: "webhook"})
	}
	if err := e.st.ExpectDeliveries(ctx, batch); err != nil {
		t.Fatal(err)
	}
	aTask := e.archivedDelivery(t, e.a, "vault", "aa01", "receiver said 503")
	bTask := e.archivedDelivery(t, e.b, "secret-bravo-monitor", "bb01", "bravo receiver said 500")

	b := e.browser(t)
	b.signIn(e.keyA)
	p := b.get("/console/deliveries")
	if p.status != http.StatusOK || strings.Count(p.body, "<tr>") != 51 || !strings.Contains(p.body, "Next page") {
		t.Fatalf("first page = %d with %d rows", p.status, strings.Count(p.body, "<tr>")-1)
	}
	if strings.Contains(p.body, "secret-bravo-monitor") || strings.Contains(p.body, "bravo receiver") {
		t.Fatal("another tenant's delivery is listed")
	}
	next := p.body[strings.Index(p.body, `/console/deliveries?after`):]
	next = next[:strings.Index(next, `"`)]
	next = strings.ReplaceAll(next, "&amp;", "&")
	t.Logf("next %s", next)
	p2 := b.get(next)
	if p2.status != http.StatusOK || strings.Count(p2.body, "<tr>") != 12 || strings.Contains(p2.body, "Next page") {
		t.Fatalf("second page = %d with %d rows", p2.status, strings.Count(p2.body, "<tr>")-1)
	}
	p = b.get("/console/deliveries?status=ARCHIVED")
	if strings.Count(p.body, "<tr>") != 2 || !strings.Contains(p.body, "receiver said 503") || !strings.Contains(p.body, `class="resend"`) {
		t.Fatalf("archived filter: %s", p.body)
	}
	if p := b.get("/console/deliveries?monitor=m1"); strings.Count(p.body, "<tr>") != 31 {
		t.Fatalf("monitor filter: %d rows", strings.Count(p.body, "<tr>")-1)
	}
	// Another tenant's monitor, by name, is simply empty.
	if p := b.get("/console/deliveries?monitor=secret-bravo-monitor"); !strings.Contains(p.body, "No deliveries.") {
		t.Fatal("another tenant's monitor filter shows rows")
	}
	for _, bad := range []string{"status=LOST", "since=yesterday"} {
		if p := b.get("/console/deliveries?" + bad); p.status != http.StatusBadRequest {
			t.Errorf("%s = %d", bad, p.status)
		}
	}
	// Resend bravo's archived delivery by naming its monitor: nothing.
	p = b.post("/console/deliveries/resend", url.Values{"monitor": {"secret-bravo-monitor"}, "status": {"ARCHIVED"}})
	if p.status != http.StatusSeeOther || e.taskState(t, bTask) != asynq.TaskStateArchived {
		t.Fatalf("resend of another tenant's delivery: %d, task %v", p.status, e.taskState(t, bTask))
	}
	if loc, _ := url.QueryUnescape(p.header.Get("Location")); !strings.Contains(loc, "0 deliveries queued again") {
		t.Fatalf("resend notice = %q", loc)
	}
	// A delivered one may not be resent from the console.
	if p := b.post("/console/deliveries/resend", url.Values{"status": {"DELIVERED"}}); p.status != http.StatusBadRequest {
		t.Fatalf("resend delivered = %d", p.status)
	}
	// The archived row's own form resends it.
	p = b.get("/console/deliveries?status=ARCHIVED")
	at := p.body[strings.Index(p.body, `name="at" value="`)+len(`name="at" value="`):]
	at = at[:strings.Index(at, `"`)]
	p = b.post("/console/deliveries/resend", url.Values{"monitor": {"vault"}, "status": {"ARCHIVED"}, "at": {at}})
	loc, _ := url.QueryUnescape(p.header.Get("Location"))
	if p.status != http.StatusSeeOther || !strings.Contains(loc, "1 delivery queued again") {
		t.Fatalf("resend = %d %q", p.status, loc)
	}
	if e.taskState(t, aTask) != asynq.TaskStatePending || e.taskState(t, bTask) != asynq.TaskStateArchived {
		t.Fatalf("after resend: a %v, b %v", e.taskState(t, aTask), e.taskState(t, bTask))
	}
	if p := b.get(p.header.Get("Location")); !strings.Contains(p.body, "1 delivery queued again") {
		t.Fatal("the notice is not shown")
	}
}
