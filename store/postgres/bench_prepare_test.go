package postgres

import (
	"context"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ozmon/ozmon/internal/testkit"
)

// Sizes of the log prepareBenchLog leaves: about a year of weekly
// partitions holding a busy tenant's year of records.
const (
	benchLogWeeks = 46 // past weeks; with four ahead and the default, 51 partitions
	benchLogRows  = 100_000
)

// openBenchStore is openTestStore whose connections carry an
// application_name of their own, so backendsCPU can find the PostgreSQL
// backends serving this benchmark and no other.
func openBenchStore(b *testing.B) (*Store, string) {
	b.Helper()
	url, schema := testkit.PostgresSchema(b)
	app := "ozbench_" + schema
	ctx := context.Background()
	s, err := Open(ctx, url+"&application_name="+app, WithNotifyChannel("ozmon_"+schema))
	if err != nil {
		b.Fatalf("open: %v", err)
	}
	b.Cleanup(s.Close)
	if err := s.Migrate(ctx); err != nil {
		b.Fatalf("migrate: %v", err)
	}
	return s, app
}

// prepareBenchLog fills the log as a year of a busy tenant leaves it:
// weekly partitions from benchLogWeeks ago to four weeks ahead and
// benchLogRows delivered records spread evenly over the past weeks
// (about 2,200 a week, the current week included), analyzed as
// autovacuum would have.
func prepareBenchLog(b *testing.B, s *Store, tenant string) {
	b.Helper()
	ctx := context.Background()
	now := time.Now()
	span := time.Duration(benchLogWeeks) * 7 * 24 * time.Hour
	if _, err := s.EnsureDeliveryPartitions(ctx, now.Add(-span), now.Add(PartitionsAhead)); err != nil {
		b.Fatal(err)
	}
	if _, err := s.pool.Exec(ctx, `INSERT INTO ozmon_deliveries
			(tenant_id, monitor, network, ledger, tx_hash, trigger, task_id, channel, status, attempts,
				first_attempt_at, delivered_at, ledger_closed_at)
		SELECT $1, 'Big swaps', 'stellar_mainnet', g, lpad(g::text, 64, '0'), 'ops_hook', 'task-' || g, 'webhook',
			'delivered', 1, NOW(), NOW(), $2::timestamptz - g * ($3::float8 / $4) * interval '1 second'
		FROM generate_series(1, $4::int) g`, tenant, now, span.Seconds(), benchLogRows); err != nil {
		b.Fatalf("fill the delivery log: %v", err)
	}
	// Autovacuum analyzes a partition once rows change in it; the empty
	// partitions made ahead stay never analyzed, as in production.
	parts, err := s.DeliveryPartitions(ctx)
	if err != nil {
		b.Fatal(err)
	}
	for _, p := range parts {
		if !p.Default && p.From.Before(now) {
			if _, err := s.pool.Exec(ctx, `ANALYZE `+pgx.Identifier{p.Name}.Sanitize()); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// backends lists the process ids of the PostgreSQL backends whose
// application_name is app.
func backends(b *testing.B, s *Store, app string) []int {
	b.Helper()
	rows, err := s.pool.Query(context.Background(), `SELECT pid FROM pg_stat_activity WHERE application_name = $1`, app)
	if err != nil {
		b.Fatal(err)
	}
	pids, err := pgx.CollectRows(rows, pgx.RowTo[int])
	if err != nil {
		b.Fatal(err)
	}
	return pids
}

// backendsCPU is the CPU time the given backends have used so far, read
// from /proc: the server's side of a benchmark, apart from whatever else
// the shared server runs. A backend gone counts nothing.
func backendsCPU(b *testing.B, pids []int) time.Duration {
	b.Helper()
	var total time.Duration
	for _, pid := range pids {
		data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
		if err != nil {
			continue
		}
		// Fields after the command name's closing parenthesis start at
		// field 3; utime and stime are fields 14 and 15, in 10 ms ticks.
		f := strings.Fields(string(data[strings.LastIndexByte(string(data), ')')+1:]))
		user, _ := strconv.ParseInt(f[11], 10, 64)
		sys, _ := strconv.ParseInt(f[12], 10, 64)
		total += time.Duration(user+sys) * 10 * time.Millisecond
	}
	return total
}
