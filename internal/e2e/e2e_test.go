package e2e

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ozmon/ozmon/auth"
	"github.com/ozmon/ozmon/internal/testkit"
)

// monitorJSON is an OpenZeppelin Monitor watching tg's event on mainnet,
// firing triggers.
func monitorJSON(name string, tg target, triggers ...string) map[string]any {
	if triggers == nil {
		triggers = []string{}
	}
	return map[string]any{
		"name": name, "paused": false, "networks": []string{mainnet},
		"addresses": []any{map[string]any{"address": tg.contract}},
		"match_conditions": map[string]any{"functions": []any{}, "transactions": []any{},
			"events": []any{map[string]any{"signature": tg.signature}}},
		"trigger_conditions": []any{}, "triggers": triggers,
	}
}

// webhookJSON is a webhook trigger object posting to url.
func webhookJSON(name, url string) map[string]any {
	return map[string]any{"name": name, "trigger_type": "webhook", "config": map[string]any{
		"url": map[string]any{"type": "plain", "value": url}, "method": "POST",
		"secret":  map[string]any{"type": "plain", "value": "s3cret-signing-key"},
		"headers": map[string]any{"Content-Type": "application/json"},
		"message": map[string]any{"title": "${monitor.name}", "body": "${transaction.hash}"},
	}}
}

const (
	createMonitorQ  = `mutation($m: JSON!) { createMonitor(monitor: $m) { id name paused triggers networks } }`
	replaceMonitorQ = `mutation($id: ID!, $m: JSON!) { replaceMonitor(id: $id, monitor: $m) { id name triggers } }`
	createTriggerQ  = `mutation($t: JSON!) { createTrigger(trigger: $t) { id name type paused configuration } }`
	matchesQ        = `subscription($m: ID, $after: String) { matches(monitor: $m, after: $after) { kind id message monitor match } }`
	deliveriesSubQ  = `subscription($s: DeliveryStatus, $after: String) { deliveries(status: $s, after: $after) { kind id message delivery { monitor txHash trigger status } } }`
)

// TestEndToEnd is issue #14's "done means": an API key made by the
// operator's tooling; a monitor and a webhook trigger created through the
// API; a real mainnet ledger from the simulator matches; the subscription
// receives the match, the webhook sink the notification; the deliveries
// query shows it delivered, the audit log the writes, the usage query the
// ledger, the match and the delivery.
func TestEndToEnd(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	dir, tg := rareTarget(t)
	d := newDeployment(t)
	p := d.startPipeline(dir, tg.ledger-2)
	start := time.Now().UTC()

	tenant := d.tenant("acme")
	key, keyID := d.key(tenant, "ci", auth.RoleAdmin, time.Time{})

	// The monitor first without triggers (a trigger row hangs off a
	// monitor), then the trigger, then the monitor firing it.
	var cm struct{ CreateMonitor struct{ ID, Name string } }
	d.gql(t, key, createMonitorQ, map[string]any{"m": monitorJSON("watcher", tg)}).ok(t, &cm)
	if cm.CreateMonitor.Name != "watcher" || cm.CreateMonitor.ID == "" {
		t.Fatalf("createMonitor = %+v", cm)
	}
	var ct struct {
		CreateTrigger struct {
			Name, Type    string
			Configuration json.RawMessage
		}
	}
	d.gql(t, key, createTriggerQ, map[string]any{"t": webhookJSON("hook", p.sink.URL())}).ok(t, &ct)
	if ct.CreateTrigger.Name != "hook" || ct.CreateTrigger.Type != "webhook" {
		t.Fatalf("createTrigger = %+v", ct)
	}
	if s := string(ct.CreateTrigger.Configuration); strings.Contains(s, "s3cret-signing-key") || strings.Contains(s, p.sink.URL()) {
		t.Fatalf("createTrigger shows a secret: %s", s)
	}
	var rm struct{ ReplaceMonitor struct{ Triggers []string } }
	d.gql(t, key, replaceMonitorQ, map[string]any{"id": cm.CreateMonitor.ID, "m": monitorJSON("watcher", tg, "hook")}).ok(t, &rm)
	if !slices.Equal(rm.ReplaceMonitor.Triggers, []string{"hook"}) {
		t.Fatalf("replaceMonitor = %+v", rm)
	}

	// The worker hears of the change through LISTEN/NOTIFY.
	testkit.WaitUntil(t, 30*time.Second, "the worker loads the monitor with its trigger", func() bool {
		ten, ok := p.ts.Get(tenant)
		if !ok || ten.Config == nil || ten.Config.Monitors["watcher"] == nil {
			return false
		}
		return slices.Equal(ten.Config.Monitors["watcher"].Triggers, []string{"hook"})
	})

	// Subscribe to the monitor's matches and the delivered outcomes.
	ws, err := dialWS(ctx, d.wsURL(), key)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.close()
	if err := ws.subscribe(ctx, "m", matchesQ, map[string]any{"m": "watcher"}); err != nil {
		t.Fatal(err)
	}
	if err := ws.subscribe(ctx, "d", deliveriesSubQ, map[string]any{"s": "DELIVERED"}); err != nil {
		t.Fatal(err)
	}
	testkit.WaitUntil(t, 10*time.Second, "both subscriptions open on the hub", func() bool { return d.hub.Stats().Subscriptions >= 2 })

	p.advanceTo(tg.ledger + 1)

	// The subscriptions receive the match and its delivery.
	type matchEv struct {
		Kind, ID, Monitor string
		Match             json.RawMessage
	}
	type deliveryEv struct {
		Kind     string
		Delivery struct{ Monitor, TxHash, Trigger, Status string }
	}
	var gotMatch *matchEv
	var gotDelivery *deliveryEv
	rctx, rcancel := context.WithTimeout(ctx, time.Minute)
	defer rcancel()
	for gotMatch == nil || gotDelivery == nil {
		m, err := ws.next(rctx)
		if err != nil {
			t.Fatalf("waiting for the match and delivery frames (match %v, delivery %v): %v", gotMatch != nil, gotDelivery != nil, err)
		}
		if m.Type != "next" {
			t.Fatalf("frame %s %s, want next", m.Type, m.Payload)
		}
		var payload struct {
			Data struct {
				Matches    *matchEv
				Deliveries *deliveryEv
			}
			Errors []gqlError
		}
		if err := json.Unmarshal(m.Payload, &payload); err != nil || len(payload.Errors) > 0 {
			t.Fatalf("frame %s: %v", m.Payload, err)
		}
		switch m.ID {
		case "m":
			if gotMatch != nil {
				t.Fatalf("a second match: %s", m.Payload)
			}
			gotMatch = payload.Data.Matches
		case "d":
			if gotDelivery != nil {
				t.Fatalf("a second delivery: %s", m.Payload)
			}
			gotDelivery = payload.Data.Deliveries
		}
	}
	if gotMatch.Kind != "EVENT" || gotMatch.Monitor != "watcher" || gotMatch.ID == "" || !strings.Contains(string(gotMatch.Match), tg.tx) {
		t.Fatalf("match event = %+v", gotMatch)
	}
	var mm struct {
		Stellar struct {
			Monitor struct{ Name string }
		}
	}
	if err := json.Unmarshal(gotMatch.Match, &mm); err != nil || mm.Stellar.Monitor.Name != "watcher" {
		t.Fatalf("match is not a Stellar MonitorMatch of watcher: %s (%v)", gotMatch.Match, err)
	}
	if strings.Contains(string(gotMatch.Match), "s3cret-signing-key") {
		t.Fatal("the match event carries the trigger's secret")
	}
	if g := gotDelivery; g.Kind != "EVENT" || g.Delivery.Monitor != "watcher" || g.Delivery.TxHash != tg.tx || g.Delivery.Trigger != "hook" || g.Delivery.Status != "DELIVERED" {
		t.Fatalf("delivery event = %+v", g)
	}

	// The webhook sink has the notification, once.
	reqs, err := p.sink.WaitFor(1, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	var body struct{ Title, Body string }
	if err := json.Unmarshal(reqs[0].Body, &body); err != nil || body.Title != "watcher" || body.Body != tg.tx {
		t.Fatalf("notification %s: %v", reqs[0].Body, err)
	}

	// The deliveries query shows it delivered.
	var dq struct {
		Deliveries struct {
			Nodes []struct {
				Monitor, TxHash, Trigger, Status string
				Ledger, Attempts                 int
				DeliveredAt                      *time.Time
			}
		}
	}
	d.gql(t, key, `{ deliveries(filter: {monitor: "watcher"}) { nodes { monitor txHash trigger status ledger attempts deliveredAt } } }`, nil).ok(t, &dq)
	if n := dq.Deliveries.Nodes; len(n) != 1 || n[0].Status != "DELIVERED" || n[0].TxHash != tg.tx || n[0].Ledger != int(tg.ledger) || n[0].DeliveredAt == nil {
		t.Fatalf("deliveries = %+v", dq.Deliveries.Nodes)
	}
	if len(p.sink.Requests()) != 1 {
		t.Fatalf("the sink received %d notifications, want 1", len(p.sink.Requests()))
	}

	// The audit log shows the three writes, by the key.
	var aq struct {
		AuditLog struct {
			Nodes []struct{ Actor, Action, ResourceType string }
		}
	}
	d.gql(t, key, `{ auditLog(first: 10) { nodes { actor action resourceType resourceId details createdAt } } }`, nil).ok(t, &aq)
	var actions []string
	for _, n := range aq.AuditLog.Nodes {
		if n.Actor != "key:"+keyID {
			t.Errorf("audit entry %+v: actor, want key:%s", n, keyID)
		}
		actions = append(actions, n.ResourceType+":"+n.Action)
	}
	slices.Sort(actions)
	if !slices.Contains(actions, "monitor:monitor_created") || !slices.Contains(actions, "trigger:trigger_created") || len(actions) != 3 {
		t.Fatalf("audit actions = %v, want the monitor's creation and replacement and the trigger's creation", actions)
	}

	// Usage: the worker flushes its meter (every 10 s in production).
	if err := p.meter.Flush(ctx); err != nil {
		t.Fatalf("flush usage: %v", err)
	}
	var uq struct {
		Usage []struct {
			Hour                                            time.Time
			LedgersEvaluated, CandidateEvaluations, Matches int
			DeliveriesDelivered, DeliveriesFailed           int
			EvaluationCPUMs                                 float64 `json:"evaluationCpuMs"`
		}
	}
	d.gql(t, key, `query($from: Time!, $to: Time!) { usage(from: $from, to: $to) { hour ledgersEvaluated candidateEvaluations evaluationCpuMs matches deliveriesDelivered deliveriesFailed } }`,
		map[string]any{"from": start.Truncate(time.Hour), "to": time.Now().Add(time.Hour)}).ok(t, &uq)
	var ledgers, matches, delivered, failed int
	for _, h := range uq.Usage {
		ledgers += h.LedgersEvaluated
		matches += h.Matches
		delivered += h.DeliveriesDelivered
		failed += h.DeliveriesFailed
	}
	if ledgers < 1 || matches != 1 || delivered != 1 || failed != 0 {
		t.Fatalf("usage = %+v: want ≥ 1 ledger, 1 match, 1 delivered, 0 failed", uq.Usage)
	}
}
