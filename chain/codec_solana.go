package chain

import (
	"encoding/json"
	"fmt"
	"math"
)

// The Solana parts of the binary block encoding (layout in
// codec_layout.go). Strings go to the text heap and byte lists (account
// indices, raw JSON) to the bytes heap like every other field; unlike the
// Stellar and EVM parts, Solana lists are allocated one by one rather than
// carved from header totals, each count checked against the bytes left so
// that allocation stays proportional to the input.

// Solana presence bits: on the block's Solana byte and on a transaction's
// Solana header byte.
const (
	solBlockPresent   = 1
	solBlockTime      = 2
	solBlockHeight    = 4
	solBlockSkipped   = 8
	solTxBlockTime    = 1
	solTxMeta         = 2
	solTxComputeUnits = 4
	solTxLoaded       = 8
	solIxStackHeight  = 1
)

func (s *sizer) solanaTx(x *SolanaTransaction) {
	s.str(x.Signature)
	for _, k := range x.Message.AccountKeys {
		s.str(k)
	}
	s.str(x.Message.RecentBlockhash)
	s.solanaInstructions(x.Message.Instructions)
	for i := range x.Message.AddressTableLookups {
		l := &x.Message.AddressTableLookups[i]
		s.str(l.AccountKey)
		s.bytes(l.WritableIndexes)
		s.bytes(l.ReadonlyIndexes)
	}
	m := x.Meta
	if m == nil {
		return
	}
	s.bytes(m.Err)
	for _, tb := range [][]SolanaTokenBalance{m.PreTokenBalances, m.PostTokenBalances} {
		for i := range tb {
			s.str(tb[i].Mint)
			s.str(tb[i].Owner)
			s.str(tb[i].ProgramID)
			s.bytes(tb[i].UITokenAmount)
		}
	}
	for i := range m.InnerInstructions {
		s.solanaInstructions(m.InnerInstructions[i].Instructions)
	}
	for _, l := range m.LogMessages {
		s.str(l)
	}
	if la := m.LoadedAddresses; la != nil {
		for _, a := range la.Writable {
			s.str(a)
		}
		for _, a := range la.Readonly {
			s.str(a)
		}
	}
}

func (s *sizer) solanaInstructions(ixs []SolanaInstruction) {
	for i := range ixs {
		ix := &ixs[i]
		s.bytes(ix.Accounts)
		s.str(ix.Data)
		s.bytes(ix.Parsed)
		s.str(ix.Program)
		s.str(ix.ProgramID)
	}
}

// solanaBlock writes the block's Solana byte and, when present, its fields.
func (e *encoder) solanaBlock(sb *SolanaBlock) {
	if sb == nil {
		e.buf = append(e.buf, 0)
		return
	}
	bits := byte(solBlockPresent)
	if sb.BlockTime != nil {
		bits |= solBlockTime
	}
	if sb.BlockHeight != nil {
		bits |= solBlockHeight
	}
	if sb.Skipped {
		bits |= solBlockSkipped
	}
	e.buf = append(e.buf, bits)
	e.uvarint(sb.ParentSlot)
	if sb.BlockTime != nil {
		e.varint(*sb.BlockTime)
	}
	if sb.BlockHeight != nil {
		e.uvarint(*sb.BlockHeight)
	}
}

func (e *encoder) solanaTx(x *SolanaTransaction) {
	var bits byte
	if x.BlockTime != nil {
		bits |= solTxBlockTime
	}
	m := x.Meta
	if m != nil {
		bits |= solTxMeta
		if m.ComputeUnitsConsumed != nil {
			bits |= solTxComputeUnits
		}
		if m.LoadedAddresses != nil {
			bits |= solTxLoaded
		}
	}
	e.buf = append(e.buf, bits)
	e.str(x.Signature)
	e.uvarint(x.Slot)
	if x.BlockTime != nil {
		e.varint(*x.BlockTime)
	}
	e.strs(x.Message.AccountKeys)
	e.str(x.Message.RecentBlockhash)
	e.solanaInstructions(x.Message.Instructions)
	e.uvarint(uint64(len(x.Message.AddressTableLookups)))
	for i := range x.Message.AddressTableLookups {
		l := &x.Message.AddressTableLookups[i]
		e.str(l.AccountKey)
		e.bytes(l.WritableIndexes)
		e.bytes(l.ReadonlyIndexes)
	}
	if m == nil {
		return
	}
	e.bytes(m.Err)
	e.uvarint(m.Fee)
	e.uvarints(m.PreBalances)
	e.uvarints(m.PostBalances)
	for _, tb := range [][]SolanaTokenBalance{m.PreTokenBalances, m.PostTokenBalances} {
		e.uvarint(uint64(len(tb)))
		for i := range tb {
			e.buf = append(e.buf, tb[i].AccountIndex)
			e.str(tb[i].Mint)
			e.str(tb[i].Owner)
			e.str(tb[i].ProgramID)
			e.bytes(tb[i].UITokenAmount)
		}
	}
	e.uvarint(uint64(len(m.InnerInstructions)))
	for i := range m.InnerInstructions {
		e.buf = append(e.buf, m.InnerInstructions[i].Index)
		e.solanaInstructions(m.InnerInstructions[i].Instructions)
	}
	e.strs(m.LogMessages)
	if m.ComputeUnitsConsumed != nil {
		e.uvarint(*m.ComputeUnitsConsumed)
	}
	if la := m.LoadedAddresses; la != nil {
		e.strs(la.Writable)
		e.strs(la.Readonly)
	}
}

func (e *encoder) solanaInstructions(ixs []SolanaInstruction) {
	e.uvarint(uint64(len(ixs)))
	for i := range ixs {
		ix := &ixs[i]
		var bits byte
		if ix.StackHeight != nil {
			bits |= solIxStackHeight
		}
		e.buf = append(e.buf, bits, ix.ProgramIDIndex)
		e.bytes(ix.Accounts)
		e.str(ix.Data)
		e.bytes(ix.Parsed)
		e.str(ix.Program)
		e.str(ix.ProgramID)
		if ix.StackHeight != nil {
			e.uvarint(uint64(*ix.StackHeight))
		}
	}
}

func (e *encoder) strs(list []string) {
	e.uvarint(uint64(len(list)))
	for _, s := range list {
		e.str(s)
	}
}

func (e *encoder) uvarints(list []uint64) {
	e.uvarint(uint64(len(list)))
	for _, v := range list {
		e.uvarint(v)
	}
}

// listLen reads a Solana list's length: each element takes at least one
// byte of structure, so a count beyond the bytes left is refused before
// anything is allocated.
func (d *decoder) listLen(what string) (int, error) {
	start := d.off
	n, err := d.uvarint(what)
	if err != nil {
		return 0, err
	}
	if n > uint64(len(d.data)-d.off) {
		return 0, d.fail(start, "%s: %d exceeds the %d bytes left", what, n, len(d.data)-d.off)
	}
	return int(n), nil
}

func (d *decoder) solanaBlock() (*SolanaBlock, error) {
	start := d.off
	bits, err := d.byte("solana block presence")
	if err != nil || bits == 0 {
		return nil, err
	}
	if bits&^(solBlockPresent|solBlockTime|solBlockHeight|solBlockSkipped) != 0 || bits&solBlockPresent == 0 {
		return nil, d.fail(start, "unknown solana block bits %#x", bits)
	}
	sb := &SolanaBlock{Skipped: bits&solBlockSkipped != 0}
	if sb.ParentSlot, err = d.uvarint("parent slot"); err != nil {
		return nil, err
	}
	if bits&solBlockTime != 0 {
		t, err := d.varint("block time")
		if err != nil {
			return nil, err
		}
		sb.BlockTime = &t
	}
	if bits&solBlockHeight != 0 {
		h, err := d.uvarint("block height")
		if err != nil {
			return nil, err
		}
		sb.BlockHeight = &h
	}
	return sb, nil
}

func (d *decoder) solanaTx() (*SolanaTransaction, error) {
	start := d.off
	bits, err := d.byte("solana transaction bits")
	if err != nil {
		return nil, err
	}
	if bits&^(solTxBlockTime|solTxMeta|solTxComputeUnits|solTxLoaded) != 0 || (bits&solTxMeta == 0 && bits&(solTxComputeUnits|solTxLoaded) != 0) {
		return nil, d.fail(start, "unknown solana transaction bits %#x", bits)
	}
	x := &SolanaTransaction{}
	if x.Signature, err = d.str("signature"); err != nil {
		return nil, err
	}
	if x.Slot, err = d.uvarint("slot"); err != nil {
		return nil, err
	}
	if bits&solTxBlockTime != 0 {
		t, err := d.varint("block time")
		if err != nil {
			return nil, err
		}
		x.BlockTime = &t
	}
	if x.Message.AccountKeys, err = d.strs("account keys"); err != nil {
		return nil, err
	}
	if x.Message.RecentBlockhash, err = d.str("recent blockhash"); err != nil {
		return nil, err
	}
	if x.Message.Instructions, err = d.solanaInstructions(); err != nil {
		return nil, fmt.Errorf("instructions: %w", err)
	}
	n, err := d.listLen("lookup count")
	if err != nil {
		return nil, err
	}
	if n > 0 {
		x.Message.AddressTableLookups = make([]SolanaTableLookup, n)
		for i := range x.Message.AddressTableLookups {
			l := &x.Message.AddressTableLookups[i]
			if l.AccountKey, err = d.str("lookup table"); err != nil {
				return nil, err
			}
			if l.WritableIndexes, err = d.bytes("writable indexes"); err != nil {
				return nil, err
			}
			if l.ReadonlyIndexes, err = d.bytes("readonly indexes"); err != nil {
				return nil, err
			}
		}
	}
	if bits&solTxMeta == 0 {
		return x, nil
	}
	m := &SolanaTransactionMeta{}
	x.Meta = m
	errJSON, err := d.bytes("err")
	if err != nil {
		return nil, err
	}
	m.Err = json.RawMessage(errJSON)
	if m.Fee, err = d.uvarint("fee"); err != nil {
		return nil, err
	}
	if m.PreBalances, err = d.uvarints("pre balances"); err != nil {
		return nil, err
	}
	if m.PostBalances, err = d.uvarints("post balances"); err != nil {
		return nil, err
	}
	for _, dst := range []*[]SolanaTokenBalance{&m.PreTokenBalances, &m.PostTokenBalances} {
		n, err := d.listLen("token balance count")
		if err != nil {
			return nil, err
		}
		if n == 0 {
			continue
		}
		tb := make([]SolanaTokenBalance, n)
		for i := range tb {
			if tb[i].AccountIndex, err = d.byte("token account index"); err != nil {
				return nil, err
			}
			if tb[i].Mint, err = d.str("mint"); err != nil {
				return nil, err
			}
			if tb[i].Owner, err = d.str("owner"); err != nil {
				return nil, err
			}
			if tb[i].ProgramID, err = d.str("token program"); err != nil {
				return nil, err
			}
			amount, err := d.bytes("ui token amount")
			if err != nil {
				return nil, err
			}
			tb[i].UITokenAmount = json.RawMessage(amount)
		}
		*dst = tb
	}
	if n, err = d.listLen("inner instruction groups"); err != nil {
		return nil, err
	}
	if n > 0 {
		m.InnerInstructions = make([]SolanaInnerInstructions, n)
		for i := range m.InnerInstructions {
			g := &m.InnerInstructions[i]
			if g.Index, err = d.byte("inner index"); err != nil {
				return nil, err
			}
			if g.Instructions, err = d.solanaInstructions(); err != nil {
				return nil, fmt.Errorf("inner group %d: %w", i, err)
			}
		}
	}
	if m.LogMessages, err = d.strs("log messages"); err != nil {
		return nil, err
	}
	if bits&solTxComputeUnits != 0 {
		cu, err := d.uvarint("compute units")
		if err != nil {
			return nil, err
		}
		m.ComputeUnitsConsumed = &cu
	}
	if bits&solTxLoaded != 0 {
		la := &SolanaLoadedAddresses{}
		if la.Writable, err = d.strs("loaded writable"); err != nil {
			return nil, err
		}
		if la.Readonly, err = d.strs("loaded readonly"); err != nil {
			return nil, err
		}
		m.LoadedAddresses = la
	}
	return x, nil
}

func (d *decoder) solanaInstructions() ([]SolanaInstruction, error) {
	n, err := d.listLen("instruction count")
	if err != nil || n == 0 {
		return nil, err
	}
	out := make([]SolanaInstruction, n)
	for i := range out {
		ix := &out[i]
		start := d.off
		bits, err := d.byte("instruction bits")
		if err != nil {
			return nil, err
		}
		if bits&^solIxStackHeight != 0 {
			return nil, d.fail(start, "unknown instruction bits %#x", bits)
		}
		if ix.ProgramIDIndex, err = d.byte("program index"); err != nil {
			return nil, err
		}
		if ix.Accounts, err = d.bytes("accounts"); err != nil {
			return nil, err
		}
		if ix.Data, err = d.str("data"); err != nil {
			return nil, err
		}
		parsed, err := d.bytes("parsed")
		if err != nil {
			return nil, err
		}
		ix.Parsed = json.RawMessage(parsed)
		if ix.Program, err = d.str("program"); err != nil {
			return nil, err
		}
		if ix.ProgramID, err = d.str("program id"); err != nil {
			return nil, err
		}
		if bits&solIxStackHeight != 0 {
			start := d.off
			h, err := d.uvarint("stack height")
			if err != nil {
				return nil, err
			}
			if h > math.MaxUint32 {
				return nil, d.fail(start, "stack height %d overflows uint32", h)
			}
			h32 := uint32(h)
			ix.StackHeight = &h32
		}
	}
	return out, nil
}

func (d *decoder) strs(what string) ([]string, error) {
	n, err := d.listLen(what)
	if err != nil || n == 0 {
		return nil, err
	}
	out := make([]string, n)
	for i := range out {
		if out[i], err = d.str(what); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (d *decoder) uvarints(what string) ([]uint64, error) {
	n, err := d.listLen(what)
	if err != nil || n == 0 {
		return nil, err
	}
	out := make([]uint64, n)
	for i := range out {
		if out[i], err = d.uvarint(what); err != nil {
			return nil, err
		}
	}
	return out, nil
}
