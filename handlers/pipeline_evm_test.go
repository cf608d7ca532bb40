package handlers_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/ozmon/ozmon/chain"
	"github.com/ozmon/ozmon/chain/evm"
	"github.com/ozmon/ozmon/internal/metrics"
	"github.com/ozmon/ozmon/monitor"
	"github.com/ozmon/ozmon/monitor/ozconfig"
	"github.com/ozmon/ozmon/ozmontest"
	"github.com/ozmon/ozmon/scheduler"
	"github.com/ozmon/ozmon/store"
	"github.com/redis/go-redis/v9"
)

const erc20ABI = `[{"type":"event","name":"Transfer","anonymous":false,"inputs":[
	{"name":"from","type":"address","indexed":true},{"name":"to","type":"address","indexed":true},
	{"name":"value","type":"uint256","indexed":false}]}]`

// evmNet is an EVM network served by the EVM simulator.
type evmNet struct {
	slug string
	sim  *ozmontest.EVMSim
}

// source is a worker's EVM source: its own client, its calls counted,
// receipts fetched only when a candidate monitor needs them.
func (e *evmNet) source(m *metrics.Metrics) *evm.Source {
	client, err := evm.NewClient([]chain.Endpoint{{URL: e.sim.URL(), Weight: 100}}, chain.WithCallObserver(func(method, _ string, err error) {
		m.RPCCalls.WithLabelValues(e.slug, method, "ok").Inc()
	}))
	if err != nil {
		panic(err)
	}
	return &evm.Source{Client: client, Network: e.slug}
}

func abiSource() monitor.ABISource {
	cache := evm.NewABICache()
	return func(_, _ string, inline json.RawMessage) (monitor.ABIDecoder, error) {
		a, err := cache.Get(inline)
		if a == nil {
			return nil, err
		}
		return a, nil
	}
}

// withEVM adds an EVM network (synthetic blocks) to the pipeline, its
// cursor set so processing starts at the sim's first block.
func (p *pipeline) withEVM(t *testing.T) *evmNet {
	t.Helper()
	sim := ozmontest.StartEVMSim(t, ozmontest.EVMSimSynthetic(ozmontest.EVMSynthetic{Seed: 7, Blocks: 12, TxPerBlock: 20}), ozmontest.EVMSimChainID(31337))
	p.evm = &evmNet{slug: "evm_local", sim: sim}
	first := sim.Blocks()[0]
	if err := p.st.AdvanceCursor(context.Background(), "evm_local", first-1); err != nil {
		t.Fatal(err)
	}
	return p.evm
}

// startEVMScheduler runs a scheduler for the EVM network.
func (p *pipeline) startEVMScheduler(confirmations uint64) {
	p.t.Helper()
	rdb := redis.NewClient(p.rdbOpts)
	client := asynq.NewClientFromRedisClient(rdb)
	rpc, err := evm.NewClient([]chain.Endpoint{{URL: p.evm.sim.URL(), Weight: 100}})
	if err != nil {
		p.t.Fatal(err)
	}
	s := scheduler.New(client, p.st, scheduler.WithLogger(p.log))
	if err := s.AddNetwork(scheduler.Network{Slug: p.evm.slug, CronSchedule: "@every 1s", ConfirmationBlocks: confirmations,
		Tip: &evm.Source{Client: rpc, Network: p.evm.slug}}); err != nil {
		p.t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = s.Run(ctx) }()
	p.addStop(func() { cancel(); <-done; client.Close(); rdb.Close() })
}

// evmTenant adds an EVM monitor (and its network) to a Stellar tenant config.
func evmTenant(t *testing.T, cfg *ozconfig.Config, raw store.RawConfig, name string, mon map[string]any) {
	t.Helper()
	netJSON := `{"network_type":"EVM","slug":"evm_local","name":"Local EVM","rpc_urls":[{"type_":"rpc","url":{"type":"plain","value":"http://127.0.0.1:1"},"weight":100}],
		"chain_id":31337,"block_time_ms":1000,"confirmation_blocks":1,"cron_schedule":"*/1 * * * * *","max_past_blocks":100,"store_blocks":false}`
	n, err := ozconfig.ParseNetwork("evm", []byte(netJSON))
	if err != nil {
		t.Fatal(err)
	}
	cfg.Networks["evm_local"], raw.Networks["evm_local"] = n, json.RawMessage(netJSON)
	mon["name"], mon["paused"], mon["networks"], mon["trigger_conditions"], mon["triggers"] = name, false, []string{"evm_local"}, []any{}, []string{"hook"}
	data, _ := json.Marshal(mon)
	cfg.Monitors[name], raw.Monitors[name] = parseMonitor(t, data), data
	if err := cfg.Validate("tenant"); err != nil {
		t.Fatal(err)
	}
}

// canonical reads the sim's blocks through an uncounted client.
func canonical(t *testing.T, e *evmNet, from, to uint64) []*chain.Block {
	t.Helper()
	rpc, err := evm.NewClient([]chain.Endpoint{{URL: e.sim.URL(), Weight: 100}})
	if err != nil {
		t.Fatal(err)
	}
	src := &evm.Source{Client: rpc, Network: e.slug}
	var out []*chain.Block
	for n := from; n <= to; n++ {
		b, err := src.FetchBlock(context.Background(), n)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

// transfersOf lists the transactions with a Transfer log from token.
func transfersOf(blocks []*chain.Block, token string) map[string]bool {
	out := map[string]bool{}
	for _, b := range blocks {
		for _, tx := range b.Transactions {
			if tx.EVM == nil {
				continue
			}
			for _, l := range tx.EVM.Logs {
				if l.Address == token && len(l.Topics) == 3 && l.Topics[0] == ozmontest.EVMTransferTopic {
					out[tx.Hash] = true
				}
			}
		}
	}
	return out
}

// TestStellarAndEVMInOneDeployment: one tenant watches a Stellar contract
// and an EVM token; every expected notification of both chains arrives
// exactly once, and each EVM block costs one eth_getBlockByNumber and one
// eth_getLogs (no receipts: no monitor needs them), whatever the tenants.
func TestStellarAndEVMInOneDeployment(t *testing.T) {
	t.Parallel()
	dir, blocks := mainnetLedgers(t)
	p := newPipeline(t, dir)
	e := p.withEVM(t)
	token := ozmontest.EVMSynthTokens()[0]
	tg := rareTargets(blocks, 2)[0]
	cfg, raw := tenantConfig(t, "stellar-side", tg, "", p.sink.URL())
	evmTenant(t, cfg, raw, "evm-side", map[string]any{
		"addresses":        []any{map[string]any{"address": token, "contract_spec": json.RawMessage(erc20ABI)}},
		"match_conditions": map[string]any{"functions": []any{}, "events": []any{map[string]any{"signature": "Transfer(address,address,uint256)"}}, "transactions": []any{}},
	})
	p.importTenant("both", cfg, raw, "")
	// 20 more tenants on the same token raise the work, not the RPC calls.
	for i := 0; i < 20; i++ {
		c, r := tenantConfig(t, fmt.Sprintf("s%d", i), tg, "0 == 'never'", p.sink.URL())
		evmTenant(t, c, r, fmt.Sprintf("e%d", i), map[string]any{
			"addresses":        []any{map[string]any{"address": token, "contract_spec": json.RawMessage(erc20ABI)}},
			"match_conditions": map[string]any{"functions": []any{}, "events": []any{map[string]any{"signature": "Transfer(address,address,uint256)", "expression": "value == 1"}}, "transactions": []any{}},
		})
		p.importTenant(fmt.Sprintf("t%d", i), c, r, "")
	}
	evmBlocks := canonical(t, e, e.sim.Blocks()[0], e.sim.Tip())
	want := map[notification]int{}
	for tx := range tg.txs {
		want[notification{"stellar-side", tx}] = 1
	}
	for tx := range transfersOf(evmBlocks, token) {
		want[notification{"evm-side", tx}] = 1
	}
	e.sim.ResetCalls() // the expectation above read the blocks too
	p.startWorker(20, nil)
	p.startScheduler()
	p.startEVMScheduler(0)
	p.advanceAll(30*time.Millisecond, nil)
	p.waitDelivered(len(want), time.Minute)
	waitUntil(t, time.Minute, "both cursors at their tips", func() bool {
		s, _, _ := p.st.Cursor(context.Background(), mainnet)
		v, _, _ := p.st.Cursor(context.Background(), e.slug)
		return s == lastLedger && v == e.sim.Tip()
	})
	waitQueuesIdle(t, p)
	got := parseNotifications(t, p.sink.Requests())
	for n, c := range got {
		if want[n] == 0 {
			t.Errorf("unexpected notification %v", n)
		} else if c != 1 {
			t.Errorf("notification %v delivered %d times", n, c)
		}
	}
	for n := range want {
		if got[n] == 0 {
			t.Errorf("missing notification %v", n)
		}
	}
	nBlocks := len(evmBlocks)
	if c := e.sim.Calls("eth_getBlockByNumber"); c != nBlocks {
		t.Errorf("eth_getBlockByNumber calls = %d, want %d (one per block)", c, nBlocks)
	}
	if c := e.sim.Calls("eth_getLogs"); c != nBlocks {
		t.Errorf("eth_getLogs calls = %d, want %d (one per block)", c, nBlocks)
	}
	if c := e.sim.Calls("eth_getTransactionReceipt"); c != 0 {
		t.Errorf("receipts fetched %d times though no monitor needs them", c)
	}
	if c := p.sim.Calls("getLedgers"); c != 20 {
		t.Errorf("stellar getLedgers = %d, want 20", c)
	}
}

// TestEVMReorg: with confirmation_blocks 0, a reorg of the last 3 blocks
// is noticed at the next block; the canonical branch is processed and the
// deliveries from replaced transactions are flagged orphaned. With
// confirmation_blocks 5, no replaced block was ever processed.
func TestEVMReorg(t *testing.T) {
	t.Parallel()
	for _, conf := range []uint64{0, 5} {
		t.Run(fmt.Sprint("confirmations=", conf), func(t *testing.T) {
			t.Parallel()
			dir, blocks := mainnetLedgers(t)
			p := newPipeline(t, dir)
			e := p.withEVM(t)
			tokens := ozmontest.EVMSynthTokens()
			var addrs []any
			for _, tok := range tokens {
				addrs = append(addrs, map[string]any{"address": tok})
			}
			cfg, raw := tenantConfig(t, "stellar-side", rareTargets(blocks, 1)[0], "0 == 'never'", p.sink.URL())
			evmTenant(t, cfg, raw, "token-txs", map[string]any{
				"addresses":        addrs,
				"match_conditions": map[string]any{"functions": []any{}, "events": []any{}, "transactions": []any{map[string]any{"status": "Any"}}},
			})
			id := p.importTenant("watcher", cfg, raw, "")
			p.startWorker(20, nil)
			p.startEVMScheduler(conf)
			first, tip := e.sim.Blocks()[0], e.sim.Tip()
			waitUntil(t, time.Minute, "the EVM cursor to reach the confirmed tip", func() bool {
				cur, _, _ := p.st.Cursor(context.Background(), e.slug)
				return cur == tip-conf
			})
			waitQueuesIdle(t, p)
			replaced, err := e.sim.Reorg(3)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := e.sim.Advance(1); err != nil {
				t.Fatal(err)
			}
			waitUntil(t, time.Minute, "the block after the reorg to be processed", func() bool {
				cur, _, _ := p.st.Cursor(context.Background(), e.slug)
				return cur == tip+1-conf
			})
			waitQueuesIdle(t, p)
			canon := map[string]bool{}
			for _, b := range canonical(t, e, first, e.sim.Tip()-conf) {
				for _, tx := range b.Transactions {
					canon[tx.Hash] = true
				}
			}
			recs, err := p.st.ListDeliveries(context.Background(), store.DeliveryFilter{TenantID: id, Limit: 1000})
			if err != nil {
				t.Fatal(err)
			}
			orphaned := 0
			for _, d := range recs {
				switch {
				case d.Orphaned && canon[d.Key.TxHash]:
					t.Errorf("canonical tx %s flagged orphaned", d.Key.TxHash)
				case !d.Orphaned && !canon[d.Key.TxHash]:
					t.Errorf("delivery of replaced tx %s (block %d) not flagged", d.Key.TxHash, d.Key.Ledger)
				case d.Orphaned:
					orphaned++
				}
			}
			// Every canonical token transaction of the processed range was
			// notified (the re-processed blocks' new ones included).
			delivered := map[string]bool{}
			for _, d := range recs {
				delivered[d.Key.TxHash] = true
			}
			for _, b := range canonical(t, e, first, e.sim.Tip()-conf) {
				for _, tx := range b.Transactions {
					if touchesToken(tx, tokens) && !delivered[tx.Hash] {
						t.Errorf("canonical token tx %s of block %d not notified", tx.Hash, b.Ledger)
					}
				}
			}
			t.Logf("confirmations %d: replaced blocks %v, %d deliveries, %d flagged orphaned", conf, replaced, len(recs), orphaned)
			if conf == 0 && orphaned == 0 {
				t.Fatal("a reorg of processed blocks flagged nothing")
			}
			if conf == 5 && orphaned != 0 {
				t.Fatalf("with 5 confirmations %d deliveries came from orphaned blocks", orphaned)
			}
		})
	}
}

func touchesToken(tx chain.Transaction, tokens []string) bool {
	if tx.EVM == nil {
		return false
	}
	for _, tok := range tokens {
		if tx.EVM.To == tok || tx.EVM.From == tok {
			return true
		}
	}
	return false
}

func waitQueuesIdle(t *testing.T, p *pipeline) {
	t.Helper()
	insp := asynq.NewInspector(asynq.RedisClientOpt{Addr: p.rdbOpts.Addr, DB: p.rdbOpts.DB})
	defer insp.Close()
	// Queues are read one after another, so a task moving from one to the
	// next (a fetch-block enqueueing its evaluations as it completes) can
	// slip between two reads: idle must be seen several times in a row.
	idleReads := 0
	waitUntil(t, time.Minute, "the queues to drain", func() bool {
		qs, _ := insp.Queues()
		for _, q := range qs {
			info, err := insp.GetQueueInfo(q)
			if err != nil || info.Pending+info.Active+info.Retry+info.Scheduled > 0 {
				idleReads = 0
				return false
			}
		}
		idleReads++
		return idleReads >= 4
	})
}

// TestEVMReceiptsOnlyWhenNeeded: a monitor on failed token transactions
// needs receipts (status is only in the receipt); the pipeline fetches
// them for the blocks it evaluates and notifies exactly the failed ones.
func TestEVMReceiptsOnlyWhenNeeded(t *testing.T) {
	t.Parallel()
	dir, blocks := mainnetLedgers(t)
	p := newPipeline(t, dir)
	e := p.withEVM(t)
	tokens := ozmontest.EVMSynthTokens()
	var addrs []any
	for _, tok := range tokens {
		addrs = append(addrs, map[string]any{"address": tok})
	}
	cfg, raw := tenantConfig(t, "stellar-side", rareTargets(blocks, 1)[0], "0 == 'never'", p.sink.URL())
	evmTenant(t, cfg, raw, "failed-token-txs", map[string]any{
		"addresses":        addrs,
		"match_conditions": map[string]any{"functions": []any{}, "events": []any{}, "transactions": []any{map[string]any{"status": "Failure"}}},
	})
	p.importTenant("watcher", cfg, raw, "")
	rpc, err := evm.NewClient([]chain.Endpoint{{URL: e.sim.URL(), Weight: 100}})
	if err != nil {
		t.Fatal(err)
	}
	want := map[notification]int{}
	txs := 0
	for n := e.sim.Blocks()[0]; n <= e.sim.Tip(); n++ {
		src := &evm.Source{Client: rpc, Network: e.slug, Receipts: func() bool { return true }}
		b, err := src.FetchBlock(context.Background(), n)
		if err != nil {
			t.Fatal(err)
		}
		txs += len(b.Transactions)
		for _, tx := range b.Transactions {
			if !tx.Success && touchesToken(tx, tokens) {
				want[notification{"failed-token-txs", tx.Hash}] = 1
			}
		}
	}
	if len(want) == 0 {
		t.Fatal("no failed token transaction in the synthetic blocks")
	}
	e.sim.ResetCalls()
	p.startWorker(10, nil)
	p.startEVMScheduler(0)
	got := parseNotifications(t, p.waitDelivered(len(want), time.Minute))
	for n := range want {
		if got[n] != 1 {
			t.Errorf("failed tx %v notified %d times", n, got[n])
		}
	}
	if len(got) != len(want) {
		t.Errorf("%d notifications, want %d", len(got), len(want))
	}
	if c := e.sim.Calls("eth_getTransactionReceipt"); c == 0 || c > txs {
		t.Errorf("receipt calls = %d, want between 1 and %d", c, txs)
	}
}
