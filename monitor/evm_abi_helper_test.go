package monitor_test

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"strings"

	"github.com/ozmon/ozmon/chain"
	"golang.org/x/crypto/sha3"
)

// testABI is a small ABI decoder for the tests: enough of the Solidity ABI
// (integers, address, bool, bytes, string, fixed bytes, arrays, tuples) to
// decode the fixtures and the synthetic blocks, rendering values as
// docs/compatibility.md#values-as-text says. Production code gets its decoders from chain/evm; this one keeps
// the engine's tests independent of it.
type testABI struct {
	functions map[string]*testABIItem // selector hex → function
	events    map[string]*testABIItem // topic0 hex (0x…) → event
}

type testABIItem struct {
	name      string
	signature string
	selector  string
	inputs    []testABIParam
}

type testABIParam struct {
	Name       string         `json:"name"`
	Type       string         `json:"type"`
	Indexed    bool           `json:"indexed"`
	Components []testABIParam `json:"components"`
}

func keccak(s string) []byte {
	h := sha3.NewLegacyKeccak256()
	h.Write([]byte(s))
	return h.Sum(nil)
}

// parseTestABI reads an ABI JSON array.
func parseTestABI(data []byte) (*testABI, error) {
	var items []struct {
		Type   string         `json:"type"`
		Name   string         `json:"name"`
		Inputs []testABIParam `json:"inputs"`
	}
	if err := json.Unmarshal(data, &items); err != nil {
		return nil, fmt.Errorf("parse abi: %w", err)
	}
	a := &testABI{functions: map[string]*testABIItem{}, events: map[string]*testABIItem{}}
	for _, it := range items {
		if it.Type != "function" && it.Type != "event" {
			continue
		}
		types := make([]string, len(it.Inputs))
		for i, p := range it.Inputs {
			types[i] = canonicalType(p)
		}
		sig := it.Name + "(" + strings.Join(types, ",") + ")"
		h := hex.EncodeToString(keccak(sig))
		item := &testABIItem{name: it.Name, signature: sig, inputs: it.Inputs}
		if it.Type == "function" {
			item.selector = h[:8]
			a.functions[item.selector] = item
		} else {
			item.selector = h
			a.events["0x"+h] = item
		}
	}
	return a, nil
}

func canonicalType(p testABIParam) string {
	if rest, ok := strings.CutPrefix(p.Type, "tuple"); ok {
		parts := make([]string, len(p.Components))
		for i, c := range p.Components {
			parts[i] = canonicalType(c)
		}
		return "(" + strings.Join(parts, ",") + ")" + rest
	}
	return p.Type
}

func (a *testABI) DecodeCall(input []byte) (string, string, []chain.Arg, error) {
	if len(input) < 4 {
		return "", "", nil, errors.New("short input")
	}
	f := a.functions[hex.EncodeToString(input[:4])]
	if f == nil {
		return "", "", nil, errors.New("unknown selector")
	}
	vals, err := decodeParams(f.inputs, input[4:])
	if err != nil {
		return "", "", nil, err
	}
	args := make([]chain.Arg, len(f.inputs))
	for i, p := range f.inputs {
		args[i] = chain.Arg{Name: p.Name, Value: vals[i].render(false), Kind: p.Type}
	}
	return f.signature, f.selector, args, nil
}

func (a *testABI) DecodeLog(topics []string, data []byte) (string, string, []chain.Arg, error) {
	if len(topics) == 0 {
		return "", "", nil, errors.New("no topics")
	}
	ev := a.events[strings.ToLower(topics[0])]
	if ev == nil {
		return "", "", nil, errors.New("unknown event")
	}
	var plain []testABIParam
	for _, p := range ev.inputs {
		if !p.Indexed {
			plain = append(plain, p)
		}
	}
	vals, err := decodeParams(plain, data)
	if err != nil {
		return "", "", nil, err
	}
	args := make([]chain.Arg, 0, len(ev.inputs))
	ti, di := 1, 0
	for _, p := range ev.inputs {
		if p.Indexed {
			if ti >= len(topics) {
				return "", "", nil, errors.New("missing topic")
			}
			word, err := hex.DecodeString(strings.TrimPrefix(topics[ti], "0x"))
			if err != nil || len(word) != 32 {
				return "", "", nil, errors.New("bad topic")
			}
			ti++
			v := abiValue{kind: "bytes", raw: word} // dynamic indexed values are hashed
			if isStaticType(p) {
				if v, err = decodeAt(p, word, 0, 0); err != nil {
					return "", "", nil, err
				}
			}
			args = append(args, chain.Arg{Name: p.Name, Value: v.render(false), Kind: p.Type, Indexed: true})
			continue
		}
		args = append(args, chain.Arg{Name: p.Name, Value: vals[di].render(false), Kind: p.Type})
		di++
	}
	return ev.signature, strings.ToLower(topics[0]), args, nil
}

// abiValue is a decoded value before rendering.
type abiValue struct {
	kind  string // "int", "address", "bool", "bytes", "string", "array", "tuple"
	num   *big.Int
	raw   []byte
	str   string
	b     bool
	elems []abiValue
}

// render follows docs/compatibility.md#values-as-text: nested strings, addresses and bytes are quoted.
func (v abiValue) render(nested bool) string {
	q := func(s string) string {
		if nested {
			return `"` + s + `"`
		}
		return s
	}
	switch v.kind {
	case "int":
		return v.num.String()
	case "address", "bytes":
		return q("0x" + hex.EncodeToString(v.raw))
	case "bool":
		return strconv.FormatBool(v.b)
	case "string":
		return q(v.str)
	case "array", "tuple":
		parts := make([]string, len(v.elems))
		for i, e := range v.elems {
			parts[i] = e.render(true)
		}
		if v.kind == "array" {
			return "[" + strings.Join(parts, ",") + "]"
		}
		return "(" + strings.Join(parts, ",") + ")"
	}
	return ""
}

// arrayType splits "T[]" / "T[k]" into the element and the length (-1:
// dynamic).
func arrayType(p testABIParam) (elem testABIParam, n int, ok bool) {
	if !strings.HasSuffix(p.Type, "]") {
		return p, 0, false
	}
	i := strings.LastIndexByte(p.Type, '[')
	elem = p
	elem.Type = p.Type[:i]
	if p.Type[i+1:len(p.Type)-1] == "" {
		return elem, -1, true
	}
	n, err := strconv.Atoi(p.Type[i+1 : len(p.Type)-1])
	if err != nil {
		return elem, 0, false
	}
	return elem, n, true
}

func isStaticType(p testABIParam) bool {
	if elem, n, ok := arrayType(p); ok {
		return n >= 0 && isStaticType(elem)
	}
	switch {
	case p.Type == "string" || p.Type == "bytes":
		return false
	case p.Type == "tuple":
		for _, c := range p.Components {
			if !isStaticType(c) {
				return false
			}
		}
	}
	return true
}

// headSize is the bytes a value takes in the head of its enclosing tuple.
func headSize(p testABIParam) int {
	if !isStaticType(p) {
		return 32
	}
	if elem, n, ok := arrayType(p); ok {
		return n * headSize(elem)
	}
	if p.Type == "tuple" {
		s := 0
		for _, c := range p.Components {
			s += headSize(c)
		}
		return s
	}
	return 32
}

func decodeParams(ps []testABIParam, data []byte) ([]abiValue, error) {
	out := make([]abiValue, len(ps))
	pos := 0
	for i, p := range ps {
		v, err := decodeAt(p, data, 0, pos)
		if err != nil {
			return nil, fmt.Errorf("param %s: %w", p.Name, err)
		}
		out[i] = v
		pos += headSize(p)
	}
	return out, nil
}

func word(data []byte, at int) ([]byte, error) {
	if at < 0 || at+32 > len(data) {
		return nil, errors.New("out of bounds")
	}
	return data[at : at+32], nil
}

func wordInt(data []byte, at int) (int, error) {
	w, err := word(data, at)
	if err != nil {
		return 0, err
	}
	n := new(big.Int).SetBytes(w)
	if !n.IsInt64() || n.Int64() > int64(len(data)) {
		return 0, errors.New("offset or length out of range")
	}
	return int(n.Int64()), nil
}

// decodeAt decodes the value of type p whose head is at base+pos.
func decodeAt(p testABIParam, data []byte, base, pos int) (abiValue, error) {
	if !isStaticType(p) {
		off, err := wordInt(data, base+pos)
		if err != nil {
			return abiValue{}, err
		}
		return decodeTail(p, data, base+off)
	}
	return decodeTail(p, data, base+pos)
}

// decodeTail decodes the value of type p stored at start.
func decodeTail(p testABIParam, data []byte, start int) (abiValue, error) {
	if elem, n, ok := arrayType(p); ok {
		body := start
		if n < 0 {
			l, err := wordInt(data, start)
			if err != nil {
				return abiValue{}, err
			}
			n, body = l, start+32
		}
		v := abiValue{kind: "array"}
		pos := 0
		for range n {
			e, err := decodeAt(elem, data, body, pos)
			if err != nil {
				return abiValue{}, err
			}
			v.elems = append(v.elems, e)
			pos += headSize(elem)
		}
		return v, nil
	}
	if p.Type == "tuple" {
		v := abiValue{kind: "tuple"}
		pos := 0
		for _, c := range p.Components {
			e, err := decodeAt(c, data, start, pos)
			if err != nil {
				return abiValue{}, err
			}
			v.elems = append(v.elems, e)
			pos += headSize(c)
		}
		return v, nil
	}
	if p.Type == "string" || p.Type == "bytes" {
		l, err := wordInt(data, start)
		if err != nil {
			return abiValue{}, err
		}
		if start+32+l > len(data) {
			return abiValue{}, errors.New("out of bounds")
		}
		b := data[start+32 : start+32+l]
		if p.Type == "string" {
			return abiValue{kind: "string", str: string(b)}, nil
		}
		return abiValue{kind: "bytes", raw: b}, nil
	}
	w, err := word(data, start)
	if err != nil {
		return abiValue{}, err
	}
	switch {
	case p.Type == "address":
		return abiValue{kind: "address", raw: w[12:]}, nil
	case p.Type == "bool":
		return abiValue{kind: "bool", b: w[31] != 0}, nil
	case strings.HasPrefix(p.Type, "uint"):
		return abiValue{kind: "int", num: new(big.Int).SetBytes(w)}, nil
	case strings.HasPrefix(p.Type, "int"):
		n := new(big.Int).SetBytes(w)
		if w[0]&0x80 != 0 {
			n.Sub(n, new(big.Int).Lsh(big.NewInt(1), 256))
		}
		return abiValue{kind: "int", num: n}, nil
	case strings.HasPrefix(p.Type, "bytes"):
		k, err := strconv.Atoi(p.Type[5:])
		if err != nil || k < 1 || k > 32 {
			return abiValue{}, fmt.Errorf("type %s", p.Type)
		}
		return abiValue{kind: "bytes", raw: w[:k]}, nil
	}
	return abiValue{}, fmt.Errorf("unsupported type %s", p.Type)
}
