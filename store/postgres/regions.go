package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ozmon/ozmon/store"
	"github.com/ozmon/ozmon/tasks"
)

// Heartbeat records that region's scheduler is alive (the row is created
// on the first beat, serving itself).
func (s *Store) Heartbeat(ctx context.Context, region string) error {
	if !tasks.ValidRegion(region) {
		return fmt.Errorf("postgres: heartbeat: region %q: want 1 to 63 of a-z, 0-9, '-', '_', starting with a letter or digit", region)
	}
	_, err := s.pool.Exec(ctx, `INSERT INTO ozmon_regions (name, served_by) VALUES ($1, $1)
		ON CONFLICT (name) DO UPDATE SET last_seen = NOW()`, region)
	if err != nil {
		return fmt.Errorf("postgres: heartbeat of region %s: %w", region, err)
	}
	return nil
}

// Regions lists every region, Alive meaning a heartbeat within timeout.
func (s *Store) Regions(ctx context.Context, timeout time.Duration) ([]store.Region, error) {
	rows, err := s.pool.Query(ctx, `SELECT name, last_seen, last_seen > NOW() - $1 * interval '1 second', served_by, handback, changed_at
		FROM ozmon_regions ORDER BY name`, timeout.Seconds())
	if err != nil {
		return nil, fmt.Errorf("postgres: list regions: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (store.Region, error) {
		var g store.Region
		err := r.Scan(&g.Name, &g.LastSeen, &g.Alive, &g.ServedBy, &g.Handback, &g.ChangedAt)
		return g, err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: list regions: %w", err)
	}
	return out, nil
}

// TakeOver makes by the server of region's tenants if they are still
// served by from and from has not heartbeaten within timeout. Of several
// regions trying at once, one gets ok.
func (s *Store) TakeOver(ctx context.Context, region, from, by string, timeout time.Duration) (bool, error) {
	tag, err := s.pool.Exec(ctx, `UPDATE ozmon_regions SET served_by = $3, handback = false, changed_at = NOW()
		WHERE name = $1 AND served_by = $2
			AND (SELECT last_seen FROM ozmon_regions WHERE name = $2) <= NOW() - $4 * interval '1 second'`,
		region, from, by, timeout.Seconds())
	if err != nil {
		return false, fmt.Errorf("postgres: take over region %s from %s: %w", region, from, err)
	}
	return tag.RowsAffected() == 1, nil
}

// RequestHandback asks the region serving region's tenants to hand them
// back once their outstanding work is finished. It refuses when region
// serves itself already or is not heartbeating (it could not take them).
func (s *Store) RequestHandback(ctx context.Context, region string, timeout time.Duration) error {
	var servedBy string
	var alive bool
	err := s.pool.QueryRow(ctx, `SELECT served_by, last_seen > NOW() - $2 * interval '1 second' FROM ozmon_regions WHERE name = $1`,
		region, timeout.Seconds()).Scan(&servedBy, &alive)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return fmt.Errorf("postgres: hand back region %s: %w (no scheduler of it has ever run)", region, store.ErrNotFound)
	case err != nil:
		return fmt.Errorf("postgres: hand back region %s: %w", region, err)
	case servedBy == region:
		return fmt.Errorf("postgres: hand back region %s: it serves its own tenants already", region)
	case !alive:
		return fmt.Errorf("postgres: hand back region %s: it has not heartbeaten within %s; start its scheduler first", region, timeout)
	}
	_, err = s.pool.Exec(ctx, `UPDATE ozmon_regions SET handback = true, changed_at = NOW() WHERE name = $1 AND served_by = $2`,
		region, servedBy)
	if err != nil {
		return fmt.Errorf("postgres: hand back region %s: %w", region, err)
	}
	return nil
}

// HandBack returns region's tenants to region, if by serves them and a
// handback was asked for.
func (s *Store) HandBack(ctx context.Context, region, by string) (bool, error) {
	tag, err := s.pool.Exec(ctx, `UPDATE ozmon_regions SET served_by = name, handback = false, changed_at = NOW()
		WHERE name = $1 AND served_by = $2 AND handback`, region, by)
	if err != nil {
		return false, fmt.Errorf("postgres: hand back region %s: %w", region, err)
	}
	return tag.RowsAffected() == 1, nil
}

// RegionDeliveriesOpen reports whether any notification of region's
// tenants (defaultRegion's include those without a home) is not finished:
// pending, sending or failed (to be retried). A handback waits for none.
func (s *Store) RegionDeliveriesOpen(ctx context.Context, region, defaultRegion string) (bool, error) {
	var open bool
	err := s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM ozmon_deliveries d
			LEFT JOIN ozmon_tenant_settings s ON s.tenant_id = d.tenant_id
		WHERE d.status IN ('pending', 'sending', 'failed')
			AND COALESCE(NULLIF(s.home_region, ''), $2) = $1)`, region, defaultRegion).Scan(&open)
	if err != nil {
		return false, fmt.Errorf("postgres: open deliveries of region %s: %w", region, err)
	}
	return open, nil
}
