package handlers_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/ozmon/ozmon/chain"
	"github.com/ozmon/ozmon/chain/midnight"
	"github.com/ozmon/ozmon/handlers"
	"github.com/ozmon/ozmon/monitor/ozconfig"
	"github.com/ozmon/ozmon/ozmontest"
	"github.com/ozmon/ozmon/scheduler"
	"github.com/ozmon/ozmon/store"
)

const midSlug = "midnight_sim"

// midnightTenant is a tenant watching the bulletin contract's circuit on
// the Midnight network, notifying the sink.
func midnightTenant(t *testing.T, simURL, sinkURL, name, circuit string) (*ozconfig.Config, store.RawConfig) {
	t.Helper()
	netJSON := fmt.Sprintf(`{"network_type":"Midnight","slug":%q,"name":"Midnight sim","rpc_urls":[{"type_":"ws_rpc","url":{"type":"plain","value":%q},"weight":100}],
		"chain_id":0,"block_time_ms":6000,"confirmation_blocks":1,"cron_schedule":"*/1 * * * * *","max_past_blocks":50,"store_blocks":false}`, midSlug, simURL)
	mon, _ := json.Marshal(map[string]any{
		"name": name, "paused": false, "networks": []string{midSlug},
		"addresses":            []any{map[string]any{"address": ozmontest.MidnightSimBulletin}},
		"chain_configurations": []any{map[string]any{"midnight": map[string]any{"viewing_keys": []any{}}}},
		"match_conditions":     map[string]any{"functions": []any{map[string]any{"signature": circuit + "()"}}, "events": []any{}, "transactions": []any{map[string]any{"status": "Success"}}},
		"trigger_conditions":   []any{}, "triggers": []string{"hook"},
	})
	trig := fmt.Sprintf(`{"name":"hook","trigger_type":"webhook","config":{"url":{"type":"plain","value":%q},"method":"POST",
		"secret":{"type":"plain","value":"s3cret"},"headers":{"Content-Type":"application/json"},
		"message":{"title":"${monitor.name}","body":"${functions.0.signature} ${transaction.hash}"}}}`, sinkURL)
	n, err := ozconfig.ParseNetwork("network", []byte(netJSON))
	if err != nil {
		t.Fatal(err)
	}
	m := parseMonitor(t, mon)
	tr, err := ozconfig.ParseTrigger("trigger", []byte(trig))
	if err != nil {
		t.Fatal(err)
	}
	tr.Key = "hook"
	cfg := &ozconfig.Config{Networks: map[string]*ozconfig.Network{midSlug: n}, Monitors: map[string]*ozconfig.Monitor{name: m}, Triggers: map[string]*ozconfig.Trigger{"hook": tr}}
	if err := cfg.Validate(name); err != nil {
		t.Fatal(err)
	}
	return cfg, store.RawConfig{Networks: map[string]json.RawMessage{midSlug: json.RawMessage(netJSON)}, Monitors: map[string]json.RawMessage{name: mon},
		Triggers: map[string]json.RawMessage{"hook": json.RawMessage(trig)}}
}

// TestMidnightThroughThePipeline runs Midnight blocks through scheduler,
// fetch-block, the block cache, fan-out, evaluation and delivery with 10
// and with 1,000 tenants: each block costs one chain_getBlockHash, one
// midnight_jsonBlock, one state_getStorage and one midnight_decodeEvents
// whatever the number of tenants, and the two tenants whose monitor names
// the circuit called by an applied transaction are notified exactly once,
// with the OZ template variables filled.
func TestMidnightThroughThePipeline(t *testing.T) {
	t.Parallel()
	dir, _ := mainnetLedgers(t)
	for _, n := range []int{10, 1000} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			p := newPipeline(t, dir)
			p.extraNetworks = []string{midSlug}
			sim := ozmontest.StartMidnightSim(t)
			other := "020200" + "aa" + ozmontest.MidnightSimBulletin[8:]
			const hit = "ab00000000000000000000000000000000000000000000000000000000000001"
			for b := uint64(1); b <= 6; b++ {
				txs := []ozmontest.MidnightSimTx{{Hash: fmt.Sprintf("%064x", b), Applied: true, Calls: []ozmontest.MidnightSimCall{{Address: other, Name: "post"}}}}
				switch b {
				case 3:
					txs = append(txs, ozmontest.MidnightSimTx{Hash: hit, Applied: true, Calls: []ozmontest.MidnightSimCall{{Address: ozmontest.MidnightSimBulletin, Name: "post"}}})
				case 4: // called but not applied: the Success condition refuses it
					txs = append(txs, ozmontest.MidnightSimTx{Hash: fmt.Sprintf("cd%062x", b), Calls: []ozmontest.MidnightSimCall{{Address: ozmontest.MidnightSimBulletin, Name: "post"}}})
				}
				sim.AddBlock(b, txs...)
			}
			for i := 0; i < n; i++ {
				circuit := "take_down" // never called
				if i == 0 || i == n-1 {
					circuit = "post"
				}
				name := fmt.Sprintf("m%d", i)
				cfg, raw := midnightTenant(t, sim.URL(), p.sink.URL(), name, circuit)
				p.importTenant(fmt.Sprintf("t%04d", i), cfg, raw, "")
			}
			if err := p.st.AdvanceCursor(context.Background(), midSlug, 0); err != nil {
				t.Fatal(err)
			}
			p.configure = func(hc *handlers.Config) {
				client, err := midnight.NewClient([]chain.Endpoint{{URL: sim.URL(), Weight: 100}})
				if err != nil {
					t.Error(err)
					return
				}
				hc.Fetchers[midSlug] = &midnight.Source{Client: client, Network: midSlug}
			}
			p.startWorker(20, nil)
			p.startMidnightScheduler(sim)
			waitUntil(t, 2*time.Minute, "the Midnight cursor to reach the tip", func() bool {
				cur, _, _ := p.st.Cursor(context.Background(), midSlug)
				return cur == 6
			})
			waitQueuesIdle(t, p)
			reqs, err := p.sink.WaitFor(2, 30*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			time.Sleep(200 * time.Millisecond) // a duplicate would arrive now
			if c := p.sink.Count(); c != 2 {
				t.Errorf("%d notifications, want 2", c)
			}
			var bodies []string
			for _, r := range reqs {
				var msg struct {
					Title string `json:"title"`
					Body  string `json:"body"`
				}
				if err := json.Unmarshal(r.Body, &msg); err != nil {
					t.Fatalf("webhook body %s: %v", r.Body, err)
				}
				bodies = append(bodies, msg.Title+": "+msg.Body)
			}
			slices.Sort(bodies)
			want := []string{"m0: post " + hit, fmt.Sprintf("m%d: post %s", n-1, hit)}
			slices.Sort(want)
			if !slices.Equal(bodies, want) {
				t.Errorf("notifications %q, want %q", bodies, want)
			}
			for _, m := range []string{"chain_getBlockHash", "midnight_jsonBlock", "state_getStorage", "midnight_decodeEvents"} {
				if c := sim.Calls(m); c != 6 {
					t.Errorf("%d tenants: %s calls = %d, want 6 (one per block)", n, m, c)
				}
			}
		})
	}
}

// startMidnightScheduler runs a scheduler for the Midnight network (tip
// from the finalised head) every second.
func (p *pipeline) startMidnightScheduler(sim *ozmontest.MidnightSim) {
	p.t.Helper()
	rdb := redis.NewClient(p.rdbOpts)
	client := asynq.NewClientFromRedisClient(rdb)
	rpc, err := midnight.NewClient([]chain.Endpoint{{URL: sim.URL(), Weight: 100}})
	if err != nil {
		p.t.Fatal(err)
	}
	s := scheduler.New(client, p.st, scheduler.WithLogger(p.log))
	if err := s.AddNetwork(scheduler.Network{Slug: midSlug, CronSchedule: "@every 1s", Tip: &midnight.Source{Client: rpc, Network: midSlug}}); err != nil {
		p.t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = s.Run(ctx) }()
	p.addStop(func() { cancel(); <-done; client.Close(); rdb.Close(); _ = rpc.Close() })
}
