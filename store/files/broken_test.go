package files

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var updateBroken = flag.Bool("update-broken", false, "rewrite want.txt of the broken configs from the current output (review the diff!)")

// TestLoadDirBroken loads every config of monitor/ozconfig/testdata/broken and
// compares the errors, one per line, with the case's want.txt.
func TestLoadDirBroken(t *testing.T) {
	t.Parallel()
	root := filepath.Join("..", "..", "monitor", "ozconfig", "testdata", "broken")
	entries, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		n++
		dir := filepath.Join(root, e.Name())
		t.Run(e.Name(), func(t *testing.T) {
			t.Parallel()
			cfg, err := LoadDir(dir)
			if err == nil {
				t.Fatalf("LoadDir accepted a broken config (%d monitors)", len(cfg.Monitors))
			}
			if cfg != nil {
				t.Errorf("LoadDir returned a config along with errors")
			}
			var out bytes.Buffer
			count := Report(&out, err)
			if got := strings.Count(out.String(), "\n"); got != count {
				t.Errorf("Report returned %d but printed %d lines", count, got)
			}
			for _, secret := range []string{"s3cr3t", "hunter2"} {
				if strings.Contains(out.String(), secret) {
					t.Errorf("error output reveals a secret:\n%s", out.String())
				}
			}
			wantFile := filepath.Join(dir, "want.txt")
			if *updateBroken {
				if err := os.WriteFile(wantFile, out.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(wantFile)
			if err != nil {
				t.Fatal(err)
			}
			if out.String() != string(want) {
				t.Errorf("errors differ\n--- got\n%s--- want\n%s", out.String(), want)
			}
		})
	}
	if n < 25 {
		t.Errorf("only %d broken configs; the suite promises at least 25", n)
	}
}
