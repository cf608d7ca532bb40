package testkit

import (
	"context"
	"testing"
	"time"
)

// TestRedisClusterFailover: the helper's cluster has three primaries with
// a replica each; killing the primary of a key's slot promotes its replica
// and the key, written and replicated before, is still there.
func TestRedisClusterFailover(t *testing.T) {
	t.Parallel()
	c := StartRedisCluster(t, 3, 1)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	shards, err := c.Shards(ctx)
	if err != nil || len(shards) != 3 {
		t.Fatalf("shards %v: %v", shards, err)
	}
	cc := c.Client()
	if err := cc.Set(ctx, "k", "v", 0).Err(); err != nil {
		t.Fatal(err)
	}
	old, err := c.PrimaryFor(ctx, "k")
	if err != nil {
		t.Fatal(err)
	}
	// WAIT: the write is on the replica before the kill.
	if n, err := old.Client(t).Do(ctx, "WAIT", 1, 5000).Int(); err != nil || n != 1 {
		t.Fatalf("WAIT 1: %d %v", n, err)
	}
	old.Kill()
	start := time.Now()
	promoted, err := c.WaitFailover(ctx, "k", old)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("primary %s killed; replica %s promoted after %s", old.Addr(), promoted.Addr(), time.Since(start).Round(10*time.Millisecond))
	if got, err := cc.Get(ctx, "k").Result(); err != nil || got != "v" {
		t.Fatalf("after failover GET k = %q, %v", got, err)
	}
}

// TestRedisSentinelFailover: killing the primary makes the sentinels
// promote a replica; a failover client follows it and keeps the data.
func TestRedisSentinelFailover(t *testing.T) {
	t.Parallel()
	s := StartRedisSentinel(t, 2, 3)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	c := s.Client()
	if err := c.Set(ctx, "k", "v", 0).Err(); err != nil {
		t.Fatal(err)
	}
	old, err := s.Primary(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n, err := old.Client(t).Do(ctx, "WAIT", 2, 5000).Int(); err != nil || n != 2 {
		t.Fatalf("WAIT 2: %d %v", n, err)
	}
	old.Kill()
	start := time.Now()
	promoted, err := s.WaitFailover(ctx, old)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("primary %s killed; replica %s promoted after %s", old.Addr(), promoted.Addr(), time.Since(start).Round(10*time.Millisecond))
	if got, err := c.Get(ctx, "k").Result(); err != nil || got != "v" {
		t.Fatalf("after failover GET k = %q, %v", got, err)
	}
}
