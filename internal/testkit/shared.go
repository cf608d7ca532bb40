package testkit

import (
	"os"
	"path/filepath"
	"testing"
)

// SharedDir returns the module root, whose testdata/ folder carries the real
// data tests read: mainnet ledgers (testdata/stellar/mainnet), OpenZeppelin
// Monitor's fixtures and example configs (testdata/ozmonitor) and the CRDs
// the manifests are checked against (testdata/k8s-crds). They ship with
// the repository, so a bare clone runs every test; a missing folder is a
// broken checkout and fails the test rather than skipping it.
func SharedDir(tb testing.TB) string {
	tb.Helper()
	root, err := ModuleRoot()
	if err != nil {
		tb.Fatalf("find module root: %v", err)
	}
	if st, err := os.Stat(filepath.Join(root, "testdata")); err != nil || !st.IsDir() {
		tb.Fatalf("test data folder %s/testdata is missing: the checkout is incomplete", root)
	}
	return root
}

// SharedPath joins elem onto SharedDir, e.g. SharedPath(t, "testdata", "stellar", "mainnet").
// A path that does not exist fails the test: data is never optional.
func SharedPath(tb testing.TB, elem ...string) string {
	tb.Helper()
	p := filepath.Join(append([]string{SharedDir(tb)}, elem...)...)
	if _, err := os.Stat(p); err != nil {
		tb.Fatalf("test data %s: %v", p, err)
	}
	return p
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
