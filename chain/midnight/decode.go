package midnight

import (
	"encoding/json"
	"strings"

	"github.com/ozmon/ozmon/chain"
)

// DecodeBlock turns midnight_jsonBlock's block JSON into a chain.Block
// (chain.MidnightBlockFromJSON: OZ's rules, QM5 fixed).
func DecodeBlock(network, hash string, data []byte) (*chain.Block, error) {
	return chain.MidnightBlockFromJSON(network, hash, data)
}

// DecodeEvent reads one element of midnight_decodeEvents' answer
// (chain.MidnightEventFromJSON).
func DecodeEvent(raw json.RawMessage) chain.MidnightEvent { return chain.MidnightEventFromJSON(raw) }

// SetStatuses sets each transaction's Success from the block's events
// (chain.SetMidnightStatuses).
func SetStatuses(b *chain.Block) { chain.SetMidnightStatuses(b) }

// NetworkID maps a chain name (system_chain) to the Midnight network id
// OpenZeppelin Monitor derives from it: a name containing "testnet",
// "mainnet" or "devnet" (in that order of test) is TestNet, MainNet or
// DevNet, anything else Undeployed. OZ passes it to a parameter it does
// not use; ozmon keeps it for the same reason: to show in logs.
func NetworkID(chainName string) string {
	switch n := strings.ToLower(chainName); {
	case strings.Contains(n, "testnet"):
		return "TestNet"
	case strings.Contains(n, "mainnet"):
		return "MainNet"
	case strings.Contains(n, "devnet"):
		return "DevNet"
	}
	return "Undeployed"
}
