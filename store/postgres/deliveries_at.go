package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ozmon/ozmon/store"
)

var _ store.DeliveryLogAt = (*Store)(nil)

// BeginDeliveryAt implements store.DeliveryLogAt: BeginDelivery told the
// close time of the key's ledger, the partition time ExpectDeliveries
// filed the record under. The record is then read and written in that one
// partition (PostgreSQL prunes the others from the plan) instead of
// looked up in every one. A record not found there — filed under another
// time (carried over from the unpartitioned log, or begun without an
// expectation) — is begun as BeginDelivery does, so a wrong or missing
// time costs a second statement, never a second record.
func (s *Store) BeginDeliveryAt(ctx context.Context, key store.DeliveryKey, closedAt time.Time, taskID, channel string) (store.Delivery, error) {
	key = cleanKey(key)
	if err := checkKey(key); err != nil {
		return store.Delivery{}, fmt.Errorf("postgres: begin delivery %s: %w", key, err)
	}
	return s.begins.do(ctx, beginItem{key: key, taskID: sanitizeName(taskID), channel: sanitizeName(channel), at: closedAt})
}

// FinishDeliveryAt implements store.DeliveryLogAt: FinishDelivery on the
// partition of closedAt, falling back to every partition as
// BeginDeliveryAt does.
func (s *Store) FinishDeliveryAt(ctx context.Context, key store.DeliveryKey, closedAt time.Time, status store.DeliveryStatus, lastError string) error {
	key = cleanKey(key)
	if err := checkKey(key); err != nil {
		return fmt.Errorf("postgres: finish delivery %s: %w", key, err)
	}
	if !status.Valid() || status == store.DeliveryPending {
		return fmt.Errorf("postgres: finish delivery %s: status %q is not an outcome: %w", key, clipText(string(status)), store.ErrInvalid)
	}
	_, err := s.finishes.do(ctx, finishItem{key: key, status: status, lastError: sanitizeText(lastError), at: closedAt})
	return err
}

// beginAt begins, in one UPDATE, the items whose close time is known and
// whose record is filed under it, and returns them by keyString; the
// others are left to beginAcross. ledger_closed_at = ANY(the batch's
// times) is what lets the planner prune: the join condition alone names
// no constant. An existing record is what every begin of a notification
// the pipeline expected finds, so the INSERT of beginAcross is not needed.
// The SET expressions are beginConflict's, reading the old row.
func (s *Store) beginAt(ctx context.Context, items []beginItem) (map[string]store.Delivery, error) {
	var a keyArrays
	var taskIDs, channels []string
	var times []time.Time
	for _, i := range keyOrder(len(items), func(i int) string { return items[i].groupKey() }) {
		if items[i].at.IsZero() {
			continue
		}
		a.add(items[i].key)
		taskIDs = append(taskIDs, items[i].taskID)
		channels = append(channels, items[i].channel)
		times = append(times, atMicros(items[i].at))
	}
	if len(times) == 0 {
		return map[string]store.Delivery{}, nil
	}
	rows, err := s.pool.Query(ctx, beginAtSQL, planEachTime,
		a.tenants, a.monitors, a.networks, a.ledgers, a.hashes, a.triggers, taskIDs, channels, times)
	if err != nil {
		return nil, err
	}
	return collectBegun(rows, len(items))
}

// collectBegun reads the rows of a begin statement, keyed by keyString.
func collectBegun(rows pgx.Rows, n int) (map[string]store.Delivery, error) {
	defer rows.Close()
	got := make(map[string]store.Delivery, n)
	for rows.Next() {
		d, err := scanBegun(rows)
		if err != nil {
			return nil, err
		}
		got[keyString(d.Key)] = d
	}
	return got, rows.Err()
}

// finishAt finishes, in one statement, the items whose close time is
// known and whose record is filed under it, and returns the indexes of
// the others (unknown time, or no record in that partition), in order,
// for finishAcross.
func (s *Store) finishAt(ctx context.Context, items []finishItem) (missed []int, err error) {
	var a keyArrays
	var statuses, errs []string
	var times []time.Time
	var pos []int // statement position (from 1) → item index
	for _, i := range keyOrder(len(items), func(i int) string { return items[i].groupKey() }) {
		if items[i].at.IsZero() {
			continue
		}
		a.add(items[i].key)
		statuses = append(statuses, string(items[i].status))
		errs = append(errs, items[i].lastError)
		times = append(times, atMicros(items[i].at))
		pos = append(pos, i)
	}
	found := make([]bool, len(items))
	if len(times) > 0 {
		rows, err := s.pool.Query(ctx, finishAtSQL, planEachTime,
			a.tenants, a.monitors, a.networks, a.ledgers, a.hashes, a.triggers, statuses, errs, times)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		for rows.Next() {
			var n int64
			if err := rows.Scan(&n); err != nil {
				return nil, err
			}
			if n < 1 || int(n) > len(pos) {
				return nil, fmt.Errorf("finish deliveries: position %d out of range", n)
			}
			found[pos[n-1]] = true
		}
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	for i, f := range found {
		if !f {
			missed = append(missed, i)
		}
	}
	return missed, nil
}

// atMicros is t as PostgreSQL stores it (microseconds, truncated as the
// binary encoding of ExpectDeliveries truncates): the close-time
// statements send text, which PostgreSQL would round instead.
func atMicros(t time.Time) time.Time { return t.Truncate(time.Microsecond) }

// planEachTime runs the close-time statements as the unnamed statement
// (one round trip, text parameters), which PostgreSQL plans for each
// execution, seeing the partition as it is then. As a named prepared
// statement — pgx's default — the plan may go generic after five
// executions and stay cached: made while the week's partition was never
// analyzed and small, it probed it with the (tenant_id, monitor,
// created_at, …) list index instead of the primary key, so each key read
// every record of its tenant's monitor in the week, for as long as the
// plan was kept (until autovacuum analyzed the partition). EXPLAIN
// ANALYZE of beginAtSQL, 64 keys, a never-analyzed partition of 4,064
// records: 20–90 ms on the cached plan made at 64 records, 2.6 ms
// planned afresh (primary key), 3.0 ms once analyzed. That was
// BenchmarkDeliveryRecords' order effect (docs/storage.md). Planning
// costs ~0.6 ms per statement; the plan prunes to the one partition.
const planEachTime = pgx.QueryExecModeExec

// beginAtSQL is beginAt's statement; $9 holds the close times.
const beginAtSQL = `WITH i AS (
			SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::bigint[], $5::text[], $6::text[], $7::text[], $8::text[], $9::timestamptz[])
				AS i(k_tenant, k_monitor, k_network, k_ledger, k_tx, k_trigger, k_task, k_channel, k_at))
		UPDATE ozmon_deliveries d SET
			previous_status = d.status,
			attempts = CASE WHEN d.status = 'delivered' THEN d.attempts ELSE d.attempts + 1 END,
			status = CASE WHEN d.status = 'delivered' THEN 'delivered' ELSE 'sending' END,
			task_id = CASE WHEN d.status = 'delivered' THEN d.task_id ELSE i.k_task END,
			channel = CASE WHEN d.status = 'delivered' THEN d.channel ELSE i.k_channel END,
			first_attempt_at = COALESCE(d.first_attempt_at, NOW()),
			updated_at = CASE WHEN d.status = 'delivered' THEN d.updated_at ELSE NOW() END
		FROM i
		WHERE d.ledger_closed_at = ANY($9::timestamptz[]) AND d.ledger_closed_at = i.k_at
			AND d.tenant_id = i.k_tenant AND d.monitor = i.k_monitor AND d.network = i.k_network
			AND d.ledger = i.k_ledger AND d.tx_hash = i.k_tx AND d.trigger = i.k_trigger
		RETURNING ` + deliveryColumns + `, previous_status`

// finishAtSQL is finishAt's statement; it returns the positions found.
const finishAtSQL = `WITH i AS (
				SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::bigint[], $5::text[], $6::text[], $7::text[], $8::text[], $9::timestamptz[])
					WITH ORDINALITY AS i(k_tenant, k_monitor, k_network, k_ledger, k_tx, k_trigger, k_status, k_error, k_at, n)),
			upd AS (
				UPDATE ozmon_deliveries d SET status = i.k_status, last_error = i.k_error, updated_at = NOW(),
					delivered_at = CASE WHEN i.k_status = 'delivered' THEN NOW() ELSE d.delivered_at END
				FROM i
				WHERE d.ledger_closed_at = ANY($9::timestamptz[]) AND d.ledger_closed_at = i.k_at
					AND d.tenant_id = i.k_tenant AND d.monitor = i.k_monitor AND d.network = i.k_network
					AND d.ledger = i.k_ledger AND d.tx_hash = i.k_tx AND d.trigger = i.k_trigger
					AND d.status <> 'delivered')
			SELECT i.n FROM i WHERE EXISTS (SELECT 1 FROM ozmon_deliveries d
				WHERE d.ledger_closed_at = ANY($9::timestamptz[]) AND d.ledger_closed_at = i.k_at
					AND d.tenant_id = i.k_tenant AND d.monitor = i.k_monitor AND d.network = i.k_network
					AND d.ledger = i.k_ledger AND d.tx_hash = i.k_tx AND d.trigger = i.k_trigger)`
