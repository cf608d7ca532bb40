package handlers_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/ozmon/ozmon/tasks"
)

// TestDeliverRetentionIsConfigurable: sent notifications keep their task
// for notify.retention, and tasks.DeliverRetention without it.
func TestDeliverRetentionIsConfigurable(t *testing.T) {
	t.Parallel()
	dir, blocks := mainnetLedgers(t)
	for _, c := range []struct {
		retain, want time.Duration
	}{{2 * time.Hour, 2 * time.Hour}, {0, tasks.DeliverRetention}} {
		t.Run(fmt.Sprint(c.retain), func(t *testing.T) {
			t.Parallel()
			p := newPipeline(t, dir)
			p.retain = c.retain
			tg := rareTargets(blocks, 2)[0]
			cfg, raw := tenantConfig(t, "m", tg, "", p.sink.URL())
			p.importTenant("acme", cfg, raw, "")
			if _, err := p.sim.Advance(lastLedger - firstLedger); err != nil {
				t.Fatal(err)
			}
			p.startWorker(10, nil)
			p.startScheduler()
			p.waitDelivered(len(tg.txs), time.Minute)
			for _, ti := range p.completedDelivers(t, len(tg.txs)) {
				if ti.Retention != c.want {
					t.Errorf("deliver task %s kept for %s, want %s", ti.ID, ti.Retention, c.want)
				}
			}
		})
	}
}

// completedDelivers waits for n deliver tasks of the default tier to
// complete and returns them.
func (p *pipeline) completedDelivers(t *testing.T, n int) []*asynq.TaskInfo {
	t.Helper()
	insp := asynq.NewInspector(asynq.RedisClientOpt{Addr: p.rdbOpts.Addr, DB: p.rdbOpts.DB})
	defer insp.Close()
	var done []*asynq.TaskInfo
	waitUntil(t, 10*time.Second, "the deliver tasks to complete", func() bool {
		done, _ = insp.ListCompletedTasks(tasks.NotifyQueue(tasks.TierDefault))
		return len(done) == n
	})
	return done
}
