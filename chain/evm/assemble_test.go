package evm

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// TestAssembleRefusesForeignLogs: logs of another block or of a
// transaction the block lacks (a reorg between the two calls) are
// ErrInconsistent; the block's own logs attach in log-index order.
func TestAssembleRefusesForeignLogs(t *testing.T) {
	t.Parallel()
	hash := "0x" + strings.Repeat("11", 32)
	tx := "0x" + strings.Repeat("22", 32)
	block := `{"number":"0x10","hash":"` + hash + `","parentHash":"0x` + h64 + `","timestamp":"0x5",
"transactions":[{"hash":"` + tx + `","transactionIndex":"0x0","from":"0x` + h40 + `","to":"0x` + h40 + `","value":"0x0","input":"0x","nonce":"0x1","gas":"0x1"}]}`
	log := func(idx, blockHash, txHash string) string {
		return `{"address":"0x` + h40 + `","topics":[],"data":"0x","logIndex":"` + idx + `","blockNumber":"0x10","blockHash":"` + blockHash + `","transactionHash":"` + txHash + `"}`
	}
	rb, err := DecodeBlock(json.RawMessage(block))
	if err != nil {
		t.Fatal(err)
	}
	logs, err := decodeLogs(json.RawMessage("[" + log("0x2", hash, tx) + "," + log("0x1", hash, tx) + "]"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := Assemble("n", rb, logs, nil)
	if err != nil {
		t.Fatal(err)
	}
	if ls := b.Transactions[0].EVM.Logs; len(ls) != 2 || ls[0].LogIndex != 1 || ls[1].LogIndex != 2 {
		t.Fatalf("logs %+v", ls)
	}
	for _, bad := range []string{log("0x1", "0x"+h64, tx), log("0x1", hash, "0x"+h64)} {
		rb, _ := DecodeBlock(json.RawMessage(block))
		logs, err := decodeLogs(json.RawMessage("[" + bad + "]"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Assemble("n", rb, logs, nil); !errors.Is(err, ErrInconsistent) {
			t.Fatalf("foreign log: %v", err)
		}
	}
	if _, err := DecodeBlock(json.RawMessage("null")); !errors.Is(err, ErrBlockNotFound) {
		t.Fatalf("null block: %v", err)
	}
}
