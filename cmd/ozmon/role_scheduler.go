package main

import (
	"context"
	"time"

	"github.com/hibiken/asynq"
	"golang.org/x/sync/errgroup"

	"github.com/ozmon/ozmon/internal/metrics"
	"github.com/ozmon/ozmon/monitor/ozconfig"
	"github.com/ozmon/ozmon/scheduler"
	"github.com/ozmon/ozmon/store"
	"github.com/ozmon/ozmon/store/postgres"
	"github.com/ozmon/ozmon/tasks"
)

// startScheduler runs the scheduler role in g until ctx ends: one cron
// loop per network, and the queue gauges.
func (a *app) startScheduler(ctx context.Context, g *errgroup.Group, client *asynq.Client, ready *readiness) error {
	sopts := []scheduler.Option{scheduler.WithLogger(a.log), scheduler.WithMetrics(a.m)}
	if p, ok := a.st.(store.Progress); ok {
		sopts = append(sopts, scheduler.WithProgress(p, a.rdb))
	}
	if r, ok := a.st.(scheduler.ProblemRecorder); ok {
		sopts = append(sopts, scheduler.WithProblems(r))
	}
	s := scheduler.New(client, a.st, sopts...)
	for slug, src := range a.networks {
		n := a.netCfg[slug]
		limit, unlimited := n.PastBlocksLimit(time.Now())
		if unlimited {
			limit = 0
		}
		if err := s.AddNetwork(scheduler.Network{Slug: slug, CronSchedule: n.CronSchedule,
			ConfirmationBlocks: n.ConfirmationBlocks, MaxPastBlocks: limit, Tip: src, Recovery: recovery(n.RecoveryConfig)}); err != nil {
			return err
		}
		a.log.Info("scheduling network", "network", slug, "cron", n.CronSchedule, "confirmations", n.ConfirmationBlocks)
	}
	ready.scheduler = s
	// Queue gauges come from one role per deployment (the scheduler),
	// so N workers do not multiply the Redis reads of every scrape.
	insp := asynq.NewInspectorFromRedisClient(a.rdb)
	a.m.Registry.MustRegister(metrics.NewQueueCollector(insp, tasks.AllQueues()))
	g.Go(func() error { return s.Run(ctx) })
	if lm, ok := a.st.(scheduler.LogMaintainer); ok {
		// The delivery log's partitions: made ahead, dropped past retention.
		m := scheduler.Maintenance{Log: lm, Retention: a.cfg.Storage.DeliveryRetention.D(),
			Every: a.cfg.Storage.MaintenanceInterval.D(), Logger: a.log}
		if pg, ok := a.st.(*postgres.Store); ok {
			m.MeasureStorage = func(ctx context.Context) ([]string, error) {
				over, err := pg.MeasureTenantStorage(ctx)
				slugs := make([]string, len(over))
				for i, t := range over {
					slugs[i] = t.Slug
				}
				return slugs, err
			}
		}
		g.Go(func() error { return m.Run(ctx) })
	}
	return nil
}

// recovery maps OpenZeppelin Monitor's recovery_config onto the
// scheduler's re-drive policy. Without one (or disabled), ledgers lost from
// Redis are still re-driven with the defaults; archived work is left in
// the dead-letter queue for an operator.
func recovery(rc *ozconfig.RecoveryConfig) scheduler.Recovery {
	if rc == nil || !rc.Enabled {
		return scheduler.Recovery{}
	}
	return scheduler.Recovery{
		CronSchedule:  rc.CronSchedule,
		MaxPerRun:     int(min(rc.MaxBlocksPerRun, 1<<20)),
		MaxRedrives:   int(rc.MaxRetries),
		RetryDelay:    time.Duration(min(rc.RetryDelayMs, 1<<40)) * time.Millisecond,
		MaxAge:        rc.MaxBlockAge,
		RetryArchived: true,
	}
}
