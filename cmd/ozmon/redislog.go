package main

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/redis/go-redis/v9"
)

// redisLogger carries go-redis's own log lines (a pool that cannot dial,
// a recovered pipeline panic) into ozmon's slog logger: without it they
// are "redis: 2026/…" text on stderr, between JSON lines a log pipeline
// cannot parse, and they miss the level and fields every other line has.
type redisLogger struct{ log *slog.Logger }

// Printf implements go-redis's internal.Logging. go-redis logs only what
// went wrong, so the lines are warnings.
func (r redisLogger) Printf(ctx context.Context, format string, v ...any) {
	r.log.WarnContext(ctx, strings.TrimSpace(fmt.Sprintf(format, v...)), "component", "go-redis")
}

// routeRedisLogs makes log go-redis's logger. go-redis has one logger per
// process, so only a command's wiring calls this, once its logger is
// built, before it opens Redis.
func routeRedisLogs(log *slog.Logger) { redis.SetLogger(redisLogger{log}) }
