package monitortest_test

import (
	"fmt"
	"testing"

	"github.com/ozmon/ozmon/monitortest"
)

// A tenant's CI runs its monitor over two real mainnet ledgers and
// requires the transfers it must catch, and only those.
func Example() {
	// In a test, t is the test's own *testing.T.
	t := &testing.T{}
	const largeUSDC = `{
	  "name": "Large USDC transfers",
	  "networks": ["stellar_mainnet"],
	  "paused": false,
	  "addresses": [{"address": "CCW67TSZV3SSS2HXMBQ5JFGCKJNXKZM7UQUWUZPUTHXSTZLEO7SJMI75"}],
	  "match_conditions": {
	    "functions": [],
	    "events": [{"signature": "transfer(Address,Address,String,I128)", "expression": "3 >= 1000000000"}],
	    "transactions": [{"status": "Success"}]
	  },
	  "trigger_conditions": [],
	  "triggers": []
	}`
	ms := monitortest.Stellar(t, largeUSDC,
		"../testdata/stellar/mainnet/ledger-63092982.xdr.gz",
		"../testdata/stellar/mainnet/ledger-63092983.xdr.gz")
	for _, m := range ms.All {
		fmt.Println(m.Ledger, m.Transaction.Hash[:16], m.MatchedOn.Events[0].Signature)
	}
	// A transfer of 100 USDC or more (7 decimals) must be caught; a swap
	// whose USDC legs are all smaller must not.
	monitortest.RequireMatch(t, ms, monitortest.Tx("5d1b062dae9b02b4f9460c80dea277cffb46f1d3104ab84aa49d13beb2ccb718"))
	monitortest.RequireNoMatch(t, ms, monitortest.Tx("c41e13c82d4b9ace712a93e023c98adc5a26b4d5093ac612b71f34d841981de8"))
	fmt.Println("failed:", t.Failed())
	// Output:
	// 63092982 ff088d9063d2466c transfer(Address,Address,String,I128)
	// 63092982 c2bb3d4a99eca309 transfer(Address,Address,String,I128)
	// 63092982 9c2d6f000929a020 transfer(Address,Address,String,I128)
	// 63092983 5d1b062dae9b02b4 transfer(Address,Address,String,I128)
	// failed: false
}
