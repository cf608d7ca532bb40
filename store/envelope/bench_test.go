package envelope

import "testing"

// BenchmarkOpen opens one webhook trigger with two sealed secrets (URL
// and header); ns/secret is the cost of one secret at load.
func BenchmarkOpen(b *testing.B) {
	k := keyring(b, "k1", "k1")
	data, st, err := k.Seal(bind, testTrigger())
	if err != nil || st.Sealed != 2 {
		b.Fatal(st, err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := k.Open(bind, data); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/2, "ns/secret")
}

// BenchmarkOpenPlaintext is the same trigger stored in plaintext: what
// Open costs a row with nothing sealed.
func BenchmarkOpenPlaintext(b *testing.B) {
	k := keyring(b, "k1", "k1")
	data := testTrigger()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := k.Open(bind, data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkOpenValue is the cryptography alone for one secret: unwrap its
// data key, decrypt it (BenchmarkOpen adds the JSON walk of the row).
func BenchmarkOpenValue(b *testing.B) {
	k := keyring(b, "k1", "k1")
	obj, err := k.sealValue(bind, "/config/url/value", testSecret)
	if err != nil {
		b.Fatal(err)
	}
	s, err := parseSealed(obj, "/config/url/value")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := k.openValue(bind, "/config/url/value", s); err != nil {
			b.Fatal(err)
		}
	}
}
