package usage_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/ozmon/ozmon/internal/testkit"
	"github.com/ozmon/ozmon/usage"
)

var hour = time.Date(2026, 5, 4, 10, 0, 0, 0, time.UTC)

func TestFlushWritesEveryCountOnce(t *testing.T) {
	t.Parallel()
	s, _ := openStore(t)
	c := &clock{t: hour.Add(5 * time.Minute)}
	m := usage.New(s, usage.WithClock(c.now))
	ctx := context.Background()
	// 8 goroutines × 100 tenants × 5 ledgers, counted concurrently.
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for l := range 5 {
				for i := range 100 {
					start := m.Start()
					m.Evaluated(tenantID(i), start, 3, (i+l+g)%2)
				}
			}
		})
	}
	wg.Wait()
	m.Delivery(tenantID(0), usage.Delivered)
	m.Delivery(tenantID(0), usage.FailedRetried)
	m.Delivery(tenantID(0), usage.FailedArchived)
	m.Delivery(tenantID(0), usage.Archived)
	if err := m.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	for i := range 100 {
		got, n := total(t, s, tenantID(i), hour)
		if n != 1 || got.Ledgers != 40 || got.Evaluations != 120 {
			t.Fatalf("tenant %d: %d rows, %d ledgers, %d evaluations; want 1 row, 40, 120", i, n, got.Ledgers, got.Evaluations)
		}
	}
	got, _ := total(t, s, tenantID(0), hour)
	if got.Delivered != 1 || got.Failed != 2 || got.Retried != 1 || got.Archived != 2 {
		t.Errorf("deliveries %+v, want delivered 1, failed 2, retried 1, archived 2", got)
	}
	// Matches: (i+l+g) odd for half of the 40 (l, g) pairs of each tenant.
	if got.Matches != 20 {
		t.Errorf("tenant 0 matches %d, want 20", got.Matches)
	}
	// A second flush has nothing new to add.
	if err := m.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if again, _ := total(t, s, tenantID(0), hour); again != got {
		t.Errorf("after an idle flush: %+v, want unchanged %+v", again, got)
	}
}

func TestEvaluationTimeIsMeasuredFromStart(t *testing.T) {
	t.Parallel()
	s, _ := openStore(t)
	c := &clock{t: hour.Add(time.Minute)}
	m := usage.New(s, usage.WithClock(c.now))
	start := m.Start()
	c.set(hour.Add(time.Minute + 1500*time.Microsecond))
	m.Evaluated(tenantID(1), start, 1, 0)
	if err := m.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got, _ := total(t, s, tenantID(1), hour); got.EvalCPUMicros != 1500 {
		t.Errorf("eval time %d µs, want 1500", got.EvalCPUMicros)
	}
}

func TestTwoWorkersAddUp(t *testing.T) {
	t.Parallel()
	s, _ := openStore(t)
	c := &clock{t: hour.Add(time.Minute)}
	a := usage.New(s, usage.WithClock(c.now))
	b := usage.New(s, usage.WithClock(c.now))
	for range 3 {
		a.Add(tenantID(7), usage.Counts{Ledgers: 1, Matches: 2})
	}
	b.Add(tenantID(7), usage.Counts{Ledgers: 5, Delivered: 1})
	ctx := context.Background()
	if err := a.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if err := b.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	got, n := total(t, s, tenantID(7), hour)
	if n != 1 || got.Ledgers != 8 || got.Matches != 6 || got.Delivered != 1 {
		t.Errorf("%d rows, %+v; want one row with 8 ledgers, 6 matches, 1 delivered", n, got)
	}
}

func TestHourBoundarySplitsCounts(t *testing.T) {
	t.Parallel()
	s, _ := openStore(t)
	c := &clock{t: hour.Add(-time.Nanosecond)} // 09:59:59.999999999
	m := usage.New(s, usage.WithClock(c.now))
	m.Add(tenantID(2), usage.Counts{Ledgers: 1})
	c.set(hour) // 10:00:00 exactly: the next hour
	m.Add(tenantID(2), usage.Counts{Ledgers: 10})
	// An evaluation started before the hour and ended after it belongs to
	// the hour it ended in.
	start := m.Start()
	c.set(hour.Add(time.Hour + time.Second))
	m.Evaluated(tenantID(2), start, 1, 0)
	if err := m.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	rows, err := s.Usage(context.Background(), tenantID(2), hour.Add(-time.Hour), hour.Add(2*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		h       time.Time
		ledgers int64
	}{{hour.Add(-time.Hour), 1}, {hour, 10}, {hour.Add(time.Hour), 1}}
	if len(rows) != len(want) {
		t.Fatalf("%d rows %+v, want %d", len(rows), rows, len(want))
	}
	for i, w := range want {
		if !rows[i].Hour.Equal(w.h) || rows[i].Ledgers != w.ledgers {
			t.Errorf("row %d: %s %d ledgers, want %s %d", i, rows[i].Hour, rows[i].Ledgers, w.h, w.ledgers)
		}
	}
}

func TestFailedFlushKeepsCountsAndWritesThemOnce(t *testing.T) {
	t.Parallel()
	s, url := openStore(t)
	down := reopen(t, url)
	down.Close() // a store whose pool is closed: every write fails
	sink := &switchSink{}
	sink.cur.Store(down)
	c := &clock{t: hour.Add(time.Minute)}
	m := usage.New(sink, usage.WithClock(c.now))
	ctx := context.Background()

	m.Add(tenantID(3), usage.Counts{Ledgers: 2, Delivered: 1})
	if err := m.Flush(ctx); err == nil {
		t.Fatal("flush to a closed pool succeeded")
	}
	if m.Pending() != 1 {
		t.Fatalf("pending %d after a failed flush, want 1", m.Pending())
	}
	m.Add(tenantID(3), usage.Counts{Ledgers: 1})
	c.set(hour.Add(time.Hour + time.Minute))
	m.Add(tenantID(3), usage.Counts{Ledgers: 4})
	if err := m.Flush(ctx); err == nil {
		t.Fatal("second flush to a closed pool succeeded")
	}
	sink.cur.Store(s) // PostgreSQL is back
	if err := m.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if err := m.Flush(ctx); err != nil { // nothing is written twice
		t.Fatal(err)
	}
	rows, err := s.Usage(ctx, tenantID(3), hour, hour.Add(2*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0].Ledgers != 3 || rows[0].Delivered != 1 || rows[1].Ledgers != 4 {
		t.Errorf("rows %+v, want 3 ledgers + 1 delivered in the first hour, 4 ledgers in the second", rows)
	}
	if m.Pending() != 0 {
		t.Errorf("pending %d after a good flush", m.Pending())
	}
}

func TestPendingCountsAreBounded(t *testing.T) {
	t.Parallel()
	_, url := openStore(t)
	down := reopen(t, url)
	down.Close()
	c := &clock{t: hour}
	m := usage.New(down, usage.WithClock(c.now), usage.WithMaxPending(5))
	for h := range 4 { // 4 hours × 2 tenants = 8 tenant-hours > 5
		c.set(hour.Add(time.Duration(h) * time.Hour))
		m.Add(tenantID(1), usage.Counts{Ledgers: 1})
		m.Add(tenantID(2), usage.Counts{Ledgers: 1})
		_ = m.Flush(context.Background())
	}
	// The oldest hours go first, a whole hour at a time.
	if p := m.Pending(); p != 4 {
		t.Errorf("pending %d tenant-hours, want 4 (the two newest hours of 2 tenants, under the bound 5)", p)
	}
}

func TestInvalidTenantRowsDoNotBlockOthers(t *testing.T) {
	t.Parallel()
	s, _ := openStore(t)
	m := usage.New(s)
	m.Add("not-a-tenant", usage.Counts{Ledgers: 1})
	m.Add(tenantID(4), usage.Counts{Ledgers: 1})
	if err := m.Flush(context.Background()); err == nil {
		t.Error("a row with a malformed tenant id was not reported")
	}
	if m.Pending() != 0 {
		t.Errorf("pending %d: a refused row must not be retried forever", m.Pending())
	}
	if got, n := total(t, s, tenantID(4), time.Now()); n != 1 || got.Ledgers != 1 {
		t.Errorf("the valid tenant: %d rows, %+v", n, got)
	}
}

func TestRunFlushesPeriodicallyAndShutdownFlushesTheRest(t *testing.T) {
	t.Parallel()
	s, _ := openStore(t)
	m := usage.New(s, usage.WithInterval(20*time.Millisecond))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { m.Run(ctx); close(done) }()
	m.Add(tenantID(5), usage.Counts{Ledgers: 1})
	now := time.Now()
	testkit.WaitUntil(t, 10*time.Second, "the periodic flush", func() bool { got, _ := total(t, s, tenantID(5), now); return got.Ledgers == 1 })
	cancel()
	<-done
	m.Add(tenantID(5), usage.Counts{Ledgers: 2})
	if err := m.Shutdown(); err != nil {
		t.Fatal(err)
	}
	if got, _ := total(t, s, tenantID(5), now); got.Ledgers != 3 {
		t.Errorf("ledgers %d after shutdown, want 3", got.Ledgers)
	}
}

func TestNilMeterCountsNothing(t *testing.T) {
	t.Parallel()
	var m *usage.Meter
	m.Add(tenantID(1), usage.Counts{Ledgers: 1})
	m.Evaluated(tenantID(1), m.Start(), 1, 1)
	m.Delivery(tenantID(1), usage.Delivered)
	if !m.Start().IsZero() {
		t.Error("a nil meter reads the clock")
	}
}

var _ usage.Sink = (*switchSink)(nil)
