package chaos

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"
)

// soakScenarios run only with -chaos.soak: primary kills whose replicas
// were cut off for 2 s first, so that acknowledged writes are lost. A
// deliver task enqueued in the lost window, after its batch was recorded
// done in PostgreSQL, is found pending in the delivery log and requeued by
// the scheduler's recovery (docs/redis-topologies.md).
func soakScenarios() []scenario {
	return []scenario{
		{"redis_cluster_primary_killed_replica_lagging", primaryKilled(ClusterRedis, 2*time.Second, midDelivery)},
		{"redis_sentinel_primary_killed_replicas_lagging", primaryKilled(SentinelRedis, 2*time.Second, midDelivery)},
		{"redis_cluster_primary_killed_mid_fanout_replica_lagging", primaryKilled(ClusterRedis, 2*time.Second, midFanOut)},
		{"redis_sentinel_primary_killed_mid_fanout_replicas_lagging", primaryKilled(SentinelRedis, 2*time.Second, midFanOut)},
	}
}

// scenarios are declared longest first (see TestChaos): the two that wait
// for asynq to recover a killed worker's tasks (its lease, 30 s, plus the
// recoverer's 30 s cutoff and one-minute tick) take one to two minutes.
func scenarios() []scenario {
	var list []scenario
	if *topologies || *soak {
		// A killed Redis primary: the verdict waits for asynq to recover
		// the tasks whose completion went with it (see primaryKilled): a
		// 30 s lease, then the recoverer's one-minute tick. That wait is
		// idle, so they run beside the others (-chaos.parallel 3) and cost
		// `make test` little time; -chaos.topologies=false leaves them out.
		list = append(list,
			scenario{"redis_cluster_primary_killed", primaryKilled(ClusterRedis, 0, midDelivery)},
			scenario{"redis_sentinel_primary_killed", primaryKilled(SentinelRedis, 0, midDelivery)})
	}
	list = append(list, []scenario{
		{"two_schedulers_two_workers_one_of_each_killed", twoOfEachOneKilled},
		{"two_regions_one_killed", twoRegions},
		{"worker_kill9_mid_delivery", workerKill9},
		{"baseline", baseline},
		{"five_tenants_hang", fiveTenantsHang},
		{"receiver_hangs_past_send_timeout", receiverHangs},
		{"postgres_cut_then_retry", postgresCut},
		{"sigterm_while_deliveries_outlast_shutdown", sigtermMidDelivery},
		{"redis_without_persistence_restarted_empty", func(t *testing.T, s *suite) { redisRestart(t, s, NoPersistence) }},
		{"redis_aof_killed_and_restarted", func(t *testing.T, s *suite) { redisRestart(t, s, AOF) }},
		{"rpc_down", rpcDown},
		{"receiver_5xx_then_ok", receiver5xx},
	}...)
	if *soak {
		list = append(list, soakScenarios()...)
	}
	return list
}

// everyone allows duplicates of any notification (with one key).
func everyone(Key) bool { return true }

// slowly answering receivers keep deliveries in flight, so that a kill
// lands mid-delivery: the receiver has the request, the worker has not
// recorded the answer.
const slowAnswer = 400 * time.Millisecond

// afterAQuarter waits until a quarter of the notifications are in and
// the main receiver holds some requests unanswered: the moment to strike.
func afterAQuarter(c *Cluster) {
	c.T.Helper()
	c.WaitDelivered(len(c.W.Expected)/4, 90*time.Second)
	c.WaitUntil("ten deliveries in flight", 30*time.Second, func() bool { return c.Main.InFlight() >= 10 })
}

// baseline: no fault. Every notification arrives exactly once; its
// latency is what the five-hanging-tenants scenario is compared with.
func baseline(t *testing.T, s *suite) {
	if v := s.baseline(t); v == nil {
		t.Fatal("the baseline run stopped before its verdict (see the test that ran it)")
	}
}

// baseline runs the no-fault scenario once per test binary, in the first
// test that asks for it, and returns its verdict (nil if it stopped before
// one).
func (s *suite) baseline(t *testing.T) *Verdict {
	s.baselineOnce.Do(func() {
		c := s.cluster(t, Config{})
		c.Scheduler("scheduler")
		c.Worker("worker", nil)
		c.StartLedgers()
		c.AwaitAll(60 * time.Second)
		c.Settle(15 * time.Second)
		// Kept even when the run failed (a missing Idempotency-Key under
		// -chaos.require-keys): its latency is still the no-fault one.
		s.baselineV = c.Judge(Rules{RequireKeys: *requireKeys})
	})
	return s.baselineV
}

// workerKill9: the only worker is killed with SIGKILL while receivers
// hold requests, and restarted a second later. The killed worker's
// deliver tasks stay active in Redis until their lease runs out; then
// they are retried. A notification whose request had arrived may come
// twice — with the same Idempotency-Key, so the receiver can drop it.
func workerKill9(t *testing.T, s *suite) {
	c := s.cluster(t, Config{})
	c.Main.SetMode(Mode{Delay: slowAnswer})
	c.Scheduler("scheduler")
	w := c.Worker("worker", nil)
	c.StartLedgers()
	afterAQuarter(c)
	held := c.Main.InFlight()
	w.Kill()
	c.FaultStarted()
	time.Sleep(time.Second)
	w.Restart()
	c.FaultCleared()
	t.Logf("killed the worker with %d requests held by the receiver, restarted it a second later", held)
	c.AwaitAll(3 * time.Minute)
	c.Settle(90 * time.Second)
	c.Judge(Rules{MayDuplicate: everyone, RequireKeys: *requireKeys})
}

// twoOfEachOneKilled: two schedulers and two workers; one of each is
// killed mid-delivery and not restarted. The survivors carry on; the dead
// worker's tasks come back when their lease expires and the surviving
// worker's recoverer runs.
func twoOfEachOneKilled(t *testing.T, s *suite) {
	c := s.cluster(t, Config{})
	c.Main.SetMode(Mode{Delay: slowAnswer})
	s1 := c.Scheduler("scheduler-1")
	c.Scheduler("scheduler-2")
	c.Worker("worker-1", nil)
	w2 := c.Worker("worker-2", nil)
	c.StartLedgers()
	afterAQuarter(c)
	held := c.Main.InFlight()
	s1.Kill()
	w2.Kill()
	c.FaultStarted()
	c.FaultCleared() // nothing comes back: recovery runs from the kill
	t.Logf("killed scheduler-1 and worker-2 with %d requests held by the receiver", held)
	c.AwaitAll(4 * time.Minute)
	c.Settle(2 * time.Minute)
	c.Judge(Rules{MayDuplicate: everyone, RequireKeys: *requireKeys})
}

// redisRestart: Redis is killed mid-run and restarted on the same port
// after two seconds. With AOF (fsync always) nothing acknowledged is
// lost. Without persistence it comes back empty: every queued task, the
// block cache and the retained task ids are gone; the ledgers and
// notifications in flight must be re-driven from PostgreSQL — or the
// loss must be loud (an archived task or a logged gap naming the
// ledgers). Duplicates are not allowed either way.
func redisRestart(t *testing.T, s *suite, p Persistence) {
	c := s.cluster(t, Config{Persistence: p})
	c.Main.SetMode(Mode{Delay: slowAnswer})
	c.Scheduler("scheduler")
	c.Worker("worker", nil)
	c.StartLedgers()
	afterAQuarter(c)
	queued := c.QueueDepth()
	c.Redis.Kill()
	c.FaultStarted()
	time.Sleep(dur(2*time.Second, 10*time.Second))
	c.Redis.Restart()
	c.FaultCleared()
	c.Main.SetMode(Mode{})
	t.Logf("redis (persistence %s) killed at tip %d with %d/%d delivered and %s queued, restarted", p, c.Sim.Tip(), c.Delivered(), len(c.W.Expected), queued)
	// A task running when Redis died could not record its end; asynq
	// re-runs it only after its lease (30 s) and the recoverer's cutoff
	// (30 s) and tick (1 min): up to two minutes.
	c.AwaitAll(3 * time.Minute)
	c.Settle(30 * time.Second)
	c.Judge(Rules{RequireKeys: *requireKeys})
}

// postgresCut: PostgreSQL becomes unreachable to every ozmon process
// (connections closed, new ones refused) for ten seconds mid-delivery,
// then comes back; then the operator runs `ozmon admin deliveries retry`
// for what did not go out. Every notification arrives once: the retry
// must not resend one the receiver already has.
func postgresCut(t *testing.T, s *suite) {
	c := s.cluster(t, Config{})
	c.Main.SetMode(Mode{Delay: slowAnswer})
	c.Scheduler("scheduler")
	c.Worker("worker", nil)
	c.StartLedgers()
	afterAQuarter(c)
	c.PG.Cut()
	c.FaultStarted()
	time.Sleep(dur(10*time.Second, 17*time.Second))
	c.PG.Restore()
	c.FaultCleared()
	c.Main.SetMode(Mode{})
	c.AwaitAll(2 * time.Minute)
	c.Settle(60 * time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := c.Ozmon(ctx, "admin", "archived", "list")
	t.Logf("ozmon admin archived list:\n%s", strings.TrimSpace(out))
	if err != nil {
		t.Errorf("ozmon admin archived list: %v", err)
	}
	out, err = c.Ozmon(ctx, "admin", "deliveries", "retry", "--limit", "10000")
	t.Logf("ozmon admin deliveries retry: %s", lastLine(out))
	if err != nil {
		t.Errorf("ozmon admin deliveries retry: %v\n%s", err, out)
	}
	c.Settle(60 * time.Second)
	c.Judge(Rules{RequireKeys: *requireKeys})
}

// receiverHangs: for a few seconds the receiver holds every request far
// longer than the 2 s send timeout (and than the 30 s default) before
// answering 200. Those requests did arrive; the sender's retries may
// bring them again, but only with the same Idempotency-Key.
func receiverHangs(t *testing.T, s *suite) {
	c := s.cluster(t, Config{})
	c.Scheduler("scheduler")
	c.Worker("worker", nil)
	c.StartLedgers()
	c.WaitDelivered(len(c.W.Expected)/4, 90*time.Second)
	c.Main.SetMode(Mode{Delay: dur(35*time.Second, 40*time.Second)})
	c.FaultStarted()
	time.Sleep(dur(4*time.Second, 10*time.Second))
	c.Main.SetMode(Mode{})
	c.FaultCleared()
	c.AwaitAll(2 * time.Minute)
	c.Settle(dur(75*time.Second, 2*time.Minute))
	c.Judge(Rules{MayDuplicate: everyone, RequireKeys: *requireKeys})
}

// fiveTenantsHang: the five busiest tenants' endpoints (a listener of
// their own) hang for a minute on every request from the start — about a
// hundred notifications, enough to fill a worker's 50 delivery slots.
// Their requests arrive (and may be retried, with one key); the other 45
// tenants must not notice: their p90 latency stays near the no-fault
// baseline's.
func fiveTenantsHang(t *testing.T, s *suite) {
	w, err := s.workload()
	if err != nil {
		t.Fatal(err)
	}
	hanging := w.Busiest(5)
	c := s.cluster(t, Config{HangingTenants: hanging})
	c.Hanging.SetMode(Mode{Delay: 60 * time.Second})
	n := 0
	for _, k := range w.Expected {
		if slices.Contains(hanging, k.Tenant) {
			n++
		}
	}
	t.Logf("hanging tenants %v: %d of the %d notifications", hanging, n, len(w.Expected))
	isHanging := func(k Key) bool { return slices.Contains(hanging, k.Tenant) }
	c.Scheduler("scheduler")
	c.Worker("worker", nil)
	c.StartLedgers()
	c.FaultStarted()
	c.AwaitAll(2 * time.Minute)
	c.Settle(5 * time.Second) // the hanging ones never settle
	v := c.Judge(Rules{
		MayDuplicate: isHanging,
		Latency:      func(k Key) bool { return !isHanging(k) },
		RequireKeys:  *requireKeys,
	})
	base := s.baseline(t)
	if base == nil {
		t.Fatal("no baseline to compare the other tenants' latency with (the baseline run stopped before its verdict)")
	}
	limit := 2*base.P90 + time.Second
	t.Logf("other 45 tenants: p50 %s p90 %s; no-fault baseline p50 %s p90 %s (limit %s)",
		v.P50.Round(10*time.Millisecond), v.P90.Round(10*time.Millisecond),
		base.P50.Round(10*time.Millisecond), base.P90.Round(10*time.Millisecond), limit.Round(10*time.Millisecond))
	if v.LatencyN == 0 || v.P90 > limit {
		t.Errorf("five hanging tenants slow the other 45 down: their p90 is %s against %s without the fault (limit 2×p90+1s = %s)",
			v.P90.Round(10*time.Millisecond), base.P90.Round(10*time.Millisecond), limit.Round(10*time.Millisecond))
	}
}

// sigtermMidDelivery: receivers answer in 8 s (within the send timeout,
// set to 10 s here); the worker gets SIGTERM with deliveries in flight
// and a 1 s shutdown_timeout, then a new worker starts. Nothing may be
// sent twice: a graceful stop either lets a send finish and records it,
// or knows it was not sent.
func sigtermMidDelivery(t *testing.T, s *suite) {
	c := s.cluster(t, Config{Env: map[string]string{
		"OZ_MONITOR_NOTIFY_SEND_TIMEOUT":     "10s",
		"OZ_MONITOR_WORKER_SHUTDOWN_TIMEOUT": "1s",
	}})
	c.Main.SetMode(Mode{Delay: 8 * time.Second})
	c.Scheduler("scheduler")
	w := c.Worker("worker-1", nil)
	c.StartLedgers()
	c.WaitDelivered(len(c.W.Expected)/6, 90*time.Second)
	// Sends go out in waves of the notify pool's size: strike early in
	// one, when most of the pool has seconds of waiting ahead.
	c.WaitUntil("30 deliveries in flight for less than 2 s", 60*time.Second, func() bool { return c.Main.HeldFor(2*time.Second) >= 30 })
	held := c.Main.InFlight()
	c.FaultStarted()
	took, err := w.Term(45 * time.Second)
	t.Logf("SIGTERM with %d requests held by the receiver: the worker exited after %s (%v); queues: %s", held, took.Round(10*time.Millisecond), err, c.QueueDepth())
	if err != nil {
		t.Errorf("worker-1 did not stop cleanly on SIGTERM: %v", err)
	}
	c.Main.SetMode(Mode{})
	c.Worker("worker-2", nil)
	c.FaultCleared()
	c.AwaitAll(2 * time.Minute)
	c.Settle(60 * time.Second)
	c.Judge(Rules{RequireKeys: *requireKeys})
}

// rpcDown: the Stellar RPC answers 503 to everything for a while as the
// chain goes on; the scheduler cannot read the tip, fetches fail and are
// retried. When it is back, every ledger is processed, nothing twice.
func rpcDown(t *testing.T, s *suite) {
	c := s.cluster(t, Config{})
	c.Scheduler("scheduler")
	c.Worker("worker", nil)
	c.StartLedgers()
	c.WaitTip(FirstLedger+6, 30*time.Second)
	c.Sim.InjectFault("*", faultDown())
	c.FaultStarted()
	time.Sleep(dur(6*time.Second, 20*time.Second))
	c.Sim.ClearFaults()
	c.FaultCleared()
	c.AwaitAll(2 * time.Minute)
	c.Settle(30 * time.Second)
	c.Judge(Rules{RequireKeys: *requireKeys})
}

// receiver5xx: every tenant's endpoint refuses its first two requests
// with 503; the trigger's retry policy brings each notification in once.
func receiver5xx(t *testing.T, s *suite) {
	c := s.cluster(t, Config{})
	c.Main.SetMode(Mode{FailFirst: 2})
	c.Scheduler("scheduler")
	c.Worker("worker", nil)
	c.StartLedgers()
	c.AwaitAll(90 * time.Second)
	c.Settle(30 * time.Second)
	c.Judge(Rules{RequireKeys: *requireKeys})
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}
