package ozconfig

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ozmon/ozmon/internal/testkit"
)

const vaultProgram = "H8Ps9TEFFzzVZhbZQBPf4mckBrrMDD4K3PLHuuQtgzpd"

func readFile(t *testing.T, elem ...string) []byte {
	t.Helper()
	b, err := os.ReadFile(testkit.SharedPath(t, elem...))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// OpenZeppelin Monitor's Solana examples (with the Slack triggers they
// name) and its Solana test fixtures validate unchanged.
func TestValidateSolanaExamplesAndFixtures(t *testing.T) {
	t.Parallel()
	sol := []string{"testdata", "ozmonitor", "solana"}
	c := &Config{Networks: map[string]*Network{}, Monitors: map[string]*Monitor{}, Triggers: map[string]*Trigger{}}
	for _, f := range []string{"examples/networks/solana_mainnet.json", "examples/networks/solana_devnet.json"} {
		n, err := ParseNetwork(f, readFile(t, append(sol, f)...))
		if err != nil {
			t.Fatal(err)
		}
		c.Networks[n.Slug] = n
	}
	for _, f := range []string{"examples/monitors/solana_kamino_deposit.json", "examples/monitors/solana_upgrade.json", "monitors/monitor.json", "monitors/monitor_with_events.json"} {
		m, err := ParseMonitor(f, readFile(t, append(sol, f)...))
		if err != nil {
			t.Fatal(err)
		}
		m.Name += " " + filepath.Base(f) // the two fixture monitors share a name
		c.Monitors[m.Name] = m
	}
	ts, err := ParseTriggers("slack_notifications.json", readFile(t, "testdata", "ozmonitor", "examples", "config", "triggers", "slack_notifications.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tr := range ts {
		c.Triggers[tr.Key] = tr
	}
	if _, err := ParseTriggers("trigger.json", readFile(t, append(sol, "triggers", "trigger.json")...)); err != nil {
		t.Fatal(err)
	}
	if err := c.Validate("oz"); err != nil {
		t.Fatal(err)
	}
	// The fixture's event expression has no effect on Solana (QS2): a
	// warning, not an error.
	var warned []string
	for _, w := range c.Warnings("oz") {
		if strings.Contains(w.Path, "match_conditions") {
			warned = append(warned, w.Error())
		}
	}
	if len(warned) != 1 || !strings.Contains(warned[0], "monitor_with_events.json: match_conditions.events[0].expression: has no effect on Solana") {
		t.Errorf("warnings: %q", warned)
	}
}

func solanaConfig(m *Monitor) *Config {
	return &Config{
		Networks: map[string]*Network{
			"solana_mainnet":   {NetworkType: NetworkSolana, Slug: "solana_mainnet", Name: "Solana"},
			"ethereum_mainnet": {NetworkType: NetworkEVM, Slug: "ethereum_mainnet", Name: "Ethereum"},
		},
		Monitors: map[string]*Monitor{m.Name: m},
		Triggers: map[string]*Trigger{},
	}
}

func validateLines(t *testing.T, m *Monitor) []string {
	t.Helper()
	var out []string
	for _, e := range AsValidationErrors(solanaConfig(m).Validate("")) {
		out = append(out, e.Error())
	}
	return out
}

func sameLines(t *testing.T, what string, got, want []string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("%s:\n got %s\nwant %s", what, strings.Join(got, "\n     "), strings.Join(want, "\n     "))
	}
}

// SOL112, SOL113 and QS17: no parenthesis rule on Solana, base58 program ids.
func TestValidateSolanaSignaturesAndAddresses(t *testing.T) {
	t.Parallel()
	m := &Monitor{Name: "m", Networks: []string{"solana_mainnet"},
		Addresses: []MonitorAddress{{Address: "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA"}},
		MatchConditions: MatchConditions{Events: []EventCondition{
			{Signature: "TransferEvent"}, {Signature: "Upgraded program KLend2g3cP87fffoy8q1mQqGKjrxjC8boSyAYavgmjD"}, {Signature: "MintTo()"}}}}
	sameLines(t, "solana only", validateLines(t, m), nil)

	m.Networks = []string{"ethereum_mainnet", "solana_mainnet"}
	m.Addresses = append(m.Addresses, MonitorAddress{Address: "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48"})
	sameLines(t, "evm and solana", validateLines(t, m), []string{
		`monitor m: match_conditions.events[0].signature: signature "TransferEvent" must have the form name(type,…) for EVM network "ethereum_mainnet"`,
		`monitor m: match_conditions.events[1].signature: signature "Upgraded program KLend2g3cP87fffoy8q1mQqGKjrxjC8boSyAYavgmjD" must have the form name(type,…) for EVM network "ethereum_mainnet"`,
	})

	m.Networks = []string{"solana_mainnet"}
	m.MatchConditions.Events = nil
	m.Addresses = []MonitorAddress{
		{Address: " TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA"},
		{Address: "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48"},
		{Address: "WaLLeT123abcdefghijklmnopqrstuvwxyz12345678"},
		{Address: "11111111111111111111111111111111"},
	}
	sameLines(t, "addresses", validateLines(t, m), []string{
		`monitor m: addresses[0].address: " TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA" is not a Solana program id (base58 of 32 bytes) for network "solana_mainnet"`,
		`monitor m: addresses[1].address: "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48" is not a Solana program id (base58 of 32 bytes) for network "solana_mainnet"`,
		`monitor m: addresses[2].address: "WaLLeT123abcdefghijklmnopqrstuvwxyz12345678" is not a Solana program id (base58 of 32 bytes) for network "solana_mainnet"`,
	})
}

// Contract specs on Solana: [] (OZ's examples), legacy and ≥ 0.30 Anchor
// IDLs; anything else is refused with the path of the problem.
func TestValidateSolanaContractSpecs(t *testing.T) {
	t.Parallel()
	legacy := readFile(t, "testdata", "solana", "idl", "vault_legacy.json")
	v030 := readFile(t, "testdata", "solana", "idl", "vault_v030.json")
	for _, spec := range [][]byte{[]byte(`[]`), legacy, v030} {
		m := &Monitor{Name: "m", Networks: []string{"solana_mainnet"},
			Addresses: []MonitorAddress{{Address: vaultProgram, ContractSpec: spec}}}
		sameLines(t, string(spec[:min(len(spec), 20)]), validateLines(t, m), nil)
	}
	for _, c := range []struct{ spec, want string }{
		{`{"name": "x"}`, `version: is required`},
		{`{"foo": 1}`, `neither a legacy Anchor IDL`},
		{`{"version": "1", "name": "x", "instructions": [{"name": "a", "args": [{"name": "n", "type": {"hashMap": ["u8", "u8"]}}]}]}`,
			`instructions[0].args[0].type: unsupported type "hashMap"`},
		{`{"version": "1", "name": "x", "instructions": [{"name": "a", "discriminator": [1, 2]}]}`,
			`instructions[0].discriminator: has 2 bytes; Anchor discriminators have 8`},
		{`{"version": "1", "name": "x", "instructions": {}}`, `instructions: expected an array, got object`},
	} {
		m := &Monitor{Name: "m", Networks: []string{"solana_mainnet"},
			Addresses: []MonitorAddress{{Address: vaultProgram, ContractSpec: json.RawMessage(c.spec)}}}
		got := validateLines(t, m)
		if len(got) != 1 || !strings.HasPrefix(got[0], "monitor m: addresses[0].contract_spec: not an Anchor IDL: "+c.want) {
			t.Errorf("%s:\n got %q\nwant prefix %q", c.spec, got, c.want)
		}
	}
}

// QS1, our decision: function conditions are implemented, so they must
// name an instruction of the monitor's IDL.
func TestValidateSolanaFunctions(t *testing.T) {
	t.Parallel()
	legacy := readFile(t, "testdata", "solana", "idl", "vault_legacy.json")
	m := &Monitor{Name: "m", Networks: []string{"solana_mainnet"},
		Addresses:       []MonitorAddress{{Address: vaultProgram}},
		MatchConditions: MatchConditions{Functions: []FunctionCondition{{Signature: "deposit"}}}}
	got := validateLines(t, m)
	if len(got) != 1 || !strings.Contains(got[0], "match_conditions.functions: on Solana network \"solana_mainnet\" function conditions match instructions decoded with the program's Anchor IDL") {
		t.Errorf("no IDL: %q", got)
	}
	m.Addresses[0].ContractSpec = legacy
	m.MatchConditions.Functions = []FunctionCondition{
		{Signature: "deposit"}, {Signature: "deposit(u64, Option<string>)"}, {Signature: "initialize_vault"},
		{Signature: "initializeVault(pubkey,VaultConfig)"}, {Signature: "deposit(u32)"}, {Signature: "burn"},
	}
	sameLines(t, "named", validateLines(t, m), []string{
		`monitor m: match_conditions.functions[4].signature: signature "deposit(u32)" does not match instruction deposit of the IDL; write "deposit(u64,Option<string>)" or just "deposit"`,
		`monitor m: match_conditions.functions[5].signature: no instruction "burn" in the monitor's Anchor IDL(s) (instructions: deposit, initializeVault, withdraw)`,
	})
}

// SOL81, SOL82, SOL109–SOL111 and the two IDL shapes read alike.
func TestSolanaIDL(t *testing.T) {
	t.Parallel()
	if d := AnchorDiscriminator("global:transfer"); d != [8]byte{163, 52, 200, 231, 140, 3, 69, 186} {
		t.Errorf("transfer: %v", d)
	}
	if d := AnchorDiscriminator("global:initialize"); d != [8]byte{175, 175, 109, 31, 13, 152, 155, 237} {
		t.Errorf("initialize: %v", d)
	}
	if d := AnchorDiscriminator("event:TransferEvent"); d != [8]byte{100, 10, 46, 113, 8, 28, 179, 125} {
		t.Errorf("TransferEvent: %v", d)
	}
	if d := AnchorDiscriminator("global:TransferEvent"); d != [8]byte{89, 25, 170, 251, 101, 116, 181, 180} {
		t.Errorf("global:TransferEvent: %v", d)
	}
	idl, err := ParseSolanaIDL(json.RawMessage(`{"version": "0.1.0", "name": "t",
		"instructions": [{"name": "transfer", "args": [{"name": "amount", "type": "u64"}, {"name": "recipient", "type": "pubkey"}]}],
		"events": [{"name": "TransferEvent", "fields": [{"name": "from", "type": "pubkey"}, {"name": "to", "type": "pubkey"}, {"name": "amount", "type": "u64"}]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if s := SolanaSignature(idl.Instructions[0].Name, idl.Instructions[0].Args); s != "transfer(u64,pubkey)" {
		t.Errorf("instruction signature %s", s)
	}
	if s := SolanaSignature(idl.Events[0].Name, idl.Events[0].Fields); s != "TransferEvent(pubkey,pubkey,u64)" {
		t.Errorf("event signature %s", s)
	}
	for raw, want := range map[string]string{`"u64"`: "u64", `{"vec":"u8"}`: "Vec<u8>", `{"option":"pubkey"}`: "Option<pubkey>",
		`{"array":["u8",32]}`: "[u8;32]", `{"tuple":["u8","string"]}`: "(u8,string)", `{"defined":{"name":"X"}}`: "X"} {
		p := &idlParser{}
		if got := p.typ("t", json.RawMessage(raw), 0).String(); got != want || p.err != nil {
			t.Errorf("%s: %s (%v), want %s", raw, got, p.err, want)
		}
	}
	a, err := ParseSolanaIDL(readFile(t, "testdata", "solana", "idl", "vault_legacy.json"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := ParseSolanaIDL(readFile(t, "testdata", "solana", "idl", "vault_v030.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !a.Legacy || b.Legacy || a.Name != "vault" || b.Name != "vault" || len(a.Instructions) != 3 || len(b.Instructions) != 3 {
		t.Fatalf("legacy %+v\nv0.30 %+v", a, b)
	}
	// The legacy discriminators (computed from the snake_case names) are
	// the ones Anchor 0.30 writes down.
	for i := range a.Instructions {
		if a.Instructions[i].Discriminator != b.Instructions[i].Discriminator {
			t.Errorf("instruction %s: %v vs %v", a.Instructions[i].Name, a.Instructions[i].Discriminator, b.Instructions[i].Discriminator)
		}
		if sa, sb := SolanaSignature(a.Instructions[i].Name, a.Instructions[i].Args), SolanaSignature(b.Instructions[i].Name, b.Instructions[i].Args); !SolanaSameSignature(sa, sb) {
			t.Errorf("signatures %s vs %s", sa, sb)
		}
	}
	if a.Events[0].Discriminator != b.Events[0].Discriminator || len(b.Events[0].Fields) != 2 {
		t.Errorf("events: %+v vs %+v", a.Events[0], b.Events[0])
	}
	for in, want := range map[string]string{"initializeVault": "initialize_vault", "transferV2": "transfer_v2", "setURI": "set_uri", "deposit": "deposit", "HTTPServer": "http_server"} {
		if got := anchorSnake(in); got != want {
			t.Errorf("anchorSnake(%s) = %s, want %s", in, got, want)
		}
	}
}
