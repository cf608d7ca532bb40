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
// by slot. A file whose entries are not all blocks (no slot, blockhash,
// previousBlockhash or parentSlot: OZ's transactions.json, a signature
// list, a golden-case file) is not a block file and is passed over, so a
// fixture directory can be named as it is. A slot without a block is
// reported as such, not skipped: a test range should name the slots its
// files hold.
func solanaFileLoader(dir, slug string) loadFunc {
	var index map[uint64]*chain.Block
	return func(slot uint64) (*chain.Block, error) {
		if index == nil {
			files, err := filepath.Glob(filepath.Join(dir, "*.json"))
			if err != nil {
				return nil, err
			}
			index = map[uint64]*chain.Block{}
			from := map[uint64]string{}
			for _, p := range files {
				raws, err := solanaBlockFile(p)
				if err != nil {
					index = nil
					return nil, err
				}
				for i, raw := range raws {
					b, err := chain.SolanaBlockFromModel(slug, raw)
					if err != nil {
						index = nil
						return nil, fmt.Errorf("%s: block %d: %w", p, i, err)
					}
					if prev, dup := from[b.Ledger]; dup {
						index = nil
						return nil, fmt.Errorf("%s: block %d: slot %d is also in %s", p, i, b.Ledger, prev)
					}
					index[b.Ledger], from[b.Ledger] = b, p
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

// solanaBlockFile returns the blocks of the file at p (bare or wrapped as
// {"Solana": …}), or none when it is not a block file.
func solanaBlockFile(p string) ([]json.RawMessage, error) {
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
	for _, raw := range raws {
		var keys map[string]json.RawMessage
		if json.Unmarshal(raw, &keys) != nil {
			return nil, nil
		}
		if w, ok := keys["Solana"]; ok && len(keys) == 1 {
			keys = nil
			if json.Unmarshal(w, &keys) != nil {
				return nil, nil
			}
		}
		for _, k := range []string{"slot", "blockhash", "previousBlockhash", "parentSlot"} {
			if _, ok := keys[k]; !ok {
				return nil, nil
			}
		}
	}
	return raws, nil
}
