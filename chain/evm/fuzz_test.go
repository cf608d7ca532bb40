package evm

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"

	"github.com/ozmon/ozmon/ozmontest"
)

// FuzzDecodeCall feeds arbitrary inputs behind a real selector of a
// tuple-heavy ABI: decoding either fails or renders values whose tuples
// and arrays are balanced; it never panics.
func FuzzDecodeCall(f *testing.F) {
	a, err := parseABI([]byte(ozmontest.EVMNestedStructABI))
	if err != nil {
		f.Fatal(err)
	}
	raw, err := abi.JSON(strings.NewReader(ozmontest.EVMNestedStructABI))
	if err != nil {
		f.Fatal(err)
	}
	sel := raw.Methods["inputNestedStruct"].ID
	blocks, _, err := ozmontest.EVMSyntheticFixtures(ozmontest.EVMSynthetic{Seed: 1, Blocks: 2, TxPerBlock: 30})
	if err != nil {
		f.Fatal(err)
	}
	var wrapped []struct {
		EVM struct {
			Transactions []struct {
				To    string `json:"to"`
				Input string `json:"input"`
			} `json:"transactions"`
		} `json:"EVM"`
	}
	if err := json.Unmarshal(blocks, &wrapped); err != nil {
		f.Fatal(err)
	}
	for _, w := range wrapped {
		for _, tx := range w.EVM.Transactions {
			if tx.To == ozmontest.EVMSynthTuplesContract {
				f.Add(common.FromHex(tx.Input)[4:])
			}
		}
	}
	f.Add([]byte{})
	f.Add(make([]byte, 64))
	f.Fuzz(func(t *testing.T, body []byte) {
		input := append(append([]byte{}, sel...), body...)
		sig, _, args, err := a.DecodeCall(input)
		if err != nil {
			return
		}
		if !strings.HasPrefix(sig, "inputNestedStruct(") || len(args) != 1 {
			t.Fatalf("%s %+v", sig, args)
		}
		v := args[0].Value
		if strings.Count(v, "(") < 2 || v[0] != '(' || v[len(v)-1] != ')' {
			t.Fatalf("tuple rendered as %q", v)
		}
	})
}

// FuzzDecodeLogs: any eth_getLogs answer either fails or decodes to logs
// whose Raw JSON is each log's own object; it never panics.
func FuzzDecodeLogs(f *testing.F) {
	f.Add([]byte(`[{"address":"0x` + h40 + `","topics":["0x` + h64 + `"],"data":"0x01","logIndex":"0x1","transactionHash":"0x` + h64 + `"}]`))
	f.Add([]byte(`[ ]`))
	f.Add([]byte(`[{"address":"0x` + h40 + `","topics":[],"data":"0x","logIndex":"0x0","transactionHash":"0x` + h64 + `","x":"a\"]}"}]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		logs, err := decodeLogs(data)
		if err != nil {
			return
		}
		for _, l := range logs {
			var obj map[string]json.RawMessage
			if err := json.Unmarshal(l.Raw, &obj); err != nil {
				t.Fatalf("log Raw %q is not an object: %v", l.Raw, err)
			}
		}
		_, _ = DecodeBlock(data)
	})
}
