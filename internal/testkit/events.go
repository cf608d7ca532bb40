package testkit

import (
	"strings"

	"github.com/ozmon/ozmon/chain"
)

// EventSignature spells an event as a monitor's signature without a spec:
// name(topic kinds…, data kind). Tests use it to pick events from the real
// ledgers independently of the monitor engine; ok is false for an event
// whose first topic is not a name.
func EventSignature(ev chain.Event) (sig string, ok bool) {
	if len(ev.Topics) == 0 || (ev.Topics[0].Kind != chain.KindSymbol && ev.Topics[0].Kind != chain.KindString) {
		return "", false
	}
	kinds := make([]string, 0, len(ev.Topics))
	for _, tp := range ev.Topics[1:] {
		kinds = append(kinds, tp.TypeName())
	}
	kinds = append(kinds, ev.Data.TypeName())
	return ev.Topics[0].Text + "(" + strings.Join(kinds, ",") + ")", true
}
