package monitor

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/ozmon/ozmon/chain"
)

const itSignature = "5wHu1qwD7q5ifaN5nwdcDqNFF53GJqa7nLp2BLPASe7FPYoWZL3YBrJmVL6nrMtwKjNFin1F"

// itTx is OZ's T-IT(success, 5000, []) transaction (16.1).
func itTx() *chain.Transaction {
	return &chain.Transaction{Hash: itSignature, Success: true, Solana: &chain.SolanaTransaction{
		Signature: itSignature, Slot: 123456789,
		Message: chain.SolanaMessage{AccountKeys: []string{tokenProgram, "11111111111111111111111111111111"},
			Instructions: []chain.SolanaInstruction{{ProgramIDIndex: 0, Accounts: []uint8{1, 2}, Data: "3Bxs4h24hBtQy9rw"}}},
		Meta: &chain.SolanaTransactionMeta{Err: json.RawMessage("null"), Fee: 5000}}}
}

// SOL98: a block of another chain given to Solana monitors is an error
// (the pipeline then yields no match for it).
func TestSolanaWrongBlockType(t *testing.T) {
	t.Parallel()
	raw := `{"name": "Test Monitor", "networks": ["solana_devnet"], "paused": false, "addresses": [{"address": "` + tokenProgram + `"}],
		"match_conditions": {"functions": [], "events": [], "transactions": [{"status": "Success"}]}, "trigger_conditions": [], "triggers": []}`
	cm := compileSolanaMonitor(t, []byte(raw))
	b := &chain.Block{Chain: chain.Stellar, Network: "solana_devnet", Ledger: 1}
	ms, err := NewEngine().EvaluateBlock(context.Background(), b, []*CompiledMonitor{cm})
	if !errors.Is(err, ErrBlockTypeMismatch) || ms != nil {
		t.Fatalf("got %v, %v", ms, err)
	}
}

// SOL99–SOL101: template variables of Solana matches: exactly
// monitor.name and transaction.signature for a transaction match (plus
// the ${functions}/${events} summaries, empty), function arguments apart
// from the transaction's signature, events paired with their arguments by
// index.
func TestSolanaTemplateVariables(t *testing.T) {
	t.Parallel()
	m := &Match{MonitorName: "Test Monitor", Transaction: itTx(),
		MatchedOn: MatchedOn{Transactions: []TransactionMatch{{Status: "Success"}}}}
	want := map[string]string{"monitor.name": "Test Monitor", "transaction.signature": itSignature, "functions": "", "events": ""}
	if got := m.Variables(); !reflect.DeepEqual(got, want) {
		t.Errorf("SOL99: %v", got)
	}

	sig := "dangerousFunc(signature: bytes32, value: u64)"
	m.MatchedOn.Functions = []FunctionMatch{{Signature: sig}}
	m.MatchedOnArgs.Functions = []ArgsEntry{{Signature: sig, Args: []Arg{
		{Name: "signature", Value: "abcdef1234567890", Kind: "bytes32"}, {Name: "value", Value: "123456789", Kind: "u64"}}}}
	v := m.Variables()
	if v["functions.0.signature"] != sig || v["functions.0.args.signature"] != "abcdef1234567890" ||
		v["functions.0.args.value"] != "123456789" || v["transaction.signature"] != itSignature {
		t.Errorf("SOL100: %v", v)
	}

	m.MatchedOn.Functions, m.MatchedOnArgs.Functions = nil, nil
	m.MatchedOn.Events = []EventMatch{{Signature: "Transfer"}, {Signature: "Transfer"}}
	m.MatchedOnArgs.Events = []ArgsEntry{
		{Signature: "Transfer", Args: []Arg{{Name: "from", Value: "Account1111"}, {Name: "to", Value: "Account2222"}, {Name: "amount", Value: "1000"}}},
		{Signature: "Transfer", Args: []Arg{{Name: "from", Value: "Account3333"}, {Name: "to", Value: "Account4444"}, {Name: "amount", Value: "2000"}}},
	}
	v = m.Variables()
	for k, w := range map[string]string{"events.0.args.from": "Account1111", "events.0.args.to": "Account2222", "events.0.args.amount": "1000",
		"events.1.args.from": "Account3333", "events.1.args.to": "Account4444", "events.1.args.amount": "2000",
		"events.0.signature": "Transfer", "events.1.signature": "Transfer"} {
		if v[k] != w {
			t.Errorf("SOL101: %s = %q, want %q", k, v[k], w)
		}
	}
	// The ${events} summary of one log-search event (15.2).
	m.MatchedOn.Events = m.MatchedOn.Events[:1]
	m.MatchedOnArgs.Events = []ArgsEntry{{Signature: "Transfer", Args: []Arg{{Name: "log", Value: "Program log: Instruction: Transfer", Kind: "string"}}}}
	if got := m.Variables()["events"]; got != "\n\n*Matched Events:*\n\n*Reason 1*\n\n*Signature:* `Transfer`\n\n*Params:*\n\nlog: `Program log: Instruction: Transfer`" {
		t.Errorf("${events} = %q", got)
	}
}

// SOL102: a program's IDL is found whatever the case of the address
// (the gate compares ignoring ASCII case, as OZ does), and a program the
// monitor does not name has none.
func TestSolanaIDLLookup(t *testing.T) {
	t.Parallel()
	cm := vaultMonitor(t, "vault_legacy.json", `{"functions": [], "events": [], "transactions": []}`)
	if cm.sol.idls[normalizeKey(vaultProgram)] == nil || cm.sol.idls[normalizeKey(strings.ToUpper(vaultProgram))] == nil {
		t.Error("IDL not found by address")
	}
	if cm.sol.idls[normalizeKey(tokenProgram)] != nil {
		t.Error("IDL found for another program")
	}
}

// The MonitorMatch of SOL1 (15.1): OZ's keys and model, the block header
// with only the matched transaction (QS13), never-null argument lists.
func TestSolanaMonitorMatchJSON(t *testing.T) {
	t.Parallel()
	raw := `{"name": "Test Monitor", "networks": ["solana_devnet"], "paused": false, "addresses": [{"address": "` + tokenProgram + `"}],
		"match_conditions": {"functions": [], "events": [], "transactions": [{"status": "Success"}]}, "trigger_conditions": [], "triggers": []}`
	cm := compileSolanaMonitor(t, []byte(raw))
	bt, bh := int64(1234567890), uint64(123456789)
	tx := itTx()
	other := itTx()
	other.Hash, other.Solana.Signature = "other", "other"
	b := &chain.Block{Chain: chain.Solana, Network: "solana_devnet", Ledger: 123456789, Hash: "ABC123", ParentHash: "ZYX987",
		Solana:       &chain.SolanaBlock{ParentSlot: 123456788, BlockTime: &bt, BlockHeight: &bh},
		Transactions: []chain.Transaction{*tx, *other}}
	b.Transactions[1].Solana.Meta.Err = json.RawMessage(`{"InstructionError":[0,"Custom"]}`)
	ms, err := NewEngine().EvaluateBlock(context.Background(), b, []*CompiledMonitor{cm})
	if err != nil || len(ms) != 1 {
		t.Fatalf("%d matches, %v", len(ms), err)
	}
	js, err := ms[0].MarshalOZJSON()
	if err != nil {
		t.Fatal(err)
	}
	want := `{"Solana":{"monitor":{"name":"Test Monitor","networks":["solana_devnet"],"paused":false,"addresses":[{"address":"` + tokenProgram + `"}],` +
		`"match_conditions":{"functions":[],"events":[],"transactions":[{"status":"Success"}]},"trigger_conditions":[],"triggers":[]},` +
		`"transaction":{"signature":"` + itSignature + `","slot":123456789,"blockTime":null,"transaction":{"accountKeys":["` + tokenProgram + `","11111111111111111111111111111111"],` +
		`"recentBlockhash":"","instructions":[{"programIdIndex":0,"accounts":[1,2],"data":"3Bxs4h24hBtQy9rw"}],"addressTableLookups":[]},` +
		`"meta":{"err":null,"fee":5000,"preBalances":[],"postBalances":[],"preTokenBalances":[],"postTokenBalances":[],"innerInstructions":[],"logMessages":[],"loadedAddresses":null}},` +
		`"block":{"slot":123456789,"blockhash":"ABC123","previousBlockhash":"ZYX987","parentSlot":123456788,"blockTime":1234567890,"blockHeight":123456789,"transactions":[{"signature":"` + itSignature + `"`
	if !strings.HasPrefix(string(js), want) {
		t.Fatalf("got  %s\nwant %s…", js, want)
	}
	if !strings.HasSuffix(string(js), `}]},"network_slug":"solana_devnet","matched_on":{"functions":[],"events":[],"transactions":[{"status":"Success","expression":null}]},"matched_on_args":{"functions":[],"events":[]}}}`) {
		t.Errorf("tail of %s", js)
	}
	// A MatchRef expands to the same bytes (deliveries carry refs).
	ref, err := ms[0].MarshalOZRef()
	if err != nil {
		t.Fatal(err)
	}
	back, err := ref.Expand(cm, cm.Name)
	if err != nil || string(back) != string(js) {
		t.Errorf("expanded ref differs: %v\n%s", err, back)
	}
}

// The address index offers a Solana monitor only for slots that call one
// of its programs (top-level or inner), whatever its conditions: Solana
// has no "every transaction" monitors (QS9).
func TestSolanaIndex(t *testing.T) {
	t.Parallel()
	mk := func(name, addr, conditions string) *CompiledMonitor {
		addrs := `[]`
		if addr != "" {
			addrs = `[{"address": "` + addr + `"}]`
		}
		return compileSolanaMonitor(t, []byte(`{"name": "`+name+`", "networks": ["solana_mainnet"], "paused": false, "addresses": `+addrs+`,
			"match_conditions": `+conditions+`, "trigger_conditions": [], "triggers": []}`))
	}
	none := `{"functions": [], "events": [], "transactions": []}`
	vault := mk("vault", vaultProgram, none)
	system := mk("system", "11111111111111111111111111111111", `{"functions": [], "events": [], "transactions": [{"status": "Any"}]}`)
	noAddr := mk("no-address", "", none)
	ix := NewIndex("solana_mainnet")
	if err := ix.SetTenant("t", []*CompiledMonitor{vault, system, noAddr}); err != nil {
		t.Fatal(err)
	}
	b := solanaBlockOf(t, "solana_mainnet", vaultTx(t)) // vault (top-level, inner) and token program
	c := ix.Candidates(b)
	if len(c) != 1 || len(c[0].Monitors) != 1 || c[0].Monitors[0] != vault {
		t.Fatalf("candidates %+v", c)
	}
	if ts := ix.TenantsFor(b); len(ts) != 1 {
		t.Errorf("tenants %v", ts)
	}
	if c := ix.CandidatesOf(b, []string{"t"}); len(c) != 1 || len(c[0].Monitors) != 1 {
		t.Errorf("CandidatesOf %+v", c)
	}
}
