package chain

import (
	"fmt"
	"math"
	"slices"
	"time"
)

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

func decodeBlock(b *Block, data []byte) error {
	d := decoder{data: data}
	version, err := d.byte("version")
	if err != nil {
		return err
	}
	if version != binaryVersion {
		return d.fail(0, "unknown format version %d (want %d)", version, binaryVersion)
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
	var err2 error
	if b.Solana, err2 = d.solanaBlock(); err2 != nil {
		return fmt.Errorf("solana: %w", err2)
	}
	if b.Midnight, err2 = d.midnightBlock(); err2 != nil {
		return fmt.Errorf("midnight: %w", err2)
	}
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
	if flags&^(txSuccess|txFeeBump|txEVM|txSolana|txMidnight) != 0 {
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
	if flags&txSolana != 0 {
		x, err := d.solanaTx()
		if err != nil {
			return fmt.Errorf("solana: %w", err)
		}
		tx.Solana = x
	}
	if flags&txMidnight != 0 {
		x, err := d.midnightTx()
		if err != nil {
			return fmt.Errorf("midnight: %w", err)
		}
		tx.Midnight = x
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
	if depth > maxValueDepth {
		return d.fail(start, "value nested deeper than %d", maxValueDepth)
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
