package worker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/ozmon/ozmon/tasks"
)

// Config sizes a Worker.
type Config struct {
	// Concurrency is how many fetch-block and evaluate-tenants tasks run at
	// once (CPU-bound work).
	Concurrency int
	// NotifyConcurrency is how many deliver tasks run at once (I/O-bound:
	// each may wait on a receiver up to its timeout). 0 means Concurrency.
	NotifyConcurrency int
	// ShutdownTimeout is how long in-flight fetch-block and
	// evaluate-tenants tasks get to finish on Shutdown before asynq puts
	// them back in their queue and cancels their contexts. 0 means asynq's
	// default, 8 s.
	ShutdownTimeout time.Duration
	// NotifyShutdownTimeout is the same for deliver tasks. Set it above the
	// longest send (notify.send_timeout): a send cut short here is
	// requeued while the receiver may already have it, and another worker
	// sends it again. 0 means ShutdownTimeout.
	NotifyShutdownTimeout time.Duration
	// Queues and their weights; nil or empty means tasks.DefaultQueues().
	// Queues named notify-* go to the notify server, the others to the
	// pipeline server; a side without queues runs no server.
	Queues map[string]int
	// Tiers, when set, reports the tiers that have tenants (normally
	// tenants.Registry.Tiers). The worker then drains, of Queues, only
	// blocks, those
	// tiers' queues and any queue that still holds tasks; see Worker.
	Tiers func() []tasks.Tier
	// CheckEvery is how often the drained set is reconsidered when Tiers is
	// set (default 1 s); queue contents are read every fifth time.
	CheckEvery time.Duration
	Logger     asynq.Logger
	Log        *slog.Logger // the worker's own messages (default: discard)
}

// Worker is one pod's asynq servers: one drains the pipeline queues
// (blocks, eval-*), one the notify queues.
//
// Every handler call is tracked, so Shutdown returns only once all have
// returned (see Shutdown).
//
// Why two, and why it follows the tiers in use: asynq's Dequeue asks Redis
// once per queue, in weighted order, until one has a task, and each server
// has a single dequeue loop. With all nine queues in one server a task
// cost several round trips on that one loop, which capped a worker's
// throughput in benchmarks. Two loops (and slow receivers, each holding a
// delivery slot up to its timeout, can no longer take the slots ledger
// evaluation needs) and no queue of a tier without tenants (the common
// deployment has one tier) bring most dequeues down to one round trip.
// Weights between the tiers that are drained are unchanged.
//
// A queue outside the tiers in use is still drained while it holds
// anything — pending, scheduled, retrying, active elsewhere or completed
// and retained — so leftovers of a demoted tier, replays and asynq's
// clean-up are never stranded; such tasks wait at most five checks.
type Worker struct {
	rdb    redis.UniversalClient
	cfg    Config
	queues map[string]int // everything this worker may drain
	insp   *asynq.Inspector

	mu      sync.Mutex
	started bool
	h       asynq.Handler
	active  map[string]bool // the running servers' queues
	servers []*asynq.Server
	busy    map[string]bool // queues outside inUse that held tasks at the last look
	stop    chan struct{}
	done    chan struct{}
	retired sync.WaitGroup // servers shutting down after a change

	// Handler calls in flight. draining is set, under callMu, once the
	// servers have shut down: a call that starts later belongs to a task
	// asynq already requeued, and is refused rather than added to calls
	// while Shutdown waits on it.
	callMu   sync.RWMutex
	draining bool
	calls    sync.WaitGroup
	running  atomic.Int64
}

// defaultShutdownTimeout is asynq's default ShutdownTimeout, made explicit
// so the worker knows how long its servers wait.
const defaultShutdownTimeout = 8 * time.Second

// New returns a worker on rdb; call Start.
func New(rdb redis.UniversalClient, cfg Config) (*Worker, error) {
	if cfg.Concurrency <= 0 {
		return nil, fmt.Errorf("worker: concurrency %d must be > 0", cfg.Concurrency)
	}
	if cfg.NotifyConcurrency < 0 {
		return nil, fmt.Errorf("worker: notify concurrency %d must be >= 0", cfg.NotifyConcurrency)
	}
	if cfg.NotifyConcurrency == 0 {
		cfg.NotifyConcurrency = cfg.Concurrency
	}
	if cfg.ShutdownTimeout < 0 || cfg.NotifyShutdownTimeout < 0 {
		return nil, fmt.Errorf("worker: shutdown timeouts %s and %s (notify) must be >= 0", cfg.ShutdownTimeout, cfg.NotifyShutdownTimeout)
	}
	if cfg.ShutdownTimeout == 0 {
		cfg.ShutdownTimeout = defaultShutdownTimeout
	}
	if cfg.NotifyShutdownTimeout == 0 {
		cfg.NotifyShutdownTimeout = cfg.ShutdownTimeout
	}
	if cfg.CheckEvery <= 0 {
		cfg.CheckEvery = time.Second
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	queues := cfg.Queues
	if len(queues) == 0 {
		queues = tasks.DefaultQueues()
	}
	known := map[string]bool{}
	for _, q := range tasks.AllQueues() {
		known[q] = true
	}
	for q, w := range queues {
		if !known[q] {
			return nil, fmt.Errorf("worker: queue %q is not one of %s", q, strings.Join(tasks.AllQueues(), ", "))
		}
		if w <= 0 {
			return nil, fmt.Errorf("worker: queue %q has weight %d, must be > 0", q, w)
		}
	}
	return &Worker{rdb: rdb, cfg: cfg, queues: queues, insp: asynq.NewInspectorFromRedisClient(rdb),
		busy: map[string]bool{}, stop: make(chan struct{}), done: make(chan struct{})}, nil
}

// Start starts the servers with handler h (normally handlers.Handlers.Mux) and, when
// Tiers is set, the loop that keeps the drained set current.
func (w *Worker) Start(h asynq.Handler) error {
	w.mu.Lock()
	if w.started {
		w.mu.Unlock()
		return errors.New("worker: already started")
	}
	w.h = w.track(h)
	w.started = true
	w.mu.Unlock()
	if w.cfg.Tiers != nil {
		w.lookAtQueues(w.inUse())
	}
	if err := w.apply(w.wanted()); err != nil {
		close(w.done)
		return err
	}
	if w.cfg.Tiers == nil {
		close(w.done)
		return nil
	}
	go w.follow()
	return nil
}

// follow reconsiders the drained set every CheckEvery until Shutdown.
func (w *Worker) follow() {
	defer close(w.done)
	t := time.NewTicker(w.cfg.CheckEvery)
	defer t.Stop()
	for n := 1; ; n++ {
		select {
		case <-w.stop:
			return
		case <-t.C:
		}
		if n%5 == 0 {
			w.lookAtQueues(w.inUse())
		}
		if err := w.apply(w.wanted()); err != nil {
			w.cfg.Log.Error("worker: change drained queues", "err", err)
		}
	}
}

// lookAtQueues records which queues hold tasks, of those not in skip
// (drained anyway). A queue that cannot be read counts as holding some:
// draining it costs little, stranding it a lot.
func (w *Worker) lookAtQueues(skip map[string]bool) {
	busy := map[string]bool{}
	used, err := w.insp.Queues() // queues that ever had a task
	for q := range w.queues {
		switch {
		case skip[q]:
		case err != nil:
			busy[q] = true
		case slices.Contains(used, q):
			info, err := w.insp.GetQueueInfo(q)
			if err != nil || info.Pending+info.Active+info.Scheduled+info.Retry+info.Aggregating+info.Completed > 0 {
				busy[q] = true
			}
		}
	}
	w.mu.Lock()
	w.busy = busy
	w.mu.Unlock()
}

// inUse is what is drained whatever it holds: every queue without Tiers;
// else blocks and the queues of the tiers that have tenants.
func (w *Worker) inUse() map[string]bool {
	use := map[string]bool{}
	if w.cfg.Tiers == nil {
		for q := range w.queues {
			use[q] = true
		}
		return use
	}
	names := []string{tasks.QueueBlocks}
	for _, t := range w.cfg.Tiers() {
		names = append(names, tasks.EvalQueue(t), tasks.NotifyQueue(t))
	}
	for _, q := range names {
		if _, ok := w.queues[q]; ok {
			use[q] = true
		}
	}
	return use
}

// wanted is the set to drain now: inUse and the queues holding tasks.
func (w *Worker) wanted() map[string]bool {
	want := w.inUse()
	w.mu.Lock()
	defer w.mu.Unlock()
	for q := range w.busy {
		want[q] = true
	}
	return want
}

// apply runs servers for exactly the queues in want: new servers start
// before the old ones are asked to stop, so draining never pauses.
func (w *Worker) apply(want map[string]bool) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if maps.Equal(want, w.active) {
		return nil
	}
	pipeline, notify := map[string]int{}, map[string]int{}
	for q := range want {
		if tasks.IsNotifyQueue(q) {
			notify[q] = w.queues[q]
		} else {
			pipeline[q] = w.queues[q]
		}
	}
	var started []*asynq.Server
	for _, side := range []struct {
		queues      map[string]int
		concurrency int
		shutdown    time.Duration
	}{{pipeline, w.cfg.Concurrency, w.cfg.ShutdownTimeout}, {notify, w.cfg.NotifyConcurrency, w.cfg.NotifyShutdownTimeout}} {
		if len(side.queues) == 0 {
			continue
		}
		srv := asynq.NewServerFromRedisClient(w.rdb, serverConfig(side.concurrency, side.shutdown, side.queues, w.cfg.Logger))
		if err := srv.Start(w.h); err != nil {
			for _, s := range started {
				s.Shutdown()
			}
			return fmt.Errorf("start worker: %w", err)
		}
		started = append(started, srv)
	}
	old := w.servers
	w.servers, w.active = started, want
	if old != nil {
		w.cfg.Log.Info("worker: drained queues changed", "queues", slices.Sorted(maps.Keys(want)))
	}
	for _, srv := range old {
		w.retired.Go(srv.Shutdown)
	}
	return nil
}

// Shutdown stops fetching tasks, gives in-flight ones their shutdown
// timeout (deliver tasks NotifyShutdownTimeout) and puts the rest back in
// their queues, cancelling their contexts. Then it waits for every handler
// call to return: asynq does not — a requeued task's handler goroutine
// runs on — and the caller closes the store and Redis once Shutdown
// returns, which would fail the handler's last write (a delivery outcome
// lost, so the notification is sent again). A handler that ignores its
// cancelled context is waited for at most the longer timeout once more;
// then Shutdown logs how many still run and returns.
func (w *Worker) Shutdown() {
	w.mu.Lock()
	started := w.started
	w.mu.Unlock()
	if !started {
		return
	}
	select {
	case <-w.stop:
	default:
		close(w.stop)
	}
	<-w.done
	w.mu.Lock()
	current := w.servers
	w.servers = nil
	w.mu.Unlock()
	for _, srv := range current {
		w.retired.Go(srv.Shutdown)
	}
	w.retired.Wait()
	w.waitForHandlers(max(w.cfg.ShutdownTimeout, w.cfg.NotifyShutdownTimeout))
}

// track wraps h so that Shutdown can wait for every call of it.
func (w *Worker) track(h asynq.Handler) asynq.Handler {
	return asynq.HandlerFunc(func(ctx context.Context, t *asynq.Task) error {
		w.callMu.RLock()
		if w.draining {
			w.callMu.RUnlock()
			id, _ := asynq.GetTaskID(ctx)
			return fmt.Errorf("worker shut down: task %s (%s) not run; asynq put it back in its queue", id, t.Type())
		}
		w.calls.Add(1)
		w.running.Add(1)
		w.callMu.RUnlock()
		defer func() {
			w.running.Add(-1)
			w.calls.Done()
		}()
		return h.ProcessTask(ctx, t)
	})
}

// waitForHandlers refuses new handler calls and waits up to grace for the
// running ones to return.
func (w *Worker) waitForHandlers(grace time.Duration) {
	w.callMu.Lock()
	w.draining = true
	w.callMu.Unlock()
	done := make(chan struct{})
	go func() {
		w.calls.Wait()
		close(done)
	}()
	t := time.NewTimer(grace)
	defer t.Stop()
	select {
	case <-done:
	case <-t.C:
		w.cfg.Log.Error("worker: handlers still running after shutdown; not waiting longer (their tasks are back in their queues; their last writes may fail)",
			"handlers", w.running.Load(), "waited", grace)
	}
}

// Ping checks that every server can reach Redis.
func (w *Worker) Ping() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, srv := range w.servers {
		if err := srv.Ping(); err != nil {
			return err
		}
	}
	return nil
}

// Queues returns the queues drained now, sorted.
func (w *Worker) Queues() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Sorted(maps.Keys(w.active))
}
