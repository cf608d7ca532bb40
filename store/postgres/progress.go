package postgres

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"github.com/ozmon/ozmon/store"
	"github.com/ozmon/ozmon/tasks"
)

// progressKeep is how many completed ledgers below the watermark are kept
// (about a day of Stellar ledgers) for operators to look at.
const progressKeep = 20000

func batchString(b store.BatchRef) string { return b.Queue + " " + b.TaskID }

func batchRef(s string) store.BatchRef {
	q, id, _ := strings.Cut(s, " ")
	return store.BatchRef{Queue: q, TaskID: id}
}

func checkLedgers(network string, ledgers ...uint64) error {
	if network == "" {
		return errors.New("network is required")
	}
	for _, l := range ledgers {
		if l > math.MaxInt64 {
			return fmt.Errorf("ledger %d out of range", l)
		}
	}
	return nil
}

// MarkScheduled implements store.Progress.
func (s *Store) MarkScheduled(ctx context.Context, network string, from, to uint64) error {
	if err := checkLedgers(network, from, to); err != nil {
		return fmt.Errorf("postgres: mark ledgers %d..%d of %s scheduled: %w", from, to, network, err)
	}
	if to < from {
		return nil
	}
	_, err := s.pool.Exec(ctx, `INSERT INTO ozmon_ledger_progress (network, ledger)
		SELECT $1, generate_series($2::bigint, $3::bigint) ON CONFLICT (network, ledger) DO NOTHING`,
		network, int64(from), int64(to))
	if err != nil {
		return fmt.Errorf("postgres: mark ledgers %d..%d of %s scheduled: %w", from, to, network, err)
	}
	return nil
}

// MarkFannedOut implements store.Progress.
func (s *Store) MarkFannedOut(ctx context.Context, network string, ledger uint64, batches []store.BatchRef, replace bool) error {
	if err := checkLedgers(network, ledger); err != nil {
		return fmt.Errorf("postgres: mark ledger %s/%d fanned out: %w", network, ledger, err)
	}
	pending := make([]string, len(batches))
	for i, b := range batches {
		pending[i] = batchString(b)
	}
	_, err := s.pool.Exec(ctx, `INSERT INTO ozmon_ledger_progress (network, ledger, fanned_out_at, pending, completed_at)
		VALUES ($1, $2, NOW(), $3::text[], CASE WHEN cardinality($3::text[]) = 0 THEN NOW() END)
		ON CONFLICT (network, ledger) DO UPDATE SET fanned_out_at = NOW(), pending = EXCLUDED.pending,
			completed_at = EXCLUDED.completed_at
		WHERE ozmon_ledger_progress.completed_at IS NULL
			AND (ozmon_ledger_progress.fanned_out_at IS NULL OR $4)`,
		network, int64(ledger), pending, replace)
	if err != nil {
		return fmt.Errorf("postgres: mark ledger %s/%d fanned out: %w", network, ledger, err)
	}
	return nil
}

// MarkBatchDone implements store.Progress.
func (s *Store) MarkBatchDone(ctx context.Context, network string, ledger uint64, batch store.BatchRef) error {
	if err := checkLedgers(network, ledger); err != nil {
		return fmt.Errorf("postgres: mark batch %s of ledger %s/%d done: %w", batch.TaskID, network, ledger, err)
	}
	_, err := s.pool.Exec(ctx, `UPDATE ozmon_ledger_progress SET pending = array_remove(pending, $3),
			completed_at = CASE WHEN fanned_out_at IS NOT NULL AND cardinality(array_remove(pending, $3)) = 0
				THEN NOW() ELSE completed_at END
		WHERE network = $1 AND ledger = $2 AND $3 = ANY(pending)`,
		network, int64(ledger), batchString(batch))
	if err != nil {
		return fmt.Errorf("postgres: mark batch %s of ledger %s/%d done: %w", batch.TaskID, network, ledger, err)
	}
	return nil
}

// MarkBatchesDone implements store.Progress: one statement, each ledger's
// row updated once whatever the number of its batches done.
func (s *Store) MarkBatchesDone(ctx context.Context, done []store.BatchDone) error {
	if len(done) == 0 {
		return nil
	}
	networks := make([]string, len(done))
	ledgers := make([]int64, len(done))
	refs := make([]string, len(done))
	for i, d := range done {
		if err := checkLedgers(d.Network, d.Ledger); err != nil {
			return fmt.Errorf("postgres: mark batch %s of ledger %s/%d done: %w", d.Batch.TaskID, d.Network, d.Ledger, err)
		}
		networks[i], ledgers[i], refs[i] = d.Network, int64(d.Ledger), batchString(d.Batch)
	}
	_, err := s.pool.Exec(ctx, `WITH d AS (SELECT network, ledger, array_agg(ref) AS refs
			FROM unnest($1::text[], $2::bigint[], $3::text[]) AS u(network, ledger, ref) GROUP BY network, ledger)
		UPDATE ozmon_ledger_progress p SET
			pending = ARRAY(SELECT x FROM unnest(p.pending) WITH ORDINALITY AS e(x, i) WHERE x <> ALL(d.refs) ORDER BY i),
			completed_at = CASE WHEN p.fanned_out_at IS NOT NULL
					AND NOT EXISTS (SELECT 1 FROM unnest(p.pending) AS x WHERE x <> ALL(d.refs))
				THEN NOW() ELSE p.completed_at END
		FROM d WHERE p.network = d.network AND p.ledger = d.ledger AND p.pending && d.refs`,
		networks, ledgers, refs)
	if err != nil {
		return fmt.Errorf("postgres: mark %d batches done (first: %s of ledger %s/%d): %w", len(done), done[0].Batch.TaskID, done[0].Network, done[0].Ledger, err)
	}
	return nil
}

// Incomplete implements store.Progress. The watermark is the ledger before
// the oldest unfinished one, or the newest recorded when all are finished;
// it never moves backwards.
func (s *Store) Incomplete(ctx context.Context, network string, limit int) (uint64, bool, []store.LedgerProgress, error) {
	if err := checkLedgers(network); err != nil {
		return 0, false, nil, fmt.Errorf("postgres: read progress: %w", err)
	}
	if limit <= 0 {
		limit = 100
	}
	var completed *int64
	err := s.pool.QueryRow(ctx, `WITH open AS (SELECT min(ledger) AS m FROM ozmon_ledger_progress
				WHERE network = $1 AND completed_at IS NULL),
			top AS (SELECT max(ledger) AS m FROM ozmon_ledger_progress WHERE network = $1),
			mark AS (SELECT COALESCE((SELECT m FROM open) - 1, (SELECT m FROM top)) AS m)
		UPDATE ozmon_network_cursors SET completed_ledger =
			GREATEST(COALESCE(completed_ledger, (SELECT m FROM mark)), (SELECT m FROM mark))
		WHERE network = $1 AND (SELECT m FROM mark) IS NOT NULL
		RETURNING completed_ledger`, network).Scan(&completed)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, false, nil, nil // nothing recorded yet, or no cursor row yet
	}
	if err != nil {
		return 0, false, nil, fmt.Errorf("postgres: advance completed ledger of %s: %w", network, err)
	}
	if completed == nil {
		return 0, false, nil, nil
	}
	if *completed > progressKeep {
		if _, err := s.pool.Exec(ctx, `DELETE FROM ozmon_ledger_progress WHERE network = $1 AND ledger < $2
			AND completed_at IS NOT NULL`, network, *completed-progressKeep); err != nil {
			return 0, false, nil, fmt.Errorf("postgres: prune progress of %s: %w", network, err)
		}
	}
	rows, err := s.pool.Query(ctx, `SELECT ledger, scheduled_at, fanned_out_at IS NOT NULL, pending, redrives, last_redrive_at
		FROM ozmon_ledger_progress WHERE network = $1 AND completed_at IS NULL ORDER BY ledger LIMIT $2`, network, limit)
	if err != nil {
		return 0, false, nil, fmt.Errorf("postgres: list unfinished ledgers of %s: %w", network, err)
	}
	defer rows.Close()
	var out []store.LedgerProgress
	for rows.Next() {
		lp := store.LedgerProgress{Network: network}
		var ledger int64
		var pending []string
		var last *time.Time
		if err := rows.Scan(&ledger, &lp.ScheduledAt, &lp.FannedOut, &pending, &lp.Redrives, &last); err != nil {
			return 0, false, nil, fmt.Errorf("postgres: list unfinished ledgers of %s: %w", network, err)
		}
		lp.Ledger = uint64(ledger)
		for _, p := range pending {
			lp.Pending = append(lp.Pending, batchRef(p))
		}
		if last != nil {
			lp.LastRedriveAt = *last
		}
		out = append(out, lp)
	}
	if err := rows.Err(); err != nil {
		return 0, false, nil, fmt.Errorf("postgres: list unfinished ledgers of %s: %w", network, err)
	}
	return uint64(*completed), true, out, nil
}

// MarkRedriven implements store.Progress.
func (s *Store) MarkRedriven(ctx context.Context, network string, ledger uint64, seen int) (bool, error) {
	if err := checkLedgers(network, ledger); err != nil {
		return false, fmt.Errorf("postgres: mark ledger %s/%d re-driven: %w", network, ledger, err)
	}
	tag, err := s.pool.Exec(ctx, `UPDATE ozmon_ledger_progress SET redrives = redrives + 1, last_redrive_at = NOW(),
			fanned_out_at = NULL, pending = '{}'
		WHERE network = $1 AND ledger = $2 AND completed_at IS NULL AND redrives = $3`, network, int64(ledger), seen)
	if err != nil {
		return false, fmt.Errorf("postgres: mark ledger %s/%d re-driven: %w", network, ledger, err)
	}
	return tag.RowsAffected() == 1, nil
}

// GiveUp implements store.Progress.
func (s *Store) GiveUp(ctx context.Context, network string, ledger uint64, reason string) error {
	if err := checkLedgers(network, ledger); err != nil {
		return fmt.Errorf("postgres: give up ledger %s/%d: %w", network, ledger, err)
	}
	_, err := s.pool.Exec(ctx, `UPDATE ozmon_ledger_progress SET completed_at = NOW(), gave_up_reason = $3
		WHERE network = $1 AND ledger = $2 AND completed_at IS NULL`, network, int64(ledger), sanitizeText(reason))
	if err != nil {
		return fmt.Errorf("postgres: give up ledger %s/%d: %w", network, ledger, err)
	}
	return nil
}

// maxStoredText bounds a free text (a delivery's last_error, a give-up
// reason) as stored: error texts are already cut far shorter; this keeps
// a text that was not from reaching the database and every listing.
const maxStoredText = 4096

// sanitizeText makes s storable in a TEXT column: PostgreSQL refuses NUL
// bytes and invalid UTF-8. It is cut to maxStoredText bytes (a rune cut in
// two becomes U+FFFD).
func sanitizeText(s string) string {
	s = strings.ReplaceAll(s, "\x00", "")
	if len(s) > maxStoredText {
		s = s[:maxStoredText]
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}

// sanitizeName makes an identifying text (a monitor or trigger name, a
// transaction hash, a task id) storable without cutting it: every call
// maps one name to one stored text, so a record is found again by the
// name it was written with.
func sanitizeName(s string) string {
	if !strings.Contains(s, "\x00") && utf8.ValidString(s) {
		return s
	}
	return strings.ToValidUTF8(strings.ReplaceAll(s, "\x00", ""), "\uFFFD")
}

// UnfinishedDeliveryLedgers implements store.Progress.
func (s *Store) UnfinishedDeliveryLedgers(ctx context.Context, network string, limit int) ([]uint64, error) {
	if limit <= 0 {
		limit = 1000
	}
	// A region's lane (tasks.Lane) reads its network's deliveries: the log
	// is the network's, whichever region recorded them.
	network, _ = tasks.SplitLane(network)
	rows, err := s.pool.Query(ctx, `SELECT DISTINCT ledger FROM ozmon_deliveries
		WHERE network = $1 AND status IN ('pending', 'sending', 'failed') ORDER BY ledger LIMIT $2`, network, limit)
	if err != nil {
		return nil, fmt.Errorf("postgres: ledgers with unfinished deliveries on %s: %w", network, err)
	}
	defer rows.Close()
	var out []uint64
	for rows.Next() {
		var l int64
		if err := rows.Scan(&l); err != nil {
			return nil, fmt.Errorf("postgres: ledgers with unfinished deliveries on %s: %w", network, err)
		}
		out = append(out, uint64(l))
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: ledgers with unfinished deliveries on %s: %w", network, err)
	}
	return out, nil
}

// Reopen implements store.Progress.
func (s *Store) Reopen(ctx context.Context, network string, ledgers []uint64) ([]store.LedgerProgress, error) {
	if err := checkLedgers(network, ledgers...); err != nil {
		return nil, fmt.Errorf("postgres: reopen ledgers of %s: %w", network, err)
	}
	ls := make([]int64, len(ledgers))
	for i, l := range ledgers {
		ls[i] = int64(l)
	}
	rows, err := s.pool.Query(ctx, `INSERT INTO ozmon_ledger_progress (network, ledger)
			SELECT $1, unnest($2::bigint[])
		ON CONFLICT (network, ledger) DO UPDATE SET completed_at = NULL, gave_up_reason = NULL,
			fanned_out_at = NULL, pending = '{}'
		RETURNING ledger, scheduled_at, redrives, last_redrive_at`, network, ls)
	if err != nil {
		return nil, fmt.Errorf("postgres: reopen ledgers of %s: %w", network, err)
	}
	defer rows.Close()
	var out []store.LedgerProgress
	for rows.Next() {
		lp := store.LedgerProgress{Network: network}
		var l int64
		var last *time.Time
		if err := rows.Scan(&l, &lp.ScheduledAt, &lp.Redrives, &last); err != nil {
			return nil, fmt.Errorf("postgres: reopen ledgers of %s: %w", network, err)
		}
		lp.Ledger = uint64(l)
		if last != nil {
			lp.LastRedriveAt = *last
		}
		out = append(out, lp)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: reopen ledgers of %s: %w", network, err)
	}
	return out, nil
}

// RedisMark implements store.Progress.
func (s *Store) RedisMark(ctx context.Context, network string) (int64, error) {
	var m int64
	err := s.pool.QueryRow(ctx, `SELECT mark FROM ozmon_redis_marks WHERE name = $1`, network).Scan(&m)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("postgres: read redis mark: %w", err)
	}
	return m, nil
}

// RaiseRedisMark implements store.Progress.
func (s *Store) RaiseRedisMark(ctx context.Context, network string, mark int64) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO ozmon_redis_marks (name, mark) VALUES ($1, $2)
		ON CONFLICT (name) DO UPDATE SET mark = GREATEST(ozmon_redis_marks.mark, EXCLUDED.mark)`, network, mark)
	if err != nil {
		return fmt.Errorf("postgres: raise redis mark: %w", err)
	}
	return nil
}
