package evm

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"

	"github.com/ozmon/ozmon/chain"
)

// ABI is a parsed contract ABI. It decodes calls and logs into chain.Args
// rendered as OpenZeppelin Monitor renders them, and
// satisfies monitor.ABIDecoder. It is immutable and safe for concurrent
// use.
type ABI struct {
	abi abi.ABI
}

// parseABI parses a JSON ABI (the array a monitor's contract_spec holds).
func parseABI(data []byte) (*ABI, error) {
	a, err := abi.JSON(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("parse ABI: %w", err)
	}
	return &ABI{abi: a}, nil
}

// abiFunction is an ABI function as matching sees it.
type abiFunction struct {
	Name      string
	Signature string  // name(canonical types), tuples expanded
	Selector  [4]byte // first 4 bytes of keccak256(Signature)
	method    *abi.Method
}

// abiEvent is an ABI event as matching sees it.
type abiEvent struct {
	Name      string
	Signature string      // Name(canonical types)
	Topic     common.Hash // keccak256(Signature), the logs' topics[0]
	event     *abi.Event
}

// functionBySelector finds the function a call's first 4 bytes select.
func (a *ABI) functionBySelector(sel [4]byte) (*abiFunction, error) {
	m, err := a.abi.MethodById(sel[:])
	if err != nil {
		return nil, fmt.Errorf("selector 0x%x: %w", sel, err)
	}
	f := &abiFunction{Name: m.RawName, Signature: m.Sig, method: m}
	copy(f.Selector[:], m.ID)
	return f, nil
}

// eventByTopic finds the (non-anonymous) event whose topic0 this is.
func (a *ABI) eventByTopic(topic0 common.Hash) (*abiEvent, error) {
	e, err := a.abi.EventByID(topic0)
	if err != nil {
		return nil, fmt.Errorf("event topic %s: %w", topic0.Hex(), err)
	}
	return &abiEvent{Name: e.RawName, Signature: e.Sig, Topic: e.ID, event: e}, nil
}

// DecodeCall decodes a transaction input against the ABI: it returns the
// function's canonical signature, its selector as 8 lowercase hex digits
// (no 0x) and the arguments in ABI order. An unknown selector or an input
// that does not decode is an error, never a panic.
func (a *ABI) DecodeCall(input []byte) (signature, selectorHex string, args []chain.Arg, err error) {
	defer recoverDecode(&err)
	if len(input) < 4 {
		return "", "", nil, fmt.Errorf("decode call: input of %d bytes has no selector", len(input))
	}
	f, err := a.functionBySelector([4]byte(input[:4]))
	if err != nil {
		return "", "", nil, fmt.Errorf("decode call: %w", err)
	}
	vals, err := f.method.Inputs.Unpack(input[4:])
	if err != nil {
		return "", "", nil, fmt.Errorf("decode call %s: %w", f.Signature, err)
	}
	if len(vals) != len(f.method.Inputs) {
		return "", "", nil, fmt.Errorf("decode call %s: %d values for %d inputs", f.Signature, len(vals), len(f.method.Inputs))
	}
	args = make([]chain.Arg, len(vals))
	for i, in := range f.method.Inputs {
		s, err := renderValue(in.Type, vals[i])
		if err != nil {
			return "", "", nil, fmt.Errorf("decode call %s: input %q: %w", f.Signature, in.Name, err)
		}
		args[i] = chain.Arg{Name: in.Name, Value: s, Kind: kind(in.Type)}
	}
	return f.Signature, hex.EncodeToString(f.Selector[:]), args, nil
}

// DecodeLog decodes a log against the ABI: topics[0] (0x hex) selects the
// event, the other topics are its indexed inputs, data the others. It
// returns the event's signature, topics[0] lowercase with 0x, and the
// arguments in ABI order with Indexed set. An indexed input of a dynamic
// type (string, bytes, array, tuple) is only its hash in the topic and is
// rendered as that 0x hash.
func (a *ABI) DecodeLog(topics []string, data []byte) (signature, topicHex string, args []chain.Arg, err error) {
	defer recoverDecode(&err)
	if len(topics) == 0 {
		return "", "", nil, errors.New("decode log: no topics (anonymous event)")
	}
	hashes := make([]common.Hash, len(topics))
	for i, t := range topics {
		h, err := parseHash(t)
		if err != nil {
			return "", "", nil, fmt.Errorf("decode log: topic %d: %w", i, err)
		}
		hashes[i] = common.HexToHash(h)
	}
	ev, err := a.eventByTopic(hashes[0])
	if err != nil {
		return "", "", nil, fmt.Errorf("decode log: %w", err)
	}
	inputs := ev.event.Inputs
	nIndexed := 0
	for _, in := range inputs {
		if in.Indexed {
			nIndexed++
		}
	}
	if nIndexed != len(topics)-1 {
		return "", "", nil, fmt.Errorf("decode log %s: %d indexed inputs but %d topics", ev.Signature, nIndexed, len(topics)-1)
	}
	vals, err := inputs.NonIndexed().Unpack(data)
	if err != nil {
		return "", "", nil, fmt.Errorf("decode log %s: data: %w", ev.Signature, err)
	}
	args = make([]chain.Arg, len(inputs))
	ti, vi := 1, 0
	for i, in := range inputs {
		arg := chain.Arg{Name: in.Name, Kind: kind(in.Type), Indexed: in.Indexed}
		if in.Indexed {
			topic := hashes[ti]
			ti++
			if isHashedInTopic(in.Type) {
				arg.Value = "0x" + hex.EncodeToString(topic[:])
			} else {
				v, err := abi.Arguments{{Name: in.Name, Type: in.Type}}.Unpack(topic[:])
				if err != nil || len(v) != 1 {
					return "", "", nil, fmt.Errorf("decode log %s: indexed input %q: %v", ev.Signature, in.Name, err)
				}
				if arg.Value, err = renderValue(in.Type, v[0]); err != nil {
					return "", "", nil, fmt.Errorf("decode log %s: indexed input %q: %w", ev.Signature, in.Name, err)
				}
			}
		} else {
			if vi >= len(vals) {
				return "", "", nil, fmt.Errorf("decode log %s: too few values in data", ev.Signature)
			}
			if arg.Value, err = renderValue(in.Type, vals[vi]); err != nil {
				return "", "", nil, fmt.Errorf("decode log %s: input %q: %w", ev.Signature, in.Name, err)
			}
			vi++
		}
		args[i] = arg
	}
	return ev.Signature, "0x" + hex.EncodeToString(hashes[0][:]), args, nil
}

// isHashedInTopic reports whether an indexed input of type t is stored as
// its keccak256 hash rather than its value.
func isHashedInTopic(t abi.Type) bool {
	switch t.T {
	case abi.StringTy, abi.BytesTy, abi.SliceTy, abi.ArrayTy, abi.TupleTy:
		return true
	}
	return false
}

// kind is the ABI type string OpenZeppelin Monitor reports for an
// argument: "uint256", "address", "tuple", "tuple[]", "string[]"….
func kind(t abi.Type) string {
	switch t.T {
	case abi.TupleTy:
		return "tuple"
	case abi.SliceTy:
		return kind(*t.Elem) + "[]"
	case abi.ArrayTy:
		return fmt.Sprintf("%s[%d]", kind(*t.Elem), t.Size)
	}
	return t.String()
}

func recoverDecode(err *error) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("abi decode: malformed input: %v", r)
	}
}
