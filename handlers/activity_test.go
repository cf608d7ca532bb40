package handlers_test

import (
	"context"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/ozmon/ozmon/handlers"
	"github.com/ozmon/ozmon/internal/testkit"
)

// TestActivityRecordsABatchOfTenants: one Record call counts every
// tenant of a batch; Scores averages over the window; tenants never seen
// score 0 and a nil tracker is a no-op.
func TestActivityRecordsABatchOfTenants(t *testing.T) {
	t.Parallel()
	rdb := redis.NewClient(testkit.Redis(t))
	defer rdb.Close()
	a := handlers.NewActivity(rdb)
	ctx := context.Background()
	if err := a.Record(ctx, map[string]int{"busy": 40, "quiet": 5, "none": 0}); err != nil {
		t.Fatal(err)
	}
	if err := a.Record(ctx, map[string]int{"busy": 10}); err != nil {
		t.Fatal(err)
	}
	if err := a.Record(ctx, nil); err != nil {
		t.Fatal(err)
	}
	got, err := a.Scores(ctx, []string{"busy", "quiet", "none", "unknown"})
	if err != nil {
		t.Fatal(err)
	}
	// Five-minute window: 50 matches this minute average to 10 a minute.
	want := map[string]float64{"busy": 10, "quiet": 1, "none": 0, "unknown": 0}
	for id, w := range want {
		if got[id] != w {
			t.Errorf("score of %s = %v, want %v", id, got[id], w)
		}
	}
	var nilTracker *handlers.Activity
	if err := nilTracker.Record(ctx, map[string]int{"x": 1}); err != nil {
		t.Fatal(err)
	}
}
