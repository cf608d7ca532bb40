package notify_test

import (
	"testing"

	"github.com/ozmon/ozmon/notify"
)

// localGuard allow-lists 127.0.0.1 only, where the test receivers listen.
func localGuard(t testing.TB) *notify.Guard {
	t.Helper()
	g, err := notify.NewGuard(notify.Allow("127.0.0.1"))
	if err != nil {
		t.Fatalf("new guard: %v", err)
	}
	return g
}

func sampleVars() map[string]string {
	return map[string]string{
		"monitor.name":              "Vault <deposits>",
		"transaction.hash":          "ab12cd",
		"functions.0.signature":     "deposit(Address,I128)",
		"functions.0.args.from":     "GABC",
		"functions.0.args.amount":   "2240",
		"events.0.signature":        "transfer(Address,Address,I128)",
		"events.0.args.0":           "GABC",
		"events.0.args.1":           "CDEF",
		"events.0.args.2":           "2240",
		"transaction.fee_bump_flag": "false",
	}
}
