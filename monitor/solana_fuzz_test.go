package monitor

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"testing"

	"github.com/ozmon/ozmon/chain"
	"github.com/ozmon/ozmon/monitor/expr"
	"github.com/ozmon/ozmon/monitor/internal/base58"
	"github.com/ozmon/ozmon/monitor/ozconfig"
)

// Whatever the bytes, decoding them as an instruction or event of the
// vault IDLs (recursive enums, vecs, options, u128, structs) neither
// panics nor allocates without bound, and a decoded value renders as text
// an expression can read.
func FuzzSolanaDecode(f *testing.F) {
	legacy, err := ozconfig.ParseSolanaIDL(vaultIDL(f, "vault_legacy.json"))
	if err != nil {
		f.Fatal(err)
	}
	v030, err := ozconfig.ParseSolanaIDL(vaultIDL(f, "vault_v030.json"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add([]byte(disc("global:deposit").u64(1500).u8(1).str("hi")))
	f.Add([]byte(disc("global:withdraw").u64(10).u32(1).key(payerKey).i64(-5)))
	f.Add([]byte(disc("global:initialize_vault").key(payerKey).u16(30).u128(1, 5).u8(1).i64(-7).u8(1).u8(2).u8(3).u8(4).u8(1)))
	f.Add([]byte(disc("global:withdraw").u64(10).u32(0xffffffff)))
	f.Add([]byte(disc("event:DepositEvent").key(payerKey).u64(1500)))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, idl := range []*ozconfig.SolanaIDL{legacy, v030} {
			for _, d := range []*solanaDecoded{decodeSolanaInstruction(base58.Encode(data), idl), decodeSolanaEvent(data, idl)} {
				if !d.ok {
					continue
				}
				if len(d.args) != len(d.params) || d.signature == "" {
					t.Fatalf("decoded %+v", d)
				}
				for _, a := range d.args {
					if a.Kind == "object" || a.Kind == "vec" {
						if !json.Valid([]byte(a.Value)) {
							t.Fatalf("%s: %q is not JSON", a.Name, a.Value)
						}
					}
				}
			}
		}
	})
}

// Whatever the monitor's conditions and the transaction's logs and
// instruction data, evaluating never panics, and every match renders as
// MonitorMatch JSON with a transaction.signature variable.
func FuzzSolanaEvaluate(f *testing.F) {
	idl := vaultIDL(f, "vault_v030.json")
	f.Add("deposit", "amount > 1000", "Program log: Instruction: Deposit", []byte(disc("global:deposit").u64(1500).u8(0)), uint8(0))
	f.Add("DepositEvent", "amount >= 1", "Program data: "+base64.StdEncoding.EncodeToString(disc("event:DepositEvent").key(payerKey).u64(1)), []byte{}, uint8(1))
	f.Add("Transfer", "", "Program log: Instruction: Transfer", []byte{1, 2}, uint8(2))
	f.Add("", "fee_payer == 'x' OR accounts contains '|'", "", []byte{}, uint8(3))
	f.Fuzz(func(t *testing.T, sig, text, log string, data []byte, kind uint8) {
		var e *expr.Expr
		if text != "" {
			var err error
			if e, err = expr.Parse(text); err != nil {
				return // the config loader rejects it
			}
		}
		m := &ozconfig.Monitor{Name: "fuzz", Networks: []string{"solana_mainnet"},
			Addresses: []ozconfig.MonitorAddress{{Address: vaultProgram, ContractSpec: idl}}}
		status := []ozconfig.TransactionStatus{ozconfig.StatusAny, ozconfig.StatusSuccess, ozconfig.StatusFailure}[int(kind>>4)%3]
		switch kind % 4 {
		case 0:
			m.MatchConditions.Functions = []ozconfig.FunctionCondition{{Signature: sig, Expression: text, Expr: e}}
		case 1:
			m.MatchConditions.Events = []ozconfig.EventCondition{{Signature: sig, Expression: text, Expr: e}}
		case 2:
			m.MatchConditions.Transactions = []ozconfig.TransactionCondition{{Status: status, Expression: text, Expr: e}}
		case 3:
			m.MatchConditions.Functions = []ozconfig.FunctionCondition{{Signature: sig, Expression: text, Expr: e}}
			m.MatchConditions.Events = []ozconfig.EventCondition{{Signature: sig, Expression: text, Expr: e}}
			m.MatchConditions.Transactions = []ozconfig.TransactionCondition{{Status: status, Expression: text, Expr: e}}
		}
		cm, err := Compile("tenant-f", m, nil, WithChain(chain.Solana))
		if err != nil {
			return // e.g. an empty signature
		}
		failed := json.RawMessage("null")
		if kind&8 != 0 {
			failed = json.RawMessage(`{"InstructionError":[0,"Custom"]}`)
		}
		st := chain.SolanaTransaction{Signature: "fuzzSig", Slot: 7,
			Message: chain.SolanaMessage{AccountKeys: []string{payerKey, vaultProgram},
				Instructions: []chain.SolanaInstruction{{ProgramIDIndex: 1, Data: base58.Encode(data)}}},
			Meta: &chain.SolanaTransactionMeta{Err: failed, Fee: 5000, LogMessages: []string{
				"Program " + vaultProgram + " invoke [1]", log, "Program " + vaultProgram + " success"}}}
		b := &chain.Block{Chain: chain.Solana, Network: "solana_mainnet", Ledger: 7,
			Transactions: []chain.Transaction{{Hash: st.Signature, Index: 1, Solana: &st}}}
		ms, err := NewEngine().EvaluateBlock(context.Background(), b, []*CompiledMonitor{cm})
		if err != nil {
			t.Fatalf("evaluate: %v", err)
		}
		for _, mt := range ms {
			if _, err := mt.MarshalOZJSON(); err != nil {
				t.Fatalf("marshal: %v", err)
			}
			if mt.Variables()["transaction.signature"] != "fuzzSig" {
				t.Fatal("no transaction.signature variable")
			}
		}
	})
}
