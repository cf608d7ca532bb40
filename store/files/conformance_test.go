package files_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/ozmon/ozmon/monitor/ozconfig"
	"github.com/ozmon/ozmon/store"
	"github.com/ozmon/ozmon/store/files"
	"github.com/ozmon/ozmon/store/memory"
	"github.com/ozmon/ozmon/store/storetest"
)

// TestConformance: a config directory implements no store interface of
// its own; it becomes a TenantSource the way `ozmon dev` loads it (each
// tenants/<slug>/ one active tenant, in a memory store). The suite checks
// that what a tenant wrote in files is what the pipeline reads.
func TestConformance(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T) storetest.Stores {
		dir := t.TempDir()
		st := memory.New()
		return storetest.Stores{
			Tenants: st,
			PutTenant: func(t *testing.T, slug string, _ *ozconfig.Config, raw store.RawConfig) string {
				writeTenant(t, filepath.Join(dir, "tenants", slug), raw)
				tenants, err := files.LoadTenants(dir)
				if err != nil {
					t.Fatalf("load %s: %v", dir, err)
				}
				for s, cfg := range tenants {
					st.PutTenant(store.Tenant{ID: s, Slug: s, Name: s, Active: true}, cfg)
				}
				return slug
			},
		}
	})
}

// writeTenant writes raw as an OpenZeppelin Monitor config directory,
// replacing what dir held.
func writeTenant(t *testing.T, dir string, raw store.RawConfig) {
	t.Helper()
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	write := func(name string, data []byte) {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for slug, data := range raw.Networks {
		write("networks/"+slug+".json", data)
	}
	for name, data := range raw.Monitors {
		write("monitors/"+name+".json", data)
	}
	triggers, err := json.Marshal(raw.Triggers)
	if err != nil {
		t.Fatal(err)
	}
	write("triggers/triggers.json", triggers)
}
