package expr

import (
	"math/big"
	"testing"
)

func TestParseIntRustRules(t *testing.T) {
	t.Parallel()
	valid := map[string]string{"0": "0", "+7": "7", "-7": "-7", "007": "7", "-0": "0",
		"18446744073709551616": "18446744073709551616", "-170141183460469231731687303715884105728": "-170141183460469231731687303715884105728"}
	for in, want := range valid {
		v, ok := parseInt(in)
		if !ok {
			t.Fatalf("parseInt(%q) failed", in)
		}
		got := v.bigMag()
		if v.negative() {
			got = new(big.Int).Neg(got)
		}
		if got.String() != want {
			t.Errorf("parseInt(%q) = %s, want %s", in, got, want)
		}
	}
	for _, in := range []string{"", "+", "-", "+-1", "1 ", " 1", "1_000", "1.0", "0x10", "١"} {
		if _, ok := parseInt(in); ok {
			t.Errorf("parseInt(%q) should fail", in)
		}
	}
}

func TestBigNumberEdges(t *testing.T) {
	t.Parallel()
	s := Stellar{}
	const (
		i128Max = "170141183460469231731687303715884105727"  // 2^127-1
		i128Min = "-170141183460469231731687303715884105728" // -2^127
		u128Max = "340282366920938463463374607431768211455"  // 2^128-1
		u64Max  = "18446744073709551615"
	)
	// 2^127-1 and -2^127 are the I128 bounds.
	check(t, s, "I128", i128Max, "== "+i128Max, yes)
	check(t, s, "I128", i128Max, "> 170141183460469231731687303715884105726", yes)
	check(t, s, "I128", i128Min, "< "+i128Max, yes)
	check(t, s, "I128", i128Min, "== "+i128Min, yes)
	check(t, s, "I128", i128Min, "< -170141183460469231731687303715884105727", yes)
	check(t, s, "I128", "170141183460469231731687303715884105728", "> 0", fails(errParse))
	check(t, s, "I128", "-170141183460469231731687303715884105729", "< 0", fails(errParse))
	check(t, s, "I128", "0", "< "+u128Max, fails(errParse))
	// U128 takes 2^128-1 but nothing negative or beyond.
	check(t, s, "U128", u128Max, "> "+i128Max, yes)
	check(t, s, "U128", u128Max, "== 340282366920938463463374607431768211456", fails(errParse))
	// Values either side of the uint64 boundary, where representations switch.
	check(t, s, "I128", u64Max, "< 18446744073709551616", yes)
	check(t, s, "I128", "18446744073709551616", "> "+u64Max, yes)
	check(t, s, "I128", "-18446744073709551616", "< -"+u64Max, yes)
	check(t, s, "U128", "18446744073709551616", "== 18446744073709551616", yes)
	// No float rounding: neighbours at 2^100 are distinct.
	check(t, s, "U128", "1267650600228229401496703205377", "> 1267650600228229401496703205376", yes)
	check(t, s, "I128", "1267650600228229401496703205377", "== 1267650600228229401496703205376", no)
	// 2^256-1: only text equality on Stellar, numeric on EVM.
	check(t, s, "U256", u256Max, "== "+u256Max, yes)
	check(t, s, "U256", u256Max, "> 0", fails(errUnsupportedOperator))
	check(t, EVM{}, "uint256", u256Max, ">= "+u256Max, yes)
	check(t, EVM{}, "uint256", u256Max, "> 115792089237316195423570985008687907853269984665640564039457584007913129639934", yes)
	// Across kinds the same text compares by each kind's width.
	for _, kind := range []string{"U32", "I32", "U64", "I64"} {
		check(t, s, kind, "5", "< "+i128Max, fails(errParse))
	}
	check(t, s, "I128", "5", "< "+u64Max, yes)
	check(t, s, "U64", u64Max, "== "+u64Max, yes)
	check(t, s, "I64", u64Max, "== "+u64Max, fails(errParse))
	// A huge literal never allocates its value and is out of every range.
	huge := "1" + repeat("0", 200)
	check(t, s, "U128", "1", "< "+huge, fails(errParse))
	check(t, EVM{}, "uint256", "1", "< "+huge, fails(errParse))
}

func TestFits(t *testing.T) {
	t.Parallel()
	for _, bits := range []int{32, 64, 128, 256} {
		one := big.NewInt(1)
		maxU := new(big.Int).Sub(new(big.Int).Lsh(one, uint(bits)), one)
		maxI := new(big.Int).Sub(new(big.Int).Lsh(one, uint(bits-1)), one)
		minI := new(big.Int).Neg(new(big.Int).Lsh(one, uint(bits-1)))
		cases := []struct {
			n              *big.Int
			signed, unsign bool
		}{
			{maxU, false, true},
			{new(big.Int).Add(maxU, one), false, false},
			{maxI, true, true},
			{new(big.Int).Add(maxI, one), false, true},
			{minI, true, false},
			{new(big.Int).Sub(minI, one), false, false},
		}
		for _, c := range cases {
			v, ok := parseInt(c.n.String())
			if !ok {
				t.Fatal(c.n)
			}
			if v.fits(bits, true) != c.signed || v.fits(bits, false) != c.unsign {
				t.Errorf("bits %d %s: fits signed %v unsigned %v", bits, c.n, v.fits(bits, true), v.fits(bits, false))
			}
		}
	}
}

// TestLiteralInt256 checks the EVM readings a literal carries from parse
// time against parse256 on its text, for numbers, quoted texts and words.
func TestLiteralInt256(t *testing.T) {
	t.Parallel()
	texts := []string{
		"0", "5", "+5", "-5", "-0", "+0", "007", "-007", "1.5", "0x10", "-0x10", "+0x10", "0XfF",
		"1_000", "-1_000", "0b101", "-0o17", "_", "-", "+", "0x", "-0x", "0b", "1e3", "1INCH",
		" 42 ", "abc", u256Max, "-" + u256Max, i256Min, i256Max, "-" + i256Max,
		"0x" + repeat("f", 64), "0x1" + repeat("0", 64), "-0x8" + repeat("0", 63), "1" + repeat("0", 100),
	}
	for _, text := range texts {
		e, err := Parse("v == '" + text + "'")
		if err != nil {
			t.Fatalf("Parse(%q): %v", text, err)
		}
		l := &e.root.cond.lit
		for _, signed := range []bool{false, true} {
			got, gotOK := l.int256(signed)
			want, wantOK := parse256(text, signed)
			if gotOK != wantOK || (gotOK && cmpInt(got, want) != 0) {
				t.Errorf("literal %q signed=%v reads %+v/%v, parse256 %+v/%v", text, signed, got, gotOK, want, wantOK)
			}
		}
	}
}
