package monitor

import (
	"strings"

	"github.com/ozmon/ozmon/chain"
)

// evmZeroAddress is what the original reports as the sender it does not
// know.
const evmZeroAddress = "0x0000000000000000000000000000000000000000"

// addEVMTransactionVars adds the EVM transaction keys
// (docs/compatibility.md#template-variables): the hash and
// addresses lowercase 0x-hex, the value in decimal wei, and no
// transaction.to for a contract creation.
func addEVMTransactionVars(vars map[string]string, tx *chain.Transaction) {
	e := tx.EVM
	vars["transaction.hash"] = strings.ToLower(tx.Hash)
	from := strings.ToLower(e.From)
	if from == "" {
		from = evmZeroAddress
	}
	vars["transaction.from"] = from
	if e.To != "" {
		vars["transaction.to"] = strings.ToLower(e.To)
	}
	value := e.Value
	if value == "" {
		value = "0"
	}
	vars["transaction.value"] = value
}
