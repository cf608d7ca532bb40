package ozmontest_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ozmon/ozmon/internal/testkit"
	"github.com/ozmon/ozmon/ozmontest"
)

// rpc posts one JSON-RPC request and returns the raw response envelope.
func rpc(t *testing.T, url, method string, params any) map[string]json.RawMessage {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": 1, "method": method, "params": params})
	resp, err := http.Post(url, "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	var env map[string]json.RawMessage
	if err := json.Unmarshal(data, &env); err != nil {
		t.Fatalf("%s: %v: %s", method, err, data)
	}
	return env
}

func TestEVMSimFixtures(t *testing.T) {
	t.Parallel()
	dir := testkit.SharedPath(t, "testdata", "ozmonitor", "evm")
	blocks, err := os.ReadFile(filepath.Join(dir, "blocks.json"))
	if err != nil {
		t.Fatal(err)
	}
	receipts, err := os.ReadFile(filepath.Join(dir, "transaction_receipts.json"))
	if err != nil {
		t.Fatal(err)
	}
	sim := ozmontest.StartEVMSim(t, ozmontest.EVMSimFixtures(blocks, receipts), ozmontest.EVMSimInitialTip(21306060))
	if got := sim.Blocks(); len(got) != 5 || got[0] != 8219488 || sim.Tip() != 21306060 {
		t.Fatalf("blocks %v tip %d", got, sim.Tip())
	}
	if env := rpc(t, sim.URL(), "eth_blockNumber", nil); string(env["result"]) != `"0x1451acc"` {
		t.Fatalf("eth_blockNumber %s", env["result"])
	}
	// Beyond the tip: a null result, present in the envelope.
	if env := rpc(t, sim.URL(), "eth_getBlockByNumber", []any{"0x19b7a39", true}); string(env["result"]) != "null" {
		t.Fatalf("hidden block: %s", env["result"])
	}
	if _, err := sim.Advance(1); err != nil || sim.Tip() != 26966585 {
		t.Fatalf("advance: %d %v", sim.Tip(), err)
	}
	if _, err := sim.Advance(1); err == nil {
		t.Fatal("advanced past the last fixture block")
	}
	// Logs by block, by address and by topic; receipts by hash in any order.
	logs := func(filter map[string]any) int {
		var out []json.RawMessage
		if err := json.Unmarshal(rpc(t, sim.URL(), "eth_getLogs", []any{filter})["result"], &out); err != nil {
			t.Fatal(err)
		}
		return len(out)
	}
	if n := logs(map[string]any{"fromBlock": "0x1451aca", "toBlock": "0x1451aca"}); n != 7 {
		t.Fatalf("block logs %d, want 7", n)
	}
	if n := logs(map[string]any{"fromBlock": "0x1451aca", "toBlock": "0x1451acc", "address": "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48"}); n != 1 {
		t.Fatalf("USDC logs %d, want 1", n)
	}
	transfer := "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef"
	if n := logs(map[string]any{"fromBlock": "0x1451aca", "toBlock": "0x1451aca", "topics": []any{transfer}}); n != 4 {
		t.Fatalf("Transfer logs %d, want 4", n)
	}
	for _, h := range []string{"0xe802c02b6ee8e5246d9b40b52cd2e5e68625dcb6d7ed1a09f1c04d83742f4d67", "0xa39d1b9b3edda74414bd6ffaf6596f8ea12cf0012fd9a930f71ed69df6ff34d0"} {
		var r struct {
			TransactionHash string            `json:"transactionHash"`
			Logs            []json.RawMessage `json:"logs"`
		}
		if err := json.Unmarshal(rpc(t, sim.URL(), "eth_getTransactionReceipt", []any{h})["result"], &r); err != nil || r.TransactionHash != h {
			t.Fatalf("receipt %s: %+v %v", h, r, err)
		}
	}
	if env := rpc(t, sim.URL(), "eth_chainId", nil); string(env["result"]) != `"0x1"` {
		t.Fatalf("chain id %s", env["result"])
	}
	if env := rpc(t, sim.URL(), "eth_nope", nil); !strings.Contains(string(env["error"]), "-32601") {
		t.Fatalf("unknown method: %s", env["error"])
	}
	if sim.Calls("eth_getLogs") != 3 || sim.Calls("eth_getTransactionReceipt") != 2 {
		t.Fatalf("calls %d %d", sim.Calls("eth_getLogs"), sim.Calls("eth_getTransactionReceipt"))
	}
}

func TestEVMSimFaultsAndInterval(t *testing.T) {
	t.Parallel()
	sim := ozmontest.StartEVMSim(t, ozmontest.EVMSimSynthetic(ozmontest.EVMSynthetic{Blocks: 2, TxPerBlock: 2}),
		ozmontest.EVMSimTipInterval(20*time.Millisecond), ozmontest.EVMSimChainID(137))
	start := sim.Tip()
	sim.InjectFault("net_version", ozmontest.Fault{Code: -32000, Message: "boom", Times: 1})
	if env := rpc(t, sim.URL(), "net_version", nil); !strings.Contains(string(env["error"]), "boom") {
		t.Fatalf("fault: %s", env["error"])
	}
	if env := rpc(t, sim.URL(), "net_version", nil); string(env["result"]) != `"137"` {
		t.Fatalf("after the fault: %s %s", env["result"], env["error"])
	}
	deadline := time.Now().Add(5 * time.Second)
	for sim.Tip() < start+3 {
		if time.Now().After(deadline) {
			t.Fatalf("tip stuck at %d", sim.Tip())
		}
		time.Sleep(10 * time.Millisecond)
	}
	var got string
	if err := json.Unmarshal(rpc(t, sim.URL(), "eth_blockNumber", nil)["result"], &got); err != nil {
		t.Fatal(err)
	}
	var n uint64
	if _, err := fmt.Sscanf(got, "0x%x", &n); err != nil || n < start+3 {
		t.Fatalf("eth_blockNumber %s, want at least %d", got, start+3)
	}
	// A range too large is refused like providers refuse it.
	if env := rpc(t, sim.URL(), "eth_getLogs", []any{map[string]any{"fromBlock": "0x0", "toBlock": "latest"}}); !strings.Contains(string(env["error"]), "too large") {
		t.Fatalf("huge range: %s", env["error"])
	}
}

func TestEVMSyntheticDeterministic(t *testing.T) {
	t.Parallel()
	cfg := ozmontest.EVMSynthetic{Seed: 5, Blocks: 3, TxPerBlock: 50, LogsPerBlock: 70}
	a1, r1, err := ozmontest.EVMSyntheticFixtures(cfg)
	if err != nil {
		t.Fatal(err)
	}
	a2, r2, _ := ozmontest.EVMSyntheticFixtures(cfg)
	if !bytes.Equal(a1, a2) || !bytes.Equal(r1, r2) {
		t.Fatal("same seed, different blocks")
	}
	var receipts []struct {
		Status string            `json:"status"`
		To     string            `json:"to"`
		Logs   []json.RawMessage `json:"logs"`
	}
	if err := json.Unmarshal(r1, &receipts); err != nil {
		t.Fatal(err)
	}
	logs, failed, tuples := 0, 0, 0
	for _, r := range receipts {
		logs += len(r.Logs)
		if r.Status == "0x0" {
			failed++
		}
		if r.To == ozmontest.EVMSynthTuplesContract {
			tuples++
		}
	}
	if len(receipts) != 150 || logs != 210 || failed == 0 || tuples == 0 {
		t.Fatalf("%d receipts, %d logs, %d failed, %d tuple calls", len(receipts), logs, failed, tuples)
	}
}
