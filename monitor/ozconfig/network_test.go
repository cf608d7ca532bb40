package ozconfig

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// A network in OZ's format (docs/compatibility.md#configuration-files), every field set.
const pubnetJSON = `{
  "network_type": "Stellar",
  "slug": "stellar_pubnet",
  "name": "Stellar Public Network",
  "rpc_urls": [
    { "type_": "rpc", "url": { "type": "Environment", "value": "STELLAR_RPC_PRIMARY" }, "weight": 90 },
    { "type_": "rpc", "url": { "type": "plain", "value": "https://soroban-rpc.fallback.example.org" }, "weight": 30 }
  ],
  "network_passphrase": "Public Global Stellar Network ; September 2015",
  "block_time_ms": 5500,
  "confirmation_blocks": 1,
  "cron_schedule": "*/30 * * * * *",
  "max_past_blocks": 30,
  "store_blocks": false,
  "recovery_config": {
    "enabled": true,
    "cron_schedule": "15 */10 * * * *",
    "max_blocks_per_run": 25,
    "max_block_age": 2000,
    "max_retries": 4,
    "retry_delay_ms": 1500
  }
}`

func TestParseNetwork(t *testing.T) {
	t.Parallel()
	n, err := ParseNetwork("networks/stellar_pubnet.json", []byte(pubnetJSON))
	if err != nil {
		t.Fatal(err)
	}
	if n.NetworkType != NetworkStellar || n.Slug != "stellar_pubnet" || n.BlockTimeMs != 5500 || n.ConfirmationBlocks != 1 {
		t.Errorf("scalars: %+v", n)
	}
	if len(n.RPCURLs) != 2 || n.RPCURLs[0].Weight != 90 || n.RPCURLs[0].URL.Kind() != SecretEnvironment ||
		n.RPCURLs[0].URL.Reference() != "STELLAR_RPC_PRIMARY" || n.RPCURLs[1].URL.Kind() != SecretPlain {
		t.Errorf("rpc_urls: %+v", n.RPCURLs)
	}
	if n.MaxPastBlocks == nil || n.MaxPastBlocks.N != 30 || n.MaxPastBlocks.Unlimited {
		t.Errorf("max_past_blocks: %+v", n.MaxPastBlocks)
	}
	rc := n.RecoveryConfig
	if rc == nil || !rc.Enabled || rc.CronSchedule != "15 */10 * * * *" || rc.MaxBlocksPerRun != 25 ||
		rc.MaxBlockAge != 2000 || rc.MaxRetries != 4 || rc.RetryDelayMs != 1500 {
		t.Errorf("recovery_config: %+v", rc)
	}
	if n.ChainID != nil {
		t.Errorf("chain_id set from nothing: %d", *n.ChainID)
	}
	// Marshalling gives back the OZ shape (the plain URL redacted).
	b, err := json.Marshal(n)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"max_past_blocks":30`) || !strings.Contains(string(b), `"type_":"rpc"`) ||
		strings.Contains(string(b), "fallback.example.org") {
		t.Errorf("marshalled: %s", b)
	}
}

func TestNetworkPastBlocks(t *testing.T) {
	t.Parallel()
	base := func(extra string) *Network {
		t.Helper()
		n, err := ParseNetwork("n.json", []byte(`{"network_type": "EVM", "slug": "eth", "name": "Ethereum",
			"rpc_urls": [], "chain_id": 1, "block_time_ms": 12000, "confirmation_blocks": 12,
			"cron_schedule": "0 */1 * * * *"`+extra+`}`))
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	now := time.Date(2026, 1, 1, 0, 0, 30, 0, time.UTC)
	// Default: floor(60 000 / 12 000) + 12 + 1.
	if limit, unlimited := base("").PastBlocksLimit(now); limit != 18 || unlimited {
		t.Errorf("default: %d %v", limit, unlimited)
	}
	if limit, unlimited := base(`, "max_past_blocks": "unlimited"`).PastBlocksLimit(now); !unlimited || limit != 0 {
		t.Errorf("unlimited: %d %v", limit, unlimited)
	}
	if limit, _ := base(`, "max_past_blocks": 7`).PastBlocksLimit(now); limit != 7 {
		t.Errorf("explicit: %d", limit)
	}
	if got := base("").Interval(now); got != time.Minute {
		t.Errorf("interval %s", got)
	}
	if b, _ := json.Marshal(base(`, "max_past_blocks": "unlimited"`)); !strings.Contains(string(b), `"max_past_blocks":"unlimited"`) {
		t.Errorf("marshal unlimited: %s", b)
	}
}

func TestParseNetworkMidnightRPCType(t *testing.T) {
	t.Parallel()
	const tmpl = `{"network_type": "Midnight", "slug": "mn", "name": "Midnight",
		"rpc_urls": [{"type_": "%s", "url": {"type": "plain", "value": "wss://rpc.example"}, "weight": 100}],
		"block_time_ms": 6000, "confirmation_blocks": 1, "cron_schedule": "0 * * * * *"}`
	if _, err := ParseNetwork("mn.json", []byte(strings.Replace(tmpl, "%s", "ws_rpc", 1))); err != nil {
		t.Errorf("ws_rpc rejected: %v", err)
	}
	_, err := ParseNetwork("mn.json", []byte(strings.Replace(tmpl, "%s", "rpc", 1)))
	want := `mn.json: rpc_urls[0].type_: invalid value "rpc" (expected one of "ws_rpc")`
	if err == nil || err.Error() != want {
		t.Errorf("got %v\nwant %s", err, want)
	}
	// Midnight speaks WebSocket only: an https:// URL is refused
	// (docs/compatibility.md#configuration-files).
	_, err = ParseNetwork("mn.json", []byte(strings.Replace(strings.Replace(tmpl, "%s", "ws_rpc", 1), "wss://", "https://", 1)))
	want = `mn.json: rpc_urls[0].url: a Midnight RPC URL must start with ws:// or wss://`
	if err == nil || err.Error() != want {
		t.Errorf("https Midnight URL: got %v\nwant %s", err, want)
	}
}

func TestParseNetworkCollectsAllErrors(t *testing.T) {
	t.Parallel()
	_, err := ParseNetwork("networks/x.json", []byte(`{"network_type": "Bitcoin", "slug": "Bad-Slug", "name": "",
		"rpc_urls": [{"type_": "http", "url": {"type": "plain", "value": "https://a.example"}, "weight": 101}, 5],
		"block_time_ms": -5, "cron_schedule": "0 * * * * *", "store_blocks": "yes", "colour": "blue"}`))
	want := []string{
		`networks/x.json: network_type: invalid value "Bitcoin" (expected one of "EVM", "Stellar", "Midnight", "Solana")`,
		`networks/x.json: slug: "Bad-Slug" may contain only lowercase letters, digits and underscores`,
		`networks/x.json: name: must not be empty`,
		`networks/x.json: rpc_urls[0].type_: invalid value "http" (expected one of "rpc")`,
		`networks/x.json: rpc_urls[0].weight: must be between 0 and 100, got 101`,
		`networks/x.json: rpc_urls[1]: expected RPC URL (object), got number`,
		`networks/x.json: block_time_ms: must be a non-negative integer, got -5`,
		`networks/x.json: missing required field "confirmation_blocks"`,
		`networks/x.json: store_blocks: expected boolean, got string`,
		`networks/x.json: unknown field "colour" (allowed: network_type, slug, name, rpc_urls, chain_id, network_passphrase, block_time_ms, confirmation_blocks, cron_schedule, max_past_blocks, store_blocks, recovery_config)`,
	}
	es := AsValidationErrors(err)
	if len(es) != len(want) {
		t.Fatalf("got %d errors:\n%v", len(es), err)
	}
	for i, w := range want {
		if es[i].Error() != w {
			t.Errorf("error %d:\n got %s\nwant %s", i, es[i], w)
		}
	}
}
