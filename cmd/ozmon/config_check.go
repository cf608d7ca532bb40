package main

import (
	"context"
	"maps"
	"slices"

	"github.com/ozmon/ozmon/internal/config"
	"github.com/ozmon/ozmon/monitor/ozconfig"
	"github.com/ozmon/ozmon/notify"
	"github.com/ozmon/ozmon/store"
	"github.com/ozmon/ozmon/store/files"
)

// checkedDir is a configuration directory that passed validateDir.
type checkedDir struct {
	tenants map[string]*ozconfig.Config
	raw     store.RawConfig // only for a single tenant's directory
}

// validateDir is the one validation behind `ozmon validate` and `ozmon
// import`, so that what one accepts the other stores: the directory is
// parsed and cross-checked under the operator's limits (limits.*), then
// every trigger's destination goes through the guard the workers use
// (notify.allow_hosts). With single, dir is one tenant's directory and
// each item's original JSON is kept for import; otherwise dir may hold
// tenants/<slug>/…. problems lists what is wrong with the directory; err
// is a failure of the operator's own settings.
func validateDir(ctx context.Context, pcfg config.Config, dir string, single bool) (d checkedDir, problems, err error) {
	opts, err := (&app{cfg: pcfg}).channelOptions()
	if err != nil {
		return d, nil, err
	}
	load := []files.Option{files.WithLimits(pcfg.Limits.Monitor())}
	if single {
		var cfg *ozconfig.Config
		cfg, d.raw, problems = files.LoadDirRaw(dir, load...)
		d.tenants = map[string]*ozconfig.Config{"": cfg}
	} else {
		d.tenants, problems = files.LoadTenants(dir, load...)
	}
	if problems != nil {
		return checkedDir{}, problems, nil
	}
	var refused ozconfig.ValidationErrors
	for _, slug := range slices.Sorted(maps.Keys(d.tenants)) {
		refused = append(refused, notify.CheckConfig(ctx, d.tenants[slug], opts...)...)
	}
	if len(refused) > 0 {
		return checkedDir{}, refused, nil
	}
	return d, nil, nil
}
