package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/ozmon/ozmon/internal/config"
	"github.com/ozmon/ozmon/store/postgres"
)

// runMigrate creates the tenant-isolation schema (when absent) and ozmon's
// own tables, or upgrades them.
func runMigrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	_, st, err := parseAndOpenPostgres(ctx, "migrate", args, stderr)
	if err != nil {
		return err
	}
	defer st.Close()
	v, err := st.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "schema at version %d\n", v)
	return nil
}

// parseAndOpenPostgres starts a command that works on the database alone:
// its flags are the common ones, and the schema is brought up to date.
func parseAndOpenPostgres(ctx context.Context, name string, args []string, stderr io.Writer) (config.Config, *postgres.Store, error) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	cf := addCommon(fs)
	cfg, err := cf.parseAndLoad(fs, args)
	if err != nil {
		return cfg, nil, err
	}
	st, err := openPostgres(ctx, cfg, stderr)
	return cfg, st, err
}

// openPostgres opens the configured database and brings its schema up to
// date, for the commands that need PostgreSQL itself (not a config
// directory).
func openPostgres(ctx context.Context, cfg config.Config, stderr io.Writer) (*postgres.Store, error) {
	if cfg.DatabaseURL == "" {
		return nil, errors.New("no database: set database_url, OZ_MONITOR_DATABASE_URL or --database-url")
	}
	opts, err := postgresOptions(cfg, newLogger(cfg, stderr))
	if err != nil {
		return nil, err
	}
	st, err := postgres.Open(ctx, cfg.DatabaseURL, opts...)
	if err != nil {
		return nil, err
	}
	if err := st.Migrate(ctx); err != nil {
		st.Close()
		return nil, err
	}
	return st, nil
}
