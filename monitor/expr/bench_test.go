package expr

import "testing"

func BenchmarkEval(b *testing.B) {
	e, err := Parse("amount >= 2240 AND to == '" + contC + "'")
	if err != nil {
		b.Fatal(err)
	}
	params := []Param{
		{Name: "from", Value: acctG, Kind: "Address"},
		{Name: "to", Value: contC, Kind: "Address"},
		{Name: "amount", Value: "1000000000", Kind: "I128"},
	}
	b.ReportAllocs()
	for b.Loop() {
		ok, err := e.Eval(params, Stellar{})
		if err != nil || !ok {
			b.Fatal(ok, err)
		}
	}
}

func BenchmarkEvalPath(b *testing.B) {
	e, err := Parse("data.myKey1 >= 1234 AND data.myKey2 == 'Hello, world!'")
	if err != nil {
		b.Fatal(err)
	}
	params := []Param{{Name: "data", Value: `{"myKey1":1234,"myKey2":"Hello, world!"}`, Kind: "Map<String,String>"}}
	b.ReportAllocs()
	for b.Loop() {
		ok, err := e.Eval(params, Stellar{})
		if err != nil || !ok {
			b.Fatal(ok, err)
		}
	}
}

func BenchmarkParse(b *testing.B) {
	src := "amount >= 2240 AND to == '" + contC + "' OR (data.myKey1 > 5 AND 0 == GABC)"
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(src); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEvalEVMInt measures the 256-bit integer path (decimal, hex and
// a big value near the int256 bound), which every EVM amount filter takes.
func BenchmarkEvalEVMInt(b *testing.B) {
	e, err := Parse("amount >= 1000 AND delta > -57896044618658097711785492504343953926634992332820282019728792003956564819968 AND fee == 0xff")
	if err != nil {
		b.Fatal(err)
	}
	params := []Param{
		{Name: "amount", Value: "1000000000000000000000", Kind: "uint256"},
		{Name: "delta", Value: "-12345", Kind: "int256"},
		{Name: "fee", Value: "255", Kind: "uint64"},
	}
	b.ReportAllocs()
	for b.Loop() {
		ok, err := e.Eval(params, EVM{})
		if err != nil || !ok {
			b.Fatal(ok, err)
		}
	}
}
