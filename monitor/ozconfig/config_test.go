package ozconfig

import (
	"errors"
	"strings"
	"testing"

	"github.com/ozmon/ozmon/monitor/expr"
)

// handBuilt is a configuration assembled in code, as store/postgres or a
// test would: no sources, expressions not compiled.
func handBuilt() *Config {
	return &Config{
		Networks: map[string]*Network{
			"stellar_testnet": {NetworkType: NetworkStellar, Slug: "stellar_testnet", Name: "Testnet",
				BlockTimeMs: 5000, ConfirmationBlocks: 1, CronSchedule: "0 * * * * *"},
			"ethereum": {NetworkType: NetworkEVM, Slug: "ethereum", Name: "Ethereum",
				BlockTimeMs: 12000, ConfirmationBlocks: 12, CronSchedule: "0 * * * * *"},
		},
		Monitors: map[string]*Monitor{
			"Vault watch": {Name: "Vault watch", Networks: []string{"stellar_testnet"},
				Addresses: []MonitorAddress{{Address: " cdlzfc3syjydzt7k67vz75hpjvieuvnixf47zg2fb2rmqqvu2hhgcysc "}},
				MatchConditions: MatchConditions{
					Functions:    []FunctionCondition{{Signature: "deposit(Address,I128)", Expression: "amount > 5"}},
					Transactions: []TransactionCondition{{Status: StatusSuccess}},
				},
				Triggers: []string{"ops"}},
		},
		Triggers: map[string]*Trigger{
			"ops": {Key: "ops", Name: "Ops", TriggerType: TriggerSlack, Slack: &SlackConfig{SlackURL: EnvSecret("HOOK")}},
		},
	}
}

func TestValidateHandBuilt(t *testing.T) {
	t.Parallel()
	c := handBuilt()
	if err := c.Validate("tenant acme"); err != nil {
		t.Fatal(err)
	}
	if e := c.Monitors["Vault watch"].MatchConditions.Functions[0].Expr; e == nil || !e.HasVar("amount") {
		t.Errorf("Validate did not compile the expression: %v", e)
	}
}

func TestValidateCrossReferences(t *testing.T) {
	t.Parallel()
	c := handBuilt()
	m := c.Monitors["Vault watch"]
	m.Networks = []string{"stellar_testnet", "ethereum", "stellar_mainnet"}
	m.Triggers = []string{"ops", "pager"}
	// A monitor may span chains: each address must fit one of them.
	m.Addresses = append(m.Addresses, MonitorAddress{Address: "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48"},
		MonitorAddress{Address: "GNOTANADDRESS", ContractSpec: []byte(`{"idl": 1}`)})
	m.MatchConditions.Events = []EventCondition{{Signature: "Transfer", Expression: "a == 1 OR"}}
	c.Monitors["VAULT WATCH "] = &Monitor{Name: "VAULT WATCH ", Networks: []string{"ethereum"}}
	c.Networks["solana"] = &Network{NetworkType: NetworkSolana, Slug: "sol", Name: "testnet"}
	c.Triggers["pager2"] = &Trigger{Key: "pager", Name: " ops", TriggerType: TriggerWebhook}

	err := c.Validate("tenant acme")
	got := AsValidationErrors(err)
	lines := make([]string, len(got))
	for i, e := range got {
		lines[i] = e.Error()
	}
	wantLines := []string{
		`tenant acme/network solana: slug: slug "sol" must equal the network's key "solana" (for a file, its name without .json)`,
		`tenant acme/network stellar_testnet: name: network name "Testnet" is already used by tenant acme/network solana`,
		`tenant acme/trigger pager2: trigger key "pager" does not match its map key "pager2"`,
		`tenant acme/trigger pager2: name: trigger name " ops" is already used by trigger "ops" in tenant acme/trigger ops`,
		`tenant acme/trigger pager2: config: webhook trigger has no configuration`,
		`tenant acme/monitor Vault watch: name: monitor name "Vault watch" is already used by tenant acme/monitor VAULT WATCH `,
		`tenant acme/monitor Vault watch: match_conditions.events[0].expression: `,
		`tenant acme/monitor Vault watch: match_conditions.events[0].signature: signature "Transfer" must have the form name(type,…) for Stellar network "stellar_testnet"`,
		`tenant acme/monitor Vault watch: match_conditions.events[0].signature: signature "Transfer" must have the form name(type,…) for EVM network "ethereum"`,
		`tenant acme/monitor Vault watch: networks[2]: unknown network "stellar_mainnet" (known: ethereum, solana, stellar_testnet)`,
		`tenant acme/monitor Vault watch: addresses[2].address: "GNOTANADDRESS" is not a Stellar contract (C…) or account (G…) address for network "stellar_testnet", nor an EVM address (0x and 40 hex digits) for network "ethereum"`,
		`tenant acme/monitor Vault watch: addresses[2].contract_spec: an EVM or Stellar contract spec must be an array, got object`,
		`tenant acme/monitor Vault watch: triggers[1]: unknown trigger "pager" (known: ops, pager2)`,
	}
	if len(lines) != len(wantLines) {
		t.Fatalf("got %d errors:\n%s", len(lines), strings.Join(lines, "\n"))
	}
	for i, w := range wantLines {
		if !strings.HasPrefix(lines[i], w) {
			t.Errorf("error %d:\n got %s\nwant %s", i, lines[i], w)
		}
	}
	var syn *expr.SyntaxError
	if !errors.As(err, &syn) {
		t.Error("expression error does not unwrap to *expr.SyntaxError")
	}
}

func TestValidateNilEntries(t *testing.T) {
	t.Parallel()
	c := &Config{Networks: map[string]*Network{"n": nil}, Monitors: map[string]*Monitor{"m": nil}, Triggers: map[string]*Trigger{"t": nil}}
	err := c.Validate("x")
	want := "x/network n: network is nil\nx/trigger t: trigger is nil\nx/monitor m: monitor is nil"
	if err == nil || err.Error() != want {
		t.Fatalf("got %v", err)
	}
	if err := (&Config{}).Validate("empty"); err != nil {
		t.Fatalf("empty config: %v", err)
	}
}

func TestValidationErrorFormat(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		e    ValidationError
		want string
	}{
		{ValidationError{Source: "monitors/usdc.json", Path: "match_conditions.functions[0].expression", Msg: `unexpected token ")" at column 17`},
			`monitors/usdc.json: match_conditions.functions[0].expression: unexpected token ")" at column 17`},
		{ValidationError{Source: "monitors/usdc.json", Msg: "invalid JSON"}, "monitors/usdc.json: invalid JSON"},
		{ValidationError{Msg: "bare"}, "bare"},
	} {
		if got := tc.e.Error(); got != tc.want {
			t.Errorf("got %q want %q", got, tc.want)
		}
	}
	if AsValidationErrors(nil) != nil {
		t.Error("nil error gives items")
	}
	wrapped := AsValidationErrors(errors.Join(errors.New("x"), ValidationErrors{{Msg: "a"}, {Msg: "b"}}))
	if len(wrapped) != 2 {
		t.Errorf("wrapped ValidationErrors: %v", wrapped)
	}
}
