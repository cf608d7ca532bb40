package monitor

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"reflect"
	"sort"
	"testing"

	"github.com/ozmon/ozmon/chain"
	"github.com/ozmon/ozmon/internal/testkit"
	"github.com/ozmon/ozmon/monitor/internal/base58"
	"github.com/ozmon/ozmon/monitor/ozconfig"
)

// solanaCase is one case of testdata/ozmonitor/solana/golden_cases.json
// (docs/compatibility.md#solana-golden-cases).
type solanaCase struct {
	ID          string            `json:"id"`
	Level       string            `json:"level"`
	Network     string            `json:"network"`
	Monitors    []json.RawMessage `json:"monitors"`
	Monitor     json.RawMessage   `json:"monitor"`
	Block       json.RawMessage   `json:"block"`
	Transaction json.RawMessage   `json:"transaction"`
	Expected    json.RawMessage   `json:"expected"`
	Checks      json.RawMessage   `json:"checks"`
}

func solanaGoldenCases(t *testing.T) []solanaCase {
	t.Helper()
	data, err := os.ReadFile(testkit.SharedPath(t, "testdata", "ozmonitor", "solana", "golden_cases.json"))
	if err != nil {
		t.Fatal(err)
	}
	var g struct {
		Cases []solanaCase `json:"cases"`
	}
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	if err := d.Decode(&g); err != nil {
		t.Fatal(err)
	}
	return g.Cases
}

// compileSolana parses a monitor JSON and compiles it for Solana.
func compileSolanaMonitor(t testing.TB, raw []byte) *CompiledMonitor {
	t.Helper()
	m, err := ozconfig.ParseMonitor("monitor", raw)
	if err != nil {
		t.Fatalf("parse monitor: %v", err)
	}
	cm, err := Compile("t", m, nil, WithChain(chain.Solana))
	if err != nil {
		t.Fatalf("compile: %v", err)
	}
	return cm
}

// solanaBlockOf wraps one model transaction in a block of its slot.
func solanaBlockOf(t testing.TB, network string, tx json.RawMessage) *chain.Block {
	t.Helper()
	var slot struct {
		Slot uint64 `json:"slot"`
	}
	_ = json.Unmarshal(tx, &slot)
	raw, _ := json.Marshal(map[string]any{"slot": slot.Slot, "blockhash": "", "previousBlockhash": "", "parentSlot": 0, "transactions": []json.RawMessage{tx}})
	b, err := chain.SolanaBlockFromModel(network, raw)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// jsonEqual compares two JSON texts as values.
func jsonEqual(t *testing.T, id, what string, got, want []byte) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("%s: %s: %v in %s", id, what, err, got)
	}
	if err := json.Unmarshal(want, &w); err != nil {
		t.Fatalf("%s: %s: %v", id, what, err)
	}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("%s: %s:\n got %s\nwant %s", id, what, got, want)
	}
}

// ozMatchParts is what a case compares of a match: taken from the
// MonitorMatch JSON, so the payload is what is checked.
type ozMatchParts struct {
	Solana struct {
		Monitor struct {
			Name string `json:"name"`
		} `json:"monitor"`
		Transaction struct {
			Signature string `json:"signature"`
		} `json:"transaction"`
		MatchedOn     json.RawMessage `json:"matched_on"`
		MatchedOnArgs json.RawMessage `json:"matched_on_args"`
	} `json:"Solana"`
}

func ozParts(t *testing.T, id string, m *Match) ozMatchParts {
	t.Helper()
	js, err := m.MarshalOZJSON()
	if err != nil {
		t.Fatalf("%s: %v", id, err)
	}
	var p ozMatchParts
	if err := json.Unmarshal(js, &p); err != nil {
		t.Fatalf("%s: %v", id, err)
	}
	return p
}

// TestSolanaGoldenCases runs every matching-level case of SOL1–SOL97
// exactly: the block filter (SOL1–SOL14, SOL93–SOL97), the event and
// transaction condition lists (SOL15–SOL30), the transaction variables
// (SOL31, SOL32) and the helpers ozmon implements (SOL78–SOL92 less the
// four OZ helpers nothing uses and ozmon does not have). SOL33–SOL77 are
// the comparison rules, run in monitor/expr.
func TestSolanaGoldenCases(t *testing.T) {
	t.Parallel()
	engine := NewEngine()
	ran := map[string]int{}
	skippedHelpers := map[string]bool{}
	for _, c := range solanaGoldenCases(t) {
		switch c.Level {
		case "filter_block":
			var ms []*CompiledMonitor
			for _, raw := range c.Monitors {
				ms = append(ms, compileSolanaMonitor(t, raw))
			}
			b, err := chain.SolanaBlockFromModel(c.Network, c.Block)
			if err != nil {
				t.Fatalf("%s: %v", c.ID, err)
			}
			got, err := engine.EvaluateBlock(context.Background(), b, ms)
			if err != nil {
				t.Fatalf("%s: %v", c.ID, err)
			}
			var exp struct {
				MatchCount int `json:"match_count"`
				Matches    []struct {
					Monitor       string          `json:"monitor"`
					Signature     string          `json:"signature"`
					MatchedOn     json.RawMessage `json:"matched_on"`
					MatchedOnArgs json.RawMessage `json:"matched_on_args"`
				} `json:"matches"`
			}
			if err := json.Unmarshal(c.Expected, &exp); err != nil {
				t.Fatalf("%s: %v", c.ID, err)
			}
			if len(got) != exp.MatchCount || len(exp.Matches) != exp.MatchCount {
				t.Errorf("%s: %d matches, want %d", c.ID, len(got), exp.MatchCount)
				continue
			}
			for i, m := range got {
				p := ozParts(t, c.ID, m)
				w := exp.Matches[i]
				if p.Solana.Monitor.Name != w.Monitor || p.Solana.Transaction.Signature != w.Signature {
					t.Errorf("%s: match %d is %s on %s, want %s on %s", c.ID, i, p.Solana.Monitor.Name, p.Solana.Transaction.Signature, w.Monitor, w.Signature)
				}
				jsonEqual(t, c.ID, "matched_on", p.Solana.MatchedOn, w.MatchedOn)
				jsonEqual(t, c.ID, "matched_on_args", p.Solana.MatchedOnArgs, w.MatchedOnArgs)
			}
		case "find_matching_events", "find_matching_transaction":
			cm := compileSolanaMonitor(t, c.Monitor)
			got, err := engine.EvaluateBlock(context.Background(), solanaBlockOf(t, "solana_mainnet", c.Transaction), []*CompiledMonitor{cm})
			if err != nil {
				t.Fatalf("%s: %v", c.ID, err)
			}
			var exp struct {
				Events       json.RawMessage `json:"matched_events"`
				EventArgs    json.RawMessage `json:"matched_on_args_events"`
				Transactions json.RawMessage `json:"matched_transactions"`
			}
			if err := json.Unmarshal(c.Expected, &exp); err != nil {
				t.Fatalf("%s: %v", c.ID, err)
			}
			want := exp.Events
			if c.Level == "find_matching_transaction" {
				want = exp.Transactions
			}
			// The engine matches when the list the case computes is
			// non-empty (the case's other lists are neutral).
			if string(want) == "[]" {
				if len(got) != 0 {
					t.Errorf("%s: %d matches, want none", c.ID, len(got))
				}
				break
			}
			if len(got) != 1 {
				t.Errorf("%s: %d matches, want 1", c.ID, len(got))
				break
			}
			var on struct {
				Events       json.RawMessage `json:"events"`
				Transactions json.RawMessage `json:"transactions"`
			}
			p := ozParts(t, c.ID, got[0])
			_ = json.Unmarshal(p.Solana.MatchedOn, &on)
			if c.Level == "find_matching_events" {
				jsonEqual(t, c.ID, "events", on.Events, exp.Events)
				var args struct {
					Events json.RawMessage `json:"events"`
				}
				_ = json.Unmarshal(p.Solana.MatchedOnArgs, &args)
				jsonEqual(t, c.ID, "event args", args.Events, exp.EventArgs)
			} else {
				jsonEqual(t, c.ID, "transactions", on.Transactions, exp.Transactions)
			}
		case "transaction_params":
			var st chain.SolanaTransaction
			if err := json.Unmarshal(c.Transaction, &st); err != nil {
				t.Fatalf("%s: %v", c.ID, err)
			}
			var got []Arg
			for _, p := range solanaTransactionParams(&st) {
				got = append(got, Arg{Name: p.Name, Value: p.Value, Kind: p.Kind})
			}
			js, _ := json.Marshal(got)
			var exp struct {
				Params json.RawMessage `json:"params"`
			}
			_ = json.Unmarshal(c.Expected, &exp)
			jsonEqual(t, c.ID, "params", js, exp.Params)
		case "helper":
			var checks []struct {
				Fn  string          `json:"fn"`
				In  json.RawMessage `json:"in"`
				Out json.RawMessage `json:"out"`
			}
			if err := json.Unmarshal(c.Checks, &checks); err != nil {
				t.Fatalf("%s: %v", c.ID, err)
			}
			for _, ch := range checks {
				got, ok := solanaHelper(t, ch.Fn, ch.In)
				if !ok {
					skippedHelpers[ch.Fn] = true
					continue
				}
				jsonEqual(t, c.ID, ch.Fn, got, ch.Out)
			}
		default:
			continue
		}
		ran[c.Level]++
	}
	want := map[string]int{"filter_block": 19, "find_matching_events": 6, "find_matching_transaction": 10, "transaction_params": 2, "helper": 15}
	if !reflect.DeepEqual(ran, want) {
		t.Errorf("ran %v, want %v", ran, want)
	}
	var skipped []string
	for fn := range skippedHelpers {
		skipped = append(skipped, fn)
	}
	sort.Strings(skipped)
	// OZ helpers with no counterpart in ozmon (nothing in OZ uses them
	// either): address trimming (ozmon refuses untrimmed addresses,
	// QS17), lamport formatting, and a discriminator slice.
	if !reflect.DeepEqual(skipped, []string{"extract_discriminator", "lamports_to_sol", "normalize_address", "sol_to_lamports"}) {
		t.Errorf("helpers without a counterpart: %v", skipped)
	}
}

// solanaHelper runs the ozmon counterpart of an OZ helper; ok is false
// when ozmon has none.
func solanaHelper(t *testing.T, fn string, in json.RawMessage) (out []byte, ok bool) {
	t.Helper()
	var s string
	var pair [2]string
	var bs []byte
	str := func() string { _ = json.Unmarshal(in, &s); return s }
	two := func() [2]string { _ = json.Unmarshal(in, &pair); return pair }
	ints := func() []byte {
		var xs []int
		_ = json.Unmarshal(in, &xs)
		bs = make([]byte, len(xs))
		for i, x := range xs {
			bs[i] = byte(x)
		}
		return bs
	}
	js := func(v any) []byte { b, _ := json.Marshal(v); return b }
	bytesJSON := func(b []byte) []byte {
		if b == nil {
			return []byte("null")
		}
		xs := make([]int, len(b))
		for i, x := range b {
			xs[i] = int(x)
		}
		return js(xs)
	}
	switch fn {
	case "are_same_address":
		p := two()
		return js(normalizeAddr(p[0]) == normalizeAddr(p[1])), true
	case "are_same_signature":
		p := two()
		return js(ozconfig.SolanaSameSignature(p[0], p[1])), true
	case "calculate_discriminator":
		d := ozconfig.AnchorDiscriminator("global:" + str())
		return bytesJSON(d[:]), true
	case "calculate_event_discriminator":
		d := ozconfig.AnchorDiscriminator("event:" + str())
		return bytesJSON(d[:]), true
	case "encode_base58":
		return js(base58.Encode(ints())), true
	case "decode_base58":
		b, err := base58.Decode(str())
		if err != nil {
			return []byte("null"), true
		}
		return bytesJSON(b), true
	case "is_valid_pubkey":
		return js(base58.IsPublicKey(str())), true
	case "is_valid_signature":
		b, err := base58.Decode(str())
		return js(err == nil && len(b) == 64), true
	case "parse_program_data_log":
		b, ok := parseProgramData(str())
		if !ok {
			return []byte("null"), true
		}
		return bytesJSON(b), true
	case "extract_program_invoke":
		id, ok := parseInvoke(str())
		if !ok {
			return []byte("null"), true
		}
		return js(id), true
	case "is_program_success", "is_program_failure":
		p := two()
		failed, ok := parseProgramEnd(p[0])
		id, _ := parseInvokeEnd(p[0])
		if fn == "is_program_success" {
			return js(ok && !failed && id == p[1]), true
		}
		return js(ok && failed && id == p[1]), true
	}
	return nil, false
}

// parseInvokeEnd is the program id of a "Program <id> success/failed" line.
func parseInvokeEnd(line string) (string, bool) {
	var id string
	if _, ok := parseProgramEnd(line); !ok {
		return "", false
	}
	for i := len("Program "); i < len(line) && line[i] != ' '; i++ {
		id += string(line[i])
	}
	return id, true
}
