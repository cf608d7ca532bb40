package evm

import (
	"context"
	"reflect"
	"testing"

	"github.com/ozmon/ozmon/chain"
	"github.com/ozmon/ozmon/ozmontest"
)

// TestBinaryRoundTripFixtureBlocks: real EVM blocks, with logs and
// receipts, survive the block cache's binary codec.
func TestBinaryRoundTripFixtureBlocks(t *testing.T) {
	t.Parallel()
	blocksJSON, receiptsJSON := ozFixtures(t)
	sim := ozmontest.StartEVMSim(t, ozmontest.EVMSimFixtures(blocksJSON, receiptsJSON))
	src := &Source{Client: fastClient(t, sim.URL()), Network: "ethereum_mainnet", Receipts: func() bool { return true }}
	for _, n := range sim.Blocks() {
		b, err := src.FetchBlock(context.Background(), n)
		if err != nil {
			t.Fatal(err)
		}
		data, err := b.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		var got chain.Block
		if err := got.UnmarshalBinary(data); err != nil {
			t.Fatalf("block %d: %v", n, err)
		}
		if !reflect.DeepEqual(&got, b) {
			t.Fatalf("block %d does not round-trip", n)
		}
		if got.Transactions[0].EVM == nil || got.Transactions[0].EVM.Receipt == nil {
			t.Fatalf("block %d lost EVM data", n)
		}
	}
}
