package solana

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/ozmon/ozmon/chain"
)

// EncodeBlock is DecodeBlock's inverse: the getBlock result (json
// encoding, full details) a node would send for b, a Solana block of the
// flattened model. Simulators serve it; tests round-trip through it. A v0
// transaction (one with address-table lookups or loaded addresses) carries
// "version": 0, the others "legacy"; the message header is a plausible one
// (one signer), as the model does not keep it.
func EncodeBlock(b *chain.Block) ([]byte, error) {
	if b.Solana == nil {
		return nil, errors.New("encode block: not a Solana block")
	}
	out := encBlock{Blockhash: b.Hash, PreviousBlockhash: b.ParentHash, ParentSlot: b.Solana.ParentSlot,
		BlockTime: b.Solana.BlockTime, BlockHeight: b.Solana.BlockHeight, Transactions: make([]encTx, 0, len(b.Transactions))}
	for i := range b.Transactions {
		st := b.Transactions[i].Solana
		if st == nil {
			return nil, fmt.Errorf("encode block %d: transaction %d has no Solana model", b.Ledger, i+1)
		}
		out.Transactions = append(out.Transactions, encodeTx(st))
	}
	return json.Marshal(out)
}

// EncodeTransaction is the getTransaction-style {transaction, meta,
// version} object of one transaction, as a getBlock result lists it.
func EncodeTransaction(st *chain.SolanaTransaction) ([]byte, error) {
	return json.Marshal(encodeTx(st))
}

type encBlock struct {
	Blockhash         string  `json:"blockhash"`
	PreviousBlockhash string  `json:"previousBlockhash"`
	ParentSlot        uint64  `json:"parentSlot"`
	BlockTime         *int64  `json:"blockTime"`
	BlockHeight       *uint64 `json:"blockHeight"`
	Transactions      []encTx `json:"transactions"`
}

type encTx struct {
	Transaction encTxBody `json:"transaction"`
	Meta        *encMeta  `json:"meta"`
	Version     any       `json:"version"`
}

type encTxBody struct {
	Signatures []string   `json:"signatures"`
	Message    encMessage `json:"message"`
}

type encMessage struct {
	Header struct {
		NumRequiredSignatures       int `json:"numRequiredSignatures"`
		NumReadonlySignedAccounts   int `json:"numReadonlySignedAccounts"`
		NumReadonlyUnsignedAccounts int `json:"numReadonlyUnsignedAccounts"`
	} `json:"header"`
	AccountKeys         []string         `json:"accountKeys"`
	RecentBlockhash     string           `json:"recentBlockhash"`
	Instructions        []encInstruction `json:"instructions"`
	AddressTableLookups []encLookup      `json:"addressTableLookups,omitempty"`
}

type encInstruction struct {
	ProgramIDIndex uint8           `json:"programIdIndex"`
	Accounts       []int           `json:"accounts"`
	Data           string          `json:"data"`
	Parsed         json.RawMessage `json:"parsed,omitempty"`
	Program        string          `json:"program,omitempty"`
	ProgramID      string          `json:"programId,omitempty"`
	StackHeight    *uint32         `json:"stackHeight"`
}

type encLookup struct {
	AccountKey      string `json:"accountKey"`
	WritableIndexes []int  `json:"writableIndexes"`
	ReadonlyIndexes []int  `json:"readonlyIndexes"`
}

type encInner struct {
	Index        uint8            `json:"index"`
	Instructions []encInstruction `json:"instructions"`
}

type encMeta struct {
	Err                  json.RawMessage              `json:"err"`
	Status               map[string]json.RawMessage   `json:"status"`
	Fee                  uint64                       `json:"fee"`
	PreBalances          []uint64                     `json:"preBalances"`
	PostBalances         []uint64                     `json:"postBalances"`
	InnerInstructions    []encInner                   `json:"innerInstructions"`
	LogMessages          []string                     `json:"logMessages"`
	PreTokenBalances     []chain.SolanaTokenBalance   `json:"preTokenBalances"`
	PostTokenBalances    []chain.SolanaTokenBalance   `json:"postTokenBalances"`
	Rewards              []any                        `json:"rewards"`
	LoadedAddresses      *chain.SolanaLoadedAddresses `json:"loadedAddresses,omitempty"`
	ComputeUnitsConsumed *uint64                      `json:"computeUnitsConsumed,omitempty"`
}

func encodeTx(st *chain.SolanaTransaction) encTx {
	m := &st.Message
	t := encTx{Version: "legacy"}
	t.Transaction.Signatures = []string{}
	if st.Signature != "" {
		t.Transaction.Signatures = []string{st.Signature}
	}
	msg := &t.Transaction.Message
	msg.Header.NumRequiredSignatures = 1
	msg.AccountKeys = orEmpty(m.AccountKeys)
	msg.RecentBlockhash = m.RecentBlockhash
	msg.Instructions = encodeInstructions(m.Instructions)
	for _, l := range m.AddressTableLookups {
		msg.AddressTableLookups = append(msg.AddressTableLookups,
			encLookup{AccountKey: l.AccountKey, WritableIndexes: ints(l.WritableIndexes), ReadonlyIndexes: ints(l.ReadonlyIndexes)})
	}
	v0 := len(m.AddressTableLookups) > 0
	if mt := st.Meta; mt != nil {
		em := &encMeta{Err: json.RawMessage("null"), Fee: mt.Fee, PreBalances: orEmpty(mt.PreBalances), PostBalances: orEmpty(mt.PostBalances),
			InnerInstructions: []encInner{}, LogMessages: orEmpty(mt.LogMessages),
			PreTokenBalances: orEmpty(mt.PreTokenBalances), PostTokenBalances: orEmpty(mt.PostTokenBalances), Rewards: []any{},
			LoadedAddresses: mt.LoadedAddresses, ComputeUnitsConsumed: mt.ComputeUnitsConsumed}
		em.Status = map[string]json.RawMessage{"Ok": json.RawMessage("null")}
		if len(mt.Err) > 0 && string(mt.Err) != "null" {
			em.Err = mt.Err
			em.Status = map[string]json.RawMessage{"Err": mt.Err}
		}
		for _, g := range mt.InnerInstructions {
			em.InnerInstructions = append(em.InnerInstructions, encInner{Index: g.Index, Instructions: encodeInstructions(g.Instructions)})
		}
		if la := mt.LoadedAddresses; la != nil && len(la.Writable)+len(la.Readonly) > 0 {
			v0 = true
		}
		t.Meta = em
	}
	if v0 {
		t.Version = 0
	}
	return t
}

func encodeInstructions(in []chain.SolanaInstruction) []encInstruction {
	out := make([]encInstruction, len(in))
	for i, ix := range in {
		out[i] = encInstruction{ProgramIDIndex: ix.ProgramIDIndex, Accounts: ints(ix.Accounts), Data: ix.Data,
			Parsed: ix.Parsed, Program: ix.Program, ProgramID: ix.ProgramID, StackHeight: ix.StackHeight}
	}
	return out
}

// ints lists u8 indices as JSON numbers ([]uint8 would marshal as base64).
func ints(in []uint8) []int {
	out := make([]int, len(in))
	for i, v := range in {
		out[i] = int(v)
	}
	return out
}

func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
