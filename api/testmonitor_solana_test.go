package api

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/ozmon/ozmon/cache"
	"github.com/ozmon/ozmon/internal/testkit"
	"github.com/ozmon/ozmon/ozmontest"
)

// TestTestMonitorSolana: testMonitor dry-runs a Solana monitor against a
// Solana network of the operator's registry, as it does EVM and Stellar
// ones — slots from the network's RPC (one getBlock each, through
// chain/solana), a skipped slot evaluated as an empty one, a slot the RPC
// does not serve read from the block cache, and the matches as OZ's
// Solana MonitorMatch JSON.
func TestTestMonitorSolana(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	data, err := os.ReadFile(testkit.SharedPath(t, "testdata", "ozmonitor", "solana", "blocks.json"))
	if err != nil {
		t.Fatal(err)
	}
	// The fixture block at 123456789 and a copy at 123456791: 123456790 is
	// skipped.
	second := strings.Replace(strings.Replace(string(data), `"slot": 123456789`, `"slot": 123456791`, -1),
		"5wHu1qwD7q5ifaN5nwdcDqNFF53GJqa7nLp2BLPASe7FPYoWZL3YBrJmVL6nrMtwKjNFin1F", "SecondSignature", 1)
	blocksJSON := strings.TrimSuffix(strings.TrimSpace(string(data)), "]") + "," + strings.TrimPrefix(strings.TrimSpace(second), "[")
	sim := ozmontest.StartSolanaSim(t, ozmontest.SolanaSimFixtures([]byte(blocksJSON)))
	blocks, err := cache.New(testkit.RedisClient(t), cache.WithKeyPrefix("api_sol_test"))
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, WithBlockCache(blocks))
	netJSON := `{"network_type":"Solana","slug":"solana_devnet","name":"Solana Devnet",
 "rpc_urls":[{"type_":"rpc","url":{"type":"plain","value":"` + sim.URL() + `"},"weight":100}],
 "block_time_ms":400,"confirmation_blocks":1,"cron_schedule":"*/10 * * * * *","max_past_blocks":50,"store_blocks":false}`
	if err := e.st.UpsertNetwork(ctx, "solana_devnet", []byte(netJSON)); err != nil {
		t.Fatalf("register network: %v", err)
	}
	mon := map[string]any{"name": "Token transfers", "paused": false, "networks": []string{"solana_devnet"},
		"addresses": []any{map[string]any{"address": "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA"}},
		"match_conditions": map[string]any{"functions": []any{}, "events": []any{map[string]any{"signature": "Transfer"}},
			"transactions": []any{map[string]any{"status": "Success"}}},
		"trigger_conditions": []any{}, "triggers": []string{}}
	run := func(from, to int) (matches []json.RawMessage, evaluated int, r gqlResponse) {
		r = e.query(t, "a-viewer", testMonitorQuery, map[string]any{"m": mon,
			"r": map[string]any{"network": "solana_devnet", "from": from, "to": to}})
		var d struct {
			TestMonitor struct {
				Matches          []json.RawMessage
				LedgersEvaluated int
			}
		}
		_ = json.Unmarshal(r.Data, &d)
		return d.TestMonitor.Matches, d.TestMonitor.LedgersEvaluated, r
	}
	matches, evaluated, r := run(123456789, 123456791)
	if len(r.Errors) > 0 {
		t.Fatalf("testMonitor: %+v", r.Errors)
	}
	if evaluated != 3 || len(matches) != 2 {
		t.Fatalf("%d slots evaluated, %d matches; want 3 (the skipped one included) and 2", evaluated, len(matches))
	}
	var m struct {
		Solana struct {
			NetworkSlug string `json:"network_slug"`
			Transaction struct{ Signature string }
			Block       struct{ Slot uint64 }
		}
	}
	if err := json.Unmarshal(matches[1], &m); err != nil || m.Solana.NetworkSlug != "solana_devnet" || m.Solana.Transaction.Signature != "SecondSignature" || m.Solana.Block.Slot != 123456791 {
		t.Fatalf("second match %s (%v)", matches[1], err)
	}
	if c := sim.Calls("getBlock"); c != 3 {
		t.Errorf("getBlock calls = %d, want 3", c)
	}
	// A slot past the simulator's tip (it answers −32004, not available),
	// in the block cache only; the next one is in neither.
	b := *sim.Block(123456789)
	b.Network, b.Ledger = "solana_devnet", 200000000
	if err := blocks.Put(ctx, &b); err != nil {
		t.Fatal(err)
	}
	if matches, evaluated, r := run(200000000, 200000000); len(r.Errors) > 0 || evaluated != 1 || len(matches) != 1 {
		t.Fatalf("cached slot: %d evaluated, %d matches, %+v", evaluated, len(matches), r.Errors)
	}
	if _, _, r := run(200000001, 200000001); r.code() != CodeBadInput {
		t.Fatalf("slot neither cached nor served: %s %+v", r.Data, r.Errors)
	}
}
