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
)

func solanaFixture(t *testing.T) (*ozconfig.Monitor, *ozconfig.Network, string) {
	t.Helper()
	dir := testkit.SharedPath(t, "testdata", "ozmonitor", "solana")
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
	netw, err := ozconfig.ParseNetwork("network.json", read("networks/network.json"))
	if err != nil {
		t.Fatal(err)
	}
	// A directory holding only the fixture's blocks.json.
	tmp := t.TempDir()
	if err := os.WriteFile(filepath.Join(tmp, "blocks.json"), read("blocks.json"), 0o600); err != nil {
		t.Fatal(err)
	}
	return mon, netw, tmp
}

// A Solana monitor runs over a directory of block files in OZ's model
// (SOL93: the fixture transfer matches), and over a block source standing
// for the RPC, where a skipped slot is no block and no match.
func TestRunSolana(t *testing.T) {
	mon, netw, dir := solanaFixture(t)
	matches := 0
	err := Run(context.Background(), mon, netw, Source{Dir: dir}, 123456789, 123456789, func(_ uint64, ms []*monitor.Match) error {
		matches += len(ms)
		return nil
	})
	if err != nil || matches != 1 {
		t.Fatalf("%d matches, %v", matches, err)
	}
	err = Run(context.Background(), mon, netw, Source{Dir: dir}, 123456790, 123456790, func(uint64, []*monitor.Match) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "slot 123456790: no block for it") {
		t.Errorf("missing slot: %v", err)
	}

	files := solanaFileLoader(dir, netw.Slug)
	var seen []uint64
	fetch := func(_ context.Context, network string, n uint64) (*chain.Block, error) {
		if network != netw.Slug {
			t.Errorf("fetch for %s", network)
		}
		if n == 123456790 {
			return nil, nil // skipped
		}
		return files(n)
	}
	matches = 0
	err = Run(context.Background(), mon, netw, Source{Fetch: fetch}, 123456789, 123456790, func(n uint64, ms []*monitor.Match) error {
		seen = append(seen, n)
		matches += len(ms)
		return nil
	})
	if err != nil || matches != 1 || len(seen) != 2 {
		t.Fatalf("slots %v, %d matches, %v", seen, matches, err)
	}
}
