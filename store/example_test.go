package store_test

import (
	"errors"
	"fmt"

	"github.com/ozmon/ozmon/store"
)

// A loaded TenantConfig lists the items that could not be used; each is an
// *store.ItemError naming the tenant, table and row, so a worker can log
// or surface them while running the rest of the tenant's monitors.
func ExampleItemError() {
	tc := &store.TenantConfig{
		Tenant: store.Tenant{Slug: "acme"},
		Problems: []error{&store.ItemError{
			Tenant: "acme", Table: "tenant_monitors", Name: "Large swaps",
			Err: errors.New(`match_conditions.functions[0].expression: unexpected token ">>" at column 9`),
		}},
	}
	for _, p := range tc.Problems {
		var ie *store.ItemError
		if errors.As(p, &ie) {
			fmt.Printf("skipping %s of %s\n", ie.Name, ie.Tenant)
		}
		fmt.Println(p)
	}
	// Output:
	// skipping Large swaps of acme
	// tenant acme: tenant_monitors "Large swaps": match_conditions.functions[0].expression: unexpected token ">>" at column 9
}
