package metrics

import "github.com/prometheus/client_golang/prometheus"

// Live instruments the live event stream (package live): the workers'
// best-effort publishing and the API pods' fan-out. Fleet totals only:
// no tenant label, so the series count does not grow with tenants.
type Live struct {
	Published       prometheus.Counter // events appended to tenants' streams
	PublishFailures prometheus.Counter // events dropped because Redis did not take them in time
	Feeds           prometheus.Gauge   // tenant streams this process reads
	Subscriptions   prometheus.Gauge   // open subscriptions in this process
	SlowCuts        prometheus.Counter // subscriptions cut off for not keeping up
	ReadErrors      prometheus.Counter // failed stream reads (the reader retries)
}

func newLive(r *prometheus.Registry) Live {
	l := Live{
		Published:       prometheus.NewCounter(prometheus.CounterOpts{Name: "oz_monitor_live_published_total", Help: "Live events (matches, delivery outcomes) appended to tenants' streams."}),
		PublishFailures: prometheus.NewCounter(prometheus.CounterOpts{Name: "oz_monitor_live_publish_failures_total", Help: "Live events not published (Redis unreachable or slow); the pipeline went on without them."}),
		Feeds:           prometheus.NewGauge(prometheus.GaugeOpts{Name: "oz_monitor_live_feeds", Help: "Tenant streams this API process reads (one per tenant with subscribers)."}),
		Subscriptions:   prometheus.NewGauge(prometheus.GaugeOpts{Name: "oz_monitor_live_subscriptions", Help: "Open live subscriptions in this API process."}),
		SlowCuts:        prometheus.NewCounter(prometheus.CounterOpts{Name: "oz_monitor_live_slow_subscribers_total", Help: "Live subscriptions cut off because their buffer was full."}),
		ReadErrors:      prometheus.NewCounter(prometheus.CounterOpts{Name: "oz_monitor_live_read_errors_total", Help: "Failed reads of tenants' streams (the reader retries from its last id)."}),
	}
	r.MustRegister(l.Published, l.PublishFailures, l.Feeds, l.Subscriptions, l.SlowCuts, l.ReadErrors)
	return l
}
