package postgres

import (
	"context"
	"fmt"
	"maps"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/ozmon/ozmon/store"
)

const (
	// deliveryBatch bounds the rows of one grouped statement; a worker's
	// default concurrency (50) fits in one.
	deliveryBatch = 64
	// deliveryFlights is how many grouped statements may run at once. One:
	// rows arriving while a statement runs form the next, bigger group; a
	// second flight halved the groups and cost PostgreSQL more CPU per
	// record (measured with BenchmarkDeliveries and the pipeline benchmark).
	deliveryFlights = 1
	// deliveryWriteTimeout bounds one grouped statement.
	deliveryWriteTimeout = 30 * time.Second
)

type beginItem struct {
	key             store.DeliveryKey
	taskID, channel string
	at              time.Time // the key's ledger close time; zero: not known
}

func (it beginItem) groupKey() string { return keyString(it.key) }

type finishItem struct {
	key       store.DeliveryKey
	status    store.DeliveryStatus
	lastError string
	at        time.Time // the key's ledger close time; zero: not known
}

func (it finishItem) groupKey() string { return keyString(it.key) }

// keyString is a record's primary key as one comparable string; UUIDs are
// compared as PostgreSQL returns them (lower case).
func keyString(k store.DeliveryKey) string {
	return strings.Join([]string{strings.ToLower(k.TenantID), k.Monitor, k.Network,
		strconv.FormatUint(k.Ledger, 10), k.TxHash, k.Trigger}, "\x00")
}

// keyOrder returns the items' indexes sorted by key, so concurrent grouped
// statements lock rows in one order and cannot deadlock each other.
func keyOrder(n int, key func(i int) string) []int {
	order := make([]int, n)
	keys := make([]string, n)
	for i := range order {
		order[i], keys[i] = i, key(i)
	}
	sort.Slice(order, func(a, b int) bool { return keys[order[a]] < keys[order[b]] })
	return order
}

// keyArrays are the primary-key columns of a batch as arrays for unnest.
type keyArrays struct {
	tenants, monitors, networks, hashes, triggers []string
	ledgers                                       []int64
}

func (a *keyArrays) add(k store.DeliveryKey) {
	a.tenants = append(a.tenants, k.TenantID)
	a.monitors = append(a.monitors, k.Monitor)
	a.networks = append(a.networks, k.Network)
	a.ledgers = append(a.ledgers, int64(k.Ledger))
	a.hashes = append(a.hashes, k.TxHash)
	a.triggers = append(a.triggers, k.Trigger)
}

// beginBatch is BeginDelivery for several records: those whose close
// time is known in one statement on their partitions (beginAt), the rest
// — and any not found there — in one statement across partitions.
func (s *Store) beginBatch(ctx context.Context, items []beginItem) ([]result[store.Delivery], error) {
	got, err := s.beginAt(ctx, items)
	if err != nil {
		return nil, err
	}
	var rest []beginItem
	for _, it := range items {
		if _, ok := got[it.groupKey()]; !ok {
			rest = append(rest, it)
		}
	}
	if len(rest) > 0 {
		more, err := s.beginAcross(ctx, rest)
		if err != nil {
			return nil, err
		}
		maps.Copy(got, more)
	}
	out := make([]result[store.Delivery], len(items))
	for i, it := range items {
		d, ok := got[it.groupKey()]
		if !ok {
			return nil, fmt.Errorf("begin delivery %s: no row returned", it.key)
		}
		out[i].val = d
	}
	return out, nil
}

// beginAcross begins items in one statement that looks each key up across
// every partition (filedAt), keyed by keyString.
func (s *Store) beginAcross(ctx context.Context, items []beginItem) (map[string]store.Delivery, error) {
	var a keyArrays
	var taskIDs, channels []string
	for _, i := range keyOrder(len(items), func(i int) string { return items[i].groupKey() }) {
		a.add(items[i].key)
		taskIDs = append(taskIDs, items[i].taskID)
		channels = append(channels, items[i].channel)
	}
	rows, err := s.pool.Query(ctx, `INSERT INTO ozmon_deliveries
			(tenant_id, monitor, network, ledger, tx_hash, trigger, task_id, channel, status, attempts, first_attempt_at, ledger_closed_at)
		SELECT i.tenant_id, i.monitor, i.network, i.ledger, i.tx_hash, i.trigger, i.task_id, i.channel, 'sending', 1, NOW(), `+filedAt+`
		FROM unnest($1::uuid[], $2::text[], $3::text[], $4::bigint[], $5::text[], $6::text[], $7::text[], $8::text[])
			AS i(tenant_id, monitor, network, ledger, tx_hash, trigger, task_id, channel) `+beginConflict,
		a.tenants, a.monitors, a.networks, a.ledgers, a.hashes, a.triggers, taskIDs, channels)
	if err != nil {
		return nil, err
	}
	return collectBegun(rows, len(items))
}

// finishBatch is FinishDelivery for several records: those whose close
// time is known in one statement on their partitions (finishAt), the rest
// — and any not found there — in one statement across partitions, which
// returns the positions of records that do not exist.
func (s *Store) finishBatch(ctx context.Context, items []finishItem) ([]result[struct{}], error) {
	missed, err := s.finishAt(ctx, items)
	if err != nil {
		return nil, err
	}
	out := make([]result[struct{}], len(items))
	if len(missed) == 0 {
		return out, nil
	}
	rest := make([]finishItem, len(missed))
	for j, i := range missed {
		rest[j] = items[i]
	}
	res, err := s.finishAcross(ctx, rest)
	if err != nil {
		return nil, err
	}
	for j, i := range missed {
		out[i] = res[j]
	}
	return out, nil
}

// finishAcross finishes items in one statement that finds each key in
// whichever partition holds it.
func (s *Store) finishAcross(ctx context.Context, items []finishItem) ([]result[struct{}], error) {
	var a keyArrays
	var statuses, errs []string
	order := keyOrder(len(items), func(i int) string { return items[i].groupKey() })
	for _, i := range order {
		a.add(items[i].key)
		statuses = append(statuses, string(items[i].status))
		errs = append(errs, items[i].lastError)
	}
	rows, err := s.pool.Query(ctx, `WITH i AS (
			SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::bigint[], $5::text[], $6::text[], $7::text[], $8::text[])
				WITH ORDINALITY AS i(tenant_id, monitor, network, ledger, tx_hash, trigger, status, last_error, n)),
		upd AS (
			UPDATE ozmon_deliveries d SET status = i.status, last_error = i.last_error, updated_at = NOW(),
				delivered_at = CASE WHEN i.status = 'delivered' THEN NOW() ELSE d.delivered_at END
			FROM i
			WHERE d.tenant_id = i.tenant_id AND d.monitor = i.monitor AND d.network = i.network
				AND d.ledger = i.ledger AND d.tx_hash = i.tx_hash AND d.trigger = i.trigger
				AND d.status <> 'delivered')
		SELECT i.n FROM i WHERE NOT EXISTS (SELECT 1 FROM ozmon_deliveries d
			WHERE d.tenant_id = i.tenant_id AND d.monitor = i.monitor AND d.network = i.network
				AND d.ledger = i.ledger AND d.tx_hash = i.tx_hash AND d.trigger = i.trigger)`,
		a.tenants, a.monitors, a.networks, a.ledgers, a.hashes, a.triggers, statuses, errs)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make([]result[struct{}], len(items))
	for rows.Next() {
		var n int64
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		if n < 1 || int(n) > len(order) {
			return nil, fmt.Errorf("finish deliveries: position %d out of range", n)
		}
		it := items[order[n-1]]
		out[order[n-1]].err = fmt.Errorf("postgres: finish delivery %s: %w", it.key, store.ErrNotFound)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, nil
}
