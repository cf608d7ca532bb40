package notify

import (
	"context"
	"testing"
	"time"

	"github.com/ozmon/ozmon/ozmontest"
)

// localGuard allow-lists 127.0.0.1 only, where the test receivers listen.
func localGuard(t testing.TB) *Guard {
	t.Helper()
	g, err := NewGuard(Allow("127.0.0.1"))
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

// sendOne sends one notification of tenant t1 with vars through ch and
// returns what sink received.
func sendOne(t *testing.T, sink *ozmontest.WebhookSink, ch Channel, vars map[string]string) ozmontest.SinkRequest {
	t.Helper()
	if err := ch.Send(context.Background(), Notification{TenantID: "t1", Vars: vars}); err != nil {
		t.Fatalf("send: %v", err)
	}
	reqs, err := sink.WaitFor(1, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	return reqs[0]
}
