package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"

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
	cfg, err := files.LoadDir(dir)
	if err != nil {
		n := files.Report(stdout, err)
		fmt.Fprintf(stderr, "%d error(s); nothing imported\n", n)
		return exitError{1}
	}
	raw, err := readRaw(dir)
	if err != nil {
		return err
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
	if refused > 0 {
		fmt.Fprintf(stderr, "%d trigger(s) refused; nothing imported\n", refused)
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

// readRaw collects each item's original JSON, keyed as monitor.Config keys
// them (network slug, monitor name, trigger key).
func readRaw(dir string) (store.RawConfig, error) {
	raw := store.RawConfig{Networks: map[string]json.RawMessage{}, Monitors: map[string]json.RawMessage{}, Triggers: map[string]json.RawMessage{}}
	for _, sub := range []string{"networks", "monitors", "triggers"} {
		paths, _ := filepath.Glob(filepath.Join(dir, sub, "*.json"))
		sort.Strings(paths)
		for _, p := range paths {
			data, err := os.ReadFile(p)
			if err != nil {
				return raw, fmt.Errorf("read %s: %w", p, err)
			}
			switch sub {
			case "networks":
				var n struct{ Slug string }
				if err := json.Unmarshal(data, &n); err != nil {
					return raw, fmt.Errorf("%s: %w", p, err)
				}
				raw.Networks[n.Slug] = data
			case "monitors":
				var m struct{ Name string }
				if err := json.Unmarshal(data, &m); err != nil {
					return raw, fmt.Errorf("%s: %w", p, err)
				}
				raw.Monitors[m.Name] = data
			case "triggers":
				var ts map[string]json.RawMessage
				if err := json.Unmarshal(data, &ts); err != nil {
					return raw, fmt.Errorf("%s: %w", p, err)
				}
				for k, v := range ts {
					raw.Triggers[k] = v
				}
			}
		}
	}
	return raw, nil
}
