package postgres

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// The delivery log is range-partitioned by week of ledger close time
// (migration 0009): partitions are made ahead of need and dropped whole
// once older than the retention, so the log stays bounded without a
// row-by-row DELETE.
const (
	// partitionWidth is one partition's span; weeks start Monday 00:00 UTC
	// (ozmon_delivery_partitions_ensure makes them so).
	partitionWidth = 7 * 24 * time.Hour
	// partitionPrefix names the weekly partitions: the prefix and the
	// week's first day, YYYYMMDD.
	partitionPrefix = "ozmon_deliveries_p"
	// defaultPartition holds records whose week has no partition (a close
	// time far in the future, or older than every partition kept).
	defaultPartition = "ozmon_deliveries_default"
	// PartitionsAhead is how far ahead of now MaintainDeliveryLog keeps
	// partitions made: a scheduler down for less than this never lets
	// records fall into the default partition.
	PartitionsAhead = 28 * 24 * time.Hour
	// partitionLockTimeout bounds how long dropping a partition waits for
	// the table's lock: a long query must not make every delivery write
	// queue behind the drop. The next maintenance round tries again.
	partitionLockTimeout = 5 * time.Second
)

// DeliveryPartition is one partition of the delivery log.
type DeliveryPartition struct {
	Name string
	// From and To bound its ledger close times (From inclusive); zero for
	// the default partition.
	From, To time.Time
	Default  bool
	Rows     int64 // estimated from the planner's statistics
	Bytes    int64 // table, indexes and TOAST
}

// DeliveryPartitions lists the delivery log's partitions, oldest first,
// the default partition last.
func (s *Store) DeliveryPartitions(ctx context.Context) ([]DeliveryPartition, error) {
	rows, err := s.pool.Query(ctx, `SELECT c.relname, c.relispartition AND pg_get_expr(c.relpartbound, c.oid) = 'DEFAULT',
			GREATEST(c.reltuples, 0)::bigint, pg_total_relation_size(c.oid)
		FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
		WHERE i.inhparent = 'ozmon_deliveries'::regclass`)
	if err != nil {
		return nil, fmt.Errorf("postgres: list delivery partitions: %w", err)
	}
	defer rows.Close()
	var out []DeliveryPartition
	for rows.Next() {
		var p DeliveryPartition
		if err := rows.Scan(&p.Name, &p.Default, &p.Rows, &p.Bytes); err != nil {
			return nil, fmt.Errorf("postgres: list delivery partitions: %w", err)
		}
		if !p.Default {
			from, err := partitionStart(p.Name)
			if err != nil {
				return nil, fmt.Errorf("postgres: list delivery partitions: %w", err)
			}
			p.From, p.To = from, from.Add(partitionWidth)
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: list delivery partitions: %w", err)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Default != out[j].Default {
			return out[j].Default
		}
		return out[i].From.Before(out[j].From)
	})
	return out, nil
}

// partitionStart reads a weekly partition's first day from its name.
func partitionStart(name string) (time.Time, error) {
	day, ok := strings.CutPrefix(name, partitionPrefix)
	if !ok {
		return time.Time{}, fmt.Errorf("partition %q of ozmon_deliveries is not one ozmon made (want %sYYYYMMDD)", name, partitionPrefix)
	}
	t, err := time.Parse("20060102", day)
	if err != nil {
		return time.Time{}, fmt.Errorf("partition %q of ozmon_deliveries: %w", name, err)
	}
	return t, nil
}

// EnsureDeliveryPartitions makes the weekly partitions covering [from,
// to) that do not exist yet, moving any records of their weeks out of the
// default partition, and returns how many it made. Several callers at once
// (scheduler replicas) take turns and make each partition once.
func (s *Store) EnsureDeliveryPartitions(ctx context.Context, from, to time.Time) (int, error) {
	var made int
	err := s.pool.QueryRow(ctx, `SELECT ozmon_delivery_partitions_ensure($1, $2)`, from, to).Scan(&made)
	if err != nil {
		return 0, fmt.Errorf("postgres: make delivery partitions from %s to %s: %w",
			from.UTC().Format(time.DateOnly), to.UTC().Format(time.DateOnly), err)
	}
	return made, nil
}

// DropDeliveryPartitions drops every weekly partition whose newest records
// are older than before, and deletes the default partition's records
// older than before (strays only: the default partition is empty while
// partitions are made ahead). It returns the partitions dropped.
func (s *Store) DropDeliveryPartitions(ctx context.Context, before time.Time) ([]string, error) {
	parts, err := s.DeliveryPartitions(ctx)
	if err != nil {
		return nil, err
	}
	var dropped []string
	for _, p := range parts {
		if p.Default || p.To.After(before) {
			continue
		}
		if err := s.dropPartition(ctx, p.Name); err != nil {
			return dropped, err
		}
		dropped = append(dropped, p.Name)
	}
	if _, err := s.pool.Exec(ctx, `DELETE FROM `+defaultPartition+` WHERE ledger_closed_at < $1`, before); err != nil {
		return dropped, fmt.Errorf("postgres: delete default-partition deliveries before %s: %w", before.UTC().Format(time.RFC3339), err)
	}
	return dropped, nil
}

// dropPartition drops one partition under the lock the ensure function
// takes, so a replica making partitions never races a drop.
func (s *Store) dropPartition(ctx context.Context, name string) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('ozmon_delivery_partitions:' || current_schema()))`); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, fmt.Sprintf(`SET LOCAL lock_timeout = '%dms'`, partitionLockTimeout.Milliseconds())); err != nil {
			return err
		}
		// IF EXISTS: another replica may have dropped it since the list.
		_, err := tx.Exec(ctx, `DROP TABLE IF EXISTS `+pgx.Identifier{name}.Sanitize())
		return err
	})
	if err != nil {
		return fmt.Errorf("postgres: drop delivery partition %s: %w", name, err)
	}
	return nil
}

// MaintainDeliveryLog keeps the delivery log's partitions: those of the
// past week to PartitionsAhead past now exist, and those wholly older than
// now less retention are dropped (retention 0 keeps every partition). It
// returns how many partitions it made and the names of those it dropped.
// now is the caller's clock, so tests move time forward. Safe to run from
// every scheduler replica (scheduler.Maintenance runs it).
func (s *Store) MaintainDeliveryLog(ctx context.Context, now time.Time, retention time.Duration) (made int, dropped []string, err error) {
	from := now.Add(-partitionWidth)
	if retention > 0 && now.Add(-retention).After(from) {
		from = now.Add(-retention)
	}
	if made, err = s.EnsureDeliveryPartitions(ctx, from, now.Add(PartitionsAhead)); err != nil {
		return 0, nil, err
	}
	if retention > 0 {
		dropped, err = s.DropDeliveryPartitions(ctx, now.Add(-retention))
	}
	return made, dropped, err
}
