package ozconfig

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/ozmon/ozmon/monitor/expr"
)

// A Stellar monitor in OZ's format (docs/compatibility.md#configuration-files).
const vaultMonitorJSON = `{
  "name": "Vault watch",
  "networks": ["stellar_pubnet"],
  "paused": false,
  "addresses": [
    { "address": "CDLZFC3SYJYDZT7K67VZ75HPJVIEUVNIXF47ZG2FB2RMQQVU2HHGCYSC" },
    { "address": "CB7ZA2CJ4EECSV62PJSSV6DVYK25IRGRKWIB5354TGANJGXRUFK4LNO3",
      "contract_spec": [ { "function_v0": { "doc": "", "name": "deposit",
          "inputs": [ { "doc": "", "name": "from", "type_": "address" },
                      { "doc": "", "name": "amount", "type_": "i128" } ], "outputs": [] } } ] }
  ],
  "match_conditions": {
    "functions": [
      { "signature": "deposit(Address,I128)", "expression": "amount >= 5000000000 AND from != GBNOTWATCHEDXXX" }
    ],
    "events": [
      { "signature": "transfer(Address,Address,String,I128)", "expression": "3 > 100000000" }
    ],
    "transactions": [ { "status": "Success" } ]
  },
  "trigger_conditions": [
    { "script_path": "./config/filters/skip_small.py", "language": "Python", "timeout_ms": 2000, "arguments": ["--min", "10"] }
  ],
  "triggers": ["vault_slack", "vault_webhook_raw"]
}`

func TestParseMonitor(t *testing.T) {
	t.Parallel()
	m, err := ParseMonitor("monitors/vault.json", []byte(vaultMonitorJSON))
	if err != nil {
		t.Fatal(err)
	}
	if m.Name != "Vault watch" || m.Paused || len(m.Networks) != 1 || len(m.Triggers) != 2 {
		t.Errorf("scalars: %+v", m)
	}
	if m.Addresses[0].ContractSpec != nil {
		t.Errorf("absent contract_spec kept: %s", m.Addresses[0].ContractSpec)
	}
	// The raw spec is the file's own bytes, for the engine to decode.
	spec := m.Addresses[1].ContractSpec
	if !bytes.HasPrefix(spec, []byte(`[ { "function_v0"`)) || !json.Valid(spec) {
		t.Errorf("contract_spec: %s", spec)
	}
	f := m.MatchConditions.Functions[0]
	if f.Expr == nil || f.Expr.String() != f.Expression || !f.Expr.HasVar("amount") || !f.Expr.HasVar("from") {
		t.Errorf("function expression not compiled: %+v", f)
	}
	if e := m.MatchConditions.Events[0]; e.Expr == nil || !e.Expr.HasVar("3") {
		t.Errorf("event expression not compiled: %+v", e)
	}
	if tx := m.MatchConditions.Transactions[0]; tx.Status != StatusSuccess || tx.Expr != nil || tx.Expression != "" {
		t.Errorf("transaction condition: %+v", tx)
	}
	tc := m.TriggerConditions[0]
	if tc.Language != LanguagePython || tc.TimeoutMs != 2000 || strings.Join(tc.Arguments, " ") != "--min 10" {
		t.Errorf("trigger condition: %+v", tc)
	}
}

func TestParseMonitorNullsAndChainConfigurations(t *testing.T) {
	t.Parallel()
	m, err := ParseMonitor("m.json", []byte(`{"name": "m", "networks": ["eth"], "paused": true,
		"addresses": [{"address": "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48", "contract_spec": null}],
		"match_conditions": {"functions": [{"signature": "f()", "expression": null}], "events": [], "transactions": []},
		"trigger_conditions": [{"script_path": "a.sh", "language": "Bash", "timeout_ms": 1, "arguments": null}],
		"triggers": [], "chain_configurations": [{"evm": {}}, {"stellar": {}}, {"solana": {"commitment": "finalized"}}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if m.Addresses[0].ContractSpec != nil || m.MatchConditions.Functions[0].Expr != nil || m.TriggerConditions[0].Arguments != nil {
		t.Errorf("null not treated as absent: %+v", m)
	}
	if len(m.ChainConfigurations) != 3 || m.ChainConfigurations[0].EVM == nil || m.ChainConfigurations[2].Solana == nil {
		t.Errorf("chain_configurations: %+v", m.ChainConfigurations)
	}
}

// A syntax error keeps the parser's column and stays reachable as
// *expr.SyntaxError; every other problem of the file is reported with it.
func TestParseMonitorErrors(t *testing.T) {
	t.Parallel()
	_, err := ParseMonitor("monitors/usdc.json", []byte(`{"name": "usdc", "networks": ["eth", ""], "paused": "no",
		"addresses": [{"address": "", "abi": []}, {"address": "0x1", "contract_spec": "erc20"}],
		"match_conditions": {"functions": [{"signature": "transfer(address,uint256)", "expression": "value > 5 AND (to == 1))"}],
			"events": [{"expression": "a == 1"}], "transactions": [{"status": "Any", "expression": "value >= TRUE"}], "calls": []},
		"trigger_conditions": [{"script_path": "filter.py", "language": "Bash", "timeout_ms": 0}],
		"triggers": ["t", 3]}`))
	want := []string{
		`monitors/usdc.json: networks[1]: must not be empty`,
		`monitors/usdc.json: paused: expected boolean, got string`,
		`monitors/usdc.json: addresses[0].address: must not be empty`,
		`monitors/usdc.json: addresses[0]: unknown field "abi" (allowed: address, contract_spec)`,
		`monitors/usdc.json: addresses[1].contract_spec: expected contract spec (array or object), got string`,
		`monitors/usdc.json: match_conditions.functions[0].expression: unexpected token ")" at column 24`,
		`monitors/usdc.json: match_conditions.events[0]: missing required field "signature"`,
		`monitors/usdc.json: match_conditions.transactions[0].expression: `,
		`monitors/usdc.json: match_conditions: unknown field "calls" (allowed: functions, events, transactions)`,
		`monitors/usdc.json: trigger_conditions[0].script_path: "filter.py" must have the .sh extension for language Bash`,
		`monitors/usdc.json: trigger_conditions[0].timeout_ms: must be greater than 0`,
		`monitors/usdc.json: triggers[1]: expected string, got number`,
	}
	es := AsValidationErrors(err)
	if len(es) != len(want) {
		t.Fatalf("got %d errors:\n%v", len(es), err)
	}
	for i, w := range want {
		if !strings.HasPrefix(es[i].Error(), w) {
			t.Errorf("error %d:\n got %s\nwant %s", i, es[i], w)
		}
	}
	var syn *expr.SyntaxError
	if !errors.As(err, &syn) || syn.Column != 24 {
		t.Errorf("SyntaxError not reachable or wrong column: %v", syn)
	}
}

// timeout_ms of a trigger condition and of a script trigger is capped (OpenZeppelin Monitor
// takes any uint32): a tenant's script must not hold a shared worker for hours.
func TestScriptTimeoutCapped(t *testing.T) {
	t.Parallel()
	mon := func(ms uint64) []byte {
		return []byte(fmt.Sprintf(`{"name": "m", "networks": ["n"], "paused": false, "addresses": [],
			"match_conditions": {"functions": [], "events": [], "transactions": []},
			"trigger_conditions": [{"script_path": "a.sh", "language": "Bash", "timeout_ms": %d}], "triggers": []}`, ms))
	}
	if _, err := ParseMonitor("m.json", mon(MaxScriptTimeoutMs)); err != nil {
		t.Fatalf("timeout_ms at the cap: %v", err)
	}
	for _, ms := range []uint64{MaxScriptTimeoutMs + 1, math.MaxUint32} {
		_, err := ParseMonitor("m.json", mon(ms))
		if err == nil || !strings.Contains(err.Error(), "trigger_conditions[0].timeout_ms") || !strings.Contains(err.Error(), "limit of 30000 ms") {
			t.Errorf("trigger condition timeout_ms %d: err = %v, want the limit named", ms, err)
		}
		_, err = ParseTriggers("t.json", []byte(fmt.Sprintf(`{"s": {"name": "S", "trigger_type": "script",
			"config": {"language": "Bash", "script_path": "a.sh", "timeout_ms": %d}}}`, ms)))
		if err == nil || !strings.Contains(err.Error(), "config.timeout_ms") || !strings.Contains(err.Error(), "limit of 30000 ms") {
			t.Errorf("script trigger timeout_ms %d: err = %v, want the limit named", ms, err)
		}
	}
}
