package chain_test

import (
	"fmt"

	"github.com/ozmon/ozmon/chain"
)

// A SAC transfer's arguments as a monitor sees them: exact integers, and
// OpenZeppelin Monitor's type names and renderings.
func ExampleValue() {
	amount := chain.I128(0, 1<<63+5) // beyond int64, exact
	args := chain.Vec(chain.Address("GABC"), amount)
	data := chain.Map(chain.MapEntry{Key: chain.Symbol("amount"), Val: amount})
	fmt.Println(amount.TypeName(), amount.String())
	fmt.Println(args.TypeName(), args.String())
	fmt.Println(data.TypeName(), data.OZJSON())
	// Output:
	// I128 9223372036854775813
	// Vec<Address,I128> [GABC,9223372036854775813]
	// Map<String,I128> {"amount":{"type":"I128","value":"9223372036854775813"}}
}
