package files

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/ozmon/ozmon/monitor/ozconfig"
)

// LoadTenants loads dir/tenants/<slug>/ as one config directory per tenant
// (see LoadDir), keyed by slug. A dir without tenants/ is a single tenant
// named "default". Errors of every tenant are collected, sources
// relative to dir ("tenants/acme/monitors/usdc.json").
func LoadTenants(dir string, opts ...Option) (map[string]*ozconfig.Config, error) {
	root := filepath.Join(dir, "tenants")
	if !isDir(root) {
		cfg, err := LoadDir(dir, opts...)
		if err != nil {
			return nil, err
		}
		return map[string]*ozconfig.Config{defaultTenant: cfg}, nil
	}
	entries, err := os.ReadDir(root)
	if err != nil {
		return nil, ozconfig.ValidationErrors{{Source: "tenants", Msg: fmt.Sprintf("cannot read directory: %v", err)}}
	}
	out := map[string]*ozconfig.Config{}
	var errs ozconfig.ValidationErrors
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		slug := e.Name()
		prefix := "tenants/" + slug + "/"
		if !validTenantSlug(slug) {
			errs = append(errs, &ozconfig.ValidationError{Source: "tenants/" + slug,
				Msg: fmt.Sprintf("tenant directory name %q may contain only lowercase letters, digits, '-' and '_'", slug)})
			continue
		}
		cfg, _, err := loadDir(filepath.Join(root, slug), prefix, opts)
		if err != nil {
			errs = append(errs, ozconfig.AsValidationErrors(err)...)
			continue
		}
		out[slug] = cfg
	}
	if len(errs) > 0 {
		return nil, errs
	}
	if len(out) == 0 {
		return nil, ozconfig.ValidationErrors{{Source: "tenants", Msg: "no tenant directories"}}
	}
	return out, nil
}

func validTenantSlug(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '_' && c != '-' {
			return false
		}
	}
	return true
}
