package tenants

import (
	"context"
	"log/slog"

	"github.com/ozmon/ozmon/internal/metrics"
	"github.com/ozmon/ozmon/monitor"
	"github.com/ozmon/ozmon/monitor/ozconfig"
)

// Option configures a Registry.
type Option func(*Registry)

// WithNetworks names the networks this deployment fetches: only they are
// indexed, and a monitor on another network is reported as a problem of
// its tenant. Without it nothing is indexed.
func WithNetworks(networks ...string) Option {
	return func(ts *Registry) {
		for _, n := range networks {
			ts.networks[n] = true
			ts.indexes[n] = monitor.NewIndex(n)
		}
	}
}

// WithSpecs gives compiled Stellar monitors their contract specs.
func WithSpecs(specs monitor.SpecSource) Option {
	return func(ts *Registry) { ts.specs = specs }
}

// WithABIs gives compiled EVM monitors their ABI decoders; without it EVM
// monitors have none.
func WithABIs(src monitor.ABISource) Option {
	return func(ts *Registry) { ts.abis = src }
}

// WithTriggerCheck makes every load vet each trigger with f (e.g.
// notify.Check with the deployment's guard); a refused trigger is reported
// as a problem of its tenant.
func WithTriggerCheck(f func(context.Context, *ozconfig.Trigger) error) Option {
	return func(ts *Registry) { ts.checkTrigger = f }
}

// WithLogger sets the logger for reload problems (default slog.Default()).
func WithLogger(log *slog.Logger) Option {
	return func(ts *Registry) {
		if log != nil {
			ts.log = log
		}
	}
}

// WithMetrics counts tenants and config problems in m.
func WithMetrics(m *metrics.Metrics) Option {
	return func(ts *Registry) { ts.m = m }
}

// WithProblemSink hands sink each tenant's problems (items skipped,
// quotas trimmed) after every load of it, all of them, so that the sink
// can replace what it had (e.g. postgres.Store.ReplaceTenantProblems,
// which the tenant API reads). The sink must not block for long: it runs
// inside the load. Its failures are its own to report.
func WithProblemSink(sink func(ctx context.Context, tenantID string, problems []error)) Option {
	return func(ts *Registry) { ts.problemSink = sink }
}
