package testkit

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// TestDataShipsWithRepository fails when the data the tests read is not in
// the checkout: every test must run on a bare clone, none may skip for want
// of a folder beside it.
func TestDataShipsWithRepository(t *testing.T) {
	root := SharedDir(t)
	for l := 63092982; l <= 63093001; l++ {
		p := filepath.Join(root, "testdata", "stellar", "mainnet", fmt.Sprintf("ledger-%d.xdr.gz", l))
		if _, err := os.Stat(p); err != nil {
			t.Errorf("mainnet ledger %d: %v", l, err)
		}
	}
	for _, dir := range []string{"ozmonitor/stellar", "ozmonitor/evm", "ozmonitor/examples/config", "k8s-crds"} {
		if st, err := os.Stat(filepath.Join(root, "testdata", dir)); err != nil || !st.IsDir() {
			t.Errorf("testdata/%s is missing", dir)
		}
	}
}
