package tenants_test

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/ozmon/ozmon/chain"
	"github.com/ozmon/ozmon/monitor/ozconfig"
	"github.com/ozmon/ozmon/store"
	"github.com/ozmon/ozmon/store/memory"
	"github.com/ozmon/ozmon/tasks"
	"github.com/ozmon/ozmon/tenants"
)

const (
	network  = "stellar_testnet"
	contract = "CDLZFC3SYJYDZT7K67VZ75HPJVIEUVNIXF47ZG2FB2RMQQVU2HHGCYSC"
)

// watching is a tenant config with one monitor on contract's transfers.
func watching(name string) *ozconfig.Config {
	n, err := ozconfig.ParseNetwork(network, []byte(`{"network_type":"Stellar","slug":"`+network+`","name":"Stellar Testnet",
		"rpc_urls":[{"type_":"rpc","url":{"type":"plain","value":"http://127.0.0.1:1"},"weight":100}],
		"network_passphrase":"Test SDF Network ; September 2015","block_time_ms":5000,"confirmation_blocks":1,
		"cron_schedule":"*/5 * * * * *","max_past_blocks":20,"store_blocks":false}`))
	if err != nil {
		panic(err)
	}
	m, err := ozconfig.ParseMonitor(name, []byte(`{"name":"`+name+`","paused":false,"networks":["`+network+`"],
		"addresses":[{"address":"`+contract+`"}],
		"match_conditions":{"functions":[{"signature":"transfer(Address,Address,I128)"}],"events":[],"transactions":[]},
		"trigger_conditions":[],"triggers":[]}`))
	if err != nil {
		panic(err)
	}
	cfg := &ozconfig.Config{Networks: map[string]*ozconfig.Network{network: n}, Monitors: map[string]*ozconfig.Monitor{name: m}}
	if err := cfg.Validate(name); err != nil {
		panic(err)
	}
	return cfg
}

// Load two tenants and ask which of them a block concerns: each candidate
// comes with its tier, ready for batching.
func ExampleRegistry_Candidates() {
	src := memory.New()
	src.PutTenant(store.Tenant{ID: "t1", Slug: "acme", Active: true, Tier: tasks.TierCritical}, watching("payments"))
	src.PutTenant(store.Tenant{ID: "t2", Slug: "beta", Active: true}, watching("audit"))

	reg := tenants.New(src, tenants.WithNetworks(network), tenants.WithLogger(slog.New(slog.DiscardHandler)))
	if err := reg.Reload(context.Background()); err != nil {
		panic(err)
	}
	b := &chain.Block{Network: network, Ledger: 7, Transactions: []chain.Transaction{{Hash: "ab",
		Operations: []chain.Operation{{Call: &chain.Call{Contract: contract, Function: "transfer"}}}}}}
	for _, c := range reg.Candidates(network, b) {
		fmt.Println(c.TenantID, c.Tier, len(c.Monitors))
	}
	fmt.Println(reg.Tiers())
	// Output:
	// t1 critical 1
	// t2 default 1
	// [critical default]
}
