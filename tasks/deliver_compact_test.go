package tasks_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ozmon/ozmon/tasks"
)

// A compacted payload expands to the payload that was compacted, is
// smaller than its JSON, and garbage or a foreign version is refused.
func TestDeliverCodecRoundTrip(t *testing.T) {
	t.Parallel()
	c, err := tasks.NewDeliverCodec()
	if err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{}
	for _, k := range []string{"monitor.name", "transaction.hash", "events.0.signature", "events.0.args.amount", "events.0.args.to", "functions.0.signature"} {
		vars[k] = strings.Repeat("GABCDEFXYZ", 6)
	}
	p := tasks.Deliver{TenantID: "7b1b1c4e-0000-4000-8000-000000000001", Monitor: "Big swaps", Network: "stellar_mainnet", Ledger: 123456,
		TxHash: strings.Repeat("ab", 32), Trigger: "ops_hook", Tier: tasks.TierHigh, Vars: vars,
		MatchRef:       json.RawMessage(`{"config_sum":"x","transaction":{"hash":"` + strings.Repeat("ab", 32) + `","events":[{"topic":"transfer"},{"topic":"transfer"}]}}`),
		LedgerClosedAt: time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC)}
	b, err := c.Compact(p)
	if err != nil {
		t.Fatal(err)
	}
	js, _ := p.MarshalJSON()
	if len(b) >= len(js) {
		t.Errorf("compacted %d bytes, JSON %d: not smaller", len(b), len(js))
	}
	got, err := c.Expand(b)
	if err != nil {
		t.Fatal(err)
	}
	p.V = 2
	if !reflect.DeepEqual(got, p) || got.TaskID() != p.TaskID() {
		t.Fatalf("expanded:\n%+v\nwant\n%+v", got, p)
	}
	if _, err := c.Expand([]byte("not zstd")); err == nil {
		t.Error("garbage expanded without error")
	}
	future := tasks.CompressForTest(c, []byte(`{"v":99,"tenant_id":"x"}`))
	if _, err := c.Expand(future); err == nil || !strings.Contains(err.Error(), "version 99") {
		t.Errorf("version 99 payload: %v", err)
	}
}
