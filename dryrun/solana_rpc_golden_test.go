package dryrun

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/ozmon/ozmon/internal/testkit"
	"github.com/ozmon/ozmon/monitor"
	"github.com/ozmon/ozmon/monitor/ozconfig"
	"github.com/ozmon/ozmon/ozmontest"
)

// The RPC golden cases of spec 16.8 (SOL118, SOL121, SOL123–SOL130) that
// describe OpenZeppelin Monitor's range and per-address ("sparse") fetch.
// ozmon fetches one getBlock per slot for everyone (12.9): the cases run
// here through the Solana simulator, chain/solana's client and the
// evaluator, and assert ozmon's behaviour where a section-18 verdict says
// OZ's is a bug (QS11, QS12, QS14, QS15, QS23).

const (
	tokenProgram = "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA"
	loaderProg   = "BPFLoaderUpgradeab1e11111111111111111111111"
)

// solTx is a transaction of the fixture's shape (blocks.json[0]'s SPL
// transfer) with its own signature; extra program ids are invoked by
// further top-level instructions.
func solTx(t *testing.T, slot uint64, sig string, extraPrograms ...string) map[string]any {
	t.Helper()
	var blocks []map[string]any
	data, err := os.ReadFile(testkit.SharedPath(t, "testdata", "ozmonitor", "solana", "blocks.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &blocks); err != nil {
		t.Fatal(err)
	}
	tx := blocks[0]["transactions"].([]any)[0].(map[string]any)
	tx["signature"], tx["slot"] = sig, slot
	msg := tx["transaction"].(map[string]any)
	for _, p := range extraPrograms {
		keys := append(msg["accountKeys"].([]any), p)
		msg["accountKeys"] = keys
		msg["instructions"] = append(msg["instructions"].([]any), map[string]any{"programIdIndex": len(keys) - 1, "accounts": []any{}, "data": ""})
	}
	return tx
}

// solBlocks is a blocks.json in OZ's model: one block per slot of txs
// (ascending), each block's parent the previous produced slot; the
// simulator serves the slots between them as skipped.
func solBlocks(t *testing.T, txs map[uint64][]map[string]any) []byte {
	t.Helper()
	var slots []uint64
	for s := range txs {
		slots = append(slots, s)
	}
	for i := range slots { // a handful of slots: insertion sort
		for j := i; j > 0 && slots[j] < slots[j-1]; j-- {
			slots[j], slots[j-1] = slots[j-1], slots[j]
		}
	}
	var out []map[string]any
	parent := slots[0] - 1
	for _, s := range slots {
		out = append(out, map[string]any{"slot": s, "blockhash": fmt.Sprintf("Hash%d", s), "previousBlockhash": fmt.Sprintf("Hash%d", parent),
			"parentSlot": parent, "blockTime": 1700000000 + s, "blockHeight": s - 10, "transactions": txs[s]})
		parent = s
	}
	data, err := json.Marshal(out)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// solMonitor is the fixture monitor (events [Transfer], transactions
// [Success]) with addresses replaced.
func solMonitor(t *testing.T, addresses ...string) *ozconfig.Monitor {
	t.Helper()
	mon, _, _ := solanaFixture(t)
	mon.Addresses = nil
	for _, a := range addresses {
		mon.Addresses = append(mon.Addresses, ozconfig.MonitorAddress{Address: a})
	}
	return mon
}

// solRun dry-runs mon over from..to against url and returns the matches
// as OZ MonitorMatch JSON (the "Solana" object) per slot.
func solRun(t *testing.T, mon *ozconfig.Monitor, url string, from, to uint64) (map[uint64][]map[string]any, error) {
	t.Helper()
	_, netw, _ := solanaFixture(t)
	got := map[uint64][]map[string]any{}
	err := Run(context.Background(), mon, netw, Source{RPCURL: url}, from, to, func(slot uint64, ms []*monitor.Match) error {
		for _, m := range ms {
			js, err := m.MarshalOZJSON()
			if err != nil {
				return err
			}
			var v map[string]map[string]any
			if err := json.Unmarshal(js, &v); err != nil {
				return err
			}
			got[slot] = append(got[slot], v["Solana"])
		}
		return nil
	})
	return got, err
}

func signatures(ms []map[string]any) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m["transaction"].(map[string]any)["signature"].(string))
	}
	return out
}

// failingSlots is a proxy in front of a simulator that answers HTTP 503
// to every getBlock of the listed slots (a node that cannot serve them).
type failingSlots struct {
	srv  *httptest.Server
	mu   sync.Mutex
	hits map[uint64]int
}

func newFailingSlots(t *testing.T, target string, slots ...uint64) *failingSlots {
	t.Helper()
	f := &failingSlots{hits: map[uint64]int{}}
	fail := map[uint64]bool{}
	for _, s := range slots {
		fail[s] = true
	}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var req struct {
			Method string            `json:"method"`
			Params []json.RawMessage `json:"params"`
		}
		_ = json.Unmarshal(body, &req)
		if req.Method == "getBlock" && len(req.Params) > 0 {
			if s, err := strconv.ParseUint(string(req.Params[0]), 10, 64); err == nil && fail[s] {
				f.mu.Lock()
				f.hits[s]++
				f.mu.Unlock()
				http.Error(w, "upstream unavailable", http.StatusServiceUnavailable)
				return
			}
		}
		resp, err := http.Post(target, "application/json", bytes.NewReader(body))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(resp.StatusCode)
		_, _ = io.Copy(w, resp.Body)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

// SOL121 and SOL124 (QS11, QS12): where OZ asks getSignaturesForAddress
// for the program and getTransaction per signature (sig1 at slot 100,
// sig2 at 105), ozmon reads slots 100..105 with one getBlock each —
// never getSignaturesForAddress or getTransaction — and the two matches
// carry the real block header (hash, parent slot 100 for slot 105, not
// OZ's virtual "" and slot−1).
func TestSolanaGoldenFullBlocksNotSignatures(t *testing.T) {
	t.Parallel()
	sim := ozmontest.StartSolanaSim(t, ozmontest.SolanaSimFixtures(solBlocks(t, map[uint64][]map[string]any{
		100: {solTx(t, 100, "sig1")}, 105: {solTx(t, 105, "sig2")}})))
	got, err := solRun(t, solMonitor(t, tokenProgram), sim.URL(), 100, 105)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || len(got[100]) != 1 || len(got[105]) != 1 || signatures(got[100])[0] != "sig1" || signatures(got[105])[0] != "sig2" {
		t.Fatalf("matches %v", got)
	}
	blk := got[105][0]["block"].(map[string]any)
	if blk["blockhash"] != "Hash105" || blk["previousBlockhash"] != "Hash100" || blk["parentSlot"] != float64(100) || blk["blockHeight"] != float64(95) {
		t.Errorf("slot 105's block header %v %v %v %v, want the node's (QS12)", blk["blockhash"], blk["previousBlockhash"], blk["parentSlot"], blk["blockHeight"])
	}
	if tx := got[100][0]["transaction"].(map[string]any); tx["blockTime"] != float64(1700000100) {
		t.Errorf("transaction blockTime %v, want the block's (QS12)", tx["blockTime"])
	}
	for method, want := range map[string]int{"getBlock": 6, "getSignaturesForAddress": 0, "getTransaction": 0, "getBlocks": 0} {
		if c := sim.Calls(method); c != want {
			t.Errorf("%s calls = %d, want %d", method, c, want)
		}
	}
}

// SOL118 and SOL130 (QS14): OZ lists a range's slots with getBlocks and
// takes an empty list as "no blocks". ozmon asks each slot once: three
// produced slots are three getBlock calls and no getBlocks; a range of
// skipped slots is read without error and matches nothing, and its slots
// are not "missed" (each answered −32007 once and was not asked again).
func TestSolanaGoldenRangeOneGetBlockPerSlot(t *testing.T) {
	t.Parallel()
	sim := ozmontest.StartSolanaSim(t, ozmontest.SolanaSimFixtures(solBlocks(t, map[uint64][]map[string]any{
		123456789: {solTx(t, 123456789, "a")}, 123456790: {solTx(t, 123456790, "b")}, 123456791: {solTx(t, 123456791, "c")},
		123456800: {solTx(t, 123456800, "d")}})))
	got, err := solRun(t, solMonitor(t, tokenProgram), sim.URL(), 123456789, 123456791)
	if err != nil || len(got) != 3 {
		t.Fatalf("SOL118: %d slots matched, %v", len(got), err)
	}
	if sim.Calls("getBlock") != 3 || sim.Calls("getBlocks") != 0 {
		t.Errorf("SOL118: getBlock %d getBlocks %d, want 3 and 0", sim.Calls("getBlock"), sim.Calls("getBlocks"))
	}
	sim.ResetCalls()
	got, err = solRun(t, solMonitor(t, tokenProgram), sim.URL(), 123456792, 123456799)
	if err != nil || len(got) != 0 {
		t.Fatalf("SOL130: skipped range gave %v, %v; want no match, no error", got, err)
	}
	if c := sim.Calls("getBlock"); c != 8 {
		t.Errorf("SOL130: getBlock calls = %d, want 8 (one per skipped slot, none retried)", c)
	}
}

// SOL123: a range whose start is after its end is refused before any
// RPC call.
func TestSolanaGoldenRangeStartAfterEnd(t *testing.T) {
	t.Parallel()
	sim := ozmontest.StartSolanaSim(t, ozmontest.SolanaSimFixtures(solBlocks(t, map[uint64][]map[string]any{100: {solTx(t, 100, "a")}})))
	_, err := solRun(t, solMonitor(t, tokenProgram), sim.URL(), 200, 100)
	if err == nil || !strings.Contains(err.Error(), "the end is before the start") {
		t.Fatalf("200..100: %v", err)
	}
	if c := sim.Calls("getBlock") + sim.Calls("getSlot") + sim.Calls("getBlocks"); c != 0 {
		t.Errorf("%d RPC calls for an invalid range", c)
	}
}

// SOL125, SOL126 and SOL127 (QS11, QS9): OZ's fetch path depends on the
// monitored addresses (none: no call at all). ozmon's does not: a monitor
// with the program, one without addresses and one on a program absent
// from the slot each cost the same single getBlock; the first matches,
// the second never matches (QS9), the third finds nothing without error.
func TestSolanaGoldenFetchIndependentOfAddresses(t *testing.T) {
	t.Parallel()
	sim := ozmontest.StartSolanaSim(t, ozmontest.SolanaSimFixtures(solBlocks(t, map[uint64][]map[string]any{150: {solTx(t, 150, "sig1")}})))
	for _, tc := range []struct {
		name      string
		addresses []string
		matches   int
	}{
		{"SOL125 monitored program", []string{tokenProgram}, 1},
		{"SOL126 no addresses", nil, 0},
		{"SOL127 program not in the slot", []string{loaderProg}, 0},
	} {
		sim.ResetCalls()
		got, err := solRun(t, solMonitor(t, tc.addresses...), sim.URL(), 150, 150)
		if err != nil || len(got[150]) != tc.matches {
			t.Errorf("%s: %d matches, %v; want %d", tc.name, len(got[150]), err, tc.matches)
		}
		if c := sim.Calls("getBlock"); c != 1 || sim.Calls("getBlocks")+sim.Calls("getSignaturesForAddress") != 0 {
			t.Errorf("%s: getBlock %d (want 1), getBlocks/getSignaturesForAddress %d (want 0)", tc.name, c, sim.Calls("getBlocks")+sim.Calls("getSignaturesForAddress"))
		}
	}
}

// SOL128 and SOL129 (QS11, QS15, QS23): OZ's per-slot all-or-nothing
// rule for getTransaction. ozmon has one call per slot, so a slot is
// whole or fails whole, and a failure is an error naming the slot, never
// a silently thinner result:
// (a)/(b)/(d) a slot the node cannot serve fails the read, with no
// match of it; (c)/(i) slots before it are evaluated, the failing one is
// an error; (e) a transaction cannot vanish on its own (no getTransaction
// returning null: QS23); (f) a transaction invoking two monitored
// programs is fetched once and matches once; (g) two good slots, two
// matches; (h) three transactions of one slot, three matches in on-chain
// order. SOL129: a single slot is one getBlock (no getBlocks), and a
// transport failure is returned.
func TestSolanaGoldenSlotWholeOrFailed(t *testing.T) {
	t.Parallel()
	sim := ozmontest.StartSolanaSim(t, ozmontest.SolanaSimFixtures(solBlocks(t, map[uint64][]map[string]any{
		100: {solTx(t, 100, "sig100")},
		150: {solTx(t, 150, "sigA"), solTx(t, 150, "sigB", loaderProg), solTx(t, 150, "sigC")},
		160: {solTx(t, 160, "sig2")},
		200: {solTx(t, 200, "sig200")},
	})))
	mon := solMonitor(t, tokenProgram, loaderProg)

	// (g), (h), (f), SOL129.
	got, err := solRun(t, mon, sim.URL(), 150, 150)
	if err != nil || strings.Join(signatures(got[150]), ",") != "sigA,sigB,sigC" {
		t.Fatalf("(h)/(f): %v, %v; want sigA,sigB,sigC once each, in block order", signatures(got[150]), err)
	}
	if c := sim.Calls("getBlock"); c != 1 || sim.Calls("getBlocks") != 0 {
		t.Errorf("SOL129: getBlock %d getBlocks %d for one slot, want 1 and 0", c, sim.Calls("getBlocks"))
	}
	if got, err = solRun(t, mon, sim.URL(), 150, 160); err != nil || len(got[150]) != 3 || len(got[160]) != 1 {
		t.Errorf("(g): %v, %v", got, err)
	}

	// (a), (b), (d), SOL129's transport error: the slot fails whole.
	bad := newFailingSlots(t, sim.URL(), 150, 160, 200)
	for _, r := range [][2]uint64{{150, 150}, {150, 160}} {
		got, err := solRun(t, mon, bad.srv.URL, r[0], r[1])
		if err == nil || !strings.Contains(err.Error(), "slot 150") || len(got) != 0 {
			t.Errorf("(a)/(d) %v: %v, %v; want an error naming slot 150 and no match", r, got, err)
		}
	}
	// (c), (i): the good slot before the failing one is evaluated.
	for _, r := range [][2]uint64{{100, 200}} {
		got, err := solRun(t, mon, bad.srv.URL, r[0], r[1])
		if err == nil || !strings.Contains(err.Error(), "slot 150") || len(got[100]) != 1 {
			t.Errorf("(c)/(i) %v: %v, %v; want slot 100's match, then an error naming slot 150", r, got, err)
		}
	}
	bad.mu.Lock()
	hits := bad.hits[150]
	bad.mu.Unlock()
	if hits < 2 {
		t.Errorf("slot 150 asked %d times: a failing slot is retried before the read fails (QS15)", hits)
	}
}
