package main

import (
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/ozmon/ozmon/chain/stellar"
	"github.com/ozmon/ozmon/internal/config"
	"github.com/ozmon/ozmon/internal/testkit"
	"github.com/ozmon/ozmon/monitor/ozconfig"
)

// TestRPCLimitsReachTheClients: the rpc section of the configuration sets
// each network's caps on the client that serves it.
func TestRPCLimitsReachTheClients(t *testing.T) {
	t.Parallel()
	srv := testkit.StartOversizedRPC(t, `{"jsonrpc":"2.0","id":1,"result":"`, 64<<20)
	cfg := config.Defaults()
	cfg.RPC = config.RPC{RPCLimits: config.RPCLimits{MaxResponseBytes: 3 << 20},
		Networks: map[string]config.RPCLimits{"stellar_x": {MaxLedgerBytes: 1 << 20}}}
	a := &app{cfg: cfg, log: slog.New(slog.DiscardHandler), stellarClients: map[string]*stellar.Client{}}
	t.Cleanup(a.Close)
	for _, tc := range []struct {
		n    *ozconfig.Network
		want string
	}{
		{&ozconfig.Network{Slug: "stellar_x", NetworkType: ozconfig.NetworkStellar}, "larger than 1048576 bytes"},
		{&ozconfig.Network{Slug: "evm_x", NetworkType: ozconfig.NetworkEVM}, "larger than 3145728 bytes"},
	} {
		src, err := a.openSource(tc.n, []endpoint{{srv.URL, 1}}, func(string, string, error) {})
		if err != nil {
			t.Fatal(err)
		}
		_, err = src.FetchBlock(context.Background(), 5)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want %q", tc.n.Slug, err, tc.want)
		}
	}
}
