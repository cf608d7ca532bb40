package midnight_test

import (
	"context"
	"fmt"

	"github.com/ozmon/ozmon/chain"
	"github.com/ozmon/ozmon/chain/midnight"
	"github.com/ozmon/ozmon/ozmontest"
)

// A Source over a local Midnight simulator: the finalised tip, then one
// block with its events; a transaction's status comes from the events.
func ExampleSource() {
	sim, err := ozmontest.NewMidnightSim()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer sim.Close()
	for range 3 {
		sim.AddSyntheticBlock(7, 5)
	}
	client, err := midnight.NewClient([]chain.Endpoint{{URL: sim.URL(), Weight: 100}})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer client.Close()
	src := &midnight.Source{Client: client, Network: "midnight_sim"}

	ctx := context.Background()
	tip, err := src.Tip(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	b, err := src.FetchBlock(ctx, tip)
	if err != nil {
		fmt.Println(err)
		return
	}
	applied := 0
	for _, tx := range b.Transactions {
		if tx.Success {
			applied++
		}
	}
	name, _ := b.Transactions[0].Midnight.Operations[0].EntryPointName()
	fmt.Println("block", b.Ledger, "chain", b.Midnight.ChainName, "txs", len(b.Transactions), "applied", applied, "first call", name)
	fmt.Println("contracts", len(b.Contracts()), "midnight_jsonBlock calls", sim.Calls("midnight_jsonBlock"))
	// Output:
	// block 3 chain testnet-02-1 txs 5 applied 4 first call post
	// contracts 1 midnight_jsonBlock calls 1
}
