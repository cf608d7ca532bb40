package main

import (
	"context"

	"github.com/ozmon/ozmon/internal/config"
	"github.com/ozmon/ozmon/monitor/ozconfig"
	"github.com/ozmon/ozmon/store"
	"github.com/ozmon/ozmon/tenantconfig"
)

// checkedDir is a configuration directory that passed validateDir.
type checkedDir struct {
	tenants map[string]*ozconfig.Config
	raw     store.RawConfig // only for a single tenant's directory
}

// validateDir is `ozmon validate` and `ozmon import`'s call of the one
// validation (tenantconfig.ValidateDir) under the operator's limits and
// destination guard. problems lists what is wrong with the directory;
// err is a failure of the operator's own settings.
func validateDir(ctx context.Context, pcfg config.Config, dir string, single bool) (d checkedDir, problems, err error) {
	opts, err := tenantOptions(pcfg)
	if err != nil {
		return d, nil, err
	}
	d.tenants, d.raw, problems = tenantconfig.ValidateDir(ctx, dir, single, opts...)
	if problems != nil {
		return checkedDir{}, problems, nil
	}
	return d, nil, nil
}

// tenantOptions are the operator's limits and channel options, for
// validation and the tenant config writer.
func tenantOptions(pcfg config.Config) ([]tenantconfig.Option, error) {
	opts, err := (&app{cfg: pcfg}).channelOptions()
	if err != nil {
		return nil, err
	}
	return []tenantconfig.Option{tenantconfig.WithLimits(pcfg.Limits.Monitor()), tenantconfig.WithNotifyOptions(opts...)}, nil
}
