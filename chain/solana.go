package chain

import "encoding/json"

// Solana is the chain family of Solana networks; a Block's Ledger is the slot.
const Solana Chain = "solana"

// SolanaBlock carries the slot fields of a Solana block that chain.Block
// has no place for. Block.Ledger is the slot, Block.Hash the blockhash and
// Block.ParentHash the previousBlockhash (both base58, as the RPC returns
// them). It is set on every Solana block and nil elsewhere.
//
// JSON keys are OpenZeppelin Monitor's (camelCase), so a block marshals to
// the "block" object of OZ's Solana MonitorMatch once its transactions are
// added (see monitor's Solana match JSON).
type SolanaBlock struct {
	ParentSlot uint64 `json:"parentSlot"`
	// BlockTime is unix seconds; nil when the node does not know it.
	BlockTime   *int64  `json:"blockTime"`
	BlockHeight *uint64 `json:"blockHeight"`
	// Skipped marks a slot in which no block was produced (the RPC
	// answered "slot skipped"): the Block has no transactions and no
	// hash. It is cached like any block so the slot is not asked again.
	Skipped bool `json:"skipped,omitempty"`
}

// SolanaTransaction is one transaction of a Solana block in OpenZeppelin
// Monitor's model (signature hoisted, message level flattened): the shape
// OZ's fixtures, stored blocks and MonitorMatch JSON use, so it marshals to
// OZ's "transaction" object unchanged. chain.Transaction's Hash is the
// signature, Success is "meta present and meta.err null", FeeCharged the fee
// in lamports.
//
// Unlike OZ's RPC parser, ozmon keeps the address-lookup-table accounts in
// Meta.LoadedAddresses, so instruction indices resolve against the full
// account list (QS10: a deliberate superset, see docs/compatibility.md).
type SolanaTransaction struct {
	Signature string                 `json:"signature"`
	Slot      uint64                 `json:"slot"`
	BlockTime *int64                 `json:"blockTime"`
	Message   SolanaMessage          `json:"transaction"`
	Meta      *SolanaTransactionMeta `json:"meta,omitempty"`
}

// SolanaMessage is a transaction's message: static account keys,
// instructions and (v0 transactions) address-table lookups.
type SolanaMessage struct {
	AccountKeys         []string            `json:"accountKeys"`
	RecentBlockhash     string              `json:"recentBlockhash"`
	Instructions        []SolanaInstruction `json:"instructions"`
	AddressTableLookups []SolanaTableLookup `json:"addressTableLookups"`
}

// SolanaInstruction is one top-level or inner instruction. ProgramIDIndex and
// Accounts index the transaction's full account list (SolanaTransaction.Accounts).
// Data is base58, as the RPC's "json" encoding returns it.
type SolanaInstruction struct {
	ProgramIDIndex uint8           `json:"programIdIndex"`
	Accounts       []uint8         `json:"accounts"`
	Data           string          `json:"data"`
	Parsed         json.RawMessage `json:"parsed,omitempty"`
	Program        string          `json:"program,omitempty"`
	ProgramID      string          `json:"programId,omitempty"`
	// StackHeight is 1 for top-level instructions and 2+ for inner ones when
	// the node reports it; not part of OZ's model.
	StackHeight *uint32 `json:"-"`
}

// SolanaTableLookup is one address-lookup-table reference of a v0 message.
type SolanaTableLookup struct {
	AccountKey      string  `json:"accountKey"`
	WritableIndexes []uint8 `json:"writableIndexes"`
	ReadonlyIndexes []uint8 `json:"readonlyIndexes"`
}

// SolanaTransactionMeta is the execution result of a transaction.
type SolanaTransactionMeta struct {
	// Err is the RPC's err value verbatim; JSON null (or empty) means success.
	Err                  json.RawMessage           `json:"err"`
	Fee                  uint64                    `json:"fee"`
	PreBalances          []uint64                  `json:"preBalances"`
	PostBalances         []uint64                  `json:"postBalances"`
	PreTokenBalances     []SolanaTokenBalance      `json:"preTokenBalances"`
	PostTokenBalances    []SolanaTokenBalance      `json:"postTokenBalances"`
	InnerInstructions    []SolanaInnerInstructions `json:"innerInstructions"`
	LogMessages          []string                  `json:"logMessages"`
	ComputeUnitsConsumed *uint64                   `json:"computeUnitsConsumed,omitempty"`
	LoadedAddresses      *SolanaLoadedAddresses    `json:"loadedAddresses"`
}

// SolanaInnerInstructions are the instructions (CPIs) that top-level
// instruction Index invoked.
type SolanaInnerInstructions struct {
	Index        uint8               `json:"index"`
	Instructions []SolanaInstruction `json:"instructions"`
}

// SolanaLoadedAddresses are the accounts a v0 transaction loaded from
// address lookup tables, in the order the runtime appends them.
type SolanaLoadedAddresses struct {
	Writable []string `json:"writable"`
	Readonly []string `json:"readonly"`
}

// SolanaTokenBalance is an SPL token balance of one account before or after
// the transaction.
type SolanaTokenBalance struct {
	AccountIndex  uint8           `json:"accountIndex"`
	Mint          string          `json:"mint"`
	Owner         string          `json:"owner,omitempty"`
	ProgramID     string          `json:"programId,omitempty"`
	UITokenAmount json.RawMessage `json:"uiTokenAmount"`
}

// Accounts returns the transaction's full account list: static keys, then
// loaded writable, then loaded readonly addresses — the list every
// instruction index points into.
func (t *SolanaTransaction) Accounts() []string {
	keys := t.Message.AccountKeys
	if t.Meta == nil || t.Meta.LoadedAddresses == nil {
		return keys
	}
	la := t.Meta.LoadedAddresses
	out := make([]string, 0, len(keys)+len(la.Writable)+len(la.Readonly))
	out = append(out, keys...)
	out = append(out, la.Writable...)
	return append(out, la.Readonly...)
}

// ProgramID returns the program an instruction calls: its ProgramID when
// the RPC supplied one, else the account at ProgramIDIndex, else "".
func (t *SolanaTransaction) ProgramID(ix *SolanaInstruction, accounts []string) string {
	if ix.ProgramID != "" {
		return ix.ProgramID
	}
	if int(ix.ProgramIDIndex) < len(accounts) {
		return accounts[ix.ProgramIDIndex]
	}
	return ""
}

// Failed reports whether the transaction failed: no meta, or a non-null err.
func (t *SolanaTransaction) Failed() bool {
	if t.Meta == nil {
		return true
	}
	e := t.Meta.Err
	return len(e) != 0 && string(e) != "null"
}
