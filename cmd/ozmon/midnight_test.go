package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ozmon/ozmon/chain"
	"github.com/ozmon/ozmon/chain/midnight"
	"github.com/ozmon/ozmon/internal/testkit"
	"github.com/ozmon/ozmon/ozmontest"
)

// `ozmon simulate --chain midnight` serves synthetic blocks over WebSocket
// JSON-RPC; chain/midnight reads its tip and a block.
func TestSimulateMidnight(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	var out, errOut syncBuffer
	done := make(chan int)
	go func() {
		done <- run(ctx, []string{"simulate", "--chain", "midnight", "--addr", "127.0.0.1:0", "--interval", "0", "--tx-per-ledger", "4"}, &out, &errOut)
	}()
	var url string
	waitFor(t, func() bool {
		_, rest, ok := strings.Cut(out.String(), " on ")
		if ok {
			url = strings.TrimSuffix(strings.Fields(rest)[0], ",")
		}
		return ok
	})
	c, err := midnight.NewClient([]chain.Endpoint{{URL: url, Weight: 1}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	src := &midnight.Source{Client: c, Network: "midnight_sim"}
	tip, err := src.Tip(context.Background())
	if err != nil || tip != 10 {
		t.Fatalf("tip = %d, %v", tip, err)
	}
	b, err := src.FetchBlock(context.Background(), tip)
	if err != nil || len(b.Transactions) != 4 || !b.Transactions[0].Success {
		t.Fatalf("block: %+v, %v", b, err)
	}
	cancel()
	if code := <-done; code != 0 {
		t.Errorf("simulate exited %d: %s", code, errOut.String())
	}
}

// `ozmon validate` accepts every config of OpenZeppelin Monitor 1.6's
// examples/config — the EVM and Stellar ones, the two Solana monitors and
// the Midnight bulletin-board monitor with their networks — cleanly.
func TestValidateOZ16ExamplesWithMidnight(t *testing.T) {
	t.Parallel()
	code, out, errOut := runCmd(t, "validate", ozExamplesDir(t, true))
	if code != 0 || !strings.Contains(out, ": ok") {
		t.Fatalf("validate: code %d\n%s\n%s", code, out, errOut)
	}
}

// `ozmon test-monitor` runs OZ's Midnight fixture monitor over block 11243
// from a directory holding blocks.json and from the simulator over
// WebSocket: one match, take_down, as OZ's MonitorMatch JSON.
func TestTestMonitorMidnight(t *testing.T) {
	t.Parallel()
	oz := testkit.SharedPath(t, "testdata", "ozmonitor", "midnight")
	mon := filepath.Join(oz, "monitors", "monitor.json")
	netFile := filepath.Join(oz, "examples", "networks", "midnight_testnet.json")
	blocks, err := os.ReadFile(filepath.Join(oz, "blocks.json"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	mustWrite(t, filepath.Join(dir, "blocks.json"), string(blocks))
	sim := ozmontest.StartMidnightSim(t)
	if err := sim.LoadFixtures(blocks, nil); err != nil {
		t.Fatal(err)
	}
	for _, src := range [][]string{{"--ledgers", dir}, {"--rpc", sim.URL()}} {
		args := append([]string{"test-monitor", "--monitor", mon, "--network", "midnight_testnet", "--network-file", netFile, "--ledger", "11243"}, src...)
		code, out, errOut := runCmd(t, args...)
		if code != 0 {
			t.Fatalf("%v: code %d %s", src, code, errOut)
		}
		lines := strings.Split(strings.TrimSpace(out), "\n")
		if len(lines) != 2 || !strings.HasPrefix(lines[0], `{"Midnight":{"monitor":`) ||
			!strings.Contains(lines[0], `"matched_on_args":{"functions":[{"signature":"take_down","args":null,"hex_signature":"take_down"}],"events":null}`) ||
			!strings.HasPrefix(lines[1], `1 match(es) of monitor "Monitor for Bulletin Board Take down" in ledgers 11243..11243 on midnight_testnet`) {
			t.Errorf("%v: output\n%s", src, out)
		}
	}
}
