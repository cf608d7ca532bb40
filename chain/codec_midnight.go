package chain

import "fmt"

// The Midnight parts of the binary block encoding (layout in
// codec_layout.go). Like the Solana parts, lists are allocated one by one,
// each count checked against the bytes left first.

// midBlockPresent is the block's Midnight byte when it has a MidnightBlock.
const midBlockPresent = 1

func (s *sizer) midnightBlock(mb *MidnightBlock) {
	if mb == nil {
		return
	}
	s.str(mb.ChainName)
	s.str(mb.EventsError)
	for i := range mb.Events {
		ev := &mb.Events[i]
		s.str(ev.Kind)
		s.str(ev.TxHash)
		s.str(ev.Address)
		s.bytes(ev.Raw)
	}
}

func (s *sizer) midnightTx(x *MidnightTransaction) {
	s.str(x.TxHash)
	for _, id := range x.Identifiers {
		s.str(id)
	}
	for i := range x.Operations {
		op := &x.Operations[i]
		s.str(op.Kind)
		s.str(op.Address)
		s.str(op.EntryPoint)
		s.str(op.Value)
		s.bytes(op.CoinType)
		s.bytes(op.Raw)
	}
}

func (e *encoder) midnightBlock(mb *MidnightBlock) {
	if mb == nil {
		e.buf = append(e.buf, 0)
		return
	}
	e.buf = append(e.buf, midBlockPresent)
	e.str(mb.ChainName)
	e.str(mb.EventsError)
	e.uvarint(uint64(len(mb.Events)))
	for i := range mb.Events {
		ev := &mb.Events[i]
		e.str(ev.Kind)
		e.str(ev.TxHash)
		e.str(ev.Address)
		e.bytes(ev.Raw)
	}
}

func (e *encoder) midnightTx(x *MidnightTransaction) {
	e.str(x.TxHash)
	e.strs(x.Identifiers)
	e.uvarint(uint64(len(x.Operations)))
	for i := range x.Operations {
		op := &x.Operations[i]
		e.str(op.Kind)
		e.str(op.Address)
		e.str(op.EntryPoint)
		e.str(op.Value)
		e.bytes(op.CoinType)
		e.bytes(op.Raw)
	}
}

func (d *decoder) midnightBlock() (*MidnightBlock, error) {
	start := d.off
	bits, err := d.byte("midnight block presence")
	if err != nil || bits == 0 {
		return nil, err
	}
	if bits != midBlockPresent {
		return nil, d.fail(start, "unknown midnight block bits %#x", bits)
	}
	mb := &MidnightBlock{}
	if mb.ChainName, err = d.str("chain name"); err != nil {
		return nil, err
	}
	if mb.EventsError, err = d.str("events error"); err != nil {
		return nil, err
	}
	n, err := d.listLen("event count")
	if err != nil {
		return nil, err
	}
	if n > 0 {
		mb.Events = make([]MidnightEvent, n)
	}
	for i := range mb.Events {
		ev := &mb.Events[i]
		if ev.Kind, err = d.str("event kind"); err != nil {
			return nil, fmt.Errorf("event %d: %w", i, err)
		}
		if ev.TxHash, err = d.str("event tx hash"); err != nil {
			return nil, fmt.Errorf("event %d: %w", i, err)
		}
		if ev.Address, err = d.str("event address"); err != nil {
			return nil, fmt.Errorf("event %d: %w", i, err)
		}
		if ev.Raw, err = d.bytes("event raw JSON"); err != nil {
			return nil, fmt.Errorf("event %d: %w", i, err)
		}
	}
	return mb, nil
}

func (d *decoder) midnightTx() (*MidnightTransaction, error) {
	x := &MidnightTransaction{}
	var err error
	if x.TxHash, err = d.str("tx hash"); err != nil {
		return nil, err
	}
	if x.Identifiers, err = d.strs("identifiers"); err != nil {
		return nil, err
	}
	n, err := d.listLen("operation count")
	if err != nil {
		return nil, err
	}
	if n > 0 {
		x.Operations = make([]MidnightOperation, n)
	}
	for i := range x.Operations {
		op := &x.Operations[i]
		for _, f := range [...]struct {
			dst  *string
			what string
		}{{&op.Kind, "operation kind"}, {&op.Address, "operation address"}, {&op.EntryPoint, "operation entry point"}, {&op.Value, "operation value"}} {
			if *f.dst, err = d.str(f.what); err != nil {
				return nil, fmt.Errorf("operation %d: %w", i, err)
			}
		}
		if op.CoinType, err = d.bytes("operation coin type"); err != nil {
			return nil, fmt.Errorf("operation %d: %w", i, err)
		}
		if op.Raw, err = d.bytes("operation raw JSON"); err != nil {
			return nil, fmt.Errorf("operation %d: %w", i, err)
		}
	}
	return x, nil
}
