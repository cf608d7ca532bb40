package main

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ozmon/ozmon/internal/testkit"
)

// TestSimulateAdvancesLedgerFiles: `ozmon simulate --ledgers DIR
// --interval D` replays the files as a live chain — the first ledger is
// the tip at start and one more is served every D, none skipped.
func TestSimulateAdvancesLedgerFiles(t *testing.T) {
	t.Parallel()
	src := testkit.SharedPath(t, "testdata", "stellar", "mainnet")
	dir := t.TempDir()
	for seq := 63092982; seq <= 63092985; seq++ {
		name := "ledger-" + strconv.Itoa(seq) + ".xdr.gz"
		data, err := os.ReadFile(filepath.Join(src, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errOut syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"simulate", "--ledgers", dir, "--addr", "127.0.0.1:0", "--interval", "150ms"}, &out, &errOut)
	}()
	var url string
	waitFor(t, func() bool {
		_, rest, ok := strings.Cut(out.String(), " on ")
		if ok {
			url = strings.Fields(rest)[0]
		}
		return ok
	})
	if !strings.Contains(out.String(), "tip 63092982") {
		t.Errorf("the first file should be the tip at start: %s", out.String())
	}
	var seen []uint32
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		tip := latestLedger(t, url)
		if len(seen) == 0 || seen[len(seen)-1] != tip {
			seen = append(seen, tip)
		}
		if tip == 63092985 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	want := []uint32{63092982, 63092983, 63092984, 63092985}
	if len(seen) != len(want) {
		t.Fatalf("tips seen %v, want every ledger in turn %v", seen, want)
	}
	for i := range want {
		if seen[i] != want[i] {
			t.Fatalf("tips seen %v, want %v", seen, want)
		}
	}
	cancel()
	if code := <-done; code != 0 {
		t.Errorf("simulate exited %d: %s", code, errOut.String())
	}
}

func latestLedger(t *testing.T, url string) uint32 {
	t.Helper()
	resp, err := http.Post(url, "application/json", strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"getHealth"}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		Result struct {
			LatestLedger uint32 `json:"latestLedger"`
		} `json:"result"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	return body.Result.LatestLedger
}
