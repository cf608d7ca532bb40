package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// WatchChanges calls fn with a tenant's id whenever that tenant's
// configuration changes, until ctx is done (then it returns nil).
//
// Changes arrive by LISTEN on the store's notify channel, fed by the
// triggers Migrate installs. Notifications sent while no connection is
// listening are lost, so WatchChanges also compares a per-tenant
// fingerprint (the tenant's Version: a hash of all its configuration rows)
// every reload interval and after each reconnect, and calls fn for every
// tenant whose fingerprint moved. fn may therefore be called more than once
// for one change; it must be idempotent (a reload is).
func (s *Store) WatchChanges(ctx context.Context, fn func(tenantID string)) error {
	w := &watcher{s: s, fn: fn}
	if stored, err := s.storedNotifyChannel(ctx); err == nil && stored != s.channel {
		s.log.Warn("postgres: watch changes: the database notifies on another channel; relying on polling",
			"listening", s.channel, "notified", stored, "poll_every", s.reload)
	}
	if snap, err := s.snapshot(ctx); err == nil {
		w.snap = snap
	} else if ctx.Err() == nil {
		s.log.Warn("postgres: watch changes: first snapshot failed; will retry", "err", err)
	}
	backoff := 500 * time.Millisecond
	for {
		started := time.Now()
		err := w.listen(ctx)
		if ctx.Err() != nil {
			return nil
		}
		if time.Since(started) > time.Minute {
			// It had been working: this is a new outage, not the same one.
			backoff = 500 * time.Millisecond
		}
		s.log.Warn("postgres: watch changes: listening stopped; reconnecting", "channel", s.channel, "err", err, "in", backoff)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, 30*time.Second)
	}
}

type watcher struct {
	s    *Store
	fn   func(tenantID string)
	snap map[string]string // tenant id → fingerprint; nil until one succeeds
}

// listen holds one connection in LISTEN until an error. The connection is
// taken out of the pool (Hijack) and closed afterwards, so a connection in
// LISTEN state is never handed to another caller.
func (w *watcher) listen(ctx context.Context) error {
	pc, err := w.s.pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("acquire connection: %w", err)
	}
	conn := pc.Hijack()
	defer func() { _ = conn.Close(context.Background()) }()
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{w.s.channel}.Sanitize()); err != nil {
		return fmt.Errorf("listen on %s: %w", w.s.channel, err)
	}
	// Anything that changed while no one listened.
	if err := w.poll(ctx); err != nil {
		return err
	}
	for {
		waitCtx, cancel := context.WithTimeout(ctx, w.s.reload)
		n, err := conn.WaitForNotification(waitCtx)
		timedOut := waitCtx.Err() != nil
		cancel()
		switch {
		case err == nil:
			w.fn(n.Payload)
		case ctx.Err() != nil:
			return ctx.Err()
		case timedOut:
			if err := w.poll(ctx); err != nil {
				return err
			}
		default:
			return fmt.Errorf("wait for notification on %s: %w", w.s.channel, err)
		}
	}
}

// poll compares fingerprints with the last snapshot and reports each
// tenant that changed, appeared or disappeared.
func (w *watcher) poll(ctx context.Context) error {
	snap, err := w.s.snapshot(ctx)
	if err != nil {
		return err
	}
	old := w.snap
	w.snap = snap
	if old == nil {
		return nil
	}
	for id, fp := range snap {
		if old[id] != fp {
			w.fn(id)
		}
	}
	for id := range old {
		if _, ok := snap[id]; !ok {
			w.fn(id)
		}
	}
	return nil
}

// snapshot fingerprints every tenant's configuration.
func (s *Store) snapshot(ctx context.Context) (map[string]string, error) {
	rows, err := s.pool.Query(ctx, `SELECT t.id::text, `+tenantVersion+tenantFrom)
	if err != nil {
		return nil, fmt.Errorf("fingerprint tenant configs: %w", err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var id, fp string
		if err := rows.Scan(&id, &fp); err != nil {
			return nil, fmt.Errorf("fingerprint tenant configs: %w", err)
		}
		out[id] = fp
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("fingerprint tenant configs: %w", err)
	}
	return out, nil
}

var errNoChannel = errors.New("no notify channel stored; run Migrate")

// storedNotifyChannel returns the channel the database's triggers notify
// on, as Migrate last stored it; a process whose WithNotifyChannel differs
// will not hear them.
func (s *Store) storedNotifyChannel(ctx context.Context) (string, error) {
	var ch string
	err := s.pool.QueryRow(ctx, `SELECT value FROM ozmon_settings WHERE name = 'notify_channel'`).Scan(&ch)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", fmt.Errorf("postgres: stored notify channel: %w", errNoChannel)
	}
	if err != nil {
		return "", fmt.Errorf("postgres: stored notify channel: %w", err)
	}
	return ch, nil
}
