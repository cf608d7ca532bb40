package expr

import "testing"

// TestRequired: only a top-level condition or an AND's operand requires
// anything; an OR, another operator or a path requires nothing.
func TestRequired(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		src    string
		to     string
		bound  int64
		strict bool
		hasTo  bool
		hasMin bool
	}{
		{src: "to == 'GABC'", to: "gabc", hasTo: true},
		{src: "value > 5 AND to == ' C D '", to: "cd", hasTo: true, bound: 5, strict: true, hasMin: true},
		{src: "(value >= -3 AND hash != 'x') AND from == 'G'", bound: -3, hasMin: true},
		{src: "to == 'GABC' OR value > 1"},
		{src: "to != 'GABC'"},
		{src: "to.x == 'GABC'"},
		{src: "to == 5"},
		{src: "value < 5"},
		{src: "value > 99999999999999999999"},
		{src: "value > 'abc'"},
	} {
		e, err := Parse(c.src)
		if err != nil {
			t.Fatalf("parse %q: %v", c.src, err)
		}
		to, ok := e.RequiredAddress("to")
		if ok != c.hasTo || to != c.to {
			t.Errorf("%q: RequiredAddress = %q, %v; want %q, %v", c.src, to, ok, c.to, c.hasTo)
		}
		b, strict, ok := e.RequiredAbove("value")
		if ok != c.hasMin || b != c.bound || strict != c.strict {
			t.Errorf("%q: RequiredAbove = %d, %v, %v; want %d, %v, %v", c.src, b, strict, ok, c.bound, c.strict, c.hasMin)
		}
	}
	for src, want := range map[string]string{"3 > 10": "3", "amount >= -1 AND to == 'x'": "amount", "to == 'x' AND amount < 3": ""} {
		e, err := Parse(src)
		if err != nil {
			t.Fatal(err)
		}
		if name, _, _, ok := e.RequiredLowerBound(); name != want || ok != (want != "") {
			t.Errorf("%q: RequiredLowerBound names %q, %v; want %q", src, name, ok, want)
		}
	}
	if AddressKey(" GAB c") != "gabc" {
		t.Errorf("AddressKey = %q", AddressKey(" GAB c"))
	}
}
