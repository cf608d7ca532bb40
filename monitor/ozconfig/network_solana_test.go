package ozconfig_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ozmon/ozmon/monitor/ozconfig"
)

// OpenZeppelin Monitor's Solana networks (its examples and its test
// fixture) parse with the meaning of spec 11.1, and the built-in
// solana_mainnet and solana_devnet are exactly OZ's example files.
func TestSolanaNetworks(t *testing.T) {
	t.Parallel()
	read := func(name string) *ozconfig.Network {
		t.Helper()
		data, err := os.ReadFile(filepath.Join("testdata", "solana", name))
		if err != nil {
			t.Fatal(err)
		}
		n, err := ozconfig.ParseNetwork(name, data)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return n
	}
	for _, slug := range []string{"solana_mainnet", "solana_devnet"} {
		file := read(slug + ".json")
		builtin, ok := ozconfig.BuiltinNetwork(slug)
		if !ok {
			t.Fatalf("%s is not built in", slug)
		}
		if !sameJSON(t, file, builtin) {
			t.Errorf("built-in %s differs from OZ's file:\n got %+v\nwant %+v", slug, builtin, file)
		}
		if file.NetworkType != ozconfig.NetworkSolana || file.BlockTimeMs != 400 || file.ConfirmationBlocks != 32 {
			t.Errorf("%s = %+v", slug, file)
		}
	}
	if main, _ := ozconfig.BuiltinNetwork("solana_mainnet"); main.RecoveryConfig == nil || main.RecoveryConfig.Enabled {
		t.Errorf("solana_mainnet recovery config = %+v, want present and disabled", main.RecoveryConfig)
	}
	fx := read("fixture_network.json")
	if fx.Slug != "solana_devnet" || fx.ConfirmationBlocks != 1 || !fx.StoreBlocks || fx.NetworkPassphrase != "" {
		t.Errorf("fixture network = %+v", fx)
	}
}

// sameJSON compares two networks as they marshal (parsing also records
// the source name, which differs).
func sameJSON(t *testing.T, a, b *ozconfig.Network) bool {
	t.Helper()
	ja, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	jb, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	return string(ja) == string(jb)
}

// Solana has no network fields of its own: commitment is OZ's unknown
// field, and an RPC URL's type must be "rpc".
func TestSolanaNetworkRefusals(t *testing.T) {
	t.Parallel()
	base := `{"network_type":"Solana","slug":"sol","name":"Solana","rpc_urls":[{"type_":"%TYPE%","url":{"type":"plain","value":"https://api.devnet.solana.com"},"weight":100}],
		"block_time_ms":400,"confirmation_blocks":1,"cron_schedule":"*/10 * * * * *"%EXTRA%}`
	cases := []struct{ typ, extra, want string }{
		{"rpc", `,"commitment":"confirmed"`, "commitment"},
		{"ws_rpc", ``, "type_"},
	}
	for _, c := range cases {
		src := strings.NewReplacer("%TYPE%", c.typ, "%EXTRA%", c.extra).Replace(base)
		if _, err := ozconfig.ParseNetwork("sol.json", []byte(src)); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s%s: err %v, want one naming %s", c.typ, c.extra, err, c.want)
		}
	}
}
