package notify

import (
	"context"
	"testing"
	"time"

	"github.com/ozmon/ozmon/internal/testkit"
)

func TestReserveNSpacesABatch(t *testing.T) {
	t.Parallel()
	rdb := testkit.RedisClient(t)
	rl, err := NewRateLimiter(rdb, Limit{Rate: 10, Burst: 5})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	ds, err := rl.ReserveN(ctx, "flood", 20)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 5; i++ {
		if ds[i] != 0 {
			t.Fatalf("slot %d of the burst delayed %s", i, ds[i])
		}
	}
	// Past the burst, 100 ms apart (allow for the time between calls).
	if d := ds[19] - ds[10]; d < 850*time.Millisecond || d > 950*time.Millisecond {
		t.Fatalf("slots 10→19 span %s, want 900ms", d)
	}
	if ds[19] < 1400*time.Millisecond || ds[19] > 1600*time.Millisecond {
		t.Fatalf("slot 19 at %s, want ~1.5s", ds[19])
	}
	// The bucket is shared: a single reservation now comes after the batch.
	d, err := rl.Reserve(ctx, "flood")
	if err != nil || d < ds[19] {
		t.Fatalf("next single slot at %s (err %v), want after %s", d, err, ds[19])
	}
	// Another tenant is untouched.
	if d, err := rl.Reserve(ctx, "quiet"); err != nil || d != 0 {
		t.Fatalf("other tenant delayed %s (err %v)", d, err)
	}
	if ds, err := rl.ReserveN(ctx, "x", 0); err != nil || ds != nil {
		t.Fatalf("ReserveN(0) = %v, %v", ds, err)
	}
}
