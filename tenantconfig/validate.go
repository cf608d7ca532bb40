package tenantconfig

import (
	"context"
	"maps"
	"slices"

	"github.com/ozmon/ozmon/monitor/ozconfig"
	"github.com/ozmon/ozmon/notify"
	"github.com/ozmon/ozmon/store"
	"github.com/ozmon/ozmon/store/files"
)

// Validate is the full validation of `ozmon validate` over one tenant's
// configuration given as files ("networks/n.json", "monitors/m.json",
// "triggers/t.json" → JSON): parsed under the limits, cross-checked as
// OpenZeppelin Monitor does, then every trigger through notify.CheckConfig
// (destination guard, script confinement). It returns the configuration
// and each item's JSON, or the problems, each naming file and JSON path.
func Validate(ctx context.Context, fileset map[string][]byte, opts ...Option) (*ozconfig.Config, store.RawConfig, ozconfig.ValidationErrors) {
	o := newOptions(opts)
	cfg, raw, err := files.LoadFiles(fileset, files.WithLimits(o.limits))
	if err != nil {
		return nil, store.RawConfig{}, ozconfig.AsValidationErrors(err)
	}
	if refused := notify.CheckConfig(ctx, cfg, o.notify...); len(refused) > 0 {
		return nil, store.RawConfig{}, refused
	}
	return cfg, raw, nil
}

// ValidateDir is Validate over a directory. With single, dir is one
// tenant's directory (keyed "" in the result) and each item's JSON is
// returned; otherwise dir may hold tenants/<slug>/….
func ValidateDir(ctx context.Context, dir string, single bool, opts ...Option) (map[string]*ozconfig.Config, store.RawConfig, error) {
	o := newOptions(opts)
	load := []files.Option{files.WithLimits(o.limits)}
	var tenants map[string]*ozconfig.Config
	var raw store.RawConfig
	var problems error
	if single {
		var cfg *ozconfig.Config
		cfg, raw, problems = files.LoadDirRaw(dir, load...)
		tenants = map[string]*ozconfig.Config{"": cfg}
	} else {
		tenants, problems = files.LoadTenants(dir, load...)
	}
	if problems != nil {
		return nil, store.RawConfig{}, problems
	}
	var refused ozconfig.ValidationErrors
	for _, slug := range slices.Sorted(maps.Keys(tenants)) {
		refused = append(refused, notify.CheckConfig(ctx, tenants[slug], o.notify...)...)
	}
	if len(refused) > 0 {
		return nil, store.RawConfig{}, refused
	}
	return tenants, raw, nil
}
