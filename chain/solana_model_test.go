package chain

import (
	"encoding/json"
	"reflect"
	"testing"
)

const (
	tokenKeg  = "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA"
	system    = "11111111111111111111111111111111"
	bpfLoader = "BPFLoaderUpgradeab1e11111111111111111111111"
)

func programIDs(st *SolanaTransaction) []string {
	accounts := st.Accounts()
	var out []string
	for i := range st.Message.Instructions {
		out = append(out, st.ProgramID(&st.Message.Instructions[i], accounts))
	}
	if st.Meta != nil {
		for _, g := range st.Meta.InnerInstructions {
			for i := range g.Instructions {
				out = append(out, st.ProgramID(&g.Instructions[i], accounts))
			}
		}
	}
	return out
}

// SOL103–SOL108: the model's derived values (OZ's transaction, block and
// serde tests), through SolanaBlockFromModel.
func TestSolanaModelCases(t *testing.T) {
	t.Parallel()
	tx := `{"signature":"sig","slot":123456789,"blockTime":null,"transaction":{"accountKeys":["` + tokenKeg + `","` + system + `"],
		"recentBlockhash":"R","instructions":[{"programIdIndex":0,"accounts":[1],"data":""}],"addressTableLookups":[]},
		"meta":{"err":null,"fee":5000,"preBalances":[],"postBalances":[],"logMessages":["a","b"],
		"innerInstructions":[{"index":0,"instructions":[{"programIdIndex":1,"accounts":[],"data":""},{"programIdIndex":0,"accounts":[],"data":"","programId":"` + bpfLoader + `"}]}],
		"loadedAddresses":{"writable":["WritableALTAddress111111111111111111"],"readonly":["ReadonlyALTAddress111111111111111111"]}}}`
	b, err := SolanaBlockFromModel("solana_devnet", []byte(`{"Solana":{"slot":123456789,"blockhash":"H","previousBlockhash":"P","parentSlot":123456788,"transactions":[`+tx+`]}}`))
	if err != nil {
		t.Fatal(err)
	}
	st := b.Transactions[0].Solana
	// SOL103 (and SOL104: lookup-table accounts after the static keys).
	if b.Transactions[0].Hash != "sig" || !b.Transactions[0].Success || b.Transactions[0].FeeCharged != 5000 || len(st.Meta.LogMessages) != 2 {
		t.Errorf("transaction %+v", b.Transactions[0])
	}
	if got := st.Accounts(); !reflect.DeepEqual(got, []string{tokenKeg, system, "WritableALTAddress111111111111111111", "ReadonlyALTAddress111111111111111111"}) {
		t.Errorf("SOL104 accounts %v", got)
	}
	// SOL105, SOL106: inner instructions count, an explicit programId wins.
	if got := programIDs(st); !reflect.DeepEqual(got, []string{tokenKeg, system, bpfLoader}) {
		t.Errorf("SOL105/106 program ids %v", got)
	}
	st.Meta.Err = json.RawMessage(`{"InstructionError":[0,"Custom"]}`)
	if !st.Failed() {
		t.Error("SOL103: err set but not failed")
	}
	var empty SolanaTransaction
	if !empty.Failed() || empty.Accounts() != nil || empty.Signature != "" {
		t.Error("SOL103: default transaction")
	}
	// SOL107: block number = slot, header defaults.
	if b.Ledger != 123456789 || b.Hash != "H" || b.ParentHash != "P" || b.Solana.ParentSlot != 123456788 || b.Solana.BlockTime != nil || !b.CloseTime.IsZero() {
		t.Errorf("SOL107 block %+v", b)
	}
	d, err := SolanaBlockFromModel("n", []byte(`{"slot":0,"blockhash":"","previousBlockhash":"","parentSlot":0}`))
	if err != nil || d.Ledger != 0 || len(d.Transactions) != 0 || d.Solana.BlockHeight != nil {
		t.Errorf("SOL107 defaults %+v, %v", d, err)
	}
	// SOL108: a transaction with a parsed instruction round-trips.
	parsed := `{"signature":"s","slot":1,"blockTime":null,"transaction":{"accountKeys":[],"recentBlockhash":"","instructions":[{"programIdIndex":0,"accounts":[],"data":"","parsed":{"type":"transfer","info":{"source":"a","destination":"b","amount":"1000000"}}}],"addressTableLookups":[]}}`
	var p SolanaTransaction
	if err := json.Unmarshal([]byte(parsed), &p); err != nil {
		t.Fatal(err)
	}
	back, err := json.Marshal(&p)
	if err != nil || string(back) != parsed {
		t.Errorf("SOL108 round trip:\n got %s\nwant %s", back, parsed)
	}
}
