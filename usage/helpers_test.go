package usage_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ozmon/ozmon/internal/testkit"
	"github.com/ozmon/ozmon/store"
	"github.com/ozmon/ozmon/store/postgres"
)

// openStore opens and migrates a store on a schema of the test's own.
func openStore(tb testing.TB) (*postgres.Store, string) {
	tb.Helper()
	url, _ := testkit.PostgresSchema(tb)
	s, err := postgres.Open(context.Background(), url)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(s.Close)
	if err := s.Migrate(context.Background()); err != nil {
		tb.Fatal(err)
	}
	return s, url
}

// tenantID is the i-th test tenant's id.
func tenantID(i int) string { return fmt.Sprintf("%08x-0000-4000-8000-000000000000", i) }

// switchSink forwards to the store it currently holds: a test points it at
// a closed store (PostgreSQL unreachable) and back at an open one.
type switchSink struct {
	cur atomic.Pointer[postgres.Store]
}

func (s *switchSink) AddUsage(ctx context.Context, rows []store.UsageHour) error {
	return s.cur.Load().AddUsage(ctx, rows)
}

// clock is a settable clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

// total sums one tenant's rows over a day around h.
func total(tb testing.TB, s *postgres.Store, tenant string, h time.Time) (store.UsageHour, int) {
	tb.Helper()
	rows, err := s.Usage(context.Background(), tenant, h.Add(-12*time.Hour), h.Add(12*time.Hour))
	if err != nil {
		tb.Fatal(err)
	}
	var sum store.UsageHour
	for _, r := range rows {
		sum.Ledgers += r.Ledgers
		sum.Evaluations += r.Evaluations
		sum.EvalCPUMicros += r.EvalCPUMicros
		sum.Matches += r.Matches
		sum.Delivered += r.Delivered
		sum.Failed += r.Failed
		sum.Archived += r.Archived
		sum.Retried += r.Retried
	}
	return sum, len(rows)
}

// reopen opens a second store on the same schema.
func reopen(tb testing.TB, url string) *postgres.Store {
	tb.Helper()
	s, err := postgres.Open(context.Background(), url)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}
