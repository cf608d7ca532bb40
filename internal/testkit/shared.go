package testkit

import (
	"os"
	"path/filepath"
	"testing"
)

// SharedDir returns the absolute path of the shared folder that sits beside
// the checkout (../shared from the module root), which holds the real
// mainnet ledgers and OpenZeppelin Monitor fixtures. A test that needs it is
// skipped, saying why, in a clone that has no such folder beside it.
func SharedDir(tb testing.TB) string {
	tb.Helper()
	root, err := ModuleRoot()
	if err != nil {
		tb.Fatalf("find module root: %v", err)
	}
	dir := filepath.Join(filepath.Dir(root), "shared")
	if st, err := os.Stat(filepath.Join(dir, "testdata")); err != nil || !st.IsDir() {
		tb.Skipf("skipping: this test reads real data from %s/testdata, which is not beside this checkout", dir)
	}
	return dir
}

// SharedPath joins elem onto SharedDir, e.g. SharedPath(t, "testdata", "stellar", "mainnet").
func SharedPath(tb testing.TB, elem ...string) string {
	tb.Helper()
	return filepath.Join(append([]string{SharedDir(tb)}, elem...)...)
}

// ModuleRoot returns the directory holding ozmon's go.mod, searching upwards
// from the working directory (go test runs in the package's directory).
func ModuleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", os.ErrNotExist
		}
		dir = parent
	}
}
