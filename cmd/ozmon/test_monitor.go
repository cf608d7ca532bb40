package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/ozmon/ozmon/chain"
	"github.com/ozmon/ozmon/chain/solana"
	"github.com/ozmon/ozmon/dryrun"
	"github.com/ozmon/ozmon/monitor"
	"github.com/ozmon/ozmon/monitor/ozconfig"
)

// runTestMonitor evaluates one monitor over a ledger range and prints each
// match as OpenZeppelin Monitor's MonitorMatch JSON, one per line, then a
// summary — the equivalent of OpenZeppelin Monitor's --monitor-path/--block.
// On Solana, --ledger names slots; without it the latest finalized slot is
// read (OZ's test mode, QS20), and a single slot the chain skipped is
// "Slot N not found" (in a range, skipped slots are counted, not errors).
func runTestMonitor(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("test-monitor", flag.ContinueOnError)
	fs.SetOutput(stderr)
	monPath := fs.String("monitor", "", "monitor JSON file")
	slug := fs.String("network", "", "network slug (stellar_mainnet, stellar_testnet, ethereum_mainnet, anvil_local, solana_mainnet and solana_devnet are built in)")
	netFile := fs.String("network-file", "", "network JSON file for other networks")
	ledgers := fs.String("ledger", "", "ledger (Solana: slot) N or range N:M; on Solana with --rpc, default the latest finalized slot")
	rpcURL := fs.String("rpc", "", "RPC URL to fetch ledgers (Stellar), blocks (EVM) or slots (Solana) from")
	dir := fs.String("ledgers", "", "instead of --rpc: a directory of LedgerCloseMeta files (Stellar) or of block files in OpenZeppelin Monitor's model (Solana)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: ozmon test-monitor --monitor FILE --network SLUG [--ledger N[:M]] (--rpc URL | --ledgers DIR) [--network-file F]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *monPath == "" || *slug == "" || (*rpcURL == "") == (*dir == "") {
		fs.Usage()
		return exitError{2}
	}
	netw, err := networkDef(*slug, *netFile)
	if err != nil {
		return err
	}
	src := dryrun.Source{RPCURL: *rpcURL, Dir: *dir}
	var from, to uint64
	var skipped []uint64
	switch {
	case netw.NetworkType == ozconfig.NetworkSolana && *rpcURL != "":
		client, err := solana.NewClient([]chain.Endpoint{{URL: *rpcURL, Weight: 100}})
		if err != nil {
			return err
		}
		defer client.Close()
		if from, to, src.Fetch, err = solanaTestSlots(ctx, client, *ledgers, &skipped); err != nil {
			return err
		}
	case *ledgers == "":
		fs.Usage()
		return exitError{2}
	default:
		if from, to, err = parseRange(*ledgers); err != nil {
			return err
		}
	}
	data, err := os.ReadFile(*monPath)
	if err != nil {
		return err
	}
	mon, err := ozconfig.ParseMonitor(*monPath, data)
	if err != nil {
		return err
	}
	matches, start := 0, time.Now()
	err = dryrun.Run(ctx, mon, netw, src, from, to, func(seq uint64, ms []*monitor.Match) error {
		for _, m := range ms {
			js, err := m.MarshalOZJSON()
			if err != nil {
				return err
			}
			fmt.Fprintln(stdout, string(js))
		}
		matches += len(ms)
		if to > from && (seq-from)%10 == 9 {
			fmt.Fprintf(stderr, "ledger %d of %d..%d, %d matches so far\n", seq, from, to, matches)
		}
		return nil
	})
	if err != nil {
		return err
	}
	unit := "ledgers"
	if netw.NetworkType == ozconfig.NetworkSolana {
		unit = "slots"
		if len(skipped) > 0 {
			unit = fmt.Sprintf("slots (%d skipped by the chain)", len(skipped))
		}
	}
	fmt.Fprintf(stdout, "%d match(es) of monitor %q in %s %d..%d on %s (%s)\n", matches, mon.Name, unit, from, to, *slug, time.Since(start).Round(time.Millisecond))
	return nil
}

// solanaTestSlots reads a Solana network's slots with client for
// test-monitor: the range asked, or the latest finalized slot (QS20: no
// confirmation offset, as OZ's test mode). A single slot the chain skipped
// is "Slot N not found", as OZ says; in a range, skipped slots are
// appended to skipped and read as no block.
func solanaTestSlots(ctx context.Context, client *solana.Client, ledgers string, skipped *[]uint64) (from, to uint64, fetch func(context.Context, string, uint64) (*chain.Block, error), err error) {
	if ledgers == "" {
		if from, err = client.Slot(ctx); err != nil {
			return 0, 0, nil, fmt.Errorf("get the latest finalized slot: %w", err)
		}
		to = from
	} else if from, to, err = parseRange(ledgers); err != nil {
		return 0, 0, nil, err
	}
	single := from == to
	fetch = func(ctx context.Context, network string, slot uint64) (*chain.Block, error) {
		b, err := client.Block(ctx, network, slot)
		switch {
		case errors.Is(err, solana.ErrSlotSkipped) && single:
			//lint:ignore ST1005 OpenZeppelin Monitor's message, which users grep for
			return nil, fmt.Errorf("Slot %d not found (the chain skipped it)", slot)
		case errors.Is(err, solana.ErrSlotSkipped):
			*skipped = append(*skipped, slot)
			return nil, nil
		case err != nil:
			return nil, fmt.Errorf("get block of slot %d: %w", slot, err)
		}
		return b, nil
	}
	return from, to, fetch, nil
}

func parseRange(s string) (from, to uint64, err error) {
	a, b, isRange := strings.Cut(s, ":")
	if from, err = strconv.ParseUint(a, 10, 32); err != nil {
		return 0, 0, fmt.Errorf("--ledger %q: want N or N:M", s)
	}
	to = from
	if isRange {
		if to, err = strconv.ParseUint(b, 10, 32); err != nil || to < from {
			return 0, 0, fmt.Errorf("--ledger %q: want N:M with M ≥ N", s)
		}
	}
	return from, to, nil
}

// networkDef is the network from --network-file, or a built-in one.
func networkDef(slug, file string) (*ozconfig.Network, error) {
	if file != "" {
		data, err := os.ReadFile(file)
		if err != nil {
			return nil, err
		}
		n, err := ozconfig.ParseNetwork(file, data)
		if err != nil {
			return nil, err
		}
		if n.Slug != slug {
			return nil, fmt.Errorf("%s: slug %q, but --network is %q", file, n.Slug, slug)
		}
		return n, nil
	}
	if n, ok := ozconfig.BuiltinNetwork(slug); ok {
		return n, nil
	}
	return nil, fmt.Errorf("network %q is not built in (stellar_mainnet, stellar_testnet, ethereum_mainnet, anvil_local, solana_mainnet, solana_devnet): pass --network-file", slug)
}
