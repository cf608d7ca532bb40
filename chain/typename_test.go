package chain_test

import (
	"testing"

	"github.com/ozmon/ozmon/chain"
)

// TestMapTypeNameFollowsKeyOrder: OpenZeppelin Monitor derives a map's
// type from a JSON object — keys sorted, a repeated key keeping its last
// value — so value types are listed in key order, not entry order.
func TestMapTypeNameFollowsKeyOrder(t *testing.T) {
	e := func(k string, v chain.Value) chain.MapEntry { return chain.MapEntry{Key: chain.Symbol(k), Val: v} }
	cases := []struct {
		m    chain.Value
		want string
	}{
		{chain.Map(e("zeta", chain.U32(1)), e("alpha", chain.String("a"))), "Map<String,String,U32>"},
		{chain.Map(e("b", chain.U32(1)), e("a", chain.U32(2)), e("c", chain.Bool(true))), "Map<String,U32,Bool>"},
		{chain.Map(e("k", chain.U32(1)), e("k", chain.String("last"))), "Map<String,String>"},
		{chain.Map(), "Map<String,Void>"},
	}
	for _, c := range cases {
		if got := c.m.TypeName(); got != c.want {
			t.Errorf("%s: TypeName %q, want %q", c.m.String(), got, c.want)
		}
	}
}
