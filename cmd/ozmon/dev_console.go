package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/ozmon/ozmon/auth"
	"github.com/ozmon/ozmon/store/files"
	"github.com/ozmon/ozmon/tenantconfig"
)

// devDatabase moves ozmon dev onto PostgreSQL (databaseURL) so the tenant
// API and its console can run: the sample tenants of dir (tenants/<slug>/,
// or dir as tenant "dev") are imported through the one write path, their
// networks registered, and each gets an admin API key for the console,
// returned by slug. The keys expire after a week.
func (a *app) devDatabase(ctx context.Context, databaseURL, dir string) (map[string]string, error) {
	a.cfg.DatabaseURL = databaseURL
	pg, err := openPostgres(ctx, a.cfg, io.Discard)
	if err != nil {
		return nil, fmt.Errorf("dev database: %w", redactErr(err, databaseURL))
	}
	a.closers = append(a.closers, pg.Close)
	dirs := map[string]string{}
	entries, err := os.ReadDir(filepath.Join(dir, "tenants"))
	switch {
	case err == nil:
		for _, e := range entries {
			if e.IsDir() {
				dirs[e.Name()] = filepath.Join(dir, "tenants", e.Name())
			}
		}
	case errors.Is(err, os.ErrNotExist):
		dirs["dev"] = dir
	default:
		return nil, fmt.Errorf("dev database: read %s: %w", dir, err)
	}
	slugs := make([]string, 0, len(dirs))
	for s := range dirs {
		slugs = append(slugs, s)
	}
	sort.Strings(slugs)
	opts, err := tenantOptions(a.cfg)
	if err != nil {
		return nil, err
	}
	keys := map[string]string{}
	for _, slug := range slugs {
		checked, problems, err := validateDir(ctx, a.cfg, dirs[slug], true)
		if err != nil {
			return nil, err
		}
		if problems != nil {
			return nil, fmt.Errorf("dev database: tenant %s: %w (ozmon validate %s lists each)", slug, problems, dirs[slug])
		}
		for net, data := range checked.raw.Networks {
			if err := pg.UpsertNetwork(ctx, net, data); err != nil {
				return nil, fmt.Errorf("dev database: register network %s: %w", net, err)
			}
		}
		id, _, err := pg.EnsureTenant(ctx, slug)
		if err != nil {
			return nil, fmt.Errorf("dev database: tenant %s: %w", slug, err)
		}
		if _, err := tenantconfig.New(pg, opts...).Apply(ctx, id, auth.Principal{Operator: true},
			tenantconfig.Import{Files: files.ItemFiles(checked.raw)}); err != nil {
			return nil, fmt.Errorf("dev database: import tenant %s: %w", slug, err)
		}
		raw, rec, err := auth.NewKey(id, "ozmon dev console", auth.RoleAdmin, time.Now().Add(7*24*time.Hour), auth.DefaultArgon2())
		if err != nil {
			return nil, fmt.Errorf("dev database: key for %s: %w", slug, err)
		}
		if _, err := pg.CreateAPIKey(ctx, rec); err != nil {
			return nil, fmt.Errorf("dev database: key for %s: %w", slug, err)
		}
		keys[slug] = raw
	}
	a.st = pg
	return keys, nil
}

// printConsole tells the developer where the API and the console are and
// which key signs in as each sample tenant.
func printConsole(w io.Writer, addr string, keys map[string]string) {
	fmt.Fprintf(w, "tenant API: http://%s/graphql (schema: api/schema.graphqls)\n", addr)
	fmt.Fprintf(w, "tenant console: http://%s/console/ — sign in with a sample tenant's key:\n", addr)
	slugs := make([]string, 0, len(keys))
	for s := range keys {
		slugs = append(slugs, s)
	}
	sort.Strings(slugs)
	for _, s := range slugs {
		fmt.Fprintf(w, "  %-10s %s\n", s, keys[s])
	}
}
