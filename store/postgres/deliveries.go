package postgres

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/ozmon/ozmon/store"
)

const deliveryColumns = `tenant_id::text, monitor, network, ledger, tx_hash, trigger, task_id, status, attempts,
	last_error, channel, first_attempt_at, delivered_at, created_at, updated_at, orphaned`

func scanDelivery(row pgx.Row) (store.Delivery, error) {
	var d store.Delivery
	var ledger int64
	var status string
	err := row.Scan(&d.Key.TenantID, &d.Key.Monitor, &d.Key.Network, &ledger, &d.Key.TxHash, &d.Key.Trigger,
		&d.TaskID, &status, &d.Attempts, &d.LastError, &d.Channel, &d.FirstAttemptAt, &d.DeliveredAt,
		&d.CreatedAt, &d.UpdatedAt, &d.Orphaned)
	d.Key.Ledger = uint64(ledger)
	d.Status = store.DeliveryStatus(status)
	return d, err
}

// scanBegun reads a row returned by a begin statement: the record and the
// status it had before the statement (NULL for a new record).
func scanBegun(row pgx.Row) (store.Delivery, error) {
	var d store.Delivery
	var ledger int64
	var status string
	var prev *string
	err := row.Scan(&d.Key.TenantID, &d.Key.Monitor, &d.Key.Network, &ledger, &d.Key.TxHash, &d.Key.Trigger,
		&d.TaskID, &status, &d.Attempts, &d.LastError, &d.Channel, &d.FirstAttemptAt, &d.DeliveredAt,
		&d.CreatedAt, &d.UpdatedAt, &d.Orphaned, &prev)
	d.Key.Ledger = uint64(ledger)
	d.Status = store.DeliveryStatus(status)
	if prev != nil {
		d.Previous = store.DeliveryStatus(*prev)
	}
	return d, err
}

// cleanKey makes a key's texts storable (see sanitizeName). Every method
// taking a key cleans it, so a hostile transaction hash or name (a NUL
// byte, invalid UTF-8) is recorded, and found again, rather than refused
// by PostgreSQL on every attempt.
func cleanKey(key store.DeliveryKey) store.DeliveryKey {
	key.Monitor, key.Network = sanitizeName(key.Monitor), sanitizeName(key.Network)
	key.TxHash, key.Trigger = sanitizeName(key.TxHash), sanitizeName(key.Trigger)
	return key
}

// refused marks an error PostgreSQL raised about the data itself (SQLSTATE
// class 22, data exception) as store.ErrInvalid: writing it again cannot
// succeed, so the caller must not wait for it.
func refused(err error) error {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && strings.HasPrefix(pgErr.Code, "22") {
		return fmt.Errorf("%w: %w", err, store.ErrInvalid)
	}
	return err
}

func checkKey(key store.DeliveryKey) error {
	switch {
	case !validUUID(key.TenantID):
		return fmt.Errorf("tenant id %q is not a UUID: %w", key.TenantID, store.ErrInvalid)
	case key.Ledger > math.MaxInt64:
		return fmt.Errorf("ledger %d out of range: %w", key.Ledger, store.ErrInvalid)
	case key.Monitor == "" || key.Network == "" || key.Trigger == "":
		return fmt.Errorf("monitor, network and trigger are required: %w", store.ErrInvalid)
	}
	return nil
}

// BeginDelivery records an attempt at delivering key. The first call
// creates the record; later calls count another attempt and take the new
// task id and channel. A delivered record comes back unchanged (status
// delivered, attempts not counted), telling the caller not to resend.
//
// Concurrent calls are written together (see groupCommit); each returns
// once its own row is committed.
func (s *Store) BeginDelivery(ctx context.Context, key store.DeliveryKey, taskID, channel string) (store.Delivery, error) {
	key = cleanKey(key)
	if err := checkKey(key); err != nil {
		return store.Delivery{}, fmt.Errorf("postgres: begin delivery %s: %w", key, err)
	}
	return s.begins.do(ctx, beginItem{key: key, taskID: sanitizeName(taskID), channel: sanitizeName(channel)})
}

// beginOne is BeginDelivery as one statement.
func (s *Store) beginOne(ctx context.Context, it beginItem) (store.Delivery, error) {
	key, taskID, channel := it.key, it.taskID, it.channel
	if !it.at.IsZero() {
		got, err := s.beginAt(ctx, []beginItem{it})
		if err != nil {
			return store.Delivery{}, fmt.Errorf("postgres: begin delivery %s: %w", key, refused(err))
		}
		if d, ok := got[it.groupKey()]; ok {
			return d, nil
		}
	}
	// The no-op update on a delivered row is what makes RETURNING hand
	// back the existing record in the same statement.
	d, err := scanBegun(s.pool.QueryRow(ctx, `INSERT INTO ozmon_deliveries
			(tenant_id, monitor, network, ledger, tx_hash, trigger, task_id, channel, status, attempts, first_attempt_at, ledger_closed_at)
		SELECT i.tenant_id, i.monitor, i.network, i.ledger, i.tx_hash, i.trigger, i.task_id, i.channel, 'sending', 1, NOW(), `+filedAt+`
		FROM (VALUES ($1::uuid, $2::text, $3::text, $4::bigint, $5::text, $6::text, $7::text, $8::text))
			AS i(tenant_id, monitor, network, ledger, tx_hash, trigger, task_id, channel) `+beginConflict,
		key.TenantID, key.Monitor, key.Network, int64(key.Ledger), key.TxHash, key.Trigger, taskID, channel))
	if err != nil {
		return store.Delivery{}, fmt.Errorf("postgres: begin delivery %s: %w", key, refused(err))
	}
	return d, nil
}

// filedAt is the partition time a begin files its record under: the
// existing record's, found across every partition, since BeginDelivery is
// not told the ledger's close time; the time of writing only for a key
// that has no record at all (a task whose expectation was never written).
// Expectations are written before their tasks are enqueued, so two writes
// of one key that race here each find the same record.
const filedAt = `COALESCE((SELECT d.ledger_closed_at FROM ozmon_deliveries d
			WHERE d.tenant_id = i.tenant_id AND d.monitor = i.monitor AND d.network = i.network
				AND d.ledger = i.ledger AND d.tx_hash = i.tx_hash AND d.trigger = i.trigger LIMIT 1), NOW())`

// deliveryConflict is the delivery log's primary key: the delivery key
// and the partition key, a function of it (migration 0009 says why).
const deliveryConflict = `ON CONFLICT (tenant_id, monitor, network, ledger, tx_hash, trigger, ledger_closed_at)`

// beginConflict turns a begin into "one more attempt" on an existing
// record, or hands a delivered record back untouched. previous_status
// keeps the status the attempt found (SET reads the existing row), so the
// statement returns it without a second lookup.
const beginConflict = deliveryConflict + ` DO UPDATE SET
			previous_status = ozmon_deliveries.status,
			attempts = CASE WHEN ozmon_deliveries.status = 'delivered' THEN ozmon_deliveries.attempts
				ELSE ozmon_deliveries.attempts + 1 END,
			status = CASE WHEN ozmon_deliveries.status = 'delivered' THEN 'delivered' ELSE 'sending' END,
			task_id = CASE WHEN ozmon_deliveries.status = 'delivered' THEN ozmon_deliveries.task_id
				ELSE EXCLUDED.task_id END,
			channel = CASE WHEN ozmon_deliveries.status = 'delivered' THEN ozmon_deliveries.channel
				ELSE EXCLUDED.channel END,
			first_attempt_at = COALESCE(ozmon_deliveries.first_attempt_at, EXCLUDED.first_attempt_at),
			updated_at = CASE WHEN ozmon_deliveries.status = 'delivered' THEN ozmon_deliveries.updated_at
				ELSE NOW() END
		RETURNING ` + deliveryColumns + `, previous_status`

// FinishDelivery stores the outcome of the latest attempt. Delivered is
// final: a later FinishDelivery of any status leaves the record as it is
// (a duplicate task that lost the race must not turn it into failed).
//
// Concurrent calls are written together, as BeginDelivery's.
func (s *Store) FinishDelivery(ctx context.Context, key store.DeliveryKey, status store.DeliveryStatus, lastError string) error {
	key = cleanKey(key)
	if err := checkKey(key); err != nil {
		return fmt.Errorf("postgres: finish delivery %s: %w", key, err)
	}
	if !status.Valid() || status == store.DeliveryPending {
		return fmt.Errorf("postgres: finish delivery %s: status %q is not an outcome: %w", key, clipText(string(status)), store.ErrInvalid)
	}
	// A receiver's reply or a script's stderr may hold NUL bytes or invalid
	// UTF-8, which PostgreSQL refuses: a refused outcome would leave the
	// record in sending. It is also cut to maxStoredText.
	_, err := s.finishes.do(ctx, finishItem{key: key, status: status, lastError: sanitizeText(lastError)})
	return err
}

// finishOne is FinishDelivery as one statement.
func (s *Store) finishOne(ctx context.Context, it finishItem) (struct{}, error) {
	key, status, lastError := it.key, it.status, it.lastError
	if !it.at.IsZero() {
		missed, err := s.finishAt(ctx, []finishItem{it})
		if err != nil {
			return struct{}{}, fmt.Errorf("postgres: finish delivery %s as %s: %w", key, status, refused(err))
		}
		if len(missed) == 0 {
			return struct{}{}, nil
		}
	}
	var current string
	err := s.pool.QueryRow(ctx, `WITH upd AS (
			UPDATE ozmon_deliveries SET status = $7, last_error = $8, updated_at = NOW(),
				delivered_at = CASE WHEN $7 = 'delivered' THEN NOW() ELSE delivered_at END
			WHERE tenant_id = $1 AND monitor = $2 AND network = $3 AND ledger = $4 AND tx_hash = $5 AND trigger = $6
				AND status <> 'delivered'
			RETURNING status)
		SELECT status FROM upd
		UNION ALL
		SELECT status FROM ozmon_deliveries
			WHERE tenant_id = $1 AND monitor = $2 AND network = $3 AND ledger = $4 AND tx_hash = $5 AND trigger = $6
		LIMIT 1`,
		key.TenantID, key.Monitor, key.Network, int64(key.Ledger), key.TxHash, key.Trigger, string(status), lastError).Scan(&current)
	if errors.Is(err, pgx.ErrNoRows) {
		return struct{}{}, fmt.Errorf("postgres: finish delivery %s: %w", key, store.ErrNotFound)
	}
	if err != nil {
		return struct{}{}, fmt.Errorf("postgres: finish delivery %s as %s: %w", key, status, refused(err))
	}
	return struct{}{}, nil
}

// listQuery is ListDeliveries' statement for f, its arguments and the
// page size it asks for.
func listQuery(f store.DeliveryFilter) (q string, args []any, limit int, err error) {
	var where []string
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, strings.ReplaceAll(cond, "?", "$"+strconv.Itoa(len(args))))
	}
	if f.TenantID != "" {
		if !validUUID(f.TenantID) {
			return "", nil, 0, fmt.Errorf("tenant id %q is not a UUID", f.TenantID)
		}
		add("tenant_id = ?", f.TenantID)
	}
	if f.Monitor != "" {
		add("monitor = ?", sanitizeName(f.Monitor))
	}
	if f.TaskID != "" {
		add("task_id = ?", sanitizeName(f.TaskID))
	}
	if f.Status != "" {
		if !f.Status.Valid() {
			return "", nil, 0, fmt.Errorf("unknown status %q: %w", clipText(string(f.Status)), store.ErrInvalid)
		}
		add("status = ?", string(f.Status))
	}
	if !f.Since.IsZero() {
		add("created_at >= ?", f.Since)
	}
	if !f.Until.IsZero() {
		add("created_at < ?", f.Until)
	}
	if f.After != nil {
		cond, err := afterCondition(*f.After, len(args))
		if err != nil {
			return "", nil, 0, err
		}
		a := f.After
		args = append(args, a.CreatedAt, a.Key.TenantID, sanitizeName(a.Key.Monitor), sanitizeName(a.Key.Network),
			int64(a.Key.Ledger), sanitizeName(a.Key.TxHash), sanitizeName(a.Key.Trigger))
		where = append(where, cond)
	}
	limit = f.Limit
	switch {
	case limit <= 0:
		limit = 100
	case limit > 1000:
		limit = 1000
	}
	q = `SELECT ` + deliveryColumns + ` FROM ozmon_deliveries`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, " AND ")
	}
	q += ` ORDER BY ` + listOrderBy() + ` LIMIT ` + strconv.Itoa(limit)
	return q, args, limit, nil
}

// ListDeliveries returns the deliveries matching f, newest first.
func (s *Store) ListDeliveries(ctx context.Context, f store.DeliveryFilter) ([]store.Delivery, error) {
	q, args, limit, err := listQuery(f)
	if err != nil {
		return nil, fmt.Errorf("postgres: list deliveries: %w", err)
	}
	rows, err := s.pool.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("postgres: list deliveries: %w", err)
	}
	defer rows.Close()
	// Sized for a full page: a page is usually full, and growing a slice
	// of records by doubling costs more than the page itself.
	out := make([]store.Delivery, 0, min(limit, 200))
	for rows.Next() {
		d, err := scanDelivery(rows)
		if err != nil {
			return nil, fmt.Errorf("postgres: list deliveries: %w", err)
		}
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: list deliveries: %w", err)
	}
	return out, nil
}

// ExpectDeliveries implements store.DeliveryLog: one statement for the
// whole batch, keys sorted so concurrent batches lock rows in one order.
func (s *Store) ExpectDeliveries(ctx context.Context, ds []store.ExpectedDelivery) error {
	if len(ds) == 0 {
		return nil
	}
	var a keyArrays
	var taskIDs, channels []string
	var times []time.Time
	var payloads [][]byte
	now := time.Now()
	keys := make([]store.DeliveryKey, len(ds))
	for i := range ds {
		keys[i] = cleanKey(ds[i].Key)
	}
	for _, i := range keyOrder(len(ds), func(i int) string { return keyString(keys[i]) }) {
		if err := checkKey(keys[i]); err != nil {
			return fmt.Errorf("postgres: expect delivery %s: %w", keys[i], err)
		}
		a.add(keys[i])
		if n := len(ds[i].Payload); n > s.maxPayload {
			return fmt.Errorf("postgres: expect delivery %s: payload of %d bytes is over the %d bytes a record keeps: %w",
				keys[i], n, s.maxPayload, store.ErrInvalid)
		}
		taskIDs = append(taskIDs, sanitizeName(ds[i].TaskID))
		channels = append(channels, sanitizeName(ds[i].Channel))
		at := ds[i].LedgerClosedAt
		if at.IsZero() {
			at = now
		}
		times = append(times, at)
		payloads = append(payloads, ds[i].Payload)
	}
	// A key recorded already is left alone wherever it is filed: its
	// partition time may differ from the one given (a record carried over
	// from before partitioning is filed under its creation time), and the
	// primary key, partition time included, would not see it.
	_, err := s.pool.Exec(ctx, `INSERT INTO ozmon_deliveries
			(tenant_id, monitor, network, ledger, tx_hash, trigger, task_id, channel, status, ledger_closed_at, payload)
		SELECT DISTINCT ON (i.tenant_id, i.monitor, i.network, i.ledger, i.tx_hash, i.trigger)
			i.tenant_id, i.monitor, i.network, i.ledger, i.tx_hash, i.trigger, i.task_id, i.channel, 'pending', i.at, i.payload
		FROM unnest($1::uuid[], $2::text[], $3::text[], $4::bigint[], $5::text[], $6::text[], $7::text[], $8::text[],
				$9::timestamptz[], $10::bytea[])
			AS i(tenant_id, monitor, network, ledger, tx_hash, trigger, task_id, channel, at, payload)
		WHERE NOT EXISTS (SELECT 1 FROM ozmon_deliveries d
			WHERE d.tenant_id = i.tenant_id AND d.monitor = i.monitor AND d.network = i.network
				AND d.ledger = i.ledger AND d.tx_hash = i.tx_hash AND d.trigger = i.trigger)
		`+deliveryConflict+` DO NOTHING`,
		a.tenants, a.monitors, a.networks, a.ledgers, a.hashes, a.triggers, taskIDs, channels, times, payloads)
	if err != nil {
		return fmt.Errorf("postgres: expect %d deliveries: %w", len(ds), refused(err))
	}
	return nil
}
