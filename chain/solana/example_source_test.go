package solana_test

import (
	"context"
	"fmt"

	"github.com/ozmon/ozmon/chain"
	"github.com/ozmon/ozmon/chain/solana"
	"github.com/ozmon/ozmon/ozmontest"
)

// A Source over a local Solana simulator: the finalized tip, then one
// getBlock per slot; a skipped slot is an empty block, not an error.
func ExampleSource() {
	sim, err := ozmontest.NewSolanaSim(ozmontest.SolanaSimSynthetic(ozmontest.SolanaSynthetic{Seed: 7, StartSlot: 100, Slots: 10, TxPerSlot: 4}))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer sim.Close()
	client, err := solana.NewClient([]chain.Endpoint{{URL: sim.URL(), Weight: 100}})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer client.Close()
	skipped := 0
	src := &solana.Source{Client: client, Network: "solana_sim", OnSkipped: func(uint64) { skipped++ }}

	ctx := context.Background()
	tip, err := src.Tip(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	for slot := tip - 1; slot <= tip; slot++ {
		b, err := src.FetchBlock(ctx, slot)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println("slot", b.Ledger, "skipped", b.Solana.Skipped, "txs", len(b.Transactions), "programs", len(b.Contracts()))
	}
	fmt.Println("getBlock calls", sim.Calls("getBlock"), "skipped", skipped)
	// Output:
	// slot 108 skipped false txs 4 programs 4
	// slot 109 skipped true txs 0 programs 0
	// getBlock calls 2 skipped 1
}
