package handlers_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ozmon/ozmon/monitor/ozconfig"
	"github.com/ozmon/ozmon/store"
)

// TestBadTenantsHarmNoOne runs a good tenant beside a tenant with a broken
// monitor row (the tenant's other monitor must still fire), a tenant whose
// monitor names a network this deployment does not serve, and a tenant
// whose webhook points at a dead port. The good notifications all arrive,
// once; the dead one ends archived in the delivery log.
func TestBadTenantsHarmNoOne(t *testing.T) {
	t.Parallel()
	dir, blocks := mainnetLedgers(t)
	p := newPipeline(t, dir)
	targets := rareTargets(blocks, 3)
	want := map[notification]int{}
	expect := func(name string, tg eventTarget) {
		for tx := range tg.txs {
			want[notification{name, tx}] = 1
		}
	}

	// A: a plain good tenant.
	cfg, raw := tenantConfig(t, "a-good", targets[0], "", p.sink.URL())
	p.importTenant("a", cfg, raw, "")
	expect("a-good", targets[0])

	// B: a good monitor and one whose stored row is corrupted afterwards.
	cfgB, rawB := tenantConfig(t, "b-good", targets[1], "", p.sink.URL())
	cfgBad, rawBad := tenantConfig(t, "b-broken", targets[2], "", p.sink.URL())
	cfgB.Monitors["b-broken"], rawB.Monitors["b-broken"] = cfgBad.Monitors["b-broken"], rawBad.Monitors["b-broken"]
	p.importTenant("b", cfgB, rawB, "")
	broken := strings.Replace(string(rawBad.Monitors["b-broken"]), `"signature":`, `"expression":"0 ==== 1","signature":`, 1)
	if _, err := p.st.Pool().Exec(context.Background(), `UPDATE tenant_monitors SET configuration = $1 WHERE name = 'b-broken'`, broken); err != nil {
		t.Fatal(err)
	}
	expect("b-good", targets[1])

	// C: a monitor on a network that is not served.
	cfgC, rawC := tenantConfig(t, "c-elsewhere", targets[3], "", p.sink.URL())
	other := *cfgC.Networks[mainnet]
	other.Slug = "stellar_elsewhere"
	cfgC.Networks = map[string]*ozconfig.Network{"stellar_elsewhere": &other}
	cfgC.Monitors["c-elsewhere"].Networks = []string{"stellar_elsewhere"}
	rawC.Networks = map[string]json.RawMessage{"stellar_elsewhere": json.RawMessage(strings.Replace(string(rawC.Networks[mainnet]), mainnet, "stellar_elsewhere", 1))}
	rawC.Monitors["c-elsewhere"] = json.RawMessage(strings.Replace(string(rawC.Monitors["c-elsewhere"]), mainnet, "stellar_elsewhere", 1))
	p.importTenant("c", cfgC, rawC, "")

	// D: a trigger whose receiver is down, with a quick retry policy.
	cfgD, rawD := tenantConfig(t, "d-dead", targets[4], "", "http://127.0.0.1:1/hook")
	rawD.Triggers["hook"] = json.RawMessage(strings.Replace(string(rawD.Triggers["hook"]), `"method":"POST",`,
		`"method":"POST","retry_policy":{"max_retries":1,"base_for_backoff":2,"initial_backoff":{"secs":0,"nanos":100000000},"max_backoff":{"secs":0,"nanos":200000000},"jitter":"none"},`, 1))
	tr, err := ozconfig.ParseTrigger("hook", rawD.Triggers["hook"])
	if err != nil {
		t.Fatal(err)
	}
	tr.Key = "hook"
	cfgD.Triggers["hook"] = tr
	idD := p.importTenant("d", cfgD, rawD, "")

	p.startWorker(10, nil)
	p.startScheduler()
	p.advanceAll(50*time.Millisecond, nil)
	got := parseNotifications(t, p.waitDelivered(len(want), time.Minute))
	if len(got) != len(want) {
		t.Errorf("got %d distinct notifications, want %d: %v", len(got), len(want), got)
	}
	for n := range want {
		if got[n] != 1 {
			t.Errorf("notification %v delivered %d times, want 1", n, got[n])
		}
	}
	// D's notifications end archived (dead letter), not lost and not sent.
	deadline := time.Now().Add(time.Minute)
	for {
		ds, err := p.st.ListDeliveries(context.Background(), store.DeliveryFilter{TenantID: idD})
		if err != nil {
			t.Fatal(err)
		}
		archived := 0
		for _, d := range ds {
			if d.Status == store.DeliveryArchived {
				archived++
			}
		}
		if len(ds) == len(targets[4].txs) && archived == len(ds) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("dead receiver's deliveries: %s", fmt.Sprint(ds))
		}
		time.Sleep(100 * time.Millisecond)
	}
}
