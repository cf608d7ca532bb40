package solana

import (
	"encoding/json"
	"math/rand/v2"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/ozmon/ozmon/chain"
)

const (
	tokenProgram = "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA"
	bpfLoader    = "BPFLoaderUpgradeab1e11111111111111111111111"
	kamino       = "KLend2g3cP87fffoy8q1mQqGKjrxjC8boSyAYavgmjD"
)

// txJSON is one getBlock transaction entry with the given message
// instructions and meta JSON.
func txJSON(sig, keys, instructions, meta string) string {
	return `{"transaction":{"signatures":["` + sig + `"],"message":{"header":{"numRequiredSignatures":1,"numReadonlySignedAccounts":0,"numReadonlyUnsignedAccounts":1},` +
		`"accountKeys":` + keys + `,"recentBlockhash":"9zRecent","instructions":` + instructions + `}},"meta":` + meta + `,"version":"legacy"}`
}

func blockJSON(txs ...string) string {
	return `{"blockhash":"BH","previousBlockhash":"PBH","parentSlot":99,"blockTime":1700000000,"blockHeight":90,"transactions":[` + strings.Join(txs, ",") + `]}`
}

const okMeta = `{"err":null,"fee":5000,"preBalances":[10,0],"postBalances":[5,0],"innerInstructions":[],"logMessages":["Program log: Instruction: Transfer"],"computeUnitsConsumed":4645,"rewards":[]}`

func mustDecode(t *testing.T, raw string) *chain.Block {
	t.Helper()
	b, err := DecodeBlock("solana_devnet", 100, []byte(raw))
	if err != nil {
		t.Fatalf("DecodeBlock: %v", err)
	}
	return b
}

func TestDecodeBlockHeaderAndCommonFields(t *testing.T) {
	t.Parallel()
	keys := `["` + tokenProgram + `","11111111111111111111111111111111"]`
	b := mustDecode(t, blockJSON(
		txJSON("sigA", keys, `[{"programIdIndex":0,"accounts":[1],"data":"3Bxs","stackHeight":1}]`, okMeta),
		txJSON("sigB", keys, `[{"programIdIndex":0,"accounts":[],"data":""}]`, `{"err":{"InstructionError":[0,{"Custom":1}]},"fee":7000,"preBalances":[],"postBalances":[]}`),
	))
	if b.Chain != chain.Solana || b.Network != "solana_devnet" || b.Ledger != 100 || b.Hash != "BH" || b.ParentHash != "PBH" {
		t.Fatalf("header = %+v", b)
	}
	if b.Solana.ParentSlot != 99 || *b.Solana.BlockTime != 1700000000 || *b.Solana.BlockHeight != 90 || b.CloseTime.Unix() != 1700000000 {
		t.Fatalf("solana header = %+v close %v", b.Solana, b.CloseTime)
	}
	if len(b.Transactions) != 2 {
		t.Fatalf("%d transactions", len(b.Transactions))
	}
	a, f := b.Transactions[0], b.Transactions[1]
	if a.Hash != "sigA" || a.Index != 1 || !a.Success || a.FeeCharged != 5000 {
		t.Errorf("tx 1 = %+v", a)
	}
	if f.Hash != "sigB" || f.Index != 2 || f.Success || f.FeeCharged != 7000 || string(f.Solana.Meta.Err) != `{"InstructionError":[0,{"Custom":1}]}` {
		t.Errorf("tx 2 = %+v err %s", f, f.Solana.Meta.Err)
	}
	// QS12 fix: the block's time on every transaction.
	if a.Solana.BlockTime == nil || *a.Solana.BlockTime != 1700000000 || a.Solana.Slot != 100 {
		t.Errorf("tx 1 slot/blockTime = %d/%v", a.Solana.Slot, a.Solana.BlockTime)
	}
	if h := a.Solana.Message.Instructions[0].StackHeight; h == nil || *h != 1 {
		t.Errorf("stack height = %v", h)
	}
	if got := b.Contracts(); !reflect.DeepEqual(got, []string{tokenProgram}) {
		t.Errorf("Contracts = %v", got)
	}
}

// SOL115/SOL116 with the QS18 fix: a null meta is a failed transaction
// with signature kept; an absent meta too.
func TestDecodeNullMetaIsFailure(t *testing.T) {
	t.Parallel()
	b := mustDecode(t, blockJSON(
		`{"transaction":{"signatures":[],"message":{"accountKeys":[],"recentBlockhash":"","instructions":[]}},"meta":null}`,
		`{"transaction":{"signatures":["s2"],"message":{"accountKeys":[],"recentBlockhash":"","instructions":[]}}}`,
	))
	if len(b.Transactions) != 2 {
		t.Fatalf("%d transactions, want 2", len(b.Transactions))
	}
	for i, tx := range b.Transactions {
		if tx.Success || tx.Solana.Meta != nil || tx.FeeCharged != 0 {
			t.Errorf("tx %d: success %v meta %v fee %d", i, tx.Success, tx.Solana.Meta, tx.FeeCharged)
		}
	}
	if b.Transactions[0].Hash != "" || b.Transactions[1].Hash != "s2" {
		t.Errorf("signatures %q %q", b.Transactions[0].Hash, b.Transactions[1].Hash)
	}
}

// SOL116 (empty), SOL120 (only a blockhash), a null result and structural
// garbage.
func TestDecodeBlockShapes(t *testing.T) {
	t.Parallel()
	b := mustDecode(t, `{"blockhash":"test"}`)
	if b.Hash != "test" || b.ParentHash != "" || b.Solana.ParentSlot != 0 || b.Solana.BlockTime != nil || b.Solana.BlockHeight != nil || len(b.Transactions) != 0 {
		t.Errorf("defaults: %+v %+v", b, b.Solana)
	}
	if !b.CloseTime.IsZero() {
		t.Errorf("close time %v without blockTime", b.CloseTime)
	}
	if b := mustDecode(t, blockJSON()); len(b.Transactions) != 0 {
		t.Errorf("empty block has %d transactions", len(b.Transactions))
	}
	if _, err := DecodeBlock("n", 7, []byte("null")); err != ErrNoBlock {
		t.Errorf("null: %v", err)
	}
	for _, bad := range []string{``, `[]`, `"x"`, `5`, `{"transactions":5}`, `{"transactions":{}}`, `{"blockhash":`} {
		if _, err := DecodeBlock("n", 7, []byte(bad)); err == nil || !strings.Contains(err.Error(), "slot 7") {
			t.Errorf("%q: err %v, want one naming slot 7", bad, err)
		}
	}
}

// SOL131–SOL138: instruction and inner-instruction parsing rules.
func TestDecodeInstructionRules(t *testing.T) {
	t.Parallel()
	keys := `["FeePayer111","SQDS4ep65T869zMMBKyuUq6aD6EgTu8psMjkvj52pCf","` + bpfLoader + `","` + kamino + `"]`
	meta := `{"err":null,"fee":5000,"preBalances":[1,2,"x",-1,3],"postBalances":[1],"logMessages":["a",7,null,"b"],` +
		`"innerInstructions":[` +
		`{"index":0,"instructions":[{"programIdIndex":2,"accounts":[3],"data":""},{"programIdIndex":999,"accounts":[],"data":""},` +
		`{"programIdIndex":0,"accounts":[],"data":"","programId":"` + bpfLoader + `","program":"bpf-upgradeable-loader","parsed":{"type":"upgrade","info":{"programAccount":"` + kamino + `"}}}]},` +
		`{"index":300,"instructions":[{"programIdIndex":1,"accounts":[],"data":""}]},` +
		`{"instructions":[{"programIdIndex":1,"accounts":[],"data":""}]}]}`
	ixs := `[{"programIdIndex":1,"accounts":[1,500,2,9999,3],"data":"d1"},{"programIdIndex":300,"accounts":[],"data":"dropped"},` +
		`{"programIdIndex":0,"accounts":[],"data":"d3"},{"accounts":[],"data":"d4","programId":"11111111111111111111111111111111"}]`
	b := mustDecode(t, blockJSON(txJSON("sig", keys, ixs, meta)))
	st := b.Transactions[0].Solana
	top := st.Message.Instructions
	if len(top) != 3 || top[0].Data != "d1" || top[1].Data != "d3" || top[2].Data != "d4" {
		t.Fatalf("top-level instructions = %+v (SOL134: the 300 one dropped, order kept)", top)
	}
	if !reflect.DeepEqual(top[0].Accounts, []uint8{1, 2, 3}) {
		t.Errorf("SOL135: accounts = %v, want [1 2 3]", top[0].Accounts)
	}
	if top[2].ProgramIDIndex != 0 || top[2].ProgramID != "11111111111111111111111111111111" {
		t.Errorf("SOL138: %+v", top[2])
	}
	inner := st.Meta.InnerInstructions
	if len(inner) != 1 || inner[0].Index != 0 {
		t.Fatalf("SOL137: inner groups = %+v, want only group 0", inner)
	}
	if got := inner[0].Instructions; len(got) != 2 || got[0].ProgramIDIndex != 2 || got[1].ProgramID != bpfLoader {
		t.Fatalf("SOL136: inner instructions = %+v", got)
	}
	jp := inner[0].Instructions[1]
	if jp.Program != "bpf-upgradeable-loader" || !strings.Contains(string(jp.Parsed), `"type":"upgrade"`) {
		t.Errorf("SOL132: jsonParsed fields = %+v %s", jp, jp.Parsed)
	}
	if !reflect.DeepEqual(st.Meta.PreBalances, []uint64{1, 2, 3}) || !reflect.DeepEqual(st.Meta.LogMessages, []string{"a", "b"}) {
		t.Errorf("balances %v logs %q: non-u64 and non-string entries dropped one by one", st.Meta.PreBalances, st.Meta.LogMessages)
	}
	// SOL131: inner programs are program ids.
	got := b.Contracts()
	want := []string{"SQDS4ep65T869zMMBKyuUq6aD6EgTu8psMjkvj52pCf", "FeePayer111", "11111111111111111111111111111111", bpfLoader}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Contracts = %v, want %v", got, want)
	}
	// SOL133: no innerInstructions key.
	b = mustDecode(t, blockJSON(txJSON("s", keys, `[]`, `{"err":null,"fee":1,"preBalances":[],"postBalances":[]}`)))
	if n := len(b.Transactions[0].Solana.Meta.InnerInstructions); n != 0 {
		t.Errorf("SOL133: %d inner groups", n)
	}
}

// QS10: a v0 transaction keeps its loaded addresses, so an inner program
// loaded from a lookup table is a program id of the block (spec 13.3's
// example, where OZ misses Kamino).
func TestDecodeV0LookupTable(t *testing.T) {
	t.Parallel()
	raw := `{"blockhash":"B","previousBlockhash":"P","parentSlot":1,"blockTime":null,"blockHeight":null,"transactions":[` +
		`{"transaction":{"signatures":["3xSig"],"message":{"header":{"numRequiredSignatures":1,"numReadonlySignedAccounts":0,"numReadonlyUnsignedAccounts":2},` +
		`"accountKeys":["Payer111","AggregatorProg","ComputeBudget111111111111111111111111111111"],"recentBlockhash":"9zRecent",` +
		`"instructions":[{"programIdIndex":1,"accounts":[0,3,4],"data":"2Bx","stackHeight":null}],` +
		`"addressTableLookups":[{"accountKey":"LookupTbl","writableIndexes":[5],"readonlyIndexes":[7]}]}},` +
		`"meta":{"err":null,"fee":5000,"preBalances":[10,0,1,0,0],"postBalances":[5,0,1,0,0],` +
		`"innerInstructions":[{"index":0,"instructions":[{"programIdIndex":4,"accounts":[3],"data":"","stackHeight":2}]}],` +
		`"loadedAddresses":{"writable":["PoolState"],"readonly":["` + kamino + `"]},"logMessages":[],"computeUnitsConsumed":91000,"rewards":[]},"version":0}]}`
	b := mustDecode(t, raw)
	st := b.Transactions[0].Solana
	if got := st.Accounts(); !reflect.DeepEqual(got, []string{"Payer111", "AggregatorProg", "ComputeBudget111111111111111111111111111111", "PoolState", kamino}) {
		t.Errorf("Accounts = %v", got)
	}
	if l := st.Message.AddressTableLookups; len(l) != 1 || l[0].AccountKey != "LookupTbl" || l[0].WritableIndexes[0] != 5 {
		t.Errorf("lookups = %+v", l)
	}
	if got := b.Contracts(); !reflect.DeepEqual(got, []string{"AggregatorProg", kamino}) {
		t.Errorf("Contracts = %v: the table-loaded CPI program must count", got)
	}
	if b.Solana.BlockTime != nil || !b.CloseTime.IsZero() || st.BlockTime != nil {
		t.Errorf("null blockTime: %v %v %v", b.Solana.BlockTime, b.CloseTime, st.BlockTime)
	}
}

// OpenZeppelin Monitor's fixture blocks, served as getBlock answers, decode
// to the blocks the fixture describes.
func TestFixtureRoundTrip(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("testdata/blocks.json")
	if err != nil {
		t.Fatal(err)
	}
	blocks, err := ParseModelBlocks("solana_devnet", data)
	if err != nil {
		t.Fatal(err)
	}
	if len(blocks) != 1 || blocks[0].Ledger != 123456789 || len(blocks[0].Transactions) != 1 {
		t.Fatalf("fixture = %+v", blocks)
	}
	tx := blocks[0].Transactions[0]
	if tx.Hash != "5wHu1qwD7q5ifaN5nwdcDqNFF53GJqa7nLp2BLPASe7FPYoWZL3YBrJmVL6nrMtwKjNFin1F" || !tx.Success || tx.FeeCharged != 5000 {
		t.Errorf("fixture tx = %+v", tx)
	}
	for _, b := range blocks {
		raw, err := EncodeBlock(b)
		if err != nil {
			t.Fatal(err)
		}
		got, err := DecodeBlock("solana_devnet", b.Ledger, raw)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, b) {
			g, _ := json.Marshal(got)
			w, _ := json.Marshal(b)
			t.Errorf("round trip differs:\n got %s\nwant %s", g, w)
		}
	}
}

// Property: any model block survives EncodeBlock then DecodeBlock, through
// the strict path.
func TestEncodeDecodeProperty(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 300 {
		b := randomBlock(r, uint64(1000+i))
		raw, err := EncodeBlock(b)
		if err != nil {
			t.Fatal(err)
		}
		got, err := DecodeBlock(b.Network, b.Ledger, raw)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, b) {
			g, _ := json.Marshal(got)
			w, _ := json.Marshal(b)
			t.Fatalf("block %d differs:\n got %s\nwant %s", i, g, w)
		}
		// The block cache's binary codec keeps every field.
		bin, err := got.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		var cached chain.Block
		if err := cached.UnmarshalBinary(bin); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(&cached, b) {
			t.Fatalf("block %d differs after the binary codec", i)
		}
		// The lenient walker reads what the strict path reads.
		lenient, err := decodeLenient(b.Network, b.Ledger, raw)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(lenient, b) {
			g, _ := json.Marshal(lenient)
			w, _ := json.Marshal(b)
			t.Fatalf("lenient block %d differs:\n got %s\nwant %s", i, g, w)
		}
	}
}

// randomBlock makes a model block in DecodeBlock's normal form.
func randomBlock(r *rand.Rand, slot uint64) *chain.Block {
	word := func() string {
		const alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
		b := make([]byte, 1+r.IntN(44))
		for i := range b {
			b[i] = alphabet[r.IntN(len(alphabet))]
		}
		return string(b)
	}
	words := func(n int) []string {
		if n == 0 {
			return nil
		}
		out := make([]string, n)
		for i := range out {
			out[i] = word()
		}
		return out
	}
	u8s := func(n int) []uint8 {
		if n == 0 {
			return nil
		}
		out := make([]uint8, n)
		for i := range out {
			out[i] = uint8(r.IntN(256))
		}
		return out
	}
	ixs := func(n int) []chain.SolanaInstruction {
		if n == 0 {
			return nil
		}
		out := make([]chain.SolanaInstruction, n)
		for i := range out {
			out[i] = chain.SolanaInstruction{ProgramIDIndex: uint8(r.IntN(256)), Accounts: u8s(r.IntN(5)), Data: word()}
			if r.IntN(4) == 0 {
				h := uint32(r.IntN(5))
				out[i].StackHeight = &h
			}
			if r.IntN(5) == 0 {
				out[i].ProgramID, out[i].Program, out[i].Parsed = word(), "spl-token", json.RawMessage(`{"info":{"amount":"1"},"type":"transfer"}`) // sorted: the lenient walker re-marshals
			}
		}
		return out
	}
	var bt *int64
	if r.IntN(3) > 0 {
		v := r.Int64N(2_000_000_000)
		bt = &v
	}
	var bh *uint64
	if r.IntN(2) == 0 {
		v := r.Uint64()
		bh = &v
	}
	b := newBlock("net", slot, word(), word(), slot-1-uint64(r.IntN(3)), bt, bh, 0)
	n := r.IntN(6)
	models := make([]chain.SolanaTransaction, n)
	for i := range models {
		st := chain.SolanaTransaction{Signature: word(), Slot: slot, BlockTime: bt}
		st.Message = chain.SolanaMessage{AccountKeys: words(r.IntN(6)), RecentBlockhash: word(), Instructions: ixs(r.IntN(4))}
		if r.IntN(3) == 0 {
			st.Message.AddressTableLookups = []chain.SolanaTableLookup{{AccountKey: word(), WritableIndexes: u8s(r.IntN(3)), ReadonlyIndexes: u8s(r.IntN(3))}}
		}
		if r.IntN(8) > 0 {
			meta := &chain.SolanaTransactionMeta{Fee: r.Uint64(), LogMessages: words(r.IntN(4))}
			if r.IntN(3) == 0 {
				meta.Err = json.RawMessage(`{"InstructionError":[0,{"Custom":6001}]}`)
			}
			if k := r.IntN(4); k > 0 {
				meta.PreBalances = make([]uint64, k)
				meta.PostBalances = make([]uint64, k)
				for j := range k {
					meta.PreBalances[j], meta.PostBalances[j] = r.Uint64(), r.Uint64()
				}
			}
			for g := range r.IntN(3) {
				meta.InnerInstructions = append(meta.InnerInstructions, chain.SolanaInnerInstructions{Index: uint8(g), Instructions: ixs(r.IntN(3))})
			}
			if r.IntN(2) == 0 {
				cu := r.Uint64N(1_400_000)
				meta.ComputeUnitsConsumed = &cu
			}
			if r.IntN(3) == 0 {
				meta.LoadedAddresses = &chain.SolanaLoadedAddresses{Writable: words(r.IntN(3)), Readonly: words(r.IntN(3))}
			}
			st.Meta = meta
		}
		models[i] = st
	}
	attach(b, models)
	return b
}
