package ozmontest_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"log"
	"net/http"
	"strings"
	"time"

	"github.com/stellar/go-stellar-sdk/clients/rpcclient"
	protocol "github.com/stellar/go-stellar-sdk/protocols/rpc"

	"github.com/ozmon/ozmon/ozmontest"
)

// A webhook receiver that fails once and then accepts: what a test of a
// user's own retry handling posts to.
func ExampleWebhookSink() {
	sink, err := ozmontest.NewWebhookSink("127.0.0.1:0", ozmontest.SinkFailTimes(1, http.StatusServiceUnavailable))
	if err != nil {
		log.Fatal(err)
	}
	defer sink.Close()

	for range 2 {
		resp, err := http.Post(sink.URL()+"/hook", "application/json", strings.NewReader(`{"monitor":"large transfer"}`))
		if err != nil {
			log.Fatal(err)
		}
		resp.Body.Close()
		fmt.Println("status", resp.StatusCode)
	}
	reqs, err := sink.WaitFor(2, time.Second)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(reqs[1].Method, reqs[1].Path, string(reqs[1].Body))
	// Output:
	// status 503
	// status 200
	// POST /hook {"monitor":"large transfer"}
}

// The repository's mainnet ledgers served over Stellar RPC, one read back
// with the SDK's client exactly as it is on disk.
func ExampleStellarSim_mainnetFiles() {
	sim, err := ozmontest.NewStellarSim(ozmontest.SimLedgerDir("../testdata/stellar/mainnet"))
	if err != nil {
		log.Fatal(err)
	}
	defer sim.Close()
	client := rpcclient.NewClient(sim.URL(), http.DefaultClient)
	defer client.Close()

	page, err := client.GetLedgers(context.Background(), protocol.GetLedgersRequest{StartLedger: 63092982,
		Pagination: &protocol.LedgerPaginationOptions{Limit: 1}})
	if err != nil {
		log.Fatal(err)
	}
	served, err := base64.StdEncoding.DecodeString(page.Ledgers[0].LedgerMetadata)
	if err != nil {
		log.Fatal(err)
	}
	onDisk, _ := sim.LedgerXDR(63092982)
	fmt.Println(len(sim.Ledgers()), "ledgers; tip", sim.Tip())
	fmt.Println("ledger", page.Ledgers[0].Sequence, "as on disk:", bytes.Equal(served, onDisk))
	// Output:
	// 22 ledgers; tip 63093001
	// ledger 63092982 as on disk: true
}
