package evm_test

import (
	"context"
	"fmt"

	"github.com/ozmon/ozmon/chain"
	"github.com/ozmon/ozmon/chain/evm"
	"github.com/ozmon/ozmon/ozmontest"
)

// A Source over a local EVM simulator: the tip, then one block with its
// logs (two JSON-RPC calls), receipts only because Receipts says so.
func ExampleSource() {
	sim, err := ozmontest.NewEVMSim(ozmontest.EVMSimSynthetic(ozmontest.EVMSynthetic{Seed: 7, StartBlock: 100, Blocks: 3, TxPerBlock: 4, LogsPerBlock: 6}))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer sim.Close()
	client, err := evm.NewClient([]chain.Endpoint{{URL: sim.URL(), Weight: 100}})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer client.Close()
	src := &evm.Source{Client: client, Network: "synth", Receipts: func() bool { return true }}

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
	logs := 0
	for _, tx := range b.Transactions {
		logs += len(tx.EVM.Logs)
	}
	fmt.Println("tip", tip, "txs", len(b.Transactions), "logs", logs, "receipt", b.Transactions[0].EVM.Receipt != nil)
	fmt.Println("calls", sim.Calls("eth_getBlockByNumber"), sim.Calls("eth_getLogs"), sim.Calls("eth_getTransactionReceipt"))
	// Output:
	// tip 102 txs 4 logs 6 receipt true
	// calls 1 1 4
}
