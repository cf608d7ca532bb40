package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"
	"time"
)

// runAdminRegions is 'ozmon admin regions list|handback': who serves
// whose tenants in a multi-region deployment, and the operator's way to
// give a region its tenants back after a takeover (docs/multi-region.md).
func runAdminRegions(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	const usage = "usage: ozmon admin regions list | handback --region R"
	if len(args) == 0 || (args[0] != "list" && args[0] != "handback") {
		fmt.Fprintln(stderr, usage)
		return exitError{2}
	}
	verb := args[0]
	fs := flag.NewFlagSet("admin regions "+verb, flag.ContinueOnError)
	fs.SetOutput(stderr)
	cf := addCommon(fs)
	region := fs.String("region", "", "handback: the region to give its tenants back to")
	cfg, err := cf.parseAndLoad(fs, args[1:])
	if err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	st, err := openPostgres(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	defer st.Close()
	timeout := cfg.Regions.HeartbeatTimeout.D()
	if verb == "handback" {
		if *region == "" {
			return errors.New("regions handback: --region is required")
		}
		if err := st.RequestHandback(ctx, *region, timeout); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "handback of region %s asked: the region serving it stops scheduling its ledgers, finishes their work, then hands them back ('ozmon admin regions list' shows when)\n", *region)
		return nil
	}
	regions, err := st.Regions(ctx, timeout)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "REGION\tLAST SEEN\tALIVE\tSERVED BY\tHANDBACK\tCHANGED")
	for _, g := range regions {
		fmt.Fprintf(tw, "%s\t%s\t%v\t%s\t%v\t%s\n", g.Name, g.LastSeen.UTC().Format(time.RFC3339), g.Alive, g.ServedBy,
			g.Handback, g.ChangedAt.UTC().Format(time.RFC3339))
	}
	return tw.Flush()
}
