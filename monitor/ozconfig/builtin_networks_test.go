package ozconfig_test

import (
	"testing"

	"github.com/ozmon/ozmon/monitor/ozconfig"
)

func TestBuiltinNetworks(t *testing.T) {
	t.Parallel()
	for _, slug := range []string{"stellar_mainnet", "stellar_testnet", "ethereum_mainnet", "anvil_local"} {
		n, ok := ozconfig.BuiltinNetwork(slug)
		if !ok || n.Slug != slug {
			t.Fatalf("built-in %s = %v %v", slug, n, ok)
		}
	}
	if _, ok := ozconfig.BuiltinNetwork("nowhere"); ok {
		t.Fatal("unknown network reported as built in")
	}
	m, err := ozconfig.ParseMonitor("m.json", []byte(`{"name":"x","paused":false,"networks":["anvil_local","custom"],"addresses":[],
		"match_conditions":{"functions":[],"events":[],"transactions":[{"status":"Any"}]},"trigger_conditions":[],"triggers":[]}`))
	if err != nil {
		t.Fatal(err)
	}
	cfg := &ozconfig.Config{Monitors: map[string]*ozconfig.Monitor{"x": m}}
	if added := cfg.AddBuiltinNetworks(); len(added) != 1 || added[0] != "anvil_local" {
		t.Fatalf("added %v", added)
	}
	// "custom" is still unknown: validation names it.
	if err := cfg.Validate("dir"); err == nil {
		t.Fatal("a monitor on an undefined, non-built-in network validated")
	}
}
