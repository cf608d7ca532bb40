package api

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/ozmon/ozmon/auth"
)

// rateLimiter is a per-tenant GCRA in Redis, so the limit holds across API
// pods. Unlike notify's limiter it never reserves a refused request: a
// client hammering while refused is not pushed further out.
type rateLimiter struct {
	rdb    redis.UniversalClient
	prefix string
	script *redis.Script
}

// allowScript: KEYS[1] the tenant's theoretical arrival time (µs);
// ARGV interval µs, burst tolerance µs, cost (calls). Returns 0 when
// admitted, else the µs to wait.
const allowScript = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
local tolerance = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
local wait = tat + (cost - 1) * interval - tolerance - now
if wait > 0 then return wait end
local new = tat + cost * interval
redis.call('SET', KEYS[1], new, 'PX', math.ceil((new - now) / 1000) + 1000)
return 0`

func newRateLimiter(rdb redis.UniversalClient, prefix string) *rateLimiter {
	return &rateLimiter{rdb: rdb, prefix: prefix, script: redis.NewScript(allowScript)}
}

// allow admits cost calls of tenantID at perMinute (a minute's worth may
// come at once) or says how long to wait. A cost over perMinute counts
// as perMinute, so it can pass at all.
func (l *rateLimiter) allow(ctx context.Context, tenantID string, perMinute, cost int) (time.Duration, error) {
	intervalUS := math.Max(1, math.Round(60e6/float64(perMinute)))
	toleranceUS := intervalUS * float64(perMinute-1)
	cost = min(max(cost, 1), perMinute)
	us, err := l.script.Run(ctx, l.rdb, []string{l.prefix + tenantID}, int64(intervalUS), int64(toleranceUS), cost).Int64()
	if err != nil {
		return 0, fmt.Errorf("check API rate of tenant %s: %w", tenantID, err)
	}
	return time.Duration(us) * time.Microsecond, nil
}

// limitTTL is how long a tenant's limit is kept in memory: a changed
// quota takes effect within it.
const limitTTL = 10 * time.Second

// allow admits one request of p, or says how long to wait. The operator
// is not limited; a tenant whose limit is 0 or less is not either (the
// column's meaning of "unlimited").
func (s *Server) allow(ctx context.Context, p auth.Principal) (time.Duration, error) {
	return s.allowN(ctx, p, 1)
}

// allowN is allow for cost calls at once (a request's mutation fields).
func (s *Server) allowN(ctx context.Context, p auth.Principal, cost int) (time.Duration, error) {
	if p.TenantID == "" {
		return 0, nil
	}
	n := s.tenantLimit(ctx, p.TenantID)
	if n <= 0 {
		return 0, nil
	}
	return s.limiter.allow(ctx, p.TenantID, n, cost)
}

// tenantLimit is the tenant's max_rpc_requests_per_minute, cached
// briefly; an unreadable row counts as unlimited for now (logged), so a
// database hiccup does not lock every tenant out.
func (s *Server) tenantLimit(ctx context.Context, tenantID string) int {
	now := time.Now()
	s.limitsMu.Lock()
	c, ok := s.limits[tenantID]
	s.limitsMu.Unlock()
	if ok && now.Before(c.until) {
		return c.perMinute
	}
	t, err := s.o.store.Tenant(ctx, tenantID)
	if err != nil {
		s.o.log.WarnContext(ctx, "api: read tenant rate limit", "tenant", tenantID, "err", err)
		return 0
	}
	s.limitsMu.Lock()
	if len(s.limits) > 100000 {
		clear(s.limits) // bounded: stale entries of many tenants are dropped at once
	}
	s.limits[tenantID] = cachedLimit{perMinute: t.MaxRPCRequestsPerMinute, until: now.Add(limitTTL)}
	s.limitsMu.Unlock()
	return t.MaxRPCRequestsPerMinute
}

func retryAfterSeconds(d time.Duration) int {
	return max(1, int(math.Ceil(d.Seconds())))
}
