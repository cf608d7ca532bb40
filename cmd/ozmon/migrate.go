package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/ozmon/ozmon/store/postgres"
)

// runMigrate creates the tenant-isolation schema (when absent) and ozmon's
// own tables, or upgrades them.
func runMigrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cf := addCommon(fs)
	cfg, err := cf.parseAndLoad(fs, args)
	if err != nil {
		return err
	}
	if cfg.DatabaseURL == "" {
		return fmt.Errorf("no database: set database_url, OZ_MONITOR_DATABASE_URL or --database-url")
	}
	st, err := postgres.Open(ctx, cfg.DatabaseURL, postgres.WithLogger(newLogger(cfg, stderr)))
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		return err
	}
	v, err := st.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "schema at version %d\n", v)
	return nil
}
