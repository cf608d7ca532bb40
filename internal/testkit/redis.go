package testkit

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// RedisAddr is the address of the machine's Redis, overridable with
// OZ_TEST_REDIS_ADDR.
func RedisAddr() string {
	if a := os.Getenv("OZ_TEST_REDIS_ADDR"); a != "" {
		return a
	}
	return "127.0.0.1:6379"
}

// Redis gives the test a Redis database of its own on the real server: one
// of DBs 1–15, leased through a lock key in DB 0 and flushed before use, so
// tests in different packages can run in parallel (asynq's key layout is
// fixed, so key prefixes cannot isolate queues; database numbers can).
// The returned options point at that database; the lease ends with the test.
func Redis(tb testing.TB) *redis.Options {
	tb.Helper()
	ctx := context.Background()
	ctrl := redis.NewClient(&redis.Options{Addr: RedisAddr(), DB: 0})
	tb.Cleanup(func() { _ = ctrl.Close() })
	if err := ctrl.Ping(ctx).Err(); err != nil {
		tb.Fatalf("redis at %s is not reachable (start it, or run .ci/run which does): %v", RedisAddr(), err)
	}
	owner := fmt.Sprintf("%s-%d-%d", tb.Name(), os.Getpid(), time.Now().UnixNano())
	deadline := time.Now().Add(5 * time.Minute)
	for {
		for db := 1; db <= 15; db++ {
			key := fmt.Sprintf("ozmon:testkit:dblease:%d", db)
			ok, err := ctrl.SetNX(ctx, key, owner, 10*time.Minute).Result()
			if err != nil {
				tb.Fatalf("lease redis db: %v", err)
			}
			if !ok {
				continue
			}
			opts := &redis.Options{Addr: RedisAddr(), DB: db}
			c := redis.NewClient(opts)
			if err := c.FlushDB(ctx).Err(); err != nil {
				tb.Fatalf("flush redis db %d: %v", db, err)
			}
			_ = c.Close()
			tb.Cleanup(func() {
				c := redis.NewClient(opts)
				_ = c.FlushDB(context.Background()).Err()
				_ = c.Close()
				// Release only our own lease.
				if v, _ := ctrl.Get(context.Background(), key).Result(); v == owner {
					ctrl.Del(context.Background(), key)
				}
			})
			return opts
		}
		if time.Now().After(deadline) {
			tb.Fatalf("no free redis database (1-15) after waiting")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// RedisClient is Redis with a ready client that is closed with the test.
func RedisClient(tb testing.TB) *redis.Client {
	tb.Helper()
	c := redis.NewClient(Redis(tb))
	tb.Cleanup(func() { _ = c.Close() })
	return c
}
