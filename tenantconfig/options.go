package tenantconfig

import (
	"log/slog"

	"github.com/ozmon/ozmon/monitor/ozconfig"
	"github.com/ozmon/ozmon/notify"
)

// Option configures validation and a Writer.
type Option func(*options)

type options struct {
	limits ozconfig.Limits
	notify []notify.Option
	log    *slog.Logger
}

func newOptions(opts []Option) options {
	o := options{limits: ozconfig.DefaultLimits(), log: slog.Default()}
	for _, f := range opts {
		f(&o)
	}
	return o
}

// WithLimits holds configurations to the operator's limits (limits.*)
// instead of ozconfig.DefaultLimits.
func WithLimits(l ozconfig.Limits) Option {
	return func(o *options) { o.limits = l }
}

// WithNotifyOptions vets every trigger with these channel options (the
// destination guard, script confinement), as the workers will.
func WithNotifyOptions(opts ...notify.Option) Option {
	return func(o *options) { o.notify = opts }
}

// WithLogger sets the Writer's logger (default slog.Default()).
func WithLogger(log *slog.Logger) Option {
	return func(o *options) {
		if log != nil {
			o.log = log
		}
	}
}
