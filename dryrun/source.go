package dryrun

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/ozmon/ozmon/cache"
	"github.com/ozmon/ozmon/chain"
	"github.com/ozmon/ozmon/chain/evm"
	"github.com/ozmon/ozmon/chain/stellar"
	"github.com/ozmon/ozmon/monitor"
	"github.com/ozmon/ozmon/monitor/ozconfig"
)

// Source says where ledgers come from. RPCURL and Dir are exclusive; Dir
// holds Stellar ledger files, or, on Solana, block files in OpenZeppelin
// Monitor's Solana model (a block or an array of blocks per .json file).
// Cache, when set, is read before either.
type Source struct {
	RPCURL string
	Dir    string
	Cache  *cache.Blocks
	// Fetch, when set on a Solana network, reads its slots instead of a
	// client dryrun builds over RPCURL (a caller that judges a skipped
	// slot itself, as test-monitor does). It may return a nil block for a
	// slot the chain skipped.
	Fetch func(ctx context.Context, network string, n uint64) (*chain.Block, error)
}

// loadFunc reads one ledger.
type loadFunc func(seq uint64) (*chain.Block, error)

// compile compiles mon for netw and returns it with the loader of its
// ledgers.
func compile(ctx context.Context, mon *ozconfig.Monitor, netw *ozconfig.Network, src Source) (*monitor.CompiledMonitor, loadFunc, error) {
	if (src.RPCURL == "" && src.Fetch == nil) == (src.Dir == "") {
		return nil, nil, errors.New("give exactly one of an RPC URL or a ledger directory")
	}
	var (
		cm   *monitor.CompiledMonitor
		load loadFunc
		err  error
	)
	switch netw.NetworkType {
	case ozconfig.NetworkStellar:
		cm, load, err = stellarMonitor(ctx, mon, netw, src.RPCURL, src.Dir)
	case ozconfig.NetworkEVM:
		if src.RPCURL == "" {
			return nil, nil, fmt.Errorf("network %s is an EVM network: pass --rpc (--ledgers reads Stellar ledger files)", netw.Slug)
		}
		cm, load, err = evmMonitor(ctx, mon, netw, src.RPCURL)
	case ozconfig.NetworkSolana:
		cm, load, err = solanaMonitor(ctx, mon, netw, src)
	default:
		err = fmt.Errorf("network %s: %s networks are not supported", netw.Slug, netw.NetworkType)
	}
	if err != nil {
		return nil, nil, err
	}
	if src.Cache != nil {
		load = cached(ctx, src.Cache, netw.Slug, load)
	}
	return cm, load, nil
}

// cached reads the block cache before load; a miss or a cache error falls
// through to load (a dry run must not fail because Redis is slow).
func cached(ctx context.Context, c *cache.Blocks, slug string, load loadFunc) loadFunc {
	return func(seq uint64) (*chain.Block, error) {
		if b, err := c.Get(ctx, slug, seq); err == nil && b != nil {
			return b, nil
		}
		return load(seq)
	}
}

func stellarMonitor(ctx context.Context, mon *ozconfig.Monitor, netw *ozconfig.Network, rpcURL, dir string) (*monitor.CompiledMonitor, loadFunc, error) {
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

func evmMonitor(ctx context.Context, mon *ozconfig.Monitor, netw *ozconfig.Network, rpcURL string) (*monitor.CompiledMonitor, loadFunc, error) {
	client, err := evm.NewClient([]chain.Endpoint{{URL: rpcURL, Weight: 100}})
	if err != nil {
		return nil, nil, err
	}
	abis := evm.NewABICache()
	abiSource := func(_, _ string, inline json.RawMessage) (monitor.ABIDecoder, error) {
		abi, err := abis.Get(inline)
		if abi == nil {
			return nil, err // no ABI, or a bad one: never a typed nil
		}
		return abi, nil
	}
	cm, err := monitor.Compile("local", mon, nil, monitor.WithABISource(abiSource), monitor.WithChain(chain.EVM))
	if err != nil {
		return nil, nil, err
	}
	src := &evm.Source{Client: client, Network: netw.Slug,
		Receipts: func() bool { return monitor.NeedsReceipts([]*monitor.CompiledMonitor{cm}) }}
	return cm, func(n uint64) (*chain.Block, error) { return src.FetchBlock(ctx, n) }, nil
}

// ledgerLoader returns a function reading one ledger, from RPC (batches of
// 20 for ranges) or from a directory of LedgerCloseMeta files.
func ledgerLoader(ctx context.Context, client *stellar.Client, dir, slug, passphrase string) loadFunc {
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
