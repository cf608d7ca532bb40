package handlers_test

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/ozmon/ozmon/cache"
	"github.com/ozmon/ozmon/chain"
	"github.com/ozmon/ozmon/chain/solana"
	"github.com/ozmon/ozmon/handlers"
	"github.com/ozmon/ozmon/internal/testkit"
	"github.com/ozmon/ozmon/monitor/ozconfig"
	"github.com/ozmon/ozmon/ozmontest"
	"github.com/ozmon/ozmon/scheduler"
	"github.com/ozmon/ozmon/store"
)

const solSlug = "solana_sim"

// TestSolanaThroughThePipeline runs synthetic Solana slots (one skipped,
// a failed transaction every seventh, v0 transactions with lookup-table
// CPIs) through scheduler, fetch-block, the block cache, the fan-out into
// evaluate-tenants batches and delivery, with 10 and with 1,000 tenants
// whose Solana monitors match: every slot costs exactly one getBlock and
// nothing but getBlock and the scheduler's getSlot polls is called,
// whatever the tenants; every notification expected from the sim's raw
// transactions arrives exactly once; the skipped slot is cached as an
// empty block and not retried, the cached blocks equal what the node
// served, and their program ids (what the monitor index looks up) include
// the table-loaded CPI program.
func TestSolanaThroughThePipeline(t *testing.T) {
	t.Parallel()
	dir, _ := mainnetLedgers(t)
	for _, n := range []int{10, 1000} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			p := newPipeline(t, dir)
			p.networks = []string{solSlug}
			sim := ozmontest.StartSolanaSim(t, ozmontest.SolanaSimSynthetic(ozmontest.SolanaSynthetic{Seed: 11, StartSlot: 5000, Slots: 12, TxPerSlot: 40}))
			slots := sim.Slots()
			first, tip := slots[0], sim.Tip()
			var blocks []*chain.Block
			for _, s := range slots {
				blocks = append(blocks, sim.Block(s))
			}
			// Each tenant watches deposits of one amount: the successful
			// ones notify, the failed ones (status Success required) do not.
			deposits := testkit.AnchorCalls(blocks, ozmontest.SolanaSimAnchorProgram, "deposit")
			if !slices.ContainsFunc(deposits, func(c testkit.AnchorCall) bool { return c.Failed }) {
				t.Fatal("the synthetic slots hold no failed deposit")
			}
			want := map[notification]int{}
			for i := 0; i < n; i++ {
				name, amount := fmt.Sprintf("sol-%d", i), deposits[i%len(deposits)].Amount
				cfg, raw := solanaTenantConfig(t, name, fmt.Sprintf("amount == %d", amount), p.sink.URL())
				p.importTenant(fmt.Sprintf("t%04d", i), cfg, raw, "")
				for _, c := range deposits {
					if c.Amount == amount && !c.Failed {
						want[notification{name, c.Signature}] = 1
					}
				}
			}
			if err := p.st.AdvanceCursor(context.Background(), solSlug, first-1); err != nil {
				t.Fatal(err)
			}
			var skipped []uint64
			for _, s := range slots {
				if sim.Skipped(s) {
					skipped = append(skipped, s)
				}
			}
			if len(skipped) == 0 {
				t.Fatal("the synthetic slots hold no skipped slot")
			}
			// Each worker's own Solana source, as cmd/ozmon wires it.
			p.configure = func(hc *handlers.Config) {
				client, err := solana.NewClient([]chain.Endpoint{{URL: sim.URL(), Weight: 100}})
				if err != nil {
					t.Error(err)
					return
				}
				hc.Fetchers[solSlug] = &solana.Source{Client: client, Network: solSlug,
					OnSkipped: func(uint64) { hc.Metrics.EmptySlots.WithLabelValues(solSlug).Inc() }}
			}
			p.startWorker(20, nil)
			p.startSolanaScheduler(sim)
			waitUntil(t, 2*time.Minute, "the Solana cursor to reach the tip", func() bool {
				cur, _, _ := p.st.Cursor(context.Background(), solSlug)
				return cur == tip
			})
			p.waitDelivered(len(want), 2*time.Minute)
			waitQueuesIdle(t, p)

			got := parseNotifications(t, p.sink.Requests())
			for k, c := range got {
				if want[k] == 0 {
					t.Errorf("%d tenants: unexpected notification %v", n, k)
				} else if c != 1 {
					t.Errorf("%d tenants: notification %v delivered %d times", n, k, c)
				}
			}
			for k := range want {
				if got[k] == 0 {
					t.Errorf("%d tenants: missing notification %v", n, k)
				}
			}
			// One getBlock per slot, skipped ones included; the getSlot
			// polls are the scheduler's (one per tick), not per tenant.
			for method, c := range sim.CallCounts() {
				switch method {
				case "getBlock":
					if c != len(slots) {
						t.Errorf("%d tenants: getBlock calls = %d, want %d (one per slot, skipped ones included)", n, c, len(slots))
					}
				case "getSlot":
				default:
					t.Errorf("%d tenants: %d %s calls, want none", n, c, method)
				}
			}
			if c := sim.Calls("getSlot"); c == 0 {
				t.Errorf("%d tenants: no getSlot call: the scheduler never read the tip", n)
			}
			if c := p.sim.Calls("getLedgers"); c != 0 {
				t.Errorf("stellar getLedgers = %d without a Stellar scheduler", c)
			}
			rdb := redis.NewClient(p.rdbOpts)
			defer rdb.Close()
			bc, err := cache.New(rdb)
			if err != nil {
				t.Fatal(err)
			}
			sawLookupCPI := false
			for _, s := range slots {
				b, err := bc.Get(context.Background(), solSlug, s)
				if err != nil || b == nil {
					t.Fatalf("slot %d not cached: %v", s, err)
				}
				if slices.Contains(skipped, s) {
					if b.Solana == nil || !b.Solana.Skipped || len(b.Transactions) != 0 {
						t.Errorf("skipped slot %d cached as %+v", s, b)
					}
					continue
				}
				served := *sim.Block(s)
				served.Network = solSlug
				if !reflect.DeepEqual(b, &served) {
					t.Errorf("slot %d: cached block differs from the node's", s)
				}
				sawLookupCPI = sawLookupCPI || slices.Contains(b.Contracts(), ozmontest.SolanaSimLookupProgram)
			}
			if !sawLookupCPI {
				t.Errorf("no cached block lists the lookup-table CPI program %s among its program ids", ozmontest.SolanaSimLookupProgram)
			}
		})
	}
}

// startSolanaScheduler runs a scheduler for the Solana network (tip from
// getSlot, no confirmation offset) every second.
func (p *pipeline) startSolanaScheduler(sim *ozmontest.SolanaSim) {
	p.t.Helper()
	rdb := redis.NewClient(p.rdbOpts)
	client := asynq.NewClientFromRedisClient(rdb)
	rpc, err := solana.NewClient([]chain.Endpoint{{URL: sim.URL(), Weight: 100}})
	if err != nil {
		p.t.Fatal(err)
	}
	s := scheduler.New(client, p.st, scheduler.WithLogger(p.log))
	if err := s.AddNetwork(scheduler.Network{Slug: solSlug, CronSchedule: "@every 1s", Tip: &solana.Source{Client: rpc, Network: solSlug}}); err != nil {
		p.t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = s.Run(ctx) }()
	p.addStop(func() { cancel(); <-done; client.Close(); rdb.Close() })
}

// solanaTenantConfig is one tenant whose monitor watches the synthetic
// Anchor program's successful deposit calls for which expression holds
// (the IDL-decoded arguments, QS1), notifying the sink with the
// transaction's signature.
func solanaTenantConfig(t testing.TB, name, expression, sinkURL string) (*ozconfig.Config, store.RawConfig) {
	t.Helper()
	netJSON := fmt.Sprintf(`{"network_type":"Solana","slug":%q,"name":"Solana Sim","rpc_urls":[{"type_":"rpc","url":{"type":"plain","value":"http://127.0.0.1:1"},"weight":100}],
		"block_time_ms":400,"confirmation_blocks":1,"cron_schedule":"*/1 * * * * *","max_past_blocks":100,"store_blocks":false}`, solSlug)
	mon, err := json.Marshal(map[string]any{
		"name": name, "paused": false, "networks": []string{solSlug},
		"addresses": []any{map[string]any{"address": ozmontest.SolanaSimAnchorProgram, "contract_spec": json.RawMessage(ozmontest.SolanaSimAnchorIDL)}},
		"match_conditions": map[string]any{"functions": []any{map[string]any{"signature": "deposit", "expression": expression}},
			"events": []any{}, "transactions": []any{map[string]any{"status": "Success"}}},
		"trigger_conditions": []any{}, "triggers": []string{"solhook"},
	})
	if err != nil {
		t.Fatal(err)
	}
	trig := fmt.Sprintf(`{"name":"solhook","trigger_type":"webhook","config":{"url":{"type":"plain","value":%q},"method":"POST",
		"secret":{"type":"plain","value":"s3cret"},"headers":{"Content-Type":"application/json"},
		"message":{"title":"${monitor.name}","body":"${transaction.signature}"}}}`, sinkURL)
	n, err := ozconfig.ParseNetwork("network", []byte(netJSON))
	if err != nil {
		t.Fatal(err)
	}
	tr, err := ozconfig.ParseTrigger("trigger", []byte(trig))
	if err != nil {
		t.Fatal(err)
	}
	tr.Key = "solhook"
	cfg := &ozconfig.Config{Networks: map[string]*ozconfig.Network{solSlug: n}, Monitors: map[string]*ozconfig.Monitor{name: parseMonitor(t, mon)},
		Triggers: map[string]*ozconfig.Trigger{"solhook": tr}}
	if err := cfg.Validate(name); err != nil {
		t.Fatal(err)
	}
	raw := store.RawConfig{Networks: map[string]json.RawMessage{solSlug: json.RawMessage(netJSON)}, Monitors: map[string]json.RawMessage{name: mon},
		Triggers: map[string]json.RawMessage{"solhook": json.RawMessage(trig)}}
	return cfg, raw
}
