package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"
	"github.com/stellar/go-stellar-sdk/network"

	"github.com/ozmon/ozmon/chain"
	"github.com/ozmon/ozmon/chain/evm"
	"github.com/ozmon/ozmon/internal/chaos"
	"github.com/ozmon/ozmon/internal/testkit"
	"github.com/ozmon/ozmon/ozmontest"
	"github.com/ozmon/ozmon/store/postgres"
)

// The two non-Stellar networks of the three-chain deployment.
const (
	evmNet    = "evm_local"
	solanaNet = "solana_local"
)

const erc20TransferABI = `[{"type":"event","name":"Transfer","anonymous":false,"inputs":[
	{"name":"from","type":"address","indexed":true},{"name":"to","type":"address","indexed":true},
	{"name":"value","type":"uint256","indexed":false}]}]`

// ozmonBinary builds cmd/ozmon once per test binary (the Go build cache
// makes it a link after the first time).
var ozmonBinary = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "ozmon-e2e-bin-")
	if err != nil {
		return "", err
	}
	return testkit.BuildOzmon(dir)
})

// threeChains is a deployment of real ozmon processes (scheduler, worker)
// on its own database and Redis database, watching a Stellar network (the
// simulator on real mainnet ledgers), an EVM network and a Solana network
// (synthetic blocks and slots), with tenants imported by `ozmon import`.
type threeChains struct {
	t       *testing.T
	bin     string
	env     []string
	logDir  string
	db      chaos.Database
	rdbOpts *redis.Options
	stellar *ozmontest.StellarSim
	evm     *ozmontest.EVMSim
	solana  *ozmontest.SolanaSim
	sink    *ozmontest.WebhookSink
	procs   []*chaos.Process
}

// networks are the operator's registry entries, the same in every
// tenant's directory.
func (d *threeChains) networks() map[string][]byte {
	return map[string][]byte{
		mainnet: networkJSON(d.stellar.URL()),
		evmNet: fmt.Appendf(nil, `{"network_type":"EVM","slug":%q,"name":"Local EVM","rpc_urls":[{"type_":"rpc","url":{"type":"plain","value":%q},"weight":100}],
			"chain_id":31337,"block_time_ms":1000,"confirmation_blocks":1,"cron_schedule":"*/1 * * * * *","max_past_blocks":100,"store_blocks":false}`, evmNet, d.evm.URL()),
		solanaNet: fmt.Appendf(nil, `{"network_type":"Solana","slug":%q,"name":"Local Solana","rpc_urls":[{"type_":"rpc","url":{"type":"plain","value":%q},"weight":100}],
			"block_time_ms":400,"confirmation_blocks":1,"cron_schedule":"*/1 * * * * *","max_past_blocks":100,"store_blocks":false}`, solanaNet, d.solana.URL()),
	}
}

// ozmon runs a one-shot command (migrate, import) with the deployment's
// configuration.
func (d *threeChains) ozmon(ctx context.Context, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, d.bin, args...)
	cmd.Env = d.env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

// importTenant writes an OpenZeppelin Monitor directory (every network,
// the monitors, a webhook trigger "hook" with ${transaction.hash} for
// Stellar and EVM and "solhook" with ${transaction.signature} for Solana)
// and imports it with `ozmon import`, the first one registering the
// networks.
func (d *threeChains) importTenant(ctx context.Context, slug string, register bool, monitors map[string]map[string]any) {
	d.t.Helper()
	dir := filepath.Join(d.logDir, "tenants", slug)
	files := map[string][]byte{}
	for name, data := range d.networks() {
		files[filepath.Join("networks", name+".json")] = data
	}
	for name, m := range monitors {
		m["name"], m["paused"], m["trigger_conditions"] = name, false, []any{}
		data, err := json.Marshal(m)
		if err != nil {
			d.t.Fatal(err)
		}
		files[filepath.Join("monitors", name+".json")] = data
	}
	hook := func(name, body string) map[string]any {
		return map[string]any{"name": name, "trigger_type": "webhook", "config": map[string]any{
			"url": map[string]any{"type": "plain", "value": d.sink.URL()}, "method": "POST",
			"secret":  map[string]any{"type": "plain", "value": "s3cret-signing-key"},
			"headers": map[string]any{"Content-Type": "application/json"},
			"message": map[string]any{"title": "${monitor.name}", "body": body},
		}}
	}
	trig, err := json.Marshal(map[string]any{"hook": hook("hook", "${transaction.hash}"), "solhook": hook("solhook", "${transaction.signature}")})
	if err != nil {
		d.t.Fatal(err)
	}
	files[filepath.Join("triggers", "hooks.json")] = trig
	for name, data := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			d.t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			d.t.Fatal(err)
		}
	}
	args := []string{"import", "--tenant", slug}
	if register {
		args = append(args, "--register-networks")
	}
	if out, err := d.ozmon(ctx, append(args, dir)...); err != nil {
		d.t.Fatalf("ozmon import %s: %v\n%s", slug, err, out)
	}
}

// start runs one role and keeps it for the log dump on failure.
func (d *threeChains) start(name, role string) {
	d.t.Helper()
	d.procs = append(d.procs, chaos.StartProcess(d.t, d.bin, name, role, d.logDir, d.env))
}

func (d *threeChains) dumpLogsOnFailure() {
	if !d.t.Failed() {
		return
	}
	for _, p := range d.procs {
		data, _ := os.ReadFile(p.LogPath())
		lines := strings.Split(strings.TrimSpace(string(data)), "\n")
		d.t.Logf("--- %s log tail ---\n%s", p.Name, strings.Join(lines[max(0, len(lines)-25):], "\n"))
	}
}

// newThreeChains starts the simulators and the sink, creates the database
// and migrates it with `ozmon migrate`.
func newThreeChains(t *testing.T, ledgerDir string, stellarTip uint32) *threeChains {
	t.Helper()
	t0 := time.Now()
	bin, err := ozmonBinary()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("ozmon binary ready after %s (a link when the build cache is warm)", time.Since(t0).Round(time.Millisecond))
	d := &threeChains{t: t, bin: bin, logDir: t.TempDir()}
	t.Cleanup(d.dumpLogsOnFailure)
	d.stellar = ozmontest.StartStellarSim(t, ozmontest.SimLedgerDir(ledgerDir), ozmontest.SimPassphrase(network.PublicNetworkPassphrase), ozmontest.SimInitialTip(stellarTip))
	d.evm = ozmontest.StartEVMSim(t, ozmontest.EVMSimSynthetic(ozmontest.EVMSynthetic{Seed: 7, Blocks: 8, TxPerBlock: 10}), ozmontest.EVMSimChainID(31337))
	d.solana = ozmontest.StartSolanaSim(t, ozmontest.SolanaSimSynthetic(ozmontest.SolanaSynthetic{Seed: 11, StartSlot: 7000, Slots: 12, TxPerSlot: 20}))
	d.sink = ozmontest.StartWebhookSink(t)
	d.db = chaos.CreateDatabase(t)
	d.rdbOpts = testkit.Redis(t)
	oz := map[string]string{
		"OZ_MONITOR_DATABASE_URL":        d.db.Direct,
		"OZ_MONITOR_REDIS_URL":           fmt.Sprintf("redis://%s/%d", d.rdbOpts.Addr, d.rdbOpts.DB),
		"OZ_MONITOR_LOG_FORMAT":          "json",
		"OZ_MONITOR_LOG_LEVEL":           "info",
		"OZ_MONITOR_NOTIFY_ALLOW_HOSTS":  "127.0.0.1/32",
		"OZ_MONITOR_NOTIFY_SEND_TIMEOUT": "5s",
	}
	// Nothing of the caller's OZ_MONITOR_* reaches the processes.
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "OZ_MONITOR_") {
			d.env = append(d.env, kv)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(oz)) {
		d.env = append(d.env, k+"="+oz[k])
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if out, err := d.ozmon(ctx, "migrate"); err != nil {
		t.Fatalf("ozmon migrate: %v\n%s", err, out)
	}
	return d
}

// evmBlocks reads the EVM sim's blocks through an uncounted client.
func evmBlocks(t *testing.T, sim *ozmontest.EVMSim) []*chain.Block {
	t.Helper()
	rpc, err := evm.NewClient([]chain.Endpoint{{URL: sim.URL(), Weight: 100}})
	if err != nil {
		t.Fatal(err)
	}
	defer rpc.Close()
	src := &evm.Source{Client: rpc, Network: evmNet}
	var out []*chain.Block
	for _, n := range sim.Blocks() {
		if n > sim.Tip() {
			break
		}
		b, err := src.FetchBlock(context.Background(), n)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

// evmTransfers maps the transactions with a Transfer log of token to their
// block, read from the raw logs.
func evmTransfers(blocks []*chain.Block, token string) map[string]uint64 {
	out := map[string]uint64{}
	for _, b := range blocks {
		for _, tx := range b.Transactions {
			if tx.EVM == nil {
				continue
			}
			for _, l := range tx.EVM.Logs {
				if strings.EqualFold(l.Address, token) && len(l.Topics) == 3 && l.Topics[0] == ozmontest.EVMTransferTopic {
					out[tx.Hash] = b.Ledger
				}
			}
		}
	}
	return out
}

type sent struct{ monitor, body string }

// TestThreeChainsInOneDeployment is issue #16's end-to-end case: one
// deployment of real `ozmon scheduler` and `ozmon worker` processes on
// real Redis and PostgreSQL serves a Stellar network (real mainnet
// ledgers), an EVM network and a Solana network (synthetic slots with a
// skipped slot, failed transactions and v0 lookup-table CPIs). Tenant
// acme watches all three; beta watches Solana failures and a Stellar
// event whose expression never holds; gamma a lookup-table CPI program and
// EVM transfers that never match. Every notification expected from the
// simulators' raw data (not from ozmon's engine) arrives at the webhook
// sink exactly once, nothing else arrives, and the RPC calls per block
// are those of one fetch per block: one getBlock per Solana slot (skipped
// ones included) besides getSlot polls, one eth_getBlockByNumber and one
// eth_getLogs per EVM block and no receipts, at most one getLedgers per
// Stellar ledger.
func TestThreeChainsInOneDeployment(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	dir, tg := rareTarget(t)
	d := newThreeChains(t, dir, tg.ledger+1)
	token := ozmontest.EVMSynthTokens()[0]
	anchor := ozmontest.SolanaSimAnchorProgram
	idl := json.RawMessage(ozmontest.SolanaSimAnchorIDL)
	on := func(net string, addr map[string]any, mc map[string]any, trigger string) map[string]any {
		for _, k := range []string{"functions", "events", "transactions"} {
			if mc[k] == nil {
				mc[k] = []any{}
			}
		}
		return map[string]any{"networks": []string{net}, "addresses": []any{addr}, "match_conditions": mc, "triggers": []string{trigger}}
	}
	const bigDeposit = 500_000
	d.importTenant(ctx, "acme", true, map[string]map[string]any{
		"acme-stellar": on(mainnet, map[string]any{"address": tg.contract},
			map[string]any{"events": []any{map[string]any{"signature": tg.signature}}}, "hook"),
		"acme-evm": on(evmNet, map[string]any{"address": token, "contract_spec": json.RawMessage(erc20TransferABI)},
			map[string]any{"events": []any{map[string]any{"signature": "Transfer(address,address,uint256)"}}}, "hook"),
		"acme-solana": on(solanaNet, map[string]any{"address": anchor, "contract_spec": idl},
			map[string]any{"functions": []any{map[string]any{"signature": "deposit", "expression": fmt.Sprintf("amount > %d", bigDeposit)}},
				"transactions": []any{map[string]any{"status": "Success"}}}, "solhook"),
	})
	d.importTenant(ctx, "beta", false, map[string]map[string]any{
		"beta-solana-failed": on(solanaNet, map[string]any{"address": anchor, "contract_spec": idl},
			map[string]any{"transactions": []any{map[string]any{"status": "Failure"}}}, "solhook"),
		"beta-stellar-never": on(mainnet, map[string]any{"address": tg.contract},
			map[string]any{"events": []any{map[string]any{"signature": tg.signature, "expression": "0 == 'never-this-value'"}}}, "hook"),
	})
	d.importTenant(ctx, "gamma", false, map[string]map[string]any{
		"gamma-solana-cpi": on(solanaNet, map[string]any{"address": ozmontest.SolanaSimLookupProgram}, map[string]any{}, "solhook"),
		"gamma-evm-never": on(evmNet, map[string]any{"address": token, "contract_spec": json.RawMessage(erc20TransferABI)},
			map[string]any{"events": []any{map[string]any{"signature": "Transfer(address,address,uint256)", "expression": "value == 1"}}}, "hook"),
	})

	// The scheduler starts just before each chain's data.
	st, err := postgres.Open(ctx, d.db.Direct)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	solSlots, evmNums := d.solana.Slots(), d.evm.Blocks()
	cursors := map[string]uint64{mainnet: uint64(tg.ledger) - 2, evmNet: evmNums[0] - 1, solanaNet: solSlots[0] - 1}
	for net, c := range cursors {
		if err := st.AdvanceCursor(ctx, net, c); err != nil {
			t.Fatalf("set %s cursor: %v", net, err)
		}
	}
	// What the chains hold, read before the processes run (the EVM sim's
	// counters are reset after).
	evmAll := evmBlocks(t, d.evm)
	d.evm.ResetCalls()
	solBlocks := make([]*chain.Block, len(solSlots))
	for i, s := range solSlots {
		solBlocks[i] = d.solana.Block(s)
	}

	begin := time.Now()
	d.start("worker", "worker")
	d.start("scheduler", "scheduler")

	// Each chain is done when its cursor reached the last block its
	// confirmations allow and the queues are empty.
	done := map[string]uint64{mainnet: uint64(d.stellar.Tip()) - 1, evmNet: d.evm.Tip() - 1, solanaNet: d.solana.Tip() - 1}
	rdb := redis.NewClient(d.rdbOpts)
	defer rdb.Close()
	insp := asynq.NewInspectorFromRedisClient(rdb)
	progress := func() (string, bool) {
		var parts []string
		ok := true
		for _, net := range slices.Sorted(maps.Keys(done)) {
			c, _, err := st.Cursor(ctx, net)
			parts = append(parts, fmt.Sprintf("%s cursor %d of %d (%v)", net, c, done[net], err))
			ok = ok && err == nil && c >= done[net]
		}
		busy := queuesBusy(insp)
		return strings.Join(parts, ", ") + fmt.Sprintf(", queues busy %v", busy), ok && !busy
	}
	for deadline := time.Now().Add(90 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		state, ok := progress()
		if ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("not every network was processed to its confirmed tip: %s", state)
		}
	}
	// The tips no longer move: the cursors say what was processed.
	for net := range done {
		c, _, err := st.Cursor(ctx, net)
		if err != nil {
			t.Fatal(err)
		}
		done[net] = c
	}

	// The expected notifications, from the raw data of the processed range.
	want := map[sent]bool{{"acme-stellar", tg.tx}: true}
	var evmDone []*chain.Block
	for _, b := range evmAll {
		if b.Ledger <= done[evmNet] {
			evmDone = append(evmDone, b)
		}
	}
	for tx := range evmTransfers(evmDone, token) {
		want[sent{"acme-evm", tx}] = true
	}
	var solDone []*chain.Block
	processedSlots, skippedSlots := 0, 0
	for i, s := range solSlots {
		if s <= done[solanaNet] {
			solDone = append(solDone, solBlocks[i])
			processedSlots++
			if solBlocks[i] == nil {
				skippedSlots++
			}
		}
	}
	failed := 0
	for _, name := range []string{"deposit", "withdraw"} {
		for _, c := range testkit.AnchorCalls(solDone, anchor, name) {
			if c.Failed {
				want[sent{"beta-solana-failed", c.Signature}] = true
				failed++
			} else if name == "deposit" && c.Amount > bigDeposit {
				want[sent{"acme-solana", c.Signature}] = true
			}
		}
	}
	cpis := testkit.SolanaInvokers(solDone, ozmontest.SolanaSimLookupProgram)
	for _, sig := range cpis {
		want[sent{"gamma-solana-cpi", sig}] = true
	}
	if skippedSlots == 0 || failed == 0 || len(cpis) == 0 || len(evmDone) == 0 {
		t.Fatalf("the processed range lacks a case: %d skipped slots, %d failed Anchor calls, %d lookup-table CPIs, %d EVM blocks", skippedSlots, failed, len(cpis), len(evmDone))
	}

	if _, err := d.sink.WaitFor(len(want), 30*time.Second); err != nil {
		t.Fatalf("waiting for %d notifications: %v (got %d)", len(want), err, d.sink.Count())
	}
	// Let a late duplicate arrive before judging.
	time.Sleep(time.Second)
	got := map[sent]int{}
	for _, r := range d.sink.Requests() {
		var body struct{ Title, Body string }
		if err := json.Unmarshal(r.Body, &body); err != nil {
			t.Fatalf("webhook body %q: %v", r.Body, err)
		}
		got[sent{body.Title, body.Body}]++
	}
	for k, n := range got {
		switch {
		case !want[k]:
			t.Errorf("unexpected notification %v", k)
		case n != 1:
			t.Errorf("notification %v arrived %d times", k, n)
		}
	}
	perMonitor := map[string]int{}
	for k := range want {
		perMonitor[k.monitor]++
		if got[k] == 0 {
			t.Errorf("missing notification %v", k)
		}
	}
	t.Logf("%d notifications, exactly once each, %s after the processes started: %v", len(want), time.Since(begin).Round(time.Millisecond), perMonitor)

	// One fetch per block, whatever the tenants.
	for method, c := range d.solana.CallCounts() {
		switch method {
		case "getBlock":
			if c != processedSlots {
				t.Errorf("solana getBlock calls = %d, want %d (one per slot, %d skipped included)", c, processedSlots, skippedSlots)
			}
		case "getSlot":
		default:
			t.Errorf("solana %s called %d times, want never", method, c)
		}
	}
	for method, c := range d.evm.CallCounts() {
		switch method {
		case "eth_getBlockByNumber", "eth_getLogs":
			if c != len(evmDone) {
				t.Errorf("evm %s calls = %d, want %d (one per block)", method, c, len(evmDone))
			}
		case "eth_blockNumber", "eth_chainId":
		default:
			t.Errorf("evm %s called %d times, want never", method, c)
		}
	}
	if c, ledgers := d.stellar.Calls("getLedgers"), int(done[mainnet]-cursors[mainnet]); c < 1 || c > ledgers {
		t.Errorf("stellar getLedgers calls = %d, want 1..%d (one per ledger at most)", c, ledgers)
	}
}

// queuesBusy reports whether any queue holds unfinished work.
func queuesBusy(insp *asynq.Inspector) bool {
	qs, err := insp.Queues()
	if err != nil {
		return true
	}
	for _, q := range qs {
		info, err := insp.GetQueueInfo(q)
		if err != nil || info.Pending+info.Active+info.Scheduled+info.Retry > 0 {
			return true
		}
	}
	return false
}
