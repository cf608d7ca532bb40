package notify

import (
	"testing"

	"github.com/ozmon/ozmon/chain"
	"github.com/ozmon/ozmon/monitor"
)

// render over a match's own variables: arguments by name, unknown keys kept,
// ${functions} as the summary block.
func TestRenderMatchVariables(t *testing.T) {
	t.Parallel()
	// A match's template variables, as the worker builds them.
	const deposit = "deposit(Address,I128)"
	vars := (&monitor.Match{
		MonitorName: "Vault deposits",
		Transaction: &chain.Transaction{Hash: "3389e9f0f1a65f19736cacf544c2e825313e8447f569233bb8db39aa607c8889"},
		MatchedOn:   monitor.MatchedOn{Functions: []monitor.FunctionMatch{{Signature: deposit}}},
		MatchedOnArgs: monitor.MatchedOnArgs{Functions: []monitor.ArgsEntry{{Signature: deposit, Args: []monitor.Arg{
			{Name: "from", Value: "GBVFTZL5HIPT4PFQVTZVIWR77V7LWYCXU4CLYWWHHOEXB64XPG5LDMTU"},
			{Name: "amount", Value: "2240"},
		}}}},
	}).Variables()
	got := render("${monitor.name}: ${functions.0.args.amount} from ${functions.0.args.from} (${unknown.key})", vars)
	if want := "Vault deposits: 2240 from GBVFTZL5HIPT4PFQVTZVIWR77V7LWYCXU4CLYWWHHOEXB64XPG5LDMTU (${unknown.key})"; got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
	got = render("tx ${transaction.hash}${functions}", vars)
	if want := "tx 3389e9f0f1a65f19736cacf544c2e825313e8447f569233bb8db39aa607c8889\n\n*Matched Functions:*\n\n*Reason 1*\n\n*Signature:* `deposit(Address,I128)`\n\n*Params:*\n\namount: `2240`\nfrom: `GBVFTZL5HIPT4PFQVTZVIWR77V7LWYCXU4CLYWWHHOEXB64XPG5LDMTU`"; got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}
