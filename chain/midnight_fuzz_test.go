package chain_test

import (
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/ozmon/ozmon/chain"
	"github.com/ozmon/ozmon/internal/testkit"
)

// FuzzMidnightBlockFromJSON: any input decodes or fails cleanly; a decoded
// block keeps only transactions with 32-byte hex hashes (QM5), survives
// the cache codec unchanged, and its operations re-marshal to JSON that
// reads back the same.
func FuzzMidnightBlockFromJSON(f *testing.F) {
	data, err := os.ReadFile(filepath.Join(testkit.SharedPath(f, "testdata", "ozmonitor", "midnight"), "blocks.json"))
	if err != nil {
		f.Fatal(err)
	}
	var items []map[string]json.RawMessage
	if err := json.Unmarshal(data, &items); err != nil {
		f.Fatal(err)
	}
	for _, it := range items {
		f.Add([]byte(it["Midnight"]))
	}
	f.Add([]byte(`{"header":{"number":"0x1"},"body":[{"MidnightTransaction":{"tx":{"tx_hash":"00","operations":[{"ClaimMint":{"value":1,"coin_type":"x"}},{"X":1}],"identifiers":[]}}}]}`))
	f.Fuzz(func(t *testing.T, in []byte) {
		b, err := chain.MidnightBlockFromJSON("m", "0x01", in)
		if err != nil {
			return
		}
		for _, tx := range b.Transactions {
			if h, err := hex.DecodeString(tx.Hash); err != nil || len(h) != 32 {
				t.Fatalf("kept tx hash %q", tx.Hash)
			}
			ops, err := json.Marshal(tx.Midnight.Operations)
			if err != nil {
				t.Fatalf("marshal operations: %v", err)
			}
			var back []chain.MidnightOperation
			if err := json.Unmarshal(ops, &back); err != nil || !reflect.DeepEqual(midOpsOrNil(back), midOpsOrNil(tx.Midnight.Operations)) {
				t.Fatalf("operations %s read back as %+v (%v), were %+v", ops, back, err, tx.Midnight.Operations)
			}
		}
		enc, err := b.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		var got chain.Block
		if err := got.UnmarshalBinary(enc); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(midNormalise(&got), midNormalise(b)) {
			t.Fatalf("codec round trip differs")
		}
	})
}

// FuzzMidnightEventFromJSON: any element yields an event, kept verbatim.
func FuzzMidnightEventFromJSON(f *testing.F) {
	f.Add([]byte(`{"MidnightTxApplied":{"phase":{"ApplyExtrinsic":0},"topics":{"topics":[]},"tx_hash":"0x00"}}`))
	f.Add([]byte(`{"MidnightCallContract":{"phase":"Finalization","topics":{"topics":[]},"address":"02","tx_hash":"01"}}`))
	f.Add([]byte(`"Finalization"`))
	f.Fuzz(func(t *testing.T, in []byte) {
		ev := chain.MidnightEventFromJSON(in)
		if string(ev.Raw) != string(in) || ev.Kind == "" {
			t.Fatalf("event %+v from %q", ev, in)
		}
		if ev.Kind == chain.MidnightEventUnknown && (ev.TxHash != "" || ev.Address != "") {
			t.Fatalf("unknown event with fields: %+v", ev)
		}
	})
}

func midOpsOrNil(ops []chain.MidnightOperation) []chain.MidnightOperation {
	if len(ops) == 0 {
		return nil
	}
	out := make([]chain.MidnightOperation, len(ops))
	for i, o := range ops {
		if len(o.CoinType) == 0 {
			o.CoinType = nil
		}
		if len(o.Raw) == 0 {
			o.Raw = nil
		}
		out[i] = o
	}
	return out
}

// midNormalise makes empty lists nil, as the codec decodes them.
func midNormalise(b *chain.Block) *chain.Block {
	c := *b
	if len(c.Transactions) == 0 {
		c.Transactions = nil
	}
	c.Transactions = append([]chain.Transaction(nil), c.Transactions...)
	for i := range c.Transactions {
		x := *c.Transactions[i].Midnight
		x.Operations = midOpsOrNil(x.Operations)
		if len(x.Identifiers) == 0 {
			x.Identifiers = nil
		}
		c.Transactions[i].Midnight = &x
	}
	if len(c.Transactions) == 0 {
		c.Transactions = nil
	}
	m := *c.Midnight
	if len(m.Events) == 0 {
		m.Events = nil
	}
	c.Midnight = &m
	return &c
}
