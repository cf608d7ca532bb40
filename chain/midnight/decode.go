package midnight

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/ozmon/ozmon/chain"
)

// jsonBlock is midnight_jsonBlock's block (after the second parse).
type jsonBlock struct {
	Header struct {
		ParentHash string `json:"parentHash"`
		Number     string `json:"number"`
	} `json:"header"`
	Body []json.RawMessage `json:"body"`
}

// DecodeBlock turns midnight_jsonBlock's block JSON (the string the node
// returned, parsed once more) into a chain.Block with Midnight set and no
// events; hash is the block's hash (chain_getBlockHash). Body items other
// than MidnightTransaction and Timestamp are skipped, as OpenZeppelin
// Monitor skips them. A transaction whose hash is not 32 bytes of hex, or
// whose operations do not parse, is dropped alone (QM5, our fix: OZ fails
// the whole block); a block that is not JSON of this shape is an error.
// Block number: hex header.number, 0 when it does not parse (OZ's rule).
func DecodeBlock(network, hash string, data []byte) (*chain.Block, error) {
	var jb jsonBlock
	if err := json.Unmarshal(data, &jb); err != nil {
		return nil, fmt.Errorf("decode block JSON: %w", err)
	}
	n, _ := parseHexNumber(jb.Header.Number)
	b := &chain.Block{
		Chain: chain.Midnight, Network: network, Ledger: n,
		Hash: strings.ToLower(hash), ParentHash: strings.ToLower(jb.Header.ParentHash),
		Transactions: []chain.Transaction{},
		Midnight:     &chain.MidnightBlock{},
	}
	for _, item := range jb.Body {
		kind, inner, ok := tagged(item)
		if !ok {
			continue // "UnknownTransaction", "RuntimeUpgrade", …
		}
		switch kind {
		case "Timestamp":
			ms, err := strconv.ParseInt(string(bytes.TrimSpace(inner)), 10, 64)
			if err == nil {
				b.CloseTime = time.UnixMilli(ms).UTC()
			}
		case "MidnightTransaction":
			var wrapper struct {
				Tx *chain.MidnightTransaction `json:"tx"`
			}
			if err := json.Unmarshal(inner, &wrapper); err != nil || wrapper.Tx == nil {
				continue
			}
			key := chain.MidnightHashKey(wrapper.Tx.TxHash)
			if h, err := hex.DecodeString(key); err != nil || len(h) != 32 {
				continue // QM5
			}
			b.Transactions = append(b.Transactions, chain.Transaction{
				Hash: key, Index: len(b.Transactions) + 1, Midnight: wrapper.Tx,
			})
		}
	}
	return b, nil
}

// tagged splits an externally tagged enum value written as a one-key
// object; ok is false for any other JSON (bare strings included).
func tagged(data []byte) (string, json.RawMessage, bool) {
	data = bytes.TrimSpace(data)
	if len(data) == 0 || data[0] != '{' {
		return "", nil, false
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(data, &m); err != nil || len(m) != 1 {
		return "", nil, false
	}
	for k, v := range m {
		return k, v, true
	}
	return "", nil, false
}

// DecodeEvent reads one element of midnight_decodeEvents' answer. The seven
// kinds of spec 17.3 keep their kind, transaction hash (normalised) and
// contract address (MidnightAddressKey form); anything else, or a known
// kind whose fields do not fit, is kind "Unknown". Raw is the element as
// sent.
func DecodeEvent(raw json.RawMessage) chain.MidnightEvent {
	ev := chain.MidnightEvent{Kind: chain.MidnightEventUnknown, Raw: append(json.RawMessage(nil), raw...)}
	kind, inner, ok := tagged(raw)
	if !ok {
		return ev
	}
	var f struct {
		Phase   json.RawMessage `json:"phase"`
		TxHash  *string         `json:"tx_hash"`
		Address *string         `json:"address"`
	}
	if err := json.Unmarshal(inner, &f); err != nil || len(f.Phase) == 0 {
		return ev
	}
	needHash, needAddr := true, false
	switch kind {
	case chain.MidnightEventCallContract, chain.MidnightEventDeployContract, chain.MidnightEventMaintainContract:
		needAddr = true
	case chain.MidnightEventTxApplied, chain.MidnightEventOnlyGuaranteedTxApplied, chain.MidnightEventClaimMint:
	case chain.MidnightEventPayoutMinted:
		needHash = false
	default:
		return ev
	}
	if (needHash && f.TxHash == nil) || (needAddr && f.Address == nil) {
		return ev
	}
	ev.Kind = kind
	if f.TxHash != nil {
		ev.TxHash = chain.MidnightHashKey(*f.TxHash)
	}
	if f.Address != nil {
		ev.Address = chain.MidnightAddressKey(*f.Address)
	}
	return ev
}

// SetStatuses sets each transaction's Success from the block's events: a
// transaction succeeded iff some MidnightTxApplied or
// MidnightOnlyGuaranteedTxApplied event names its hash (spec 17.4).
func SetStatuses(b *chain.Block) {
	applied := map[string]bool{}
	if b.Midnight != nil {
		for i := range b.Midnight.Events {
			if ev := &b.Midnight.Events[i]; ev.Applied() {
				applied[ev.TxHash] = true
			}
		}
	}
	for i := range b.Transactions {
		b.Transactions[i].Success = applied[b.Transactions[i].Hash]
	}
}

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
