package metrics

import (
	"github.com/hibiken/asynq"
	"github.com/prometheus/client_golang/prometheus"
)

// QueueCollector reports asynq queue sizes by state (pending, active,
// scheduled, retry, archived — the dead-letter queue —, completed) and
// queue latency, read from Redis at scrape time. Register it in one
// process per deployment (the scheduler), not in every worker.
type QueueCollector struct {
	insp    *asynq.Inspector
	queues  []string
	size    *prometheus.Desc
	latency *prometheus.Desc
	errs    *prometheus.Desc
}

// NewQueueCollector reads the given queues through insp.
func NewQueueCollector(insp *asynq.Inspector, queues []string) *QueueCollector {
	return &QueueCollector{
		insp: insp, queues: queues,
		size:    prometheus.NewDesc("oz_monitor_queue_size", "Tasks in a queue by state.", []string{"queue", "state"}, nil),
		latency: prometheus.NewDesc("oz_monitor_queue_latency_seconds", "Age of the oldest pending task of a queue.", []string{"queue"}, nil),
		errs:    prometheus.NewDesc("oz_monitor_queue_scrape_errors", "Queues that could not be read in this scrape.", nil, nil),
	}
}

// Describe implements prometheus.Collector.
func (c *QueueCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.size
	ch <- c.latency
	ch <- c.errs
}

// Collect implements prometheus.Collector.
func (c *QueueCollector) Collect(ch chan<- prometheus.Metric) {
	failed := 0
	known := map[string]bool{}
	if qs, err := c.insp.Queues(); err == nil {
		for _, q := range qs {
			known[q] = true
		}
	} else {
		failed++
	}
	for _, q := range c.queues {
		// A queue asynq has not seen yet has no keys: report zeros, so
		// dashboards and KEDA see every queue from the start.
		info, err := &asynq.QueueInfo{}, error(nil)
		if known[q] {
			info, err = c.insp.GetQueueInfo(q)
		}
		if err != nil {
			failed++
			continue
		}
		for state, n := range map[string]int{"pending": info.Pending, "active": info.Active, "scheduled": info.Scheduled,
			"retry": info.Retry, "archived": info.Archived, "completed": info.Completed} {
			ch <- prometheus.MustNewConstMetric(c.size, prometheus.GaugeValue, float64(n), q, state)
		}
		ch <- prometheus.MustNewConstMetric(c.latency, prometheus.GaugeValue, info.Latency.Seconds(), q)
	}
	ch <- prometheus.MustNewConstMetric(c.errs, prometheus.GaugeValue, float64(failed))
}
