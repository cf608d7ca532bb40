package main

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/ozmon/ozmon/internal/testkit"
	"github.com/ozmon/ozmon/store"
	"github.com/ozmon/ozmon/store/memory"
	"github.com/ozmon/ozmon/store/postgres"
	"github.com/ozmon/ozmon/tasks"
)

// sceneTask is a task the scene brings into a state with a real asynq
// server: archived (by hand), completed (ran and retained), retry (failed,
// retried in an hour), active (running until the test ends) or pending
// (enqueued once the server stopped dequeueing). A task with state -1 is
// never enqueued (past its retention).
type sceneTask struct {
	task  *asynq.Task
	id    string
	state asynq.TaskState
}

const gone asynq.TaskState = -1

// taskScene enqueues the tasks into queue q and drives them to their
// states; it returns once every one is there.
func taskScene(t *testing.T, rdb *redis.Client, q string, list []sceneTask) {
	t.Helper()
	ctx := context.Background()
	client := asynq.NewClientFromRedisClient(rdb)
	t.Cleanup(func() { client.Close() })
	insp := asynq.NewInspectorFromRedisClient(rdb)
	want := map[string]asynq.TaskState{}
	for _, s := range list {
		if s.state == gone || s.state == asynq.TaskStatePending {
			continue
		}
		want[s.id] = s.state
		if _, err := client.EnqueueContext(ctx, s.task, asynq.Queue(q), asynq.TaskID(s.id), asynq.Retention(time.Hour)); err != nil {
			t.Fatalf("enqueue %s: %v", s.id, err)
		}
		if s.state == asynq.TaskStateArchived {
			if err := insp.ArchiveTask(q, s.id); err != nil {
				t.Fatalf("archive %s: %v", s.id, err)
			}
		}
	}
	release := make(chan struct{})
	srv := asynq.NewServerFromRedisClient(rdb, asynq.Config{Concurrency: len(list) + 1, Queues: map[string]int{q: 1},
		TaskCheckInterval: 20 * time.Millisecond, LogLevel: asynq.FatalLevel,
		RetryDelayFunc: func(int, error, *asynq.Task) time.Duration { return time.Hour }})
	if err := srv.Start(asynq.HandlerFunc(func(ctx context.Context, _ *asynq.Task) error {
		id, _ := asynq.GetTaskID(ctx)
		switch want[id] {
		case asynq.TaskStateRetry:
			return errors.New("receiver down")
		case asynq.TaskStateActive:
			select {
			case <-release:
			case <-ctx.Done():
			}
		}
		return nil
	})); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Shutdown)
	t.Cleanup(func() { close(release) }) // before Shutdown: cleanups run last first
	deadline := time.Now().Add(15 * time.Second)
	for id, st := range want {
		for {
			info, err := insp.GetTaskInfo(q, id)
			if err == nil && info.State == st {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("task %s did not become %s in 15 s (%+v, %v)", id, st, info, err)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	srv.Stop() // returns once the server dequeues nothing more
	for _, s := range list {
		if s.state == asynq.TaskStatePending {
			if _, err := client.EnqueueContext(ctx, s.task, asynq.Queue(q), asynq.TaskID(s.id), asynq.Retention(time.Hour)); err != nil {
				t.Fatalf("enqueue %s: %v", s.id, err)
			}
		}
	}
}

func taskState(t *testing.T, insp *asynq.Inspector, q, id string) asynq.TaskState {
	t.Helper()
	info, err := insp.GetTaskInfo(q, id)
	if errors.Is(err, asynq.ErrTaskNotFound) {
		return gone
	}
	if err != nil {
		t.Fatalf("task %s: %v", id, err)
	}
	return info.State
}

// deliveryScene is a tenant's notifications, each with a delivery record
// in a given status (sending: begun, no outcome) and a deliver task in a
// given state.
type deliveryScene struct {
	tenant string
	st     store.DeliveryLog
	rdb    *redis.Client
	insp   *asynq.Inspector
	keys   map[string]store.DeliveryKey // by tx hash
	ids    map[string]string            // deliver TaskIDs by tx hash
}

type sceneDelivery struct {
	tx     string
	status store.DeliveryStatus
	task   asynq.TaskState
}

func newDeliveryScene(t *testing.T, st store.DeliveryLog, tenant string, list []sceneDelivery) *deliveryScene {
	t.Helper()
	ctx := context.Background()
	rdb := testkit.RedisClient(t)
	s := &deliveryScene{tenant: tenant, st: st, rdb: rdb, insp: asynq.NewInspectorFromRedisClient(rdb),
		keys: map[string]store.DeliveryKey{}, ids: map[string]string{}}
	var scene []sceneTask
	for _, d := range list {
		p := tasks.Deliver{TenantID: tenant, Monitor: "m", Network: "n", Ledger: 7, TxHash: d.tx, Trigger: "hook", Tier: tasks.TierDefault}
		task, err := tasks.NewTask(p)
		if err != nil {
			t.Fatal(err)
		}
		scene = append(scene, sceneTask{task, p.TaskID(), d.task})
		k := store.DeliveryKey{TenantID: tenant, Monitor: "m", Network: "n", Ledger: 7, TxHash: d.tx, Trigger: "hook"}
		s.keys[d.tx], s.ids[d.tx] = k, p.TaskID()
		if _, err := st.BeginDelivery(ctx, k, p.TaskID(), "webhook"); err != nil {
			t.Fatal(err)
		}
		if d.status != store.DeliverySending {
			if err := st.FinishDelivery(ctx, k, d.status, "receiver said 503"); err != nil {
				t.Fatalf("record %s as %s: %v", d.tx, d.status, err)
			}
		}
	}
	taskScene(t, rdb, tasks.NotifyQueue(tasks.TierDefault), scene)
	return s
}

func (s *deliveryScene) retry(t *testing.T, f store.DeliveryFilter, force bool) (string, error) {
	t.Helper()
	var out bytes.Buffer
	err := adminDeliveriesRetry(context.Background(), s.st, s.rdb, s.insp, f, force, &out)
	return out.String(), err
}

// check asserts each listed notification's record status and task state.
func (s *deliveryScene) check(t *testing.T, when string, want expect) {
	t.Helper()
	recs, err := s.st.ListDeliveries(context.Background(), store.DeliveryFilter{TenantID: s.tenant})
	if err != nil {
		t.Fatal(err)
	}
	status := map[store.DeliveryKey]store.DeliveryStatus{}
	for _, r := range recs {
		status[r.Key] = r.Status
	}
	for tx, w := range want {
		if got := status[s.keys[tx]]; got != w.status {
			t.Errorf("%s: record %s is %s, want %s", when, tx, got, w.status)
		}
		if got := taskState(t, s.insp, tasks.NotifyQueue(tasks.TierDefault), s.ids[tx]); got != w.task {
			t.Errorf("%s: task %s is %v, want %v", when, tx, got, w.task)
		}
	}
}

// expect is, by tx hash, a notification's record status and task state.
type expect = map[string]struct {
	status store.DeliveryStatus
	task   asynq.TaskState
}

// TestDeliveriesRetrySkipsDeliveredAndInDoubt: without --force, a replay
// re-queues failed and archived notifications only; it skips delivered
// ones and those in doubt (sending: an attempt started, no outcome; and
// in_doubt), and also tasks that are running, queued, completed or gone —
// each printed with its task id, counted by reason, and left untouched.
// With --force, delivered and in-doubt ones are reset and resent; a
// running task, and a delivered one whose task is gone, still are not,
// and their records keep their status.
func TestDeliveriesRetrySkipsDeliveredAndInDoubt(t *testing.T) {
	t.Parallel()
	const (
		delivered = store.DeliveryDelivered
		sending   = store.DeliverySending
		inDoubt   = store.DeliveryInDoubt
		failed    = store.DeliveryFailed
		archived  = store.DeliveryArchived
		reset     = store.DeliveryFailed // what a reset record says
	)
	const (
		pending   = asynq.TaskStatePending
		active    = asynq.TaskStateActive
		retry     = asynq.TaskStateRetry
		taskArch  = asynq.TaskStateArchived
		completed = asynq.TaskStateCompleted
	)
	st := memory.New()
	s := newDeliveryScene(t, st, "t1", []sceneDelivery{
		{"aa", archived, taskArch},   // dead letter: re-queued
		{"ee", failed, retry},        // waiting for its retry: re-queued now
		{"bb", delivered, completed}, // delivered: skipped; --force resends
		{"hh", delivered, gone},      // delivered, past retention: --force cannot
		{"cc", sending, taskArch},    // in doubt: skipped; --force resends
		{"gg", sending, active},      // in doubt and running now: never touched
		{"dd", inDoubt, taskArch},    // held for an operator: skipped; --force resends
		{"ff", archived, gone},       // its task is gone
		{"ii", failed, completed},    // its task completed: skipped; --force re-runs
		{"jj", archived, pending},    // already queued
	})
	f := store.DeliveryFilter{TenantID: "t1"}

	out, err := s.retry(t, f, false)
	if err != nil {
		t.Fatalf("retry: %v\n%s", err, out)
	}
	for _, line := range []string{
		"skipped " + s.ids["bb"] + ": already delivered; --force resends it",
		"skipped " + s.ids["hh"] + ": already delivered",
		"skipped " + s.ids["cc"] + ": in doubt: an attempt started and recorded no outcome",
		"skipped " + s.ids["gg"] + ": in doubt: an attempt started",
		"skipped " + s.ids["dd"] + ": in doubt, held for an operator",
		"skipped " + s.ids["ff"] + ": its task is not in Redis",
		"skipped " + s.ids["ii"] + ": its task completed",
		"skipped " + s.ids["jj"] + ": its task is already queued",
		"re-queued 2, skipped 8 (delivered 2, sending 2, in_doubt 1, queued 1, completed 1, not found 1)",
	} {
		if !strings.Contains(out, line) {
			t.Errorf("without --force the output lacks %q:\n%s", line, out)
		}
	}
	if strings.Contains(out, s.ids["aa"]) || strings.Contains(out, s.ids["ee"]) {
		t.Errorf("re-queued notifications reported as skipped:\n%s", out)
	}
	s.check(t, "without --force", expect{
		"aa": {archived, pending}, "ee": {failed, pending},
		"bb": {delivered, completed}, "hh": {delivered, gone}, "cc": {sending, taskArch}, "gg": {sending, active},
		"dd": {inDoubt, taskArch}, "ff": {archived, gone}, "ii": {failed, completed}, "jj": {archived, pending},
	})

	out, err = s.retry(t, f, true)
	if err != nil {
		t.Fatalf("retry --force: %v\n%s", err, out)
	}
	for _, line := range []string{
		"skipped " + s.ids["gg"] + ": its task is running now",
		"skipped " + s.ids["hh"] + ": its task is not in Redis",
		"re-queued 4, skipped 6 (running 1, queued 3, not found 2)",
	} {
		if !strings.Contains(out, line) {
			t.Errorf("with --force the output lacks %q:\n%s", line, out)
		}
	}
	s.check(t, "with --force", expect{
		"bb": {reset, pending}, "cc": {reset, pending}, "dd": {reset, pending}, "ii": {failed, pending},
		// Not resent, so their records must not claim a reset.
		"gg": {sending, active}, "hh": {delivered, gone},
	})
}

// noReset is a delivery log that cannot reset records.
type noReset struct{ store.DeliveryLog }

// TestDeliveriesRetryForceNeedsReset: a store that cannot reset a record
// would have the worker refuse the resend, so --force skips it and says
// why, changing nothing.
func TestDeliveriesRetryForceNeedsReset(t *testing.T) {
	t.Parallel()
	s := newDeliveryScene(t, noReset{memory.New()}, "t1", []sceneDelivery{{"bb", store.DeliveryDelivered, asynq.TaskStateCompleted}})
	out, err := s.retry(t, store.DeliveryFilter{TenantID: "t1"}, true)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "skipped "+s.ids["bb"]+": the store cannot reset the record") || !strings.Contains(out, "re-queued 0, skipped 1 (no reset 1)") {
		t.Fatalf("output:\n%s", out)
	}
	s.check(t, "no reset", expect{"bb": {store.DeliveryDelivered, asynq.TaskStateCompleted}})
}

// TestDeliveriesRetryPostgres: the same rules on the real delivery log —
// a forced resend resets a delivered record in PostgreSQL, a delivered
// record whose task is gone stays delivered, and an in-doubt one is
// skipped without --force.
func TestDeliveriesRetryPostgres(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pg := migratedPostgres(t)
	var tenant string
	if err := pg.Pool().QueryRow(ctx, `INSERT INTO tenants (name, slug) VALUES ('acme', 'acme') RETURNING id`).Scan(&tenant); err != nil {
		t.Fatal(err)
	}
	s := newDeliveryScene(t, pg, tenant, []sceneDelivery{
		{"aa", store.DeliveryArchived, asynq.TaskStateArchived},
		{"bb", store.DeliveryDelivered, asynq.TaskStateCompleted},
		{"cc", store.DeliverySending, asynq.TaskStateArchived},
		{"hh", store.DeliveryDelivered, gone},
	})
	f := store.DeliveryFilter{TenantID: tenant}
	out, err := s.retry(t, f, false)
	if err != nil || !strings.Contains(out, "re-queued 1, skipped 3 (delivered 2, sending 1)") {
		t.Fatalf("retry: %v\n%s", err, out)
	}
	out, err = s.retry(t, f, true)
	if err != nil || !strings.Contains(out, "re-queued 2, skipped 2 (queued 1, not found 1)") {
		t.Fatalf("retry --force: %v\n%s", err, out)
	}
	s.check(t, "postgres, with --force", expect{
		"aa": {store.DeliveryArchived, asynq.TaskStatePending},
		"bb": {store.DeliveryFailed, asynq.TaskStatePending},
		"cc": {store.DeliveryFailed, asynq.TaskStatePending},
		"hh": {store.DeliveryDelivered, gone},
	})
}

// TestDeliveriesRetryWarnsAtTheLimit: a replay that reads as many records
// as the limit says it may not have seen them all.
func TestDeliveriesRetryWarnsAtTheLimit(t *testing.T) {
	t.Parallel()
	s := newDeliveryScene(t, memory.New(), "t1", []sceneDelivery{
		{"aa", store.DeliveryArchived, asynq.TaskStateArchived}, {"bb", store.DeliveryArchived, asynq.TaskStateArchived}})
	out, err := s.retry(t, store.DeliveryFilter{TenantID: "t1", Limit: 1}, false)
	if err != nil || !strings.Contains(out, "only the first 1 matching records are considered") || !strings.Contains(out, "re-queued 1, skipped 0") {
		t.Fatalf("retry with limit 1: %v\n%s", err, out)
	}
}

// TestArchivedRetryAndDeleteByID: `admin archived retry --id` and
// `delete --id` act on an archived task only. A completed task (which
// asynq's RunTask would run again), a pending, active, scheduled or
// retrying one is refused with its state named and left as it was; an
// unknown id is an error.
func TestArchivedRetryAndDeleteByID(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	rdb := testkit.RedisClient(t)
	insp := asynq.NewInspectorFromRedisClient(rdb)
	q := tasks.NotifyQueue(tasks.TierDefault)
	mk := func(id string, st asynq.TaskState) sceneTask {
		return sceneTask{asynq.NewTask(tasks.TypeDeliver, []byte(id)), id, st}
	}
	taskScene(t, rdb, q, []sceneTask{
		mk("archived", asynq.TaskStateArchived), mk("archived-2", asynq.TaskStateArchived),
		mk("completed", asynq.TaskStateCompleted), mk("pending", asynq.TaskStatePending),
		mk("active", asynq.TaskStateActive), mk("retry", asynq.TaskStateRetry),
	})
	client := asynq.NewClientFromRedisClient(rdb)
	defer client.Close()
	if _, err := client.EnqueueContext(ctx, asynq.NewTask(tasks.TypeDeliver, nil), asynq.Queue(q), asynq.TaskID("scheduled"), asynq.ProcessIn(time.Hour)); err != nil {
		t.Fatal(err)
	}
	queues := tasks.AllQueues()
	act := func(id, verb string) (string, error) {
		var out bytes.Buffer
		err := adminArchivedOne(ctx, rdb, insp, queues, id, verb, &out)
		return out.String(), err
	}
	for _, c := range []struct {
		id, verb string
		state    asynq.TaskState
		why      string
	}{
		{"completed", "retry", asynq.TaskStateCompleted, "running it again would repeat it"},
		{"completed", "delete", asynq.TaskStateCompleted, "deleting it would free its TaskID"},
		{"pending", "retry", asynq.TaskStatePending, "it is queued and will run"},
		{"active", "retry", asynq.TaskStateActive, "it is running now"},
		{"active", "delete", asynq.TaskStateActive, "it is running now"},
		{"retry", "retry", asynq.TaskStateRetry, "will be retried on its own"},
		{"scheduled", "retry", asynq.TaskStateScheduled, "will run at its time"},
	} {
		out, err := act(c.id, c.verb)
		want := "task " + c.id + " in queue " + q + " is " + c.state.String() + ", not archived: "
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), c.why) {
			t.Errorf("%s --id %s = %v (%q), want a refusal saying %q and %q", c.verb, c.id, err, out, want, c.why)
		}
		if got := taskState(t, insp, q, c.id); got != c.state {
			t.Errorf("%s --id %s was refused but moved the task from %s to %v", c.verb, c.id, c.state, got)
		}
	}
	if _, err := act("no-such-task", "retry"); err == nil || !strings.Contains(err.Error(), "task no-such-task is in none of the queues") {
		t.Errorf("retry of an unknown id = %v", err)
	}

	if out, err := act("archived", "retry"); err != nil || !strings.Contains(out, "re-queued 1 task(s)") {
		t.Fatalf("retry --id archived = %v, %q", err, out)
	}
	if got := taskState(t, insp, q, "archived"); got != asynq.TaskStatePending {
		t.Fatalf("the archived task is %s after retry, want pending", got)
	}
	if out, err := act("archived-2", "delete"); err != nil || !strings.Contains(out, "deleted 1 task(s)") {
		t.Fatalf("delete --id archived-2 = %v, %q", err, out)
	}
	if got := taskState(t, insp, q, "archived-2"); got != gone {
		t.Fatalf("the archived task is %s after delete, want gone", got)
	}
}

// TestAdminRepairsQueueRegistry: after Redis lost asynq:queues, `ozmon
// admin queues` lists the sizes that are really there, and `archived list`
// finds the dead letters; stderr says what was repaired.
func TestAdminRepairsQueueRegistry(t *testing.T) {
	t.Parallel()
	o := testkit.Redis(t)
	rdb := redis.NewClient(o)
	t.Cleanup(func() { rdb.Close() }) // after the scene's server stopped
	q := tasks.NotifyQueue(tasks.TierHigh)
	taskScene(t, rdb, q, []sceneTask{
		{asynq.NewTask(tasks.TypeDeliver, nil), "dead", asynq.TaskStateArchived},
		{asynq.NewTask(tasks.TypeDeliver, nil), "waiting", asynq.TaskStatePending},
	})
	if err := rdb.Del(context.Background(), "asynq:queues").Err(); err != nil {
		t.Fatal(err)
	}
	url := "redis://" + o.Addr + "/" + strconv.Itoa(o.DB)
	code, out, errOut := runCmd(t, "admin", "queues", "--redis-url", url)
	if code != 0 || !strings.Contains(errOut, "asynq's queue registry lacked "+q) {
		t.Fatalf("admin queues: %d\n%s\n%s", code, out, errOut)
	}
	var row []string
	for line := range strings.Lines(out) {
		if f := strings.Fields(line); len(f) > 0 && f[0] == q {
			row = f
		}
	}
	// QUEUE PENDING ACTIVE SCHEDULED RETRY ARCHIVED …
	if len(row) < 6 || row[1] != "1" || row[5] != "1" {
		t.Fatalf("admin queues row for %s = %v, want 1 pending and 1 archived:\n%s", q, row, out)
	}
	if err := rdb.Del(context.Background(), "asynq:queues").Err(); err != nil {
		t.Fatal(err)
	}
	code, out, errOut = runCmd(t, "admin", "archived", "list", "--redis-url", url)
	if code != 0 || !strings.Contains(out, "dead") {
		t.Fatalf("admin archived list: %d\n%s\n%s", code, out, errOut)
	}
	code, out, errOut = runCmd(t, "admin", "queues", "--redis-url", url)
	if code != 0 || strings.Contains(errOut, "lacked") {
		t.Fatalf("second admin queues repaired again: %d\n%s\n%s", code, out, errOut)
	}
	if !slices.ContainsFunc(strings.Split(out, "\n"), func(l string) bool { return strings.HasPrefix(l, q) }) {
		t.Fatalf("queue %s missing:\n%s", q, out)
	}
}

// TestAdminLedgersShowsProgress: the operator sees, per network, what was
// scheduled, what completed and which ledgers are unfinished.
func TestAdminLedgersShowsProgress(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pg := migratedPostgres(t)
	if err := pg.MarkScheduled(ctx, "stellar_mainnet", 100, 103); err != nil {
		t.Fatal(err)
	}
	if err := pg.AdvanceCursor(ctx, "stellar_mainnet", 103); err != nil {
		t.Fatal(err)
	}
	for _, l := range []uint64{100, 101} {
		if err := pg.MarkFannedOut(ctx, "stellar_mainnet", l, nil, false); err != nil {
			t.Fatal(err)
		}
	}
	if err := pg.MarkFannedOut(ctx, "stellar_mainnet", 102, []store.BatchRef{{Queue: "eval-default", TaskID: "eval:x"}}, false); err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	if err := adminLedgers(ctx, pg, 10, &out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"stellar_mainnet  103        101        2", "stellar_mainnet  102", "true        1", "stellar_mainnet  103"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	if err := adminLedgers(ctx, memory.New(), 10, &out); err == nil || !strings.Contains(err.Error(), "PostgreSQL") {
		t.Fatalf("without a database: %v", err)
	}
}

// migratedPostgres is a store on a schema of its own, migrated, closed
// when the test ends.
func migratedPostgres(t *testing.T) *postgres.Store {
	t.Helper()
	ctx := context.Background()
	url, _ := testkit.PostgresSchema(t)
	pg, err := postgres.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pg.Close)
	if err := pg.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return pg
}
