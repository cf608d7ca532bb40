package monitor_test

import (
	"strings"
	"testing"

	"github.com/ozmon/ozmon/chain"
	"github.com/ozmon/ozmon/monitor"
)

// render is OZ's substitution (docs/compatibility.md#template-variables): every ${key}
// of the map replaced.
func render(tmpl string, vars map[string]string) string {
	for k, v := range vars {
		tmpl = strings.ReplaceAll(tmpl, "${"+k+"}", v)
	}
	return tmpl
}

// TestVariablesSummaryExample is the summary layout of
// docs/compatibility.md#template-variables, worked through.
func TestVariablesSummaryExample(t *testing.T) {
	t.Parallel()
	m := &monitor.Match{
		MonitorName: "m",
		Transaction: &chain.Transaction{Hash: "0x12"},
		MatchedOn:   monitor.MatchedOn{Events: []monitor.EventMatch{{Signature: "Transfer(address,address,uint256)"}}},
		MatchedOnArgs: monitor.MatchedOnArgs{Events: []monitor.ArgsEntry{{Signature: "Transfer(address,address,uint256)", Args: []monitor.Arg{
			{Name: "to", Value: "0x2"}, {Name: "value", Value: "10"}, {Name: "from", Value: "0x1"},
		}}}},
	}
	got := render("Tx: ${transaction.hash}\n\n${events}", m.Variables())
	want := "Tx: 0x12\n\n\n\n*Matched Events:*\n\n*Reason 1*\n\n*Signature:* `Transfer(address,address,uint256)`\n\n*Params:*\n\nfrom: `0x1`\nto: `0x2`\nvalue: `10`"
	if got != want {
		t.Fatalf("rendered\n%q\nwant\n%q", got, want)
	}
	if got := render("${functions}|${unknown}", m.Variables()); got != "|${unknown}" {
		t.Fatalf("no functions / unknown key rendered %q", got)
	}
}

// TestVariablesSeveralEntries: indexes pair signatures with their args;
// reasons are separated by one newline; names sort as text.
func TestVariablesSeveralEntries(t *testing.T) {
	t.Parallel()
	m := &monitor.Match{
		MonitorName: "Vault watch",
		Transaction: &chain.Transaction{Hash: "ff"},
		MatchedOn: monitor.MatchedOn{Functions: []monitor.FunctionMatch{
			{Signature: "deposit(Address,I128)"}, {Signature: "withdraw(I128)"},
		}},
		MatchedOnArgs: monitor.MatchedOnArgs{Functions: []monitor.ArgsEntry{
			{Signature: "deposit(Address,I128)", Args: []monitor.Arg{{Name: "from", Value: "GA"}, {Name: "amount", Value: "5"}}},
			{Signature: "withdraw(I128)", Args: []monitor.Arg{{Name: "amount", Value: "7"}}},
		}},
	}
	v := m.Variables()
	for k, want := range map[string]string{
		"monitor.name":            "Vault watch",
		"transaction.hash":        "ff",
		"functions.0.signature":   "deposit(Address,I128)",
		"functions.0.args.from":   "GA",
		"functions.0.args.amount": "5",
		"functions.1.signature":   "withdraw(I128)",
		"functions.1.args.amount": "7",
		"events":                  "",
		"functions": "\n\n*Matched Functions:*\n" +
			"\n*Reason 1*\n\n*Signature:* `deposit(Address,I128)`\n\n*Params:*\n\namount: `5`\nfrom: `GA`" +
			"\n" +
			"\n*Reason 2*\n\n*Signature:* `withdraw(I128)`\n\n*Params:*\n\namount: `7`",
	} {
		if v[k] != want {
			t.Errorf("%s = %q, want %q", k, v[k], want)
		}
	}
	if len(v) != 9 {
		t.Errorf("%d variables, want 9: %v", len(v), v)
	}
}
