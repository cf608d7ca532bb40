package base58

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

// SOL83–SOL85 and the property rules of 16.10 for the codec.
func TestCodec(t *testing.T) {
	for _, c := range []struct {
		b []byte
		s string
	}{
		{[]byte{1, 2, 3, 4, 5, 6, 7, 8}, "An6UebxCZd"},
		{[]byte{0, 0, 0, 1}, "1112"},
		{nil, ""},
		{[]byte{0}, "1"},
		{make([]byte, 64), string(bytes.Repeat([]byte("1"), 64))},
	} {
		if got := Encode(c.b); got != c.s {
			t.Errorf("Encode(%v) = %q, want %q", c.b, got, c.s)
		}
		got, err := Decode(c.s)
		if err != nil || !bytes.Equal(got, c.b) && len(c.b) > 0 {
			t.Errorf("Decode(%q) = %v, %v; want %v", c.s, got, err, c.b)
		}
	}
	if _, err := Decode("0xabc123"); err == nil {
		t.Error("Decode accepted 0 (not in the alphabet)")
	}
	if !IsPublicKey("TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA") || !IsPublicKey("11111111111111111111111111111111") {
		t.Error("IsPublicKey refused real program ids")
	}
	for _, s := range []string{"abc", "0xabc123", "WaLLeT123abcdefghijklmnopqrstuvwxyz12345678", " TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA"} {
		if IsPublicKey(s) {
			t.Errorf("IsPublicKey(%q) = true", s)
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 2000; i++ {
		b := make([]byte, 1+r.IntN(64))
		for j := range b {
			b[j] = byte(r.UintN(256))
			if r.IntN(8) == 0 {
				b[j] = 0
			}
		}
		got, err := Decode(Encode(b))
		if err != nil || !bytes.Equal(got, b) {
			t.Fatalf("round trip of %x gave %x, %v", b, got, err)
		}
		if len(b) == 32 && !IsPublicKey(Encode(b)) {
			t.Fatalf("32 bytes %x do not give a public key", b)
		}
	}
}

func FuzzDecode(f *testing.F) {
	f.Add("An6UebxCZd")
	f.Add("1112")
	f.Fuzz(func(t *testing.T, s string) {
		b, err := Decode(s)
		if err != nil {
			return
		}
		if Encode(b) != s {
			t.Fatalf("Encode(Decode(%q)) = %q", s, Encode(b))
		}
	})
}
