package postgres

import (
	"context"
	"strings"
	"testing"
)

func TestNetworkRegistry(t *testing.T) {
	t.Parallel()
	s, _ := openTestStore(t)
	ctx := context.Background()
	if err := s.UpsertNetwork(ctx, "stellar_testnet", []byte(networkJSON("stellar_testnet"))); err != nil {
		t.Fatal(err)
	}
	if err := s.UpsertNetwork(ctx, "stellar_mainnet", []byte(networkJSON("stellar_mainnet"))); err != nil {
		t.Fatal(err)
	}
	// Replacing keeps one entry and the new content.
	changed := strings.Replace(networkJSON("stellar_mainnet"), `"confirmation_blocks": 1`, `"confirmation_blocks": 2`, 1)
	if err := s.UpsertNetwork(ctx, "stellar_mainnet", []byte(changed)); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []struct{ slug, json, want string }{
		{"stellar_x", networkJSON("stellar_y"), "does not match"},
		{"stellar_x", `{"slug": "stellar_x"}`, "network_type"},
		{"stellar_x", `{`, "not valid JSON"},
	} {
		if err := s.UpsertNetwork(ctx, bad.slug, []byte(bad.json)); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("UpsertNetwork(%s) = %v, want error mentioning %q", bad.json, err, bad.want)
		}
	}
	// A row broken behind ozmon's back is skipped, not fatal.
	if _, err := s.pool.Exec(ctx, `INSERT INTO ozmon_networks (slug, configuration) VALUES ('broken', '{"x": 1}')`); err != nil {
		t.Fatal(err)
	}
	ns, err := s.Networks(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(ns) != 2 || ns[0].Slug != "stellar_mainnet" || ns[1].Slug != "stellar_testnet" {
		t.Fatalf("networks = %+v", ns)
	}
	if ns[0].Config.ConfirmationBlocks != 2 || len(ns[0].Config.RPCURLs) != 1 {
		t.Fatalf("mainnet = %+v", ns[0].Config)
	}
	if ok, err := s.deleteNetwork(ctx, "stellar_testnet"); !ok || err != nil {
		t.Fatalf("delete: %v %v", ok, err)
	}
	if ns, _ := s.Networks(ctx); len(ns) != 1 {
		t.Fatalf("after delete: %+v", ns)
	}
}
