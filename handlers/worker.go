package handlers

import (
	"fmt"
	"strings"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/ozmon/ozmon/tasks"
)

// WorkerConfig sizes a Worker.
type WorkerConfig struct {
	// Concurrency is how many fetch-block and evaluate-tenants tasks run at
	// once (CPU-bound work).
	Concurrency int
	// NotifyConcurrency is how many deliver tasks run at once (I/O-bound:
	// each may wait on a receiver up to its timeout). 0 means Concurrency.
	NotifyConcurrency int
	// ShutdownTimeout is how long in-flight tasks get to finish on
	// Shutdown before they go back to their queue.
	ShutdownTimeout time.Duration
	// Queues and their weights; nil or empty means tasks.DefaultQueues(). Queues
	// named notify-* go to the notify server, the others to the pipeline
	// server; a side without queues runs no server.
	Queues map[string]int
	Logger asynq.Logger
}

// Worker is one pod's asynq servers: one drains the pipeline queues
// (blocks, eval-*), one the notify queues.
//
// Why two: asynq's Dequeue asks Redis once per queue, in weighted order,
// until one has a task, and each server has a single dequeue loop. With
// all nine queues in one server most tasks cost several round trips on
// that one loop, which capped a worker's throughput in benchmarks. Two
// loops over five and four queues double that ceiling, and slow receivers
// (a delivery holds its slot up to its timeout) can no longer take the
// slots that ledger evaluations need.
type Worker struct {
	servers []*asynq.Server
}

// NewWorker returns a worker on rdb; call Start.
func NewWorker(rdb redis.UniversalClient, cfg WorkerConfig) (*Worker, error) {
	if cfg.Concurrency <= 0 {
		return nil, fmt.Errorf("worker: concurrency %d must be > 0", cfg.Concurrency)
	}
	if cfg.NotifyConcurrency < 0 {
		return nil, fmt.Errorf("worker: notify concurrency %d must be >= 0", cfg.NotifyConcurrency)
	}
	if cfg.NotifyConcurrency == 0 {
		cfg.NotifyConcurrency = cfg.Concurrency
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
	pipeline, notify := map[string]int{}, map[string]int{}
	for q, w := range queues {
		if tasks.IsNotifyQueue(q) {
			notify[q] = w
		} else {
			pipeline[q] = w
		}
	}
	w := &Worker{}
	for _, side := range []struct {
		queues      map[string]int
		concurrency int
	}{{pipeline, cfg.Concurrency}, {notify, cfg.NotifyConcurrency}} {
		if len(side.queues) == 0 {
			continue
		}
		w.servers = append(w.servers, asynq.NewServerFromRedisClient(rdb,
			ServerConfig(side.concurrency, cfg.ShutdownTimeout, side.queues, cfg.Logger)))
	}
	return w, nil
}

// Start starts every server with handler h (normally Handlers.Mux). On
// error, servers already started are shut down.
func (w *Worker) Start(h asynq.Handler) error {
	for i, srv := range w.servers {
		if err := srv.Start(h); err != nil {
			for _, started := range w.servers[:i] {
				started.Shutdown()
			}
			return fmt.Errorf("start worker: %w", err)
		}
	}
	return nil
}

// Shutdown stops fetching tasks and waits up to the shutdown timeout for
// in-flight ones; the rest return to their queues.
func (w *Worker) Shutdown() {
	done := make(chan struct{}, len(w.servers))
	for _, srv := range w.servers {
		go func() { srv.Shutdown(); done <- struct{}{} }()
	}
	for range w.servers {
		<-done
	}
}

// Ping checks that every server can reach Redis.
func (w *Worker) Ping() error {
	for _, srv := range w.servers {
		if err := srv.Ping(); err != nil {
			return err
		}
	}
	return nil
}
