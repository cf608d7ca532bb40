package monitor_test

import (
	"context"
	"fmt"

	"github.com/ozmon/ozmon/chain"
	"github.com/ozmon/ozmon/monitor"
	"github.com/ozmon/ozmon/monitor/ozconfig"
)

// A Solana monitor watches a program: here the SPL token program, with
// OpenZeppelin Monitor's log-search event condition and a transaction
// expression over the fee. The block is in OZ's Solana model.
func ExampleEngine_solana() {
	m, err := ozconfig.ParseMonitor("transfers.json", []byte(`{
		"name": "Token transfers", "networks": ["solana_mainnet"], "paused": false,
		"addresses": [{"address": "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA"}],
		"match_conditions": {"functions": [], "events": [{"signature": "Transfer"}],
			"transactions": [{"status": "Success", "expression": "fee < 10000"}]},
		"trigger_conditions": [], "triggers": []}`))
	if err != nil {
		panic(err)
	}
	cm, err := monitor.Compile("acme", m, nil, monitor.WithChain(chain.Solana))
	if err != nil {
		panic(err)
	}
	b, err := chain.SolanaBlockFromModel("solana_mainnet", []byte(`{"slot": 300, "blockhash": "H", "previousBlockhash": "P", "parentSlot": 299,
		"transactions": [{"signature": "5wHu1q", "slot": 300, "blockTime": null,
			"transaction": {"accountKeys": ["9xQeWvG816bUx9EPjHmaT23yvVM2ZWbrrpZb9PusVFin", "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA"],
				"recentBlockhash": "R", "instructions": [{"programIdIndex": 1, "accounts": [0], "data": "3Bxs4h24hBtQy9rw"}]},
			"meta": {"err": null, "fee": 5000, "preBalances": [], "postBalances": [],
				"logMessages": ["Program TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA invoke [1]", "Program log: Instruction: Transfer",
					"Program TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA success"]}}]}`))
	if err != nil {
		panic(err)
	}
	ms, err := monitor.NewEngine().EvaluateBlock(context.Background(), b, []*monitor.CompiledMonitor{cm})
	if err != nil {
		panic(err)
	}
	for _, mt := range ms {
		vars := mt.Variables()
		fmt.Println(vars["transaction.signature"], mt.MatchedOn.Transactions[0].Status, vars["events.0.args.log"])
	}
	// Output: 5wHu1q Success Program log: Instruction: Transfer
}
