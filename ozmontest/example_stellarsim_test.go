package ozmontest_test

import (
	"context"
	"fmt"
	"log"
	"net/http"

	"github.com/stellar/go-stellar-sdk/clients/rpcclient"
	protocol "github.com/stellar/go-stellar-sdk/protocols/rpc"

	"github.com/ozmon/ozmon/ozmontest"
)

// A simulator of synthetic ledgers, read with the SDK's own RPC client;
// the tip moves on demand.
func ExampleStellarSim() {
	sim, err := ozmontest.NewStellarSim(
		ozmontest.SimSynthetic(ozmontest.SyntheticConfig{Seed: 1, StartLedger: 100, Ledgers: 5, TxPerLedger: 20}),
		ozmontest.SimInitialTip(102),
	)
	if err != nil {
		log.Fatal(err)
	}
	defer sim.Close()
	client := rpcclient.NewClient(sim.URL(), http.DefaultClient)
	defer client.Close()
	ctx := context.Background()

	health, err := client.GetHealth(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("tip", health.LatestLedger)
	if _, err := sim.Advance(4); err != nil { // one past the generated set: made on demand
		log.Fatal(err)
	}
	page, err := client.GetTransactions(ctx, protocol.GetTransactionsRequest{StartLedger: 105,
		Pagination: &protocol.LedgerPaginationOptions{Limit: 200}})
	if err != nil {
		log.Fatal(err)
	}
	n := 0
	for _, tx := range page.Transactions { // a page runs on into later ledgers
		if tx.Ledger == 105 {
			n++
		}
	}
	fmt.Println("tip", sim.Tip(), "ledger 105 has", n, "transactions")
	fmt.Println("app contract:", ozmontest.SyntheticContracts(1, "")[1] == ozmontest.SyntheticIDs(1, "").App)
	// Output:
	// tip 102
	// tip 106 ledger 105 has 20 transactions
	// app contract: true
}
