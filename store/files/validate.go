package files

import (
	"fmt"
	"io"
	"maps"
	"slices"

	"github.com/ozmon/ozmon/monitor/ozconfig"
)

// validate loads every tenant of dir (see LoadTenants) and returns what is
// wrong; nil means the directory parses and holds together.
func validate(dir string, opts ...Option) error {
	_, err := LoadTenants(dir, opts...)
	return err
}

// Report prints each problem of err on its own line and returns how many
// there were (0 for a nil err).
func Report(w io.Writer, err error) int {
	es := ozconfig.AsValidationErrors(err)
	for _, e := range es {
		fmt.Fprintln(w, e.Error())
	}
	return len(es)
}

// warnings loads every tenant of dir and lists what OZ would warn about
// (see ozconfig.Config.Warnings), in tenant order; it is empty when the
// directory does not load, since validate reports that.
func warnings(dir string) ozconfig.ValidationErrors {
	tenants, err := LoadTenants(dir)
	if err != nil {
		return nil
	}
	var out ozconfig.ValidationErrors
	for _, slug := range slices.Sorted(maps.Keys(tenants)) {
		out = append(out, tenants[slug].Warnings("tenants/"+slug)...)
	}
	return out
}
