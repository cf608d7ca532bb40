package handlers_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/ozmon/ozmon/tasks"
)

// TestRPCCallsDoNotGrowWithTenants runs the same 20 ledgers with 10 and
// with 1,000 tenants: both make exactly one getLedgers call per ledger.
// The tenants' monitors are candidates for every ledger (their contracts
// appear in it) but their expressions never hold, so all evaluation work
// is done without flooding the sink.
func TestRPCCallsDoNotGrowWithTenants(t *testing.T) {
	t.Parallel()
	dir, blocks := mainnetLedgers(t)
	targets := rareTargets(blocks, 1000)
	for _, n := range []int{10, 1000} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			p := newPipeline(t, dir)
			for i := 0; i < n; i++ {
				tg := targets[i%len(targets)]
				// Argument 0 exists on every target; no value equals this.
				cfg, raw := tenantConfig(t, fmt.Sprintf("m%d", i), tg, "0 == 'never-this-value'", p.sink.URL())
				p.importTenant(fmt.Sprintf("t%04d", i), cfg, raw, "")
			}
			p.startWorker(20, nil)
			p.startScheduler()
			p.advanceAll(50*time.Millisecond, nil)
			waitLedgersDone(t, p)
			if c := p.sim.Calls("getLedgers"); c != 20 {
				t.Fatalf("%d tenants: getLedgers calls = %d, want 20", n, c)
			}
			if p.sink.Count() != 0 {
				t.Fatalf("%d notifications for never-true expressions", p.sink.Count())
			}
		})
	}
}

// waitLedgersDone waits until all 20 ledgers were fetched and every queue
// is drained.
func waitLedgersDone(t *testing.T, p *pipeline) {
	t.Helper()
	insp := asynq.NewInspector(asynq.RedisClientOpt{Addr: p.rdbOpts.Addr, DB: p.rdbOpts.DB})
	defer insp.Close()
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		busy := 0
		queues, _ := insp.Queues()
		for _, q := range queues {
			if info, err := insp.GetQueueInfo(q); err == nil {
				busy += info.Pending + info.Active + info.Scheduled + info.Retry
			}
		}
		cur, _, _ := p.st.Cursor(context.Background(), mainnet)
		if busy == 0 && cur == lastLedger && p.sim.Calls("getLedgers") >= 20 {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("pipeline did not drain: getLedgers=%d", p.sim.Calls("getLedgers"))
}

// TestHighTierOvertakesLowTierUnderBacklog fills the queues while no worker
// runs, then starts one single-slot worker: the critical tenant's
// notifications are, on average, delivered well before the low tenant's.
func TestHighTierOvertakesLowTierUnderBacklog(t *testing.T) {
	t.Parallel()
	dir, blocks := mainnetLedgers(t)
	p := newPipeline(t, dir)
	// One busy target, so each tenant gets many notifications.
	var busiest eventTarget
	for _, tg := range rareTargets(blocks, 1<<30) {
		if len(tg.txs) > len(busiest.txs) && len(tg.txs) <= 60 {
			busiest = tg
		}
	}
	if len(busiest.txs) < 15 {
		t.Fatalf("no event target with enough transactions (best %d)", len(busiest.txs))
	}
	for _, tier := range []tasks.Tier{tasks.TierLow, tasks.TierCritical} {
		cfg, raw := tenantConfig(t, string(tier)+"-monitor", busiest, "", p.sink.URL())
		p.importTenant(string(tier), cfg, raw, tier)
	}
	// Evaluate everything first with a worker that only drains blocks and
	// eval queues, so the notify queues hold the whole backlog.
	evalOnly := map[string]int{tasks.QueueBlocks: 1}
	for _, tr := range tasks.Tiers() {
		evalOnly[tasks.EvalQueue(tr)] = 1
	}
	stopEval := p.startWorker(10, evalOnly)
	p.startScheduler()
	p.advanceAll(20*time.Millisecond, nil)
	insp := asynq.NewInspector(asynq.RedisClientOpt{Addr: p.rdbOpts.Addr, DB: p.rdbOpts.DB})
	defer insp.Close()
	want := len(busiest.txs)
	deadline := time.Now().Add(time.Minute)
	for {
		low, _ := insp.GetQueueInfo(tasks.NotifyQueue(tasks.TierLow))
		crit, _ := insp.GetQueueInfo(tasks.NotifyQueue(tasks.TierCritical))
		if low != nil && crit != nil && low.Pending == want && crit.Pending == want {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("backlog not built: low %+v critical %+v", low, crit)
		}
		time.Sleep(50 * time.Millisecond)
	}
	stopEval()
	notifyOnly := map[string]int{}
	for _, tr := range tasks.Tiers() {
		notifyOnly[tasks.NotifyQueue(tr)] = tasks.DefaultQueues()[tasks.NotifyQueue(tr)]
	}
	p.startWorker(1, notifyOnly)
	reqs := p.waitDelivered(2*want, time.Minute)
	var sumCrit, sumLow, nCrit, nLow int
	for i, r := range reqs {
		got := parseNotifications(t, reqs[i:i+1])
		for n := range got {
			switch n.monitor {
			case "critical-monitor":
				sumCrit += i
				nCrit++
			case "low-monitor":
				sumLow += i
				nLow++
			}
		}
		_ = r
	}
	if nCrit != want || nLow != want {
		t.Fatalf("delivered critical %d, low %d; want %d each", nCrit, nLow, want)
	}
	if meanCrit, meanLow := float64(sumCrit)/float64(nCrit), float64(sumLow)/float64(nLow); meanCrit >= meanLow*0.75 {
		t.Fatalf("critical tenant's mean delivery position %.1f is not well ahead of the low tenant's %.1f", meanCrit, meanLow)
	}
}
