package notify

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// scriptTree lays out a script directory with good scripts, an outside script, and symlinks
// that point out of the directory (a file and a directory).
func scriptTree(t *testing.T) (root, dir string) {
	t.Helper()
	root = t.TempDir()
	dir = filepath.Join(root, "scripts")
	for _, d := range []string{dir, filepath.Join(dir, "sub"), filepath.Join(root, "outside")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range []string{filepath.Join(dir, "good.sh"), filepath.Join(dir, "sub", "good.sh"), filepath.Join(root, "outside", "evil.sh")} {
		if err := os.WriteFile(p, []byte("cat >/dev/null; echo true\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	links := map[string]string{
		filepath.Join(dir, "link.sh"):  filepath.Join(root, "outside", "evil.sh"),
		filepath.Join(dir, "linkdir"):  filepath.Join("..", "outside"),
		filepath.Join(dir, "alias.sh"): "sub/good.sh", // stays inside: fine
		filepath.Join(root, "dirlink"): "scripts",     // the script directory itself through a symlink
	}
	for link, target := range links {
		if err := os.Symlink(target, link); err != nil {
			t.Fatal(err)
		}
	}
	return root, dir
}

func TestScriptPathConfined(t *testing.T) {
	t.Parallel()
	root, dir := scriptTree(t)
	for _, tc := range []struct {
		name, dir, path string
		ok              bool
	}{
		{"relative", dir, "good.sh", true},
		{"nested", dir, "sub/good.sh", true},
		{"absolute inside", dir, filepath.Join(dir, "good.sh"), true},
		{"symlink inside", dir, "alias.sh", true},
		{"symlinked script dir", filepath.Join(root, "dirlink"), "good.sh", true},
		{"dot-dot", dir, "../outside/evil.sh", false},
		{"dot-dot inside then out", dir, "sub/../../outside/evil.sh", false},
		{"absolute outside", dir, filepath.Join(root, "outside", "evil.sh"), false},
		{"symlink pointing outside", dir, "link.sh", false},
		{"symlinked dir pointing outside", dir, "linkdir/evil.sh", false},
	} {
		opts := []Option{EnableScripts(), ScriptDir(tc.dir)}
		_, err := newScript("s", scriptConfig{Language: "Bash", Path: tc.path, Timeout: time.Second}, opts...)
		if tc.ok != (err == nil) {
			t.Errorf("%s: newScript(%q) err = %v, want ok=%v", tc.name, tc.path, err, tc.ok)
		}
		if !tc.ok && !errors.Is(err, ErrScriptOutsideDir) {
			t.Errorf("%s: err %v does not wrap ErrScriptOutsideDir", tc.name, err)
		}
		// The same verdict at import, through Check, for a script trigger naming the path.
		tr := parseTrigger(t, fmt.Sprintf(`{"s": {"name": "S", "trigger_type": "script",
		  "config": {"language": "Bash", "script_path": %q, "timeout_ms": 1000}}}`, tc.path))
		err = Check(context.Background(), tr, opts...)
		if tc.ok != (err == nil) || (!tc.ok && !errors.Is(err, ErrRefused)) {
			t.Errorf("%s: Check(%q) = %v, want ok=%v (refusals wrap ErrRefused)", tc.name, tc.path, err, tc.ok)
		}
		if err := checkScriptPath(tc.path, opts...); tc.ok != (err == nil) {
			t.Errorf("%s: CheckScriptPath(%q) = %v, want ok=%v", tc.name, tc.path, err, tc.ok)
		}
	}
}

// A symlink that pointed inside at import and was turned outside later is refused when the
// script is read to run.
func TestScriptPathCheckedAgainAtRunTime(t *testing.T) {
	t.Parallel()
	root, dir := scriptTree(t)
	opts := []Option{EnableScripts(), ScriptDir(dir)}
	swap := filepath.Join(dir, "swap.sh")
	if err := os.Symlink("good.sh", swap); err != nil {
		t.Fatal(err)
	}
	if err := checkScriptPath("swap.sh", opts...); err != nil {
		t.Fatalf("import of an inside symlink: %v", err)
	}
	if err := os.Remove(swap); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(root, "outside", "evil.sh"), swap); err != nil {
		t.Fatal(err)
	}
	if _, err := newScript("s", scriptConfig{Language: "Bash", Path: "swap.sh", Timeout: time.Second}, opts...); !errors.Is(err, ErrScriptOutsideDir) {
		t.Fatalf("run after the symlink turned outside: err = %v, want ErrScriptOutsideDir", err)
	}
}

// The error repeats at most a bounded prefix of a tenant's script_path.
func TestScriptPathErrorBounded(t *testing.T) {
	t.Parallel()
	_, dir := scriptTree(t)
	long := filepath.Join("..", "outside", "evil.sh")
	for len(long) < 100_000 {
		long = "./" + long
	}
	err := checkScriptPath(long, EnableScripts(), ScriptDir(dir))
	if err == nil || len(err.Error()) > 1000 {
		t.Fatalf("err of %d bytes: %.300v", len(fmt.Sprint(err)), err)
	}
}
