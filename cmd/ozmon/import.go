package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/ozmon/ozmon/store/files"
	"github.com/ozmon/ozmon/tasks"
)

// runImport validates an OpenZeppelin Monitor config directory and loads
// it into PostgreSQL as one tenant's configuration.
func runImport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cf := addCommon(fs)
	slug := fs.String("tenant", "", "tenant slug (created when missing)")
	tier := fs.String("tier", "", "set the tenant's tier: critical, high, default or low")
	register := fs.Bool("register-networks", false, "also add the directory's networks to the operator's network registry (the RPC endpoints ozmon fetches from)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: ozmon import --tenant SLUG [--tier T] [--register-networks] DIR")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *slug == "" || fs.NArg() != 1 {
		fs.Usage()
		return exitError{2}
	}
	dir := fs.Arg(0)
	pcfg, err := cf.load()
	if err != nil {
		return err
	}
	// What validate checks, limits and the destination guard included
	// (the validation half of the SSRF defence), before anything is stored.
	checked, problems, err := validateDir(ctx, pcfg, dir, true)
	if err != nil {
		return err
	}
	if problems != nil {
		n := files.Report(stdout, problems)
		fmt.Fprintf(stderr, "%d error(s); nothing imported\n", n)
		return exitError{1}
	}
	cfg, raw := checked.tenants[""], checked.raw
	st, err := openPostgres(ctx, pcfg, stderr)
	if err != nil {
		return err
	}
	defer st.Close()
	if *register {
		for slugN, data := range raw.Networks {
			if err := st.UpsertNetwork(ctx, slugN, data); err != nil {
				return err
			}
		}
	}
	id, err := st.ImportTenant(ctx, *slug, cfg, raw)
	if err != nil {
		return err
	}
	if *tier != "" {
		t, err := tasks.ParseTier(*tier)
		if err != nil {
			return err
		}
		if err := st.SetTenantTier(ctx, id, t); err != nil {
			return err
		}
	}
	fmt.Fprintf(stdout, "imported tenant %s (%s): %d networks, %d monitors, %d triggers\n",
		*slug, id, len(cfg.Networks), len(cfg.Monitors), len(cfg.Triggers))
	return nil
}
