package postgres

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/ozmon/ozmon/internal/testkit"
)

var tenantIsolationTables = []string{
	"tenants", "users", "tenant_memberships", "api_keys", "tenant_networks",
	"tenant_monitors", "tenant_triggers", "resource_usage", "audit_logs", "trigger_scripts",
}

func TestMigrateTwiceIsIdempotent(t *testing.T) {
	t.Parallel()
	s, _ := openTestStore(t)
	ctx := context.Background()
	id := importFixture(t, s, "acme", standardFixture())
	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("second migrate: %v", err)
	}
	v, err := s.SchemaVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ms, _ := loadMigrations()
	if v != ms[len(ms)-1].version {
		t.Fatalf("schema version %d, want %d", v, ms[len(ms)-1].version)
	}
	var n int
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM ozmon_schema_migrations`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != len(ms) {
		t.Fatalf("%d migrations recorded, want %d", n, len(ms))
	}
	tc, err := s.TenantConfig(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if len(tc.Config.Monitors) != 2 {
		t.Fatalf("after second migrate: %d monitors, want 2", len(tc.Config.Monitors))
	}
}

func TestMigrateConcurrently(t *testing.T) {
	t.Parallel()
	url, schema := testkit.PostgresSchema(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := Open(ctx, url, WithNotifyChannel("ozmon_"+schema))
			if err != nil {
				errs[i] = err
				return
			}
			defer s.Close()
			errs[i] = s.Migrate(ctx)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("migrator %d: %v", i, err)
		}
	}
	pool := openPool(t, url)
	var n int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM ozmon_schema_migrations`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	ms, _ := loadMigrations()
	if n != len(ms) {
		t.Fatalf("%d migrations recorded, want %d", n, len(ms))
	}
}

// originalSchemaSQL turns migration 1 back into what the tenant-isolation
// project's own loaders leave behind: the same objects created without
// IF NOT EXISTS, so running it twice would fail.
func originalSchemaSQL(t *testing.T) string {
	t.Helper()
	b, err := migrationFS.ReadFile("migrations/0001_tenant_isolation.sql")
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	s = regexp.MustCompile(`(?m)^DROP TRIGGER IF EXISTS .*$`).ReplaceAllString(s, "")
	s = strings.ReplaceAll(s, " IF NOT EXISTS", "")
	if strings.Contains(s, "IF NOT EXISTS") || strings.Contains(s, "IF EXISTS") {
		t.Fatal("original schema still has IF [NOT] EXISTS")
	}
	return s
}

func TestMigrateOnExistingTenantIsolationSchema(t *testing.T) {
	t.Parallel()
	url, schema := testkit.PostgresSchema(t)
	ctx := context.Background()
	pool := openPool(t, url)
	if _, err := pool.Exec(ctx, originalSchemaSQL(t)); err != nil {
		t.Fatalf("create original schema: %v", err)
	}
	// Data the tenant-isolation API wrote before ozmon arrived.
	var tenantID string
	if err := pool.QueryRow(ctx, `INSERT INTO tenants (name, slug) VALUES ('Acme', 'acme') RETURNING id::text`).Scan(&tenantID); err != nil {
		t.Fatal(err)
	}
	var netID string
	if err := pool.QueryRow(ctx, `INSERT INTO tenant_networks (tenant_id, network_id, name, blockchain, configuration)
		VALUES ($1, 'stellar_testnet', 'Stellar testnet', 'stellar', $2) RETURNING id::text`,
		tenantID, networkJSON("stellar_testnet")).Scan(&netID); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `INSERT INTO tenant_monitors (tenant_id, monitor_id, name, network_id, configuration)
		VALUES ($1, 'm1', 'Swaps', $2, $3)`, tenantID, netID, monitorJSON("Swaps", "stellar_testnet", "amount > 5")); err != nil {
		t.Fatal(err)
	}

	s, err := Open(ctx, url, WithNotifyChannel("ozmon_"+schema))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("migrate on top of the original schema: %v", err)
	}
	tc, err := s.TenantConfig(ctx, tenantID)
	if err != nil {
		t.Fatal(err)
	}
	if len(tc.Problems) != 0 || tc.Config.Monitors["Swaps"] == nil {
		t.Fatalf("pre-existing monitor not loaded: monitors %v, problems %v", sortedMapKeys(tc.Config.Monitors), tc.Problems)
	}
	tenants, err := s.Tenants(ctx)
	if err != nil || len(tenants) != 1 || tenants[0].Slug != "acme" || tenants[0].Tier != "default" {
		t.Fatalf("tenants = %+v, %v", tenants, err)
	}
}

// TestMigrationMatchesOriginalSchema compares the catalog of a migrated
// schema with the original DDL, column by column and index by index, so
// the tenant-isolation API keeps working on an ozmon database.
func TestMigrationMatchesOriginalSchema(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	origURL, origSchema := testkit.PostgresSchema(t)
	orig := openPool(t, origURL)
	if _, err := orig.Exec(ctx, originalSchemaSQL(t)); err != nil {
		t.Fatalf("create original schema: %v", err)
	}
	s, _ := openTestStore(t)
	var migSchema string
	if err := s.pool.QueryRow(ctx, `SELECT current_schema()`).Scan(&migSchema); err != nil {
		t.Fatal(err)
	}
	origCols := describeColumns(t, orig, origSchema)
	migCols := describeColumns(t, s.pool, migSchema)
	if len(origCols) == 0 {
		t.Fatal("no columns found in the original schema")
	}
	for i := range origCols {
		if i >= len(migCols) || origCols[i] != migCols[i] {
			got := "(missing)"
			if i < len(migCols) {
				got = migCols[i]
			}
			t.Fatalf("column %d differs:\noriginal: %s\nmigrated: %s", i, origCols[i], got)
		}
	}
	if len(migCols) != len(origCols) {
		t.Fatalf("migrated schema has %d columns in the 10 tables, original %d", len(migCols), len(origCols))
	}
	origIdx := indexNames(t, orig, origSchema)
	migIdx := indexNames(t, s.pool, migSchema)
	for name := range origIdx {
		if !migIdx[name] {
			t.Errorf("index %s of the original schema is missing", name)
		}
	}
	if len(origIdx) < 11+3 {
		t.Fatalf("original schema has only %d indexes", len(origIdx))
	}
}

func describeColumns(t *testing.T, pool *pgxpool.Pool, schema string) []string {
	t.Helper()
	rows, err := pool.Query(context.Background(), `SELECT table_name, column_name, data_type,
			COALESCE(character_maximum_length, 0), is_nullable, COALESCE(column_default, '')
		FROM information_schema.columns
		WHERE table_schema = $1 AND table_name = ANY($2)
		ORDER BY table_name, ordinal_position`, schema, tenantIsolationTables)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var table, col, typ, nullable, def string
		var maxLen int
		if err := rows.Scan(&table, &col, &typ, &maxLen, &nullable, &def); err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprintf("%s.%s %s(%d) nullable=%s default=%s", table, col, typ, maxLen, nullable, def))
	}
	return out
}

func indexNames(t *testing.T, pool *pgxpool.Pool, schema string) map[string]bool {
	t.Helper()
	rows, err := pool.Query(context.Background(), `SELECT indexname FROM pg_indexes WHERE schemaname = $1`, schema)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		out[n] = true
	}
	return out
}

func openPool(t *testing.T, url string) *pgxpool.Pool {
	t.Helper()
	pool, err := pgxpool.New(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return pool
}

// TestSchemaFixesHoldAcrossTenants checks the schema fixes migration 2 adds:
// names unique per tenant, and no row hanging off another tenant's row.
func TestSchemaFixesHoldAcrossTenants(t *testing.T) {
	t.Parallel()
	s, _ := openTestStore(t)
	ctx := context.Background()
	a := importFixture(t, s, "alpha", standardFixture())
	b := importFixture(t, s, "beta", standardFixture())
	var aNet, aMon string
	if err := s.pool.QueryRow(ctx, `SELECT n.id::text, m.id::text FROM tenant_networks n
		JOIN tenant_monitors m ON m.network_id = n.id WHERE n.tenant_id = $1 LIMIT 1`, a).Scan(&aNet, &aMon); err != nil {
		t.Fatal(err)
	}
	conf := monitorJSON("Stolen", "stellar_testnet", "amount > 1")
	cases := []struct {
		name, sql, constraint string
		args                  []any
	}{
		{"monitor on another tenant's network",
			`INSERT INTO tenant_monitors (tenant_id, monitor_id, name, network_id, configuration) VALUES ($1, 'x', 'Stolen', $2, $3)`,
			"tenant_monitors_network_same_tenant", []any{b, aNet, conf}},
		{"trigger on another tenant's monitor",
			`INSERT INTO tenant_triggers (tenant_id, trigger_id, monitor_id, name, type, configuration) VALUES ($1, 'x', $2, 'x', 'webhook', '{}')`,
			"tenant_triggers_monitor_same_tenant", []any{b, aMon}},
		{"second monitor with a taken name",
			`INSERT INTO tenant_monitors (tenant_id, monitor_id, name, network_id, configuration) VALUES ($1, 'other-id', 'Big swaps', $2, $3)`,
			"tenant_monitors_tenant_id_name_key", []any{a, aNet, conf}},
		{"second trigger with a taken name",
			`INSERT INTO tenant_triggers (tenant_id, trigger_id, monitor_id, name, type, configuration) VALUES ($1, 'other-id', $2, 'ops_hook', 'webhook', '{}')`,
			"tenant_triggers_tenant_id_name_key", []any{a, aMon}},
	}
	for _, c := range cases {
		_, err := s.pool.Exec(ctx, c.sql, c.args...)
		var pgErr *pgconn.PgError
		if !errors.As(err, &pgErr) || pgErr.ConstraintName != c.constraint {
			t.Errorf("%s: err = %v, want a violation of %s", c.name, err, c.constraint)
		}
	}
}
