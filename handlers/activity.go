package handlers

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// Activity counts each tenant's recent matches in Redis (one hash per
// minute, kept an hour), shared by all pods, so activity_based batching
// knows which tenants are busy.
type Activity struct {
	rdb    redis.UniversalClient
	prefix string
	now    func() time.Time
}

// activityWindow is how many minutes Scores averages over.
const activityWindow = 5

// NewActivity returns a tracker on rdb.
func NewActivity(rdb redis.UniversalClient) *Activity {
	return &Activity{rdb: rdb, prefix: "ozmon:activity:", now: time.Now}
}

func (a *Activity) key(t time.Time) string {
	return a.prefix + strconv.FormatInt(t.Unix()/60, 10)
}

// Record adds each tenant's matches to its current minute, in one round
// trip for a whole batch of tenants.
func (a *Activity) Record(ctx context.Context, matches map[string]int) error {
	if a == nil {
		return nil
	}
	k := a.key(a.now())
	pipe := a.rdb.Pipeline()
	for id, n := range matches {
		if n > 0 {
			pipe.HIncrBy(ctx, k, id, int64(n))
		}
	}
	if pipe.Len() == 0 {
		return nil
	}
	pipe.Expire(ctx, k, time.Hour)
	if _, err := pipe.Exec(ctx); err != nil {
		return fmt.Errorf("record activity of %d tenants: %w", len(matches), err)
	}
	return nil
}

// Scores returns matches per minute over the last few minutes for the
// given tenants (absent tenants score 0).
func (a *Activity) Scores(ctx context.Context, tenants []string) (map[string]float64, error) {
	out := make(map[string]float64, len(tenants))
	if a == nil || len(tenants) == 0 {
		return out, nil
	}
	now := a.now()
	pipe := a.rdb.Pipeline()
	cmds := make([]*redis.SliceCmd, activityWindow)
	for i := range cmds {
		cmds[i] = pipe.HMGet(ctx, a.key(now.Add(-time.Duration(i)*time.Minute)), tenants...)
	}
	if _, err := pipe.Exec(ctx); err != nil && err != redis.Nil {
		return nil, fmt.Errorf("read tenant activity: %w", err)
	}
	for _, c := range cmds {
		for i, v := range c.Val() {
			if s, ok := v.(string); ok {
				n, _ := strconv.ParseFloat(s, 64)
				out[tenants[i]] += n / activityWindow
			}
		}
	}
	return out, nil
}
