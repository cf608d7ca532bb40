package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/ozmon/ozmon/chain"
	"github.com/ozmon/ozmon/chain/midnight"
	"github.com/ozmon/ozmon/dryrun"
	"github.com/ozmon/ozmon/monitor"
	"github.com/ozmon/ozmon/monitor/ozconfig"
)

// runTestMonitor evaluates one monitor over a ledger range and prints each
// match as OpenZeppelin Monitor's MonitorMatch JSON, one per line, then a
// summary — the equivalent of OpenZeppelin Monitor's --monitor-path/--block.
func runTestMonitor(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("test-monitor", flag.ContinueOnError)
	fs.SetOutput(stderr)
	monPath := fs.String("monitor", "", "monitor JSON file")
	slug := fs.String("network", "", "network slug (stellar_mainnet, stellar_testnet, ethereum_mainnet and anvil_local are built in)")
	netFile := fs.String("network-file", "", "network JSON file for other networks")
	ledgers := fs.String("ledger", "", "ledger N or range N:M")
	rpcURL := fs.String("rpc", "", "RPC URL to fetch ledgers (Stellar) or blocks (EVM; Midnight: ws:// or wss://) from")
	dir := fs.String("ledgers", "", "directory of LedgerCloseMeta files (Stellar) or block files (Solana, Midnight: OZ's blocks.json format) instead of --rpc")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: ozmon test-monitor --monitor FILE --network SLUG --ledger N[:M] (--rpc URL | --ledgers DIR) [--network-file F]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *monPath == "" || *slug == "" || *ledgers == "" || (*rpcURL == "") == (*dir == "") {
		fs.Usage()
		return exitError{2}
	}
	from, to, err := parseRange(*ledgers)
	if err != nil {
		return err
	}
	netw, err := networkDef(*slug, *netFile)
	if err != nil {
		return err
	}
	data, err := os.ReadFile(*monPath)
	if err != nil {
		return err
	}
	mon, err := ozconfig.ParseMonitor(*monPath, data)
	if err != nil {
		return err
	}
	src := dryrun.Source{RPCURL: *rpcURL, Dir: *dir}
	if netw.NetworkType == ozconfig.NetworkMidnight && *rpcURL != "" {
		// Midnight speaks WebSocket JSON-RPC: chain/midnight's source.
		client, err := midnight.NewClient([]chain.Endpoint{{URL: *rpcURL, Weight: 1}})
		if err != nil {
			return err
		}
		defer client.Close()
		ms := &midnight.Source{Client: client, Network: netw.Slug}
		src = dryrun.Source{Fetch: func(ctx context.Context, _ string, n uint64) (*chain.Block, error) { return ms.FetchBlock(ctx, n) }}
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
	fmt.Fprintf(stdout, "%d match(es) of monitor %q in ledgers %d..%d on %s (%s)\n", matches, mon.Name, from, to, *slug, time.Since(start).Round(time.Millisecond))
	return nil
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
	return nil, fmt.Errorf("network %q is not built in (stellar_mainnet, stellar_testnet, ethereum_mainnet, anvil_local): pass --network-file", slug)
}
