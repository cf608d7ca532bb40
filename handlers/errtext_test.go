package handlers

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/hibiken/asynq"
	"github.com/ozmon/ozmon/cache"
	"github.com/ozmon/ozmon/chain"
	"github.com/ozmon/ozmon/internal/testkit"
	"github.com/ozmon/ozmon/store/memory"
	"github.com/ozmon/ozmon/tasks"
	"github.com/ozmon/ozmon/tenants"
	"github.com/redis/go-redis/v9"
)

// failingFetcher fails every fetch with err.
type failingFetcher struct{ err error }

func (f failingFetcher) FetchBlock(context.Context, uint64) (*chain.Block, error) { return nil, f.err }

// TestTaskErrorIsMaskedAndBounded: whatever a handler's error quotes (a
// megabyte of node text, a URL with its key), what it returns to asynq,
// which keeps it as the task's last error in Redis, is masked, then cut to
// maxTaskErrorBytes, and still tells asynq not to retry.
func TestTaskErrorIsMaskedAndBounded(t *testing.T) {
	t.Parallel()
	rdb := redis.NewClient(testkit.Redis(t))
	t.Cleanup(func() { _ = rdb.Close() })
	blocks, err := cache.New(rdb, cache.WithKeyPrefix("errtext"))
	if err != nil {
		t.Fatal(err)
	}
	// The key sits just past the cut: cut first, its prefix would stay.
	url := "https://rpc.example/v2/key0123456789abcdefgh?token=tok_secret_42"
	pad := strings.Repeat("x", maxTaskErrorBytes-80)
	cause := fmt.Errorf("node said %s at %s %s: %w", pad, url, strings.Repeat("y", 1<<20), asynq.SkipRetry)
	client := asynq.NewClientFromRedisClient(rdb)
	t.Cleanup(func() { _ = client.Close() })
	st := memory.New()
	h, err := New(Config{Client: client, Cache: blocks, Fetchers: map[string]BlockFetcher{"net": failingFetcher{cause}},
		Tenants: tenants.New(st), Deliveries: st})
	if err != nil {
		t.Fatal(err)
	}
	task, err := tasks.NewTask(tasks.FetchBlock{Network: "net", Ledger: 5})
	if err != nil {
		t.Fatal(err)
	}
	err = h.Mux().ProcessTask(context.Background(), task)
	if err == nil {
		t.Fatal("no error")
	}
	msg := err.Error()
	if len(msg) > maxTaskErrorBytes+64 || strings.Contains(msg, "key0123") || strings.Contains(msg, "tok_secret") {
		t.Fatalf("task error of %d bytes, or with a secret: ...%s", len(msg), msg[max(0, len(msg)-300):])
	}
	if !strings.Contains(msg, "fetch ledger net/5") || !strings.Contains(msg, "bytes)") {
		t.Errorf("task error lost its subject or the note of the cut: %.200s…%s", msg, msg[max(0, len(msg)-100):])
	}
	if !errors.Is(err, asynq.SkipRetry) {
		t.Error("the bounded error no longer says SkipRetry")
	}
}
