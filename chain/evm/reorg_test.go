package evm

import (
	"context"
	"testing"

	"github.com/ozmon/ozmon/ozmontest"
)

func TestReorgChangesHashesAndParents(t *testing.T) {
	t.Parallel()
	sim := ozmontest.StartEVMSim(t, ozmontest.EVMSimSynthetic(ozmontest.EVMSynthetic{Seed: 9, Blocks: 6, TxPerBlock: 5, LogsPerBlock: 8}))
	src := &Source{Client: fastClient(t, sim.URL()), Network: "synth", Receipts: func() bool { return true }}
	ctx := context.Background()
	nums := sim.Blocks()
	before := map[uint64]string{}
	txsBefore := map[uint64]string{}
	for _, n := range nums {
		b, err := src.FetchBlock(ctx, n)
		if err != nil {
			t.Fatal(err)
		}
		before[n] = b.Hash
		txsBefore[n] = b.Transactions[0].Hash
	}
	// Synthetic blocks chain up before the reorg.
	for i := 1; i < len(nums); i++ {
		if _, parent, _ := sim.BlockHash(nums[i]); parent != before[nums[i-1]] {
			t.Fatalf("block %d parent %s, want %s", nums[i], parent, before[nums[i-1]])
		}
	}
	replaced, err := sim.Reorg(3)
	if err != nil || len(replaced) != 3 || replaced[0] != nums[3] {
		t.Fatalf("Reorg = %v, %v", replaced, err)
	}
	var prev string
	for i, n := range nums {
		b, err := src.FetchBlock(ctx, n)
		if err != nil {
			t.Fatalf("block %d after reorg: %v", n, err)
		}
		reorged := i >= 3
		if (b.Hash != before[n]) != reorged {
			t.Fatalf("block %d hash %s (was %s), reorged %v", n, b.Hash, before[n], reorged)
		}
		if i > 0 && b.ParentHash != prev {
			t.Fatalf("block %d parent %s, want %s", n, b.ParentHash, prev)
		}
		if reorged {
			if len(b.Transactions) != 4 || b.Transactions[0].Hash == txsBefore[n] {
				t.Fatalf("block %d after reorg: %d txs, first %s", n, len(b.Transactions), b.Transactions[0].Hash)
			}
			for _, tx := range b.Transactions {
				if tx.EVM.Receipt == nil {
					t.Fatalf("tx %s has no receipt after reorg", tx.Hash)
				}
			}
		}
		prev = b.Hash
	}
	// The chain goes on from the new branch.
	if _, err := sim.Advance(1); err != nil {
		t.Fatal(err)
	}
	b, err := src.FetchBlock(ctx, sim.Tip())
	if err != nil || b.ParentHash != prev {
		t.Fatalf("block after the reorg: parent %s, want %s (%v)", b.ParentHash, prev, err)
	}
	if _, err := sim.Reorg(100); err == nil {
		t.Fatal("reorg deeper than the chain accepted")
	}
}
