package chain_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ozmon/ozmon/chain"
)

// midnightBlock covers every field of the Midnight model: every operation
// kind (an unknown one included), identifiers, events with and without a
// hash or address, and the chain name.
func midnightBlock() *chain.Block {
	return &chain.Block{
		Chain: chain.Midnight, Network: "midnight_testnet", Ledger: 11243,
		Hash: "0xabc", ParentHash: "0x6c51", CloseTime: time.UnixMilli(1747144764000).UTC(),
		Midnight: &chain.MidnightBlock{ChainName: "testnet-02-1", Events: []chain.MidnightEvent{
			{Kind: chain.MidnightEventTxApplied, TxHash: "84502ac6", Raw: json.RawMessage(`{"MidnightTxApplied":{"tx_hash":"0x84502ac6"}}`)},
			{Kind: chain.MidnightEventCallContract, TxHash: "84502ac6", Address: "bf19"},
			{Kind: chain.MidnightEventUnknown},
		}},
		Transactions: []chain.Transaction{
			{Hash: "84502ac6", Index: 1, Success: true, Midnight: &chain.MidnightTransaction{
				TxHash:      "84502ac6",
				Identifiers: []string{"00000000bfa3", "0000000031"},
				Operations: []chain.MidnightOperation{
					{Kind: chain.MidnightCall, Address: "020200bf19", EntryPoint: "74616b655f646f776e"},
					{Kind: chain.MidnightDeploy, Address: "0202aa"},
					{Kind: chain.MidnightMaintain, Address: "0202bb"},
					{Kind: chain.MidnightClaimMint, Value: "340282366920938463463374607431768211455", CoinType: json.RawMessage(`"00ff"`)},
					{Kind: chain.MidnightFallibleCoins},
					{Kind: chain.MidnightGuaranteedCoins},
					{Kind: "Future", Raw: json.RawMessage(`{"Future":{"x":1}}`)},
				},
			}},
			{Hash: "ff", Index: 2, Midnight: &chain.MidnightTransaction{TxHash: "0xFF"}},
		},
	}
}

func TestBinaryRoundTripMidnight(t *testing.T) {
	t.Parallel()
	got, _ := roundTrip(t, midnightBlock())
	if !reflect.DeepEqual(got, midnightBlock()) {
		g, _ := json.Marshal(got)
		w, _ := json.Marshal(midnightBlock())
		t.Fatalf("round trip differs\n got %s\nwant %s", g, w)
	}
	if plain, _ := roundTrip(t, &chain.Block{Chain: chain.Stellar}); plain.Midnight != nil {
		t.Errorf("a Stellar block gained a Midnight part")
	}
	empty, _ := roundTrip(t, &chain.Block{Chain: chain.Midnight, Midnight: &chain.MidnightBlock{EventsError: "decode events: boom"}})
	if empty.Midnight == nil || empty.Midnight.EventsError != "decode events: boom" || empty.Midnight.Events != nil {
		t.Errorf("block without events = %+v", empty.Midnight)
	}
}

// Every truncation of a Midnight block fails with an offset; no corruption
// panics.
func TestUnmarshalBinaryMidnightTruncations(t *testing.T) {
	t.Parallel()
	data, err := midnightBlock().MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	for n := range len(data) {
		var b chain.Block
		err := b.UnmarshalBinary(data[:n])
		if err == nil || !strings.Contains(err.Error(), "offset") {
			t.Fatalf("prefix of %d bytes: %v", n, err)
		}
	}
	for i := range data {
		c := append([]byte(nil), data...)
		c[i] = 0xff
		var b chain.Block
		_ = b.UnmarshalBinary(c) // must not panic
	}
}

// Block.Contracts lists the contracts Call operations call, in the
// comparison form of MID12 (35-byte addresses lose their network prefix).
func TestMidnightContracts(t *testing.T) {
	t.Parallel()
	b := &chain.Block{Chain: chain.Midnight, Transactions: []chain.Transaction{{Midnight: &chain.MidnightTransaction{Operations: []chain.MidnightOperation{
		{Kind: chain.MidnightCall, Address: "0x020200BF19b4b8a1cb232880d26999f01c0aca5c57635365019456109be2ee809f5919"},
		{Kind: chain.MidnightDeploy, Address: "0202cc"},
		{Kind: chain.MidnightCall, Address: "bf19b4b8a1cb232880d26999f01c0aca5c57635365019456109be2ee809f5919"},
	}}}}}
	got := b.Contracts()
	want := []string{"bf19b4b8a1cb232880d26999f01c0aca5c57635365019456109be2ee809f5919"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Contracts = %q, want %q", got, want)
	}
}

// MID12's normalisation helpers.
func TestMidnightKeys(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ in, want string }{
		{"0x123456 7890123456 ABCDEFGHIJKLMNOPQRSTUVWXYZ", "1234567890123456abcdefghijklmnopqrstuvwxyz"},
	} {
		if got := chain.MidnightHashKey(c.in); got != c.want {
			t.Errorf("MidnightHashKey(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	for _, c := range []struct{ in, want string }{
		{"0x123456 7890123456 7890123456   789012345 67890", "1234567890123456789012345678901234567890"},
		{"0x1234567890123456789012345678901234567890", "1234567890123456789012345678901234567890"},
		{"020200bf19b4b8a1cb232880d26999f01c0aca5c57635365019456109be2ee809f5919", "bf19b4b8a1cb232880d26999f01c0aca5c57635365019456109be2ee809f5919"},
		{"bf19b4b8a1cb232880d26999f01c0aca5c57635365019456109be2ee809f5919", "bf19b4b8a1cb232880d26999f01c0aca5c57635365019456109be2ee809f5919"},
		{"zz0200bf19b4b8a1cb232880d26999f01c0aca5c57635365019456109be2ee809f5919", "zz0200bf19b4b8a1cb232880d26999f01c0aca5c57635365019456109be2ee809f5919"},
	} {
		if got := chain.MidnightAddressKey(c.in); got != c.want {
			t.Errorf("MidnightAddressKey(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// Operations read and write the node's externally tagged JSON exactly.
func TestMidnightOperationJSON(t *testing.T) {
	t.Parallel()
	in := `[{"Call":{"address":"0202bf","entry_point":"74616b655f646f776e"}},"GuaranteedCoins","FallibleCoins",{"Deploy":{"address":"01"}},{"Maintain":{"address":"02"}},{"ClaimMint":{"value":340282366920938463463374607431768211455,"coin_type":"00"}},{"Later":[1]},"Other"]`
	var ops []chain.MidnightOperation
	if err := json.Unmarshal([]byte(in), &ops); err != nil {
		t.Fatal(err)
	}
	if name, ok := ops[0].EntryPointName(); !ok || name != "take_down" {
		t.Errorf("entry point = %q %v", name, ok)
	}
	if ops[5].Value != "340282366920938463463374607431768211455" {
		t.Errorf("u128 value = %q", ops[5].Value)
	}
	out, err := json.Marshal(ops)
	if err != nil {
		t.Fatal(err)
	}
	if string(out) != in {
		t.Errorf("re-marshalled\n got %s\nwant %s", out, in)
	}
	for _, bad := range []string{`{"Call":{"address":"01"}}`, `{"ClaimMint":{"value":-1}}`, `{"ClaimMint":{"value":340282366920938463463374607431768211456}}`, `{"A":1,"B":2}`, `7`} {
		var op chain.MidnightOperation
		if err := json.Unmarshal([]byte(bad), &op); err == nil || !strings.Contains(err.Error(), "midnight operation") {
			t.Errorf("%s: err = %v", bad, err)
		}
	}
	if _, ok := (&chain.MidnightOperation{EntryPoint: "zz"}).EntryPointName(); ok {
		t.Errorf("non-hex entry point decoded")
	}
	if _, ok := (&chain.MidnightOperation{EntryPoint: "ff"}).EntryPointName(); ok {
		t.Errorf("non-UTF-8 entry point decoded")
	}
}
