package postgres

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ozmon/ozmon/store"
)

// partitionsIn lists the delivery partitions a plan reads.
func partitionsIn(plan string) []string {
	var out []string
	for _, m := range regexp.MustCompile(`ozmon_deliveries_(p\d{8}|default)`).FindAllString(plan, -1) {
		if !slices.Contains(out, m) {
			out = append(out, m)
		}
	}
	return out
}

func explain(t *testing.T, s *Store, q string, args ...any) string {
	t.Helper()
	rows, err := s.pool.Query(context.Background(), "EXPLAIN (COSTS OFF) "+q, args...)
	if err != nil {
		t.Fatalf("explain: %v", err)
	}
	defer rows.Close()
	var plan string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			t.Fatal(err)
		}
		plan += line + "\n"
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return plan
}

// Told the close time, begin and finish read one partition of the 19 a
// 90-day retention keeps; not told, they read every one.
func TestDeliveryWritesAtCloseTimeScanOnePartition(t *testing.T) {
	t.Parallel()
	s, _ := openTestStore(t)
	ctx := context.Background()
	tenant := importFixture(t, s, "acme", standardFixture())
	now := time.Now()
	if _, err := s.EnsureDeliveryPartitions(ctx, now.Add(-90*24*time.Hour), now.Add(PartitionsAhead)); err != nil {
		t.Fatal(err)
	}
	closed := now.Add(-10 * 24 * time.Hour).UTC().Truncate(time.Second)
	key := store.DeliveryKey{TenantID: tenant, Monitor: "Big swaps", Network: "stellar_testnet", Ledger: 9, TxHash: "ab", Trigger: "ops_hook"}
	args := []any{[]string{tenant}, []string{key.Monitor}, []string{key.Network}, []int64{9}, []string{key.TxHash}, []string{key.Trigger},
		[]string{"x"}, []string{"x"}, []time.Time{closed}}
	want := []string{"ozmon_deliveries_p" + weekOf(closed).Format("20060102")}
	for name, q := range map[string]string{"begin": beginAtSQL, "finish": finishAtSQL} {
		if got := partitionsIn(explain(t, s, q, args...)); !slices.Equal(got, want) {
			t.Errorf("%s told the close time reads partitions %v; want only %v", name, got, want)
		}
	}
	across := partitionsIn(explain(t, s, `SELECT 1 FROM ozmon_deliveries WHERE tenant_id = $1 AND monitor = $2 AND network = $3
		AND ledger = $4 AND tx_hash = $5 AND trigger = $6`, tenant, key.Monitor, key.Network, 9, key.TxHash, key.Trigger))
	if len(across) < 19 {
		t.Errorf("a lookup without the close time reads %d partitions; the comparison above means nothing", len(across))
	}
}

// The story of one notification told with its close time is the story
// without it: one record, attempts counted, delivered final. A record
// filed under another time (carried over from the unpartitioned log) or
// under none (begun without an expectation) is found, never duplicated.
func TestDeliveryWritesAtCloseTimeFindEveryRecord(t *testing.T) {
	t.Parallel()
	s, _ := openTestStore(t)
	ctx := context.Background()
	tenant := importFixture(t, s, "acme", standardFixture())
	// Nanoseconds on purpose: PostgreSQL keeps microseconds.
	closed := time.Now().Add(-time.Hour).UTC().Truncate(time.Microsecond).Add(999 * time.Nanosecond)
	key := func(tx string) store.DeliveryKey {
		return store.DeliveryKey{TenantID: tenant, Monitor: "Big swaps", Network: "stellar_testnet", Ledger: 9, TxHash: tx, Trigger: "ops_hook"}
	}
	// "expected": filed under its close time; "elsewhere": filed under a
	// time two weeks off (as a carried-over row is); "none": no record.
	if err := s.ExpectDeliveries(ctx, []store.ExpectedDelivery{
		{Key: key("expected"), TaskID: "t", LedgerClosedAt: closed},
		{Key: key("elsewhere"), TaskID: "t", LedgerClosedAt: closed.Add(-14 * 24 * time.Hour)},
	}); err != nil {
		t.Fatal(err)
	}
	for _, tx := range []string{"expected", "elsewhere", "none"} {
		k := key(tx)
		for attempt := 1; attempt <= 2; attempt++ {
			d, err := s.BeginDeliveryAt(ctx, k, closed, "task-"+tx, "webhook")
			if err != nil {
				t.Fatalf("%s: begin %d: %v", tx, attempt, err)
			}
			if d.Status != store.DeliverySending || d.Attempts != attempt || d.TaskID != "task-"+tx {
				t.Fatalf("%s: begin %d: record %+v", tx, attempt, d)
			}
			status := store.DeliveryFailed
			if attempt == 2 {
				status = store.DeliveryDelivered
			}
			if err := s.FinishDeliveryAt(ctx, k, closed, status, fmt.Sprint("attempt ", attempt)); err != nil {
				t.Fatalf("%s: finish %d: %v", tx, attempt, err)
			}
		}
		d, err := s.BeginDeliveryAt(ctx, k, closed, "task-again", "webhook")
		if err != nil || d.Status != store.DeliveryDelivered || d.Attempts != 2 || d.Previous != store.DeliveryDelivered {
			t.Fatalf("%s: begin after delivery = %+v, %v; want delivered, 2 attempts, not counted", tx, d, err)
		}
		if err := s.FinishDeliveryAt(ctx, k, closed, store.DeliveryFailed, "late"); err != nil {
			t.Fatal(err)
		}
		list, err := s.ListDeliveries(ctx, store.DeliveryFilter{TenantID: tenant})
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, r := range list {
			if r.Key == k {
				n++
				if r.Status != store.DeliveryDelivered {
					t.Fatalf("%s: a late failure changed the delivered record: %+v", tx, r)
				}
			}
		}
		if n != 1 {
			t.Fatalf("%s: %d records of the key, want 1", tx, n)
		}
	}
	missing := key("never")
	if err := s.FinishDeliveryAt(ctx, missing, closed, store.DeliveryFailed, ""); err == nil {
		t.Fatal("finishing a record that does not exist succeeded")
	}
}

// The close-time writes are planned for each batch, never run from a
// plan cached on the connection: a generic plan made while the week's
// partition was empty scans it once per key for as long as it is kept
// (planEachTime). After more batches than PostgreSQL needs to switch a
// prepared statement to its generic plan, no connection of the pool holds
// either statement prepared.
func TestDeliveryWritesAtCloseTimeNotPreparedOnConnections(t *testing.T) {
	t.Parallel()
	s, _ := openTestStore(t)
	ctx := context.Background()
	tenant := importFixture(t, s, "acme", standardFixture())
	closed := time.Now().UTC().Truncate(time.Second)
	for ledger := uint64(1); ledger <= 8; ledger++ {
		key := store.DeliveryKey{TenantID: tenant, Monitor: "Big swaps", Network: "stellar_testnet", Ledger: ledger, TxHash: "ab", Trigger: "ops_hook"}
		if err := s.ExpectDeliveries(ctx, []store.ExpectedDelivery{{Key: key, TaskID: "t", LedgerClosedAt: closed}}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.BeginDeliveryAt(ctx, key, closed, "t", "webhook"); err != nil {
			t.Fatal(err)
		}
		if err := s.FinishDeliveryAt(ctx, key, closed, store.DeliveryDelivered, ""); err != nil {
			t.Fatal(err)
		}
	}
	conns := s.pool.AcquireAllIdle(ctx)
	if len(conns) == 0 {
		t.Fatal("no idle connection to look at")
	}
	for _, c := range conns {
		var prepared []string
		rows, err := c.Query(ctx, `SELECT statement FROM pg_prepared_statements`)
		if err == nil {
			prepared, err = pgx.CollectRows(rows, pgx.RowTo[string])
		}
		c.Release()
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range prepared {
			if q == beginAtSQL || q == finishAtSQL {
				t.Errorf("a connection holds a close-time write prepared (its plan can go generic and stale): %.80s…", q)
			}
		}
		if len(prepared) == 0 {
			t.Error("the connection holds no prepared statement at all; the check above means nothing")
		}
	}
}
