package notify

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/redis/go-redis/v9"
)

// Limit is a token bucket: Rate tokens per second refill a bucket of Burst tokens.
type Limit struct {
	Rate  float64 // sustained notifications per second
	Burst int     // sent back to back before pacing starts (at least 1)
}

// PerMinute is a Limit of n notifications per minute with the given burst.
func PerMinute(n float64, burst int) Limit { return Limit{Rate: n / 60, Burst: burst} }

// RateLimiter paces each tenant's notifications with a token bucket kept in Redis, so every
// worker pod shares one budget per tenant. A notification over the limit is delayed, never
// dropped: Reserve always takes a slot and says how long to wait for it.
type RateLimiter struct {
	rdb     redis.Scripter
	limit   Limit
	prefix  string
	script  *redis.Script
	scriptN *redis.Script
}

// The bucket is stored in GCRA form, a single "theoretical arrival time" per tenant, which is
// exactly a token bucket but needs one key and one atomic script. Time comes from Redis
// (TIME), so pods with skewed clocks agree. All times are microseconds.
const reserveScript = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
local tolerance = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
local new_tat = tat + interval
local delay = tat - tolerance - now
if delay < 0 then delay = 0 end
local ttl_ms = math.ceil((new_tat - now) / 1000) + 1000
redis.call('SET', KEYS[1], string.format('%.0f', new_tat), 'PX', ttl_ms)
return math.floor(delay)
`

// NewRateLimiter builds a limiter applying limit to every tenant (ReserveLimit overrides it
// per call, for tenants whose row sets their own).
func NewRateLimiter(rdb redis.Scripter, limit Limit) (*RateLimiter, error) {
	if err := limit.check(); err != nil {
		return nil, fmt.Errorf("notify: new rate limiter: %w", err)
	}
	return &RateLimiter{rdb: rdb, limit: limit, prefix: "ozmon:notify:rate:", script: redis.NewScript(reserveScript), scriptN: redis.NewScript(reserveNScript)}, nil
}

func (l Limit) check() error {
	if !(l.Rate > 0) || math.IsInf(l.Rate, 0) {
		return fmt.Errorf("rate %v must be positive", l.Rate)
	}
	if l.Burst < 1 {
		return fmt.Errorf("burst %d must be at least 1", l.Burst)
	}
	return nil
}

// Reserve takes the tenant's next slot under the default limit and returns how long the
// caller must wait before sending (0 when the bucket has a token).
func (r *RateLimiter) Reserve(ctx context.Context, tenantID string) (time.Duration, error) {
	return r.ReserveLimit(ctx, tenantID, r.limit)
}

// ReserveLimit is Reserve with a tenant-specific limit.
func (r *RateLimiter) ReserveLimit(ctx context.Context, tenantID string, limit Limit) (time.Duration, error) {
	if err := limit.check(); err != nil {
		return 0, fmt.Errorf("notify: reserve rate slot for tenant %q: %w", tenantID, err)
	}
	intervalUS := math.Max(1, math.Round(1e6/limit.Rate))
	toleranceUS := intervalUS * float64(limit.Burst-1)
	us, err := r.script.Run(ctx, r.rdb, []string{r.prefix + tenantID},
		int64(intervalUS), int64(toleranceUS)).Int64()
	if err != nil {
		return 0, fmt.Errorf("notify: reserve rate slot for tenant %q: %w", tenantID, err)
	}
	return time.Duration(us) * time.Microsecond, nil
}

// reserveNScript takes n slots at once and returns how far in the future
// (µs) the first slot's theoretical arrival lies; the caller spaces the
// rest one interval apart. One round trip however large the batch.
const reserveNScript = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
local n = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
local new_tat = tat + interval * n
local ttl_ms = math.ceil((new_tat - now) / 1000) + 1000
redis.call('SET', KEYS[1], string.format('%.0f', new_tat), 'PX', ttl_ms)
return math.floor(tat - now)
`

// ReserveN takes n slots for a tenant in one Redis call and returns the
// delay of each: the first Burst go at once (when the bucket is full), the
// rest one 1/Rate apart. EvaluateTenants uses it to schedule a flooding
// tenant's notifications into the future instead of queueing them in front
// of other tenants' alerts.
func (r *RateLimiter) ReserveN(ctx context.Context, tenantID string, n int) ([]time.Duration, error) {
	if n <= 0 {
		return nil, nil
	}
	intervalUS := math.Max(1, math.Round(1e6/r.limit.Rate))
	toleranceUS := intervalUS * float64(r.limit.Burst-1)
	baseUS, err := r.scriptN.Run(ctx, r.rdb, []string{r.prefix + tenantID},
		int64(intervalUS), n).Int64()
	if err != nil {
		return nil, fmt.Errorf("notify: reserve %d rate slots for tenant %q: %w", n, tenantID, err)
	}
	out := make([]time.Duration, n)
	for i := range out {
		us := float64(baseUS) + float64(i)*intervalUS - toleranceUS
		if us > 0 {
			out[i] = time.Duration(us) * time.Microsecond
		}
	}
	return out, nil
}
