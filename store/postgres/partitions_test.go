package postgres

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ozmon/ozmon/store"
)

// weekOf is the Monday 00:00 UTC that starts t's partition.
func weekOf(t time.Time) time.Time {
	t = t.UTC()
	d := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	return d.AddDate(0, 0, -((int(d.Weekday()) + 6) % 7))
}

// partitionOf names the partition holding key's record.
func partitionOf(t *testing.T, s *Store, key store.DeliveryKey) string {
	t.Helper()
	var name string
	err := s.pool.QueryRow(context.Background(), `SELECT tableoid::regclass::text FROM ozmon_deliveries
		WHERE tenant_id = $1 AND monitor = $2 AND network = $3 AND ledger = $4 AND tx_hash = $5 AND trigger = $6`,
		key.TenantID, key.Monitor, key.Network, int64(key.Ledger), key.TxHash, key.Trigger).Scan(&name)
	if err != nil {
		t.Fatalf("find the partition of %s: %v", key, err)
	}
	return name
}

func countDeliveries(t *testing.T, s *Store) int {
	t.Helper()
	var n int
	if err := s.pool.QueryRow(context.Background(), `SELECT count(*) FROM ozmon_deliveries`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func partitionNames(t *testing.T, s *Store) []string {
	t.Helper()
	parts, err := s.DeliveryPartitions(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, p := range parts {
		out = append(out, p.Name)
	}
	return out
}

func weekName(t time.Time) string { return partitionPrefix + weekOf(t).Format("20060102") }

// Time moves forward through the maintenance clock: partitions are made
// ahead of it, and once retention has passed over a week its partition is
// dropped whole, records and all, while younger weeks keep theirs.
func TestDeliveryPartitionsWithTimeMovedForward(t *testing.T) {
	t.Parallel()
	s, _ := openTestStore(t)
	ctx := context.Background()
	tenant := importFixture(t, s, "acme", standardFixture())
	now := time.Now().UTC()
	key := func(ledger uint64) store.DeliveryKey {
		return store.DeliveryKey{TenantID: tenant, Monitor: "Big swaps", Network: "stellar_testnet", Ledger: ledger, TxHash: "ab", Trigger: "ops_hook"}
	}

	// Migrate made this week and four ahead.
	for d := time.Duration(0); d < PartitionsAhead; d += partitionWidth {
		if !slices.Contains(partitionNames(t, s), weekName(now.Add(d))) {
			t.Fatalf("no partition for %s after migrate: %v", weekOf(now.Add(d)).Format(time.DateOnly), partitionNames(t, s))
		}
	}
	old := key(1)
	if err := s.ExpectDeliveries(ctx, []store.ExpectedDelivery{{Key: old, TaskID: "t1", Channel: "webhook", LedgerClosedAt: now}}); err != nil {
		t.Fatal(err)
	}
	if got := partitionOf(t, s, old); got != weekName(now) {
		t.Fatalf("record of a ledger closed %s filed in %s, want %s", now.Format(time.RFC3339), got, weekName(now))
	}

	// 60 days on: still within a 90-day retention; partitions reach 28
	// days past the new now.
	clock := now.Add(60 * 24 * time.Hour)
	made, dropped, err := s.MaintainDeliveryLog(ctx, clock, 90*24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if made == 0 || len(dropped) != 0 {
		t.Fatalf("60 days on: made %d, dropped %v; want some made, none dropped", made, dropped)
	}
	mid := key(2)
	if err := s.ExpectDeliveries(ctx, []store.ExpectedDelivery{{Key: mid, TaskID: "t2", Channel: "webhook", LedgerClosedAt: clock}}); err != nil {
		t.Fatal(err)
	}
	if got := partitionOf(t, s, mid); got != weekName(clock) {
		t.Fatalf("record 60 days on filed in %s, want %s (made ahead)", got, weekName(clock))
	}
	// Again at the same time: nothing more to do (idempotent).
	if made, dropped, err := s.MaintainDeliveryLog(ctx, clock, 90*24*time.Hour); err != nil || made != 0 || len(dropped) != 0 {
		t.Fatalf("second round at the same time: made %d, dropped %v, %v; want nothing done", made, dropped, err)
	}

	// 100 days on: the first record's week is past retention and goes;
	// the 60-day one stays.
	clock = now.Add(100 * 24 * time.Hour)
	_, dropped, err = s.MaintainDeliveryLog(ctx, clock, 90*24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(dropped, weekName(now)) {
		t.Fatalf("100 days on: dropped %v, want %s among them", dropped, weekName(now))
	}
	for _, name := range partitionNames(t, s) {
		if name == defaultPartition {
			continue
		}
		from, _ := partitionStart(name)
		if !from.Add(partitionWidth).After(clock.Add(-90 * 24 * time.Hour)) {
			t.Errorf("partition %s (to %s) kept past retention at %s", name, from.Add(partitionWidth).Format(time.DateOnly), clock.Format(time.DateOnly))
		}
	}
	if !slices.Contains(partitionNames(t, s), weekName(clock.Add(PartitionsAhead-time.Hour))) {
		t.Fatalf("100 days on: no partition made ahead to %s: %v", clock.Add(PartitionsAhead).Format(time.DateOnly), partitionNames(t, s))
	}
	list, err := s.ListDeliveries(ctx, store.DeliveryFilter{TenantID: tenant})
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0].Key != mid {
		t.Fatalf("after retention: records %+v, want only %s", list, mid)
	}
}

// The exactly-once edge holds across partitions: a key recorded in one
// week is found when written again with another week's time (a record
// carried over from before partitioning is filed under its creation
// time), and keys either side of a week's boundary are filed apart.
func TestDeliveriesDedupedAcrossPartitionBoundary(t *testing.T) {
	t.Parallel()
	s, _ := openTestStore(t)
	ctx := context.Background()
	tenant := importFixture(t, s, "acme", standardFixture())
	boundary := weekOf(time.Now()).Add(partitionWidth) // next Monday 00:00 UTC
	key := func(ledger uint64) store.DeliveryKey {
		return store.DeliveryKey{TenantID: tenant, Monitor: "Big swaps", Network: "stellar_testnet", Ledger: ledger, TxHash: "ab", Trigger: "ops_hook"}
	}
	before, after := key(10), key(11)
	err := s.ExpectDeliveries(ctx, []store.ExpectedDelivery{
		{Key: before, TaskID: "t10", LedgerClosedAt: boundary.Add(-time.Second)},
		{Key: after, TaskID: "t11", LedgerClosedAt: boundary},
	})
	if err != nil {
		t.Fatal(err)
	}
	if pb, pa := partitionOf(t, s, before), partitionOf(t, s, after); pb == pa || pa != weekName(boundary) {
		t.Fatalf("either side of %s: filed in %s and %s, want two partitions, the second %s", boundary, pb, pa, weekName(boundary))
	}
	d, err := s.BeginDelivery(ctx, before, "t10", "webhook")
	if err != nil || d.Attempts != 1 {
		t.Fatalf("begin: %+v, %v", d, err)
	}
	if err := s.FinishDelivery(ctx, before, store.DeliveryDelivered, ""); err != nil {
		t.Fatal(err)
	}
	// The same key again, with the next week's time and with none (a
	// re-driven ledger, a task whose expectation was lost).
	if err := s.ExpectDeliveries(ctx, []store.ExpectedDelivery{{Key: before, TaskID: "t10", LedgerClosedAt: boundary.Add(time.Hour)}}); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		d, err = s.BeginDelivery(ctx, before, "t10", "webhook")
		if err != nil {
			t.Fatal(err)
		}
		if d.Status != store.DeliveryDelivered || d.Attempts != 1 {
			t.Fatalf("begin again after delivery: %+v, want delivered, attempts 1 (not resent)", d)
		}
	}
	if n := countDeliveries(t, s); n != 2 {
		t.Fatalf("%d records, want 2 (no duplicate in another partition)", n)
	}
	// A key begun without an expectation is filed under the time of
	// writing, and found again by the next begin.
	lone := key(12)
	for i := range 3 {
		d, err := s.BeginDelivery(ctx, lone, "t12", "webhook")
		if err != nil || d.Attempts != i+1 {
			t.Fatalf("begin %d of a key with no expectation: %+v, %v", i, d, err)
		}
	}
	if n := countDeliveries(t, s); n != 3 {
		t.Fatalf("%d records, want 3", n)
	}
}

// A record whose week has no partition is kept in the default partition,
// and moved into its week's partition when that is made.
func TestDeliveryPartitionTakesStraysFromDefault(t *testing.T) {
	t.Parallel()
	s, _ := openTestStore(t)
	ctx := context.Background()
	tenant := importFixture(t, s, "acme", standardFixture())
	far := time.Now().Add(400 * 24 * time.Hour)
	key := store.DeliveryKey{TenantID: tenant, Monitor: "Big swaps", Network: "stellar_testnet", Ledger: 5, TxHash: "ab", Trigger: "ops_hook"}
	if err := s.ExpectDeliveries(ctx, []store.ExpectedDelivery{{Key: key, TaskID: "t5", LedgerClosedAt: far}}); err != nil {
		t.Fatal(err)
	}
	if got := partitionOf(t, s, key); got != defaultPartition {
		t.Fatalf("record 400 days ahead filed in %s, want %s", got, defaultPartition)
	}
	made, err := s.EnsureDeliveryPartitions(ctx, far, far.Add(time.Hour))
	if err != nil || made != 1 {
		t.Fatalf("make the far week's partition: %d, %v", made, err)
	}
	if got := partitionOf(t, s, key); got != weekName(far) {
		t.Fatalf("after making its week: record in %s, want %s", got, weekName(far))
	}
	if n := countDeliveries(t, s); n != 1 {
		t.Fatalf("%d records after the move, want 1", n)
	}
}

// Scheduler replicas maintaining the log at once make each partition once
// and none fails.
func TestEnsureDeliveryPartitionsConcurrently(t *testing.T) {
	t.Parallel()
	s, _ := openTestStore(t)
	ctx := context.Background()
	from := time.Now().Add(1000 * 24 * time.Hour)
	to := from.Add(10 * partitionWidth)
	var wg sync.WaitGroup
	made := make([]int, 4)
	errs := make([]error, 4)
	for i := range made {
		wg.Go(func() { made[i], errs[i] = s.EnsureDeliveryPartitions(ctx, from, to) })
	}
	wg.Wait()
	total := 0
	for i := range made {
		if errs[i] != nil {
			t.Fatalf("replica %d: %v", i, errs[i])
		}
		total += made[i]
	}
	// [from, to) touches 10 weeks, or 11 when from is not a Monday 00:00.
	want := 10
	if !weekOf(from).Equal(from) {
		want = 11
	}
	if total != want {
		t.Fatalf("replicas made %d partitions in all (%v), want %d", total, made, want)
	}
}

// The maintenance refuses an unbounded range with the range in the error.
func TestEnsureDeliveryPartitionsRefusesHugeRange(t *testing.T) {
	t.Parallel()
	s, _ := openTestStore(t)
	from := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	_, err := s.EnsureDeliveryPartitions(context.Background(), from, from.AddDate(50, 0, 0))
	if err == nil {
		t.Fatal("50 years of partitions made; want an error")
	}
	if !strings.Contains(err.Error(), "2000-01-01") || !strings.Contains(err.Error(), "2050-01-01") {
		t.Fatalf("error %q does not name the range", err)
	}
}
