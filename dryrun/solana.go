package dryrun

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/ozmon/ozmon/chain"
	"github.com/ozmon/ozmon/monitor"
	"github.com/ozmon/ozmon/monitor/ozconfig"
)

// solanaMonitor compiles a Solana monitor (its Anchor IDLs come inline:
// nothing is fetched) and returns the loader of its slots: src.Fetch, or
// the block files of src.Dir.
func solanaMonitor(ctx context.Context, mon *ozconfig.Monitor, netw *ozconfig.Network, src Source) (*monitor.CompiledMonitor, loadFunc, error) {
	cm, err := monitor.Compile("local", mon, nil, monitor.WithChain(chain.Solana))
	if err != nil {
		return nil, nil, err
	}
	switch {
	case src.Dir != "":
		return cm, solanaFileLoader(src.Dir, netw.Slug), nil
	case src.Fetch != nil:
		return cm, func(n uint64) (*chain.Block, error) { return src.Fetch(ctx, netw.Slug, n) }, nil
	}
	return nil, nil, fmt.Errorf("network %s is a Solana network: reading its slots over RPC needs the Solana block source (Source.Fetch), or pass a directory of block files", netw.Slug)
}

// solanaFileLoader reads the .json files of dir once, each a block or an
// array of blocks in OpenZeppelin Monitor's Solana model, and serves them
// by slot. A slot without a block is reported as such, not skipped: a test
// range should name the slots its files hold.
func solanaFileLoader(dir, slug string) loadFunc {
	var index map[uint64]*chain.Block
	return func(slot uint64) (*chain.Block, error) {
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
				raws := []json.RawMessage{data}
				if strings.HasPrefix(strings.TrimSpace(string(data)), "[") {
					if err := json.Unmarshal(data, &raws); err != nil {
						return nil, fmt.Errorf("%s: %w", p, err)
					}
				}
				for i, raw := range raws {
					b, err := chain.SolanaBlockFromModel(slug, raw)
					if err != nil {
						return nil, fmt.Errorf("%s: block %d: %w", p, i, err)
					}
					index[b.Ledger] = b
				}
			}
		}
		b, ok := index[slot]
		if !ok {
			return nil, fmt.Errorf("slot %d: no block for it in %s", slot, dir)
		}
		return b, nil
	}
}
