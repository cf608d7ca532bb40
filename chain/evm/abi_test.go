package evm

import (
	"context"
	"encoding/hex"
	"math/big"
	"reflect"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
	"golang.org/x/crypto/sha3"

	"github.com/ozmon/ozmon/chain"
	"github.com/ozmon/ozmon/ozmontest"
)

// fixtureBlock fetches one OpenZeppelin Monitor fixture block through the sim.
func fixtureBlock(t *testing.T, n uint64) *chain.Block {
	t.Helper()
	blocksJSON, receiptsJSON := ozFixtures(t)
	sim := ozmontest.StartEVMSim(t, ozmontest.EVMSimFixtures(blocksJSON, receiptsJSON))
	b, err := (&Source{Client: fastClient(t, sim.URL()), Network: "ethereum_mainnet"}).FetchBlock(context.Background(), n)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Golden cases V2 and V4 (docs/compatibility.md#golden-tests): the USDC transfer's call and its
// Transfer log, decoded with the fixture ABI.
func TestDecodeUSDCTransfer(t *testing.T) {
	t.Parallel()
	a, err := parseABI(ozSpec(t, "contract_spec.json"))
	if err != nil {
		t.Fatal(err)
	}
	tx := fixtureBlock(t, 21306058).Transactions[1]
	sig, sel, args, err := a.DecodeCall(tx.EVM.Input)
	if err != nil {
		t.Fatal(err)
	}
	wantCall := []chain.Arg{
		{Name: "to", Value: "0xf423d9c1ffeb6386639d024f3b241dab2331b635", Kind: "address"},
		{Name: "value", Value: "8181710000", Kind: "uint256"},
	}
	if sig != "transfer(address,uint256)" || sel != "a9059cbb" || !reflect.DeepEqual(args, wantCall) {
		t.Fatalf("call: %s %s %+v", sig, sel, args)
	}
	l := tx.EVM.Logs[0]
	sig, topic, args, err := a.DecodeLog(l.Topics, l.Data)
	if err != nil {
		t.Fatal(err)
	}
	wantLog := []chain.Arg{
		{Name: "from", Value: "0x58b704065b7aff3ed351052f8560019e05925023", Kind: "address", Indexed: true},
		{Name: "to", Value: "0xf423d9c1ffeb6386639d024f3b241dab2331b635", Kind: "address", Indexed: true},
		{Name: "value", Value: "8181710000", Kind: "uint256"},
	}
	if sig != "Transfer(address,address,uint256)" || topic != "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef" ||
		!reflect.DeepEqual(args, wantLog) {
		t.Fatalf("log: %s %s %+v", sig, topic, args)
	}
	if got := selector("transfer(address, uint256)"); got != "a9059cbb" {
		t.Fatalf("Selector = %s", got)
	}
}

// V16/V17: the nested struct of the last fixture block renders exactly as
// OpenZeppelin Monitor renders it.
func TestDecodeNestedStructV17(t *testing.T) {
	t.Parallel()
	a, err := parseABI(ozSpec(t, "contract_spec_tuples.json"))
	if err != nil {
		t.Fatal(err)
	}
	tx := fixtureBlock(t, 26966585).Transactions[0]
	sig, _, args, err := a.DecodeCall(tx.EVM.Input)
	if err != nil {
		t.Fatal(err)
	}
	if sig != "inputNestedStruct((bool,string,string,uint256,address,string[],(string,uint256)))" {
		t.Fatalf("signature %s", sig)
	}
	want := `(true,"The Book Title","Author Name",123,"0x1234567890abcdef1234567890abcdef12345678",["fiction","bestseller"],("The Sequel",321))`
	if len(args) != 1 || args[0].Name != "nestedStruct" || args[0].Kind != "tuple" || args[0].Value != want {
		t.Fatalf("args %+v\nwant value %s", args, want)
	}
}

func mustType(t *testing.T, typ string, comps ...abi.ArgumentMarshaling) abi.Type {
	t.Helper()
	ty, err := abi.NewType(typ, "", comps)
	if err != nil {
		t.Fatal(err)
	}
	return ty
}

func TestRenderValue(t *testing.T) {
	t.Parallel()
	addr := common.HexToAddress("0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48")
	maxU256 := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 256), big.NewInt(1))
	cases := []struct {
		typ   abi.Type
		value any
		want  string
		kind  string
	}{
		{mustType(t, "uint256"), maxU256, maxU256.String(), "uint256"},
		{mustType(t, "int256"), big.NewInt(-42), "-42", "int256"},
		{mustType(t, "uint8"), uint8(255), "255", "uint8"},
		{mustType(t, "int64"), int64(-9), "-9", "int64"},
		{mustType(t, "bool"), true, "true", "bool"},
		{mustType(t, "address"), addr, "0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48", "address"},
		{mustType(t, "string"), `He said "hi"`, `He said "hi"`, "string"},
		{mustType(t, "bytes"), []byte{0xAB, 0x01}, "0xab01", "bytes"},
		{mustType(t, "bytes4"), [4]byte{0xa9, 0x05, 0x9c, 0xbb}, "0xa9059cbb", "bytes4"},
		{mustType(t, "bytes32"), [32]byte{31: 1}, "0x" + strings.Repeat("00", 31) + "01", "bytes32"},
		{mustType(t, "uint256[]"), []*big.Int{big.NewInt(1), big.NewInt(2)}, "[1,2]", "uint256[]"},
		{mustType(t, "string[]"), []string{"a", "b"}, `["a","b"]`, "string[]"},
		{mustType(t, "string[]"), []string{}, `[]`, "string[]"},
		{mustType(t, "address[2]"), [2]common.Address{addr, {}}, `["0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48","0x0000000000000000000000000000000000000000"]`, "address[2]"},
		{mustType(t, "bool[][]"), [][]bool{{true}, {false, true}}, "[[true],[false,true]]", "bool[][]"},
		{mustType(t, "bytes[]"), [][]byte{{1}, {}}, `["0x01","0x"]`, "bytes[]"},
	}
	for _, c := range cases {
		got, err := renderValue(c.typ, c.value)
		if err != nil || got != c.want {
			t.Errorf("%s %v: %q, %v; want %q", c.typ.String(), c.value, got, err, c.want)
		}
		if k := kind(c.typ); k != c.kind {
			t.Errorf("kind(%s) = %s, want %s", c.typ.String(), k, c.kind)
		}
	}
	// A value that does not fit its type is an error, not a panic.
	for _, bad := range []struct {
		typ   abi.Type
		value any
	}{
		{mustType(t, "uint256"), "12"}, {mustType(t, "address"), 5}, {mustType(t, "string[]"), "x"},
		{mustType(t, "bool"), nil}, {mustType(t, "uint256"), (*big.Int)(nil)},
	} {
		if got, err := renderValue(bad.typ, bad.value); err == nil {
			t.Errorf("%s %v rendered as %q", bad.typ.String(), bad.value, got)
		}
	}
}

// TestDecodeRoundTripTuples packs calls with go-ethereum and checks the
// rendering of tuples, tuple arrays and nesting.
func TestDecodeRoundTripTuples(t *testing.T) {
	t.Parallel()
	const spec = `[{"type":"function","name":"f","inputs":[
{"name":"ps","type":"tuple[]","components":[{"name":"who","type":"address"},{"name":"amt","type":"uint128"}]},
{"name":"b","type":"bytes32"},{"name":"n","type":"int8"}]},
{"type":"event","name":"E","anonymous":false,"inputs":[{"name":"tag","type":"string","indexed":true},
{"name":"id","type":"uint64","indexed":true},{"name":"s","type":"string","indexed":false}]}]`
	a, err := parseABI([]byte(spec))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := abi.JSON(strings.NewReader(spec))
	if err != nil {
		t.Fatal(err)
	}
	type p struct {
		Who common.Address
		Amt *big.Int
	}
	input, err := raw.Pack("f", []p{{common.HexToAddress("0x01"), big.NewInt(5)}, {common.HexToAddress("0x02"), big.NewInt(6)}},
		[32]byte{0: 0xff}, int8(-3))
	if err != nil {
		t.Fatal(err)
	}
	sig, sel, args, err := a.DecodeCall(input)
	if err != nil {
		t.Fatal(err)
	}
	want := []chain.Arg{
		{Name: "ps", Kind: "tuple[]", Value: `[("0x0000000000000000000000000000000000000001",5),("0x0000000000000000000000000000000000000002",6)]`},
		{Name: "b", Kind: "bytes32", Value: "0xff" + strings.Repeat("00", 31)},
		{Name: "n", Kind: "int8", Value: "-3"},
	}
	if sig != "f((address,uint128)[],bytes32,int8)" || sel != hex.EncodeToString(input[:4]) || !reflect.DeepEqual(args, want) {
		t.Fatalf("%s %s %+v", sig, sel, args)
	}
	if _, _, _, err := a.DecodeCall(input[:20]); err == nil {
		t.Fatal("truncated call decoded")
	}
	if _, _, _, err := a.DecodeCall([]byte{1, 2, 3, 4}); err == nil {
		t.Fatal("unknown selector decoded")
	}

	// Event: an indexed string is its hash; an indexed uint64 its value.
	ev := raw.Events["E"]
	data, err := ev.Inputs.NonIndexed().Pack("hello")
	if err != nil {
		t.Fatal(err)
	}
	tagHash := "0x" + strings.Repeat("ab", 32)
	topics := []string{ev.ID.Hex(), tagHash, "0x" + strings.Repeat("0", 62) + "2a"}
	sig, topic, args, err := a.DecodeLog(topics, data)
	if err != nil {
		t.Fatal(err)
	}
	wantEv := []chain.Arg{
		{Name: "tag", Kind: "string", Value: tagHash, Indexed: true},
		{Name: "id", Kind: "uint64", Value: "42", Indexed: true},
		{Name: "s", Kind: "string", Value: "hello"},
	}
	if sig != "E(string,uint64,string)" || topic != ev.ID.Hex() || !reflect.DeepEqual(args, wantEv) {
		t.Fatalf("%s %s %+v", sig, topic, args)
	}
	if _, _, _, err := a.DecodeLog(topics[:2], data); err == nil {
		t.Fatal("log with a missing topic decoded")
	}
	if _, _, _, err := a.DecodeLog(nil, data); err == nil {
		t.Fatal("log without topics decoded")
	}
}

// selector returns the 4-byte selector of a canonical function signature
// (whitespace removed) as 8 lowercase hex digits.
func selector(signature string) string {
	sig := strings.Join(strings.Fields(signature), "")
	h := keccak([]byte(sig))
	return hex.EncodeToString(h[:4])
}

func keccak(data []byte) []byte {
	h := sha3.NewLegacyKeccak256()
	h.Write(data)
	return h.Sum(nil)
}
