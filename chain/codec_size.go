package chain

import "fmt"

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
		if x := tx.Solana; x != nil {
			s.solanaTx(x)
		}
		if x := tx.Midnight; x != nil {
			s.midnightTx(x)
		}
	}
	s.midnightBlock(b.Midnight)
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
	if depth > maxValueDepth {
		return fmt.Errorf("value nested deeper than %d", maxValueDepth)
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
