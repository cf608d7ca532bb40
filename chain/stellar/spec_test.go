package stellar

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/ozmon/ozmon/chain"
	"github.com/ozmon/ozmon/internal/testkit"
	"github.com/stellar/go-stellar-sdk/xdr"
)

func readShared(t *testing.T, elem ...string) []byte {
	t.Helper()
	b, err := os.ReadFile(testkit.SharedPath(t, elem...))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func signatures[T any](items []T, sig func(T) string) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = sig(it)
	}
	return out
}

func fnSigs(s *chain.ContractSpec) []string {
	return signatures(s.Functions, func(f chain.SpecFunction) string { return f.Signature })
}

func evSigs(s *chain.ContractSpec) []string {
	return signatures(s.Events, func(e chain.SpecEvent) string { return e.Signature })
}

func TestParseSpecJSONFixtures(t *testing.T) {
	spec, err := ParseSpecJSON(readShared(t, "testdata", "ozmonitor", "stellar", "contract_specs", "contract_spec.json"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := fnSigs(spec), []string{"transfer(Address,Address,I128)", "upsert_data(Map<String,String>)", "increment()"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("functions %v, want %v", got, want)
	}
	wantInputs := []chain.SpecInput{{Index: 0, Name: "from", Kind: "Address"}, {Index: 1, Name: "to", Kind: "Address"}, {Index: 2, Name: "amount", Kind: "I128"}}
	if !reflect.DeepEqual(spec.Function("transfer").Inputs, wantInputs) || len(spec.Function("increment").Inputs) != 0 || len(spec.Events) != 0 {
		t.Fatalf("spec: %+v", spec)
	}
	// The formatted spec serialises with empty arrays, not nulls.
	js, _ := json.Marshal(spec)
	if !strings.Contains(string(js), `"events":[]`) || !strings.Contains(string(js), `"name":"increment","signature":"increment()","inputs":[]`) {
		t.Fatalf("JSON: %s", js)
	}

	spec, err = ParseSpecJSON(readShared(t, "testdata", "ozmonitor", "stellar", "contract_specs", "contract_spec_with_events.json"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := fnSigs(spec), []string{"add_user(Symbol,String,U32,String)", "get_user(Symbol)", "list_user_ids()", "emit_data_list(Vec<String>)"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("functions %v, want %v", got, want)
	}
	if got, want := evSigs(spec), []string{"UserAdded(Symbol,String,U32,String)", "MessageEvent(String)", "DataListEvent(Vec<String>,U32)"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("events %v, want %v", got, want)
	}
	wantEvent := chain.SpecEvent{Name: "UserAdded", PrefixTopics: []string{"user", "add"}, Signature: "UserAdded(Symbol,String,U32,String)",
		Params: []chain.SpecParam{
			{Name: "id", Kind: "Symbol", Location: chain.LocationIndexed},
			{Name: "name", Kind: "String", Location: chain.LocationData},
			{Name: "age", Kind: "U32", Location: chain.LocationData},
			{Name: "email", Kind: "String", Location: chain.LocationData},
		}}
	if !reflect.DeepEqual(spec.Events[0], wantEvent) {
		t.Fatalf("UserAdded: %+v", spec.Events[0])
	}
}

func TestParseSpecJSONInlineMonitorSpec(t *testing.T) {
	var m struct {
		Addresses []struct {
			ContractSpec json.RawMessage `json:"contract_spec"`
		} `json:"addresses"`
	}
	if err := json.Unmarshal(readShared(t, "testdata", "ozmonitor", "examples", "config", "monitors", "stellar_swap_dex.json"), &m); err != nil {
		t.Fatal(err)
	}
	spec, err := ParseSpecJSON(m.Addresses[0].ContractSpec)
	if err != nil {
		t.Fatal(err)
	}
	if got := fnSigs(spec); !reflect.DeepEqual(got, []string{"swap(Address,U32,U32,U128,U128)"}) {
		t.Fatalf("functions %v", got)
	}
	// S15's inline Blend spec: a UDT inside a Vec keeps its name.
	spec, err = ParseSpecJSON([]byte(`[{"function_v0":{"doc":"","name":"submit","inputs":[
		{"doc":"","name":"from","type_":"address"},{"doc":"","name":"spender","type_":"address"},
		{"doc":"","name":"to","type_":"address"},
		{"doc":"","name":"requests","type_":{"vec":{"element_type":{"udt":{"name":"Request"}}}}}],"outputs":[]}}]`))
	if err != nil {
		t.Fatal(err)
	}
	if got := fnSigs(spec); !reflect.DeepEqual(got, []string{"submit(Address,Address,Address,Vec<Request>)"}) {
		t.Fatalf("functions %v", got)
	}
}

func TestSpecKinds(t *testing.T) {
	spec, err := ParseSpecJSON([]byte(`[{"function_v0":{"name":"f","inputs":[
		{"name":"a","type_":"bool"},{"name":"b","type_":"u32"},{"name":"c","type_":"i32"},{"name":"d","type_":"u64"},
		{"name":"e","type_":"i64"},{"name":"f","type_":"timepoint"},{"name":"g","type_":"duration"},{"name":"h","type_":"u128"},
		{"name":"i","type_":"i128"},{"name":"j","type_":"u256"},{"name":"k","type_":"i256"},{"name":"l","type_":"bytes"},
		{"name":"m","type_":"string"},{"name":"n","type_":"symbol"},{"name":"o","type_":"address"},
		{"name":"p","type_":"muxed_address"},{"name":"q","type_":"val"},{"name":"r","type_":"void"},{"name":"s","type_":"error"},
		{"name":"t","type_":{"option":{"value_type":"u32"}}},
		{"name":"u","type_":{"result":{"ok_type":"u32","error_type":"error"}}},
		{"name":"v","type_":{"bytes_n":{"n":32}}},
		{"name":"w","type_":{"tuple":{"value_types":["u32",{"vec":{"element_type":{"option":{"value_type":"i128"}}}}]}}},
		{"name":"x","type_":{"map":{"key_type":"symbol","value_type":{"udt":{"name":"Position"}}}}},
		{"name":"y","type_":{"udt":{"name":"DataKey"}}}
	],"outputs":["u32"]}},
	{"udt_struct_v0":{"doc":"","lib":"","name":"Position","fields":[{"doc":"","name":"size","type_":"u64"}]}},
	{"udt_union_v0":{"doc":"","lib":"","name":"DataKey","cases":[{"void_v0":{"doc":"","name":"Admin"}},{"tuple_v0":{"doc":"","name":"Balance","type_":["address"]}}]}},
	{"udt_enum_v0":{"doc":"","lib":"","name":"Color","cases":[{"doc":"","name":"Red","value":0}]}},
	{"udt_error_enum_v0":{"doc":"","lib":"","name":"Error","cases":[{"doc":"","name":"NotFound","value":1}]}}
	]`))
	if err != nil {
		t.Fatal(err)
	}
	want := "f(Bool,U32,I32,U64,I64,Timepoint,Duration,U128,I128,U256,I256,Bytes,String,Symbol,Address," +
		"Void,Void,Void,Void,Void,Void,Bytes32,Tuple<U32,Vec<Void>>,Map<Symbol,Position>,DataKey)"
	if got := fnSigs(spec); !reflect.DeepEqual(got, []string{want}) {
		t.Fatalf("got %v\nwant %s", got, want)
	}
}

func TestParseSpecJSONErrors(t *testing.T) {
	for name, in := range map[string]string{
		"not json":            `{`,
		"not an array":        `{"function_v0":{}}`,
		"two kinds":           `[{"function_v0":{"name":"f","inputs":[]},"event_v0":{}}]`,
		"unknown kind":        `[{"function_v1":{"name":"f"}}]`,
		"missing name":        `[{"function_v0":{"inputs":[]}}]`,
		"input without type":  `[{"function_v0":{"name":"f","inputs":[{"name":"a"}]}}]`,
		"unknown type":        `[{"function_v0":{"name":"f","inputs":[{"name":"a","type_":"u33"}]}}]`,
		"unknown compound":    `[{"function_v0":{"name":"f","inputs":[{"name":"a","type_":{"list":{}}}]}}]`,
		"vec without element": `[{"function_v0":{"name":"f","inputs":[{"name":"a","type_":{"vec":{}}}]}}]`,
		"bytes_n without n":   `[{"function_v0":{"name":"f","inputs":[{"name":"a","type_":{"bytes_n":{}}}]}}]`,
		"bad event location":  `[{"event_v0":{"name":"E","params":[{"name":"a","type_":"u32","location":"topic"}]}}]`,
		"bad data format":     `[{"event_v0":{"name":"E","params":[],"data_format":"list"}}]`,
		"bad union case":      `[{"udt_union_v0":{"name":"U","cases":[{"struct_v0":{"name":"x"}}]}}]`,
		"enum case no name":   `[{"udt_enum_v0":{"name":"U","cases":[{"value":1}]}}]`,
		"deeply nested vec": `[{"function_v0":{"name":"f","inputs":[{"name":"a","type_":` +
			strings.Repeat(`{"vec":{"element_type":`, 70) + `"u32"` + strings.Repeat(`}}`, 70) + `}]}}]`,
	} {
		if _, err := ParseSpecJSON([]byte(in)); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

// wasmModule builds a WebAssembly binary: the header, then the given
// sections (id, payload).
func wasmModule(sections ...[]byte) []byte {
	out := []byte("\x00asm\x01\x00\x00\x00")
	for _, s := range sections {
		out = append(out, s...)
	}
	return out
}

func uleb(n int) []byte {
	var out []byte
	for {
		c := byte(n & 0x7f)
		n >>= 7
		if n != 0 {
			out = append(out, c|0x80)
			continue
		}
		return append(out, c)
	}
}

func section(id byte, payload []byte) []byte {
	return append(append([]byte{id}, uleb(len(payload))...), payload...)
}

func customSection(name string, payload []byte) []byte {
	body := append(append(uleb(len(name)), name...), payload...)
	return section(0, body)
}

func marshalEntries(t *testing.T, entries []xdr.ScSpecEntry) []byte {
	t.Helper()
	var out []byte
	for _, e := range entries {
		out = append(out, marshal(t, e)...)
	}
	return out
}

// TestParseWASMSpec builds a real WASM container around a contractspecv0
// stream (split over two sections, between unrelated sections) and checks
// that it formats exactly like the same entries given as JSON.
func TestParseWASMSpec(t *testing.T) {
	for _, file := range []string{"contract_spec.json", "contract_spec_with_events.json"} {
		data := readShared(t, "testdata", "ozmonitor", "stellar", "contract_specs", file)
		entries, err := specEntriesFromJSON(data)
		if err != nil {
			t.Fatal(err)
		}
		stream := marshalEntries(t, entries)
		first := marshal(t, entries[0])
		wasm := wasmModule(
			section(1, []byte{0x01, 0x60, 0x00, 0x00}), // a type section
			customSection("contractenvmetav0", []byte{0, 0, 0, 0, 0, 0, 0, 23}),
			customSection(specSection, first),
			section(10, make([]byte, 300)), // a code section with a 2-byte LEB size
			customSection(specSection, stream[len(first):]),
		)
		fromWASM, err := parseWASMSpec(wasm)
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		fromJSON, err := ParseSpecJSON(data)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(fromWASM, fromJSON) {
			t.Fatalf("%s: WASM spec %+v differs from JSON spec %+v", file, fromWASM, fromJSON)
		}
	}
}

func TestParseWASMSpecErrors(t *testing.T) {
	good := marshalEntries(t, []xdr.ScSpecEntry{{Kind: xdr.ScSpecEntryKindScSpecEntryFunctionV0,
		FunctionV0: &xdr.ScSpecFunctionV0{Name: "increment"}}})
	if spec, err := parseWASMSpec(wasmModule(customSection(specSection, good))); err != nil || fnSigs(spec)[0] != "increment()" {
		t.Fatalf("minimal module: %v, %v", spec, err)
	}
	for name, wasm := range map[string][]byte{
		"empty":               nil,
		"bad magic":           []byte("\x00asx\x01\x00\x00\x00"),
		"version 2":           []byte("\x00asm\x02\x00\x00\x00"),
		"no spec section":     wasmModule(section(1, []byte{0})),
		"section overruns":    append(wasmModule(), 0, 0x10, 1, 2),
		"truncated size":      append(wasmModule(), 0, 0x80),
		"size overflows":      append(wasmModule(), 0, 0xff, 0xff, 0xff, 0xff, 0x7f),
		"name overruns":       wasmModule(section(0, []byte{20, 'a'})),
		"truncated entry":     wasmModule(customSection(specSection, good[:len(good)-3])),
		"garbage entry":       wasmModule(customSection(specSection, []byte{0, 0, 0, 9, 1, 2, 3, 4})),
		"trailing partial":    wasmModule(customSection(specSection, append(append([]byte{}, good...), 0, 0))),
		"huge array count":    wasmModule(customSection(specSection, []byte{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 'f', 0, 0, 0, 0xff, 0xff, 0xff, 0xff})),
		"only other sections": wasmModule(customSection("name", []byte{1, 2})),
	} {
		if _, err := parseWASMSpec(wasm); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestSpecCache(t *testing.T) {
	t.Parallel()
	var c SpecCache
	spec := &chain.ContractSpec{Functions: []chain.SpecFunction{{Name: "f", Signature: "f()"}}}
	var loads atomic.Int32
	release := make(chan struct{})
	load := func(ctx context.Context) (*chain.ContractSpec, error) {
		loads.Add(1)
		<-release
		return spec, nil
	}
	var wg sync.WaitGroup
	results := make([]*chain.ContractSpec, 16)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := c.GetOrLoad(context.Background(), "testnet", " cabc ", load)
			if err != nil {
				t.Error(err)
			}
			results[i] = s
		}()
	}
	close(release)
	wg.Wait()
	if loads.Load() != 1 {
		t.Fatalf("%d loads, want 1", loads.Load())
	}
	for _, s := range results {
		if s != spec {
			t.Fatal("a caller got another spec")
		}
	}
	if s, ok := c.Get("testnet", "CABC"); !ok || s != spec {
		t.Fatal("normalised lookup missed")
	}
	if _, ok := c.Get("mainnet", "CABC"); ok {
		t.Fatal("networks share entries")
	}

	// Errors are not cached; "no spec" (nil) is.
	boom := errors.New("rpc down")
	if _, err := c.GetOrLoad(context.Background(), "testnet", "CSAC", func(context.Context) (*chain.ContractSpec, error) { return nil, boom }); !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
	if _, ok := c.Get("testnet", "CSAC"); ok {
		t.Fatal("error cached")
	}
	if s, err := c.GetOrLoad(context.Background(), "testnet", "CSAC", func(context.Context) (*chain.ContractSpec, error) { return nil, nil }); s != nil || err != nil {
		t.Fatalf("nil load: %v %v", s, err)
	}
	if s, ok := c.Get("testnet", "CSAC"); !ok || s != nil {
		t.Fatal("no-spec not cached")
	}
	// A panicking loader is an error for its callers, not a crash.
	if _, err := c.GetOrLoad(context.Background(), "testnet", "CPANIC", func(context.Context) (*chain.ContractSpec, error) { panic("bad wasm") }); err == nil || !strings.Contains(err.Error(), "bad wasm") {
		t.Fatalf("panic: %v", err)
	}
	// A waiter whose context ends stops waiting.
	hold := make(chan struct{})
	go c.GetOrLoad(context.Background(), "testnet", "CSLOW", func(context.Context) (*chain.ContractSpec, error) { <-hold; return spec, nil })
	for {
		c.mu.Lock()
		_, inFlight := c.loading[specKey{"testnet", "CSLOW"}]
		c.mu.Unlock()
		if inFlight {
			break
		}
		runtime.Gosched()
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := c.GetOrLoad(ctx, "testnet", "CSLOW", load); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled waiter: %v", err)
	}
	close(hold)
	c.Put("testnet", "CX", spec)
	c.Delete("testnet", "cx")
	if _, ok := c.Get("testnet", "CX"); ok {
		t.Fatal("Delete kept the entry")
	}
}
