package expr

import (
	"strings"
	"testing"
)

// TestErrorsBoundLongInput: a syntax or evaluation error names the
// offending token or value, but never repeats more than a few hundred bytes
// of it, however long the expression or the chain's value is.
func TestErrorsBoundLongInput(t *testing.T) {
	t.Parallel()
	const limit = 300
	long := strings.Repeat("a", 1<<20)
	longDigits := strings.Repeat("9", 1<<20)
	for _, src := range []string{
		"flag " + long,
		"a == 0x" + long + ".",
		"a == 1" + long + "é",
		"a == 1." + long,
		"a == " + long + " " + long,
		long + "é == 1",
	} {
		_, err := Parse(src)
		if err == nil {
			t.Fatalf("Parse(%.40q…) succeeded", src)
		}
		if len(err.Error()) > limit {
			t.Errorf("Parse(%.40q…): error is %d bytes: %.80q…", src, len(err.Error()), err.Error())
		}
	}
	evals := []struct {
		c     Comparator
		src   string
		param Param
	}{
		{EVM{}, "v == 1", Param{Name: "v", Value: longDigits + "x", Kind: "int256"}},
		{EVM{}, "v == '" + long + "'", Param{Name: "v", Value: "1", Kind: "uint256"}},
		{EVM{}, "v == 1", Param{Name: "v", Value: long, Kind: "tuple"}},
		{EVM{}, "v == 1", Param{Name: "v", Value: "1", Kind: long}},
		{Stellar{}, "v == 1", Param{Name: "v", Value: longDigits, Kind: "I128"}},
		{Stellar{}, "v == '" + long + "'", Param{Name: "v", Value: "1", Kind: "U64"}},
		{Stellar{}, "v == true", Param{Name: "v", Value: long, Kind: "Bool"}},
		{Stellar{}, "v == 1", Param{Name: "v", Value: "1", Kind: long}},
		{Stellar{}, "v.k == 1", Param{Name: "v", Value: "1", Kind: long}},
		{Stellar{}, "v == 1", Param{Name: "w", Value: "1", Kind: "U64"}},
		{Stellar{}, "v.k == 1", Param{Name: "v", Value: "x", Kind: long}},
		{Stellar{}, "v == true", Param{Name: "v", Value: "1", Kind: "U256<" + long + ">"}},
		{Stellar{}, "v > 1", Param{Name: "v", Value: "1", Kind: "U256<" + long + ">"}},
		{Stellar{}, "v == 1", Param{Name: "v", Value: "1", Kind: "String<" + long + ">"}},
	}
	for _, tc := range evals {
		e, err := Parse(tc.src)
		if err != nil {
			t.Fatalf("Parse(%.40q…): %v", tc.src, err)
		}
		_, err = e.Eval([]Param{tc.param}, tc.c)
		if err == nil {
			t.Fatalf("Eval(%.40q…) succeeded", tc.src)
		}
		if len(err.Error()) > limit {
			t.Errorf("Eval(%.40q…, kind %.20q…): error is %d bytes: %.80q…", tc.src, tc.param.Kind, len(err.Error()), err.Error())
		}
	}
}
