package dryrun

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ozmon/ozmon/internal/testkit"
	"github.com/ozmon/ozmon/monitor"
)

// OZ's Solana fixture directory as it is: blocks.json is read, and the
// files that are not blocks (transactions.json, signature_infos.json,
// golden_cases.json) are passed over instead of being read as empty
// blocks that hide the real one (SOL93: the transfer matches). A slot in
// two files is an error naming both.
func TestRunSolanaFixtureDirectory(t *testing.T) {
	t.Parallel()
	mon, netw, _ := solanaFixture(t)
	fixtures := testkit.SharedPath(t, "testdata", "ozmonitor", "solana")
	matches := 0
	err := Run(context.Background(), mon, netw, Source{Dir: fixtures}, 123456789, 123456789, func(_ uint64, ms []*monitor.Match) error {
		matches += len(ms)
		return nil
	})
	if err != nil || matches != 1 {
		t.Fatalf("fixture directory: %d matches, %v; want 1", matches, err)
	}
	data, err := os.ReadFile(filepath.Join(fixtures, "blocks.json"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, name := range []string{"a.json", "b.json"} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	err = Run(context.Background(), mon, netw, Source{Dir: dir}, 123456789, 123456789, func(uint64, []*monitor.Match) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "slot 123456789 is also in") {
		t.Errorf("slot in two files: %v", err)
	}
}
