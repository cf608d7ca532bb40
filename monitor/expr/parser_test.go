package expr

import (
	"errors"
	"strings"
	"testing"
)

// shape renders a parsed expression canonically so that tests can state
// the tree they expect: (a AND b), {name.key[0] op kind:text}.
func shape(n *node) string {
	switch n.kind {
	case nodeAnd, nodeOr:
		sep := " AND "
		if n.kind == nodeOr {
			sep = " OR "
		}
		parts := make([]string, len(n.kids))
		for i := range n.kids {
			parts[i] = shape(&n.kids[i])
		}
		return "(" + strings.Join(parts, sep) + ")"
	}
	c := n.cond
	return "{" + c.describe() + " " + c.op.String() + " " + c.lit.kind.String() + ":" + c.lit.text + "}"
}

func TestParseValid(t *testing.T) {
	t.Parallel()
	cases := []parseCase{
		{"amount >= 2240", "{amount >= number:2240}"},
		{"amount>=2240", "{amount >= number:2240}"},
		{"\t amount  ==\t5 \t", "{amount == number:5}"},
		{"a == 1 AND b == 2", "({a == number:1} AND {b == number:2})"},
		{"a == 1 and b == 2 AnD c == 3", "({a == number:1} AND {b == number:2} AND {c == number:3})"},
		{"a == 1 OR b == 2 AND c == 3", "({a == number:1} OR ({b == number:2} AND {c == number:3}))"},
		{"a == 1 AND b == 2 OR c == 3", "(({a == number:1} AND {b == number:2}) OR {c == number:3})"},
		{"(a == 1 OR b < 2)AND c > 3", "(({a == number:1} OR {b < number:2}) AND {c > number:3})"},
		{"((a == 1))", "{a == number:1}"},
		{"( a == 1 )", "{a == number:1}"},
		{"(a == 1 OR b == 2) AND (c == 3 OR d == 4)", "(({a == number:1} OR {b == number:2}) AND ({c == number:3} OR {d == number:4}))"},
		// Keywords are prefixes: no word boundary after AND/OR.
		{"x == 1 ORDER == 2", "({x == number:1} OR {DER == number:2})"},
		{"x == 1 ANDY == 2", "({x == number:1} AND {Y == number:2})"},
		{"x == 1 or_flag == true", "({x == number:1} OR {_flag == bool:true})"},
		{"x == 'a'AND y == 2", "({x == string:a} AND {y == number:2})"},
		// Operators: all of them, word operators case-insensitive prefixes.
		{"a != 1", "{a != number:1}"},
		{"a > 1", "{a > number:1}"},
		{"a < 1", "{a < number:1}"},
		{"a <= 1", "{a <= number:1}"},
		{"a contains 'x'", "{a contains string:x}"},
		{"a CONTAINS 'x'", "{a contains string:x}"},
		{"a Starts_With 'x'", "{a starts_with string:x}"},
		{"a ends_with 'x'", "{a ends_with string:x}"},
		{"a containsx", "{a contains string:x}"},
		{"a contains'x'", "{a contains string:x}"},
		// Literals.
		{"a == 'it''s'", ""}, // two adjacent strings: error, checked below
		{`a == "double"`, "{a == string:double}"},
		{`a == 'foo\'bar'`, `{a == string:foo\'bar}`},
		{`a == "x\"y"`, `{a == string:x\"y}`},
		{`a == 'back\\slash'`, `{a == string:back\\slash}`},
		{`a == 'new\nline'`, `{a == string:new\nline}`},
		{"a == ''", "{a == string:}"},
		{"a == 'a AND b == 1'", "{a == string:a AND b == 1}"},
		{"a == true", "{a == bool:true}"},
		{"a == false", "{a == bool:false}"},
		{"(a == true)", "{a == bool:true}"},
		{"a == truex", "{a == string:truex}"},
		{"a == 0xAbC1", "{a == string:0xAbC1}"},
		{"a == 0XFF", "{a == string:0XFF}"},
		{"a == -5", "{a == number:-5}"},
		{"a == +5", "{a == number:+5}"},
		{"a == 1.5", "{a == number:1.5}"},
		{"a == -0.25", "{a == number:-0.25}"},
		{"a == 340282366920938463463374607431768211455", "{a == number:340282366920938463463374607431768211455}"},
		{"a == GABC", "{a == string:GABC}"},
		{"a == abc_def-1", "{a == string:abc_def-1}"},
		{"a == -abc", "{a == string:-abc}"},
		{"a == _", "{a == string:_}"},
		{"a == ORx", "{a == string:ORx}"},
		// Variable paths.
		{"data.myKey1 >= 1234", "{data.myKey1 >= number:1234}"},
		{"0 == GABC", "{0 == string:GABC}"},
		{"0== 1", "{0 == number:1}"},
		{"3 >= 2240", "{3 >= number:2240}"},
		{"12>1", "{12 > number:1}"},
		{"events[0].args[12].x == 1", "{events[0].args[12].x == number:1}"},
		{"m.0 == 1", "{m.0 == number:1}"},
		{"m.0.1 == 1", "{m.0.1 == number:1}"},
		{"0.key[1] == 1", "{0.key[1] == number:1}"},
		{"_x9 == 1", "{_x9 == number:1}"},
		{"android == 1", "{android == number:1}"},
		{"a.b==1", "{a.b == number:1}"},
	}
	parsesTo(t, cases)
}

type parseCase struct{ src, want string }

// parsesTo checks that each source parses to the shape wanted (an empty
// want skips the case) and keeps its text.
func parsesTo(t *testing.T, cases []parseCase) {
	t.Helper()
	for _, tc := range cases {
		if tc.want == "" {
			continue
		}
		t.Run(tc.src, func(t *testing.T) {
			e, err := Parse(tc.src)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tc.src, err)
			}
			if got := shape(&e.root); got != tc.want {
				t.Fatalf("Parse(%q) = %s, want %s", tc.src, got, tc.want)
			}
			if e.String() != tc.src {
				t.Fatalf("String() = %q", e.String())
			}
		})
	}
}

func TestParseInvalid(t *testing.T) {
	t.Parallel()
	cases := []syntaxCase{
		{"", 1, "unexpected end of input"},
		{"   ", 4, "unexpected end of input"},
		{"flag", 5, "unexpected end of input"},
		{"flag AND x == 1", 6, `unexpected token "AND"`},
		{"a ==", 5, "unexpected end of input"},
		{"param0 > ", 10, "unexpected end of input"},
		{"param0 <=> 5", 10, `unexpected token ">"`},
		{"a = 1", 3, `unexpected token "="`},
		{"a === 1", 5, `unexpected token "="`},
		{"a && b", 3, `unexpected token "&"`},
		{"a == 1 && b == 2", 8, `unexpected token "&"`},
		{"a == 1 || b == 2", 8, `unexpected token "|"`},
		{"NOT a == 1", 5, `unexpected token "a"`},
		{"not a == 1", 5, `unexpected token "a"`},
		{"(a == 1 OR b < 2) AND c > 3)", 28, `unexpected token ")"`},
		{"(a == 1", 8, "unexpected end of input"},
		{"((a == 1)", 10, "unexpected end of input"},
		{"()", 2, `unexpected token ")"`},
		{"a == 1 AND", 11, "unexpected end of input"},
		{"a == 1 OR ", 11, "unexpected end of input"},
		{"a == 1 b == 2", 8, `unexpected token "b"`},
		{"a == TRUE", 6, `unexpected token "TRUE"`},
		{"a == True", 6, `unexpected token "True"`},
		{"a == AND", 6, `unexpected token "AND"`},
		{"a == contains", 6, `unexpected token "contains"`},
		{"a == 5.", 6, `invalid number "5."`},
		{"a == .5", 6, `unexpected token "."`},
		{"a == 0x", 6, `invalid number "0x"`},
		{"a == 1-2", 6, `invalid number "1-2"`},
		{"a == -", 6, `unexpected token "-"`},
		{"a == --5", 6, `unexpected token "--5"`},
		{"a == +x", 6, `unexpected token "+"`},
		{"a == abc.def", 9, `unexpected token "."`},
		{"a == 'abc", 6, "unterminated string literal"},
		{`a == 'abc\'`, 6, "unterminated string literal"},
		{`a == "abc'`, 6, "unterminated string literal"},
		{"a == 'x' 'y'", 10, `unexpected token "'"`},
		{"a == 'it''s'", 10, `unexpected token "'"`},
		{"a == x\nAND b == 1", 7, `unexpected token "\n"`},
		{"true == 1", 1, `unexpected token "true"`},
		{"And == 1", 1, `unexpected token "And"`},
		{"contains == 1", 1, `unexpected token "contains"`},
		{"0abc == 1", 2, `unexpected token "abc"`},
		{"0contains 'x'", 2, `unexpected token "contains"`},
		{"0=1", 2, `unexpected token "="`},
		{"a. b == 1", 3, `unexpected token " "`},
		{"a.1x == 1", 4, `unexpected token "x"`},
		{"a.b-c == 1", 4, `unexpected token "-c"`},
		{"a[] == 1", 3, `unexpected token "]"`},
		{"a[x] == 1", 3, `unexpected token "x"`},
		{"a[1 == 1", 4, `unexpected token " "`},
		{"a[-1] == 1", 3, `unexpected token "-1"`},
		{"a[99999999999999999999] == 1", 3, "array index 99999999999999999999 out of range"},
		{"a == 1 AND b == ", 17, "unexpected end of input"},
		{"é == 1", 1, `unexpected token "é"`},
		{"a == 'é' AND ü == 1", 14, `unexpected token "ü"`},
		{"a == 1 )", 8, `unexpected token ")"`},
		{"$a == 1", 1, `unexpected token "$"`},
	}
	failsAt(t, cases)
}

type syntaxCase struct {
	src string
	col int
	msg string
}

// failsAt checks that each source fails to parse with the message and
// column wanted.
func failsAt(t *testing.T, cases []syntaxCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.src, func(t *testing.T) {
			e, err := Parse(tc.src)
			if err == nil {
				t.Fatalf("Parse(%q) = %s, want error", tc.src, shape(&e.root))
			}
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("error %T %v is not *SyntaxError", err, err)
			}
			if se.Column != tc.col || se.Msg != tc.msg {
				t.Fatalf("Parse(%q) error = %q at %d, want %q at %d", tc.src, se.Msg, se.Column, tc.msg, tc.col)
			}
		})
	}
}

func TestSyntaxErrorText(t *testing.T) {
	t.Parallel()
	_, err := Parse("(a == 1 OR b < 2))")
	if err == nil || err.Error() != `unexpected token ")" at column 18` {
		t.Fatalf("err = %v", err)
	}
}

func TestParseNestingLimit(t *testing.T) {
	t.Parallel()
	ok := strings.Repeat("(", maxDepth) + "a == 1" + strings.Repeat(")", maxDepth)
	if _, err := Parse(ok); err != nil {
		t.Fatalf("depth %d: %v", maxDepth, err)
	}
	deep := strings.Repeat("(", maxDepth+1) + "a == 1" + strings.Repeat(")", maxDepth+1)
	_, err := Parse(deep)
	var se *SyntaxError
	if !errors.As(err, &se) || se.Msg != "expression nested too deeply" || se.Column != maxDepth+1 {
		t.Fatalf("depth %d: %v", maxDepth+1, err)
	}
}

func TestVars(t *testing.T) {
	t.Parallel()
	cases := []struct {
		src  string
		want []string
	}{
		{"amount >= 2240 AND to == 'G'", []string{"amount", "to"}},
		{"a == 1 OR a == 2 OR b.c[0] == 3", []string{"a", "b"}},
		{"0 == x AND 3 >= 2240", []string{"0", "3"}},
		{"(gas_used > 5)", []string{"gas_used"}},
	}
	for _, tc := range cases {
		e, err := Parse(tc.src)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Join(e.Vars(), ",") != strings.Join(tc.want, ",") {
			t.Errorf("Vars(%q) = %v, want %v", tc.src, e.Vars(), tc.want)
		}
		for _, v := range tc.want {
			if !e.HasVar(v) {
				t.Errorf("HasVar(%q) false for %q", v, tc.src)
			}
		}
		if e.HasVar("nope") {
			t.Errorf("HasVar(nope) true")
		}
	}
}

func TestLiteralPrecomputed(t *testing.T) {
	t.Parallel()
	e, err := Parse("a == 'G ABC' AND b == 170141183460469231731687303715884105727")
	if err != nil {
		t.Fatal(err)
	}
	s := e.root.kids[0].cond.lit
	if s.lower != "g abc" || s.addr != "gabc" {
		t.Fatalf("string literal lower=%q addr=%q", s.lower, s.addr)
	}
	n := e.root.kids[1].cond.lit
	if !n.numOK || !n.num.fits(128, true) || n.num.fits(127, true) {
		t.Fatalf("number literal not pre-parsed: %+v", n)
	}
}

// TestParseValueFallsBackToBareWord follows OpenZeppelin Monitor's
// parse_value (quoted → bool → hex → number → unquoted, each tried from the
// same position): a token that starts like a number or like 0x-hex but does
// not end like one is an unquoted string, unless the word it makes is all
// digits and signs, or 0x followed only by hex digits (possibly none). The
// cases marked OZ are OZ's own parser tests; the rest follow its grammar.
func TestParseValueFallsBackToBareWord(t *testing.T) {
	t.Parallel()
	parsesTo(t, []parseCase{
		{"a == 0xVal", "{a == string:0xVal}"}, // OZ test_parse_value_alt_order
		{"symbol == 1INCH", "{symbol == string:1INCH}"},
		{"a == 123abc", "{a == string:123abc}"},
		{"a == 1e3", "{a == string:1e3}"}, // no exponent: a word, not a number
		{"a == 1E18", "{a == string:1E18}"},
		{"a == 0xG", "{a == string:0xG}"},       // OZ: parse_hex_string fails on "0xG"
		{"a == 0x123z", "{a == string:0x123z}"}, // OZ: parse_hex_string fails, not delimited
		{"a == 0xZZ", "{a == string:0xZZ}"},
		{"a == 0XFFg", "{a == string:0XFFg}"},
		{"a == 0x_1", "{a == string:0x_1}"},
		{"a == 0xab-cd", "{a == string:0xab-cd}"},
		{"a == -1INCH", "{a == string:-1INCH}"},
		{"a == -0x10", "{a == string:-0x10}"}, // not hex (starts with '-'): a word
		{"a == -0X1f", "{a == string:-0X1f}"},
		{"a == -0x", "{a == string:-0x}"},
		{"a == 0b101", "{a == string:0b101}"},
		{"a == 0o17", "{a == string:0o17}"},
		{"a == 1_000", "{a == string:1_000}"},
		{"a == -1_000", "{a == string:-1_000}"},
		{"a == 1-INCH", "{a == string:1-INCH}"},
		{"a == 12abc-3", "{a == string:12abc-3}"},
		{"(a == 1INCH)", "{a == string:1INCH}"},
		{"a == 1INCH AND b == 2", "({a == string:1INCH} AND {b == number:2})"},
		{"a == 1INCH OR b == 0xVal", "({a == string:1INCH} OR {b == string:0xVal})"},
		{"a contains 1INCH", "{a contains string:1INCH}"},
		// Unchanged: well-formed numbers and hex stay what they were.
		{"a == 123", "{a == number:123}"},
		{"a == -0.5", "{a == number:-0.5}"},
		{"a == 0x1a2B", "{a == string:0x1a2B}"},
	})
	failsAt(t, []syntaxCase{
		{"a == 0x", 6, `invalid number "0x"`}, // OZ: "0x" alone is neither hex nor a word
		{"a == 0X", 6, `invalid number "0X"`},
		{"(a == 0x)", 7, `invalid number "0x"`},
		{"a == 0xab.", 6, `invalid number "0xab"`},      // the word "0xab" is hex-like
		{"a == 12.5abc", 6, `invalid number "12.5abc"`}, // the word "12" is all digits
		{"a == 12.abc", 6, `invalid number "12."`},
		{"a == 1.2.3", 6, `invalid number "1.2."`},
		{"a == 1-2", 6, `invalid number "1-2"`},
		{"a == +1INCH", 6, `invalid number "+1INCH"`}, // '+' is not a word character
		{"a == 123abc.def", 12, `unexpected token "."`},
		{"a == 1INCH'", 11, `unexpected token "'"`},
		{"a == 1INCHé", 11, `unexpected token "é"`},
	})
}
