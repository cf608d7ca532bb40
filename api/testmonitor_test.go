package api

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stellar/go-stellar-sdk/network"

	"github.com/ozmon/ozmon/cache"
	"github.com/ozmon/ozmon/chain/stellar"
	"github.com/ozmon/ozmon/internal/testkit"
	"github.com/ozmon/ozmon/ozmontest"
)

const testMonitorQuery = `mutation($m: JSON!, $r: LedgerRangeInput!) { testMonitor(monitor: $m, ledgers: $r) { matches ledgersEvaluated } }`

// TestTestMonitor evaluates an unsaved monitor over the simulator's
// ledgers through the operator's registry; a ledger the RPC does not
// serve is read from the block cache; bad ranges, monitors and networks
// are refused clearly.
func TestTestMonitor(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	sim, err := ozmontest.NewStellarSim(ozmontest.SimSynthetic(ozmontest.SyntheticConfig{Seed: 1, Ledgers: 5, TxPerLedger: 50,
		Passphrase: network.TestNetworkPassphrase}))
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	blocks, err := cache.New(testkit.RedisClient(t), cache.WithKeyPrefix("api_test"))
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, WithBlockCache(blocks))
	netJSON := `{"network_type":"Stellar","slug":"stellar_testnet","name":"Stellar testnet",
 "rpc_urls":[{"type_":"rpc","url":{"type":"plain","value":"` + sim.URL() + `"},"weight":100}],
 "network_passphrase":"` + sim.Passphrase() + `","block_time_ms":5000,"confirmation_blocks":1,
 "cron_schedule":"0 */1 * * * *","max_past_blocks":20,"store_blocks":false}`
	if err := e.st.UpsertNetwork(ctx, "stellar_testnet", []byte(netJSON)); err != nil {
		t.Fatalf("register network: %v", err)
	}
	ids := ozmontest.SyntheticIDs(1, network.TestNetworkPassphrase)
	mon := map[string]any{"name": "Any transfer", "paused": false, "networks": []string{"stellar_testnet"},
		"addresses": []any{map[string]any{"address": ids.Token}},
		"match_conditions": map[string]any{"functions": []any{}, "transactions": []any{},
			"events": []any{map[string]any{"signature": "transfer(Address,Address,String,I128)", "expression": "3 > 0"}}},
		"trigger_conditions": []any{}, "triggers": []string{}}
	first := sim.Ledgers()[0]
	run := func(from, to int) gqlResponse {
		return e.query(t, "a-viewer", testMonitorQuery, map[string]any{"m": mon,
			"r": map[string]any{"network": "stellar_testnet", "from": from, "to": to}})
	}
	r := run(int(first), int(first)+2)
	if len(r.Errors) > 0 {
		t.Fatalf("testMonitor: %+v", r.Errors)
	}
	var d struct {
		TestMonitor struct {
			Matches          []json.RawMessage
			LedgersEvaluated int
		}
	}
	_ = json.Unmarshal(r.Data, &d)
	if d.TestMonitor.LedgersEvaluated != 3 || len(d.TestMonitor.Matches) == 0 || !strings.Contains(string(d.TestMonitor.Matches[0]), "Any transfer") {
		t.Fatalf("testMonitor = %d ledgers, %d matches", d.TestMonitor.LedgersEvaluated, len(d.TestMonitor.Matches))
	}
	// A ledger far past the simulator's is in the cache only.
	raw, _ := sim.LedgerXDR(first)
	b, err := stellar.DecodeLedgerXDR("stellar_testnet", sim.Passphrase(), raw)
	if err != nil {
		t.Fatal(err)
	}
	b.Ledger = 900000
	if err := blocks.Put(ctx, b); err != nil {
		t.Fatal(err)
	}
	if r := run(900000, 900000); len(r.Errors) > 0 || !strings.Contains(string(r.Data), `"ledgersEvaluated":1`) {
		t.Fatalf("cached ledger: %s %+v", r.Data, r.Errors)
	}
	if r := run(900001, 900001); r.code() != CodeBadInput {
		t.Fatalf("ledger neither cached nor served: %+v", r.Errors)
	}
	for _, c := range []struct {
		vars map[string]any
		code string
	}{
		{map[string]any{"m": mon, "r": map[string]any{"network": "stellar_testnet", "from": 1, "to": 101}}, CodeBadInput},
		{map[string]any{"m": mon, "r": map[string]any{"network": "stellar_testnet", "from": 10, "to": 9}}, CodeBadInput},
		{map[string]any{"m": map[string]any{"name": 3}, "r": map[string]any{"network": "stellar_testnet", "from": 1}}, CodeBadInput},
		{map[string]any{"m": mon, "r": map[string]any{"network": "nowhere", "from": 1}}, CodeNotFound},
	} {
		if r := e.query(t, "a-owner", testMonitorQuery, c.vars); r.code() != c.code {
			t.Errorf("%v: code %q (%+v), want %s", c.vars["r"], r.code(), r.Errors, c.code)
		}
	}
}
