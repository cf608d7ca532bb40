package scheduler

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"time"

	"github.com/ozmon/ozmon/store"
)

// RegionStore keeps the regions' heartbeats and who serves whose tenants
// (store/postgres implements it; docs/multi-region.md).
type RegionStore interface {
	Heartbeat(ctx context.Context, region string) error
	Regions(ctx context.Context, timeout time.Duration) ([]store.Region, error)
	TakeOver(ctx context.Context, region, from, by string, timeout time.Duration) (bool, error)
	HandBack(ctx context.Context, region, by string) (bool, error)
	RegionDeliveriesOpen(ctx context.Context, region, defaultRegion string) (bool, error)
}

// Regions runs a region's schedulers in a multi-region deployment: it
// heartbeats into PostgreSQL, runs one Scheduler per region whose tenants
// this region serves (its own, and those of regions it took over), takes
// over the tenants of a region that stopped heartbeating for Timeout, and
// hands them back when an operator asks and their work is finished.
//
// A region's tenants have their own lane of every network (tasks.Lane):
// its cursor and durable progress. A taking-over region runs the dead
// region's lane against its own Redis, where none of that lane's tasks
// exist: the lane's Recover finds its unfinished ledgers lost and its Redis
// mark behind PostgreSQL's, and re-drives them — the same re-drive that
// survives a Redis that lost its data — while the delivery log refuses a
// second send of anything the dead region delivered.
type Regions struct {
	Store RegionStore
	// Name is this region; DefaultRegion serves tenants without a home.
	Name, DefaultRegion string
	// Timeout is how long a region may go without a heartbeat before
	// another takes over its tenants (default 30 s); Every is how often
	// this region beats and looks (default Timeout/5).
	Timeout, Every time.Duration
	// Lane builds the scheduler of region's lanes, one network each
	// (tasks.Lane names them); adopted is set for a region taken over.
	Lane func(region string, adopted bool) (*Scheduler, error)
	Log  *slog.Logger

	mu       sync.Mutex
	running  map[string]*runningLane // region → its lanes' scheduler, running
	draining map[string]*Scheduler   // region → its scheduler, stopped, finishing before a handback
	lastBeat time.Time
	// beatingSince is when this region's heartbeats last resumed: after
	// a PostgreSQL outage every region's last heartbeat is old, so none
	// takes another over until it has beaten for a whole timeout itself
	// (and the others have had the time to beat again too).
	beatingSince time.Time
	wg           sync.WaitGroup
}

type runningLane struct {
	s      *Scheduler
	cancel context.CancelFunc
}

func (r *Regions) defaults() {
	if r.Timeout <= 0 {
		r.Timeout = 30 * time.Second
	}
	if r.Every <= 0 {
		r.Every = max(r.Timeout/5, 100*time.Millisecond)
	}
	if r.Log == nil {
		r.Log = slog.Default()
	}
	if r.running == nil {
		r.running, r.draining = map[string]*runningLane{}, map[string]*Scheduler{}
	}
}

// Run beats and looks every Every until ctx ends, then stops every lane.
func (r *Regions) Run(ctx context.Context) error {
	r.mu.Lock()
	r.defaults()
	r.mu.Unlock()
	t := time.NewTicker(r.Every)
	defer t.Stop()
	defer r.stopAll()
	for {
		sctx, cancel := context.WithTimeout(ctx, max(r.Every, 5*time.Second))
		if err := r.Step(sctx, ctx); err != nil && ctx.Err() == nil {
			r.Log.Error("regions", "region", r.Name, "err", err)
		}
		cancel()
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// Serving lists the regions whose tenants this region serves now.
func (r *Regions) Serving() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]string, 0, len(r.running))
	for name := range r.running {
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}

// Step is one beat: heartbeat, take over what is orphaned, start and stop
// lanes to match who serves whom, and move handbacks on. Lanes it starts
// run under life (Run's context).
func (r *Regions) Step(ctx, life context.Context) error {
	r.mu.Lock()
	r.defaults()
	r.mu.Unlock()
	if err := r.Store.Heartbeat(ctx, r.Name); err != nil {
		r.beatingSince = time.Time{}
		// Unable to beat for a timeout, this region may be taken over: it
		// stops scheduling rather than run beside the region that did.
		if !r.lastBeat.IsZero() && time.Since(r.lastBeat) > r.Timeout {
			r.Log.Error("no heartbeat written for longer than the takeover timeout; stopping this region's schedulers",
				"region", r.Name, "timeout", r.Timeout)
			r.stopAll()
		}
		return err
	}
	r.lastBeat = time.Now()
	if r.beatingSince.IsZero() {
		r.beatingSince = r.lastBeat
	}
	regions, err := r.Store.Regions(ctx, r.Timeout)
	if err != nil {
		return err
	}
	mayTakeOver := time.Since(r.beatingSince) >= r.Timeout
	alive := map[string]bool{}
	for _, g := range regions {
		alive[g.Name] = g.Alive
	}
	alive[r.Name] = true
	var errs []error
	for _, g := range regions {
		if g.ServedBy != r.Name && !alive[g.ServedBy] && mayTakeOver {
			// The region serving g's tenants (g itself, or one that took
			// them over) stopped heartbeating: take them over.
			won, err := r.Store.TakeOver(ctx, g.Name, g.ServedBy, r.Name, r.Timeout)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			if won {
				r.Log.Warn("region stopped heartbeating; serving its tenants", "region", r.Name,
					"taken_over", g.Name, "from", g.ServedBy, "last_seen", g.LastSeen)
				g.ServedBy, g.Handback = r.Name, false
			}
		}
		switch {
		case g.ServedBy != r.Name:
			r.stop(g.Name)
		case g.Handback && g.Name != r.Name:
			if err := r.drain(ctx, g.Name); err != nil {
				errs = append(errs, err)
			}
		default:
			if err := r.start(life, g.Name); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}

// start runs region's lanes unless they run already.
func (r *Regions) start(life context.Context, region string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.running[region]; ok {
		return nil
	}
	delete(r.draining, region)
	s, err := r.Lane(region, region != r.Name)
	if err != nil {
		return fmt.Errorf("region %s: lanes of %s: %w", r.Name, region, err)
	}
	ctx, cancel := context.WithCancel(life)
	r.running[region] = &runningLane{s: s, cancel: cancel}
	r.wg.Go(func() {
		if err := s.Run(ctx); err != nil {
			r.Log.Error("scheduler of region", "region", r.Name, "serving", region, "err", err)
		}
	})
	r.Log.Info("scheduling a region's tenants", "region", r.Name, "serving", region)
	return nil
}

// stop stops region's lanes if they run here.
func (r *Regions) stop(region string) {
	r.mu.Lock()
	lane, ok := r.running[region]
	delete(r.running, region)
	delete(r.draining, region)
	r.mu.Unlock()
	if ok {
		lane.cancel()
		r.Log.Warn("no longer scheduling a region's tenants", "region", r.Name, "served_region", region)
	}
}

func (r *Regions) stopAll() {
	r.mu.Lock()
	for name, lane := range r.running {
		lane.cancel()
		delete(r.running, name)
	}
	r.mu.Unlock()
	r.wg.Wait()
}

// drain moves a handback on: region's lanes stop scheduling new ledgers
// (their cursors stay where they are, for region to continue from), their
// unfinished ledgers are recovered here until none is left and no
// notification of region's tenants is open, and then region gets its
// tenants back. Handing back earlier would let both regions run the same
// work, each seeing the other's tasks as lost.
func (r *Regions) drain(ctx context.Context, region string) error {
	r.mu.Lock()
	if lane, ok := r.running[region]; ok {
		lane.cancel()
		delete(r.running, region)
		r.draining[region] = lane.s
		r.Log.Info("handback asked: finishing a region's work before handing its tenants back", "region", r.Name, "served_region", region)
	}
	s, ok := r.draining[region]
	r.mu.Unlock()
	if !ok {
		var err error
		if s, err = r.Lane(region, true); err != nil {
			return fmt.Errorf("region %s: lanes of %s: %w", r.Name, region, err)
		}
		r.mu.Lock()
		r.draining[region] = s
		r.mu.Unlock()
	}
	unfinished := 0
	for _, slug := range s.Networks() {
		res, err := s.Recover(ctx, slug)
		if err != nil {
			return fmt.Errorf("region %s: finish %s before handing it back: %w", r.Name, slug, err)
		}
		unfinished += res.Unfinished
	}
	if unfinished > 0 {
		return nil
	}
	open, err := r.Store.RegionDeliveriesOpen(ctx, region, r.DefaultRegion)
	if err != nil || open {
		return err
	}
	won, err := r.Store.HandBack(ctx, region, r.Name)
	if err != nil {
		return err
	}
	if won {
		r.mu.Lock()
		delete(r.draining, region)
		r.mu.Unlock()
		r.Log.Warn("handed a region's tenants back", "region", r.Name, "handed_back", region)
	}
	return nil
}

// Networks lists the networks (or lanes, see tasks.Lane) s schedules.
func (s *Scheduler) Networks() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, 0, len(s.networks))
	for slug := range s.networks {
		out = append(out, slug)
	}
	sort.Strings(out)
	return out
}
