package handlers_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/ozmon/ozmon/chain"
	"github.com/ozmon/ozmon/chain/solana"
	"github.com/ozmon/ozmon/handlers"
	"github.com/ozmon/ozmon/internal/testkit"
	"github.com/ozmon/ozmon/ozmontest"
	"github.com/ozmon/ozmon/store"
	"github.com/ozmon/ozmon/tasks"
)

// solBenchTxPerSlot is the synthetic slot size: OZMON_BENCH_SOL_TX, default
// 1,200 (mainnet slots carry ~1,000–1,500 transactions).
func solBenchTxPerSlot(tb testing.TB) int {
	if v := os.Getenv("OZMON_BENCH_SOL_TX"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			tb.Fatalf("OZMON_BENCH_SOL_TX=%q: want a positive number of transactions per slot", v)
		}
		return n
	}
	return 1200
}

// processCPU is the CPU time (user + system) this process has spent, in
// seconds: the worker, the scheduler, the simulator and the sink, all
// in-process here.
func processCPU(tb testing.TB) float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		tb.Fatalf("getrusage: %v", err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}

// solanaBenchTenant is one tenant of the benchmark: four monitors on the
// synthetic Anchor program, every one a candidate of every slot. "hit"
// fires on the deposits of one amount; the three others are evaluated on
// every deposit, withdraw or DepositEvent of the slot and never hold.
func solanaBenchTenant(tb testing.TB, i int, amount uint64, sinkURL string) store.RawConfig {
	tb.Helper()
	cfg, raw := solanaTenantConfig(tb, "hit", fmt.Sprintf("amount == %d", amount), sinkURL)
	misses := map[string]map[string]any{
		"miss-deposit": {"functions": []any{map[string]any{"signature": "deposit", "expression": "amount == 1"}},
			"events": []any{}, "transactions": []any{map[string]any{"status": "Success"}}},
		"miss-withdraw": {"functions": []any{map[string]any{"signature": "withdraw", "expression": "memo == 'never this memo'"}},
			"events": []any{}, "transactions": []any{}},
		"miss-event": {"functions": []any{}, "events": []any{map[string]any{"signature": "DepositEvent", "expression": "amount == 1"}},
			"transactions": []any{}},
	}
	for name, mc := range misses {
		mon, err := json.Marshal(map[string]any{
			"name": name, "paused": false, "networks": []string{solSlug},
			"addresses":          []any{map[string]any{"address": ozmontest.SolanaSimAnchorProgram, "contract_spec": json.RawMessage(ozmontest.SolanaSimAnchorIDL)}},
			"match_conditions":   mc,
			"trigger_conditions": []any{}, "triggers": []string{"solhook"},
		})
		if err != nil {
			tb.Fatal(err)
		}
		cfg.Monitors[name], raw.Monitors[name] = parseMonitor(tb, mon), mon
	}
	if err := cfg.Validate(fmt.Sprintf("tenant %d", i)); err != nil {
		tb.Fatal(err)
	}
	return raw
}

// BenchmarkSolanaPipeline1000Tenants runs synthetic Solana slots of
// realistic size (OZMON_BENCH_SOL_TX transactions, default 1,200; a
// quarter of them Anchor deposits, a quarter withdraws, one slot in ten
// skipped, one transaction in seven failed) through one in-process worker
// (concurrency 50, batches of 200 tenants: the configuration defaults)
// with 1,000 tenants × 4 Solana monitors, all candidates of every slot,
// one per tenant firing once over the run. It reports
//   - catch-up: 20 slots already at the tip; slots/s until every slot is
//     fetched and every tenant evaluated, and until every notification is
//     at the sink; the CPU-s per slot of this process (worker, scheduler,
//     simulator and sink: getrusage; Redis and PostgreSQL not included —
//     summing /proc misses the PostgreSQL backends that have exited), and
//   - live: slots appearing every 400 ms (2.5 slots/s) for 30 slots with
//     the scheduler's 1 s poll: the slot → notification latency p50/p99
//     and the largest backlog (tip − last evaluated-or-scheduled slot)
//     seen, and the CPU-s per slot again.
//
// Run it with -benchtime 1x: each iteration is a whole deployment.
func BenchmarkSolanaPipeline1000Tenants(b *testing.B) {
	dir, _ := mainnetLedgers(b)
	txPerSlot := solBenchTxPerSlot(b)
	const tenantsN, catchupSlots, liveSlots = 1000, 20, 30
	b.Logf("%d transactions per slot", txPerSlot)
	for b.Loop() {
		for _, mode := range []string{"catchup", "live"} {
			nSlots := catchupSlots
			if mode == "live" {
				nSlots = liveSlots
			}
			p := newPipeline(b, dir)
			p.batch = 200
			p.networks = []string{solSlug}
			const startSlot = 9000
			opts := []ozmontest.SolanaSimOption{ozmontest.SolanaSimSynthetic(ozmontest.SolanaSynthetic{
				Seed: 5, StartSlot: startSlot, Slots: nSlots, TxPerSlot: txPerSlot})}
			if mode == "live" {
				opts = append(opts, ozmontest.SolanaSimInitialTip(startSlot))
			}
			sim := ozmontest.StartSolanaSim(b, opts...)
			slots := sim.Slots()
			blocks := make([]*chain.Block, len(slots))
			for i, s := range slots {
				blocks[i] = sim.Block(s)
			}
			deposits := testkit.AnchorCalls(blocks, ozmontest.SolanaSimAnchorProgram, "deposit")
			want := 0
			slotOf := map[string]uint64{}
			for _, c := range deposits {
				slotOf[c.Signature] = c.Slot
			}
			for i := 0; i < tenantsN; i++ {
				// Spread the hits over the run: tenant i's amount is that of
				// a deposit chosen evenly across the slots.
				amount := deposits[i*len(deposits)/tenantsN].Amount
				raw := solanaBenchTenant(b, i, amount, p.sink.URL())
				p.importTenant(fmt.Sprintf("t%04d", i), nil, raw, "")
				for _, c := range deposits {
					if c.Amount == amount && !c.Failed {
						want++
					}
				}
			}
			p.configure = func(hc *handlers.Config) {
				client, err := solana.NewClient([]chain.Endpoint{{URL: sim.URL(), Weight: 100}})
				if err != nil {
					b.Error(err)
					return
				}
				hc.Fetchers[solSlug] = &solana.Source{Client: client, Network: solSlug}
				m := benchUsage(b, p)
				if m != nil {
					m(hc)
				}
			}
			first := slots[0]
			if err := p.st.AdvanceCursor(context.Background(), solSlug, first-1); err != nil {
				b.Fatal(err)
			}
			switch mode {
			case "catchup":
				p.startWorker(50, nil)
				start := time.Now()
				cpu0 := processCPU(b)
				p.startSolanaScheduler(sim)
				evaluated := waitSolanaEvaluated(b, p, sim, len(slots), 5*time.Minute)
				cpuEval := processCPU(b) - cpu0
				b.ReportMetric(float64(len(slots))/evaluated.Seconds(), "slots-evaluated/s")
				b.ReportMetric(cpuEval/float64(len(slots)), "CPU-s/slot-evaluated")
				reqs := p.waitDelivered(want, 5*time.Minute)
				el := reqs[len(reqs)-1].At.Sub(start)
				b.ReportMetric(float64(len(slots))/el.Seconds(), "slots-delivered/s")
				b.ReportMetric((processCPU(b)-cpu0)/float64(len(slots)), "CPU-s/slot")
				b.ReportMetric(float64(want), "notifications")
				b.Logf("catch-up of %d slots: evaluated after %s, delivered after %s", len(slots), evaluated, el)
			case "live":
				// The sim starts at its first slot; the others appear every
				// 400 ms, as a Solana leader produces them.
				p.startWorker(50, nil)
				insp := asynq.NewInspector(asynq.RedisClientOpt{Addr: p.rdbOpts.Addr, DB: p.rdbOpts.DB})
				defer insp.Close()
				cpu0 := processCPU(b)
				p.startSolanaScheduler(sim)
				appeared := map[uint64]time.Time{first: time.Now()}
				maxBacklog := 0
				tick := time.NewTicker(400 * time.Millisecond)
				for sim.Tip() < slots[len(slots)-1] {
					<-tick.C
					tip, err := sim.Advance(1)
					if err != nil {
						b.Fatal(err)
					}
					appeared[tip] = time.Now()
					maxBacklog = max(maxBacklog, evalBacklog(insp))
				}
				tick.Stop()
				last := time.Now()
				waitSolanaEvaluated(b, p, sim, len(slots), 5*time.Minute)
				drain := time.Since(last)
				reqs := p.waitDelivered(want, 5*time.Minute)
				var lat []time.Duration
				for _, r := range reqs {
					var body struct{ Body string }
					if err := json.Unmarshal(r.Body, &body); err != nil {
						b.Fatal(err)
					}
					s, ok := slotOf[body.Body]
					if !ok {
						b.Fatalf("notification for unknown signature %q", body.Body)
					}
					lat = append(lat, r.At.Sub(appeared[s]))
				}
				sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
				b.ReportMetric(float64(lat[len(lat)/2].Milliseconds()), "live-p50-ms")
				b.ReportMetric(float64(lat[len(lat)*99/100].Milliseconds()), "live-p99-ms")
				b.ReportMetric(float64(maxBacklog), "live-max-queued-tasks")
				b.ReportMetric(drain.Seconds(), "live-drain-s")
				b.ReportMetric((processCPU(b)-cpu0)/float64(len(slots)), "live-CPU-s/slot")
			}
			p.stopAll()
		}
	}
}

// evalBacklog is how many fetch-block and evaluate-tenants tasks wait or
// run: bounded when the worker keeps up with the chain.
func evalBacklog(insp *asynq.Inspector) int {
	n := 0
	for _, q := range append([]string{tasks.QueueBlocks}, evalQueues()...) {
		if info, err := insp.GetQueueInfo(q); err == nil {
			n += info.Pending + info.Active + info.Retry
		}
	}
	return n
}

func evalQueues() []string {
	var qs []string
	for _, tr := range tasks.Tiers() {
		qs = append(qs, tasks.EvalQueue(tr))
	}
	return qs
}

// waitSolanaEvaluated waits until the scheduler has reached the sim's last
// slot, every slot was fetched (one getBlock each) and no fetch-block or
// evaluate-tenants task waits or runs; it returns how long that took.
func waitSolanaEvaluated(tb testing.TB, p *pipeline, sim *ozmontest.SolanaSim, slots int, timeout time.Duration) time.Duration {
	tb.Helper()
	start := time.Now()
	insp := asynq.NewInspector(asynq.RedisClientOpt{Addr: p.rdbOpts.Addr, DB: p.rdbOpts.DB})
	defer insp.Close()
	for time.Since(start) < timeout {
		cur, _, _ := p.st.Cursor(context.Background(), solSlug)
		if cur == sim.Tip() && sim.Calls("getBlock") >= slots && evalBacklog(insp) == 0 {
			return time.Since(start)
		}
		time.Sleep(10 * time.Millisecond)
	}
	tb.Fatalf("slots not evaluated after %s: getBlock %d of %d, backlog %d", timeout, sim.Calls("getBlock"), slots, evalBacklog(insp))
	return 0
}
