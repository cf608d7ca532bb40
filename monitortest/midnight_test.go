package monitortest_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ozmon/ozmon/internal/testkit"
	"github.com/ozmon/ozmon/monitortest"
)

// OpenZeppelin Monitor's Midnight fixture monitor over its blocks.json
// (MID11): block 11243's take_down call matches, the other five blocks do
// not; with a Success condition it needs the block's applied event, which
// an "events" entry beside the block supplies.
func TestMidnight(t *testing.T) {
	t.Parallel()
	dir := testkit.SharedPath(t, "testdata", "ozmonitor", "midnight")
	mon, err := os.ReadFile(filepath.Join(dir, "monitors", "monitor.json"))
	if err != nil {
		t.Fatal(err)
	}
	blocks := filepath.Join(dir, "blocks.json")
	ms := monitortest.Midnight(t, string(mon), blocks)
	if len(ms.All) != 1 || ms.Network != "midnight_testnet" || len(ms.Ledgers) != 6 {
		t.Fatalf("matches %+v", ms)
	}
	const tx = "84502ac6e24d003fdc72c4eaaf8f2ba549e45a1a6fb16fac1204410f67749661"
	monitortest.RequireMatch(t, ms, monitortest.Tx(tx), monitortest.Ledger(11243))

	success := strings.Replace(string(mon), `"transactions": []`, `"transactions": [{"status": "Success"}]`, 1)
	monitortest.RequireNoMatch(t, monitortest.Midnight(t, success, blocks), monitortest.Tx(tx))

	data, err := os.ReadFile(blocks)
	if err != nil {
		t.Fatal(err)
	}
	var items []map[string]json.RawMessage
	if err := json.Unmarshal(data, &items); err != nil || len(items) == 0 {
		t.Fatalf("fixture: %v", err)
	}
	items[0]["events"] = json.RawMessage(`[{"MidnightTxApplied": {"phase": {"ApplyExtrinsic": 1}, "topics": {"topics": []}, "tx_hash": "0x` + tx + `"}}]`)
	withEvents, err := json.Marshal(items)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "blocks.json")
	if err := os.WriteFile(file, withEvents, 0o600); err != nil {
		t.Fatal(err)
	}
	monitortest.RequireMatch(t, monitortest.Midnight(t, success, file), monitortest.Tx(tx))
}
