package chain

import (
	"encoding/binary"
	"fmt"
	"slices"
)

// MarshalBinary encodes b in the binary format described in codec_layout.go.
func (b *Block) MarshalBinary() ([]byte, error) {
	return b.AppendBinary(nil)
}

// AppendBinary appends b's binary encoding to dst (encoding.BinaryAppender).
// It fails only for a block no decoder could produce: a Value of unknown
// Kind or nested deeper than 128 levels (maxValueDepth).
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
	dst = append(dst, binaryVersion)
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
	e.solanaBlock(b.Solana)
	e.midnightBlock(b.Midnight)
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
	if tx.Solana != nil {
		flags |= txSolana
	}
	if tx.Midnight != nil {
		flags |= txMidnight
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
	if x := tx.Solana; x != nil {
		e.solanaTx(x)
	}
	if x := tx.Midnight; x != nil {
		e.midnightTx(x)
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
