package scheduler

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/ozmon/ozmon/store"
)

// The kinds of network problem the scheduler reports.
const (
	// ProblemRPC: the network's tip cannot be read.
	ProblemRPC = "rpc"
	// ProblemBehind: after a tick the cursor is still more than
	// behindLimit ledgers behind the confirmed tip.
	ProblemBehind = "behind"
	// ProblemSkipped: ledgers were skipped, being further behind than
	// max_past_blocks. Nothing resolves a skip; it ages out of the list.
	ProblemSkipped = "skipped"
)

// behindLimit is how far behind the confirmed tip a network may be after
// a tick before it is a problem: more than a tick's worth of catch-up.
const behindLimit = 1000

// problemReportEvery bounds how often one problem is written: a network
// whose RPC is down fails every tick (each second), and the store needs
// the count, not a write per failure.
const problemReportEvery = 10 * time.Second

// ProblemRecorder keeps the problems reported for networks
// (*postgres.Store implements it).
type ProblemRecorder interface {
	RecordNetworkProblem(ctx context.Context, p store.NetworkProblem) error
	ResolveNetworkProblem(ctx context.Context, network, kind string) error
}

// WithProblems records in r what stops a network's progress — its tip
// unreadable, its cursor far behind, ledgers skipped — and resolves each
// when it stops.
func WithProblems(r ProblemRecorder) Option {
	return func(s *Scheduler) { s.problems = &problemLog{rec: r, log: s.log, open: map[problemKey]*openProblem{}} }
}

type problemKey struct{ network, kind string }

// openProblem is a problem this scheduler has seen and not yet seen end.
type openProblem struct {
	message string
	pending int64     // occurrences not yet written
	written time.Time // last write; zero: never written
}

// problemLog is the scheduler's side of the network problems: it writes
// each at most every problemReportEvery (with the occurrences since) and
// deletes it when resolved. A nil *problemLog does nothing.
type problemLog struct {
	rec ProblemRecorder
	log *slog.Logger

	mu   sync.Mutex
	open map[problemKey]*openProblem
}

// report counts one occurrence of a network's problem.
func (l *problemLog) report(ctx context.Context, network, kind, message string) {
	if l == nil {
		return
	}
	k := problemKey{network, kind}
	now := time.Now()
	l.mu.Lock()
	p := l.open[k]
	if p == nil {
		p = &openProblem{}
		l.open[k] = p
	}
	p.message = message
	p.pending++
	due := now.Sub(p.written) >= problemReportEvery
	np := store.NetworkProblem{Network: network, Kind: kind, Message: message, Count: p.pending}
	if due {
		p.pending, p.written = 0, now
	}
	l.mu.Unlock()
	if !due {
		return
	}
	if err := l.rec.RecordNetworkProblem(context.WithoutCancel(ctx), np); err != nil {
		l.log.Error("record network problem", "network", network, "kind", kind, "err", err)
		l.mu.Lock()
		p.pending += np.Count // counted again on the next write
		p.written = time.Time{}
		l.mu.Unlock()
	}
}

// resolve ends a network's problem of kind, if one is open.
func (l *problemLog) resolve(ctx context.Context, network, kind string) {
	if l == nil {
		return
	}
	k := problemKey{network, kind}
	l.mu.Lock()
	_, ok := l.open[k]
	l.mu.Unlock()
	if !ok {
		return
	}
	if err := l.rec.ResolveNetworkProblem(context.WithoutCancel(ctx), network, kind); err != nil {
		l.log.Error("resolve network problem", "network", network, "kind", kind, "err", err)
		return // still open: tried again on the next resolve
	}
	l.mu.Lock()
	delete(l.open, k)
	l.mu.Unlock()
}

// assumeOpen marks a network's resolvable problems as open, so the first
// tick that finds them gone resolves what an earlier run (or another
// scheduler) left recorded.
func (l *problemLog) assumeOpen(network string) {
	if l == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, kind := range []string{ProblemRPC, ProblemBehind} {
		k := problemKey{network, kind}
		if l.open[k] == nil {
			l.open[k] = &openProblem{}
		}
	}
}

func skippedMessage(from, to, skipped, maxPast uint64) string {
	return fmt.Sprintf("ledgers %d to %d (%d) were skipped: the network was further behind than max_past_blocks (%d)", from, to, skipped, maxPast)
}
