package api

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	gqlapi "github.com/99designs/gqlgen/api"
	"github.com/99designs/gqlgen/codegen/config"
)

// TestGeneratedCodeIsCurrent regenerates the executor and models from
// schema.graphqls into a temporary directory and compares them with the
// committed files: run `go generate ./api` when this fails.
func TestGeneratedCodeIsCurrent(t *testing.T) {
	// Inside the module, so gqlgen can load the packages it maps types
	// to; a leading underscore keeps the go tool's ./... away from it.
	dir, err := os.MkdirTemp(sourceDir, "_stale")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	for _, f := range []string{"gqlgen.yml", "schema.graphqls"} {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(dir)
	var cfg *config.Config
	cfg, err = config.LoadConfig("gqlgen.yml")
	if err != nil {
		t.Fatalf("load gqlgen.yml: %v", err)
	}
	if err := gqlapi.Generate(cfg); err != nil {
		t.Fatalf("generate: %v", err)
	}
	t.Chdir(filepath.Dir(dir)) // leave dir before comparing (Chdir restores at the end)
	for _, f := range []string{"exec_gen.go", "models_gen.go"} {
		want, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatalf("generated %s: %v", f, err)
		}
		// gqlgen names its marshalers after the package path: "/" is ᚋ.
		want = bytes.ReplaceAll(want, []byte("ᚋ"+filepath.Base(dir)), nil)
		got, err := os.ReadFile(filepath.Join(sourceDir, f))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s is stale: run go generate ./api", f)
		}
	}
}

// sourceDir is the package directory, read before any test changes directory.
var sourceDir = func() string { d, _ := os.Getwd(); return d }()
