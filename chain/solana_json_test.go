package chain

import (
	"encoding/json"
	"testing"
)

// Instruction account indexes round-trip as JSON numbers (OZ's model),
// not as the base64 string encoding/json makes of a []uint8.
func TestSolanaInstructionJSON(t *testing.T) {
	in := `{"programIdIndex":1,"accounts":[0,3,255],"data":"2Bx","programId":"Prog"}`
	var ix SolanaInstruction
	if err := json.Unmarshal([]byte(in), &ix); err != nil {
		t.Fatal(err)
	}
	out, err := json.Marshal(ix)
	if err != nil || string(out) != in {
		t.Fatalf("got %s, %v\nwant %s", out, err, in)
	}
	if out, _ := json.Marshal(SolanaInstruction{}); string(out) != `{"programIdIndex":0,"accounts":[],"data":""}` {
		t.Errorf("empty instruction: %s", out)
	}
	out, _ = json.Marshal(SolanaTableLookup{AccountKey: "T", WritableIndexes: []uint8{5}})
	if string(out) != `{"accountKey":"T","writableIndexes":[5],"readonlyIndexes":[]}` {
		t.Errorf("lookup: %s", out)
	}
}
