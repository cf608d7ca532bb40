package testkit

import (
	"fmt"
	"os/exec"
	"path/filepath"
)

// BuildOzmon builds cmd/ozmon into dir and returns the binary's path, for
// tests that run real ozmon processes (the chaos suite, the end-to-end
// deployments). The Go build cache makes a second build a link.
func BuildOzmon(dir string) (string, error) {
	root, err := ModuleRoot()
	if err != nil {
		return "", fmt.Errorf("module root: %w", err)
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		return "", fmt.Errorf("go toolchain not on PATH: %w", err)
	}
	out := filepath.Join(dir, "ozmon")
	cmd := exec.Command(goBin, "build", "-o", out, "./cmd/ozmon")
	cmd.Dir = root
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/ozmon: %w\n%s", err, b)
	}
	return out, nil
}
