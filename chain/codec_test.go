package chain_test

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"io"
	"math"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ozmon/ozmon/chain"
	"github.com/ozmon/ozmon/chain/stellar"
	"github.com/ozmon/ozmon/internal/testkit"
	"github.com/stellar/go-stellar-sdk/network"
)

// handBuiltBlocks covers every Kind, nesting, nil/empty slices, memos,
// fee bumps, nil and zero Call/Payment pointers and transaction-level
// events. Each call builds fresh blocks, so tests may normalise them.
func handBuiltBlocks() []*chain.Block {
	every := []chain.Value{
		chain.Void(), chain.Bool(true), chain.Bool(false),
		chain.U32(0), chain.U32(math.MaxUint32), chain.I32(-1), chain.I32(math.MinInt32), chain.I32(math.MaxInt32),
		chain.U64(math.MaxUint64), chain.I64(math.MinInt64), chain.I64(-300), chain.I64(math.MaxInt64),
		chain.Timepoint(1_700_000_000), chain.Duration(86400),
		chain.U128(1, 2), chain.I128(-1, 5), chain.U256(1, 2, 3, 4), chain.I256(-2, 0, 0, 1),
		chain.Bytes([]byte{0, 1, 2, 0xff}), chain.Bytes(nil), chain.Bytes([]byte{}),
		chain.String("héllo\x00\n\"world\""), chain.String(""), chain.Symbol("transfer"),
		chain.Address("GA7QYNF7SOWQ3GLR2BGMZEHXAVIRZA4KVWLTJJFC7MGXUA74P7UJVSGZ"),
		chain.Error("Contract(#13)"), chain.Other("contract instance"),
		chain.Vec(), {Kind: chain.KindVec, Items: []chain.Value{}},
		chain.Map(), {Kind: chain.KindMap, Entries: []chain.MapEntry{}},
		// Fields a kind does not use still round-trip.
		{Kind: chain.KindU32, Int: 7, Text: "seven", Bytes: []byte{7}, Items: []chain.Value{chain.Void()},
			Entries: []chain.MapEntry{{Key: chain.Symbol("k"), Val: chain.Void()}}},
	}
	nested := chain.Vec(
		chain.Map(
			chain.MapEntry{Key: chain.Symbol("amount"), Val: chain.I128(0, 1_000_000)},
			chain.MapEntry{Key: chain.Symbol("to"), Val: chain.Vec(chain.Address("CA3D5KRYM6CB7OWQ6TWYRR3Z4T7GNZLKERYNZGGA5SOAOPIFY6YQGAXE"), chain.Vec(chain.Vec()))},
			chain.MapEntry{Key: chain.Vec(chain.U32(1)), Val: chain.Map(chain.MapEntry{Key: chain.Void(), Val: chain.Bytes([]byte("x"))})},
		),
		chain.Vec(chain.Vec(chain.Vec(chain.I32(-5)))),
	)
	full := &chain.Block{
		Chain:           chain.Stellar,
		Network:         "stellar_mainnet",
		Ledger:          63092982,
		Hash:            strings.Repeat("ab", 32),
		ParentHash:      strings.Repeat("cd", 32),
		CloseTime:       time.Unix(1_750_000_000, 123456789).UTC(),
		ProtocolVersion: 23,
		Transactions: []chain.Transaction{
			{
				Hash: strings.Repeat("01", 32), Index: 1, Success: true, FeeCharged: 100,
				Source:      "GA7QYNF7SOWQ3GLR2BGMZEHXAVIRZA4KVWLTJJFC7MGXUA74P7UJVSGZ",
				SourceMuxed: "MA7QYNF7SOWQ3GLR2BGMZEHXAVIRZA4KVWLTJJFC7MGXUA74P7UJUAAAAAAAAAAAACJUQ",
				Memo:        chain.Memo{Type: "text", Value: "hello"},
				Operations: []chain.Operation{
					{Index: 0, Type: chain.OpInvokeContract, Name: "invoke_host_function",
						Call: &chain.Call{Contract: "CA3D5KRYM6CB7OWQ6TWYRR3Z4T7GNZLKERYNZGGA5SOAOPIFY6YQGAXE", Function: "transfer", Args: every}},
					{Index: 1, Type: chain.OpPayment, Name: "payment", Source: "GBSOURCE",
						Payment: &chain.Payment{From: "GFROM", To: "MTO", Asset: "USDC:GISSUER", Amount: math.MaxInt64}},
					{Index: 2, Type: chain.OpOther, Name: "manage_data"},
					{Index: 3, Type: chain.OpOther, Name: "odd", Call: &chain.Call{}, Payment: &chain.Payment{Amount: -1}},
					{Index: 4, Type: chain.OpInvokeContract, Name: "invoke_host_function", Call: &chain.Call{Contract: "C", Function: "f", Args: []chain.Value{}}},
				},
				Events: []chain.Event{
					{Contract: "CA3D5KRYM6CB7OWQ6TWYRR3Z4T7GNZLKERYNZGGA5SOAOPIFY6YQGAXE", Topics: []chain.Value{chain.Symbol("transfer"), nested}, Data: nested, OpIndex: 0, TxIndex: 1},
					{Contract: "CFEE", Topics: []chain.Value{chain.Symbol("fee")}, Data: chain.I128(-1, math.MaxUint64), OpIndex: -1, TxIndex: 1},
					{Contract: "", Topics: nil, Data: chain.Void(), OpIndex: -1, TxIndex: 1},
				},
				EnvelopeXDR: []byte("envelope"),
				ResultXDR:   []byte{0, 0, 0, 0},
			},
			{
				Hash: strings.Repeat("02", 32), Index: 2, Success: false, FeeCharged: -5,
				Source: "GINNER", FeeBump: true, FeeSource: "GFEEPAYER",
				Memo:       chain.Memo{Type: "id", Value: "18446744073709551615"},
				Operations: []chain.Operation{},
				Events:     []chain.Event{},
				ResultXDR:  []byte{},
			},
			{Hash: strings.Repeat("03", 32), Index: 3, Memo: chain.Memo{Type: "none"}},
		},
	}
	return []*chain.Block{
		full,
		{},
		{Chain: chain.EVM, Network: "eth", Ledger: math.MaxUint64, ProtocolVersion: math.MaxUint32,
			CloseTime: time.Unix(-62135596800, 0).UTC(), Transactions: []chain.Transaction{}},
		{Chain: chain.Stellar, CloseTime: time.Unix(1, 999_999_999).UTC(), Transactions: []chain.Transaction{{}}},
		evmBlock(),
		solanaBlock(),
		{Chain: chain.Solana, Network: "solana_mainnet", Ledger: 300, Solana: &chain.SolanaBlock{Skipped: true}},
		midnightBlock(),
	}
}

// evmBlock covers EVMTransaction: logs with and without topics, a receipt,
// no receipt, contract creation (no To), empty and nil slices.
func evmBlock() *chain.Block {
	return &chain.Block{
		Chain: chain.EVM, Network: "ethereum_mainnet", Ledger: 21306058,
		Hash:       "0x9432868b7fc57e85f0435ca3047f6a76add86f804b3c1af85647520061e30f80",
		ParentHash: "0x347f3343ea70f601585ce2ef2bda6aec23294533e921791b120610a40f387596",
		CloseTime:  time.Unix(1733036783, 0).UTC(),
		Transactions: []chain.Transaction{
			{Hash: "0xd5069b22", Index: 1, Success: true, EVM: &chain.EVMTransaction{
				From: "0x58b704065b7aff3ed351052f8560019e05925023", To: "0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48",
				Value: "115792089237316195423570985008687907853269984665640564039457584007913129639935",
				Input: []byte{0xa9, 0x05, 0x9c, 0xbb, 0}, Nonce: "7", Gas: "62272", MaxFeePerGas: "1", MaxPriorityFeePerGas: "2",
				TransactionIndex: 175,
				Logs: []chain.EVMLog{
					{Address: "0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48", Topics: []string{"0xddf2", "0x0000", "0x0001"},
						Data: []byte{1, 2}, LogIndex: 353, Raw: json.RawMessage(`{"logIndex":"0x161"}`)},
					{Address: "0xb", LogIndex: 354, Topics: []string{}},
				},
				Receipt: &chain.EVMReceipt{Status: 1, GasUsed: "62272", Raw: json.RawMessage(`{"status":"0x1"}`)},
				Raw:     json.RawMessage(`{"hash":"0xd5069b22"}`),
			}},
			{Hash: "0xe802", Index: 2, EVM: &chain.EVMTransaction{From: "0x1", Value: "0", GasPrice: "9", Input: []byte{},
				Receipt: &chain.EVMReceipt{}}},
			{Hash: "0xabcd", Index: 3, Success: true, EVM: &chain.EVMTransaction{}},
		},
	}
}

// normalise rewrites b the way the binary encoding documents it decodes:
// empty slices become nil, CloseTime is in UTC without a monotonic reading.
func normalise(b *chain.Block) {
	b.CloseTime = b.CloseTime.Round(0).UTC()
	if len(b.Transactions) == 0 {
		b.Transactions = nil
	}
	for i := range b.Transactions {
		tx := &b.Transactions[i]
		tx.Operations = nilIfEmpty(tx.Operations)
		tx.Events = nilIfEmpty(tx.Events)
		tx.EnvelopeXDR = nilIfEmpty(tx.EnvelopeXDR)
		tx.ResultXDR = nilIfEmpty(tx.ResultXDR)
		if x := tx.EVM; x != nil {
			x.Input = nilIfEmpty(x.Input)
			x.Raw = nilIfEmpty(x.Raw)
			x.Logs = nilIfEmpty(x.Logs)
			for j := range x.Logs {
				l := &x.Logs[j]
				l.Topics = nilIfEmpty(l.Topics)
				l.Data = nilIfEmpty(l.Data)
				l.Raw = nilIfEmpty(l.Raw)
			}
			if r := x.Receipt; r != nil {
				r.Raw = nilIfEmpty(r.Raw)
			}
		}
		for j := range tx.Operations {
			if c := tx.Operations[j].Call; c != nil {
				c.Args = normaliseValues(c.Args)
			}
		}
		for j := range tx.Events {
			ev := &tx.Events[j]
			ev.Topics = normaliseValues(ev.Topics)
			normaliseValue(&ev.Data)
		}
	}
}

func nilIfEmpty[T any](s []T) []T {
	if len(s) == 0 {
		return nil
	}
	return s
}

func normaliseValues(vs []chain.Value) []chain.Value {
	for i := range vs {
		normaliseValue(&vs[i])
	}
	return nilIfEmpty(vs)
}

func normaliseValue(v *chain.Value) {
	v.Bytes = nilIfEmpty(v.Bytes)
	v.Items = normaliseValues(v.Items)
	v.Entries = nilIfEmpty(v.Entries)
	for i := range v.Entries {
		normaliseValue(&v.Entries[i].Key)
		normaliseValue(&v.Entries[i].Val)
	}
}

// roundTrip encodes b, decodes the result and reports the decoded block.
func roundTrip(t *testing.T, b *chain.Block) (*chain.Block, []byte) {
	t.Helper()
	data, err := b.MarshalBinary()
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	if data[0] != chain.BinaryVersion {
		t.Fatalf("first byte %d, want version %d", data[0], chain.BinaryVersion)
	}
	var got chain.Block
	if err := got.UnmarshalBinary(data); err != nil {
		t.Fatalf("unmarshal: %v", err)
	}
	return &got, data
}

func TestBinaryRoundTripHandBuilt(t *testing.T) {
	t.Parallel()
	for i, b := range handBuiltBlocks() {
		got, _ := roundTrip(t, b)
		normalise(b)
		if !reflect.DeepEqual(got, b) {
			t.Errorf("block %d: round trip differs\n got %+v\nwant %+v", i, got, b)
		}
	}
}

func TestBinaryRoundTripKeepsPointerNilness(t *testing.T) {
	t.Parallel()
	got, _ := roundTrip(t, handBuiltBlocks()[0])
	ops := got.Transactions[0].Operations
	if ops[0].Call == nil || ops[0].Payment != nil || ops[1].Call != nil || ops[1].Payment == nil ||
		ops[2].Call != nil || ops[2].Payment != nil || ops[3].Call == nil || ops[3].Payment == nil {
		t.Fatalf("Call/Payment nil-ness not kept: %+v", ops)
	}
	if ev := got.Transactions[0].Events[1]; ev.OpIndex != -1 {
		t.Fatalf("transaction-level event OpIndex = %d, want -1", ev.OpIndex)
	}
	tx := got.Transactions[1]
	if !tx.FeeBump || tx.FeeSource != "GFEEPAYER" || tx.Success || tx.FeeCharged != -5 {
		t.Fatalf("fee-bump transaction decoded as %+v", tx)
	}
}

func TestBinaryNonUTCCloseTimeKeepsInstant(t *testing.T) {
	t.Parallel()
	loc := time.FixedZone("UTC+5", 5*3600)
	want := time.Date(2025, 6, 1, 12, 0, 0, 42, loc)
	got, _ := roundTrip(t, &chain.Block{CloseTime: want})
	if !got.CloseTime.Equal(want) || got.CloseTime.Location() != time.UTC {
		t.Fatalf("close time %v (%v), want the instant %v in UTC", got.CloseTime, got.CloseTime.Location(), want)
	}
}

func TestAppendBinaryKeepsPrefix(t *testing.T) {
	t.Parallel()
	b := handBuiltBlocks()[0]
	want, err := b.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	prefix := []byte("prefix")
	got, err := b.AppendBinary(slices.Clone(prefix))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got[:len(prefix)], prefix) || !bytes.Equal(got[len(prefix):], want) {
		t.Fatalf("AppendBinary did not append MarshalBinary's output after the prefix")
	}
}

func TestMarshalBinaryRefusesWhatCannotDecode(t *testing.T) {
	t.Parallel()
	deep := chain.Void()
	for range chain.MaxValueDepth {
		deep = chain.Vec(deep)
	}
	ok := &chain.Block{Transactions: []chain.Transaction{{Events: []chain.Event{{Data: deep}}}}}
	if _, err := ok.MarshalBinary(); err == nil {
		t.Fatalf("a value %d deep was accepted", chain.MaxValueDepth+1)
	}
	ok.Transactions[0].Events[0].Data = deep.Items[0] // exactly MaxValueDepth
	if got, _ := roundTrip(t, ok); !reflect.DeepEqual(got.Transactions[0].Events[0].Data, deep.Items[0]) {
		t.Fatalf("a value %d deep did not round-trip", chain.MaxValueDepth)
	}
	bad := &chain.Block{Network: "n", Ledger: 9, Transactions: []chain.Transaction{{Operations: []chain.Operation{
		{Call: &chain.Call{Args: []chain.Value{{Kind: chain.KindOther + 1}}}}}}}}
	if _, err := bad.MarshalBinary(); err == nil || !strings.Contains(err.Error(), "unknown kind") {
		t.Fatalf("unknown kind: err = %v", err)
	}
}

// header builds the start of an encoding by hand: heap lengths and totals
// (missing trailing totals, the EVM ones, are zero), then the given heaps.
func header(text, heap string, totals ...uint64) []byte {
	b := []byte{chain.BinaryVersion}
	b = binary.AppendUvarint(b, uint64(len(text)))
	b = binary.AppendUvarint(b, uint64(len(heap)))
	for len(totals) < 11 {
		totals = append(totals, 0)
	}
	for _, n := range totals {
		b = binary.AppendUvarint(b, n)
	}
	b = append(b, text...)
	return append(b, heap...)
}

// oneEventBlock is a hand-made encoding of a block with one transaction
// holding one event whose data is the given encoded value.
func oneEventBlock(values, entries uint64, data []byte) []byte {
	b := header("", "", 1, 0, 1, 0, 0, values, entries)
	b = append(b, 0, 0, 0, 0, 0, 0, 0, 0, 1) // chain … protocol, 1 transaction
	b = append(b, 0, 2, 1, 0, 0, 0, 0, 0, 0) // hash, index 1, success, fee, sources, memo
	b = append(b, 0, 1)                      // no operations, one event
	b = append(b, 0, 0)                      // contract, no topics
	b = append(b, data...)
	b = append(b, 1, 2)          // op index -1, tx index 1
	return append(b, 0, 0, 0, 0) // envelope, result, no Solana and no Midnight block part
}

func TestUnmarshalBinaryHandMadeEncoding(t *testing.T) {
	t.Parallel()
	// Guards the hand-made encodings below: a valid one decodes.
	var b chain.Block
	if err := b.UnmarshalBinary(oneEventBlock(0, 0, []byte{byte(chain.KindU32) | 0x20, 5})); err != nil {
		t.Fatal(err)
	}
	ev := b.Transactions[0].Events[0]
	if ev.OpIndex != -1 || ev.TxIndex != 1 || !reflect.DeepEqual(ev.Data, chain.U32(5)) || !b.Transactions[0].Success {
		t.Fatalf("decoded %+v", b)
	}
}

func TestUnmarshalBinaryRejectsBadInput(t *testing.T) {
	t.Parallel()
	valid, err := handBuiltBlocks()[0].MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	deep := []byte{}
	for range chain.MaxValueDepth {
		deep = append(deep, byte(chain.KindVec)|0x80, 2, 1)
	}
	deep = append(deep, 0)
	cases := []struct {
		name, data, want string
	}{
		{"empty", "", "version truncated at offset 0"},
		{"unknown version", "\x01", "unknown format version 1"},
		{"huge text heap", string(binary.AppendUvarint([]byte{chain.BinaryVersion}, 1<<62)), "truncated"},
		{"huge heaps", string(header("", "", 0, 0, 0, 0, 0, 0, 0)[:1]) + "\xff\xff\xff\xff\x0f\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00", "exceed the"},
		{"varint overflow", "\x04\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", "overflows 64 bits"},
		{"huge value total", string(header("", "", 0, 0, 0, 0, 0, 1<<40, 0)) + "\x00\x00\x00\x00\x00\x00\x00\x00\x00", "header totals need more"},
		{"huge transaction total", string(header("", "", 1<<20, 0, 0, 0, 0, 0, 0)) + strings.Repeat("\x00", 64), "header totals need more"},
		{"unknown kind", string(oneEventBlock(0, 0, []byte{0x1f})), "unknown value kind 31"},
		{"bad container bits", string(oneEventBlock(0, 0, []byte{0x80, 8})), "bad value container bits"},
		{"too deep", string(oneEventBlock(chain.MaxValueDepth, 0, deep)), "nested deeper than 128"},
		{"items beyond total", string(oneEventBlock(1, 0, []byte{byte(chain.KindVec) | 0x80, 2, 2, 0, 0})), "exceeds the 1 left"},
		{"string beyond heap", string(oneEventBlock(0, 0, []byte{0x40, 5})), "exceeds the 0 bytes left in the text heap"},
		{"trailing bytes", string(valid) + "\x00", "1 bytes after the block"},
		{"truncated", string(valid[:len(valid)-1]), "truncated"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := chain.Block{Network: "kept"}
			err := b.UnmarshalBinary([]byte(c.data))
			if err == nil {
				t.Fatalf("accepted")
			}
			if !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "offset") {
				t.Fatalf("error %q does not say %q and where", err, c.want)
			}
			if b.Network != "kept" {
				t.Fatalf("block changed on error: %+v", b)
			}
		})
	}
	var b chain.Block
	if err := b.UnmarshalBinary(valid[:len(valid)-1]); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("truncated input: %v does not wrap io.ErrUnexpectedEOF", err)
	}
}

// TestUnmarshalBinaryCorruptions cuts and bit-flips a full encoding
// everywhere: every cut must fail, and a flip must either fail or decode to
// something that itself round-trips (a flipped heap byte is still valid).
func TestUnmarshalBinaryCorruptions(t *testing.T) {
	t.Parallel()
	valid, err := handBuiltBlocks()[0].MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	for n := range len(valid) {
		var b chain.Block
		if err := b.UnmarshalBinary(valid[:n]); err == nil {
			t.Fatalf("input cut to %d of %d bytes accepted", n, len(valid))
		}
	}
	data := slices.Clone(valid)
	for i := range data {
		for bit := range 8 {
			data[i] ^= 1 << bit
			checkDecodable(t, data)
			data[i] ^= 1 << bit
		}
	}
}

// checkDecodable asserts that data either fails to decode or decodes to a
// block whose own encoding decodes to the same block.
func checkDecodable(t *testing.T, data []byte) {
	t.Helper()
	var b chain.Block
	if err := b.UnmarshalBinary(data); err != nil {
		if !strings.Contains(err.Error(), "offset") {
			t.Fatalf("error %q does not say where", err)
		}
		return
	}
	again, _ := roundTrip(t, &b)
	if !reflect.DeepEqual(again, &b) {
		t.Fatalf("decoded input does not round-trip:\n got %+v\nwant %+v", again, &b)
	}
}

func FuzzUnmarshalBinary(f *testing.F) {
	for _, b := range handBuiltBlocks() {
		data, err := b.MarshalBinary()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte{})
	f.Add(oneEventBlock(0, 0, []byte{byte(chain.KindVec) | 0x80, 2, 0}))
	f.Fuzz(checkDecodable)
}

// mainnetBlocks decodes the shared real mainnet ledgers.
func mainnetBlocks(tb testing.TB) []*chain.Block {
	tb.Helper()
	dir := testkit.SharedPath(tb, "testdata", "stellar", "mainnet")
	paths, err := filepath.Glob(filepath.Join(dir, "ledger-*"))
	if err != nil || len(paths) == 0 {
		tb.Fatalf("no ledgers in %s: %v", dir, err)
	}
	slices.Sort(paths)
	blocks := make([]*chain.Block, 0, len(paths))
	for _, p := range paths {
		raw, err := stellar.ReadLedgerFile(p)
		if err != nil {
			tb.Fatalf("read %s: %v", p, err)
		}
		b, err := stellar.DecodeLedgerXDR("stellar_mainnet", network.PublicNetworkPassphrase, raw)
		if err != nil {
			tb.Fatalf("decode %s: %v", p, err)
		}
		blocks = append(blocks, b)
	}
	return blocks
}

func TestBinaryRoundTripMainnet(t *testing.T) {
	t.Parallel()
	blocks := mainnetBlocks(t)
	var binTotal, jsonTotal int
	for _, b := range blocks {
		got, data := roundTrip(t, b)
		js, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		binTotal += len(data)
		jsonTotal += len(js)
		normalise(b)
		if !reflect.DeepEqual(got, b) {
			t.Errorf("ledger %d (%d transactions): round trip differs", b.Ledger, len(b.Transactions))
		}
	}
	t.Logf("%d ledgers: %d bytes/ledger binary, %d bytes/ledger JSON",
		len(blocks), binTotal/len(blocks), jsonTotal/len(blocks))
}

// Benchmarks: one op is one ledger, taken in turn from the shared set;
// bytes/ledger is the average encoded size over the whole set.

func BenchmarkBlockMarshalBinary(b *testing.B) {
	blocks := mainnetBlocks(b)
	encodeAll(b, blocks, func(blk *chain.Block) ([]byte, error) { return blk.MarshalBinary() })
	var buf []byte
	i := 0
	for b.Loop() {
		var err error
		if buf, err = blocks[i%len(blocks)].AppendBinary(buf[:0]); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

func BenchmarkBlockMarshalBinaryFresh(b *testing.B) {
	blocks := mainnetBlocks(b)
	encodeAll(b, blocks, func(blk *chain.Block) ([]byte, error) { return blk.MarshalBinary() })
	i := 0
	for b.Loop() {
		if _, err := blocks[i%len(blocks)].MarshalBinary(); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

func BenchmarkBlockUnmarshalBinary(b *testing.B) {
	encoded := encodeAll(b, mainnetBlocks(b), func(blk *chain.Block) ([]byte, error) { return blk.MarshalBinary() })
	i := 0
	for b.Loop() {
		var blk chain.Block
		if err := blk.UnmarshalBinary(encoded[i%len(encoded)]); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

func BenchmarkBlockMarshalJSON(b *testing.B) {
	blocks := mainnetBlocks(b)
	encodeAll(b, blocks, func(blk *chain.Block) ([]byte, error) { return json.Marshal(blk) })
	i := 0
	for b.Loop() {
		if _, err := json.Marshal(blocks[i%len(blocks)]); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

func BenchmarkBlockUnmarshalJSON(b *testing.B) {
	encoded := encodeAll(b, mainnetBlocks(b), func(blk *chain.Block) ([]byte, error) { return json.Marshal(blk) })
	i := 0
	for b.Loop() {
		var blk chain.Block
		if err := json.Unmarshal(encoded[i%len(encoded)], &blk); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

func encodeAll(b *testing.B, blocks []*chain.Block, enc func(*chain.Block) ([]byte, error)) [][]byte {
	b.Helper()
	out := make([][]byte, len(blocks))
	total := 0
	for i, blk := range blocks {
		data, err := enc(blk)
		if err != nil {
			b.Fatal(err)
		}
		out[i] = data
		total += len(data)
	}
	// Reported after the loop too: b.Loop's timer reset drops metrics
	// reported before it.
	b.Cleanup(func() { b.ReportMetric(float64(total)/float64(len(blocks)), "bytes/ledger") })
	return out
}
