package expr

import (
	"math"
	"testing"
)

func TestJSONSerdeSemantics(t *testing.T) {
	t.Parallel()
	eq := []struct {
		a, b string
		want bool
	}{
		{`{"a":1,"b":2}`, `{"b":2,"a":1}`, true},
		{`{"a":1,"a":2}`, `{"a":2}`, true}, // last duplicate wins
		{`[1,2]`, ` [ 1 , 2 ] `, true},
		{`1`, `1.0`, false}, // integer vs float
		{`-0`, `0`, true},
		{`1e2`, `100.0`, true},
		{`18446744073709551616`, `18446744073709551617`, true}, // both become the same f64
		{`"\u00e9"`, `"é"`, true},
		{`"\ud83d\ude00"`, `"😀"`, true},
		{`null`, `null`, true},
		{`[true]`, `[false]`, false},
	}
	for _, c := range eq {
		a, b := mustJSON(t, c.a), mustJSON(t, c.b)
		if a.equal(&b) != c.want {
			t.Errorf("%s == %s: %v, want %v", c.a, c.b, !c.want, c.want)
		}
	}
	for _, bad := range []string{"", "01", "+1", ".5", "1.", "1e", "-", "[1,]", "{\"a\":1,}", "{a:1}", `"\x"`, `"\ud800"`,
		`"\udc00"`, `"a` + "\n" + `"`, "nul", "1 2", "[", "1e400", "'a'", "\"\xff\""} {
		if _, err := parseJSON(bad); err == nil {
			t.Errorf("parseJSON(%q) should fail", bad)
		}
	}
	deep := repeat("[", jsonMaxDepth-1) + repeat("]", jsonMaxDepth-1)
	if _, err := parseJSON(deep); err != nil {
		t.Errorf("depth %d: %v", jsonMaxDepth-1, err)
	}
	if _, err := parseJSON("[" + deep + "]"); err == nil {
		t.Errorf("depth %d must exceed the recursion limit", jsonMaxDepth)
	}
}

func TestJSONText(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		`{ "b" : [1, 2.5, -3], "a" : "x\"y" }`: `{"a":"x\"y","b":[1,2.5,-3]}`,
		`"plain"`:                              `plain`,
		`"tab\tnl\n\u0001"`:                    "tab\tnl\n\x01",
		`["tab\tnl\n\u0001"]`:                  `["tab\tnl\n\u0001"]`,
		`["é/\/"]`:                             `["é//"]`,
		`1.0`:                                  `1.0`,
		`100.0`:                                `100.0`,
		`1e15`:                                 `1000000000000000.0`,
		`1e16`:                                 `1e16`,
		`1.5e17`:                               `1.5e17`,
		`0.001`:                                `0.001`,
		`0.0001`:                               `0.0001`,
		`0.00001`:                              `0.00001`,
		`0.000001`:                             `1e-6`,
		`1.25e-7`:                              `1.25e-7`,
		`-0.0`:                                 `-0.0`,
		`123456.789`:                           `123456.789`,
		`18446744073709551616`:                 `1.8446744073709552e19`,
		`-9223372036854775809`:                 `-9.223372036854776e18`,
		`1.7976931348623157e308`:               `1.7976931348623157e308`,
		`[null,true,false,{}, [ ] ]`:           `[null,true,false,{},[]]`,
	}
	for in, want := range cases {
		v := mustJSON(t, in)
		if got := v.text(); got != want {
			t.Errorf("text(%s) = %s, want %s", in, got, want)
		}
	}
	if got := string(appendRyu(nil, math.SmallestNonzeroFloat64)); got != "5e-324" {
		t.Errorf("smallest float = %s", got)
	}
}

func TestRustLower(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"ABC":      "abc",
		"abc":      "abc",
		"ÀÉÎ":      "àéî",
		"ΟΔΟΣ":     "οδος",
		"ΣΑ":       "σα",
		"ΑΣ.":      "ας.",
		"Σ":        "σ",
		"İ":        "i̇",
		"K":        "k",
		"ẞ":        "ß",
		"ǅ":        "ǆ",
		"MIXed ǅΣ": "mixed ǆς",
	}
	for in, want := range cases {
		if got := rustLower(in); got != want {
			t.Errorf("rustLower(%q) = %q, want %q", in, got, want)
		}
	}
	if normalizeAddress(" G A\u00a0B\u2003c ") != "gabc" {
		t.Errorf("normalizeAddress = %q", normalizeAddress(" G A\u00a0B\u2003c "))
	}
	if rustTrim("\u3000 x \u2028") != "x" {
		t.Errorf("rustTrim")
	}
}
