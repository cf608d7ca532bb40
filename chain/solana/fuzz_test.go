package solana

import (
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"testing"
)

// FuzzDecodeBlock feeds arbitrary getBlock results: decoding fails or
// gives a block whose encoding decodes to the same block; it never panics.
func FuzzDecodeBlock(f *testing.F) {
	r := rand.New(rand.NewPCG(3, 4))
	for i := range 8 {
		raw, err := EncodeBlock(randomBlock(r, uint64(10+i)))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(raw)
	}
	f.Add([]byte(blockJSON(txJSON("s", `["a",{"pubkey":"b"},3]`, `[{"programIdIndex":300},{"accounts":[1,-1,"x"]}]`, `null`))))
	f.Add([]byte(`{"transactions":[{"transaction":{"message":{"instructions":[{"programIdIndex":1.5}]}},"meta":{"fee":-1,"innerInstructions":[{"index":"0"}]}}]}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		b, err := DecodeBlock("n", 9, raw)
		if err != nil {
			return
		}
		for i, tx := range b.Transactions {
			if tx.Index != i+1 || tx.Solana == nil || tx.Success == tx.Solana.Failed() {
				t.Fatalf("transaction %d: %+v", i, tx)
			}
		}
		_ = b.Contracts()
		again, err := EncodeBlock(b)
		if err != nil {
			t.Fatal(err)
		}
		b2, err := DecodeBlock("n", 9, again)
		if err != nil {
			t.Fatalf("re-decoding %s: %v", again, err)
		}
		if !reflect.DeepEqual(b, b2) {
			g, _ := json.Marshal(b2)
			w, _ := json.Marshal(b)
			t.Fatalf("not stable:\n got %s\nwant %s", g, w)
		}
	})
}
