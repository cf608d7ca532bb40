package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ozmon/ozmon/internal/testkit"
)

// ozExamplesDir assembles OpenZeppelin Monitor 1.6's examples/config as
// OZ ships it — our copy of its EVM and Stellar part plus the Solana
// (solana_kamino_deposit, solana_upgrade) and, with midnight, the Midnight
// examples — in a temporary directory.
func ozExamplesDir(t *testing.T, midnight bool) string {
	t.Helper()
	dir := t.TempDir()
	srcs := []string{"examples/config", "solana/examples"}
	if midnight {
		srcs = append(srcs, "midnight/examples")
	}
	n := 0
	for _, src := range srcs {
		for _, sub := range []string{"networks", "monitors", "triggers"} {
			files, _ := filepath.Glob(filepath.Join(testkit.SharedPath(t, "testdata", "ozmonitor"), src, sub, "*.json"))
			for _, f := range files {
				data, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				mustWrite(t, filepath.Join(dir, sub, filepath.Base(f)), string(data))
				if sub == "monitors" {
					n++
				}
			}
		}
	}
	if want := map[bool]int{false: 5, true: 6}[midnight]; n != want {
		t.Fatalf("%d example monitors, want %d", n, want)
	}
	return dir
}

// `ozmon validate` on OZ 1.6's examples/config: the two Solana monitors
// and their networks are accepted unchanged (issue #16 found them refused
// as "of type Solana, which ozmon does not run"), with the EVM and Stellar
// ones. Whatever validate says about the Midnight example is Midnight's
// own business (section 17): no line of its output concerns anything else.
func TestValidateOZExamplesAcceptsSolana(t *testing.T) {
	t.Parallel()
	code, out, errOut := runCmd(t, "validate", ozExamplesDir(t, false))
	if code != 0 {
		t.Fatalf("examples without Midnight: code %d\n%s%s", code, out, errOut)
	}
	_, out, errOut = runCmd(t, "validate", ozExamplesDir(t, true))
	for _, line := range strings.Split(strings.TrimSpace(out+"\n"+errOut), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasSuffix(line, "error(s)") || strings.HasSuffix(line, ": ok") || strings.Contains(line, "midnight") {
			continue
		}
		if strings.Contains(strings.ToLower(line), "solana") || strings.HasPrefix(line, "monitors/") || strings.HasPrefix(line, "networks/") {
			t.Errorf("validate with the Midnight example: unexpected line %q", line)
		}
	}
}
