package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/ozmon/ozmon/auth"
	"github.com/ozmon/ozmon/store/files"
	"github.com/ozmon/ozmon/tasks"
	"github.com/ozmon/ozmon/tenantconfig"
)

// runImport validates an OpenZeppelin Monitor config directory and loads
// it into PostgreSQL as one tenant's configuration.
func runImport(ctx context.Context, args []string, stdout, stderr io.Writer) (err error) {
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
	id, created, err := st.EnsureTenant(ctx, *slug)
	if err != nil {
		return err
	}
	defer func() {
		if created && err != nil {
			// Nothing imported leaves no tenant behind, as before.
			_, _ = st.DeleteTenantIfEmpty(context.WithoutCancel(ctx), id)
		}
	}()
	// The tenant API's write path: the whole resulting configuration is
	// validated again, held to the tenant's quotas and audited.
	opts, err := tenantOptions(pcfg)
	if err != nil {
		return err
	}
	res, err := tenantconfig.New(st, opts...).Apply(ctx, id, auth.Principal{Operator: true},
		tenantconfig.Import{Files: files.ItemFiles(raw)})
	var refused *tenantconfig.Error
	if errors.As(err, &refused) && refused.Code == tenantconfig.CodeValidationFailed {
		for _, p := range refused.Problems {
			fmt.Fprintln(stdout, p.Message)
		}
		fmt.Fprintf(stderr, "%d error(s); nothing imported\n", len(refused.Problems))
		return exitError{1}
	}
	if err != nil {
		return fmt.Errorf("import tenant %s: %w", *slug, err)
	}
	if n := len(res.Skipped); n > 0 {
		fmt.Fprintf(stderr, "%d trigger(s) skipped: no monitor of the tenant references them\n", n)
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
