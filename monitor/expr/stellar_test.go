package expr

import "testing"

// One table per kind of docs/compatibility.md#stellar-comparisons.

func TestStellarBool(t *testing.T) {
	t.Parallel()
	s := Stellar{}
	check(t, s, "Bool", "true", "== true", yes)
	check(t, s, "Bool", "true", "== false", no)
	check(t, s, "Bool", "false", "!= true", yes)
	check(t, s, "bool", "false", "!= false", no)
	check(t, s, "BOOL", "false", "== false", yes)
	check(t, s, "Bool", "TRUE", "== true", fails(errParse))
	check(t, s, "Bool", "1", "== true", fails(errParse))
	check(t, s, "Bool", "true", "== 'true'", fails(errTypeMismatch))
	check(t, s, "Bool", "true", "== 1", fails(errTypeMismatch))
	check(t, s, "Bool", "true", "> false", fails(errUnsupportedOperator))
	check(t, s, "Bool", "true", "contains true", fails(errUnsupportedOperator))
	// LHS is parsed before the literal is checked.
	check(t, s, "Bool", "yes", "== 1", fails(errParse))
}

func TestStellarNumeric(t *testing.T) {
	t.Parallel()
	s := Stellar{}
	for _, kind := range []string{"U32", "u64", "Timepoint", "duration", "I32", "I64", "U128", "I128"} {
		check(t, s, kind, "100", "== 100", yes)
		check(t, s, kind, "100", "!= 100", no)
		check(t, s, kind, "100", "> 99", yes)
		check(t, s, kind, "100", ">= 100", yes)
		check(t, s, kind, "100", "< 100", no)
		check(t, s, kind, "100", "<= 100", yes)
		check(t, s, kind, "0100", "== +100", yes)
		check(t, s, kind, "100", "== '100'", fails(errTypeMismatch))
		check(t, s, kind, "100", "== abc", fails(errTypeMismatch))
		check(t, s, kind, "100", "== 0x64", fails(errTypeMismatch))
		check(t, s, kind, "100", "== true", fails(errTypeMismatch))
		check(t, s, kind, "100", "== 1.5", fails(errParse))
		check(t, s, kind, "1.5", "== 1", fails(errParse))
		check(t, s, kind, "", "== 1", fails(errParse))
		check(t, s, kind, " 1", "== 1", fails(errParse))
		check(t, s, kind, "+", "== 1", fails(errParse))
		check(t, s, kind, "100", "contains 1", fails(errUnsupportedOperator))
		check(t, s, kind, "100", "starts_with 1", fails(errUnsupportedOperator))
		check(t, s, kind, "100", "ends_with 1", fails(errUnsupportedOperator))
	}
	// Negative numbers: signed kinds compare, unsigned reject (even -0).
	for _, kind := range []string{"I32", "I64", "I128"} {
		check(t, s, kind, "-5", "< -4", yes)
		check(t, s, kind, "-5", "> -6", yes)
		check(t, s, kind, "-0", "== 0", yes)
		check(t, s, kind, "0", "== -0", yes)
	}
	for _, kind := range []string{"U32", "U64", "U128", "Timepoint", "Duration"} {
		check(t, s, kind, "-5", "< 1", fails(errParse))
		check(t, s, kind, "5", "> -1", fails(errParse))
		check(t, s, kind, "-0", "== 0", fails(errParse))
		check(t, s, kind, "0", "== -0", fails(errParse))
	}
	// Native widths: overflow on either side is a parse error.
	check(t, s, "U32", "4294967295", "== 4294967295", yes)
	check(t, s, "U32", "4294967296", "> 0", fails(errParse))
	check(t, s, "U32", "1", "< 4294967296", fails(errParse))
	check(t, s, "I32", "-2147483648", "< 2147483647", yes)
	check(t, s, "I32", "2147483648", "> 0", fails(errParse))
	check(t, s, "I32", "-2147483649", "< 0", fails(errParse))
	check(t, s, "U64", "18446744073709551615", "> 18446744073709551614", yes)
	check(t, s, "U64", "18446744073709551616", "> 0", fails(errParse))
	check(t, s, "I64", "-9223372036854775808", "< -9223372036854775807", yes)
	check(t, s, "I64", "9223372036854775808", "> 0", fails(errParse))
	check(t, s, "Timepoint", "18446744073709551615", "== 18446744073709551615", yes)
}

func TestStellarBigText(t *testing.T) {
	t.Parallel()
	s := Stellar{}
	for _, kind := range []string{"U256", "I256", "u256"} {
		check(t, s, kind, "12345", "== 12345", yes)
		check(t, s, kind, "12345", "== '12345'", yes)
		check(t, s, kind, "12345", "!= 12345", no)
		check(t, s, kind, "12345", "!= 54321", yes)
		// Text equality, not numeric: leading zeros and signs matter.
		check(t, s, kind, "012345", "== 12345", no)
		check(t, s, kind, "12345", "== +12345", no)
		check(t, s, kind, "1", "== 1.0", no)
		check(t, s, kind, "115792089237316195423570985008687907853269984665640564039457584007913129639935",
			"== 115792089237316195423570985008687907853269984665640564039457584007913129639935", yes)
		check(t, s, kind, "12345", "> 1", fails(errUnsupportedOperator))
		check(t, s, kind, "12345", "contains 1", fails(errUnsupportedOperator))
		check(t, s, kind, "12345", "== true", fails(errTypeMismatch))
	}
}

func TestStellarString(t *testing.T) {
	t.Parallel()
	s := Stellar{}
	for _, kind := range []string{"String", "Symbol", "Bytes", "string", "SYMBOL"} {
		check(t, s, kind, "Hello World", "== 'hello world'", yes)
		check(t, s, kind, "Hello World", `== "HELLO WORLD"`, yes)
		check(t, s, kind, "Hello World", "!= 'hello world'", no)
		check(t, s, kind, "Hello World", "!= 'hello'", yes)
		check(t, s, kind, "Hello World", "starts_with 'HELLO'", yes)
		check(t, s, kind, "Hello World", "starts_with 'world'", no)
		check(t, s, kind, "Hello World", "ends_with 'WORLD'", yes)
		check(t, s, kind, "Hello World", "ends_with 'hello'", no)
		check(t, s, kind, "Hello World", "contains 'O W'", yes)
		check(t, s, kind, "Hello World", "contains 'xyz'", no)
		check(t, s, kind, "Hello World", "contains ''", yes)
		check(t, s, kind, "transfer", "== Transfer", yes)
		check(t, s, kind, "deadBEEF", "== 0xdeadbeef", no)
		check(t, s, kind, "0xdeadBEEF", "== 0XDEADbeef", yes)
		// Whitespace is significant for non-address kinds.
		check(t, s, kind, "a b", "== 'ab'", no)
		check(t, s, kind, "100", "== 100", fails(errTypeMismatch))
		check(t, s, kind, "true", "== true", fails(errTypeMismatch))
		check(t, s, kind, "b", "> 'a'", fails(errUnsupportedOperator))
		check(t, s, kind, "b", "<= 'a'", fails(errUnsupportedOperator))
	}
	// Raw escapes: the literal keeps its backslash.
	check(t, s, "String", `foo\'bar`, `== 'foo\'bar'`, yes)
	check(t, s, "String", `foo'bar`, `== 'foo\'bar'`, no)
	// Unicode lowercasing as Rust does it.
	check(t, s, "String", "ÀÉÎ", "== 'àéî'", yes)
	check(t, s, "String", "ΟΔΟΣ", "== 'οδος'", yes)     // final sigma
	check(t, s, "String", "ΟΔΟΣ", "== 'οδοσ'", no)      // not the medial form
	check(t, s, "String", "ΣΑ", "starts_with 'σ'", yes) // medial sigma
	check(t, s, "String", "İ", "== 'i̇'", yes)
	check(t, s, "String", "K", "== 'k'", yes) // Kelvin sign lowercases to ASCII k
}

func TestStellarAddress(t *testing.T) {
	t.Parallel()
	s := Stellar{}
	check(t, s, "Address", acctG, "== "+acctG, yes)
	check(t, s, "Address", acctG, "== '"+acctG+"'", yes)
	check(t, s, "Address", acctG, `== "`+acctG+`"`, yes)
	check(t, s, "address", acctG, "== '"+lower(acctG)+"'", yes)
	check(t, s, "Address", acctG, "== ' "+acctG[:10]+" \t"+acctG[10:]+" '", yes)
	check(t, s, "Address", " "+acctG+"\n", "== "+acctG, yes)
	check(t, s, "Address", acctG, "!= "+contC, yes)
	check(t, s, "Address", acctG, "== "+contC, no)
	// starts_with / ends_with / contains only lowercase, no whitespace removal.
	check(t, s, "Address", acctG, "starts_with 'gdf32'", yes)
	check(t, s, "Address", acctG, "starts_with ' gdf32'", no)
	check(t, s, "Address", acctG, "ends_with 'zefy'", yes)
	check(t, s, "Address", acctG, "contains 'CQINROD'", yes)
	check(t, s, "Address", acctG, "> 'a'", fails(errUnsupportedOperator))
	check(t, s, "Address", acctG, "== 5", fails(errTypeMismatch))
}

func TestStellarVec(t *testing.T) {
	t.Parallel()
	s := Stellar{}
	// == / != on JSON arrays.
	check(t, s, "Vec<U32>", "[1,2,3]", "== '[1, 2, 3]'", yes)
	check(t, s, "Vec<U32>", "[1,2,3]", "== '[3,2,1]'", no)
	check(t, s, "Vec<U32>", "[1,2,3]", "!= '[3,2,1]'", yes)
	check(t, s, "Vec<String>", `["a","B"]`, `== '["a","b"]'`, no) // JSON equality is case-sensitive
	check(t, s, "Vec<U32>", "[1]", "== '[1.0]'", no)              // 1 and 1.0 differ in serde_json
	// One array, one non-array JSON: not equal.
	check(t, s, "Vec", "[1]", "== 1", no)
	check(t, s, "Vec", "[1]", "!= 1", yes)
	// Exactly one side parses: not equal.
	check(t, s, "Vec", "[1]", "== abc", no)
	check(t, s, "Vec", "a,b", "== '[1]'", no)
	// Neither parses, or both non-array JSON: CSV comparison (trim, lowercase).
	check(t, s, "Vec", "A, b ,c", "== 'a,B,c'", yes)
	check(t, s, "Vec", "a,b", "== 'a,b,c'", no)
	check(t, s, "Vec", "5", "== 5", yes)
	check(t, s, "Vec", `"A"`, `== '"a"'`, yes)
	// contains on JSON arrays: rule M.
	check(t, s, "Vec<String>", `["Alpha","beta"]`, "contains 'ALPHA'", yes)
	check(t, s, "Vec<String>", `["Alpha","beta"]`, "contains gamma", no)
	check(t, s, "Vec<U32>", "[123,456]", "contains 123", yes)
	check(t, s, "Vec<U32>", "[123,456]", "contains '456'", yes)
	check(t, s, "Vec<U32>", "[123,456]", "contains 12", no)
	check(t, s, "Vec", `[{"id":1,"name":"Alice"}]`, "contains 'alice'", yes)
	check(t, s, "Vec", `[{"id":1,"name":"Alice"}]`, "contains 1", yes)
	check(t, s, "Vec", `[{"type":"I128","value":"140714631038"}]`, "contains '140714631038'", yes)
	check(t, s, "Vec", `[{"type":"I128","value":"140714631038"}]`, "contains 140714631038", yes)
	check(t, s, "Vec", `[{"k":{"value":"Abc"}}]`, "contains 'Abc'", yes)
	check(t, s, "Vec", `[{"k":{"value":"Abc"}}]`, "contains 'abc'", no)
	check(t, s, "Vec", `[{"k":{"other":"Abc"}}]`, "contains 'Abc'", no)
	check(t, s, "Vec", `[true,null]`, "contains true", fails(errTypeMismatch))
	check(t, s, "Vec", `[true,null]`, "contains 'true'", yes)
	check(t, s, "Vec", `[true,null]`, "contains 'null'", yes)
	check(t, s, "Vec", `[true]`, "contains 'TRUE'", no)
	// contains CSV fallback: brackets stripped, items trimmed, case-sensitive.
	check(t, s, "Vec<Address>", "["+acctG+","+contC+"]", "contains "+contC, yes)
	check(t, s, "Vec<Address>", "["+acctG+","+contC+"]", "contains "+lower(contC), no)
	check(t, s, "Vec", "alpha, beta, gamma", "contains beta", yes)
	check(t, s, "Vec", "alpha, beta, gamma", "contains Beta", no)
	// Other operators and literal types.
	check(t, s, "Vec", "[1]", "> 1", fails(errUnsupportedOperator))
	check(t, s, "Vec", "[1]", "starts_with '1'", fails(errUnsupportedOperator))
	check(t, s, "Vec", "[1]", "== true", fails(errTypeMismatch))
}

func TestStellarMap(t *testing.T) {
	t.Parallel()
	s := Stellar{}
	m := `{"myKey1":1234,"myKey2":"Hello, world!"}`
	check(t, s, "Map<String,U32>", m, `== '{"myKey2": "Hello, world!", "myKey1": 1234}'`, yes)
	check(t, s, "Map", m, `== '{"myKey1":1234,"myKey2":"hello, world!"}'`, no)
	check(t, s, "Map", m, `!= '{"myKey1":1234}'`, yes)
	check(t, s, "Map", m, `== '{"myKey1":1234.0,"myKey2":"Hello, world!"}'`, no)
	check(t, s, "Map", m, "== 'notjson'", fails(errParse))
	check(t, s, "Map", "{a:1}", `== '{"a":1}'`, fails(errParse))
	check(t, s, "Map", m, "== '[1]'", fails(errTypeMismatch))
	check(t, s, "Map", "[1]", "== '{}'", fails(errTypeMismatch))
	check(t, s, "Map", m, "== 5", fails(errTypeMismatch))
	check(t, s, "Map", m, "== true", fails(errTypeMismatch))
	check(t, s, "Map", m, "contains 'HELLO, WORLD!'", yes)
	check(t, s, "Map", m, "contains 1234", yes)
	check(t, s, "Map", m, "contains '1234'", yes)
	check(t, s, "Map", m, "contains myKey1", no) // keys are not searched
	check(t, s, "Map", `{"a":{"type":"I128","value":"-5"}}`, "contains -5", yes)
	check(t, s, "Map", "[1]", "contains 1", fails(errParse))
	check(t, s, "Map", "{a:1}", "contains 1", fails(errParse))
	check(t, s, "Map", m, "contains true", fails(errTypeMismatch))
	check(t, s, "Map", m, "> 'x'", fails(errUnsupportedOperator))
	check(t, s, "Map", m, "> 1", fails(errTypeMismatch)) // number literal only allowed for contains
}

func TestStellarUnknownKinds(t *testing.T) {
	t.Parallel()
	s := Stellar{}
	for _, kind := range []string{"F64", "Null", "Void", "Bytes32", "Tuple<U32,U32>", "Position", "Option<U32>", "", "uint256", "address[]", "ſtring"} {
		check(t, s, kind, "1", "== 1", fails(errTypeMismatch))
		check(t, s, kind, "x", "== 'x'", fails(errTypeMismatch))
	}
}

func TestStellarPathAccess(t *testing.T) {
	t.Parallel()
	s := Stellar{}
	data := Param{Name: "data", Kind: "Map<String,U32>", Value: `{"myKey1":1234,"myKey2":"Hello, world!","neg":-7,"f":1.5,"big":18446744073709551616,"b":true,"n":null,"addr":"` + acctG + `","v":[1,{"x":"y"}],"amt":{"type":"I128","value":"5000"}}`}
	cases := []struct {
		src  string
		want outcome
	}{
		{"data.myKey1 >= 1234", yes},
		{"data.myKey1 > 1234", no},
		{"data.myKey2 == 'hello, WORLD!'", yes},
		{"data.myKey1 >= 1234 AND data.myKey2 == 'Hello, world!'", yes},
		{"data.neg < -6", yes}, // I64
		{"data.neg == 'x'", fails(errTypeMismatch)},
		{"data.f > 1", fails(errTypeMismatch)},   // F64 is an unknown kind
		{"data.big > 1", fails(errTypeMismatch)}, // > u64: f64 in serde_json
		{"data.b == true", yes},
		{"data.n == 'null'", fails(errTypeMismatch)},
		{"data.addr == '" + lower(acctG) + "'", yes},
		{"data.v[0] == 1", yes},
		{"data.v.0 == 1", fails(errTypeMismatch)}, // key access on an array
		{"data.v[1].x == 'Y'", yes},
		{"data.v contains 'y'", yes},
		{"data.v == '[1,{\"x\":\"y\"}]'", yes},
		{"data.v[2] == 1", fails(errIndexOutOfBounds)},
		{"data.missing == 1", fails(errFieldNotFound)},
		{"data.MyKey1 == 1", fails(errFieldNotFound)}, // keys are case-sensitive
		{"data[0] == 1", fails(errTypeMismatch)},
		{"data.myKey1.x == 1", fails(errTypeMismatch)},
		// I128 inside a Map is an object: neither form compares numerically.
		{"data.amt > 5", fails(errTypeMismatch)},
		{"data.amt.value > 5", fails(errTypeMismatch)},
		{"data.amt.value == '5000'", yes},
		{"data.amt contains 5000", yes},
		{"missing.x == 1", fails(errVariableNotFound)},
	}
	for _, tc := range cases {
		if got := evalWith(t, s, tc.src, data); got != tc.want {
			t.Errorf("%s = %s, want %s", tc.src, got, tc.want)
		}
	}
	// Path access on a non-JSON value (event Display text) is a parse error.
	disp := Param{Name: "2", Kind: "Map<String,String>", Value: "{keyA:dataX,keyB:789}"}
	if got := evalWith(t, s, "2.keyA == 'dataX'", disp); got != fails(errParse) {
		t.Errorf("path on Display map = %s", got)
	}
	// Numeric keys address object members, not array elements.
	obj := Param{Name: "m", Kind: "Map", Value: `{"0":"zero"}`}
	if got := evalWith(t, s, "m.0 == zero", obj); got != yes {
		t.Errorf("m.0 = %s", got)
	}
}

func TestEvalVariables(t *testing.T) {
	t.Parallel()
	s := Stellar{}
	params := []Param{{Name: "a", Value: "1", Kind: "U32"}, {Name: "a", Value: "2", Kind: "U32"}, {Name: "A", Value: "3", Kind: "U32"}}
	if got := evalWith(t, s, "a == 1", params...); got != yes {
		t.Errorf("first match should win: %s", got)
	}
	if got := evalWith(t, s, "A == 3", params...); got != yes {
		t.Errorf("names are case-sensitive: %s", got)
	}
	if got := evalWith(t, s, "b == 1", params...); got != fails(errVariableNotFound) {
		t.Errorf("unknown variable: %s", got)
	}
	// Short-circuit masks errors on the side that is not evaluated.
	if got := evalWith(t, s, "a == 1 OR b == 1", params...); got != yes {
		t.Errorf("OR short-circuit: %s", got)
	}
	if got := evalWith(t, s, "a == 2 AND b == 1", params...); got != no {
		t.Errorf("AND short-circuit: %s", got)
	}
	if got := evalWith(t, s, "a == 2 OR b == 1", params...); got != fails(errVariableNotFound) {
		t.Errorf("OR right side error: %s", got)
	}
	if got := evalWith(t, s, "b == 1 OR a == 1", params...); got != fails(errVariableNotFound) {
		t.Errorf("left error: %s", got)
	}
	e, _ := Parse("a == 1")
	if _, err := e.Eval(params, nil); err == nil {
		t.Error("nil comparator must be an error")
	}
}

func lower(s string) string { return rustLower(s) }
