package chain_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ozmon/ozmon/chain"
)

func ptr[T any](v T) *T { return &v }

// solanaBlock covers every field of the Solana model: a v0 transaction
// with lookups, loaded addresses, inner instructions, jsonParsed fields,
// token balances and stack heights; a failed one; one without meta; the
// block's optional numbers set and unset.
func solanaBlock() *chain.Block {
	bt := ptr(int64(1_700_000_000))
	return &chain.Block{
		Chain: chain.Solana, Network: "solana_mainnet", Ledger: 250_000_000,
		Hash: "5Zf1kc1", ParentHash: "9xQeWv", CloseTime: time.Unix(*bt, 0).UTC(),
		Solana: &chain.SolanaBlock{ParentSlot: 249_999_998, BlockTime: bt, BlockHeight: ptr(uint64(230_000_000))},
		Transactions: []chain.Transaction{
			{Hash: "3xSig", Index: 1, Success: true, FeeCharged: 5000, Solana: &chain.SolanaTransaction{
				Signature: "3xSig", Slot: 250_000_000, BlockTime: bt,
				Message: chain.SolanaMessage{
					AccountKeys:     []string{"Payer111", "AggregatorProg", "ComputeBudget111111111111111111111111111111"},
					RecentBlockhash: "9zRecent",
					Instructions: []chain.SolanaInstruction{
						{ProgramIDIndex: 1, Accounts: []uint8{0, 3, 4}, Data: "2Bx", StackHeight: ptr(uint32(1))},
						{ProgramIDIndex: 2, Data: "K1FDJ7"},
					},
					AddressTableLookups: []chain.SolanaTableLookup{{AccountKey: "LookupTbl", WritableIndexes: []uint8{5}, ReadonlyIndexes: []uint8{7, 255}}},
				},
				Meta: &chain.SolanaTransactionMeta{
					Fee: 5000, PreBalances: []uint64{10, 0, 1, 0, 18446744073709551615}, PostBalances: []uint64{5, 0, 1, 0, 0},
					PreTokenBalances: []chain.SolanaTokenBalance{{AccountIndex: 3, Mint: "So111", Owner: "Payer111", ProgramID: "Tokenkeg",
						UITokenAmount: json.RawMessage(`{"amount":"1","decimals":9,"uiAmount":1e-9,"uiAmountString":"0.000000001"}`)}},
					PostTokenBalances: []chain.SolanaTokenBalance{{AccountIndex: 3, Mint: "So111", UITokenAmount: json.RawMessage(`{"amount":"0"}`)}},
					InnerInstructions: []chain.SolanaInnerInstructions{{Index: 0, Instructions: []chain.SolanaInstruction{
						{ProgramIDIndex: 4, Accounts: []uint8{3}, StackHeight: ptr(uint32(2)),
							Parsed: json.RawMessage(`{"type":"transfer","info":{"amount":"1000000"}}`), Program: "spl-token", ProgramID: "Tokenkeg"},
					}}},
					LogMessages:          []string{"Program AggregatorProg invoke [1]", "Program data: AQID", "héllo \"quoted\""},
					ComputeUnitsConsumed: ptr(uint64(91000)),
					LoadedAddresses:      &chain.SolanaLoadedAddresses{Writable: []string{"PoolState"}, Readonly: []string{"KLend2g3cP87fffoy8q1mQqGKjrxjC8boSyAYavgmjD"}},
				},
			}},
			{Hash: "failed", Index: 2, FeeCharged: 7000, Solana: &chain.SolanaTransaction{Signature: "failed", Slot: 250_000_000,
				Message: chain.SolanaMessage{AccountKeys: []string{"A"}},
				Meta: &chain.SolanaTransactionMeta{Err: json.RawMessage(`{"InstructionError":[0,{"Custom":6001}]}`), Fee: 7000,
					LoadedAddresses: &chain.SolanaLoadedAddresses{}}}},
			{Index: 3, Solana: &chain.SolanaTransaction{}},
		},
	}
}

// Pointer nil-ness survives the cache: meta, loaded addresses, compute
// units, stack height, block time and height, and the skipped mark.
func TestBinaryRoundTripSolanaNilness(t *testing.T) {
	t.Parallel()
	got, _ := roundTrip(t, solanaBlock())
	if !reflect.DeepEqual(got, solanaBlock()) {
		g, _ := json.Marshal(got)
		w, _ := json.Marshal(solanaBlock())
		t.Fatalf("round trip differs\n got %s\nwant %s", g, w)
	}
	txs := got.Transactions
	if txs[1].Solana.Meta.LoadedAddresses == nil || txs[1].Solana.Meta.ComputeUnitsConsumed != nil || txs[2].Solana.Meta != nil {
		t.Errorf("meta nil-ness lost: %+v %+v", txs[1].Solana.Meta, txs[2].Solana)
	}
	if ix := txs[0].Solana.Message.Instructions; ix[0].StackHeight == nil || ix[1].StackHeight != nil {
		t.Errorf("stack height nil-ness lost")
	}
	if got.Transactions[2].Solana.BlockTime != nil {
		t.Errorf("block time appeared")
	}
	skipped, _ := roundTrip(t, &chain.Block{Chain: chain.Solana, Ledger: 7, Solana: &chain.SolanaBlock{Skipped: true}})
	if skipped.Solana == nil || !skipped.Solana.Skipped || skipped.Solana.BlockTime != nil || skipped.Solana.BlockHeight != nil {
		t.Errorf("skipped block = %+v", skipped.Solana)
	}
	if plain, _ := roundTrip(t, &chain.Block{Chain: chain.Stellar}); plain.Solana != nil {
		t.Errorf("a Stellar block gained a Solana part")
	}
}

// Every truncation of a Solana block fails with an offset, never panics.
func TestUnmarshalBinarySolanaTruncations(t *testing.T) {
	t.Parallel()
	data, err := solanaBlock().MarshalBinary()
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
	// A hostile list count fails before allocating.
	bad := append([]byte(nil), data...)
	for i := range bad {
		c := append([]byte(nil), bad...)
		c[i] = 0xff
		var b chain.Block
		_ = b.UnmarshalBinary(c) // must not panic
	}
}
