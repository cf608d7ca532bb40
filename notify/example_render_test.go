package notify_test

import (
	"fmt"

	"github.com/ozmon/ozmon/notify"
)

func ExampleRender() {
	vars := map[string]string{
		"monitor.name":            "Vault deposits",
		"transaction.hash":        "3389e9f0f1a65f19736cacf544c2e825313e8447f569233bb8db39aa607c8889",
		"functions.0.signature":   "deposit(Address,I128)",
		"functions.0.args.from":   "GBVFTZL5HIPT4PFQVTZVIWR77V7LWYCXU4CLYWWHHOEXB64XPG5LDMTU",
		"functions.0.args.amount": "2240",
	}
	fmt.Println(notify.Render("${monitor.name}: ${functions.0.args.amount} from ${functions.0.args.from} (${unknown.key})", vars))
	fmt.Printf("%q\n", notify.Render("tx ${transaction.hash}${functions}", vars))
	// Output:
	// Vault deposits: 2240 from GBVFTZL5HIPT4PFQVTZVIWR77V7LWYCXU4CLYWWHHOEXB64XPG5LDMTU (${unknown.key})
	// "tx 3389e9f0f1a65f19736cacf544c2e825313e8447f569233bb8db39aa607c8889\n\n*Matched Functions:*\n\n*Reason 1*\n\n*Signature:* `deposit(Address,I128)`\n\n*Params:*\n\namount: `2240`\nfrom: `GBVFTZL5HIPT4PFQVTZVIWR77V7LWYCXU4CLYWWHHOEXB64XPG5LDMTU`"
}
