package dryrun

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/ozmon/ozmon/chain"
	"github.com/ozmon/ozmon/chain/solana"
	"github.com/ozmon/ozmon/monitor"
	"github.com/ozmon/ozmon/monitor/ozconfig"
)

// solanaMonitor compiles a Solana monitor (its Anchor IDLs come inline:
// nothing is fetched) and returns the loader of its slots: src.Fetch, the
// block files of src.Dir, or chain/solana's source over src.RPCURL (one
// getBlock per slot; a skipped slot is no block).
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
	client, err := solana.NewClient([]chain.Endpoint{{URL: src.RPCURL, Weight: 100}})
	if err != nil {
		return nil, nil, fmt.Errorf("network %s: %w", netw.Slug, err)
	}
	return cm, solanaRPCLoader(ctx, client, netw.Slug), nil
}

// solanaRPCLoader reads slots with client: a slot the chain skipped is a
// nil block (no match), any other failure an error naming the slot.
func solanaRPCLoader(ctx context.Context, client *solana.Client, slug string) loadFunc {
	return func(slot uint64) (*chain.Block, error) {
		b, err := client.Block(ctx, slug, slot)
		if errors.Is(err, solana.ErrSlotSkipped) {
			return nil, nil
		}
		return b, err
	}
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
