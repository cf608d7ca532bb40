package monitor

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/ozmon/ozmon/chain"
	"github.com/ozmon/ozmon/internal/testkit"
	"github.com/ozmon/ozmon/monitor/internal/base58"
	"github.com/ozmon/ozmon/monitor/ozconfig"
)

// The vault program of testdata/solana/idl (legacy and Anchor ≥ 0.30 IDLs
// of the same program).
const (
	vaultProgram = "H8Ps9TEFFzzVZhbZQBPf4mckBrrMDD4K3PLHuuQtgzpd"
	tokenProgram = "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA"
	payerKey     = "9xQeWvG816bUx9EPjHmaT23yvVM2ZWbrrpZb9PusVFin"
)

func vaultIDL(t testing.TB, file string) json.RawMessage {
	t.Helper()
	b, err := os.ReadFile(testkit.SharedPath(t, "testdata", "solana", "idl", file))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// borsh builds instruction data and event payloads for tests.
type borsh []byte

func disc(preimage string) borsh {
	s := sha256.Sum256([]byte(preimage))
	return borsh(s[:8])
}

func (b borsh) u8(v uint8) borsh   { return append(b, v) }
func (b borsh) u16(v uint16) borsh { return binary.LittleEndian.AppendUint16(b, v) }
func (b borsh) u32(v uint32) borsh { return binary.LittleEndian.AppendUint32(b, v) }
func (b borsh) u64(v uint64) borsh { return binary.LittleEndian.AppendUint64(b, v) }
func (b borsh) i64(v int64) borsh  { return b.u64(uint64(v)) }
func (b borsh) u128(hi, lo uint64) borsh {
	return b.u64(lo).u64(hi)
}
func (b borsh) str(s string) borsh { return append(b.u32(uint32(len(s))), s...) }
func (b borsh) key(k string) borsh {
	raw, err := base58.Decode(k)
	if err != nil || len(raw) != 32 {
		panic("bad key " + k)
	}
	return append(b, raw...)
}
func (b borsh) b58() string { return base58.Encode(b) }

// vaultTx is a transaction calling the vault: deposit(1500, Some("hi"))
// top-level, initializeVault and withdraw as CPIs from the token program
// (inner instructions), a DepositEvent emitted in the vault's log.
func vaultTx(t testing.TB) json.RawMessage {
	t.Helper()
	deposit := disc("global:deposit").u64(1500).u8(1).str("hi").b58()
	initialize := disc("global:initialize_vault").key(payerKey).
		u16(30).u128(1, 5).u8(1).i64(-7).u8(1).u8(2).u8(3).u8(4).u8(1).b58()
	withdraw := disc("global:withdraw").u64(10).u32(2).key(payerKey).key(tokenProgram).i64(-5).b58()
	event := base64.StdEncoding.EncodeToString(disc("event:DepositEvent").key(payerKey).u64(1500))
	tx := map[string]any{
		"signature": "vaultSig1", "slot": 300, "blockTime": 1700000000,
		"transaction": map[string]any{
			"accountKeys":     []string{payerKey, vaultProgram, tokenProgram},
			"recentBlockhash": "R",
			"instructions": []map[string]any{
				{"programIdIndex": 1, "accounts": []int{0}, "data": deposit},
				{"programIdIndex": 2, "accounts": []int{0}, "data": ""},
			},
			"addressTableLookups": []any{},
		},
		"meta": map[string]any{
			"err": nil, "fee": 5000, "preBalances": []int{}, "postBalances": []int{},
			"innerInstructions": []map[string]any{{"index": 1, "instructions": []map[string]any{
				{"programIdIndex": 1, "accounts": []int{0}, "data": initialize},
				{"programIdIndex": 1, "accounts": []int{0}, "data": withdraw},
			}}},
			"logMessages": []string{
				"Program " + vaultProgram + " invoke [1]",
				"Program log: Instruction: Deposit",
				"Program data: " + event,
				"Program " + vaultProgram + " success",
				"Program " + tokenProgram + " invoke [1]",
				"Program " + vaultProgram + " invoke [2]",
				"Program log: Instruction: InitializeVault",
				"Program " + vaultProgram + " success",
				"Program " + tokenProgram + " success",
			},
		},
	}
	raw, err := json.Marshal(tx)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func vaultMonitor(t testing.TB, idlFile, conditions string) *CompiledMonitor {
	t.Helper()
	spec := json.RawMessage("null")
	if idlFile != "" {
		spec = vaultIDL(t, idlFile)
	}
	raw := `{"name": "vault", "networks": ["solana_mainnet"], "paused": false,
		"addresses": [{"address": "` + vaultProgram + `", "contract_spec": ` + string(spec) + `}],
		"match_conditions": ` + conditions + `, "trigger_conditions": [], "triggers": []}`
	return compileSolanaMonitor(t, []byte(raw))
}

func evalVault(t testing.TB, cm *CompiledMonitor) []*Match {
	t.Helper()
	b := solanaBlockOf(t, "solana_mainnet", vaultTx(t))
	ms, err := NewEngine().EvaluateBlock(context.Background(), b, []*CompiledMonitor{cm})
	if err != nil {
		t.Fatal(err)
	}
	return ms
}

// QS1, our decision: function conditions match the instructions they
// name — top-level and inner — decoded with the monitor's IDL, arguments
// available to the expression; the same with either IDL shape.
func TestSolanaFunctionConditions(t *testing.T) {
	t.Parallel()
	for _, idl := range []string{"vault_legacy.json", "vault_v030.json"} {
		for _, c := range []struct {
			functions string
			want      []string // matched signatures, in instruction order; nil: no match
		}{
			{`[{"signature": "deposit", "expression": "amount > 1000 AND memo == 'hi'"}]`, []string{"deposit(u64,Option<string>)"}},
			{`[{"signature": "deposit", "expression": "amount > 2000"}]`, nil},
			{`[{"signature": "deposit(u64,Option<string>)"}]`, []string{"deposit(u64,Option<string>)"}},
			{`[{"signature": "deposit(u64)"}]`, nil},
			{`[{"signature": "withdraw", "expression": "delta < 0 AND recipients contains '` + tokenProgram + `'"}]`, []string{"withdraw(u64,Vec<pubkey>,i64)"}},
			{`[{"signature": "initialize_vault", "expression": "config.fee_bps == 30 AND config.mode.Capped.max == -7 AND config.active == true AND authority == '` + payerKey + `'"}]`,
				[]string{"INIT(pubkey,VaultConfig)"}},
			{`[{"signature": "initializeVault", "expression": "config.limit == '18446744073709551621'"}]`,
				[]string{"INIT(pubkey,VaultConfig)"}},
			// Every named instruction, in order: top-level, then inner.
			{`[{"signature": "withdraw"}, {"signature": "deposit"}]`, []string{"deposit(u64,Option<string>)", "withdraw(u64,Vec<pubkey>,i64)"}},
		} {
			cm := vaultMonitor(t, idl, `{"functions": `+c.functions+`, "events": [], "transactions": []}`)
			ms := evalVault(t, cm)
			if c.want == nil {
				if len(ms) != 0 {
					t.Errorf("%s %s: matched %+v", idl, c.functions, ms[0].MatchedOn)
				}
				continue
			}
			if len(ms) != 1 {
				t.Errorf("%s %s: %d matches, want 1", idl, c.functions, len(ms))
				continue
			}
			// Signatures use the IDL's spelling of the name.
			init := "initializeVault"
			if idl == "vault_v030.json" {
				init = "initialize_vault"
			}
			var got []string
			for _, f := range ms[0].MatchedOn.Functions {
				got = append(got, f.Signature)
			}
			ok := len(got) == len(c.want)
			for i := range got {
				ok = ok && got[i] == strings.Replace(c.want[i], "INIT", init, 1)
			}
			if !ok {
				t.Errorf("%s %s: matched %v, want %v", idl, c.functions, got, c.want)
			}
		}
	}
}

// The decoded arguments as the payload and the template variables show
// them: exact integers, base58 keys, JSON for compound values.
func TestSolanaDecodedArguments(t *testing.T) {
	t.Parallel()
	cm := vaultMonitor(t, "vault_v030.json", `{"functions": [{"signature": "initialize_vault"}, {"signature": "withdraw"}, {"signature": "deposit"}], "events": [], "transactions": []}`)
	ms := evalVault(t, cm)
	if len(ms) != 1 {
		t.Fatalf("%d matches", len(ms))
	}
	js, err := ozconfig.MarshalNoEscape(ms[0].MatchedOnArgs.Functions)
	if err != nil {
		t.Fatal(err)
	}
	want := `[{"signature":"deposit(u64,Option<string>)","args":[{"name":"amount","value":"1500","kind":"u64","indexed":false},{"name":"memo","value":"hi","kind":"string","indexed":false}]},` +
		`{"signature":"initialize_vault(pubkey,VaultConfig)","args":[{"name":"authority","value":"` + payerKey + `","kind":"pubkey","indexed":false},` +
		`{"name":"config","value":"{\"fee_bps\":30,\"limit\":\"18446744073709551621\",\"mode\":{\"Capped\":{\"max\":-7}},\"tag\":[1,2,3,4],\"active\":true}","kind":"object","indexed":false}]},` +
		`{"signature":"withdraw(u64,Vec<pubkey>,i64)","args":[{"name":"amount","value":"10","kind":"u64","indexed":false},{"name":"recipients","value":"[\"` + payerKey + `\",\"` + tokenProgram + `\"]","kind":"vec","indexed":false},{"name":"delta","value":"-5","kind":"i64","indexed":false}]}]`
	if string(js) != want {
		t.Errorf("args:\n got %s\nwant %s", js, want)
	}
	vars := ms[0].Variables()
	for k, v := range map[string]string{
		"transaction.signature":      "vaultSig1",
		"functions.0.signature":      "deposit(u64,Option<string>)",
		"functions.0.args.amount":    "1500",
		"functions.2.args.delta":     "-5",
		"functions.1.args.authority": payerKey,
	} {
		if vars[k] != v {
			t.Errorf("%s = %q, want %q", k, vars[k], v)
		}
	}
	if _, ok := vars["transaction.hash"]; ok {
		t.Error("Solana matches have no transaction.hash")
	}
	out, err := ms[0].MarshalOZJSON()
	if err != nil || !strings.Contains(string(out), `"matched_on_args":{"functions":[{"signature":"deposit(u64,Option<string>)"`) {
		t.Errorf("payload: %s, %v", out, err)
	}
}

// Anchor events: a condition naming an IDL event decodes "Program data:"
// lines of the monitored program and evaluates its expression on the
// fields; any other condition is OZ's log text search, expression ignored.
func TestSolanaEventConditions(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		idl, events string
		wantSig     string // "" : no match
		wantArgs    string
	}{
		{"vault_legacy.json", `[{"signature": "DepositEvent", "expression": "amount >= 1500 AND user == '` + payerKey + `'"}]`,
			"DepositEvent(pubkey,u64)", `[{"name":"user","value":"` + payerKey + `","kind":"pubkey","indexed":false},{"name":"amount","value":"1500","kind":"u64","indexed":false}]`},
		{"vault_v030.json", `[{"signature": "DepositEvent", "expression": "amount >= 1500"}]`, "DepositEvent(pubkey,u64)", ""},
		{"vault_v030.json", `[{"signature": "DepositEvent", "expression": "amount > 1500"}]`, "", ""},
		// Without an IDL the name is searched in the logs: the event is
		// base64 there, so nothing matches (OZ's behaviour).
		{"", `[{"signature": "DepositEvent"}]`, "", ""},
		// Not an IDL event: the log search, expression ignored (QS2, QS3).
		{"vault_v030.json", `[{"signature": "Deposit", "expression": "amount > 99999999"}]`, "Deposit",
			`[{"name":"log","value":"Program log: Instruction: Deposit","kind":"string","indexed":false}]`},
	} {
		cm := vaultMonitor(t, c.idl, `{"functions": [], "events": `+c.events+`, "transactions": []}`)
		ms := evalVault(t, cm)
		if c.wantSig == "" {
			if len(ms) != 0 {
				t.Errorf("%s %s: matched %+v", c.idl, c.events, ms[0].MatchedOn)
			}
			continue
		}
		if len(ms) != 1 || len(ms[0].MatchedOn.Events) != 1 || ms[0].MatchedOn.Events[0].Signature != c.wantSig {
			t.Errorf("%s %s: %+v", c.idl, c.events, ms)
			continue
		}
		if c.wantArgs != "" {
			js, _ := json.Marshal(ms[0].MatchedOnArgs.Events[0].Args)
			if string(js) != c.wantArgs {
				t.Errorf("%s %s: args %s, want %s", c.idl, c.events, js, c.wantArgs)
			}
		}
	}
}

// The combination rule with functions (ours): every configured kind must
// match, and a monitor with function conditions no longer matches every
// transaction of its program (QS1's broadening is gone).
func TestSolanaCombination(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		conditions string
		match      bool
	}{
		{`{"functions": [{"signature": "deposit"}], "events": [{"signature": "Deposit"}], "transactions": [{"status": "Success"}]}`, true},
		{`{"functions": [{"signature": "deposit"}], "events": [{"signature": "Burn"}], "transactions": []}`, false},
		{`{"functions": [{"signature": "deposit"}], "events": [], "transactions": [{"status": "Failure"}]}`, false},
		{`{"functions": [{"signature": "deposit", "expression": "amount == 1"}], "events": [], "transactions": []}`, false},
		{`{"functions": [], "events": [], "transactions": []}`, true},
	} {
		ms := evalVault(t, vaultMonitor(t, "vault_legacy.json", c.conditions))
		if (len(ms) == 1) != c.match {
			t.Errorf("%s: %d matches, want match=%v", c.conditions, len(ms), c.match)
		}
	}
	// A program absent from the transaction gates everything out, even a
	// monitor without conditions (QS9).
	raw := `{"name": "other", "networks": ["solana_mainnet"], "paused": false,
		"addresses": [{"address": "11111111111111111111111111111111"}],
		"match_conditions": {"functions": [], "events": [], "transactions": []}, "trigger_conditions": [], "triggers": []}`
	if ms := evalVault(t, compileSolanaMonitor(t, []byte(raw))); len(ms) != 0 {
		t.Errorf("ungated match: %+v", ms)
	}
}

// An invalid IDL rejects the monitor at compile time, with the path.
func TestSolanaCompileRejectsBadIDL(t *testing.T) {
	t.Parallel()
	raw := `{"name": "bad", "networks": ["solana_mainnet"], "paused": false,
		"addresses": [{"address": "` + vaultProgram + `", "contract_spec": {"version": "1", "name": "x", "instructions": [{"name": "a", "args": [{"name": "n"}]}]}}],
		"match_conditions": {"functions": [], "events": [], "transactions": []}, "trigger_conditions": [], "triggers": []}`
	m, err := ozconfig.ParseMonitor("bad", []byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	_, err = Compile("t", m, nil, WithChain(chain.Solana))
	if err == nil || !strings.Contains(err.Error(), "addresses[0].contract_spec: not an Anchor IDL: instructions[0].args[0].type: is required") {
		t.Errorf("got %v", err)
	}
	// Without WithChain, base58 program ids make the monitor a Solana one.
	m.Addresses[0].ContractSpec = nil
	cm, err := Compile("t", m, nil)
	if err != nil || cm.Chain() != chain.Solana {
		t.Errorf("inferred %v, %v", cm.Chain(), err)
	}
}
