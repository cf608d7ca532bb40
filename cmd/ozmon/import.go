package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"slices"

	"github.com/ozmon/ozmon/notify"
	"github.com/ozmon/ozmon/store"
	"github.com/ozmon/ozmon/store/files"
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
	cfg, raw, err := files.LoadDirRaw(dir)
	if err != nil {
		n := files.Report(stdout, err)
		fmt.Fprintf(stderr, "%d error(s); nothing imported\n", n)
		return exitError{1}
	}
	pcfg, err := cf.load()
	if err != nil {
		return err
	}
	// The validation half of the SSRF guard: a destination on a private,
	// loopback or metadata address is refused here, before it is stored.
	opts, err := (&app{cfg: pcfg}).channelOptions(nil)
	if err != nil {
		return err
	}
	refused := 0
	for _, k := range slices.Sorted(maps.Keys(cfg.Triggers)) {
		if err := notify.Check(ctx, cfg.Triggers[k], opts...); errors.Is(err, notify.ErrRefused) {
			fmt.Fprintf(stdout, "triggers: %s: %v\n", k, err)
			refused++
		}
	}
	// Trigger conditions are scripts too: confined to notify.script_dir.
	for _, k := range slices.Sorted(maps.Keys(cfg.Monitors)) {
		for i, c := range cfg.Monitors[k].TriggerConditions {
			if err := notify.CheckScriptPath(c.ScriptPath, opts...); errors.Is(err, notify.ErrRefused) {
				fmt.Fprintf(stdout, "monitors: %s: trigger_conditions[%d]: %v\n", k, i, err)
				refused++
			}
		}
	}
	if refused > 0 {
		fmt.Fprintf(stderr, "%d trigger(s) or trigger condition(s) refused; nothing imported\n", refused)
		return exitError{1}
	}
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
		t, err := store.ParseTier(*tier)
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
