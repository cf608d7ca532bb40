package main

import (
	"context"
	"fmt"
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
	// Queue gauges come from one role per deployment (the scheduler),
	// so N workers do not multiply the Redis reads of every scrape.
	insp := asynq.NewInspectorFromRedisClient(a.rdb)
	a.m.Registry.MustRegister(metrics.NewQueueCollector(insp, tasks.AllQueues()))
	if a.cfg.Region != "" {
		if err := a.startRegions(ctx, g, client); err != nil {
			return err
		}
	} else {
		s, err := a.newScheduler(client, "", false)
		if err != nil {
			return err
		}
		ready.scheduler = s
		g.Go(func() error { return s.Run(ctx) })
	}
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

// newScheduler builds the scheduler of region's lane of every network
// (tasks.Lane; region "" without regions). adopted: region was taken over
// by this one, whose Redis holds none of its tasks — a ledger unfinished
// there is re-driven once it has been quiet for the heartbeat timeout
// rather than the usual grace.
func (a *app) newScheduler(client *asynq.Client, region string, adopted bool) (*scheduler.Scheduler, error) {
	sopts := []scheduler.Option{scheduler.WithLogger(a.log), scheduler.WithMetrics(a.m),
		scheduler.WithDefaultRegion(a.cfg.Regions.DefaultHome)}
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
		rc := recovery(n.RecoveryConfig)
		if adopted && (rc.Grace <= 0 || rc.Grace > a.cfg.Regions.HeartbeatTimeout.D()) {
			rc.Grace = a.cfg.Regions.HeartbeatTimeout.D()
		}
		lane := tasks.Lane(slug, region)
		if err := s.AddNetwork(scheduler.Network{Slug: lane, CronSchedule: n.CronSchedule,
			ConfirmationBlocks: n.ConfirmationBlocks, MaxPastBlocks: limit, Tip: src, Recovery: rc}); err != nil {
			return nil, err
		}
		a.log.Info("scheduling network", "network", slug, "lane", lane, "cron", n.CronSchedule, "confirmations", n.ConfirmationBlocks)
	}
	return s, nil
}

// startRegions runs this region's schedulers in a multi-region
// deployment (docs/multi-region.md): its own tenants' lanes, and those of
// any region it takes over.
func (a *app) startRegions(ctx context.Context, g *errgroup.Group, client *asynq.Client) error {
	rs, ok := a.st.(scheduler.RegionStore)
	if !ok {
		return fmt.Errorf("region %q: regions need PostgreSQL (database_url)", a.cfg.Region)
	}
	r := &scheduler.Regions{Store: rs, Name: a.cfg.Region, DefaultRegion: a.cfg.Regions.DefaultHome,
		Timeout: a.cfg.Regions.HeartbeatTimeout.D(), Every: a.cfg.Regions.HeartbeatInterval.D(), Log: a.log,
		Lane: func(region string, adopted bool) (*scheduler.Scheduler, error) {
			return a.newScheduler(client, region, adopted)
		}}
	g.Go(func() error { return r.Run(ctx) })
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
