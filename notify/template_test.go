package notify

import (
	"testing"

	"github.com/ozmon/ozmon/chain"
	"github.com/ozmon/ozmon/monitor"
)

func TestRender(t *testing.T) {
	t.Parallel()
	vars := map[string]string{
		"monitor.name":            "Vault",
		"transaction.hash":        "0x12",
		"functions.0.args.amount": "2240",
		"x":                       "${monitor.name}",
		// What monitor.Match.Variables sets for a match with no function or event.
		"functions": "",
		"events":    "",
	}
	cases := []struct{ name, tmpl, want string }{
		{"plain text", "no placeholders", "no placeholders"},
		{"known keys", "${monitor.name}: ${transaction.hash}", "Vault: 0x12"},
		{"every occurrence", "${monitor.name}/${monitor.name}", "Vault/Vault"},
		{"unknown kept", "${monitor.nam} ${nope}", "${monitor.nam} ${nope}"},
		{"case sensitive", "${Monitor.Name}", "${Monitor.Name}"},
		{"dotted arg", "amount=${functions.0.args.amount}", "amount=2240"},
		{"value not re-expanded", "${x}", "${monitor.name}"},
		{"unterminated", "a ${monitor.name", "a ${monitor.name"},
		{"nested opener", "${a${monitor.name}", "${aVault"},
		{"empty key", "${}", "${}"},
		{"no functions gives empty summary", "f:${functions}.", "f:."},
		{"no events gives empty summary", "e:${events}.", "e:."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if got := render(c.tmpl, vars); got != c.want {
				t.Fatalf("render(%q) = %q, want %q", c.tmpl, got, c.want)
			}
		})
	}
}

// The summary layout example (docs/compatibility.md#template-variables), byte for byte.
func TestRenderEventsSummary(t *testing.T) {
	t.Parallel()
	const sig = "Transfer(address,address,uint256)"
	vars := (&monitor.Match{
		Transaction: &chain.Transaction{Hash: "0x12"},
		MatchedOn:   monitor.MatchedOn{Events: []monitor.EventMatch{{Signature: sig}}},
		MatchedOnArgs: monitor.MatchedOnArgs{Events: []monitor.ArgsEntry{{Signature: sig, Args: []monitor.Arg{
			{Name: "value", Value: "10"}, {Name: "from", Value: "0x1"}, {Name: "to", Value: "0x2"},
		}}}},
	}).Variables()
	got := render("Tx: ${transaction.hash}\n\n${events}", vars)
	want := "Tx: 0x12\n\n\n\n*Matched Events:*\n\n*Reason 1*\n\n*Signature:* `Transfer(address,address,uint256)`\n\n*Params:*\n\nfrom: `0x1`\nto: `0x2`\nvalue: `10`"
	if got != want {
		t.Fatalf("got  %q\nwant %q", got, want)
	}
}

func TestRenderFunctionsSummaryOrdersReasons(t *testing.T) {
	t.Parallel()
	vars := (&monitor.Match{
		MatchedOn: monitor.MatchedOn{Functions: []monitor.FunctionMatch{{Signature: "a(I128)"}, {Signature: "b()"}}},
		MatchedOnArgs: monitor.MatchedOnArgs{Functions: []monitor.ArgsEntry{
			{Signature: "a(I128)", Args: []monitor.Arg{{Name: "amount", Value: "5"}}}, {Signature: "b()"},
		}},
	}).Variables()
	got := render("${functions}", vars)
	want := "\n\n*Matched Functions:*\n" +
		"\n*Reason 1*\n\n*Signature:* `a(I128)`\n\n*Params:*\n\namount: `5`" +
		"\n" +
		"\n*Reason 2*\n\n*Signature:* `b()`\n\n*Params:*\n"
	if got != want {
		t.Fatalf("got  %q\nwant %q", got, want)
	}
}

func TestRenderPrefersSuppliedSummary(t *testing.T) {
	t.Parallel()
	vars := map[string]string{"functions": "SUMMARY", "functions.0.signature": "f()"}
	if got := render("[${functions}]", vars); got != "[SUMMARY]" {
		t.Fatalf("got %q", got)
	}
}
