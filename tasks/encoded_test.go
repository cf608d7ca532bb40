package tasks_test

import (
	"bytes"
	"reflect"
	"testing"
	"time"

	"github.com/ozmon/ozmon/tasks"
)

// A payload encoded once makes the same task as the payload itself (type,
// id, queue, bytes), and its bytes compact to what Compact makes.
func TestEncodedMakesTheSameTask(t *testing.T) {
	t.Parallel()
	d := tasks.Deliver{TenantID: "00000000-0000-0000-0000-000000000001", Monitor: "m", Network: "stellar_mainnet",
		Ledger: 7, TxHash: "ab", Trigger: "hook", Tier: tasks.TierHigh, Vars: map[string]string{"a": "b"},
		MatchRef: []byte(`{"x":1}`), LedgerClosedAt: time.Unix(1700000000, 0).UTC()}
	enc, err := tasks.Encode(d)
	if err != nil {
		t.Fatal(err)
	}
	want, err := tasks.NewTask(d)
	if err != nil {
		t.Fatal(err)
	}
	got, err := tasks.NewTask(enc)
	if err != nil {
		t.Fatal(err)
	}
	if got.Type() != want.Type() || !bytes.Equal(got.Payload(), want.Payload()) {
		t.Fatalf("encoded task %s %s, want %s %s", got.Type(), got.Payload(), want.Type(), want.Payload())
	}
	if enc.TaskID() != d.TaskID() || enc.Queue() != d.Queue() {
		t.Fatalf("encoded task id %s queue %s, want %s %s", enc.TaskID(), enc.Queue(), d.TaskID(), d.Queue())
	}

	c, err := tasks.NewDeliverCodec()
	if err != nil {
		t.Fatal(err)
	}
	back, err := c.Expand(c.CompactJSON(enc.JSON))
	if err != nil {
		t.Fatal(err)
	}
	d.V = back.V // stamped by the encoding
	if !reflect.DeepEqual(back, d) {
		t.Fatalf("expanded %+v, want %+v", back, d)
	}
}
