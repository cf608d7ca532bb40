package monitor

import (
	"reflect"
	"testing"

	"github.com/ozmon/ozmon/chain"
)

// TestFunctionArgConversion is property rule 23 (docs/compatibility.md#golden-tests): arguments without spec
// input names get positional names and inferred kinds; containers become
// compact JSON; 128-bit integers unwrap to their decimal text.
func TestFunctionArgConversion(t *testing.T) {
	t.Parallel()
	args := []chain.Value{
		chain.I64(-5),
		chain.U64(18446744073709551615),
		chain.Bool(true),
		chain.String("hello"),
		chain.Vec(chain.U32(1), chain.String("a")),
		chain.Map(chain.MapEntry{Key: chain.Symbol("b"), Val: chain.U32(2)}, chain.MapEntry{Key: chain.Symbol("a"), Val: chain.I128(0, 7)}),
		chain.Address("GDF32CQINROD3E2LMCGZUDVMWTXCJFR5SBYVRJ7WAAIAS3P7DCVWZEFY"),
		chain.I128(-1, 1<<63),
		chain.Void(),
		chain.Bytes([]byte{0xde, 0xad}),
	}
	want := []Arg{
		{Name: "0", Value: "-5", Kind: "I64"},
		{Name: "1", Value: "18446744073709551615", Kind: "U64"},
		{Name: "2", Value: "true", Kind: "Bool"},
		{Name: "3", Value: "hello", Kind: "String"},
		{Name: "4", Value: `[1,"a"]`, Kind: "Vec"},
		{Name: "5", Value: `{"a":{"type":"I128","value":"7"},"b":2}`, Kind: "Map"},
		{Name: "6", Value: "GDF32CQINROD3E2LMCGZUDVMWTXCJFR5SBYVRJ7WAAIAS3P7DCVWZEFY", Kind: "Address"},
		{Name: "7", Value: "-9223372036854775808", Kind: "I128"},
		{Name: "8", Value: "", Kind: "Null"},
		{Name: "9", Value: "dead", Kind: "String"},
	}
	for i, v := range args {
		if got := functionArg(v, i, nil); !reflect.DeepEqual(got, want[i]) {
			t.Errorf("arg %d (%s): got %+v, want %+v", i, v.TypeName(), got, want[i])
		}
	}
	// With a spec input, its name and (for scalars) its kind win.
	got := functionArg(chain.U32(9), 0, &chain.SpecInput{Name: "age", Kind: "U32"})
	if want := (Arg{Name: "age", Value: "9", Kind: "U32"}); got != want {
		t.Errorf("spec input: got %+v, want %+v", got, want)
	}
	// A map shaped like the big-integer wrapper is read as one.
	wrapper := chain.Map(chain.MapEntry{Key: chain.Symbol("type"), Val: chain.Symbol("U256")}, chain.MapEntry{Key: chain.Symbol("value"), Val: chain.String("12")})
	if got, want := functionArg(wrapper, 0, nil), (Arg{Name: "0", Value: "12", Kind: "U256"}); got != want {
		t.Errorf("wrapper map: got %+v, want %+v", got, want)
	}
	// No arguments, no spec function inputs: nothing.
	rc := resolveCall(&chain.Call{Contract: "C", Function: "f"}, newContractSpec(&chain.ContractSpec{Functions: []chain.SpecFunction{{Name: "f", Signature: "f()"}}}))
	if !rc.ok || len(rc.args) != 0 || rc.signature != "f()" {
		t.Errorf("empty call: %+v", rc)
	}
}

func TestNormalizeKey(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"transfer(address,i128)":        "transfer(address,i128)",
		" Transfer( Address,\tI128 )\n": "transfer(address,i128)",
		"CABC":                          "cabc",
		"Ünïcode X":                     "ünïcodex",
		"":                              "",
	} {
		if got := normalizeKey(in); got != want {
			t.Errorf("normalizeKey(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestEventDecoding covers 3.6: name from the first Symbol/String topic,
// spec prefix topics and data names, positional names without a spec,
// events without a readable name are invisible.
func TestEventDecoding(t *testing.T) {
	t.Parallel()
	spec := newContractSpec(&chain.ContractSpec{Events: []chain.SpecEvent{
		{Name: "DataListEvent", PrefixTopics: []string{"data", "list"}, Params: []chain.SpecParam{
			{Name: "items", Kind: "Vec<String>", Location: chain.LocationData},
			{Name: "count", Kind: "U32", Location: chain.LocationData},
		}},
		{Name: "MessageEvent", PrefixTopics: []string{"message"}, Params: []chain.SpecParam{{Name: "message", Kind: "String", Location: chain.LocationData}}},
	}})
	cases := []struct {
		name string
		ev   chain.Event
		cs   *contractSpec
		sig  string
		args []Arg
	}{
		{"vec data named by spec", chain.Event{Topics: []chain.Value{chain.Symbol("data"), chain.Symbol("list")}, Data: chain.Vec(chain.Vec(chain.String("a")), chain.U32(1))}, spec,
			"DataListEvent(Vec<String>,U32)", []Arg{{Name: "items", Value: "[a]", Kind: "Vec<String>"}, {Name: "count", Value: "1", Kind: "U32"}}},
		{"single data value named by spec", chain.Event{Topics: []chain.Value{chain.Symbol("message")}, Data: chain.String("hi")}, spec,
			"MessageEvent(String)", []Arg{{Name: "message", Value: "hi", Kind: "String"}}},
		{"no matching spec event: positional", chain.Event{Topics: []chain.Value{chain.String("other"), chain.U64(5)}, Data: chain.Map(chain.MapEntry{Key: chain.Symbol("k"), Val: chain.U32(1)})}, spec,
			"other(U64,Map<String,U32>)", []Arg{{Name: "0", Value: "5", Kind: "U64", Indexed: true}, {Name: "1", Value: "{k:1}", Kind: "Map<String,U32>"}}},
		{"first topic not a name", chain.Event{Topics: []chain.Value{chain.Address("GABC"), chain.Symbol("x")}, Data: chain.Void()}, nil, "", nil},
		{"no topics", chain.Event{Data: chain.U32(1)}, nil, "", nil},
	}
	for _, c := range cases {
		de := decodeEvent(&c.ev, c.cs)
		if c.sig == "" {
			if de.ok {
				t.Errorf("%s: decoded %+v, want invisible", c.name, de)
			}
			continue
		}
		if !de.ok || de.signature != c.sig || !reflect.DeepEqual(de.args, c.args) {
			t.Errorf("%s: got ok=%v %q %+v, want %q %+v", c.name, de.ok, de.signature, de.args, c.sig, c.args)
		}
	}
}
