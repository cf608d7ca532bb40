package scheduler

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/hibiken/asynq"
	"github.com/ozmon/ozmon/internal/metrics"
	"github.com/ozmon/ozmon/store"
	"github.com/ozmon/ozmon/tasks"
	"github.com/redis/go-redis/v9"
	"github.com/robfig/cron/v3"
)

// Scheduler runs one cron loop per network.
type Scheduler struct {
	client     *asynq.Client
	cursors    Cursors
	progress   store.Progress // nil: no durable progress, no re-drive
	rdb        redis.UniversalClient
	insp       *asynq.Inspector // finds a ledger's tasks in Redis
	log        *slog.Logger
	m          *metrics.Metrics
	maxPerTick uint64      // ledgers one tick enqueues: a long catch-up proceeds in slices and the cursor moves as it goes
	problems   *problemLog // nil: problems are logged only
	stranded   strandedSweep
	// defaultRegion is the home of tenants without one, in a multi-region
	// deployment (WithDefaultRegion).
	defaultRegion string

	mu       sync.Mutex
	networks map[string]Network
	scheds   map[string]cron.Schedule // each network's parsed CronSchedule
	lastTick map[string]time.Time     // last successful tick per network
	recovery map[string]cron.Schedule // recovery_config's own cron, per network
}

// Option configures a Scheduler.
type Option func(*Scheduler)

// WithLogger sets the logger.
func WithLogger(l *slog.Logger) Option { return func(s *Scheduler) { s.log = l } }

// WithMetrics records lag, enqueued and skipped ledgers.
func WithMetrics(m *metrics.Metrics) Option { return func(s *Scheduler) { s.m = m } }

// WithDefaultRegion names the home region of tenants that have none, in a
// multi-region deployment: a region's lanes requeue only their own
// tenants' lost notifications (docs/multi-region.md).
func WithDefaultRegion(r string) Option { return func(s *Scheduler) { s.defaultRegion = r } }

// WithProgress keeps each ledger's progress durably in p and re-drives
// ledgers whose tasks the Redis behind rdb lost (see Recover).
func WithProgress(p store.Progress, rdb redis.UniversalClient) Option {
	return func(s *Scheduler) {
		s.progress, s.rdb, s.insp = p, rdb, asynq.NewInspectorFromRedisClient(rdb)
	}
}

// New returns a scheduler enqueueing with client and keeping cursors in c.
func New(client *asynq.Client, c Cursors, opts ...Option) *Scheduler {
	s := &Scheduler{client: client, cursors: c, log: slog.Default(), maxPerTick: 1000, networks: map[string]Network{}, scheds: map[string]cron.Schedule{}, lastTick: map[string]time.Time{}, recovery: map[string]cron.Schedule{}}
	for _, o := range opts {
		o(s)
	}
	if s.problems != nil {
		s.problems.log = s.log
	}
	return s
}

// AddNetwork registers a network; its schedule is checked here.
func (s *Scheduler) AddNetwork(n Network) error {
	if n.Slug == "" || n.Tip == nil {
		return fmt.Errorf("scheduler: network needs a slug and a tip source")
	}
	sched, err := parseSchedule(n.CronSchedule)
	if err != nil {
		return fmt.Errorf("network %s: %w", n.Slug, err)
	}
	var rec cron.Schedule
	if n.Recovery.CronSchedule != "" {
		if rec, err = parseSchedule(n.Recovery.CronSchedule); err != nil {
			return fmt.Errorf("network %s: recovery_config: %w", n.Slug, err)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.networks[n.Slug] = n
	s.scheds[n.Slug] = sched
	if rec != nil {
		s.recovery[n.Slug] = rec
	}
	s.problems.assumeOpen(n.Slug)
	return nil
}

// TickResult says what one tick did.
type TickResult struct {
	Tip, Target uint64 // the reported tip and tip − confirmations
	From, To    uint64 // ledgers considered this tick (To < From: none)
	Enqueued    int    // new fetch-block tasks
	Duplicates  int    // already scheduled by someone else
	Skipped     uint64 // beyond max_past_blocks
}

// Tick runs one scheduling step for a network: it is what the cron loop
// calls, exported so tests and `ozmon admin` can drive it directly.
func (s *Scheduler) Tick(ctx context.Context, slug string) (TickResult, error) {
	s.mu.Lock()
	n, ok := s.networks[slug]
	s.mu.Unlock()
	if !ok {
		return TickResult{}, fmt.Errorf("scheduler: unknown network %q", slug)
	}
	var r TickResult
	tip, err := n.Tip.Tip(ctx)
	if err != nil {
		s.problems.report(ctx, slug, ProblemRPC, "the latest ledger cannot be read: "+err.Error())
		return r, fmt.Errorf("network %s: read tip: %w", slug, err)
	}
	s.problems.resolve(ctx, slug, ProblemRPC)
	r.Tip = tip
	if tip <= n.ConfirmationBlocks {
		return r, nil
	}
	r.Target = tip - n.ConfirmationBlocks
	cur, ok, err := s.cursors.Cursor(ctx, slug)
	if err != nil {
		return r, fmt.Errorf("network %s: read cursor: %w", slug, err)
	}
	if !ok {
		// First start: begin at the confirmed tip rather than replaying
		// history nobody asked for.
		cur = r.Target - 1
	}
	if s.m != nil {
		s.m.LedgersBehind.WithLabelValues(slug).Set(float64(r.Target - min(cur, r.Target)))
	}
	if r.Target <= cur {
		s.problems.resolve(ctx, slug, ProblemBehind)
		s.markTick(slug)
		return r, nil
	}
	r.From = cur + 1
	if n.MaxPastBlocks > 0 && r.Target-r.From+1 > n.MaxPastBlocks {
		newFrom := r.Target - n.MaxPastBlocks + 1
		r.Skipped = newFrom - r.From
		s.log.Warn("cursor is further behind than max_past_blocks; skipping older ledgers",
			"network", slug, "from", r.From, "to", newFrom-1, "skipped", r.Skipped, "max_past_blocks", n.MaxPastBlocks)
		if s.m != nil {
			s.m.LedgersSkipped.WithLabelValues(slug, "max_past_blocks").Add(float64(r.Skipped))
		}
		s.problems.report(ctx, slug, ProblemSkipped, skippedMessage(r.From, newFrom-1, r.Skipped, n.MaxPastBlocks))
		r.From = newFrom
	}
	r.To = min(r.Target, r.From+s.maxPerTick-1)
	// Recorded before anything is enqueued: a ledger Redis then loses is
	// still known to be unfinished.
	if s.progress != nil {
		if err := s.progress.MarkScheduled(ctx, slug, r.From, r.To); err != nil {
			return r, fmt.Errorf("network %s: %w", slug, err)
		}
	}
	now := time.Now()
	last := r.From - 1
	defer func() {
		if last >= r.From {
			if aerr := s.cursors.AdvanceCursor(context.WithoutCancel(ctx), slug, last); aerr != nil {
				s.log.Error("advance cursor", "network", slug, "ledger", last, "err", aerr)
			}
		}
	}()
	for l := r.From; l <= r.To; l++ {
		enq, err := tasks.Enqueue(ctx, s.client, tasks.FetchBlock{Network: slug, Ledger: l, ScheduledAt: now})
		if err != nil {
			return r, fmt.Errorf("network %s: %w", slug, err)
		}
		if enq {
			r.Enqueued++
		} else {
			r.Duplicates++
		}
		last = l
	}
	if s.m != nil {
		s.m.LedgersEnqueued.WithLabelValues(slug).Add(float64(r.Enqueued))
		s.m.LedgersBehind.WithLabelValues(slug).Set(float64(r.Target - last))
	}
	if behind := r.Target - last; behind > behindLimit {
		s.problems.report(ctx, slug, ProblemBehind, fmt.Sprintf("%d ledgers behind the confirmed tip %d; catching up %d per tick", behind, r.Target, s.maxPerTick))
	} else {
		s.problems.resolve(ctx, slug, ProblemBehind)
	}
	s.markTick(slug)
	return r, nil
}

// Run starts every network's cron loop and blocks until ctx is done. Ticks
// of one network never overlap (a slow tick makes the next one skip).
func (s *Scheduler) Run(ctx context.Context) error {
	c := cron.New() // schedules come parsed (parseSchedule); its own parser is never used
	// Ticks of a network never overlap; the first one runs at once, so a
	// (re)started scheduler catches up without waiting out an interval.
	noOverlap := cron.NewChain(cron.SkipIfStillRunning(cron.DiscardLogger))
	var first []cron.Job
	s.mu.Lock()
	for slug, sched := range s.scheds {
		job := noOverlap.Then(cron.FuncJob(func() {
			tctx, cancel := context.WithTimeout(ctx, 30*time.Second)
			defer cancel()
			r, err := s.Tick(tctx, slug)
			if err != nil {
				s.log.Error("scheduler tick", "network", slug, "err", err)
				return
			}
			if r.Enqueued > 0 {
				s.log.Debug("enqueued ledgers", "network", slug, "from", r.From, "to", r.To, "enqueued", r.Enqueued, "tip", r.Tip)
			}
		}))
		c.Schedule(sched, job)
		first = append(first, job)
		if s.progress == nil {
			continue
		}
		// Lost ledgers are looked for on recovery_config's own cron when
		// the network has one, else every few seconds.
		rsched, ok := s.recovery[slug]
		if !ok {
			rsched = cron.Every(5 * time.Second)
		}
		c.Schedule(rsched, noOverlap.Then(cron.FuncJob(func() {
			rctx, cancel := context.WithTimeout(ctx, time.Minute)
			defer cancel()
			if _, err := s.Recover(rctx, slug); err != nil {
				s.log.Error("scheduler recovery", "network", slug, "err", err)
			}
		})))
	}
	slugs := slices.Collect(maps.Keys(s.scheds))
	s.mu.Unlock()
	// One recovery run before anything is scheduled: it writes the Redis
	// mark that a later data loss is measured against (and catches a loss
	// that happened while no scheduler ran).
	for _, slug := range slugs {
		rctx, cancel := context.WithTimeout(ctx, time.Minute)
		if _, err := s.Recover(rctx, slug); err != nil {
			s.log.Error("scheduler recovery", "network", slug, "err", err)
		}
		cancel()
	}
	var firstRuns sync.WaitGroup
	for _, job := range first {
		firstRuns.Go(job.Run)
	}
	c.Start()
	<-ctx.Done()
	<-c.Stop().Done()
	firstRuns.Wait()
	return nil
}

func (s *Scheduler) markTick(slug string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lastTick[slug] = time.Now()
}

// Stale reports the networks whose last successful tick is older than
// three schedule intervals (and at least 30 s): the tip cannot be read,
// or the cursor cannot be written. /readyz uses it.
func (s *Scheduler) Stale(now time.Time) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for slug, sched := range s.scheds {
		first := sched.Next(now)
		limit := max(30*time.Second, 3*sched.Next(first).Sub(first))
		if last, ok := s.lastTick[slug]; !ok || now.Sub(last) > limit {
			out = append(out, slug)
		}
	}
	return out
}
