package chain

import (
	"encoding/hex"
	"encoding/json"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Midnight is the chain family of Midnight networks; a Block's Ledger is the
// block number.
const Midnight Chain = "midnight"

// MidnightBlock carries what a Midnight block has beyond chain.Block: the
// node's chain name (system_chain) and the block's decoded events
// (midnight_decodeEvents of its System.Events storage). Block.Ledger is
// header.number, Block.Hash the block hash (chain_getBlockHash, lowercase
// hex with 0x, as the node returns it), Block.ParentHash header.parentHash
// and Block.CloseTime the body's Timestamp item (zero when absent).
//
// Events are fetched with the block so that evaluation needs no RPC call;
// EventsError is set (and Events empty) when they could not be read, in
// which case every transaction counts as failed, as in OpenZeppelin
// Monitor (QM3).
type MidnightBlock struct {
	ChainName   string          `json:"chain_name"`
	Events      []MidnightEvent `json:"events"`
	EventsError string          `json:"events_error,omitempty"`
}

// MidnightTransaction is one MidnightTransaction body item's tx object, in
// OpenZeppelin Monitor's model: it marshals to the "transaction" object of
// OZ's Midnight MonitorMatch unchanged. TxHash is as the node wrote it (no
// 0x); chain.Transaction.Hash is its normalised form (MidnightHashKey).
type MidnightTransaction struct {
	TxHash      string              `json:"tx_hash"`
	Operations  []MidnightOperation `json:"operations"`
	Identifiers []string            `json:"identifiers"`
}

// Midnight operation kinds (the externally tagged variants of the node's
// block JSON).
const (
	MidnightCall            = "Call"
	MidnightDeploy          = "Deploy"
	MidnightMaintain        = "Maintain"
	MidnightClaimMint       = "ClaimMint"
	MidnightFallibleCoins   = "FallibleCoins"
	MidnightGuaranteedCoins = "GuaranteedCoins"
)

// MidnightOperation is one operation of a Midnight transaction. Kind says
// which fields are set: Call has Address and EntryPoint (hex of the UTF-8
// circuit name), Deploy and Maintain an Address, ClaimMint Value (a u128 in
// decimal, exact) and CoinType (verbatim JSON), FallibleCoins and
// GuaranteedCoins nothing. A kind this version does not know keeps its
// tag and, in Raw, the whole element as the node wrote it.
type MidnightOperation struct {
	Kind       string
	Address    string
	EntryPoint string
	Value      string
	CoinType   json.RawMessage
	Raw        json.RawMessage // unknown kinds only
}

// EntryPointName is the Call's circuit name (the entry point hex decoded as
// UTF-8); ok is false when the entry point is not hex or not UTF-8
// (OpenZeppelin Monitor drops such a call from function matching).
func (o *MidnightOperation) EntryPointName() (string, bool) {
	b, err := hex.DecodeString(strings.TrimPrefix(o.EntryPoint, "0x"))
	if err != nil || !utf8.Valid(b) {
		return "", false
	}
	return string(b), true
}

// Midnight event kinds (midnight_decodeEvents' externally tagged variants);
// an element of another shape is kept as MidnightEventUnknown.
const (
	MidnightEventCallContract            = "MidnightCallContract"
	MidnightEventDeployContract          = "MidnightDeployContract"
	MidnightEventMaintainContract        = "MidnightMaintainContract"
	MidnightEventTxApplied               = "MidnightTxApplied"
	MidnightEventOnlyGuaranteedTxApplied = "MidnightOnlyGuaranteedTxApplied"
	MidnightEventPayoutMinted            = "MidnightPayoutMinted"
	MidnightEventClaimMint               = "MidnightClaimMint"
	MidnightEventUnknown                 = "Unknown"
)

// MidnightEvent is one decoded event of a block: its kind, the fields
// matching reads (the transaction hash, normalised; the contract address,
// when the kind has one) and the element verbatim.
type MidnightEvent struct {
	Kind    string          `json:"kind"`
	TxHash  string          `json:"tx_hash,omitempty"`
	Address string          `json:"address,omitempty"`
	Raw     json.RawMessage `json:"raw,omitempty"`
}

// Applied reports whether the event says a transaction was applied
// (MidnightTxApplied or MidnightOnlyGuaranteedTxApplied): what makes its
// status Success.
func (e *MidnightEvent) Applied() bool {
	return e.Kind == MidnightEventTxApplied || e.Kind == MidnightEventOnlyGuaranteedTxApplied
}

// MidnightHashKey is OpenZeppelin Monitor's comparison form of a Midnight
// transaction hash: 0x prefix stripped, whitespace removed, lowercased
// (spec MID12).
func MidnightHashKey(h string) string {
	s := stripSpaceLower(h)
	return strings.TrimPrefix(s, "0x")
}

// MidnightAddressKey is OpenZeppelin Monitor's comparison form of a Midnight
// contract address: MidnightHashKey, then, when that is 35 bytes of hex,
// without its first 3 bytes (the network prefix such as 020200). 32-byte
// and non-hex addresses are otherwise unchanged.
func MidnightAddressKey(a string) string {
	s := MidnightHashKey(a)
	if len(s) == 70 {
		if _, err := hex.DecodeString(s); err == nil {
			return s[6:]
		}
	}
	return s
}

func stripSpaceLower(s string) string {
	clean := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 0x80 || ('A' <= c && c <= 'Z') || c == ' ' || ('\t' <= c && c <= '\r') {
			clean = false
			break
		}
	}
	if clean {
		return s // the usual case: node hashes are lowercase hex
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if unicode.IsSpace(r) {
			continue
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}
