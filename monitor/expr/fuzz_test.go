package expr

import (
	"errors"
	"testing"
	"unicode/utf8"
)

var fuzzSeeds = []string{
	"amount >= 2240 AND to == 'GABC'",
	"(a == 1 OR b < 2)AND c > 3",
	"x == 1 ORDER == 2",
	"data.myKey1 >= 1234 AND data.myKey2 == 'Hello, world!'",
	"0 == GDF32CQINROD3E2LMCGZUDVMWTXCJFR5SBYVRJ7WAAIAS3P7DCVWZEFY AND 3 >= 2240",
	`v contains "x\"y" OR v.k[0].z starts_with 0xAB`,
	"v == -1.5 AND v != true OR v ends_with abc-def",
	"((((v == 1))))",
	"v[99999999999999999999] == 1",
	"v == 'unterminated",
	"",
	"symbol == 1INCH OR v == 0xVal AND w == 1e3",
	"v < -0x10 AND w == 0b101 OR x == 1_000 OR y == 12.5abc",
}

func FuzzParse(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		e, err := Parse(src)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Parse(%q): error %T is not *SyntaxError", src, err)
			}
			if se.Column < 1 || se.Column > utf8.RuneCountInString(src)+1 || se.Msg == "" {
				t.Fatalf("Parse(%q): bad error %+v", src, se)
			}
			return
		}
		if e.String() != src || len(e.Vars()) == 0 {
			t.Fatalf("Parse(%q): String %q Vars %v", src, e.String(), e.Vars())
		}
		again, err := Parse(src)
		if err != nil || shape(&again.root) != shape(&e.root) {
			t.Fatalf("Parse(%q) is not deterministic", src)
		}
		// The EVM integer readings derived at parse time are parse256's.
		forEachLiteral(&e.root, func(l *literal) {
			if l.kind == litBool {
				return
			}
			for _, signed := range []bool{false, true} {
				got, gotOK := l.int256(signed)
				want, wantOK := parse256(l.text, signed)
				if gotOK != wantOK || (gotOK && cmpInt(got, want) != 0) {
					t.Fatalf("Parse(%q): literal %q signed=%v reads %v/%v, parse256 %v/%v", src, l.text, signed, got, gotOK, want, wantOK)
				}
			}
		})
	})
}

func forEachLiteral(n *node, f func(*literal)) {
	if n.kind == nodeCond {
		f(&n.cond.lit)
		return
	}
	for i := range n.kids {
		forEachLiteral(&n.kids[i], f)
	}
}

func FuzzEval(f *testing.F) {
	values := []struct{ v, k string }{
		{"2240", "I128"}, {"[1,\"a\",{\"value\":\"B\"}]", "Vec<Val>"}, {`{"myKey1":1234,"k":[{"z":"abc"}]}`, "Map<String,U32>"},
		{"GABC", "Address"}, {"true", "Bool"}, {"a, b", "Vec"}, {"(1,\"x\",[2])", "tuple"}, {"0xff", "uint256"},
		{"-5", "int64"}, {"12345", "U256"}, {"x", "String"},
	}
	for i, s := range fuzzSeeds {
		v := values[i%len(values)]
		f.Add(s, v.v, v.k)
	}
	f.Fuzz(func(t *testing.T, src, value, kind string) {
		e, err := Parse(src)
		if err != nil {
			return
		}
		// Every root variable gets the fuzzed value, so conditions reach
		// the comparison rules instead of stopping at "not found".
		params := make([]Param, 0, len(e.Vars()))
		for _, name := range e.Vars() {
			params = append(params, Param{Name: name, Value: value, Kind: kind})
		}
		for _, c := range []Comparator{Stellar{}, EVM{}} {
			ok, err := e.Eval(params, c)
			if err != nil {
				var ee *evalError
				if !errors.As(err, &ee) || ok {
					t.Fatalf("Eval(%q, %q, %q): %v %v", src, value, kind, ok, err)
				}
			}
			// Evaluation is a pure function of its inputs.
			ok2, err2 := e.Eval(params, c)
			if ok2 != ok || (err == nil) != (err2 == nil) {
				t.Fatalf("Eval(%q, %q, %q) is not deterministic", src, value, kind)
			}
		}
	})
}
