package monitor_test

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"

	"github.com/ozmon/ozmon/chain"
	"github.com/ozmon/ozmon/chain/evm"
	"github.com/ozmon/ozmon/monitor"
	"github.com/ozmon/ozmon/monitor/ozconfig"
)

// Compile an EVM monitor with its inline ABI, ask whether the block's
// receipts are needed, and match it against a block.
func Example_evm() {
	const usdc = "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48"
	src := []byte(`{
	  "name": "Large USDC transfers",
	  "networks": ["ethereum_mainnet"],
	  "paused": false,
	  "addresses": [{"address": "` + usdc + `", "contract_spec": [
	    {"type": "function", "name": "transfer", "inputs": [{"name": "to", "type": "address"}, {"name": "value", "type": "uint256"}], "outputs": [{"name": "", "type": "bool"}]}
	  ]}],
	  "match_conditions": {
	    "functions": [{"signature": "transfer(address, uint256)", "expression": "value >= 1000000000"}],
	    "events": [],
	    "transactions": [{"status": "Success"}]
	  },
	  "trigger_conditions": [],
	  "triggers": ["slack"]
	}`)
	m, err := ozconfig.ParseMonitor("large-usdc.json", src)
	if err != nil {
		fmt.Println(err)
		return
	}
	// The ABI source parses inline ABIs with chain/evm.
	cache := evm.NewABICache()
	abis := monitor.WithABISource(func(network, address string, inline json.RawMessage) (monitor.ABIDecoder, error) {
		if len(inline) == 0 {
			return nil, nil
		}
		a, err := cache.Get(inline)
		if a == nil {
			return nil, err // never a typed nil
		}
		return a, nil
	})
	cm, err := monitor.Compile("tenant-42", m, nil, abis)
	if err != nil {
		fmt.Println(err)
		return
	}
	// A Success condition needs the receipts' status.
	fmt.Println("needs receipts:", monitor.NeedsReceipts([]*monitor.CompiledMonitor{cm}))

	input, _ := hex.DecodeString("a9059cbb" +
		"000000000000000000000000f423d9c1ffeb6386639d024f3b241dab2331b635" +
		"00000000000000000000000000000000000000000000000000000001e7aafcb0")
	block := &chain.Block{Chain: chain.EVM, Network: "ethereum_mainnet", Ledger: 21306058, Transactions: []chain.Transaction{{
		Hash: "0xd5069b22a3a89a36d592d5a1f72a281bc5d11d6d0bac6f0a878c13abb764b6d8", Index: 1, Success: true,
		EVM: &chain.EVMTransaction{
			From: "0x58b704065b7aff3ed351052f8560019e05925023", To: "0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48",
			Value: "0", Input: input, Receipt: &chain.EVMReceipt{Status: 1, GasUsed: "62272"},
		},
	}}}
	matches, err := monitor.NewEngine().EvaluateBlock(context.Background(), block, []*monitor.CompiledMonitor{cm})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, mt := range matches {
		vars := mt.Variables()
		fmt.Println(vars["functions.0.signature"], vars["functions.0.args.to"], vars["functions.0.args.value"])
		fmt.Println("hex signature:", mt.MatchedOnArgs.Functions[0].HexSignature)
		fmt.Println("status:", mt.MatchedOn.Transactions[0].Status)
	}
	// Output:
	// needs receipts: true
	// transfer(address,uint256) 0xf423d9c1ffeb6386639d024f3b241dab2331b635 8181710000
	// hex signature: 0xa9059cbb
	// status: Success
}
