package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ozmon/ozmon/internal/testkit"
	"github.com/ozmon/ozmon/ozmontest"
)

// solanaTestBlocks is OZ's Solana fixture block (slot 123456789, one
// successful SPL transfer) and a copy of it at slot 123456791 with another
// signature, so 123456790 is a skipped slot and 123456791 the tip.
func solanaTestBlocks(t *testing.T) []byte {
	t.Helper()
	data, err := os.ReadFile(testkit.SharedPath(t, "testdata", "ozmonitor", "solana", "blocks.json"))
	if err != nil {
		t.Fatal(err)
	}
	var blocks []map[string]any
	if err := json.Unmarshal(data, &blocks); err != nil {
		t.Fatal(err)
	}
	var second map[string]any
	if err := json.Unmarshal(data[strings.IndexByte(string(data), '{'):strings.LastIndexByte(string(data), '}')+1], &second); err != nil {
		t.Fatal(err)
	}
	second["slot"], second["parentSlot"], second["blockhash"] = 123456791, 123456789, "SecondBlockHash"
	tx := second["transactions"].([]any)[0].(map[string]any)
	tx["signature"], tx["slot"] = "SecondSignature", 123456791
	out, err := json.Marshal(append(blocks, second))
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestTestMonitorSolana runs `ozmon test-monitor` on OZ's Solana fixture
// monitor (events [Transfer], transactions [Success] on the Token program)
// against the Solana simulator and over block files — SOL149, OZ's test
// mode: the slot's one transfer matches; without --ledger the latest
// finalized slot is read (QS20); a skipped slot is "Slot N not found"; a
// range counts its skipped slots; RPC failures name what failed.
func TestTestMonitorSolana(t *testing.T) {
	t.Parallel()
	blocks := solanaTestBlocks(t)
	sim := ozmontest.StartSolanaSim(t, ozmontest.SolanaSimFixtures(blocks))
	mon := testkit.SharedPath(t, "testdata", "ozmonitor", "solana", "monitors", "monitor.json")
	net := testkit.SharedPath(t, "testdata", "ozmonitor", "solana", "networks", "network.json")
	sigs := func(how, out string) []string {
		t.Helper()
		lines := strings.Split(strings.TrimSpace(out), "\n")
		var got []string
		for _, l := range lines[:len(lines)-1] {
			var m struct {
				Solana struct {
					Transaction struct{ Signature string } `json:"transaction"`
					MatchedOn   json.RawMessage            `json:"matched_on"`
				}
			}
			if err := json.Unmarshal([]byte(l), &m); err != nil {
				t.Fatalf("%s: not a Solana MonitorMatch: %s", how, l)
			}
			if string(m.Solana.MatchedOn) != `{"functions":[],"events":[{"signature":"Transfer","expression":null}],"transactions":[{"status":"Success","expression":null}]}` {
				t.Errorf("%s: matched_on %s", how, m.Solana.MatchedOn)
			}
			got = append(got, m.Solana.Transaction.Signature)
		}
		return got
	}
	const fixtureSig = "5wHu1qwD7q5ifaN5nwdcDqNFF53GJqa7nLp2BLPASe7FPYoWZL3YBrJmVL6nrMtwKjNFin1F"

	// SOL149: slot 123456789, one match; the built-in solana_devnet and the
	// fixture's network file alike.
	for _, netArgs := range [][]string{{"--network", "solana_devnet"}, {"--network", "solana_devnet", "--network-file", net}} {
		code, out, errOut := runCmd(t, append(append([]string{"test-monitor", "--monitor", mon}, netArgs...), "--ledger", "123456789", "--rpc", sim.URL())...)
		if code != 0 {
			t.Fatalf("%v: code %d: %s", netArgs, code, errOut)
		}
		if got := sigs("slot 123456789", out); len(got) != 1 || got[0] != fixtureSig {
			t.Fatalf("%v: matches %v", netArgs, got)
		}
		if !strings.Contains(out, "1 match(es) of monitor \"Solana Token Transfer Monitor\" in slots 123456789..123456789 on solana_devnet") {
			t.Errorf("summary: %s", out)
		}
	}
	// QS20: no --ledger reads the latest finalized slot, 123456791.
	sim.ResetCalls()
	code, out, errOut := runCmd(t, "test-monitor", "--monitor", mon, "--network", "solana_devnet", "--rpc", sim.URL())
	if got := sigs("latest", out); code != 0 || len(got) != 1 || got[0] != "SecondSignature" || sim.Calls("getSlot") != 1 {
		t.Fatalf("latest slot: code %d, matches %v, getSlot %d: %s", code, got, sim.Calls("getSlot"), errOut)
	}
	// SOL149: a skipped slot is "Slot N not found".
	code, _, errOut = runCmd(t, "test-monitor", "--monitor", mon, "--network", "solana_devnet", "--ledger", "123456790", "--rpc", sim.URL())
	if code != 1 || !strings.Contains(errOut, "Slot 123456790 not found") {
		t.Fatalf("skipped slot: code %d: %s", code, errOut)
	}
	// A range: two matches, the skipped slot counted.
	code, out, errOut = runCmd(t, "test-monitor", "--monitor", mon, "--network", "solana_devnet", "--ledger", "123456789:123456791", "--rpc", sim.URL())
	if got := sigs("range", out); code != 0 || strings.Join(got, ",") != fixtureSig+",SecondSignature" || !strings.Contains(out, "slots (1 skipped by the chain) 123456789..123456791") {
		t.Fatalf("range: code %d, matches %v\n%s%s", code, got, out, errOut)
	}
	// Block files in OZ's model instead of the RPC.
	dir := t.TempDir()
	mustWrite(t, filepath.Join(dir, "blocks.json"), string(blocks))
	code, out, errOut = runCmd(t, "test-monitor", "--monitor", mon, "--network", "solana_devnet", "--ledger", "123456791", "--ledgers", dir)
	if got := sigs("files", out); code != 0 || len(got) != 1 || got[0] != "SecondSignature" {
		t.Fatalf("files: code %d, matches %v: %s", code, got, errOut)
	}
	if code, _, errOut := runCmd(t, "test-monitor", "--monitor", mon, "--network", "solana_devnet", "--ledgers", dir); code != 2 || !strings.Contains(errOut, "usage") {
		t.Errorf("files without --ledger: code %d: %s", code, errOut)
	}
	// SOL149's failures: the block, and the latest slot, cannot be read.
	sim.InjectFault("getBlock", ozmontest.Fault{HTTPStatus: 503})
	if code, _, errOut := runCmd(t, "test-monitor", "--monitor", mon, "--network", "solana_devnet", "--ledger", "123456789", "--rpc", sim.URL()); code != 1 || !strings.Contains(errOut, "get block of slot 123456789") {
		t.Errorf("getBlock failing: code %d: %s", code, errOut)
	}
	sim.InjectFault("getSlot", ozmontest.Fault{HTTPStatus: 503})
	if code, _, errOut := runCmd(t, "test-monitor", "--monitor", mon, "--network", "solana_devnet", "--rpc", sim.URL()); code != 1 || !strings.Contains(errOut, "get the latest finalized slot") {
		t.Errorf("getSlot failing: code %d: %s", code, errOut)
	}
}
