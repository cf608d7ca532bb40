package scheduler

import (
	"context"
	"fmt"
	"log/slog"
	"time"
)

// LogMaintainer keeps the delivery log bounded: partitions made ahead of
// now, those wholly older than retention dropped (store/postgres). It must
// be safe to call from every scheduler replica at once.
type LogMaintainer interface {
	MaintainDeliveryLog(ctx context.Context, now time.Time, retention time.Duration) (made int, dropped []string, err error)
}

// Maintenance is the scheduler role's housekeeping loop for the delivery
// log: one round at start (so a fresh deployment has its partitions before
// the first ledger), then one every Every. Replicas need no election: the
// store makes each partition once and drops each once.
type Maintenance struct {
	Log       LogMaintainer
	Retention time.Duration // 0 keeps every record
	Every     time.Duration
	// Now is the clock rounds are run at (time.Now when nil): tests move
	// time forward through it.
	Now    func() time.Time
	Logger *slog.Logger
	// MeasureStorage, when set, measures what each tenant occupies
	// against its max_storage_mb after each round and returns the tenants
	// over it (store/postgres MeasureTenantStorage): workers and config
	// writes read that measurement.
	MeasureStorage func(ctx context.Context) (over []string, err error)
}

// Run runs rounds until ctx ends. A failed round is logged and tried again
// at the next tick: the partitions made ahead leave weeks of slack, so a
// round missed while PostgreSQL is away costs nothing. The end of ctx is
// no failure: Run then returns nil.
func (m Maintenance) Run(ctx context.Context) error {
	if m.Log == nil || m.Every <= 0 {
		return fmt.Errorf("scheduler: delivery log maintenance needs a store and a positive interval (got every %s)", m.Every)
	}
	t := time.NewTicker(m.Every)
	defer t.Stop()
	for {
		m.Round(ctx)
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// Round runs one maintenance round and reports what it did.
func (m Maintenance) Round(ctx context.Context) (made int, dropped []string, err error) {
	now := time.Now()
	if m.Now != nil {
		now = m.Now()
	}
	log := m.Logger
	if log == nil {
		log = slog.Default()
	}
	made, dropped, err = m.Log.MaintainDeliveryLog(ctx, now, m.Retention)
	switch {
	case err != nil && ctx.Err() == nil:
		log.Error("delivery log maintenance failed; trying again at the next round", "err", err, "every", m.Every)
	case made > 0 || len(dropped) > 0:
		log.Info("delivery log maintained", "partitions_made", made, "partitions_dropped", dropped, "retention", m.Retention)
	}
	if m.MeasureStorage != nil {
		over, merr := m.MeasureStorage(ctx)
		switch {
		case merr != nil && ctx.Err() == nil:
			log.Error("tenant storage measurement failed; the last one stands until the next round", "err", merr)
		case len(over) > 0:
			log.Warn("tenants over their max_storage_mb: their new notifications keep no payload and their configuration may not grow",
				"tenants", over)
		}
	}
	return made, dropped, err
}
