package handlers_test

import (
	"fmt"

	"github.com/ozmon/ozmon/handlers"
)

// Read load_balancer.strategy: the empty string is the default,
// consistent hashing, which keeps a tenant's batch stable across ledgers.
func ExampleParseStrategy() {
	for _, s := range []string{"", "least_loaded", "fastest"} {
		st, err := handlers.ParseStrategy(s)
		if err != nil {
			fmt.Println("error:", err)
			continue
		}
		fmt.Printf("%q -> %s\n", s, st)
	}
	// Output:
	// "" -> consistent_hashing
	// "least_loaded" -> least_loaded
	// error: unknown load-balancing strategy "fastest"
}
