package handlers_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ozmon/ozmon/handlers"
	"github.com/ozmon/ozmon/monitor/ozconfig"
	"github.com/ozmon/ozmon/notify"
	"github.com/ozmon/ozmon/ozmontest"
	"github.com/ozmon/ozmon/store"
)

// withCondition gives tenant config's monitor one trigger condition running script.
func withCondition(t *testing.T, cfg *ozconfig.Config, raw store.RawConfig, name, script string, timeoutMs int) {
	t.Helper()
	var mon map[string]any
	if err := json.Unmarshal(raw.Monitors[name], &mon); err != nil {
		t.Fatal(err)
	}
	mon["trigger_conditions"] = []any{map[string]any{"script_path": script, "language": "Bash", "timeout_ms": timeoutMs}}
	js, err := json.Marshal(mon)
	if err != nil {
		t.Fatal(err)
	}
	raw.Monitors[name] = js
	cfg.Monitors[name] = parseMonitor(t, js)
}

// conditionScripts writes the scripts of the condition tests: hold.sh keeps its match once
// the test creates "release" (it says it started by creating "started"), keep.sh keeps its
// match at once, and forever.sh never ends.
func conditionScripts(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	scripts := map[string]string{
		"hold.sh":    "cat >/dev/null; touch started; while [ ! -e release ]; do sleep 0.05; done; echo false\n",
		"keep.sh":    "cat >/dev/null; echo false\n",
		"forever.sh": "cat >/dev/null; exec sleep 3600\n",
	}
	for name, body := range scripts {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// conditionPipeline is a pipeline whose workers run trigger conditions from the scripts of
// conditionScripts, with a tenant budget per batch (0: the default), and the event target
// its tenants watch.
func conditionPipeline(t *testing.T, budget time.Duration) (p *pipeline, scripts string, tg eventTarget) {
	t.Helper()
	dir, blocks := mainnetLedgers(t)
	p = newPipeline(t, dir)
	scripts = conditionScripts(t)
	p.configure = func(c *handlers.Config) {
		c.Conditions = handlers.ScriptConditions{Options: []notify.Option{notify.EnableScripts(), notify.ScriptDir(scripts)}}
		c.ConditionBudget = budget
	}
	return p, scripts, rareTargets(blocks, 1)[0]
}

// run starts a worker and a scheduler and makes every ledger appear.
func (p *pipeline) run() {
	p.startWorker(4, nil)
	p.startScheduler()
	p.advanceAll(10*time.Millisecond, nil)
}

// TestSlowConditionDoesNotHoldOtherTenants: tenants A and B match the same transaction in the
// same evaluate-tenants batch. A's trigger condition does not finish until the test says so;
// B's notification (itself behind a condition) must arrive meanwhile, and A's once its
// condition has kept the match. Each arrives once.
func TestSlowConditionDoesNotHoldOtherTenants(t *testing.T) {
	t.Parallel()
	p, scripts, tg := conditionPipeline(t, 0)
	sinkA := ozmontest.StartWebhookSink(t)
	cfgA, rawA := tenantConfig(t, "slow", tg, "", sinkA.URL())
	withCondition(t, cfgA, rawA, "slow", "hold.sh", ozconfig.MaxScriptTimeoutMs)
	p.importTenant("slow", cfgA, rawA, "")
	cfgB, rawB := tenantConfig(t, "fast", tg, "", p.sink.URL())
	withCondition(t, cfgB, rawB, "fast", "keep.sh", 1000)
	p.importTenant("fast", cfgB, rawB, "")

	p.run()
	// Within A's timeout (30 s): before the fix, B's notification waited for A's condition.
	if _, err := p.sink.WaitFor(len(tg.txs), 20*time.Second); err != nil {
		t.Fatalf("tenant B got %d of %d notifications while tenant A's condition runs: %v", p.sink.Count(), len(tg.txs), err)
	}
	if _, err := os.Stat(filepath.Join(scripts, "started")); err != nil {
		t.Fatalf("tenant A's condition never started: %v", err)
	}
	if n := sinkA.Count(); n != 0 {
		t.Fatalf("tenant A got %d notifications before its condition decided", n)
	}
	if err := os.WriteFile(filepath.Join(scripts, "release"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := sinkA.WaitFor(len(tg.txs), 30*time.Second); err != nil {
		t.Fatalf("tenant A's kept match: %d of %d notifications: %v", sinkA.Count(), len(tg.txs), err)
	}
	assertOncePerID(t, p.waitDelivered(len(tg.txs), 30*time.Second), len(tg.txs))
	assertOncePerID(t, sinkA.Requests(), len(tg.txs))
}

// TestConditionBudgetKeepsMatches: a tenant's condition that would outlast the tenant's
// budget for the batch is cut at the budget and its match kept (an extra alert, never a lost
// one), well before the condition's own timeout_ms.
func TestConditionBudgetKeepsMatches(t *testing.T) {
	t.Parallel()
	p, _, tg := conditionPipeline(t, time.Second)
	cfg, raw := tenantConfig(t, "stuck", tg, "", p.sink.URL())
	withCondition(t, cfg, raw, "stuck", "forever.sh", ozconfig.MaxScriptTimeoutMs)
	p.importTenant("stuck", cfg, raw, "")
	p.run()
	// Within the condition's own 30 s timeout: only the budget can have ended it.
	if _, err := p.sink.WaitFor(len(tg.txs), 20*time.Second); err != nil {
		t.Fatalf("match behind a never-ending condition: %d of %d notifications: %v", p.sink.Count(), len(tg.txs), err)
	}
	assertOncePerID(t, p.waitDelivered(len(tg.txs), 30*time.Second), len(tg.txs))
}
