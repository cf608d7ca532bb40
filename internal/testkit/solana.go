package testkit

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"

	"github.com/mr-tron/base58"

	"github.com/ozmon/ozmon/chain"
)

// AnchorCall is one top-level instruction of an Anchor program whose first
// argument is a u64 (deposit(amount), withdraw(amount, memo), …).
type AnchorCall struct {
	Slot      uint64
	Signature string
	Amount    uint64
	Failed    bool
}

// AnchorCalls lists the top-level calls of program's instruction name in
// the blocks, read from the raw transactions (base58 data, the
// sha256("global:<name>") discriminator, a little-endian u64 after it) and
// the meta's err, so tests can compute the matches they expect
// independently of the monitor engine.
func AnchorCalls(blocks []*chain.Block, program, name string) []AnchorCall {
	sum := sha256.Sum256([]byte("global:" + name))
	disc := sum[:8]
	var out []AnchorCall
	for _, b := range blocks {
		if b == nil {
			continue
		}
		for _, tx := range b.Transactions {
			st := tx.Solana
			if st == nil {
				continue
			}
			keys := st.Message.AccountKeys
			for _, ix := range st.Message.Instructions {
				if int(ix.ProgramIDIndex) >= len(keys) || keys[ix.ProgramIDIndex] != program {
					continue
				}
				data, err := base58.Decode(ix.Data)
				if err != nil || len(data) < 16 || !bytes.Equal(data[:8], disc) {
					continue
				}
				failed := st.Meta == nil || (len(st.Meta.Err) > 0 && string(st.Meta.Err) != "null")
				out = append(out, AnchorCall{Slot: b.Ledger, Signature: st.Signature,
					Amount: binary.LittleEndian.Uint64(data[8:16]), Failed: failed})
			}
		}
	}
	return out
}

// SolanaInvokers lists the signatures of the successful and failed
// transactions in which program is called by an instruction, top-level or
// inner, its index resolved against the full account list (static keys,
// then the lookup tables' writable and readonly addresses), read from the
// raw transactions independently of the monitor engine.
func SolanaInvokers(blocks []*chain.Block, program string) []string {
	var out []string
	for _, b := range blocks {
		if b == nil {
			continue
		}
		for _, tx := range b.Transactions {
			st := tx.Solana
			if st == nil {
				continue
			}
			accounts := append([]string(nil), st.Message.AccountKeys...)
			if st.Meta != nil && st.Meta.LoadedAddresses != nil {
				accounts = append(append(accounts, st.Meta.LoadedAddresses.Writable...), st.Meta.LoadedAddresses.Readonly...)
			}
			calls := func(ix chain.SolanaInstruction) bool {
				return int(ix.ProgramIDIndex) < len(accounts) && accounts[ix.ProgramIDIndex] == program
			}
			found := false
			for _, ix := range st.Message.Instructions {
				found = found || calls(ix)
			}
			if st.Meta != nil {
				for _, inner := range st.Meta.InnerInstructions {
					for _, ix := range inner.Instructions {
						found = found || calls(ix)
					}
				}
			}
			if found {
				out = append(out, st.Signature)
			}
		}
	}
	return out
}
