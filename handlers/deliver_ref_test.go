package handlers_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ozmon/ozmon/chain"
	"github.com/ozmon/ozmon/internal/testkit"
	"github.com/ozmon/ozmon/monitor"
	"github.com/ozmon/ozmon/monitor/ozconfig"
	"github.com/ozmon/ozmon/tasks"
)

// withRawMonitor turns tenantConfig's monitor into one whose transaction
// condition has expression, and its trigger into a raw webhook.
func withRawMonitor(t *testing.T, cfg *ozconfig.Config, raw map[string]json.RawMessage, trig map[string]json.RawMessage, name, expression string) {
	t.Helper()
	var mon map[string]any
	if err := json.Unmarshal(raw[name], &mon); err != nil {
		t.Fatal(err)
	}
	mc := mon["match_conditions"].(map[string]any)
	mc["transactions"] = []any{map[string]any{"status": "Any", "expression": expression}}
	js, _ := json.Marshal(mon)
	raw[name] = js
	cfg.Monitors[name] = parseMonitor(t, js)
	var tr map[string]any
	if err := json.Unmarshal(trig["hook"], &tr); err != nil {
		t.Fatal(err)
	}
	tr["config"].(map[string]any)["payload_mode"] = "raw"
	js, _ = json.Marshal(tr)
	trig["hook"] = js
	cfg.Triggers["hook"] = parseTrigger(t, js)
	if err := cfg.Validate(name); err != nil {
		t.Fatal(err)
	}
}

// TestDeliverTaskSizeIndependentOfMonitor: a monitor with a 1 MB
// expression that matches makes deliver tasks of a few KB (they carry a
// reference to the monitor, not the monitor), and the raw webhook still
// receives the whole MonitorMatch, expression and configuration included.
func TestDeliverTaskSizeIndependentOfMonitor(t *testing.T) {
	t.Parallel()
	dir, blocks := mainnetLedgers(t)
	p := newPipeline(t, dir)
	tg := rareTargets(blocks, 2)[0]
	const name = "big"
	expression := testkit.LongExpression("ledger", 60<<10)
	cfg, raw := tenantConfig(t, name, tg, "", p.sink.URL())
	withRawMonitor(t, cfg, raw.Monitors, raw.Triggers, name, expression)
	p.importTenant("acme", cfg, raw, "")
	if _, err := p.sim.Advance(lastLedger - firstLedger); err != nil {
		t.Fatal(err)
	}
	p.startWorker(10, nil)
	p.startScheduler()
	reqs := p.waitDelivered(len(tg.txs), time.Minute)
	for _, r := range reqs {
		var body struct {
			Stellar struct {
				Monitor   map[string]any `json:"monitor"`
				MatchedOn struct {
					Transactions []struct{ Expression *string } `json:"transactions"`
				} `json:"matched_on"`
			} `json:"Stellar"`
		}
		if err := json.Unmarshal(r.Body, &body); err != nil {
			t.Fatalf("raw body is not a MonitorMatch: %v", err)
		}
		mc, _ := body.Stellar.Monitor["match_conditions"].(map[string]any)
		txs := body.Stellar.MatchedOn.Transactions
		if body.Stellar.Monitor["name"] != name || mc == nil || len(txs) != 1 || txs[0].Expression == nil || *txs[0].Expression != expression {
			t.Fatalf("raw body lacks the monitor or its expression (%d bytes): %.300s", len(r.Body), r.Body)
		}
		// As serde_json writes it: ">=" as written, not "\u003e=".
		if !strings.Contains(string(r.Body), `"expression":"ledger >= 0 OR`) {
			t.Fatalf("raw body escapes the expression: %.300s", r.Body)
		}
	}
	for _, ti := range p.completedDelivers(t, len(tg.txs)) {
		if len(ti.Payload) > 8<<10 {
			t.Errorf("deliver task %s holds %d bytes for a monitor of %d", ti.ID, len(ti.Payload), len(expression))
		}
		t.Logf("deliver task: %d bytes", len(ti.Payload))
	}
}

// BenchmarkDeliverTaskBytes reports a deliver task's size for a monitor
// with a small and a 60 KiB expression (just under limits.expression_bytes): "whole" is the MonitorMatch the
// version-1 task carried, "ref" what a task carries now.
func BenchmarkDeliverTaskBytes(b *testing.B) {
	_, blocks := mainnetLedgers(b)
	tg := rareTargets(blocks, 2)[0]
	for _, size := range []int{0, 60 << 10} {
		b.Run(fmt.Sprint("expression=", size), func(b *testing.B) {
			mon := parseMonitor(b, []byte(fmt.Sprintf(`{"name":"big","paused":false,"networks":[%q],"addresses":[{"address":%q}],
				"match_conditions":{"functions":[],"events":[{"signature":%q}],"transactions":[{"status":"Any","expression":%q}]},
				"trigger_conditions":[],"triggers":["hook"]}`, mainnet, tg.contract, tg.signature, testkit.LongExpression("ledger", size))))
			cm, err := monitor.Compile("acme", mon, nil)
			if err != nil {
				b.Fatal(err)
			}
			var m *monitor.Match
			for _, blk := range blocks {
				ms, err := monitor.NewEngine().EvaluateBlock(b.Context(), blk, []*monitor.CompiledMonitor{cm})
				if err != nil {
					b.Fatal(err)
				}
				if len(ms) > 0 {
					m = ms[0]
					break
				}
			}
			if m == nil {
				b.Fatal("no match")
			}
			var whole, ref int
			for b.Loop() {
				js, _ := m.MarshalOZJSON()
				full, err := tasks.NewTask(tasks.Deliver{TenantID: "acme", Monitor: "big", Trigger: "hook", Vars: m.Variables(), Match: js})
				if err != nil {
					b.Fatal(err)
				}
				r, err := m.MarshalOZRef()
				if err != nil {
					b.Fatal(err)
				}
				rjs, _ := json.Marshal(r)
				small, err := tasks.NewTask(tasks.Deliver{TenantID: "acme", Monitor: "big", Trigger: "hook", Vars: m.Variables(), MatchRef: rjs})
				if err != nil {
					b.Fatal(err)
				}
				whole, ref = len(full.Payload()), len(small.Payload())
			}
			b.ReportMetric(float64(whole), "whole-bytes/task")
			b.ReportMetric(float64(ref), "ref-bytes/task")
		})
	}
}

// refDelivery is a deliver task for tg's first transaction made the way
// evaluate-tenants makes it, from monitor "big" configured with a raw
// webhook and expression, and the MonitorMatch it stands for.
func refDelivery(t *testing.T, blocks []*chain.Block, tg eventTarget, tenantID, expression string) (tasks.Deliver, []byte) {
	t.Helper()
	cfg, raw := tenantConfig(t, "big", tg, "", "http://127.0.0.1:1")
	withRawMonitor(t, cfg, raw.Monitors, raw.Triggers, "big", expression)
	cm, err := monitor.Compile(tenantID, cfg.Monitors["big"], nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range blocks {
		ms, err := monitor.NewEngine().EvaluateBlock(context.Background(), b, []*monitor.CompiledMonitor{cm})
		if err != nil {
			t.Fatal(err)
		}
		if len(ms) == 0 {
			continue
		}
		whole, err := ms[0].MarshalOZJSON()
		if err != nil {
			t.Fatal(err)
		}
		ref, err := ms[0].MarshalOZRef()
		if err != nil {
			t.Fatal(err)
		}
		refJS, _ := json.Marshal(ref)
		return tasks.Deliver{TenantID: tenantID, Monitor: "big", Network: mainnet, Ledger: b.Ledger, TxHash: ms[0].Transaction.Hash,
			Trigger: "hook", Tier: tasks.TierDefault, Vars: ms[0].Variables(), MatchRef: refJS}, whole
	}
	t.Fatal("no match")
	return tasks.Deliver{}, nil
}

// TestDeliverSendsTheMonitorAsConfiguredNow: a raw webhook receives the
// MonitorMatch OpenZeppelin Monitor would send, byte for byte, while the
// monitor is unchanged; after a change, its current configuration (and no
// expression it no longer has); after its deletion, its name only.
func TestDeliverSendsTheMonitorAsConfiguredNow(t *testing.T) {
	t.Parallel()
	dir, blocks := mainnetLedgers(t)
	tg := rareTargets(blocks, 1)[0]
	for _, c := range []struct {
		name, monitor, expression string
		check                     func(t *testing.T, body string, whole []byte)
	}{
		{"unchanged", "big", "ledger >= 0", func(t *testing.T, body string, whole []byte) {
			if body != string(whole) {
				t.Fatalf("body\n%s\nwant\n%s", body, whole)
			}
		}},
		{"changed", "big", "ledger >= 1", func(t *testing.T, body string, _ []byte) {
			if !strings.Contains(body, `"transactions":[{"status":"Any","expression":"ledger >= 1"}]},"trigger_conditions"`) ||
				!strings.Contains(body, `"transactions":[{"status":"Success","expression":null}]`) {
				t.Fatalf("body %s", body)
			}
		}},
		{"deleted", "other", "ledger >= 0", func(t *testing.T, body string, _ []byte) {
			if !strings.HasPrefix(body, `{"Stellar":{"monitor":{"name":"big"},"transaction":`) || strings.Contains(body, "ledger >= 0") {
				t.Fatalf("body %s", body)
			}
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			p := newPipeline(t, dir)
			cfg, raw := tenantConfig(t, c.monitor, tg, "", p.sink.URL())
			withRawMonitor(t, cfg, raw.Monitors, raw.Triggers, c.monitor, c.expression)
			id := p.importTenant("acme", cfg, raw, "")
			d, whole := refDelivery(t, blocks, tg, id, "ledger >= 0")
			h, _ := p.directHandlers(t)
			task, _ := tasks.NewTask(d)
			if err := h.Deliver(context.Background(), task); err != nil {
				t.Fatal(err)
			}
			reqs := p.sink.Requests()
			if len(reqs) != 1 {
				t.Fatalf("%d requests", len(reqs))
			}
			c.check(t, string(reqs[0].Body), whole)
		})
	}
}
