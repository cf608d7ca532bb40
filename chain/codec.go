package chain

import (
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"slices"
	"time"
)

// Binary encoding of a Block, used by the Redis block cache: decoding JSON
// of one mainnet ledger costs tens of milliseconds and thousands of
// allocations; this format decodes in a fraction of that with a handful of
// allocations.
//
// Layout (version 2), integers as encoding/binary uvarints unless noted:
//
//	byte    version (2)
//	uvarint text heap length, bytes heap length
//	uvarint counts: transactions, operations, events, calls, payments,
//	        values, map entries, EVM transactions, EVM logs, EVM log
//	        topics, EVM receipts (totals over the whole block)
//	[text heap]  every string's bytes, concatenated in encoding order
//	[bytes heap] every []byte's bytes, concatenated in encoding order
//	structure:   the block's fields in declaration order; a string or
//	             []byte is only its length, its content being the next
//	             bytes of its heap
//
// Why heaps and totals: the decoder turns the text heap into one string and
// copies the bytes heap once, then hands out substrings and subslices, and
// it allocates one slice per element type (operations, events, values…)
// sized from the totals and carves each transaction's or Vec's slice out of
// it. Decoding a block therefore costs about ten allocations whatever its
// size.
//
// Consequences a caller can observe:
//   - Empty slices ([]Value{}, []byte{}, …) decode as nil: the format keeps a
//     length, not nil-ness. Nil-ness of Operation.Call and Operation.Payment
//     is kept.
//   - CloseTime keeps its instant to the nanosecond (Unix seconds, signed,
//     plus nanoseconds) and decodes in UTC, without a monotonic reading:
//     times in UTC, as decoders produce them, round-trip exactly.
//   - Decoded strings and byte slices share two buffers, and slices of one
//     element type share one array (each with its capacity clipped, so an
//     append copies rather than overwriting a neighbour): a value kept from
//     a decoded block keeps the whole block's buffers alive.
//
// A Value is a tag byte, kind in the low five bits, then the fields present:
// 0x20 Int (zigzag varint for I32/I64, so small negatives stay short), 0x40
// Text, 0x80 a second byte saying which of Bytes (1), Items (2), Entries (4)
// follow. Every field is written whatever the kind, so a Value round-trips
// even when it carries fields its kind does not use.
//
// A transaction whose EVM field is set has the txEVM flag and, after its
// result XDR, the EVMTransaction's fields in declaration order: each log
// as address, topic count and topics, data, log index and raw JSON; the
// receipt as a presence byte then status, gas used and raw JSON; then the
// transaction's raw JSON. Nil-ness of EVM and Receipt is kept; empty Logs,
// Topics, Input, Data and Raw decode as nil.

// BinaryVersion is the first byte of MarshalBinary's output; a change of
// layout takes a new version so that caches holding the old one miss
// instead of misreading.
const BinaryVersion byte = 2

// MaxValueDepth bounds Value nesting (a Vec is one level deeper than its
// parent). Soroban itself caps nesting well below it; the bound keeps a
// hostile or corrupt encoding from exhausting the stack.
const MaxValueDepth = 128

// Value tag bits (the low five bits hold the Kind).
const (
	tagKindMask  = 0x1f
	tagInt       = 0x20
	tagText      = 0x40
	tagContainer = 0x80

	hasBytes   = 1
	hasItems   = 2
	hasEntries = 4
)

// Transaction flag bits.
const (
	txSuccess = 1
	txFeeBump = 2
	txEVM     = 4
)

// Operation payload bits.
const (
	opHasCall    = 1
	opHasPayment = 2
)

// Smallest structure encodings of each element: the decoder checks the
// declared totals against the structure's length with them before
// allocating, so that allocation stays proportional to the input.
const (
	minTxLen      = 13 // hash, index, flags, fee, source, muxed, fee source, memo ×2, #ops, #events, envelope, result
	minOpLen      = 5  // index, type, name, source, payload bits
	minEventLen   = 5  // contract, #topics, data, op index, tx index
	minCallLen    = 3  // contract, function, #args
	minPaymentLen = 4  // from, to, asset, amount
	minValueLen   = 1  // tag
	minEntryLen   = 2  // key and value tags
	minBlockLen   = 9  // chain, network, ledger, hash, parent, seconds, nanos, protocol, #transactions
	minEVMTxLen   = 13 // from, to, value, input, nonce, gas, 3 fee fields, tx index, #logs, receipt bit, raw
	minLogLen     = 5  // address, #topics, data, log index, raw
	minTopicLen   = 1  // length
	minReceiptLen = 3  // status, gas used, raw
)

// headerTotals is how many uvarints follow the version byte.
const headerTotals = 13

// MarshalBinary encodes b in the binary format described above.
func (b *Block) MarshalBinary() ([]byte, error) {
	return b.AppendBinary(nil)
}

// AppendBinary appends b's binary encoding to dst (encoding.BinaryAppender).
// It fails only for a block no decoder could produce: a Value of unknown
// Kind or nested deeper than MaxValueDepth.
func (b *Block) AppendBinary(dst []byte) ([]byte, error) {
	orig := dst
	var s sizer
	if err := s.block(b); err != nil {
		return orig, fmt.Errorf("chain: marshal block %s/%d: %w", b.Network, b.Ledger, err)
	}

	// Grow once: the header, both heaps and an estimate of the structure
	// (lengths and small integers mostly take a byte or two).
	estimate := 1 + headerTotals*binary.MaxVarintLen64 + s.textLen + s.bytesLen +
		s.strings + 2*s.values + 2*s.entries + 24*s.txs + 8*s.ops + 8*s.events + 12*s.payments +
		16*s.evmTxs + 8*s.logs + 8*s.receipts + 48
	dst = slices.Grow(dst, estimate)
	dst = append(dst, BinaryVersion)
	dst = binary.AppendUvarint(dst, uint64(s.textLen))
	dst = binary.AppendUvarint(dst, uint64(s.bytesLen))
	for _, n := range [...]int{s.txs, s.ops, s.events, s.calls, s.payments, s.values, s.entries,
		s.evmTxs, s.logs, s.topics, s.receipts} {
		dst = binary.AppendUvarint(dst, uint64(n))
	}
	// Reserve the heaps; the structure is appended after them and the
	// heaps filled by index as the walk meets each string, so that one
	// pass writes everything.
	e := encoder{tp: len(dst)}
	e.bp = e.tp + s.textLen
	e.buf = dst[:e.bp+s.bytesLen]
	textEnd, bytesEnd := e.bp, e.bp+s.bytesLen
	e.block(b)
	if e.tp != textEnd || e.bp != bytesEnd {
		// Only a block mutated while being encoded gets here.
		return orig, fmt.Errorf("chain: marshal block %s/%d: block changed while being encoded", b.Network, b.Ledger)
	}
	return e.buf, nil
}

// sizer is the first pass of encoding: it totals what the header declares
// and checks what the decoder would refuse.
type sizer struct {
	textLen, bytesLen, strings                         int
	txs, ops, events, calls, payments, values, entries int
	evmTxs, logs, topics, receipts                     int
}

func (s *sizer) str(v string)   { s.textLen += len(v); s.strings++ }
func (s *sizer) bytes(v []byte) { s.bytesLen += len(v); s.strings++ }

func (s *sizer) block(b *Block) error {
	s.str(string(b.Chain))
	s.str(b.Network)
	s.str(b.Hash)
	s.str(b.ParentHash)
	s.txs = len(b.Transactions)
	for i := range b.Transactions {
		tx := &b.Transactions[i]
		s.str(tx.Hash)
		s.str(tx.Source)
		s.str(tx.SourceMuxed)
		s.str(tx.FeeSource)
		s.str(tx.Memo.Type)
		s.str(tx.Memo.Value)
		s.bytes(tx.EnvelopeXDR)
		s.bytes(tx.ResultXDR)
		s.ops += len(tx.Operations)
		for j := range tx.Operations {
			op := &tx.Operations[j]
			s.str(string(op.Type))
			s.str(op.Name)
			s.str(op.Source)
			if c := op.Call; c != nil {
				s.calls++
				s.str(c.Contract)
				s.str(c.Function)
				if err := s.valueList(c.Args, 1); err != nil {
					return fmt.Errorf("transaction %d operation %d args: %w", i, j, err)
				}
			}
			if p := op.Payment; p != nil {
				s.payments++
				s.str(p.From)
				s.str(p.To)
				s.str(p.Asset)
			}
		}
		s.events += len(tx.Events)
		for j := range tx.Events {
			ev := &tx.Events[j]
			s.str(ev.Contract)
			if err := s.valueList(ev.Topics, 1); err != nil {
				return fmt.Errorf("transaction %d event %d topics: %w", i, j, err)
			}
			if err := s.value(&ev.Data, 1); err != nil {
				return fmt.Errorf("transaction %d event %d data: %w", i, j, err)
			}
		}
		if x := tx.EVM; x != nil {
			s.evmTx(x)
		}
	}
	return nil
}

func (s *sizer) evmTx(x *EVMTransaction) {
	s.evmTxs++
	for _, v := range [...]string{x.From, x.To, x.Value, x.Nonce, x.Gas, x.GasPrice, x.MaxFeePerGas, x.MaxPriorityFeePerGas} {
		s.str(v)
	}
	s.bytes(x.Input)
	s.bytes(x.Raw)
	s.logs += len(x.Logs)
	for i := range x.Logs {
		l := &x.Logs[i]
		s.str(l.Address)
		s.topics += len(l.Topics)
		for _, t := range l.Topics {
			s.str(t)
		}
		s.bytes(l.Data)
		s.bytes(l.Raw)
	}
	if r := x.Receipt; r != nil {
		s.receipts++
		s.str(r.GasUsed)
		s.bytes(r.Raw)
	}
}

func (s *sizer) valueList(vs []Value, depth int) error {
	s.values += len(vs)
	for i := range vs {
		if err := s.value(&vs[i], depth); err != nil {
			return err
		}
	}
	return nil
}

func (s *sizer) value(v *Value, depth int) error {
	if depth > MaxValueDepth {
		return fmt.Errorf("value nested deeper than %d", MaxValueDepth)
	}
	if v.Kind > KindOther {
		return fmt.Errorf("value of unknown kind %d", v.Kind)
	}
	if v.Text != "" {
		s.str(v.Text)
	}
	if len(v.Bytes) > 0 {
		s.bytes(v.Bytes)
	}
	if err := s.valueList(v.Items, depth+1); err != nil {
		return err
	}
	s.entries += len(v.Entries)
	for i := range v.Entries {
		if err := s.value(&v.Entries[i].Key, depth+1); err != nil {
			return err
		}
		if err := s.value(&v.Entries[i].Val, depth+1); err != nil {
			return err
		}
	}
	return nil
}

// encoder is the second pass: it appends the structure to buf and copies
// string and byte contents into the heaps reserved at tp and bp. Indices,
// not slices, because append may move buf.
type encoder struct {
	buf    []byte
	tp, bp int
}

func (e *encoder) uvarint(x uint64) {
	if x < 0x80 {
		e.buf = append(e.buf, byte(x))
		return
	}
	e.buf = binary.AppendUvarint(e.buf, x)
}

func (e *encoder) varint(x int64) { e.uvarint(zigzag(x)) }

func (e *encoder) str(s string) {
	e.uvarint(uint64(len(s)))
	e.tp += copy(e.buf[e.tp:], s)
}

func (e *encoder) bytes(b []byte) {
	e.uvarint(uint64(len(b)))
	e.bp += copy(e.buf[e.bp:], b)
}

func (e *encoder) block(b *Block) {
	e.str(string(b.Chain))
	e.str(b.Network)
	e.uvarint(b.Ledger)
	e.str(b.Hash)
	e.str(b.ParentHash)
	e.varint(b.CloseTime.Unix())
	e.uvarint(uint64(b.CloseTime.Nanosecond()))
	e.uvarint(uint64(b.ProtocolVersion))
	e.uvarint(uint64(len(b.Transactions)))
	for i := range b.Transactions {
		e.transaction(&b.Transactions[i])
	}
}

func (e *encoder) transaction(tx *Transaction) {
	e.str(tx.Hash)
	e.varint(int64(tx.Index))
	var flags byte
	if tx.Success {
		flags |= txSuccess
	}
	if tx.FeeBump {
		flags |= txFeeBump
	}
	if tx.EVM != nil {
		flags |= txEVM
	}
	e.buf = append(e.buf, flags)
	e.varint(tx.FeeCharged)
	e.str(tx.Source)
	e.str(tx.SourceMuxed)
	e.str(tx.FeeSource)
	e.str(tx.Memo.Type)
	e.str(tx.Memo.Value)
	e.uvarint(uint64(len(tx.Operations)))
	for i := range tx.Operations {
		e.operation(&tx.Operations[i])
	}
	e.uvarint(uint64(len(tx.Events)))
	for i := range tx.Events {
		ev := &tx.Events[i]
		e.str(ev.Contract)
		e.valueList(ev.Topics)
		e.value(&ev.Data)
		e.varint(int64(ev.OpIndex))
		e.varint(int64(ev.TxIndex))
	}
	e.bytes(tx.EnvelopeXDR)
	e.bytes(tx.ResultXDR)
	if x := tx.EVM; x != nil {
		e.evmTx(x)
	}
}

func (e *encoder) evmTx(x *EVMTransaction) {
	e.str(x.From)
	e.str(x.To)
	e.str(x.Value)
	e.bytes(x.Input)
	e.str(x.Nonce)
	e.str(x.Gas)
	e.str(x.GasPrice)
	e.str(x.MaxFeePerGas)
	e.str(x.MaxPriorityFeePerGas)
	e.uvarint(x.TransactionIndex)
	e.uvarint(uint64(len(x.Logs)))
	for i := range x.Logs {
		l := &x.Logs[i]
		e.str(l.Address)
		e.uvarint(uint64(len(l.Topics)))
		for _, t := range l.Topics {
			e.str(t)
		}
		e.bytes(l.Data)
		e.uvarint(l.LogIndex)
		e.bytes(l.Raw)
	}
	if r := x.Receipt; r != nil {
		e.buf = append(e.buf, 1)
		e.uvarint(r.Status)
		e.str(r.GasUsed)
		e.bytes(r.Raw)
	} else {
		e.buf = append(e.buf, 0)
	}
	e.bytes(x.Raw)
}

func (e *encoder) operation(op *Operation) {
	e.varint(int64(op.Index))
	e.str(string(op.Type))
	e.str(op.Name)
	e.str(op.Source)
	var payload byte
	if op.Call != nil {
		payload |= opHasCall
	}
	if op.Payment != nil {
		payload |= opHasPayment
	}
	e.buf = append(e.buf, payload)
	if c := op.Call; c != nil {
		e.str(c.Contract)
		e.str(c.Function)
		e.valueList(c.Args)
	}
	if p := op.Payment; p != nil {
		e.str(p.From)
		e.str(p.To)
		e.str(p.Asset)
		e.varint(p.Amount)
	}
}

func (e *encoder) valueList(vs []Value) {
	e.uvarint(uint64(len(vs)))
	for i := range vs {
		e.value(&vs[i])
	}
}

func (e *encoder) value(v *Value) {
	tag := byte(v.Kind)
	if v.Int != 0 {
		tag |= tagInt
	}
	if v.Text != "" {
		tag |= tagText
	}
	var container byte
	if len(v.Bytes) > 0 {
		container |= hasBytes
	}
	if len(v.Items) > 0 {
		container |= hasItems
	}
	if len(v.Entries) > 0 {
		container |= hasEntries
	}
	if container != 0 {
		tag |= tagContainer
	}
	e.buf = append(e.buf, tag)
	if v.Int != 0 {
		if signedKind(v.Kind) {
			e.varint(int64(v.Int))
		} else {
			e.uvarint(v.Int)
		}
	}
	if v.Text != "" {
		e.str(v.Text)
	}
	if container == 0 {
		return
	}
	e.buf = append(e.buf, container)
	if container&hasBytes != 0 {
		e.bytes(v.Bytes)
	}
	if container&hasItems != 0 {
		e.valueList(v.Items)
	}
	if container&hasEntries != 0 {
		e.uvarint(uint64(len(v.Entries)))
		for i := range v.Entries {
			e.value(&v.Entries[i].Key)
			e.value(&v.Entries[i].Val)
		}
	}
}

// signedKind reports whether a kind's Int is two's complement, which the
// encoding zigzags so that -1 takes one byte rather than ten.
func signedKind(k Kind) bool { return k == KindI32 || k == KindI64 }

func zigzag(x int64) uint64   { return uint64(x<<1) ^ uint64(x>>63) }
func unzigzag(u uint64) int64 { return int64(u>>1) ^ -int64(u&1) }

// UnmarshalBinary decodes MarshalBinary's output into b, replacing its
// contents. On error b is left unchanged and the error says what was wrong
// and at which byte offset of data; truncated input wraps
// io.ErrUnexpectedEOF. Decoded strings and slices do not alias data.
func (b *Block) UnmarshalBinary(data []byte) error {
	var blk Block
	if err := decodeBlock(&blk, data); err != nil {
		return fmt.Errorf("chain: unmarshal block: %w", err)
	}
	*b = blk
	return nil
}

// decoder reads the structure at off, taking string and byte contents from
// the heaps and element slices from the per-type arrays sized by the header.
type decoder struct {
	data []byte
	off  int

	text     string
	tp       int
	heap     []byte
	bp       int
	ops      []Operation
	events   []Event
	calls    []Call
	payments []Payment
	values   []Value
	entries  []MapEntry
	evmTxs   []EVMTransaction
	logs     []EVMLog
	topics   []string
	receipts []EVMReceipt
}

// decodeError names what was wrong and where; its offset is into the
// encoded block.
type decodeError struct {
	what   string
	offset int
	err    error // io.ErrUnexpectedEOF for truncation, else nil
}

func (e *decodeError) Error() string {
	if e.err != nil {
		return fmt.Sprintf("%s at offset %d: %v", e.what, e.offset, e.err)
	}
	return fmt.Sprintf("%s at offset %d", e.what, e.offset)
}

func (e *decodeError) Unwrap() error { return e.err }

func (d *decoder) fail(offset int, format string, args ...any) error {
	return &decodeError{what: fmt.Sprintf(format, args...), offset: offset}
}

func (d *decoder) truncated(offset int, what string) error {
	return &decodeError{what: what + " truncated", offset: offset, err: io.ErrUnexpectedEOF}
}

func (d *decoder) uvarint(what string) (uint64, error) {
	if d.off < len(d.data) {
		if c := d.data[d.off]; c < 0x80 {
			d.off++
			return uint64(c), nil
		}
	}
	x, n := binary.Uvarint(d.data[d.off:])
	switch {
	case n == 0:
		return 0, d.truncated(d.off, what)
	case n < 0:
		return 0, d.fail(d.off, "%s: varint overflows 64 bits", what)
	}
	d.off += n
	return x, nil
}

func (d *decoder) varint(what string) (int64, error) {
	u, err := d.uvarint(what)
	return unzigzag(u), err
}

// int reads a varint into a Go int, refusing what a 32-bit int cannot hold.
func (d *decoder) int(what string) (int, error) {
	start := d.off
	x, err := d.varint(what)
	if err != nil {
		return 0, err
	}
	if int64(int(x)) != x {
		return 0, d.fail(start, "%s: %d does not fit an int", what, x)
	}
	return int(x), nil
}

func (d *decoder) byte(what string) (byte, error) {
	if d.off >= len(d.data) {
		return 0, d.truncated(d.off, what)
	}
	c := d.data[d.off]
	d.off++
	return c, nil
}

func (d *decoder) str(what string) (string, error) {
	start := d.off
	n, err := d.uvarint(what)
	if err != nil {
		return "", err
	}
	if n > uint64(len(d.text)-d.tp) {
		return "", d.fail(start, "%s: length %d exceeds the %d bytes left in the text heap", what, n, len(d.text)-d.tp)
	}
	s := d.text[d.tp : d.tp+int(n)]
	d.tp += int(n)
	return s, nil
}

func (d *decoder) bytes(what string) ([]byte, error) {
	start := d.off
	n, err := d.uvarint(what)
	if err != nil {
		return nil, err
	}
	if n > uint64(len(d.heap)-d.bp) {
		return nil, d.fail(start, "%s: length %d exceeds the %d bytes left in the bytes heap", what, n, len(d.heap)-d.bp)
	}
	if n == 0 {
		return nil, nil
	}
	end := d.bp + int(n)
	b := d.heap[d.bp:end:end]
	d.bp = end
	return b, nil
}

// count reads an element count and checks it against what is left of the
// header's total for that element type.
func (d *decoder) count(what string, left int) (int, error) {
	start := d.off
	n, err := d.uvarint(what)
	if err != nil {
		return 0, err
	}
	if n > uint64(left) {
		return 0, d.fail(start, "%s: %d exceeds the %d left of the header's total", what, n, left)
	}
	return int(n), nil
}

func decodeBlock(b *Block, data []byte) error {
	d := decoder{data: data}
	version, err := d.byte("version")
	if err != nil {
		return err
	}
	if version != BinaryVersion {
		return d.fail(0, "unknown format version %d (want %d)", version, BinaryVersion)
	}
	var hdr [headerTotals]uint64
	names := [...]string{"text heap length", "bytes heap length", "transaction total", "operation total",
		"event total", "call total", "payment total", "value total", "map entry total",
		"EVM transaction total", "EVM log total", "EVM topic total", "EVM receipt total"}
	for i := range hdr {
		if hdr[i], err = d.uvarint(names[i]); err != nil {
			return err
		}
	}
	textLen, bytesLen := hdr[0], hdr[1]
	if textLen > uint64(len(data)-d.off) || bytesLen > uint64(len(data)-d.off)-textLen {
		return d.fail(d.off, "heaps of %d+%d bytes exceed the %d bytes left", textLen, bytesLen, len(data)-d.off)
	}
	textStart := d.off
	bytesStart := textStart + int(textLen)
	d.off = bytesStart + int(bytesLen)

	// Every element takes at least a few bytes of structure, so totals
	// that could not fit are refused before anything is allocated.
	structLen := uint64(len(data) - d.off)
	need := uint64(minBlockLen)
	for i, minLen := range [...]uint64{minTxLen, minOpLen, minEventLen, minCallLen, minPaymentLen, minValueLen, minEntryLen,
		minEVMTxLen, minLogLen, minTopicLen, minReceiptLen} {
		n := hdr[2+i]
		if n > structLen || need+n*minLen > structLen {
			return d.fail(1, "header totals need more than the %d bytes of structure (%s %d)", structLen, names[2+i], n)
		}
		need += n * minLen
	}

	d.text = string(data[textStart:bytesStart])
	if bytesLen > 0 {
		d.heap = slices.Clone(data[bytesStart : bytesStart+int(bytesLen)])
	}
	txs := alloc[Transaction](hdr[2])
	d.ops = alloc[Operation](hdr[3])
	d.events = alloc[Event](hdr[4])
	d.calls = alloc[Call](hdr[5])
	d.payments = alloc[Payment](hdr[6])
	d.values = alloc[Value](hdr[7])
	d.entries = alloc[MapEntry](hdr[8])
	d.evmTxs = alloc[EVMTransaction](hdr[9])
	d.logs = alloc[EVMLog](hdr[10])
	d.topics = alloc[string](hdr[11])
	d.receipts = alloc[EVMReceipt](hdr[12])

	if err := d.blockFields(b, txs); err != nil {
		return err
	}
	switch {
	case d.off != len(data):
		return d.fail(d.off, "%d bytes after the block", len(data)-d.off)
	case d.tp != len(d.text):
		return d.fail(d.off, "%d bytes of the text heap unused", len(d.text)-d.tp)
	case d.bp != len(d.heap):
		return d.fail(d.off, "%d bytes of the bytes heap unused", len(d.heap)-d.bp)
	case len(d.ops)+len(d.events)+len(d.calls)+len(d.payments)+len(d.values)+len(d.entries) != 0,
		len(d.evmTxs)+len(d.logs)+len(d.topics)+len(d.receipts) != 0:
		return d.fail(d.off, "header totals exceed the elements present")
	}
	return nil
}

// alloc returns nil for zero so that empty decodes as nil everywhere.
func alloc[T any](n uint64) []T {
	if n == 0 {
		return nil
	}
	return make([]T, n)
}

// take carves the next n elements off a per-type array, clipping capacity
// so that appending to one slice cannot overwrite the next.
func take[T any](pool *[]T, n int) []T {
	if n == 0 {
		return nil
	}
	s := (*pool)[:n:n]
	*pool = (*pool)[n:]
	return s
}

func (d *decoder) blockFields(b *Block, txs []Transaction) error {
	ch, err := d.str("chain")
	if err != nil {
		return err
	}
	b.Chain = Chain(ch)
	if b.Network, err = d.str("network"); err != nil {
		return err
	}
	if b.Ledger, err = d.uvarint("ledger"); err != nil {
		return err
	}
	if b.Hash, err = d.str("hash"); err != nil {
		return err
	}
	if b.ParentHash, err = d.str("parent hash"); err != nil {
		return err
	}
	sec, err := d.varint("close time seconds")
	if err != nil {
		return err
	}
	start := d.off
	nsec, err := d.uvarint("close time nanoseconds")
	if err != nil {
		return err
	}
	if nsec >= 1e9 {
		return d.fail(start, "close time nanoseconds %d out of range", nsec)
	}
	b.CloseTime = time.Unix(sec, int64(nsec)).UTC()
	start = d.off
	pv, err := d.uvarint("protocol version")
	if err != nil {
		return err
	}
	if pv > math.MaxUint32 {
		return d.fail(start, "protocol version %d overflows uint32", pv)
	}
	b.ProtocolVersion = uint32(pv)
	n, err := d.count("transaction count", len(txs))
	if err != nil {
		return err
	}
	if n != len(txs) {
		return d.fail(d.off, "transaction count %d differs from the header's %d", n, len(txs))
	}
	for i := range txs {
		if err := d.transaction(&txs[i]); err != nil {
			return fmt.Errorf("transaction %d: %w", i, err)
		}
	}
	b.Transactions = txs
	return nil
}

func (d *decoder) transaction(tx *Transaction) error {
	var err error
	if tx.Hash, err = d.str("hash"); err != nil {
		return err
	}
	if tx.Index, err = d.int("index"); err != nil {
		return err
	}
	start := d.off
	flags, err := d.byte("flags")
	if err != nil {
		return err
	}
	if flags&^(txSuccess|txFeeBump|txEVM) != 0 {
		return d.fail(start, "unknown transaction flags %#x", flags)
	}
	tx.Success = flags&txSuccess != 0
	tx.FeeBump = flags&txFeeBump != 0
	if tx.FeeCharged, err = d.varint("fee charged"); err != nil {
		return err
	}
	if tx.Source, err = d.str("source"); err != nil {
		return err
	}
	if tx.SourceMuxed, err = d.str("muxed source"); err != nil {
		return err
	}
	if tx.FeeSource, err = d.str("fee source"); err != nil {
		return err
	}
	if tx.Memo.Type, err = d.str("memo type"); err != nil {
		return err
	}
	if tx.Memo.Value, err = d.str("memo value"); err != nil {
		return err
	}
	n, err := d.count("operation count", len(d.ops))
	if err != nil {
		return err
	}
	tx.Operations = take(&d.ops, n)
	for i := range tx.Operations {
		if err := d.operation(&tx.Operations[i]); err != nil {
			return fmt.Errorf("operation %d: %w", i, err)
		}
	}
	if n, err = d.count("event count", len(d.events)); err != nil {
		return err
	}
	tx.Events = take(&d.events, n)
	for i := range tx.Events {
		if err := d.event(&tx.Events[i]); err != nil {
			return fmt.Errorf("event %d: %w", i, err)
		}
	}
	if tx.EnvelopeXDR, err = d.bytes("envelope XDR"); err != nil {
		return err
	}
	if tx.ResultXDR, err = d.bytes("result XDR"); err != nil {
		return err
	}
	if flags&txEVM != 0 {
		if len(d.evmTxs) == 0 {
			return d.fail(start, "more EVM transactions than the header's total")
		}
		x := &d.evmTxs[0]
		d.evmTxs = d.evmTxs[1:]
		if err := d.evmTx(x); err != nil {
			return fmt.Errorf("evm: %w", err)
		}
		tx.EVM = x
	}
	return nil
}

func (d *decoder) evmTx(x *EVMTransaction) error {
	var err error
	for _, f := range [...]struct {
		dst  *string
		what string
	}{{&x.From, "from"}, {&x.To, "to"}, {&x.Value, "value"}} {
		if *f.dst, err = d.str(f.what); err != nil {
			return err
		}
	}
	if x.Input, err = d.bytes("input"); err != nil {
		return err
	}
	for _, f := range [...]struct {
		dst  *string
		what string
	}{{&x.Nonce, "nonce"}, {&x.Gas, "gas"}, {&x.GasPrice, "gas price"},
		{&x.MaxFeePerGas, "max fee per gas"}, {&x.MaxPriorityFeePerGas, "max priority fee per gas"}} {
		if *f.dst, err = d.str(f.what); err != nil {
			return err
		}
	}
	if x.TransactionIndex, err = d.uvarint("transaction index"); err != nil {
		return err
	}
	n, err := d.count("log count", len(d.logs))
	if err != nil {
		return err
	}
	x.Logs = take(&d.logs, n)
	for i := range x.Logs {
		if err := d.evmLog(&x.Logs[i]); err != nil {
			return fmt.Errorf("log %d: %w", i, err)
		}
	}
	start := d.off
	has, err := d.byte("receipt presence")
	if err != nil {
		return err
	}
	switch has {
	case 0:
	case 1:
		if len(d.receipts) == 0 {
			return d.fail(start, "more receipts than the header's total")
		}
		r := &d.receipts[0]
		d.receipts = d.receipts[1:]
		if r.Status, err = d.uvarint("receipt status"); err != nil {
			return err
		}
		if r.GasUsed, err = d.str("receipt gas used"); err != nil {
			return err
		}
		if r.Raw, err = d.bytes("receipt raw"); err != nil {
			return err
		}
		x.Receipt = r
	default:
		return d.fail(start, "bad receipt presence byte %#x", has)
	}
	if x.Raw, err = d.bytes("raw"); err != nil {
		return err
	}
	return nil
}

func (d *decoder) evmLog(l *EVMLog) error {
	var err error
	if l.Address, err = d.str("address"); err != nil {
		return err
	}
	n, err := d.count("topic count", len(d.topics))
	if err != nil {
		return err
	}
	l.Topics = take(&d.topics, n)
	for i := range l.Topics {
		if l.Topics[i], err = d.str("topic"); err != nil {
			return err
		}
	}
	if l.Data, err = d.bytes("data"); err != nil {
		return err
	}
	if l.LogIndex, err = d.uvarint("log index"); err != nil {
		return err
	}
	if l.Raw, err = d.bytes("raw"); err != nil {
		return err
	}
	return nil
}

func (d *decoder) operation(op *Operation) error {
	var err error
	if op.Index, err = d.int("index"); err != nil {
		return err
	}
	typ, err := d.str("type")
	if err != nil {
		return err
	}
	op.Type = OperationType(typ)
	if op.Name, err = d.str("name"); err != nil {
		return err
	}
	if op.Source, err = d.str("source"); err != nil {
		return err
	}
	start := d.off
	payload, err := d.byte("payload bits")
	if err != nil {
		return err
	}
	if payload&^(opHasCall|opHasPayment) != 0 {
		return d.fail(start, "unknown operation payload bits %#x", payload)
	}
	if payload&opHasCall != 0 {
		if len(d.calls) == 0 {
			return d.fail(start, "more calls than the header's total")
		}
		c := &d.calls[0]
		d.calls = d.calls[1:]
		if c.Contract, err = d.str("call contract"); err != nil {
			return err
		}
		if c.Function, err = d.str("call function"); err != nil {
			return err
		}
		if c.Args, err = d.valueList("call args", 1); err != nil {
			return err
		}
		op.Call = c
	}
	if payload&opHasPayment != 0 {
		if len(d.payments) == 0 {
			return d.fail(start, "more payments than the header's total")
		}
		p := &d.payments[0]
		d.payments = d.payments[1:]
		if p.From, err = d.str("payment from"); err != nil {
			return err
		}
		if p.To, err = d.str("payment to"); err != nil {
			return err
		}
		if p.Asset, err = d.str("payment asset"); err != nil {
			return err
		}
		if p.Amount, err = d.varint("payment amount"); err != nil {
			return err
		}
		op.Payment = p
	}
	return nil
}

func (d *decoder) event(ev *Event) error {
	var err error
	if ev.Contract, err = d.str("contract"); err != nil {
		return err
	}
	if ev.Topics, err = d.valueList("topics", 1); err != nil {
		return err
	}
	if err = d.value(&ev.Data, 1); err != nil {
		return fmt.Errorf("data: %w", err)
	}
	if ev.OpIndex, err = d.int("op index"); err != nil {
		return err
	}
	if ev.TxIndex, err = d.int("tx index"); err != nil {
		return err
	}
	return nil
}

func (d *decoder) valueList(what string, depth int) ([]Value, error) {
	n, err := d.count(what, len(d.values))
	if err != nil {
		return nil, err
	}
	vs := take(&d.values, n)
	for i := range vs {
		if err := d.value(&vs[i], depth); err != nil {
			return nil, fmt.Errorf("%s[%d]: %w", what, i, err)
		}
	}
	return vs, nil
}

func (d *decoder) value(v *Value, depth int) error {
	start := d.off
	if depth > MaxValueDepth {
		return d.fail(start, "value nested deeper than %d", MaxValueDepth)
	}
	tag, err := d.byte("value tag")
	if err != nil {
		return err
	}
	v.Kind = Kind(tag & tagKindMask)
	if v.Kind > KindOther {
		return d.fail(start, "unknown value kind %d", v.Kind)
	}
	if tag&tagInt != 0 {
		u, err := d.uvarint("value int")
		if err != nil {
			return err
		}
		if signedKind(v.Kind) {
			u = uint64(unzigzag(u))
		}
		v.Int = u
	}
	if tag&tagText != 0 {
		if v.Text, err = d.str("value text"); err != nil {
			return err
		}
	}
	if tag&tagContainer == 0 {
		return nil
	}
	start = d.off
	container, err := d.byte("value container bits")
	if err != nil {
		return err
	}
	if container == 0 || container&^(hasBytes|hasItems|hasEntries) != 0 {
		return d.fail(start, "bad value container bits %#x", container)
	}
	if container&hasBytes != 0 {
		if v.Bytes, err = d.bytes("value bytes"); err != nil {
			return err
		}
	}
	if container&hasItems != 0 {
		if v.Items, err = d.valueList("items", depth+1); err != nil {
			return err
		}
	}
	if container&hasEntries != 0 {
		n, err := d.count("map entry count", len(d.entries))
		if err != nil {
			return err
		}
		v.Entries = take(&d.entries, n)
		for i := range v.Entries {
			if err := d.value(&v.Entries[i].Key, depth+1); err != nil {
				return fmt.Errorf("entries[%d] key: %w", i, err)
			}
			if err := d.value(&v.Entries[i].Val, depth+1); err != nil {
				return fmt.Errorf("entries[%d] value: %w", i, err)
			}
		}
	}
	return nil
}
