package storetest

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/ozmon/ozmon/monitor/ozconfig"
	"github.com/ozmon/ozmon/store"
)

// Contract is the Soroban contract the fixture monitors watch.
const Contract = "CA6PUJLBYKZKUEKLZJMKBZLEKP2OTHANDEOWSFF44FTSYLKQPIICCJBE"

// NetworkJSON is an OpenZeppelin Monitor network file for a Stellar
// network named slug.
func NetworkJSON(slug string) string {
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

// MonitorJSON is a monitor file watching Contract's swap calls that match
// expression on network, firing triggers.
func MonitorJSON(name, network, expression string, triggers ...string) string {
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
}`, name, network, Contract, expression, tr)
}

// TriggerJSON is a webhook trigger named title, as one entry of a
// triggers file.
func TriggerJSON(title string) string {
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

// Fixture is a tenant configuration as an import reads it from files:
// each item's JSON, which Build parses and validates.
type Fixture struct {
	Networks map[string]string // slug → JSON
	Monitors map[string]string // name → JSON
	Triggers map[string]string // key → JSON
}

// StandardFixture is one network, two monitors sharing one trigger and
// each having one of their own.
func StandardFixture() Fixture {
	return Fixture{
		Networks: map[string]string{"stellar_testnet": NetworkJSON("stellar_testnet")},
		Monitors: map[string]string{
			"Big swaps":   MonitorJSON("Big swaps", "stellar_testnet", "amount > 1000", "ops_hook", "big_hook"),
			"Small swaps": MonitorJSON("Small swaps", "stellar_testnet", "amount < 10", "ops_hook"),
		},
		Triggers: map[string]string{
			"ops_hook": TriggerJSON("Ops hook"),
			"big_hook": TriggerJSON("Big hook"),
		},
	}
}

// Build parses and validates f, failing tb on any error, and returns the
// config with the original JSON of each item beside it.
func (f Fixture) Build(tb testing.TB) (*ozconfig.Config, store.RawConfig) {
	tb.Helper()
	cfg := &ozconfig.Config{
		Networks: map[string]*ozconfig.Network{},
		Monitors: map[string]*ozconfig.Monitor{},
		Triggers: map[string]*ozconfig.Trigger{},
	}
	raw := store.RawConfig{
		Networks: map[string]json.RawMessage{},
		Monitors: map[string]json.RawMessage{},
		Triggers: map[string]json.RawMessage{},
	}
	for slug, data := range f.Networks {
		n, err := ozconfig.ParseNetwork("networks/"+slug+".json", []byte(data))
		if err != nil {
			tb.Fatalf("fixture network %s: %v", slug, err)
		}
		cfg.Networks[slug], raw.Networks[slug] = n, json.RawMessage(data)
	}
	for name, data := range f.Monitors {
		m, err := ozconfig.ParseMonitor("monitors/"+name+".json", []byte(data))
		if err != nil {
			tb.Fatalf("fixture monitor %s: %v", name, err)
		}
		cfg.Monitors[name], raw.Monitors[name] = m, json.RawMessage(data)
	}
	if len(f.Triggers) > 0 {
		var parts []string
		for key, data := range f.Triggers {
			parts = append(parts, fmt.Sprintf("%q: %s", key, data))
		}
		file := "{" + strings.Join(parts, ",\n") + "}"
		ts, err := ozconfig.ParseTriggers("triggers/all.json", []byte(file))
		if err != nil {
			tb.Fatalf("fixture triggers: %v", err)
		}
		for _, t := range ts {
			cfg.Triggers[t.Key], raw.Triggers[t.Key] = t, json.RawMessage(f.Triggers[t.Key])
		}
	}
	if err := cfg.Validate("fixture"); err != nil {
		tb.Fatalf("fixture does not validate: %v", err)
	}
	return cfg, raw
}
