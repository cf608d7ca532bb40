package expr

import "testing"

// One table per row of spec 2.4.

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
		check(t, e, kind, "123", "== 1.5", fails(ErrParse))
		check(t, e, kind, "123", "> -1", fails(ErrParse))
		check(t, e, kind, "abc", "== 1", fails(ErrParse))
		check(t, e, kind, "0x", "== 1", fails(ErrParse))
		check(t, e, kind, "123", "== true", fails(ErrTypeMismatch))
		check(t, e, kind, "123", "contains 1", fails(ErrUnsupportedOperator))
	}
	check(t, e, "uint256", u256Max, "== "+u256Max, yes)
	check(t, e, "uint256", u256Max, "> 0", yes)
	check(t, e, "uint256", u256Max, "== 0x"+repeat("f", 64), yes)
	check(t, e, "uint256", "1", "< 115792089237316195423570985008687907853269984665640564039457584007913129639936", fails(ErrParse))
	check(t, e, "uint256", "0x1"+repeat("0", 64), "> 0", fails(ErrParse))
}

func TestEVMSigned(t *testing.T) {
	t.Parallel()
	e := EVM{}
	for _, kind := range []string{"int8", "int16", "int32", "int64", "int128", "int256"} {
		check(t, e, kind, "-10", "< -9", yes)
		check(t, e, kind, "-10", "== '-10'", yes)
		check(t, e, kind, "10", ">= 10", yes)
		check(t, e, kind, "10", "== 0x0a", yes)
		check(t, e, kind, "10", "== 1.0", fails(ErrParse))
		check(t, e, kind, "10", "== false", fails(ErrTypeMismatch))
		check(t, e, kind, "10", "starts_with 1", fails(ErrUnsupportedOperator))
	}
	check(t, e, "int256", i256Max, "> "+i256Min, yes)
	check(t, e, "int256", i256Min, "< -57896044618658097711785492504343953926634992332820282019728792003956564819967", yes)
	// Hex is the raw two's complement.
	check(t, e, "int256", "-1", "== 0x"+repeat("f", 64), yes)
	check(t, e, "int256", i256Min, "== 0x8"+repeat("0", 63), yes)
	check(t, e, "int256", "1", "> "+"-57896044618658097711785492504343953926634992332820282019728792003956564819969", fails(ErrParse))
}

func TestEVMArray(t *testing.T) {
	t.Parallel()
	e := EVM{}
	for _, kind := range []string{"array", "uint256[]", "int8[]", "string[]", "address[]", "bool[]", "bytes[]", "bytes32[]", "tuple[]"} {
		check(t, e, kind, "[1,2,3]", "== '[1, 2, 3]'", yes)
		check(t, e, kind, "[1,2,3]", "!= '[3,2,1]'", yes)
		check(t, e, kind, `["A","b"]`, `== '["a","B"]'`, yes) // both texts lowercased first
		check(t, e, kind, "[1]", "== 1", fails(ErrTypeMismatch))
		check(t, e, kind, "[1]", "== '{}'", fails(ErrTypeMismatch))
		check(t, e, kind, "[1]", "== 'x'", fails(ErrParse))
		check(t, e, kind, "[1,2]", "contains 2", yes)
		check(t, e, kind, "[1,2]", "contains '2.0'", yes) // decimal-numeric equality
		check(t, e, kind, "[1,2]", "contains 3", no)
		check(t, e, kind, "(1,2)", "contains 1", fails(ErrParse))
		check(t, e, kind, "[1]", "> '1'", fails(ErrUnsupportedOperator))
		check(t, e, kind, "[1]", "contains true", fails(ErrTypeMismatch))
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
	check(t, e, "address", addrA, "== 5", fails(ErrTypeMismatch))
	check(t, e, "address", addrA, "contains '742d'", fails(ErrUnsupportedOperator))
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
		check(t, e, kind, "1", "== 1", fails(ErrTypeMismatch))
		check(t, e, kind, "b", "> 'a'", fails(ErrUnsupportedOperator))
	}
	check(t, e, "bool", "true", "== true", yes)
	check(t, e, "bool", "false", "!= true", yes)
	check(t, e, "bool", "True", "== true", fails(ErrParse))
	check(t, e, "bool", "true", "== 'true'", fails(ErrTypeMismatch))
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
	check(t, e, "tuple", "(1,[2)", "contains 1", fails(ErrParse))
	check(t, e, "tuple", "1,2", "contains 1", fails(ErrParse))
	check(t, e, "tuple", "(1,2)", "== 1", fails(ErrTypeMismatch))
	check(t, e, "tuple", "(1,2)", "> '(1,2)'", fails(ErrUnsupportedOperator))
}

func TestEVMUnknownKinds(t *testing.T) {
	t.Parallel()
	e := EVM{}
	for _, kind := range []string{"uint24", "bytes4", "address[2]", "fixed", "map", "I128", "Vec", "null", ""} {
		check(t, e, kind, "1", "== 1", fails(ErrTypeMismatch))
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
		{"data.to contains 'x'", fails(ErrUnsupportedOperator)},
		{"data.h starts_with '0XAB'", yes},         // bytes32
		{"data.b == 0x01", yes},                    // bytes
		{"data.n < -4", yes},                       // int64
		{"data.u >= 7", yes},                       // number (U256)
		{"data.s == 'text'", yes},                  // string
		{"data.arr contains 2", yes},               // array
		{"data.m == '{}'", fails(ErrTypeMismatch)}, // map is unsupported
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
