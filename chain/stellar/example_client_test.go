package stellar_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/ozmon/ozmon/chain"
	"github.com/ozmon/ozmon/chain/stellar"
	"github.com/ozmon/ozmon/ozmontest"
)

// A client over two endpoints: the first (higher weight) is down, so the
// second serves. Following the chain costs one getLedgers per batch.
func ExampleClient() {
	sim, err := ozmontest.NewStellarSim(ozmontest.SimSynthetic(ozmontest.SyntheticConfig{
		Seed: 1, StartLedger: 1000, Ledgers: 30, TxPerLedger: 10,
	}))
	if err != nil {
		log.Fatal(err)
	}
	defer sim.Close()

	client, err := stellar.NewClient([]chain.Endpoint{
		{URL: "http://127.0.0.1:1", Weight: 10}, // nothing listens here
		{URL: sim.URL(), Weight: 5},
	}, chain.WithCallTimeout(5*time.Second), chain.WithBackoff(10*time.Millisecond, 100*time.Millisecond))
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()

	ctx := context.Background()
	health, err := client.Health(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("tip:", health.LatestLedger, "oldest:", health.OldestLedger)

	ledgers, err := client.Ledgers(ctx, 1000, 20) // catching up: one call
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("fetched", len(ledgers), "ledgers from", ledgers[0].Sequence, "to", ledgers[len(ledgers)-1].Sequence)
	fmt.Println("getLedgers calls:", sim.Calls("getLedgers"))

	_, err = client.ContractSpec(ctx, ozmontest.SyntheticIDs(1, "").Token)
	fmt.Println(err != nil && errors.Is(err, stellar.ErrNoContractSpec))
	// Output:
	// tip: 1029 oldest: 1000
	// fetched 20 ledgers from 1000 to 1019
	// getLedgers calls: 1
	// true
}
