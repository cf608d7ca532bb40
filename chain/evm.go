package chain

import "encoding/json"

// EVMTransaction carries what an EVM monitor can match on beyond the
// chain-agnostic Transaction fields (Hash, Index, Success). It is set on
// every transaction of an EVM network's Block and nil on Stellar.
//
// Big integers are exact decimal strings (uint256 never goes through a
// float); addresses and hashes are lowercase 0x-prefixed hex.
type EVMTransaction struct {
	From  string `json:"from"`
	To    string `json:"to,omitempty"` // "" for contract creation
	Value string `json:"value"`        // wei, decimal
	Input []byte `json:"input,omitempty"`
	Nonce string `json:"nonce"`
	// Gas is the gas limit; GasPrice, MaxFeePerGas and
	// MaxPriorityFeePerGas are "" when the transaction type lacks them.
	Gas                  string `json:"gas"`
	GasPrice             string `json:"gas_price,omitempty"`
	MaxFeePerGas         string `json:"max_fee_per_gas,omitempty"`
	MaxPriorityFeePerGas string `json:"max_priority_fee_per_gas,omitempty"`
	TransactionIndex     uint64 `json:"transaction_index"`
	// Logs are the logs the transaction emitted, in log-index order.
	Logs []EVMLog `json:"logs,omitempty"`
	// Receipt is fetched only when some monitor needs status or gas_used.
	Receipt *EVMReceipt `json:"receipt,omitempty"`
	// Raw is the eth_getBlockByNumber transaction object, kept verbatim for
	// OpenZeppelin Monitor's MonitorMatch JSON.
	Raw json.RawMessage `json:"raw,omitempty"`
}

// EVMLog is one log (event) of a transaction.
type EVMLog struct {
	Address  string   `json:"address"` // emitting contract, lowercase hex
	Topics   []string `json:"topics"`  // 0x-prefixed 32-byte hex; Topics[0] is the event selector
	Data     []byte   `json:"data,omitempty"`
	LogIndex uint64   `json:"log_index"`
	// Raw is the eth_getLogs object, kept verbatim for MonitorMatch JSON.
	Raw json.RawMessage `json:"raw,omitempty"`
}

// EVMReceipt is the part of a transaction receipt monitors use.
type EVMReceipt struct {
	Status  uint64          `json:"status"` // 1 success, 0 failure
	GasUsed string          `json:"gas_used"`
	Raw     json.RawMessage `json:"raw,omitempty"`
}
