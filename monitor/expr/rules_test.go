package expr

import (
	"math/big"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

// Property rules 1–26 (docs/compatibility.md#golden-tests; OpenZeppelin Monitor's Stellar property
// tests), ported as deterministic randomized tables. Rules 21–26 also cover
// engine-level behaviour (status matching, signatures, argument
// conversion, limb combination); here they are tested at the expression
// level, the rest belongs to the monitor and chain packages.

const propCases = 300

func newRand(rule int) *rand.Rand { return rand.New(rand.NewPCG(uint64(rule), 7)) }

const alnum = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

func randWord(r *rand.Rand, n int) string {
	b := make([]byte, 1+r.IntN(n))
	for i := range b {
		b[i] = alnum[r.IntN(len(alnum))]
	}
	return string(b)
}

func randCase(r *rand.Rand, s string) string {
	b := []byte(s)
	for i, c := range b {
		if r.IntN(2) == 0 {
			b[i] = byte(strings.ToUpper(string(c))[0])
		} else {
			b[i] = lowerByte(c)
		}
	}
	return string(b)
}

func mustJSON(t *testing.T, s string) jsonValue {
	t.Helper()
	v, err := parseJSON(s)
	if err != nil {
		t.Fatalf("parseJSON(%q): %v", s, err)
	}
	return v
}

func TestPropertyRules(t *testing.T) {
	t.Parallel()
	s := Stellar{}

	t.Run("rule01_ruleM_strings_case_insensitive", func(t *testing.T) {
		r := newRand(1)
		for range propCases {
			w := randWord(r, 12)
			v := mustJSON(t, strconv.Quote(w))
			for _, target := range []string{w, strings.ToUpper(w), lower(w), randCase(r, w)} {
				if !matchJSON(&v, target) {
					t.Fatalf("%q should match %q", w, target)
				}
			}
			other := w + randWord(r, 3)
			if matchJSON(&v, other) {
				t.Fatalf("%q must not match %q", w, other)
			}
		}
	})

	t.Run("rule02_ruleM_numbers_exact_text", func(t *testing.T) {
		r := newRand(2)
		for range propCases {
			n := r.Int64() >> r.IntN(63)
			if r.IntN(2) == 0 {
				n = -n
			}
			txt := strconv.FormatInt(n, 10)
			v := mustJSON(t, txt)
			if !matchJSON(&v, txt) {
				t.Fatalf("%s should match itself", txt)
			}
			for _, bad := range []string{" " + txt + " ", txt + ".0", "+" + txt, txt + "0"} {
				if matchJSON(&v, bad) {
					t.Fatalf("%s must not match %q", txt, bad)
				}
			}
		}
	})

	t.Run("rule03_ruleM_bools_lowercase_only", func(t *testing.T) {
		for _, b := range []string{"true", "false"} {
			v := mustJSON(t, b)
			if !matchJSON(&v, b) {
				t.Fatalf("%s should match", b)
			}
			for _, bad := range []string{strings.ToUpper(b), strings.ToUpper(b[:1]) + b[1:], " " + b} {
				if matchJSON(&v, bad) {
					t.Fatalf("%s must not match %q", b, bad)
				}
			}
		}
	})

	t.Run("rule04_ruleM_objects_by_value_key", func(t *testing.T) {
		r := newRand(4)
		for range propCases {
			w := randWord(r, 10) + "x"
			v := mustJSON(t, `{"type":"T","value":`+strconv.Quote(w)+`}`)
			if !matchJSON(&v, w) {
				t.Fatalf("value %q should match exactly", w)
			}
			if up := strings.ToUpper(w); up != w && matchJSON(&v, up) {
				t.Fatalf("value %q must match case-sensitively, matched %q", w, up)
			}
			noValue := mustJSON(t, `{"name":`+strconv.Quote(w)+`}`)
			if matchJSON(&noValue, w) {
				t.Fatalf("object without value key must not match")
			}
			n := r.Uint64()
			num := mustJSON(t, `{"value":`+uitoa(n)+`}`)
			if !matchJSON(&num, uitoa(n)) {
				t.Fatalf("numeric value %d should match its text", n)
			}
		}
	})

	t.Run("rule05_vec_equality", func(t *testing.T) {
		r := newRand(5)
		for range propCases {
			items := make([]string, 1+r.IntN(5))
			for i := range items {
				items[i] = randWord(r, 6) + "z"
			}
			quoted := make([]string, len(items))
			for i, it := range items {
				quoted[i] = strconv.Quote(it)
			}
			compact := "[" + strings.Join(quoted, ",") + "]"
			spaced := "[ " + strings.Join(quoted, " , ") + " ]"
			csv := strings.Join(items, ",")
			// Reflexive for JSON arrays and CSV text.
			for _, v := range []string{compact, csv} {
				check(t, s, "Vec", v, "== '"+v+"'", yes)
				check(t, s, "Vec", v, "!= '"+v+"'", no)
			}
			// JSON equality ignores formatting.
			check(t, s, "Vec", compact, "== '"+spaced+"'", yes)
			// CSV ignores case and surrounding whitespace per item.
			check(t, s, "Vec", csv, "== ' "+strings.ToUpper(strings.Join(items, " , "))+" '", yes)
			// A JSON array never equals its CSV rendering.
			check(t, s, "Vec", compact, "== '"+csv+"'", no)
			// Order-sensitive.
			if len(items) > 1 && items[0] != items[1] {
				rev := make([]string, len(quoted))
				for i := range quoted {
					rev[i] = quoted[len(quoted)-1-i]
				}
				check(t, s, "Vec", compact, "== '["+strings.Join(rev, ",")+"]'", no)
			}
		}
	})

	t.Run("rule06_vec_contains", func(t *testing.T) {
		r := newRand(6)
		for range propCases {
			items := []string{randWord(r, 6) + "q", randWord(r, 6) + "q"}
			jsonArr := `["` + items[0] + `","` + items[1] + `"]`
			pick := items[r.IntN(2)]
			check(t, s, "Vec", jsonArr, "contains '"+randCase(r, pick)+"'", yes)
			check(t, s, "Vec", jsonArr, "contains 'nonexistent_"+pick+"'", no)
			csv := items[0] + ", " + items[1]
			check(t, s, "Vec", csv, "contains '"+pick+"'", yes)
			check(t, s, "Vec", csv, "contains 'nonexistent_"+pick+"'", no)
			n := r.Uint32()
			check(t, s, "Vec", "[1,"+strconv.Itoa(int(n))+"]", "contains "+strconv.Itoa(int(n)), yes)
			check(t, s, "Vec", `[{"name":"`+pick+`"}]`, "contains '"+pick+"'", yes)
			check(t, s, "Vec", `[{"n":{"value":"`+pick+`"}}]`, "contains '"+pick+"'", yes)
		}
	})

	t.Run("rule07_error_kinds", func(t *testing.T) {
		for _, op := range []string{">", ">=", "<", "<=", "starts_with", "ends_with"} {
			check(t, s, "Vec", "[1]", op+" '1'", fails(errUnsupportedOperator))
			check(t, s, "Map", `{"a":1}`, op+" '1'", fails(errUnsupportedOperator))
			check(t, s, "Bool", "true", op+" true", fails(errUnsupportedOperator))
		}
		for _, op := range []string{">", ">=", "<", "<="} {
			check(t, s, "String", "a", op+" 'a'", fails(errUnsupportedOperator))
		}
		check(t, s, "Vec", "[1]", "== true", fails(errTypeMismatch))
		check(t, s, "Map", `{"a":1}`, "== true", fails(errTypeMismatch))
		check(t, s, "Bool", "true", "== 'true'", fails(errTypeMismatch))
		check(t, s, "String", "a", "== 1", fails(errTypeMismatch))
		check(t, s, "Map", "{not json", "== '{}'", fails(errParse))
		check(t, s, "Map", "{not json", "contains 'x'", fails(errParse))
		check(t, s, "Map", `{"a":1}`, "== 1", fails(errTypeMismatch))
		check(t, s, "Map", `{"a":1}`, "!= 1", fails(errTypeMismatch))
		check(t, s, "Map", `{"a":1}`, "contains 1", yes)
	})

	t.Run("rule08_string_case_and_address_eq", func(t *testing.T) {
		r := newRand(8)
		for range propCases {
			lhs := randWord(r, 12)
			rhs := lhs[:r.IntN(len(lhs)+1)]
			if r.IntN(3) == 0 {
				rhs = randWord(r, 4)
			}
			for _, kind := range []string{"string", "symbol", "bytes"} {
				for _, op := range []string{"==", "!=", "starts_with", "ends_with", "contains"} {
					a := evalWith(t, s, "v "+op+" '"+strings.ToUpper(rhs)+"'", Param{"v", lhs, kind})
					b := evalWith(t, s, "v "+op+" '"+lower(rhs)+"'", Param{"v", lhs, kind})
					if a != b {
						t.Fatalf("%s %q %s %q: upper %s, lower %s", kind, lhs, op, rhs, a, b)
					}
				}
			}
			var pk [32]byte
			for i := range pk {
				pk[i] = byte(r.Uint32())
			}
			addr := strkey(6<<3, pk)
			check(t, s, "address", addr, "== "+addr, yes)
			check(t, s, "address", addr, "== '"+randCase(r, addr)+"'", yes)
			check(t, s, "address", addr, "== ' "+addr[:20]+"  "+addr[20:]+"\t'", yes)
			check(t, s, "address", addr, "!= '"+lower(addr)+"'", no)
		}
	})

	t.Run("rule09_map_equality_and_contains", func(t *testing.T) {
		r := newRand(9)
		for range propCases {
			k1, k2 := "a"+randWord(r, 5), "b"+randWord(r, 5)
			sv, nv := randWord(r, 8), r.Int64()
			m1 := `{"` + k1 + `":"` + sv + `","` + k2 + `":` + strconv.FormatInt(nv, 10) + `}`
			m2 := `{ "` + k2 + `" : ` + strconv.FormatInt(nv, 10) + ` , "` + k1 + `" : "` + sv + `" }`
			check(t, s, "Map", m1, "== '"+m2+"'", yes)
			check(t, s, "Map", m1, "!= '"+m2+"'", no)
			check(t, s, "Map", m1, "contains '"+sv+"'", yes)
			check(t, s, "Map", m1, "contains "+strconv.FormatInt(nv, 10), yes)
			check(t, s, "Map", m1, "contains 'nonexistent_"+sv+"'", no)
		}
	})

	t.Run("rule10_bool", func(t *testing.T) {
		for _, a := range []bool{true, false} {
			for _, b := range []bool{true, false} {
				as, bs := strconv.FormatBool(a), strconv.FormatBool(b)
				check(t, s, "Bool", as, "== "+bs, outcome{ok: a == b})
				check(t, s, "Bool", as, "!= "+bs, outcome{ok: a != b})
				// symmetric
				check(t, s, "Bool", bs, "== "+as, outcome{ok: a == b})
			}
		}
		for _, bad := range []string{"TRUE", "False", "1", "0", "", "yes", " true"} {
			check(t, s, "Bool", bad, "== true", fails(errParse))
		}
	})

	t.Run("rule11_numeric_full_ranges", func(t *testing.T) {
		r := newRand(11)
		type width struct {
			kind   string
			bits   uint
			signed bool
		}
		widths := []width{{"i32", 32, true}, {"i64", 64, true}, {"i128", 128, true}, {"u32", 32, false}, {"u64", 64, false}, {"u128", 128, false}}
		ops := []struct {
			op string
			f  func(int) bool
		}{
			{"==", func(c int) bool { return c == 0 }}, {"!=", func(c int) bool { return c != 0 }},
			{">", func(c int) bool { return c > 0 }}, {">=", func(c int) bool { return c >= 0 }},
			{"<", func(c int) bool { return c < 0 }}, {"<=", func(c int) bool { return c <= 0 }},
		}
		for _, w := range widths {
			lo, hi := new(big.Int), new(big.Int).Lsh(big.NewInt(1), w.bits)
			if w.signed {
				lo.Neg(new(big.Int).Lsh(big.NewInt(1), w.bits-1))
				hi.Lsh(big.NewInt(1), w.bits-1)
			}
			hi.Sub(hi, big.NewInt(1))
			span := new(big.Int).Sub(hi, lo)
			span.Add(span, big.NewInt(1))
			random := func() *big.Int {
				switch r.IntN(6) {
				case 0:
					return new(big.Int).Set(lo)
				case 1:
					return new(big.Int).Set(hi)
				case 2:
					return big.NewInt(int64(r.IntN(5)))
				}
				n := new(big.Int)
				for n.BitLen() < int(w.bits)+8 {
					n.Lsh(n, 32).Or(n, big.NewInt(int64(r.Uint32())))
				}
				n.Rsh(n, uint(r.IntN(int(w.bits))))
				n.Mod(n, span)
				return n.Add(n, lo)
			}
			for range propCases {
				a, b := random(), random()
				if r.IntN(4) == 0 {
					b.Set(a)
				}
				c := a.Cmp(b)
				for _, o := range ops {
					check(t, s, w.kind, a.String(), o.op+" "+b.String(), outcome{ok: o.f(c)})
				}
			}
			// One past either end is a parse error, on both sides.
			below := new(big.Int).Sub(lo, big.NewInt(1))
			above := new(big.Int).Add(hi, big.NewInt(1))
			check(t, s, w.kind, above.String(), "> 0", fails(errParse))
			check(t, s, w.kind, "1", "< "+above.String(), fails(errParse))
			check(t, s, w.kind, below.String(), "< 0", fails(errParse))
			check(t, s, w.kind, "1", "> "+below.String(), fails(errParse))
		}
	})

	t.Run("rule12_address_unquoted_strkey", func(t *testing.T) {
		r := newRand(12)
		for range propCases {
			var pk [32]byte
			for i := range pk {
				pk[i] = byte(r.Uint32())
			}
			a := strkey(6<<3, pk)
			pk[r.IntN(32)] ^= 1 << r.IntN(8)
			b := strkey(2<<3, pk)
			lhs := randCase(r, a)
			check(t, s, "Address", lhs, "== "+a, outcome{ok: normalizeAddress(lhs) == normalizeAddress(a)})
			check(t, s, "Address", lhs, "!= "+b, outcome{ok: normalizeAddress(lhs) != normalizeAddress(b)})
			check(t, s, "Address", lhs, "== "+b, no)
		}
	})

	t.Run("rule13_string_lowercase_semantics", func(t *testing.T) {
		r := newRand(13)
		for range propCases {
			v, x := randWord(r, 10), randWord(r, 3)
			if r.IntN(3) == 0 {
				x = v[r.IntN(len(v)):]
			}
			lv, lx := strings.ToLower(v), strings.ToLower(x)
			want := map[string]bool{
				"==": lv == lx, "!=": lv != lx, "starts_with": strings.HasPrefix(lv, lx),
				"ends_with": strings.HasSuffix(lv, lx), "contains": strings.Contains(lv, lx),
			}
			for op, w := range want {
				check(t, s, "String", v, op+" '"+x+"'", outcome{ok: w})
			}
		}
	})

	t.Run("rule14_csv_vec_integer_rhs", func(t *testing.T) {
		r := newRand(14)
		for range propCases {
			n := 2 + r.IntN(4)
			items := make([]string, n)
			for i := range items {
				items[i] = strconv.Itoa(r.IntN(1000))
			}
			csv := strings.Join(items, ", ")
			target := r.IntN(1000)
			member := false
			for _, it := range items {
				member = member || it == strconv.Itoa(target)
			}
			check(t, s, "vec", csv, "contains "+strconv.Itoa(target), outcome{ok: member})
			check(t, s, "vec", csv, "contains "+items[0], yes)
			// A multi-item CSV is not JSON while the number is: never equal.
			check(t, s, "vec", csv, "== "+strconv.Itoa(target), no)
			check(t, s, "vec", csv, "!= "+strconv.Itoa(target), yes)
			check(t, s, "vec", items[0], "== "+items[0], yes)
		}
	})

	t.Run("rule15_json_vec_contains_no_deep_search", func(t *testing.T) {
		r := newRand(15)
		for range propCases {
			n := r.Int64() >> r.IntN(60)
			w := randWord(r, 8) + "s"
			arr := "[" + strconv.FormatInt(n, 10) + `,"` + w + `",true]`
			check(t, s, "Vec", arr, "contains "+strconv.FormatInt(n, 10), yes)
			check(t, s, "Vec", arr, "contains '"+strconv.FormatInt(n, 10)+"'", yes)
			check(t, s, "Vec", arr, "contains '"+randCase(r, w)+"'", yes)
			check(t, s, "Vec", arr, "contains "+strconv.FormatInt(n, 10)+"1", no)
			// Nested arrays are compared by their JSON text, not searched.
			nested := "[[" + strconv.FormatInt(n, 10) + ",2],[3]]"
			check(t, s, "Vec", nested, "contains "+strconv.FormatInt(n, 10), no)
			check(t, s, "Vec", nested, "contains 3", no)
			check(t, s, "Vec", nested, "contains '[3]'", yes)
		}
	})

	t.Run("rule16_vec_eq_integer_arrays", func(t *testing.T) {
		r := newRand(16)
		gen := func() string {
			items := make([]string, r.IntN(4))
			for i := range items {
				items[i] = strconv.Itoa(r.IntN(3) - 1)
			}
			return "[" + strings.Join(items, ",") + "]"
		}
		for range propCases {
			a, b := gen(), gen()
			check(t, s, "Vec", a, "== '"+b+"'", outcome{ok: strings.EqualFold(a, b)})
			check(t, s, "Vec", a, "!= '"+b+"'", outcome{ok: !strings.EqualFold(a, b)})
		}
	})

	t.Run("rule17_path_ignores_declared_kind", func(t *testing.T) {
		r := newRand(17)
		for range propCases {
			n := r.Uint64()
			p := Param{"param0", `{"key":` + uitoa(n) + `}`, "U64"}
			if got := evalWith(t, s, "param0.key == "+uitoa(n), p); got != yes {
				t.Fatalf("param0.key == %d: %s", n, got)
			}
			if got := evalWith(t, s, "param0.key >= 0", p); got != yes {
				t.Fatalf("resolved number must be typed U64: %s", got)
			}
		}
	})

	t.Run("rule18_map_eq_json_objects", func(t *testing.T) {
		r := newRand(18)
		for range propCases {
			a := `{"x":` + strconv.Itoa(r.IntN(3)) + `,"y":"` + string(rune('a'+r.IntN(2))) + `"}`
			b := `{"y":"` + string(rune('a'+r.IntN(2))) + `","x":` + strconv.Itoa(r.IntN(3)) + `}`
			av, bv := mustJSON(t, a), mustJSON(t, b)
			eq := av.equal(&bv)
			check(t, s, "Map", a, "== '"+b+"'", outcome{ok: eq})
			check(t, s, "Map", a, "!= '"+b+"'", outcome{ok: !eq})
		}
	})

	t.Run("rule19_and_or_combination", func(t *testing.T) {
		r := newRand(19)
		for range propCases {
			x := randBig(r, 126)
			if r.IntN(2) == 0 {
				x.Neg(x)
			}
			t1, t2 := new(big.Int).Add(x, big.NewInt(int64(r.IntN(5)-2))), new(big.Int).Add(x, big.NewInt(int64(r.IntN(5)-2)))
			var pk [32]byte
			pk[0] = byte(r.IntN(2))
			addr, other := strkey(6<<3, pk), strkey(6<<3, [32]byte{})
			params := []Param{{"amount", x.String(), "I128"}, {"to", addr, "Address"}}
			a := x.Cmp(t1) >= 0
			b := addr == other
			c := x.Cmp(t2) < 0
			d := addr != other
			cases := map[string]bool{
				"amount >= " + t1.String() + " AND to == " + other:                                                                  a && b,
				"amount >= " + t1.String() + " OR to == " + other:                                                                   a || b,
				"(amount >= " + t1.String() + " AND to == " + other + ") OR (amount < " + t2.String() + " AND to != " + other + ")": (a && b) || (c && d),
			}
			for src, want := range cases {
				if got := evalWith(t, s, src, params...); got != (outcome{ok: want}) {
					t.Fatalf("%s = %s, want %v", src, got, want)
				}
			}
		}
	})

	t.Run("rule20_invalid_expressions", func(t *testing.T) {
		if _, err := Parse("param0 <=> 5"); err == nil {
			t.Error("param0 <=> 5 must not parse")
		}
		if _, err := Parse("param0 > "); err == nil {
			t.Error("param0 > must not parse")
		}
		params := []Param{{"param0", "5", "I128"}, {"param1", acctG, "Address"}}
		if got := evalWith(t, s, "param2 == 5", params...); got != fails(errVariableNotFound) {
			t.Errorf("param2 == 5: %s", got)
		}
		// OpenZeppelin Monitor checks the literal type before the operator,
		// so a number against an address is a type mismatch …
		if got := evalWith(t, s, "param1 > 5", params...); got != fails(errTypeMismatch) {
			t.Errorf("param1 > 5: %s", got)
		}
		// … and a string literal reaches the unsupported-operator check.
		if got := evalWith(t, s, "param1 > 'G'", params...); got != fails(errUnsupportedOperator) {
			t.Errorf("param1 > 'G': %s", got)
		}
	})

	t.Run("rule21_transaction_hash_expression", func(t *testing.T) {
		r := newRand(21)
		for range propCases {
			h := strconv.FormatUint(r.Uint64(), 16) + strconv.FormatUint(r.Uint64(), 16)
			params := []Param{{"hash", h, "string"}, {"ledger", "172627", "i64"}, {"value", "0", "i64"}}
			if got := evalWith(t, s, "hash == '"+strings.ToUpper(h)+"'", params...); got != yes {
				t.Fatalf("hash == upper: %s", got)
			}
			if got := evalWith(t, s, "hash == 'x"+h+"'", params...); got != no {
				t.Fatalf("hash mismatch: %s", got)
			}
			// from/to are absent when the transaction has no relevant operation.
			if got := evalWith(t, s, "to == "+acctG, params...); got != fails(errVariableNotFound) {
				t.Fatalf("to without operations: %s", got)
			}
		}
	})

	t.Run("rule22_24_numeric_threshold_by_kind", func(t *testing.T) {
		r := newRand(22)
		for range propCases {
			v := randBig(r, 100)
			th := randBig(r, 100)
			if r.IntN(4) == 0 {
				th.Set(v)
			}
			for _, kind := range []string{"I128", "U128"} {
				got := evalWith(t, s, "param0 >= "+th.String(), Param{"param0", v.String(), kind})
				if got != (outcome{ok: v.Cmp(th) >= 0}) {
					t.Fatalf("%s %s >= %s: %s", kind, v, th, got)
				}
			}
			for _, kind := range []string{"Address", "String", "Bool", "Bytes", "Symbol"} {
				got := evalWith(t, s, "param0 >= "+th.String(), Param{"param0", v.String(), kind})
				if got.code == 0 {
					t.Fatalf("%s: numeric expression must error, got %s", kind, got)
				}
			}
		}
	})

	t.Run("rule23_positional_argument_names", func(t *testing.T) {
		params := []Param{{"0", "-5", "I64"}, {"1", "18446744073709551615", "U64"}, {"2", "true", "Bool"}, {"3", "text", "String"},
			{"4", "[1,2]", "Vec"}, {"5", `{"a":1}`, "Map"}, {"6", acctG, "Address"}}
		src := "0 < 0 AND 1 >= 18446744073709551615 AND 2 == true AND 3 == 'TEXT' AND 4 contains 2 AND 5.a == 1 AND 6 == " + acctG
		if got := evalWith(t, s, src, params...); got != yes {
			t.Fatalf("%s = %s", src, got)
		}
	})

	t.Run("rule25_address_normalization", func(t *testing.T) {
		r := newRand(25)
		for range propCases {
			var pk [32]byte
			for i := range pk {
				pk[i] = byte(r.Uint32())
			}
			a := strkey(2<<3, pk)
			spaced := " " + a[:7] + " " + a[7:30] + "\t" + a[30:] + " "
			if normalizeAddress(randCase(r, spaced)) != normalizeAddress(a) {
				t.Fatalf("normalization of %q", spaced)
			}
			check(t, s, "Address", spaced, "== '"+randCase(r, a)+"'", yes)
		}
	})

	t.Run("rule26_strkey_and_json_kind", func(t *testing.T) {
		r := newRand(26)
		for range propCases {
			var pk [32]byte
			for i := range pk {
				pk[i] = byte(r.Uint32())
			}
			g, c := strkey(6<<3, pk), strkey(2<<3, pk)
			if !isStellarAddress(g) || !isStellarAddress(c) {
				t.Fatalf("valid strkeys rejected: %s %s", g, c)
			}
			bad := []string{
				strkey(12<<3, pk), // M… muxed / other version byte
				strkey(18<<3, pk), // S… secret seed
				g[:55], g + "A",   // length
				lower(g), lower(c), // lowercase
				g[:10] + "1" + g[11:],         // '1' is not base32
				g[:20] + flip(g[20]) + g[21:], // checksum
			}
			for _, b := range bad {
				if isStellarAddress(b) {
					t.Fatalf("invalid strkey accepted: %s", b)
				}
			}
		}
		if !isStellarAddress(acctG) || !isStellarAddress(contC) {
			t.Fatal("fixture addresses rejected")
		}
		for _, doc := range []string{"1", "-1", "1.5", "18446744073709551616", "true", "null", `"x"`, `"` + acctG + `"`, "[]", "{}", "1e400"} {
			v, err := parseJSON(doc)
			if err != nil {
				continue
			}
			if k := (Stellar{}).jsonKind(&v); k == "" {
				t.Errorf("empty kind for %s", doc)
			}
			if k := (EVM{}).jsonKind(&v); k == "" {
				t.Errorf("empty EVM kind for %s", doc)
			}
		}
		want := map[string]string{"1": "U64", "-1": "I64", "1.5": "F64", "18446744073709551616": "F64", "true": "Bool",
			"null": "Null", `"x"`: "String", `"` + acctG + `"`: "Address", `"` + contC + `"`: "Address", "[]": "Vec", "{}": "Map"}
		for doc, k := range want {
			v := mustJSON(t, doc)
			if got := (Stellar{}).jsonKind(&v); got != k {
				t.Errorf("jsonKind(%s) = %s, want %s", doc, got, k)
			}
		}
	})
}

// flip changes a base32 character to a different valid one.
func flip(c byte) string {
	if c == 'A' {
		return "B"
	}
	return "A"
}

// randBig returns a random non-negative integer below 2^bits, with a
// random bit length so that small values are common too.
func randBig(r *rand.Rand, bits int) *big.Int {
	n := new(big.Int)
	for n.BitLen() < bits+64 {
		n.Lsh(n, 64).Or(n, new(big.Int).SetUint64(r.Uint64()))
	}
	return n.Rsh(n, uint(n.BitLen()-r.IntN(bits+1)))
}
