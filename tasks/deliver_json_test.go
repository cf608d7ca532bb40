package tasks

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/hibiken/asynq"
)

func sampleDeliver(vars map[string]string, match string) Deliver {
	return Deliver{TenantID: "70e4ab2a-6b05-4db3-8862-f2c9c463943a", Monitor: `Big "swaps" <&>`, Network: "stellar_mainnet",
		Ledger: 63092987, TxHash: "d0ccbe4c", Trigger: "hook\\1", Tier: TierHigh, Vars: vars, Match: json.RawMessage(match),
		ScheduledAt: time.Date(2026, 11, 27, 7, 8, 29, 2568903, time.UTC), LedgerClosedAt: time.Date(2026, 11, 27, 7, 8, 20, 0, time.FixedZone("x", 3600))}
}

// TestDeliverPayloadRoundTrip: every awkward string a template variable
// can hold comes back from NewTask and Decode as it went in.
func TestDeliverPayloadRoundTrip(t *testing.T) {
	awkward := map[string]string{
		"events":          "\n\n*Matched Events:*\n\t`transfer(Address,Map<String,I128>)`",
		"quote\"key":      `back\slash "quoted"`,
		"ctl":             "\x00\x01\x08\x0c\x1f\x7f",
		"unicode":         "héllo ✓ \u2028 \u2029 𝄞",
		"html":            "<script>&amp;</script>",
		"empty":           "",
		"events.0.args.3": "{amount:2510000599}",
	}
	for name, d := range map[string]Deliver{
		"vars":       sampleDeliver(awkward, ""),
		"match":      sampleDeliver(map[string]string{"a": "b"}, `{"Stellar":{"monitor":{"name":"x"},"ledger":{"sequence":1}}}`),
		"nil vars":   sampleDeliver(nil, ""),
		"zero times": {TenantID: "t", Monitor: "m", Network: "n", Trigger: "tr", Tier: TierDefault},
	} {
		task, err := NewTask(d)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var back Deliver
		if err := Decode(task, &back); err != nil {
			t.Fatalf("%s: decode: %v", name, err)
		}
		d.V = deliverPayloadVersion
		if !reflect.DeepEqual(back.Vars, d.Vars) || string(back.Match) != string(d.Match) || back.TenantID != d.TenantID ||
			back.Monitor != d.Monitor || back.Trigger != d.Trigger || back.Ledger != d.Ledger || back.V != d.V ||
			!back.ScheduledAt.Equal(d.ScheduledAt) || !back.LedgerClosedAt.Equal(d.LedgerClosedAt) {
			t.Errorf("%s: decoded back as %+v", name, back)
		}
	}
}

func TestDeliverJSONRefusesInvalidMatch(t *testing.T) {
	if _, err := NewTask(sampleDeliver(nil, `{"Stellar":`)); err == nil {
		t.Fatal("a payload with a truncated match JSON was encoded")
	}
}

// TestDecodeExplainsAFutureVersion: a payload of another version that
// also does not fit today's struct is reported as a version problem.
func TestDecodeExplainsAFutureVersion(t *testing.T) {
	var d Deliver
	err := Decode(asynq.NewTask(TypeDeliver, []byte(`{"v":3,"ledger":"sixty"}`)), &d)
	if err == nil || !strings.Contains(err.Error(), "version 3 is not one this build reads") {
		t.Fatalf("err = %v", err)
	}
}

// TestDeliverReadsVersion1: a task enqueued before the upgrade (the whole
// MonitorMatch inline) is still read, its match intact; a version-2 task
// carries the reference.
func TestDeliverReadsVersion1(t *testing.T) {
	old := `{"v":1,"tenant_id":"t1","monitor":"m","network":"n","ledger":7,"tx_hash":"ab","trigger":"hook","tier":"default",` +
		`"vars":{"monitor.name":"m"},"match":{"Stellar":{"monitor":{"name":"m"},"ledger":{"sequence":7}}}}`
	var d Deliver
	if err := Decode(asynq.NewTask(TypeDeliver, []byte(old)), &d); err != nil {
		t.Fatal(err)
	}
	if d.V != 1 || string(d.Match) != `{"Stellar":{"monitor":{"name":"m"},"ledger":{"sequence":7}}}` || d.Vars["monitor.name"] != "m" {
		t.Fatalf("decoded %+v", d)
	}
	d.Match, d.MatchRef = nil, json.RawMessage(`{"json":"{\"Stellar\":{\"monitor\":}}","holes":[{"at":22,"what":"monitor"}]}`)
	task, err := NewTask(d)
	if err != nil {
		t.Fatal(err)
	}
	var back Deliver
	if err := Decode(task, &back); err != nil {
		t.Fatal(err)
	}
	if back.V != 2 || string(back.MatchRef) != string(d.MatchRef) {
		t.Fatalf("decoded back %+v", back)
	}
	for _, bad := range []string{`{"v":0}`, `{"tenant_id":"t"}`} {
		if err := Decode(asynq.NewTask(TypeDeliver, []byte(bad)), &d); err == nil {
			t.Errorf("%s decoded", bad)
		}
	}
}

func BenchmarkDeliverPayload(b *testing.B) {
	vars := map[string]string{}
	for _, k := range []string{"monitor.name", "transaction.hash", "ledger.sequence", "events", "functions",
		"events.0.signature", "events.0.args.0", "events.0.args.1", "events.0.args.2", "events.0.args.3",
		"transaction.from", "transaction.to", "transaction.fee", "network.name", "network.slug"} {
		vars[k] = "GB6Q5YVITH3VDE2UA5AQTWNG3FDQ3NCLUMLLYWJ5Y4FRVJMLWPZPB5KS `transfer(Address,Address,String,I128)`"
	}
	d := sampleDeliver(vars, "")
	for b.Loop() {
		task, err := NewTask(d)
		if err != nil {
			b.Fatal(err)
		}
		var back Deliver
		if err := Decode(task, &back); err != nil {
			b.Fatal(err)
		}
	}
}
