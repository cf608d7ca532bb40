package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/ozmon/ozmon/store"
)

// AddUsage adds rows to the hourly usage table in one statement: each
// row's counts are added to what the (tenant, hour) row already holds, so
// flushes from any number of workers sum. Either every valid row is
// written or none is. Rows whose tenant id is not a UUID cannot belong to
// a tenant of this database: they are left out, the others written, and
// the error (wrapping store.ErrInvalid) says how many.
func (s *Store) AddUsage(ctx context.Context, rows []store.UsageHour) error {
	n := len(rows)
	ids := make([]string, 0, n)
	hours := make([]time.Time, 0, n)
	cols := [8][]int64{}
	for i := range cols {
		cols[i] = make([]int64, 0, n)
	}
	bad := 0
	for _, r := range rows {
		if !validUUID(r.TenantID) {
			bad++
			continue
		}
		ids = append(ids, r.TenantID)
		hours = append(hours, r.Hour.UTC().Truncate(time.Hour))
		for i, v := range [8]int64{r.Ledgers, r.Evaluations, r.EvalCPUMicros, r.Matches, r.Delivered, r.Failed, r.Archived, r.Retried} {
			cols[i] = append(cols[i], v)
		}
	}
	if len(ids) > 0 {
		// One statement, one round trip, whatever the number of tenants.
		// Rows for one (tenant, hour) must not repeat within it (ON
		// CONFLICT cannot touch a row twice): callers aggregate first.
		_, err := s.pool.Exec(ctx, `
INSERT INTO ozmon_usage_hourly AS u (tenant_id, hour, ledgers, evaluations, eval_cpu_us, matches, delivered, failed, archived, retried)
SELECT * FROM unnest($1::uuid[], $2::timestamptz[], $3::bigint[], $4::bigint[], $5::bigint[], $6::bigint[], $7::bigint[], $8::bigint[], $9::bigint[], $10::bigint[])
ON CONFLICT (tenant_id, hour) DO UPDATE SET
    ledgers = u.ledgers + EXCLUDED.ledgers,
    evaluations = u.evaluations + EXCLUDED.evaluations,
    eval_cpu_us = u.eval_cpu_us + EXCLUDED.eval_cpu_us,
    matches = u.matches + EXCLUDED.matches,
    delivered = u.delivered + EXCLUDED.delivered,
    failed = u.failed + EXCLUDED.failed,
    archived = u.archived + EXCLUDED.archived,
    retried = u.retried + EXCLUDED.retried`,
			ids, hours, cols[0], cols[1], cols[2], cols[3], cols[4], cols[5], cols[6], cols[7])
		if err != nil {
			return fmt.Errorf("postgres: add usage of %d tenant-hours: %w", len(ids), err)
		}
	}
	if bad > 0 {
		return fmt.Errorf("postgres: add usage: %d rows left out, their tenant id is not a UUID: %w", bad, store.ErrInvalid)
	}
	return nil
}

// Usage returns one tenant's hourly usage rows in [from, to), from rounded
// down to its hour, oldest first; hours without activity have no row. The
// range must be positive and at most store.MaxUsageRange. An id that is
// not a UUID names no tenant: no rows.
func (s *Store) Usage(ctx context.Context, tenantID string, from, to time.Time) ([]store.UsageHour, error) {
	from = from.UTC().Truncate(time.Hour)
	to = to.UTC()
	if !to.After(from) {
		return nil, fmt.Errorf("postgres: usage of tenant %s: range %s to %s is empty (to must be after from): %w",
			tenantID, from.Format(time.RFC3339), to.Format(time.RFC3339), store.ErrInvalid)
	}
	if to.Sub(from) > store.MaxUsageRange {
		return nil, fmt.Errorf("postgres: usage of tenant %s: range %s to %s spans %s, at most %d days may be asked at once: %w",
			tenantID, from.Format(time.RFC3339), to.Format(time.RFC3339), to.Sub(from).Round(time.Hour), int(store.MaxUsageRange/(24*time.Hour)), store.ErrInvalid)
	}
	if !validUUID(tenantID) {
		return nil, nil
	}
	rows, err := s.pool.Query(ctx, `
SELECT hour, ledgers, evaluations, eval_cpu_us, matches, delivered, failed, archived, retried
FROM ozmon_usage_hourly WHERE tenant_id = $1 AND hour >= $2 AND hour < $3 ORDER BY hour`, tenantID, from, to)
	if err != nil {
		return nil, fmt.Errorf("postgres: usage of tenant %s: %w", tenantID, err)
	}
	defer rows.Close()
	var out []store.UsageHour
	for rows.Next() {
		u := store.UsageHour{TenantID: tenantID}
		if err := rows.Scan(&u.Hour, &u.Ledgers, &u.Evaluations, &u.EvalCPUMicros, &u.Matches, &u.Delivered, &u.Failed, &u.Archived, &u.Retried); err != nil {
			return nil, fmt.Errorf("postgres: usage of tenant %s: read row: %w", tenantID, err)
		}
		u.Hour = u.Hour.UTC()
		out = append(out, u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: usage of tenant %s: %w", tenantID, err)
	}
	return out, nil
}
