package chaos

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/ozmon/ozmon/internal/testkit"
	"github.com/ozmon/ozmon/tasks"
	"github.com/redis/go-redis/v9"
)

// Failover is what a primary-killed scenario measured: the kill, the
// replica's promotion, the first notification delivered after it.
type Failover struct {
	Paused, Killed, Promoted, FirstAfter time.Time
	// DeliveredUnreplicated counts the notifications accepted while the
	// replicas were paused: whatever Redis recorded about them was lost.
	DeliveredUnreplicated int
}

// probeKey is written to the primary while its replicas are paused, in
// the slot of notifyKey.
var probeKey = "ozmon:chaos:probe:{" + tasks.NotifyQueue(tasks.TierDefault) + "}"

func (f Failover) String() string {
	first := "none"
	if !f.FirstAfter.IsZero() {
		first = f.FirstAfter.Sub(f.Promoted).Round(10 * time.Millisecond).String()
	}
	return fmt.Sprintf("killed→promoted %s, promoted→first delivery %s",
		f.Promoted.Sub(f.Killed).Round(10*time.Millisecond), first)
}

// firstArrivalAfter is the first accepted request at or after t.
func (c *Cluster) firstArrivalAfter(t time.Time) time.Time {
	var first time.Time
	for _, a := range c.Rec.Arrivals() {
		if a.Accepted() && !a.At.Before(t) && (first.IsZero() || a.At.Before(first)) {
			first = a.At
		}
	}
	return first
}

// notifyKey is a key of the default tier's notify queue: the primary of
// its slot holds the deliver tasks of most of the workload's tenants.
var notifyKey = "asynq:{" + tasks.NotifyQueue(tasks.TierDefault) + "}:pending"

// killPrimary kills the Redis primary holding the default notify queue
// mid-delivery (with pauseReplicas, after pausing its replicas for lag so
// that writes it acknowledged are lost with it), waits for a replica to be
// promoted, and returns the times. The fault runs from the kill to the
// promotion.
func killPrimary(t *testing.T, c *Cluster, lag time.Duration) Failover {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var primary *testkit.RedisNode
	var replicas []*testkit.RedisNode
	var err error
	switch {
	case c.RCluster != nil:
		if primary, err = c.RCluster.PrimaryFor(ctx, notifyKey); err == nil {
			var shards []testkit.ClusterShard
			shards, err = c.RCluster.Shards(ctx)
			for _, sh := range shards {
				if sh.Primary == primary.Addr() {
					for _, r := range sh.Replicas {
						replicas = append(replicas, c.RCluster.Node(r))
					}
				}
			}
		}
	case c.RSentinel != nil:
		if primary, err = c.RSentinel.Primary(ctx); err == nil {
			for _, n := range c.RSentinel.Data {
				if n != primary {
					replicas = append(replicas, n)
				}
			}
		}
	default:
		t.Fatal("killPrimary: the scenario has one Redis server, no replica to promote")
	}
	if err != nil {
		t.Fatalf("find the primary to kill: %v", err)
	}
	var f Failover
	if lag > 0 {
		// Paused and cut off, the replicas stop receiving the replication
		// stream; the primary keeps acknowledging writes they will never
		// have. The probe, in the queue's slot, is one of them: it proves
		// the loss.
		for _, r := range replicas {
			r.Pause()
		}
		if err := primary.DropReplicas(ctx); err != nil {
			t.Fatal(err)
		}
		f.Paused = time.Now()
		if err := c.RedisClient().Set(ctx, probeKey, "acknowledged", 0).Err(); err != nil {
			t.Fatalf("write the probe with the replicas paused: %v", err)
		}
		time.Sleep(lag)
	}
	primary.Kill()
	f.Killed = time.Now()
	c.FaultStarted()
	for _, r := range replicas {
		r.Resume()
	}
	var promoted *testkit.RedisNode
	if c.RCluster != nil {
		promoted, err = c.RCluster.WaitFailover(ctx, notifyKey, primary)
	} else {
		promoted, err = c.RSentinel.WaitFailover(ctx, primary)
	}
	if err != nil {
		t.Fatalf("failover after killing %s: %v", primary.Addr(), err)
	}
	f.Promoted = time.Now()
	c.FaultCleared()
	if lag > 0 {
		for _, a := range c.Rec.Arrivals() {
			if a.Accepted() && !a.At.Before(f.Paused) && a.At.Before(f.Killed) {
				f.DeliveredUnreplicated++
			}
		}
		got, err := c.RedisClient().Get(ctx, probeKey).Result()
		if !errors.Is(err, redis.Nil) {
			t.Fatalf("the probe written while the replicas were paused is still there after the failover (%q, %v): no acknowledged write was lost, the scenario tested nothing", got, err)
		}
		t.Logf("acknowledged writes lost: the probe is gone; %d notifications were delivered while the replicas lagged (their completions went with the primary)", f.DeliveredUnreplicated)
	}
	t.Logf("killed primary %s (replicas paused %s before) at %d/%d delivered; %s promoted after %s",
		primary.Addr(), lag, c.Delivered(), len(c.W.Expected), promoted.Addr(), f.Promoted.Sub(f.Killed).Round(10*time.Millisecond))
	return f
}

// strike is when a primary-killed scenario kills the primary.
type strike int

const (
	// midDelivery: a quarter of the notifications are in and receivers
	// hold requests; every ledger has been evaluated, so what Redis loses
	// is deliver tasks' progress.
	midDelivery strike = iota
	// midFanOut: the first notifications are in while the chain still
	// closes ledgers, so what Redis loses includes fetch-block, evaluate
	// and deliver tasks just enqueued.
	midFanOut
)

// primaryKilled: the Redis primary holding the default notify queue is
// killed with SIGKILL and a replica is promoted — by the cluster's own
// election or by the sentinels. Every notification still arrives, exactly
// once: a deliver task whose end could not be recorded is run again and
// finds its notification in the PostgreSQL delivery log. With lag, the
// replicas are cut off that long before the kill, so the promoted one
// misses every write of those last moments that the primary acknowledged
// (replication is asynchronous): enqueued tasks, completions, the queue
// registry.
func primaryKilled(topology Topology, lag time.Duration, when strike) func(t *testing.T, s *suite) {
	return func(t *testing.T, s *suite) {
		c := s.cluster(t, Config{Topology: topology})
		if when == midDelivery {
			// A second per answer (half the suite's 2 s send timeout): 50
			// sends in flight make 50 a second, so the lag window cannot
			// drain what is left before the kill.
			c.Main.SetMode(Mode{Delay: time.Second})
		}
		c.Scheduler("scheduler")
		c.Worker("worker", nil)
		c.StartLedgers()
		if when == midDelivery {
			afterAQuarter(c)
		} else {
			c.WaitDelivered(1, 90*time.Second)
		}
		t.Logf("striking at tip %d (chain runs to %d)", c.Sim.Tip(), LastLedger)
		f := killPrimary(t, c, lag)
		if n := c.Delivered(); n == len(c.W.Expected) {
			t.Fatalf("every notification had arrived before the primary was killed: the strike came too late to test anything")
		}
		c.Main.SetMode(Mode{})
		all := c.AwaitAll(2 * time.Minute)
		f.FirstAfter = c.firstArrivalAfter(f.Promoted)
		// Deliver tasks whose completion was lost stay active until asynq
		// recovers them (lease 30 s, recoverer cutoff 30 s, tick 1 min):
		// they must run again — and not resend — before the verdict.
		c.Settle(2*time.Minute + 30*time.Second)
		v := c.Judge(Rules{RequireKeys: *requireKeys})
		allIn := "not all delivered"
		if all && v.Recovery >= 0 {
			allIn = "promoted→last expected notification " + v.Recovery.Round(100*time.Millisecond).String()
		}
		t.Logf("failover: %s, %s", f, allIn)
	}
}
