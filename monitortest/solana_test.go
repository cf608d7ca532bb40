package monitortest_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ozmon/ozmon/internal/testkit"
	"github.com/ozmon/ozmon/monitortest"
)

// OpenZeppelin Monitor's Solana fixture monitor over its fixture block
// (SOL93): the SPL transfer matches; a Failure-only variant does not.
func TestSolana(t *testing.T) {
	t.Parallel()
	dir := testkit.SharedPath(t, "testdata", "ozmonitor", "solana")
	mon, err := os.ReadFile(filepath.Join(dir, "monitors", "monitor.json"))
	if err != nil {
		t.Fatal(err)
	}
	blocks := filepath.Join(dir, "blocks.json")
	ms := monitortest.Solana(t, string(mon), blocks)
	if len(ms.All) != 1 || ms.Network != "solana_devnet" || len(ms.Ledgers) != 1 || ms.Ledgers[0] != 123456789 {
		t.Fatalf("matches %+v", ms)
	}
	monitortest.RequireMatch(t, ms, monitortest.Tx("5wHu1qwD7q5ifaN5nwdcDqNFF53GJqa7nLp2BLPASe7FPYoWZL3YBrJmVL6nrMtwKjNFin1F"))
	if got := ms.All[0].MatchedOn.Events; len(got) != 1 || got[0].Signature != "Transfer" {
		t.Errorf("events %+v", got)
	}

	failure := strings.Replace(string(mon), `"Success"`, `"Failure"`, 1)
	monitortest.RequireNoMatch(t, monitortest.Solana(t, failure, blocks), monitortest.Ledger(123456789))

	r := run(t, func(tb testing.TB) {
		monitortest.Solana(tb, strings.Replace(string(mon), "solana_devnet", "stellar_mainnet", 1), blocks)
	})
	r.wantFailure(t, "network stellar_mainnet is Stellar, not Solana")
}
