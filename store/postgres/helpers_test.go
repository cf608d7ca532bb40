package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/ozmon/ozmon/internal/testkit"
	"github.com/ozmon/ozmon/monitor"
	"github.com/ozmon/ozmon/store"
)

// openTestStore opens a Store on a schema of the test's own, with a notify
// channel of its own, and migrates it.
func openTestStore(tb testing.TB, opts ...Option) (*Store, string) {
	tb.Helper()
	url, schema := testkit.PostgresSchema(tb)
	ctx := context.Background()
	all := append([]Option{WithNotifyChannel("ozmon_" + schema)}, opts...)
	s, err := Open(ctx, url, all...)
	if err != nil {
		tb.Fatalf("open: %v", err)
	}
	tb.Cleanup(s.Close)
	if err := s.Migrate(ctx); err != nil {
		tb.Fatalf("migrate: %v", err)
	}
	return s, url
}

const testContract = "CA6PUJLBYKZKUEKLZJMKBZLEKP2OTHANDEOWSFF44FTSYLKQPIICCJBE"

func networkJSON(slug string) string {
	return fmt.Sprintf(`{
  "network_type": "Stellar",
  "slug": %q,
  "name": "Stellar %s",
  "rpc_urls": [ { "type_": "rpc", "url": { "type": "plain", "value": "https://rpc.example.org/%s" }, "weight": 100 } ],
  "network_passphrase": "Test SDF Network ; September 2015",
  "block_time_ms": 5000,
  "confirmation_blocks": 1,
  "cron_schedule": "0 */1 * * * *",
  "max_past_blocks": 20,
  "store_blocks": false
}`, slug, slug, slug)
}

func monitorJSON(name, network, expression string, triggers ...string) string {
	tr, _ := json.Marshal(append([]string{}, triggers...))
	return fmt.Sprintf(`{
  "name": %q,
  "paused": false,
  "networks": [%q],
  "addresses": [ { "address": %q } ],
  "match_conditions": {
    "functions": [ { "signature": "swap(Address,U32)", "expression": %q } ],
    "events": [],
    "transactions": [ { "status": "Success" } ]
  },
  "trigger_conditions": [],
  "triggers": %s
}`, name, network, testContract, expression, tr)
}

func triggerJSON(title string) string {
	return fmt.Sprintf(`{
    "name": %q,
    "trigger_type": "webhook",
    "config": {
      "url": { "type": "plain", "value": "https://hooks.example.org/%s" },
      "method": "POST",
      "headers": { "Authorization": "Bearer abc" },
      "message": { "title": %q, "body": "tx ${transaction.hash}" }
    }
  }`, title, strings.ReplaceAll(strings.ToLower(title), " ", "-"), title)
}

// fixture is a tenant configuration as an import command would read it
// from files: parsed, validated, with the original bytes beside it.
type fixture struct {
	networks map[string]string // slug → JSON
	monitors map[string]string // name → JSON
	triggers map[string]string // key → JSON
}

func (f fixture) build(tb testing.TB) (*monitor.Config, store.RawConfig) {
	tb.Helper()
	cfg := &monitor.Config{
		Networks: map[string]*monitor.Network{},
		Monitors: map[string]*monitor.Monitor{},
		Triggers: map[string]*monitor.Trigger{},
	}
	raw := store.RawConfig{
		Networks: map[string]json.RawMessage{},
		Monitors: map[string]json.RawMessage{},
		Triggers: map[string]json.RawMessage{},
	}
	for slug, data := range f.networks {
		n, err := monitor.ParseNetwork("networks/"+slug+".json", []byte(data))
		if err != nil {
			tb.Fatalf("fixture network %s: %v", slug, err)
		}
		cfg.Networks[slug], raw.Networks[slug] = n, json.RawMessage(data)
	}
	for name, data := range f.monitors {
		m, err := monitor.ParseMonitor("monitors/"+name+".json", []byte(data))
		if err != nil {
			tb.Fatalf("fixture monitor %s: %v", name, err)
		}
		cfg.Monitors[name], raw.Monitors[name] = m, json.RawMessage(data)
	}
	if len(f.triggers) > 0 {
		var parts []string
		for key, data := range f.triggers {
			parts = append(parts, fmt.Sprintf("%q: %s", key, data))
		}
		file := "{" + strings.Join(parts, ",\n") + "}"
		ts, err := monitor.ParseTriggers("triggers/all.json", []byte(file))
		if err != nil {
			tb.Fatalf("fixture triggers: %v", err)
		}
		for _, t := range ts {
			cfg.Triggers[t.Key], raw.Triggers[t.Key] = t, json.RawMessage(f.triggers[t.Key])
		}
	}
	if err := cfg.Validate("fixture"); err != nil {
		tb.Fatalf("fixture does not validate: %v", err)
	}
	return cfg, raw
}

// standardFixture is one network, two monitors sharing one trigger and
// each having one of their own.
func standardFixture() fixture {
	return fixture{
		networks: map[string]string{"stellar_testnet": networkJSON("stellar_testnet")},
		monitors: map[string]string{
			"Big swaps":   monitorJSON("Big swaps", "stellar_testnet", "amount > 1000", "ops_hook", "big_hook"),
			"Small swaps": monitorJSON("Small swaps", "stellar_testnet", "amount < 10", "ops_hook"),
		},
		triggers: map[string]string{
			"ops_hook": triggerJSON("Ops hook"),
			"big_hook": triggerJSON("Big hook"),
		},
	}
}

func importFixture(tb testing.TB, s *Store, slug string, f fixture) string {
	tb.Helper()
	cfg, raw := f.build(tb)
	id, err := s.ImportTenant(context.Background(), slug, cfg, raw)
	if err != nil {
		tb.Fatalf("import tenant %s: %v", slug, err)
	}
	return id
}

func sortedMapKeys[T any](m map[string]T) []string { return slices.Sorted(maps.Keys(m)) }
