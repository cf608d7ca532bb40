package expr

import "testing"

// One table per kind of docs/compatibility.md#evm-comparisons.

const (
	u256Max = "115792089237316195423570985008687907853269984665640564039457584007913129639935"
	i256Max = "57896044618658097711785492504343953926634992332820282019728792003956564819967"
	i256Min = "-57896044618658097711785492504343953926634992332820282019728792003956564819968"
	addrA   = "0x742d35Cc6634C0532925a3b844Bc454e4438f44e"
)

func TestEVMUnsigned(t *testing.T) {
	t.Parallel()
	e := EVM{}
	for _, kind := range []string{"uint8", "uint16", "uint32", "uint64", "uint128", "uint256", "number", "UINT256"} {
		check(t, e, kind, "123", "== 123", yes)
		check(t, e, kind, "123", "== '123'", yes) // strings accepted, unlike Stellar
		check(t, e, kind, "123", "!= 456", yes)
		check(t, e, kind, "123", "> 100", yes)
		check(t, e, kind, "123", ">= 124", no)
		check(t, e, kind, "123", "< 200", yes)
		check(t, e, kind, "123", "<= 123", yes)
		check(t, e, kind, "255", "== 0xff", yes) // hex and decimal compare equal
		check(t, e, kind, "0xFF", "== 255", yes)
		check(t, e, kind, " 7 ", "== 7", yes) // trimmed
		check(t, e, kind, "123", "== 1.5", fails(errParse))
		check(t, e, kind, "123", "> -1", fails(errParse))
		check(t, e, kind, "abc", "== 1", fails(errParse))
		check(t, e, kind, "0x", "== 1", fails(errParse))
		check(t, e, kind, "123", "== true", fails(errTypeMismatch))
		check(t, e, kind, "123", "contains 1", fails(errUnsupportedOperator))
	}
	check(t, e, "uint256", u256Max, "== "+u256Max, yes)
	check(t, e, "uint256", u256Max, "> 0", yes)
	check(t, e, "uint256", u256Max, "== 0x"+repeat("f", 64), yes)
	check(t, e, "uint256", "1", "< 115792089237316195423570985008687907853269984665640564039457584007913129639936", fails(errParse))
	check(t, e, "uint256", "0x1"+repeat("0", 64), "> 0", fails(errParse))
}

func TestEVMSigned(t *testing.T) {
	t.Parallel()
	e := EVM{}
	for _, kind := range []string{"int8", "int16", "int32", "int64", "int128", "int256"} {
		check(t, e, kind, "-10", "< -9", yes)
		check(t, e, kind, "-10", "== '-10'", yes)
		check(t, e, kind, "10", ">= 10", yes)
		check(t, e, kind, "10", "== 0x0a", yes)
		check(t, e, kind, "10", "== 1.0", fails(errParse))
		check(t, e, kind, "10", "== false", fails(errTypeMismatch))
		check(t, e, kind, "10", "starts_with 1", fails(errUnsupportedOperator))
	}
	check(t, e, "int256", i256Max, "> "+i256Min, yes)
	check(t, e, "int256", i256Min, "< -57896044618658097711785492504343953926634992332820282019728792003956564819967", yes)
	// Hex is the raw two's complement.
	check(t, e, "int256", "-1", "== 0x"+repeat("f", 64), yes)
	check(t, e, "int256", i256Min, "== 0x8"+repeat("0", 63), yes)
	check(t, e, "int256", "1", "> "+"-57896044618658097711785492504343953926634992332820282019728792003956564819969", fails(errParse))
}

func TestEVMArray(t *testing.T) {
	t.Parallel()
	e := EVM{}
	for _, kind := range []string{"array", "uint256[]", "int8[]", "string[]", "address[]", "bool[]", "bytes[]", "bytes32[]", "tuple[]"} {
		check(t, e, kind, "[1,2,3]", "== '[1, 2, 3]'", yes)
		check(t, e, kind, "[1,2,3]", "!= '[3,2,1]'", yes)
		check(t, e, kind, `["A","b"]`, `== '["a","B"]'`, yes) // both texts lowercased first
		check(t, e, kind, "[1]", "== 1", fails(errTypeMismatch))
		check(t, e, kind, "[1]", "== '{}'", fails(errTypeMismatch))
		check(t, e, kind, "[1]", "== 'x'", fails(errParse))
		check(t, e, kind, "[1,2]", "contains 2", yes)
		check(t, e, kind, "[1,2]", "contains '2.0'", yes) // decimal-numeric equality
		check(t, e, kind, "[1,2]", "contains 3", no)
		check(t, e, kind, "(1,2)", "contains 1", fails(errParse))
		check(t, e, kind, "[1]", "> '1'", fails(errUnsupportedOperator))
		check(t, e, kind, "[1]", "contains true", fails(errTypeMismatch))
	}
	check(t, e, "string[]", `["Fiction","bestseller"]`, "contains 'FICTION'", yes)
	check(t, e, "address[]", `["`+addrA+`"]`, "contains '"+lower(addrA[2:])+"'", yes)
	check(t, e, "array", `[{"a":[1,{"b":"deep"}]}]`, "contains 'DEEP'", yes) // rule E recurses
	check(t, e, "array", `[null]`, "contains 'null'", yes)
	check(t, e, "array", `[true]`, "contains 'TRUE'", yes)
}

func TestEVMAddress(t *testing.T) {
	t.Parallel()
	e := EVM{}
	check(t, e, "address", addrA, "== "+lower(addrA), yes)
	check(t, e, "address", addrA, "== '"+addrA[2:]+"'", yes)
	// 0x is stripped before whitespace is removed, so a leading space keeps it.
	check(t, e, "address", addrA, "== ' "+addrA+" '", no)
	check(t, e, "address", addrA, "== '"+addrA[:10]+" "+addrA[10:]+" '", yes)
	check(t, e, "address", addrA, "!= 0x0000000000000000000000000000000000000000", yes)
	check(t, e, "address", addrA, "== 5", fails(errTypeMismatch))
	check(t, e, "address", addrA, "contains '742d'", fails(errUnsupportedOperator))
}

func TestEVMStringBool(t *testing.T) {
	t.Parallel()
	e := EVM{}
	for _, kind := range []string{"string", "bytes", "bytes32"} {
		check(t, e, kind, "Hello", "== 'hello'", yes)
		check(t, e, kind, "Hello", "starts_with 'HE'", yes)
		check(t, e, kind, "Hello", "ends_with 'LO'", yes)
		check(t, e, kind, "Hello", "contains 'ell'", yes)
		check(t, e, kind, "Hello", "!= 'x'", yes)
		check(t, e, kind, "0xABCD", "== 0xabcd", yes)
		check(t, e, kind, "1", "== 1", fails(errTypeMismatch))
		check(t, e, kind, "b", "> 'a'", fails(errUnsupportedOperator))
	}
	check(t, e, "bool", "true", "== true", yes)
	check(t, e, "bool", "false", "!= true", yes)
	check(t, e, "bool", "True", "== true", fails(errParse))
	check(t, e, "bool", "true", "== 'true'", fails(errTypeMismatch))
}

func TestEVMTuple(t *testing.T) {
	t.Parallel()
	e := EVM{}
	tuple := `(true,"The Book Title","Author Name",123,"0x1234567890123456789012345678901234567890",["fiction","bestseller"],("The Sequel",321))`
	check(t, e, "tuple", tuple, `== '(true, "The Book Title", "Author Name", 123, "0x1234567890123456789012345678901234567890", ["fiction","bestseller"], ("The Sequel", 321))'`, yes)
	check(t, e, "tuple", tuple, `== '(true,"the book title","Author Name",123,"0x1234567890123456789012345678901234567890",["fiction","bestseller"],("The Sequel",321))'`, no)
	check(t, e, "tuple", tuple, "contains 'the book title'", yes)
	check(t, e, "tuple", tuple, "contains 123", yes)
	check(t, e, "tuple", tuple, "contains 'BESTSELLER'", yes)
	check(t, e, "tuple", tuple, "contains 321", yes) // nested tuple becomes an array
	check(t, e, "tuple", tuple, "contains '1234567890123456789012345678901234567890'", yes)
	check(t, e, "tuple", tuple, "contains 'missing'", no)
	check(t, e, "tuple", "(a, b)", "contains 'b'", no) // elements are not trimmed: " b"
	check(t, e, "tuple", "(a,b)", "contains 'B'", yes)
	check(t, e, "tuple", "()", "contains 'x'", no)
	check(t, e, "tuple", "(1,[2)", "contains 1", fails(errParse))
	check(t, e, "tuple", "1,2", "contains 1", fails(errParse))
	check(t, e, "tuple", "(1,2)", "== 1", fails(errTypeMismatch))
	check(t, e, "tuple", "(1,2)", "> '(1,2)'", fails(errUnsupportedOperator))
}

func TestEVMUnknownKinds(t *testing.T) {
	t.Parallel()
	e := EVM{}
	for _, kind := range []string{"uint24", "bytes4", "address[2]", "fixed", "map", "I128", "Vec", "null", ""} {
		check(t, e, kind, "1", "== 1", fails(errTypeMismatch))
	}
}

func TestEVMPathAccess(t *testing.T) {
	t.Parallel()
	e := EVM{}
	p := Param{Name: "data", Kind: "tuple", Value: `{"to":"` + addrA + `","h":"0x` + repeat("ab", 32) + `","b":"0x01","n":-5,"u":7,"s":"Text","arr":[1,2],"m":{"k":1}}`}
	cases := []struct {
		src  string
		want outcome
	}{
		{"data.to == " + lower(addrA), yes}, // address kind
		{"data.to contains 'x'", fails(errUnsupportedOperator)},
		{"data.h starts_with '0XAB'", yes},         // bytes32
		{"data.b == 0x01", yes},                    // bytes
		{"data.n < -4", yes},                       // int64
		{"data.u >= 7", yes},                       // number (U256)
		{"data.s == 'text'", yes},                  // string
		{"data.arr contains 2", yes},               // array
		{"data.m == '{}'", fails(errTypeMismatch)}, // map is unsupported
	}
	for _, tc := range cases {
		if got := evalWith(t, e, tc.src, p); got != tc.want {
			t.Errorf("%s = %s, want %s", tc.src, got, tc.want)
		}
	}
}

func repeat(s string, n int) string {
	out := ""
	for range n {
		out += s
	}
	return out
}

// TestEVMIntegerTextLikeOZ follows string_to_i256 / string_to_u256: an
// unprefixed text goes through alloy's I256::from_str (sign, then ruint's
// Uint::from_str) or ruint's U256::from_str, which read 0x/0o/0b prefixes
// and skip '_'. So -0x10 is -16 for every intN kind, and an error (no
// match) for every uintN kind, as in OpenZeppelin Monitor.
func TestEVMIntegerTextLikeOZ(t *testing.T) {
	t.Parallel()
	e := EVM{}
	i256MinHex := "0x8" + repeat("0", 63)
	i256MaxHex := "0x7" + repeat("f", 63)
	cases := []struct {
		kind, value, rest string
		want              outcome
	}{
		// Negative hex literals, bare or quoted.
		{"int256", "-16", "== -0x10", yes},
		{"int256", "-16", "== '-0x10'", yes},
		{"int256", "-16", "== -0X10", yes},
		{"int256", "-31", "== -0x1F", yes},
		{"int256", "-17", "< -0x10", yes},
		{"int256", "-15", "> -0x10", yes},
		{"int256", "-16", ">= -0x10", yes},
		{"int256", "16", "== -0x10", no},
		{"int256", "16", "!= -0x10", yes},
		{"int256", "16", "> -0x10", yes},
		{"int8", "-16", "== -0x10", yes},
		{"int64", "-1", "== -0x1", yes},
		{"INT128", "-255", "== -0xff", yes},
		{"int256", "0", "== -0x0", yes},
		{"int256", "-16", "== -0x0010", yes},                     // leading zeros
		{"int256", "-16", "== 0x" + repeat("f", 62) + "f0", yes}, // unsigned hex stays raw two's complement
		{"int256", "-0x10", "== -16", yes},                       // the value side is read the same way
		// Near the bounds.
		{"int256", i256Min, "== -" + i256MinHex, yes},
		{"int256", i256Min, "< -" + i256MaxHex, yes},
		{"int256", i256Min + "", "== " + i256MinHex, yes},
		{"int256", "-57896044618658097711785492504343953926634992332820282019728792003956564819967", "== -" + i256MaxHex, yes},
		{"int256", i256Max, "> -" + i256MinHex, yes},
		{"int256", i256Max, "== '+" + i256MaxHex + "'", yes},
		{"int256", "0", "== -0x8" + repeat("0", 62) + "1", fails(errParse)}, // below I256::MIN
		{"int256", "0", "== '+" + i256MinHex + "'", fails(errParse)},        // a sign makes it a magnitude: above I256::MAX
		{"int256", "0", "== -0x1" + repeat("0", 64), fails(errParse)},       // more than 256 bits
		{"int256", "0", "== -0xZ", fails(errParse)},
		{"int256", "0", "== -0x1g", fails(errParse)},
		{"int256", "0", "== '- 0x10'", fails(errParse)},
		{"int256", "0", "== '--0x10'", fails(errParse)},
		// Unsigned kinds refuse any sign, as U256::from_str does.
		{"uint256", "16", "== -0x10", fails(errParse)},
		{"uint8", "16", "== '-0x10'", fails(errParse)},
		{"number", "16", "== '+0x10'", fails(errParse)},
		{"uint256", "0", "== '-0'", fails(errParse)},
		// ruint's other prefixes and '_' separators, on both kinds.
		{"uint256", "5", "== 0b101", yes},
		{"uint256", "15", "== 0o17", yes},
		{"uint256", "15", "== '0O17'", yes},
		{"uint256", "1000", "== 1_000", yes},
		{"uint256", "255", "== 0x_ff", yes},
		{"uint256", "255", "== 0xf_f", yes},
		{"uint256", "1000", "== '1_000'", yes},
		{"uint256", u256Max, "== '" + u256Max[:3] + "_" + u256Max[3:] + "'", yes},
		{"int256", "-1000", "== -1_000", yes},
		{"int256", "-1", "== -0b1", yes},
		{"int256", "-8", "== -0o10", yes},
		{"int256", "5", "== 0b101", yes},
		{"uint256", "0", "== 0b102", fails(errParse)},
		{"uint256", "0", "== 0o8", fails(errParse)},
		// Empty digit runs are zero in ruint (only a bare 0x is refused by
		// OZ before ruint sees it).
		{"uint256", "0", "== _", yes},
		{"uint256", "0", "== '0b'", yes},
		{"int256", "0", "== -0x", yes},
		{"int256", "0", "== '-'", yes},
		{"uint256", "0", "== '0x'", fails(errParse)},
		{"int256", "0", "== '0x'", fails(errParse)},
		{"uint256", "0", "== ''", fails(errParse)},
		// Words that are not integers in any base.
		{"uint256", "1000", "== 1e3", fails(errParse)},
		{"uint256", "0", "== 0xVal", fails(errParse)},
		{"int256", "1", "== 1INCH", fails(errParse)},
		{"uint256", "123", "== 123abc", fails(errParse)},
	}
	for _, tc := range cases {
		check(t, e, tc.kind, tc.value, tc.rest, tc.want)
	}
}

// TestUnquotedWordValues: the words item 14 lets through compare as the
// strings they are on both chains.
func TestUnquotedWordValues(t *testing.T) {
	t.Parallel()
	check(t, EVM{}, "string", "1inch", "== 1INCH", yes)
	check(t, EVM{}, "string", "0xValue", "starts_with 0xVal", yes)
	check(t, Stellar{}, "Symbol", "1INCH", "== 1inch", yes)
	check(t, Stellar{}, "String", "123abc", "!= 123abd", yes)
	check(t, Stellar{}, "I128", "1000", "== 1e3", fails(errTypeMismatch)) // a word is not a number literal
	check(t, Stellar{}, "I128", "-16", "== -0x10", fails(errTypeMismatch))
}
