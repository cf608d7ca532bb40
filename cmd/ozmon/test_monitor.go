package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/ozmon/ozmon/chain"
	"github.com/ozmon/ozmon/chain/evm"
	"github.com/ozmon/ozmon/chain/stellar"
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
	rpcURL := fs.String("rpc", "", "RPC URL to fetch ledgers (Stellar) or blocks (EVM) from")
	dir := fs.String("ledgers", "", "Stellar only: directory of LedgerCloseMeta files instead of --rpc")
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
	var (
		cm   *monitor.CompiledMonitor
		load func(uint64) (*chain.Block, error)
	)
	switch netw.NetworkType {
	case ozconfig.NetworkStellar:
		cm, load, err = stellarTestMonitor(ctx, mon, netw, *rpcURL, *dir)
	case ozconfig.NetworkEVM:
		if *rpcURL == "" {
			return fmt.Errorf("network %s is an EVM network: pass --rpc (--ledgers reads Stellar ledger files)", *slug)
		}
		cm, load, err = evmTestMonitor(ctx, mon, netw, *rpcURL)
	default:
		err = fmt.Errorf("network %s: %s networks are not supported", *slug, netw.NetworkType)
	}
	if err != nil {
		return err
	}
	engine := monitor.NewEngine()
	matches, start := 0, time.Now()
	for seq := from; seq <= to; seq++ {
		b, err := load(seq)
		if err != nil {
			return err
		}
		ms, err := engine.EvaluateBlock(ctx, b, []*monitor.CompiledMonitor{cm})
		if err != nil {
			return fmt.Errorf("evaluate ledger %d: %w", seq, err)
		}
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

func stellarTestMonitor(ctx context.Context, mon *ozconfig.Monitor, netw *ozconfig.Network, rpcURL, dir string) (*monitor.CompiledMonitor, func(uint64) (*chain.Block, error), error) {
	var client *stellar.Client
	if rpcURL != "" {
		var err error
		if client, err = stellar.NewClient([]chain.Endpoint{{URL: rpcURL, Weight: 100}}); err != nil {
			return nil, nil, err
		}
	}
	specs := func(_, contract string, inline json.RawMessage) (*chain.ContractSpec, error) {
		if len(inline) > 0 {
			return stellar.ParseSpecJSON(inline)
		}
		if client == nil {
			return nil, nil
		}
		s, err := client.ContractSpec(ctx, contract)
		if errors.Is(err, stellar.ErrNoContractSpec) {
			return nil, nil
		}
		return s, err
	}
	cm, err := monitor.Compile("local", mon, specs, monitor.WithChain(chain.Stellar))
	if err != nil {
		return nil, nil, err
	}
	return cm, ledgerLoader(ctx, client, dir, netw.Slug, netw.NetworkPassphrase), nil
}

func evmTestMonitor(ctx context.Context, mon *ozconfig.Monitor, netw *ozconfig.Network, rpcURL string) (*monitor.CompiledMonitor, func(uint64) (*chain.Block, error), error) {
	client, err := evm.NewClient([]chain.Endpoint{{URL: rpcURL, Weight: 100}})
	if err != nil {
		return nil, nil, err
	}
	cm, err := monitor.Compile("local", mon, nil, monitor.WithABISource(newABISource()), monitor.WithChain(chain.EVM))
	if err != nil {
		return nil, nil, err
	}
	src := &evm.Source{Client: client, Network: netw.Slug,
		Receipts: func() bool { return monitor.NeedsReceipts([]*monitor.CompiledMonitor{cm}) }}
	return cm, func(n uint64) (*chain.Block, error) { return src.FetchBlock(ctx, n) }, nil
}

// ledgerLoader returns a function reading one ledger, from RPC (batches of
// 20 for ranges) or from a directory of LedgerCloseMeta files.
func ledgerLoader(ctx context.Context, client *stellar.Client, dir, slug, passphrase string) func(uint64) (*chain.Block, error) {
	if client != nil {
		var buf []stellar.RawLedger
		return func(seq uint64) (*chain.Block, error) {
			if len(buf) == 0 || uint64(buf[0].Sequence) != seq {
				var err error
				if buf, err = client.Ledgers(ctx, uint32(seq), 20); err != nil {
					return nil, err
				}
				if len(buf) == 0 || uint64(buf[0].Sequence) != seq {
					return nil, fmt.Errorf("ledger %d: not served by the RPC", seq)
				}
			}
			raw := buf[0]
			buf = buf[1:]
			return stellar.DecodeLedgerXDR(slug, passphrase, raw.Meta)
		}
	}
	// A directory is small (a test range): decode every file once and keep
	// the blocks by sequence.
	var index map[uint64]*chain.Block
	return func(seq uint64) (*chain.Block, error) {
		if index == nil {
			index = map[uint64]*chain.Block{}
			entries, err := os.ReadDir(dir)
			if err != nil {
				return nil, err
			}
			for _, e := range entries {
				p := filepath.Join(dir, e.Name())
				data, err := stellar.ReadLedgerFile(p)
				if err != nil {
					continue // not a ledger file
				}
				b, err := stellar.DecodeLedgerXDR(slug, passphrase, data)
				if err != nil {
					return nil, fmt.Errorf("%s: %w", p, err)
				}
				index[b.Ledger] = b
			}
		}
		b, ok := index[seq]
		if !ok {
			return nil, fmt.Errorf("ledger %d: no file for it in %s", seq, dir)
		}
		return b, nil
	}
}
