package chain

// Transaction is one applied transaction of a Block.
type Transaction struct {
	Hash       string `json:"hash"`  // lowercase hex, as the network hashes it
	Index      int    `json:"index"` // 1-based apply order within the ledger
	Success    bool   `json:"success"`
	FeeCharged int64  `json:"fee_charged"` // stroops
	// Source is the (inner) transaction's source account as a G… strkey;
	// SourceMuxed is its M… form when the source is muxed.
	Source      string `json:"source"`
	SourceMuxed string `json:"source_muxed,omitempty"`
	// FeeBump is set for fee-bump envelopes; Operations are then the inner
	// transaction's operations and FeeSource the fee-paying account.
	FeeBump   bool   `json:"fee_bump,omitempty"`
	FeeSource string `json:"fee_source,omitempty"`
	Memo      Memo   `json:"memo,omitzero"`

	Operations []Operation `json:"operations"`
	// Events are the contract events the transaction emitted, in order,
	// across all its operations.
	Events []Event `json:"events,omitempty"`

	// Raw XDR kept for OpenZeppelin Monitor's MonitorMatch JSON and scripts.
	// The (large) transaction meta is not kept: everything a monitor can
	// match on has been decoded out of it.
	EnvelopeXDR []byte `json:"envelope_xdr,omitempty"`
	ResultXDR   []byte `json:"result_xdr,omitempty"`

	// EVM is set on EVM networks' transactions (nil elsewhere).
	EVM *EVMTransaction `json:"evm,omitempty"`
	// Solana is set on Solana networks' transactions (nil elsewhere).
	Solana *SolanaTransaction `json:"solana,omitempty"`
	// Midnight is set on Midnight networks' transactions (nil elsewhere).
	Midnight *MidnightTransaction `json:"midnight,omitempty"`
}

// Memo is a Stellar transaction memo. Type is "none", "text", "id", "hash"
// or "return"; Value is the text, the decimal id, or the hex hash.
type Memo struct {
	Type  string `json:"type,omitempty"`
	Value string `json:"value,omitempty"`
}

// OperationType says which of Operation's payload fields is set.
type OperationType string

const (
	OpInvokeContract OperationType = "invoke_contract"
	OpPayment        OperationType = "payment"
	OpOther          OperationType = "other"
)

// Operation is one operation of a transaction.
type Operation struct {
	Index int           `json:"index"` // 0-based within the transaction
	Type  OperationType `json:"type"`
	// Name is the network's own name of the operation (e.g. "payment",
	// "invoke_host_function", "path_payment_strict_send").
	Name string `json:"name"`
	// Source is the operation-level source account, if one was set.
	Source  string   `json:"source,omitempty"`
	Call    *Call    `json:"call,omitempty"`
	Payment *Payment `json:"payment,omitempty"`
}

// Call is a top-level contract invocation.
type Call struct {
	Contract string  `json:"contract"` // C… strkey
	Function string  `json:"function"`
	Args     []Value `json:"args"`
}

// Payment is a classic payment.
type Payment struct {
	From   string `json:"from"`   // the operation's effective source (G… or M…)
	To     string `json:"to"`     // destination (G… or M…)
	Asset  string `json:"asset"`  // "native" or "CODE:ISSUER"
	Amount int64  `json:"amount"` // stroops
}

// Event is a contract event.
type Event struct {
	Contract string  `json:"contract"` // C… strkey of the emitting contract
	Topics   []Value `json:"topics"`
	Data     Value   `json:"data"`
	// OpIndex is the 0-based operation that emitted it; -1 for
	// transaction-level events (fees).
	OpIndex int `json:"op_index"`
	TxIndex int `json:"tx_index"` // the transaction's 1-based apply order
}
