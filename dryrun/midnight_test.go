package dryrun

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ozmon/ozmon/chain"
	"github.com/ozmon/ozmon/internal/testkit"
	"github.com/ozmon/ozmon/monitor"
	"github.com/ozmon/ozmon/monitor/ozconfig"
	"github.com/ozmon/ozmon/ozmontest"
)

// A Midnight monitor runs over a directory of block files in OZ's fixture
// format (MID11: block 11243's take_down matches) and over a block source
// standing for the RPC; without either it is refused with the reason.
func TestRunMidnight(t *testing.T) {
	t.Parallel()
	dir := testkit.SharedPath(t, "testdata", "ozmonitor", "midnight")
	read := func(p string) []byte {
		b, err := os.ReadFile(filepath.Join(dir, p))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	mon, err := ozconfig.ParseMonitor("monitor.json", read("monitors/monitor.json"))
	if err != nil {
		t.Fatal(err)
	}
	netw, err := ozconfig.ParseNetwork("midnight_testnet.json", read("examples/networks/midnight_testnet.json"))
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	if err := os.WriteFile(filepath.Join(tmp, "blocks.json"), read("blocks.json"), 0o600); err != nil {
		t.Fatal(err)
	}
	var got []string
	err = Run(context.Background(), mon, netw, Source{Dir: tmp}, 11243, 11243, func(_ uint64, ms []*monitor.Match) error {
		for _, m := range ms {
			got = append(got, m.Transaction.Hash+" "+m.MatchedOn.Functions[0].Signature)
		}
		return nil
	})
	if err != nil || len(got) != 1 || got[0] != "84502ac6e24d003fdc72c4eaaf8f2ba549e45a1a6fb16fac1204410f67749661 take_down" {
		t.Fatalf("matches %q, %v", got, err)
	}
	fetched := 0
	fetch := func(_ context.Context, network string, n uint64) (*chain.Block, error) {
		fetched++
		blocks, err := chain.MidnightBlocksFromFile(network, read("blocks.json"))
		if err != nil {
			return nil, err
		}
		return blocks[0], nil
	}
	matches := 0
	if err := Run(context.Background(), mon, netw, Source{Fetch: fetch}, 11243, 11243, func(_ uint64, ms []*monitor.Match) error {
		matches += len(ms)
		return nil
	}); err != nil || matches != 1 || fetched != 1 {
		t.Fatalf("through Fetch: %d matches, %d fetches, %v", matches, fetched, err)
	}
	// Over RPC: chain/midnight's source against the simulator.
	sim := ozmontest.StartMidnightSim(t)
	if err := sim.LoadFixtures(read("blocks.json"), nil); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	matches = 0
	if err := Run(ctx, mon, netw, Source{RPCURL: sim.URL()}, 11243, 11243, func(_ uint64, ms []*monitor.Match) error {
		matches += len(ms)
		return nil
	}); err != nil || matches != 1 || sim.Calls("midnight_jsonBlock") != 1 {
		t.Fatalf("over RPC: %d matches, %v", matches, err)
	}
	err = Run(ctx, mon, netw, Source{RPCURL: "https://not-websocket"}, 1, 1, func(uint64, []*monitor.Match) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "no WebSocket URLs available") {
		t.Errorf("http URL: %v", err)
	}
}
