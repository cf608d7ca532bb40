package dryrun

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/ozmon/ozmon/chain"
	"github.com/ozmon/ozmon/chain/midnight"
	"github.com/ozmon/ozmon/monitor"
	"github.com/ozmon/ozmon/monitor/ozconfig"
)

// midnightMonitor compiles a Midnight monitor and returns the loader of its
// blocks: src.Fetch, the block files of src.Dir, or chain/midnight's source
// over src.RPCURL (a ws:// or wss:// URL; each block with its events).
func midnightMonitor(ctx context.Context, mon *ozconfig.Monitor, netw *ozconfig.Network, src Source) (*monitor.CompiledMonitor, loadFunc, error) {
	cm, err := monitor.Compile("local", mon, nil, monitor.WithChain(chain.Midnight))
	if err != nil {
		return nil, nil, err
	}
	switch {
	case src.Dir != "":
		return cm, midnightFileLoader(src.Dir, netw.Slug), nil
	case src.Fetch != nil:
		return cm, func(n uint64) (*chain.Block, error) { return src.Fetch(ctx, netw.Slug, n) }, nil
	}
	client, err := midnight.NewClient([]chain.Endpoint{{URL: src.RPCURL, Weight: 100}})
	if err != nil {
		return nil, nil, fmt.Errorf("network %s: %w", netw.Slug, err)
	}
	ms := &midnight.Source{Client: client, Network: netw.Slug}
	// The WebSocket (and its reader) lives until the run's context ends.
	context.AfterFunc(ctx, func() { _ = client.Close() })
	return cm, func(n uint64) (*chain.Block, error) { return ms.FetchBlock(ctx, n) }, nil
}

// midnightFileLoader reads the .json files of dir once, each an array of
// blocks in OpenZeppelin Monitor's Midnight fixture format
// (chain.MidnightBlocksFromFile), and serves them by number.
func midnightFileLoader(dir, slug string) loadFunc {
	var index map[uint64]*chain.Block
	return func(n uint64) (*chain.Block, error) {
		if index == nil {
			index = map[uint64]*chain.Block{}
			files, err := filepath.Glob(filepath.Join(dir, "*.json"))
			if err != nil {
				return nil, err
			}
			for _, p := range files {
				data, err := os.ReadFile(p)
				if err != nil {
					return nil, err
				}
				blocks, err := chain.MidnightBlocksFromFile(slug, data)
				if err != nil {
					return nil, fmt.Errorf("%s: %w", p, err)
				}
				for _, b := range blocks {
					index[b.Ledger] = b
				}
			}
		}
		b, ok := index[n]
		if !ok {
			return nil, fmt.Errorf("block %d: no block for it in %s", n, dir)
		}
		return b, nil
	}
}
