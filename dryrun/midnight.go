package dryrun

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/ozmon/ozmon/chain"
	"github.com/ozmon/ozmon/monitor"
	"github.com/ozmon/ozmon/monitor/ozconfig"
)

// midnightMonitor compiles a Midnight monitor and returns the loader of its
// blocks: src.Fetch (chain/midnight's source, wired by the caller), or the
// block files of src.Dir.
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
	return nil, nil, fmt.Errorf("network %s is a Midnight network: reading its blocks over RPC needs the Midnight block source (Source.Fetch), or pass a directory of block files", netw.Slug)
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
