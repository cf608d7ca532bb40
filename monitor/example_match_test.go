package monitor_test

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/ozmon/ozmon/chain"
	"github.com/ozmon/ozmon/monitor"
	"github.com/ozmon/ozmon/monitor/ozconfig"
)

// Compile a tenant's monitor, index it, and match it against a ledger.
func Example() {
	const usdc = "CCW67TSZV3SSS2HXMBQ5JFGCKJNXKZM7UQUWUZPUTHXSTZLEO7SJMI75"
	src := []byte(`{
	  "name": "Large USDC transfers",
	  "networks": ["stellar_mainnet"],
	  "paused": false,
	  "addresses": [{"address": "` + usdc + `"}],
	  "match_conditions": {
	    "functions": [],
	    "events": [{"signature": "transfer(Address,Address,String,I128)", "expression": "3 >= 1000000000"}],
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
	// No contract spec is needed for events: arguments are named 0, 1, ….
	cm, err := monitor.Compile("tenant-42", m, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	ix := monitor.NewIndex("stellar_mainnet")
	if err := ix.SetTenant("tenant-42", []*monitor.CompiledMonitor{cm}); err != nil {
		fmt.Println(err)
		return
	}

	transfer := func(amount uint64) []chain.Event {
		return []chain.Event{{
			Contract: usdc,
			Topics: []chain.Value{
				chain.Symbol("transfer"),
				chain.Address("GAS4V4O2B7DW5T7IQRPEEVCRXMDZESKISR7DVIGKZQYYV3OSQ5SH5LVP"),
				chain.Address("GBTVRQJ4VCXJ5YFYDFT3CTLNBAZBDEV2OE3JSXGYLNBRVIDFBA3PVNV7"),
				chain.String("USDC:GA5ZSEJYB37JRC5AVCIA5MOP4RHTM335X2KGX3IHOJAPP5RE34K4KZVN"),
			},
			Data: chain.I128(0, amount),
		}}
	}
	block := &chain.Block{
		Chain:     chain.Stellar,
		Network:   "stellar_mainnet",
		Ledger:    63092982,
		Hash:      "5f3a",
		CloseTime: time.Unix(1781828452, 0).UTC(),
		Transactions: []chain.Transaction{
			{Hash: "aa01", Index: 1, Success: true, Events: transfer(250_0000000)},
			{Hash: "aa02", Index: 2, Success: true, Events: transfer(5_0000000)},
		},
	}

	// Prepare the ledger once; every tenant's evaluation shares it.
	engine := monitor.NewEngine()
	prepared, err := engine.Prepare(block)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, tm := range ix.Candidates(block) {
		matches, err := engine.EvaluateTenant(context.Background(), tm.TenantID, prepared, tm.Monitors)
		if err != nil {
			fmt.Println(err)
			return
		}
		for _, mt := range matches {
			v := mt.Variables()
			fmt.Println(mt.TenantID, v["monitor.name"], v["transaction.hash"])
			fmt.Println(v["events.0.signature"], "amount", v["events.0.args.3"])
			raw, _ := mt.MarshalOZJSON()
			var doc struct {
				Stellar struct {
					MatchedOn json.RawMessage `json:"matched_on"`
				}
			}
			_ = json.Unmarshal(raw, &doc)
			fmt.Println(string(doc.Stellar.MatchedOn))
		}
	}
	// Output:
	// tenant-42 Large USDC transfers aa01
	// transfer(Address,Address,String,I128) amount 2500000000
	// {"functions":[],"events":[{"signature":"transfer(Address,Address,String,I128)","expression":"3 >= 1000000000"}],"transactions":[{"status":"Success","expression":null}]}
}
