package monitor

import (
	"encoding/json"
	"reflect"

	"github.com/ozmon/ozmon/chain"
)

// ABIDecoder decodes calls and logs of one EVM contract against its ABI.
// Package monitor cannot import an ABI library (it sees only package
// chain), so the caller supplies decoders through an ABISource; chain/evm
// provides the implementation.
//
// Values must be rendered as OpenZeppelin Monitor renders them
// (docs/compatibility.md#values-as-text):
// addresses and bytes lowercase 0x-hex, integers decimal, arrays
// [e1,e2], tuples (e1,e2) with strings, addresses and bytes quoted inside
// them. Kinds are the ABI type strings ("uint256", "tuple", "string[]").
//
// A decoder is shared by every monitor and block that uses it and must be
// safe for concurrent use. Returning the same pointer for every monitor of
// a contract lets the engine decode each call and log once for all of
// them.
type ABIDecoder interface {
	// DecodeCall decodes a transaction input: 4-byte selector then the
	// ABI-encoded arguments. It returns the function's signature,
	// name(canonical types) with tuples expanded ("transfer(address,uint256)",
	// "f((bool,string),uint256[])"), the selector as 8 hex digits (with or
	// without 0x) and the arguments in ABI order. An input whose selector is
	// not in the ABI, or that does not decode, returns an error.
	DecodeCall(input []byte) (signature, selectorHex string, args []chain.Arg, err error)
	// DecodeLog decodes a log: topics[0] selects the event, the other
	// topics are its indexed arguments, data the others. It returns the
	// event's signature, topics[0] as hex, and the arguments in ABI order
	// with Indexed set.
	DecodeLog(topics []string, data []byte) (signature, topicHex string, args []chain.Arg, err error)
}

// ABISource supplies the ABI decoder of one monitored EVM address on one
// network. address is lowercase 0x-hex; inline is the address's
// contract_spec from the monitor (nil when absent). Returning (nil, nil)
// means "no ABI": neither calls to nor logs of the address can match (the
// address still gates transaction conditions). An error rejects the
// monitor.
type ABISource func(network, address string, inline json.RawMessage) (ABIDecoder, error)

// CompileOption adjusts Compile.
type CompileOption func(*compileOptions)

type compileOptions struct {
	abis  ABISource
	chain chain.Chain
}

// WithABISource gives Compile the ABI decoders of EVM addresses.
func WithABISource(src ABISource) CompileOption {
	return func(o *compileOptions) { o.abis = src }
}

// WithChain states the chain the monitor runs on (that of its networks).
// Without it the chain is inferred from the addresses: all 0x-hex is EVM,
// any other address Stellar, none unknown. A block of another chain is
// refused with ErrBlockTypeMismatch, as OpenZeppelin Monitor refuses it.
func WithChain(c chain.Chain) CompileOption {
	return func(o *compileOptions) { o.chain = c }
}

// evmABI is a decoder as a compiled monitor holds it, with the key under
// which its decodings are cached in a prepared block.
type evmABI struct {
	dec ABIDecoder
	key any // dec itself when it is a pointer, else this evmABI
}

func newEVMABI(dec ABIDecoder) *evmABI {
	a := &evmABI{dec: dec}
	// Only a pointer is a safe map key: a comparable struct may still
	// hold an interface whose dynamic value panics when hashed.
	if t := reflect.TypeOf(dec); t != nil && t.Kind() == reflect.Pointer {
		a.key = dec
	} else {
		a.key = a
	}
	return a
}

// isEVMAddress reports whether a normalized address is 0x + 40 hex digits.
func isEVMAddress(a string) bool {
	if len(a) != 42 || a[0] != '0' || a[1] != 'x' {
		return false
	}
	for i := 2; i < len(a); i++ {
		c := a[i]
		if !('0' <= c && c <= '9') && !('a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// normalizeAddr is the comparison form of a monitored or observed address
// on either chain: whitespace removed and lowercased (normalizeKey), and an
// EVM address written without its 0x prefix gets it, as OpenZeppelin
// Monitor ignores the prefix.
func normalizeAddr(a string) string {
	n := normalizeKey(a)
	if len(n) == 40 && isEVMAddress("0x"+n) {
		return "0x" + n
	}
	return n
}

// inferChain guesses a monitor's chain from its normalized addresses.
func inferChain(addrs []string) chain.Chain {
	if len(addrs) == 0 {
		return ""
	}
	for _, a := range addrs {
		if !isEVMAddress(a) {
			return chain.Stellar
		}
	}
	return chain.EVM
}
