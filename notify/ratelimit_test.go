package notify

import (
	"context"
	"testing"
	"time"

	"github.com/ozmon/ozmon/internal/testkit"
)

func TestRateLimiterDelaysExcessPerTenant(t *testing.T) {
	t.Parallel()
	rdb := testkit.RedisClient(t)
	ctx := context.Background()
	// 1 per second with a burst of 3: three sends go now, then each waits one more second.
	rl, err := NewRateLimiter(rdb, Limit{Rate: 1, Burst: 3})
	if err != nil {
		t.Fatal(err)
	}
	var delays []time.Duration
	for range 6 {
		d, err := rl.Reserve(ctx, "tenant-a")
		if err != nil {
			t.Fatal(err)
		}
		delays = append(delays, d)
	}
	for i := range 3 {
		if delays[i] != 0 {
			t.Fatalf("reservation %d within the burst delayed %v (all: %v)", i, delays[i], delays)
		}
	}
	for i := 3; i < 6; i++ {
		// Slot i is due (i-2) seconds after the first, minus the little time that passed.
		wantMax := time.Duration(i-2) * time.Second
		wantMin := wantMax - time.Second
		if delays[i] <= wantMin || delays[i] > wantMax {
			t.Fatalf("reservation %d delayed %v, want in (%v, %v] (all: %v)", i, delays[i], wantMin, wantMax, delays)
		}
		if delays[i] <= delays[i-1] {
			t.Fatalf("delays not increasing: %v", delays)
		}
	}
	// Another tenant has its own bucket.
	if d, err := rl.Reserve(ctx, "tenant-b"); err != nil || d != 0 {
		t.Fatalf("tenant-b: delay %v, err %v", d, err)
	}
	// Nothing is dropped: the bucket state lives in Redis under the tenant's key with a TTL.
	ttl, err := rdb.PTTL(ctx, "ozmon:notify:rate:tenant-a").Result()
	if err != nil || ttl <= 0 {
		t.Fatalf("bucket key ttl %v, err %v", ttl, err)
	}
}

func TestRateLimiterPerTenantLimitAndValidation(t *testing.T) {
	t.Parallel()
	rdb := testkit.RedisClient(t)
	ctx := context.Background()
	rl, err := NewRateLimiter(rdb, PerMinute(600, 1))
	if err != nil {
		t.Fatal(err)
	}
	rl.prefix = "test:rl:"
	// A tenant with a lower limit: 1 per minute, burst 1.
	if d, err := rl.ReserveLimit(ctx, "slow", PerMinute(1, 1)); err != nil || d != 0 {
		t.Fatalf("first: %v %v", d, err)
	}
	d, err := rl.ReserveLimit(ctx, "slow", PerMinute(1, 1))
	if err != nil || d <= 50*time.Second || d > time.Minute {
		t.Fatalf("second under 1/min: delay %v, err %v", d, err)
	}
	if n, err := rdb.Exists(ctx, "test:rl:slow").Result(); err != nil || n != 1 {
		t.Fatalf("key prefix not applied: %v %v", n, err)
	}
	for _, l := range []Limit{{Rate: 0, Burst: 1}, {Rate: 1, Burst: 0}, {Rate: -1, Burst: 2}} {
		if _, err := NewRateLimiter(rdb, l); err == nil {
			t.Errorf("limit %+v accepted", l)
		}
	}
}
