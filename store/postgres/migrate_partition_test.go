package postgres

import (
	"context"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ozmon/ozmon/internal/testkit"
	"github.com/ozmon/ozmon/store"
)

// partitionedVersion is the migration that partitions the delivery log.
const partitionedVersion = 9

// The upgrade path: a delivery log written before partitioning, with an
// index a later migration added (as 0008 may), comes out partitioned with
// every row in its week's partition, every index under its own name and
// definition (the primary key widened by the partition key), the
// partitions' storage parameters kept, and its records still deduplicating
// writes.
func TestMigrationPartitionsExistingDeliveryLog(t *testing.T) {
	t.Parallel()
	url, schema := testkit.PostgresSchema(t)
	ctx := context.Background()
	s, err := Open(ctx, url, WithNotifyChannel("ozmon_"+schema))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	if err := s.migrateTo(ctx, partitionedVersion-1); err != nil {
		t.Fatal(err)
	}
	tenant := importFixture(t, s, "acme", standardFixture())
	// An index of the kind the deliveries-query work may add in 0008:
	// partial, with a sort order, on columns that exist today.
	if _, err := s.pool.Exec(ctx, `CREATE INDEX idx_ozmon_deliveries_test_added
		ON ozmon_deliveries (tenant_id, status, created_at DESC) WHERE NOT orphaned`); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	ages := []time.Duration{0, 3 * 24 * time.Hour, 20 * 24 * time.Hour, 200 * 24 * time.Hour}
	statuses := []string{"pending", "failed", "delivered", "archived"}
	for i, age := range ages {
		if _, err := s.pool.Exec(ctx, `INSERT INTO ozmon_deliveries
				(tenant_id, monitor, network, ledger, tx_hash, trigger, task_id, status, attempts, channel, created_at, updated_at)
			VALUES ($1, 'Big swaps', 'stellar_testnet', $2, 'ab', 'ops_hook', $3, $4, 1, 'webhook', $5, $5)`,
			tenant, 100+i, "task"+statuses[i], statuses[i], now.Add(-age)); err != nil {
			t.Fatal(err)
		}
	}
	beforeIdx := deliveryIndexes(t, s, schema)
	beforeRows := deliveryRows(t, s)

	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("migrate to partitioned: %v", err)
	}

	var partitioned bool
	if err := s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_partitioned_table WHERE partrelid = 'ozmon_deliveries'::regclass)`).Scan(&partitioned); err != nil || !partitioned {
		t.Fatalf("ozmon_deliveries partitioned: %v, %v", partitioned, err)
	}
	afterIdx := deliveryIndexes(t, s, schema)
	if got, want := slices.Sorted(maps.Keys(afterIdx)), slices.Sorted(maps.Keys(beforeIdx)); !slices.Equal(got, want) {
		t.Fatalf("indexes after: %v, before: %v", got, want)
	}
	for name, def := range beforeIdx {
		if name == "ozmon_deliveries_pkey" {
			if want := strings.Replace(def, "trigger)", "trigger, ledger_closed_at)", 1); afterIdx[name] != want {
				t.Errorf("primary key:\n got %s\nwant %s", afterIdx[name], want)
			}
			continue
		}
		if afterIdx[name] != def {
			t.Errorf("index %s:\n got %s\nwant %s", name, afterIdx[name], def)
		}
	}
	// Every partition carries every index, and the fillfactor of 0004.
	parts, err := s.DeliveryPartitions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range parts {
		var n int
		var opts []string
		if err := s.pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM pg_index WHERE indrelid = c.oid), COALESCE(c.reloptions, '{}')
			FROM pg_class c WHERE c.oid = $1::regclass`, p.Name).Scan(&n, &opts); err != nil {
			t.Fatal(err)
		}
		if n != len(afterIdx) || !slices.Contains(opts, "fillfactor=70") {
			t.Errorf("partition %s: %d indexes (want %d), options %v (want fillfactor=70)", p.Name, n, len(afterIdx), opts)
		}
	}

	afterRows := deliveryRows(t, s)
	if !maps.Equal(afterRows, beforeRows) {
		t.Fatalf("rows changed by the migration:\n got %v\nwant %v", afterRows, beforeRows)
	}
	for i, age := range ages {
		key := store.DeliveryKey{TenantID: tenant, Monitor: "Big swaps", Network: "stellar_testnet", Ledger: uint64(100 + i), TxHash: "ab", Trigger: "ops_hook"}
		if got, want := partitionOf(t, s, key), weekName(now.Add(-age)); got != want {
			t.Errorf("record created %s ago in %s, want %s", age, got, want)
		}
	}

	// The carried-over delivered record (filed under its creation time)
	// still dedupes: expected again with its ledger's real close time a
	// week off, begun again — neither adds a record or resends.
	delivered := store.DeliveryKey{TenantID: tenant, Monitor: "Big swaps", Network: "stellar_testnet", Ledger: 102, TxHash: "ab", Trigger: "ops_hook"}
	if err := s.ExpectDeliveries(ctx, []store.ExpectedDelivery{{Key: delivered, TaskID: "again", LedgerClosedAt: now.Add(-13 * 24 * time.Hour)}}); err != nil {
		t.Fatal(err)
	}
	d, err := s.BeginDelivery(ctx, delivered, "again", "webhook")
	if err != nil || d.Status != store.DeliveryDelivered {
		t.Fatalf("begin a carried-over delivered record: %+v, %v; want delivered", d, err)
	}
	if n := countDeliveries(t, s); n != len(ages) {
		t.Fatalf("%d records, want %d", n, len(ages))
	}
	v, err := s.SchemaVersion(ctx)
	if err != nil || v < partitionedVersion {
		t.Fatalf("schema version %d, %v", v, err)
	}
}

// deliveryIndexes maps each index of ozmon_deliveries to its definition.
func deliveryIndexes(t *testing.T, s *Store, schema string) map[string]string {
	t.Helper()
	rows, err := s.pool.Query(context.Background(), `SELECT indexname, indexdef FROM pg_indexes
		WHERE schemaname = $1 AND tablename = 'ozmon_deliveries'`, schema)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var name, def string
		if err := rows.Scan(&name, &def); err != nil {
			t.Fatal(err)
		}
		// A partitioned table's index reads "ON ONLY": the same definition,
		// made on each partition too (checked apart).
		out[name] = strings.Replace(def, " ON ONLY ", " ON ", 1)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// deliveryRows maps each record's ledger to its columns as JSON, less the
// columns partitioning added.
func deliveryRows(t *testing.T, s *Store) map[int64]string {
	t.Helper()
	rows, err := s.pool.Query(context.Background(), `SELECT ledger, (to_jsonb(d) - 'ledger_closed_at' - 'payload')::text FROM ozmon_deliveries d`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[int64]string{}
	for rows.Next() {
		var ledger int64
		var js string
		if err := rows.Scan(&ledger, &js); err != nil {
			t.Fatal(err)
		}
		out[ledger] = js
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
