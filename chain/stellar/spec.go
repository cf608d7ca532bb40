package stellar

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/ozmon/ozmon/chain"
	"github.com/stellar/go-stellar-sdk/xdr"
)

// Contract specs (SEP-48). A Soroban contract's interface is a stream of
// xdr.ScSpecEntry in its WASM custom section "contractspecv0"; a monitor may
// instead carry it inline as the stellar-xdr serde JSON of those entries.
// Both become the chain.ContractSpec OpenZeppelin Monitor calls a
// "formatted spec": functions with signatures such as
// "transfer(Address,Address,I128)" and events with their prefix topics and
// parameter locations.

const specSection = "contractspecv0"

// parseWASMSpec extracts and formats the contract spec of a Soroban WASM
// module: the concatenated contents of its "contractspecv0" custom sections,
// decoded as a stream of xdr.ScSpecEntry. A module without that section, or
// with a malformed one, is an error.
func parseWASMSpec(wasm []byte) (*chain.ContractSpec, error) {
	entries, err := specEntriesFromWASM(wasm)
	if err != nil {
		return nil, err
	}
	return specFromEntries(entries), nil
}

// specEntriesFromWASM reads the spec entries of a WASM module.
func specEntriesFromWASM(wasm []byte) ([]xdr.ScSpecEntry, error) {
	stream, err := wasmCustomSection(wasm, specSection)
	if err != nil {
		return nil, err
	}
	r := bytes.NewReader(stream)
	var entries []xdr.ScSpecEntry
	for r.Len() > 0 {
		var e xdr.ScSpecEntry
		if _, err := xdr.Unmarshal(r, &e); err != nil {
			return nil, fmt.Errorf("wasm: %s entry %d: %w", specSection, len(entries), err)
		}
		entries = append(entries, e)
	}
	return entries, nil
}

// wasmCustomSection returns the concatenated payloads of every custom
// section named name. The WASM binary format: the magic "\0asm", version 1
// (little-endian uint32), then sections, each an id byte, a LEB128 payload
// size and the payload; a custom section (id 0) starts its payload with a
// LEB128-length-prefixed name.
func wasmCustomSection(wasm []byte, name string) ([]byte, error) {
	if len(wasm) < 8 || string(wasm[:4]) != "\x00asm" {
		return nil, errors.New("wasm: not a WebAssembly module (bad magic)")
	}
	if v := uint32(wasm[4]) | uint32(wasm[5])<<8 | uint32(wasm[6])<<16 | uint32(wasm[7])<<24; v != 1 {
		return nil, fmt.Errorf("wasm: unsupported binary version %d", v)
	}
	var out []byte
	found := false
	b := wasm[8:]
	for len(b) > 0 {
		id := b[0]
		size, n, err := uleb32(b[1:])
		if err != nil {
			return nil, fmt.Errorf("wasm: section size: %w", err)
		}
		b = b[1+n:]
		if uint64(size) > uint64(len(b)) {
			return nil, fmt.Errorf("wasm: section %d of %d bytes exceeds the module", id, size)
		}
		payload := b[:size]
		b = b[size:]
		if id != 0 {
			continue
		}
		nameLen, n, err := uleb32(payload)
		if err != nil {
			return nil, fmt.Errorf("wasm: custom section name: %w", err)
		}
		if uint64(nameLen) > uint64(len(payload)-n) {
			return nil, errors.New("wasm: custom section name exceeds the section")
		}
		if string(payload[n:n+int(nameLen)]) == name {
			found = true
			out = append(out, payload[n+int(nameLen):]...)
		}
	}
	if !found {
		return nil, fmt.Errorf("wasm: no %s custom section", name)
	}
	return out, nil
}

// uleb32 decodes an unsigned LEB128 number of at most 32 bits.
func uleb32(b []byte) (v uint32, n int, err error) {
	var shift uint
	for n < len(b) {
		c := b[n]
		n++
		if shift == 28 && c&0xf0 != 0 {
			return 0, 0, errors.New("LEB128 value overflows 32 bits")
		}
		v |= uint32(c&0x7f) << shift
		if c&0x80 == 0 {
			return v, n, nil
		}
		shift += 7
		if shift > 28 {
			return 0, 0, errors.New("LEB128 value overflows 32 bits")
		}
	}
	return 0, 0, errors.New("truncated LEB128 value")
}

// specFromEntries formats spec entries the way OpenZeppelin Monitor does:
// every function_v0 becomes a function with its inputs (index, name, kind)
// and signature "name(Kind1,Kind2)"; every event_v0 an event with its prefix
// topics, parameters (name, kind, location Indexed for topic_list, Data for
// data) and signature "Name(Kind1,…)" over all its parameters in spec order.
// Kinds follow OZ's type names: "Address", "I128", "Bytes" (bytes),
// "Bytes32" (bytes_n), "Vec<T>", "Map<K,V>", "Tuple<T1,T2>", a UDT's name,
// and "Void" for option, result, error, val, muxed_address and void.
// Other entries (UDT definitions) are not part of the formatted spec.
func specFromEntries(entries []xdr.ScSpecEntry) *chain.ContractSpec {
	spec := &chain.ContractSpec{Functions: []chain.SpecFunction{}, Events: []chain.SpecEvent{}}
	for i := range entries {
		switch e := &entries[i]; e.Kind {
		case xdr.ScSpecEntryKindScSpecEntryFunctionV0:
			if e.FunctionV0 == nil {
				continue
			}
			f := e.FunctionV0
			fn := chain.SpecFunction{Name: string(f.Name), Inputs: make([]chain.SpecInput, len(f.Inputs))}
			kinds := make([]string, len(f.Inputs))
			for j, in := range f.Inputs {
				kinds[j] = specKind(in.Type)
				fn.Inputs[j] = chain.SpecInput{Index: j, Name: in.Name, Kind: kinds[j]}
			}
			fn.Signature = fn.Name + "(" + strings.Join(kinds, ",") + ")"
			spec.Functions = append(spec.Functions, fn)
		case xdr.ScSpecEntryKindScSpecEntryEventV0:
			if e.EventV0 == nil {
				continue
			}
			ev := e.EventV0
			out := chain.SpecEvent{
				Name:         string(ev.Name),
				PrefixTopics: make([]string, len(ev.PrefixTopics)),
				Params:       make([]chain.SpecParam, len(ev.Params)),
			}
			for j, t := range ev.PrefixTopics {
				out.PrefixTopics[j] = string(t)
			}
			kinds := make([]string, len(ev.Params))
			for j, p := range ev.Params {
				kinds[j] = specKind(p.Type)
				loc := chain.LocationData
				if p.Location == xdr.ScSpecEventParamLocationV0ScSpecEventParamLocationTopicList {
					loc = chain.LocationIndexed
				}
				out.Params[j] = chain.SpecParam{Name: p.Name, Kind: kinds[j], Location: loc}
			}
			out.Signature = out.Name + "(" + strings.Join(kinds, ",") + ")"
			spec.Events = append(spec.Events, out)
		}
	}
	return spec
}

// specKind is the OpenZeppelin Monitor type name of a spec type (see
// specFromEntries).
func specKind(t xdr.ScSpecTypeDef) string {
	var sb strings.Builder
	appendspecKind(&sb, &t, 0)
	return sb.String()
}

func appendspecKind(sb *strings.Builder, t *xdr.ScSpecTypeDef, depth int) {
	if depth > maxValueDepth {
		sb.WriteString("Void")
		return
	}
	switch t.Type {
	case xdr.ScSpecTypeScSpecTypeBool:
		sb.WriteString("Bool")
	case xdr.ScSpecTypeScSpecTypeU32:
		sb.WriteString("U32")
	case xdr.ScSpecTypeScSpecTypeI32:
		sb.WriteString("I32")
	case xdr.ScSpecTypeScSpecTypeU64:
		sb.WriteString("U64")
	case xdr.ScSpecTypeScSpecTypeI64:
		sb.WriteString("I64")
	case xdr.ScSpecTypeScSpecTypeTimepoint:
		sb.WriteString("Timepoint")
	case xdr.ScSpecTypeScSpecTypeDuration:
		sb.WriteString("Duration")
	case xdr.ScSpecTypeScSpecTypeU128:
		sb.WriteString("U128")
	case xdr.ScSpecTypeScSpecTypeI128:
		sb.WriteString("I128")
	case xdr.ScSpecTypeScSpecTypeU256:
		sb.WriteString("U256")
	case xdr.ScSpecTypeScSpecTypeI256:
		sb.WriteString("I256")
	case xdr.ScSpecTypeScSpecTypeBytes:
		sb.WriteString("Bytes")
	case xdr.ScSpecTypeScSpecTypeString:
		sb.WriteString("String")
	case xdr.ScSpecTypeScSpecTypeSymbol:
		sb.WriteString("Symbol")
	case xdr.ScSpecTypeScSpecTypeAddress:
		sb.WriteString("Address")
	case xdr.ScSpecTypeScSpecTypeVec:
		sb.WriteString("Vec<")
		if t.Vec != nil {
			appendspecKind(sb, &t.Vec.ElementType, depth+1)
		} else {
			sb.WriteString("Void")
		}
		sb.WriteByte('>')
	case xdr.ScSpecTypeScSpecTypeMap:
		sb.WriteString("Map<")
		if t.Map != nil {
			appendspecKind(sb, &t.Map.KeyType, depth+1)
			sb.WriteByte(',')
			appendspecKind(sb, &t.Map.ValueType, depth+1)
		} else {
			sb.WriteString("Void,Void")
		}
		sb.WriteByte('>')
	case xdr.ScSpecTypeScSpecTypeTuple:
		sb.WriteString("Tuple<")
		if t.Tuple != nil {
			for i := range t.Tuple.ValueTypes {
				if i > 0 {
					sb.WriteByte(',')
				}
				appendspecKind(sb, &t.Tuple.ValueTypes[i], depth+1)
			}
		}
		sb.WriteByte('>')
	case xdr.ScSpecTypeScSpecTypeBytesN:
		sb.WriteString("Bytes")
		if t.BytesN != nil {
			sb.WriteString(strconv.FormatUint(uint64(t.BytesN.N), 10))
		}
	case xdr.ScSpecTypeScSpecTypeUdt:
		if t.Udt != nil {
			sb.WriteString(t.Udt.Name)
		}
	default: // val, void, error, muxed_address, option, result
		sb.WriteString("Void")
	}
}

// ParseSpecJSON reads a monitor's inline contract_spec: a JSON array of
// ScSpecEntry in stellar-xdr's serde form (entries "function_v0",
// "event_v0", "udt_struct_v0", "udt_union_v0", "udt_enum_v0",
// "udt_error_enum_v0"; types as "i128" or {"vec":{"element_type":…}}), and
// formats it exactly as a contract WASM's contractspecv0 section with the
// same entries is formatted.
func ParseSpecJSON(data []byte) (*chain.ContractSpec, error) {
	entries, err := specEntriesFromJSON(data)
	if err != nil {
		return nil, err
	}
	return specFromEntries(entries), nil
}

func specEntriesFromJSON(data []byte) ([]xdr.ScSpecEntry, error) {
	var raw []map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("contract spec: %w", err)
	}
	entries := make([]xdr.ScSpecEntry, 0, len(raw))
	for i, obj := range raw {
		e, err := specEntryFromJSON(obj)
		if err != nil {
			return nil, fmt.Errorf("contract spec entry %d: %w", i, err)
		}
		entries = append(entries, e)
	}
	return entries, nil
}

type jsonField struct {
	Doc  string          `json:"doc"`
	Name *string         `json:"name"`
	Type json.RawMessage `json:"type_"`
}

type jsonFunction struct {
	Doc     string            `json:"doc"`
	Name    *string           `json:"name"`
	Inputs  []jsonField       `json:"inputs"`
	Outputs []json.RawMessage `json:"outputs"`
}

type jsonEventParam struct {
	jsonField
	Location string `json:"location"`
}

type jsonEvent struct {
	Doc          string           `json:"doc"`
	Lib          string           `json:"lib"`
	Name         *string          `json:"name"`
	PrefixTopics []string         `json:"prefix_topics"`
	Params       []jsonEventParam `json:"params"`
	DataFormat   string           `json:"data_format"`
}

type jsonUDT struct {
	Doc    string      `json:"doc"`
	Lib    string      `json:"lib"`
	Name   *string     `json:"name"`
	Fields []jsonField `json:"fields"` // struct fields
}

type jsonEnumCase struct {
	Doc   string  `json:"doc"`
	Name  *string `json:"name"`
	Value uint32  `json:"value"`
}

func specEntryFromJSON(obj map[string]json.RawMessage) (xdr.ScSpecEntry, error) {
	if len(obj) != 1 {
		return xdr.ScSpecEntry{}, fmt.Errorf("want an object with exactly one entry kind, got %d keys", len(obj))
	}
	for kind, body := range obj {
		switch kind {
		case "function_v0":
			var f jsonFunction
			if err := json.Unmarshal(body, &f); err != nil {
				return xdr.ScSpecEntry{}, fmt.Errorf("function_v0: %w", err)
			}
			if f.Name == nil {
				return xdr.ScSpecEntry{}, errors.New("function_v0: missing name")
			}
			out := &xdr.ScSpecFunctionV0{Doc: f.Doc, Name: xdr.ScSymbol(*f.Name),
				Inputs: make([]xdr.ScSpecFunctionInputV0, len(f.Inputs))}
			for i, in := range f.Inputs {
				t, err := fieldType(in, "input")
				if err != nil {
					return xdr.ScSpecEntry{}, fmt.Errorf("function_v0 %s: input %d: %w", *f.Name, i, err)
				}
				out.Inputs[i] = xdr.ScSpecFunctionInputV0{Doc: in.Doc, Name: *in.Name, Type: t}
			}
			for i, o := range f.Outputs {
				t, err := specTypeFromJSON(o, 0)
				if err != nil {
					return xdr.ScSpecEntry{}, fmt.Errorf("function_v0 %s: output %d: %w", *f.Name, i, err)
				}
				out.Outputs = append(out.Outputs, t)
			}
			return xdr.ScSpecEntry{Kind: xdr.ScSpecEntryKindScSpecEntryFunctionV0, FunctionV0: out}, nil
		case "event_v0":
			var ev jsonEvent
			if err := json.Unmarshal(body, &ev); err != nil {
				return xdr.ScSpecEntry{}, fmt.Errorf("event_v0: %w", err)
			}
			if ev.Name == nil {
				return xdr.ScSpecEntry{}, errors.New("event_v0: missing name")
			}
			out := &xdr.ScSpecEventV0{Doc: ev.Doc, Lib: ev.Lib, Name: xdr.ScSymbol(*ev.Name),
				Params: make([]xdr.ScSpecEventParamV0, len(ev.Params))}
			for _, t := range ev.PrefixTopics {
				out.PrefixTopics = append(out.PrefixTopics, xdr.ScSymbol(t))
			}
			for i, p := range ev.Params {
				t, err := fieldType(p.jsonField, "param")
				if err != nil {
					return xdr.ScSpecEntry{}, fmt.Errorf("event_v0 %s: param %d: %w", *ev.Name, i, err)
				}
				var loc xdr.ScSpecEventParamLocationV0
				switch p.Location {
				case "data":
					loc = xdr.ScSpecEventParamLocationV0ScSpecEventParamLocationData
				case "topic_list":
					loc = xdr.ScSpecEventParamLocationV0ScSpecEventParamLocationTopicList
				default:
					return xdr.ScSpecEntry{}, fmt.Errorf("event_v0 %s: param %d: location %q is neither \"data\" nor \"topic_list\"", *ev.Name, i, p.Location)
				}
				out.Params[i] = xdr.ScSpecEventParamV0{Doc: p.Doc, Name: *p.Name, Type: t, Location: loc}
			}
			switch ev.DataFormat {
			case "single_value", "":
				out.DataFormat = xdr.ScSpecEventDataFormatScSpecEventDataFormatSingleValue
			case "vec":
				out.DataFormat = xdr.ScSpecEventDataFormatScSpecEventDataFormatVec
			case "map":
				out.DataFormat = xdr.ScSpecEventDataFormatScSpecEventDataFormatMap
			default:
				return xdr.ScSpecEntry{}, fmt.Errorf("event_v0 %s: unknown data_format %q", *ev.Name, ev.DataFormat)
			}
			return xdr.ScSpecEntry{Kind: xdr.ScSpecEntryKindScSpecEntryEventV0, EventV0: out}, nil
		case "udt_struct_v0":
			var u jsonUDT
			if err := json.Unmarshal(body, &u); err != nil || u.Name == nil {
				return xdr.ScSpecEntry{}, fmt.Errorf("udt_struct_v0: %w", orMissingName(err))
			}
			out := &xdr.ScSpecUdtStructV0{Doc: u.Doc, Lib: u.Lib, Name: *u.Name,
				Fields: make([]xdr.ScSpecUdtStructFieldV0, len(u.Fields))}
			for i, f := range u.Fields {
				t, err := fieldType(f, "field")
				if err != nil {
					return xdr.ScSpecEntry{}, fmt.Errorf("udt_struct_v0 %s: field %d: %w", *u.Name, i, err)
				}
				out.Fields[i] = xdr.ScSpecUdtStructFieldV0{Doc: f.Doc, Name: *f.Name, Type: t}
			}
			return xdr.ScSpecEntry{Kind: xdr.ScSpecEntryKindScSpecEntryUdtStructV0, UdtStructV0: out}, nil
		case "udt_union_v0":
			var u struct {
				jsonUDT
				Cases []map[string]json.RawMessage `json:"cases"`
			}
			if err := json.Unmarshal(body, &u); err != nil || u.Name == nil {
				return xdr.ScSpecEntry{}, fmt.Errorf("udt_union_v0: %w", orMissingName(err))
			}
			out := &xdr.ScSpecUdtUnionV0{Doc: u.Doc, Lib: u.Lib, Name: *u.Name}
			for i, c := range u.Cases {
				uc, err := unionCaseFromJSON(c)
				if err != nil {
					return xdr.ScSpecEntry{}, fmt.Errorf("udt_union_v0 %s: case %d: %w", *u.Name, i, err)
				}
				out.Cases = append(out.Cases, uc)
			}
			return xdr.ScSpecEntry{Kind: xdr.ScSpecEntryKindScSpecEntryUdtUnionV0, UdtUnionV0: out}, nil
		case "udt_enum_v0", "udt_error_enum_v0":
			var u struct {
				jsonUDT
				Cases []jsonEnumCase `json:"cases"`
			}
			if err := json.Unmarshal(body, &u); err != nil || u.Name == nil {
				return xdr.ScSpecEntry{}, fmt.Errorf("%s: %w", kind, orMissingName(err))
			}
			for i, c := range u.Cases {
				if c.Name == nil {
					return xdr.ScSpecEntry{}, fmt.Errorf("%s %s: case %d: missing name", kind, *u.Name, i)
				}
			}
			if kind == "udt_enum_v0" {
				out := &xdr.ScSpecUdtEnumV0{Doc: u.Doc, Lib: u.Lib, Name: *u.Name}
				for _, c := range u.Cases {
					out.Cases = append(out.Cases, xdr.ScSpecUdtEnumCaseV0{Doc: c.Doc, Name: *c.Name, Value: xdr.Uint32(c.Value)})
				}
				return xdr.ScSpecEntry{Kind: xdr.ScSpecEntryKindScSpecEntryUdtEnumV0, UdtEnumV0: out}, nil
			}
			out := &xdr.ScSpecUdtErrorEnumV0{Doc: u.Doc, Lib: u.Lib, Name: *u.Name}
			for _, c := range u.Cases {
				out.Cases = append(out.Cases, xdr.ScSpecUdtErrorEnumCaseV0{Doc: c.Doc, Name: *c.Name, Value: xdr.Uint32(c.Value)})
			}
			return xdr.ScSpecEntry{Kind: xdr.ScSpecEntryKindScSpecEntryUdtErrorEnumV0, UdtErrorEnumV0: out}, nil
		default:
			return xdr.ScSpecEntry{}, fmt.Errorf("unknown entry kind %q", kind)
		}
	}
	panic("unreachable")
}

func orMissingName(err error) error {
	if err != nil {
		return err
	}
	return errors.New("missing name")
}

func fieldType(f jsonField, what string) (xdr.ScSpecTypeDef, error) {
	if f.Name == nil {
		return xdr.ScSpecTypeDef{}, fmt.Errorf("%s without a name", what)
	}
	if f.Type == nil {
		return xdr.ScSpecTypeDef{}, fmt.Errorf("%s %s without a type_", what, *f.Name)
	}
	t, err := specTypeFromJSON(f.Type, 0)
	if err != nil {
		return t, fmt.Errorf("%s %s: %w", what, *f.Name, err)
	}
	return t, nil
}

func unionCaseFromJSON(obj map[string]json.RawMessage) (xdr.ScSpecUdtUnionCaseV0, error) {
	if len(obj) != 1 {
		return xdr.ScSpecUdtUnionCaseV0{}, errors.New("want \"void_v0\" or \"tuple_v0\"")
	}
	for kind, body := range obj {
		var c struct {
			Doc  string            `json:"doc"`
			Name *string           `json:"name"`
			Type []json.RawMessage `json:"type_"`
		}
		if err := json.Unmarshal(body, &c); err != nil || c.Name == nil {
			return xdr.ScSpecUdtUnionCaseV0{}, fmt.Errorf("%s: %w", kind, orMissingName(err))
		}
		switch kind {
		case "void_v0":
			return xdr.ScSpecUdtUnionCaseV0{Kind: xdr.ScSpecUdtUnionCaseV0KindScSpecUdtUnionCaseVoidV0,
				VoidCase: &xdr.ScSpecUdtUnionCaseVoidV0{Doc: c.Doc, Name: *c.Name}}, nil
		case "tuple_v0":
			tc := &xdr.ScSpecUdtUnionCaseTupleV0{Doc: c.Doc, Name: *c.Name}
			for i, raw := range c.Type {
				t, err := specTypeFromJSON(raw, 0)
				if err != nil {
					return xdr.ScSpecUdtUnionCaseV0{}, fmt.Errorf("tuple_v0 %s: type %d: %w", *c.Name, i, err)
				}
				tc.Type = append(tc.Type, t)
			}
			return xdr.ScSpecUdtUnionCaseV0{Kind: xdr.ScSpecUdtUnionCaseV0KindScSpecUdtUnionCaseTupleV0, TupleCase: tc}, nil
		default:
			return xdr.ScSpecUdtUnionCaseV0{}, fmt.Errorf("unknown union case kind %q", kind)
		}
	}
	panic("unreachable")
}

var simpleSpecTypes = map[string]xdr.ScSpecType{
	"val": xdr.ScSpecTypeScSpecTypeVal, "bool": xdr.ScSpecTypeScSpecTypeBool,
	"void": xdr.ScSpecTypeScSpecTypeVoid, "error": xdr.ScSpecTypeScSpecTypeError,
	"u32": xdr.ScSpecTypeScSpecTypeU32, "i32": xdr.ScSpecTypeScSpecTypeI32,
	"u64": xdr.ScSpecTypeScSpecTypeU64, "i64": xdr.ScSpecTypeScSpecTypeI64,
	"timepoint": xdr.ScSpecTypeScSpecTypeTimepoint, "duration": xdr.ScSpecTypeScSpecTypeDuration,
	"u128": xdr.ScSpecTypeScSpecTypeU128, "i128": xdr.ScSpecTypeScSpecTypeI128,
	"u256": xdr.ScSpecTypeScSpecTypeU256, "i256": xdr.ScSpecTypeScSpecTypeI256,
	"bytes": xdr.ScSpecTypeScSpecTypeBytes, "string": xdr.ScSpecTypeScSpecTypeString,
	"symbol": xdr.ScSpecTypeScSpecTypeSymbol, "address": xdr.ScSpecTypeScSpecTypeAddress,
	"muxed_address": xdr.ScSpecTypeScSpecTypeMuxedAddress,
}

// specTypeFromJSON reads a type in stellar-xdr serde form: a keyword string
// ("i128") or a one-key object ({"vec":{"element_type":"u32"}}).
func specTypeFromJSON(raw json.RawMessage, depth int) (xdr.ScSpecTypeDef, error) {
	if depth > 64 {
		return xdr.ScSpecTypeDef{}, errors.New("type nesting exceeds 64 levels")
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		t, ok := simpleSpecTypes[s]
		if !ok {
			return xdr.ScSpecTypeDef{}, fmt.Errorf("unknown type %q", s)
		}
		return xdr.ScSpecTypeDef{Type: t}, nil
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil || len(obj) != 1 {
		return xdr.ScSpecTypeDef{}, fmt.Errorf("type must be a keyword or a one-key object, got %s", clip(raw))
	}
	sub := func(body json.RawMessage, fields ...string) ([]xdr.ScSpecTypeDef, error) {
		var m map[string]json.RawMessage
		if err := json.Unmarshal(body, &m); err != nil {
			return nil, err
		}
		out := make([]xdr.ScSpecTypeDef, len(fields))
		for i, f := range fields {
			r, ok := m[f]
			if !ok {
				return nil, fmt.Errorf("missing %s", f)
			}
			t, err := specTypeFromJSON(r, depth+1)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", f, err)
			}
			out[i] = t
		}
		return out, nil
	}
	for kind, body := range obj {
		switch kind {
		case "option":
			ts, err := sub(body, "value_type")
			if err != nil {
				return xdr.ScSpecTypeDef{}, fmt.Errorf("option: %w", err)
			}
			return xdr.ScSpecTypeDef{Type: xdr.ScSpecTypeScSpecTypeOption, Option: &xdr.ScSpecTypeOption{ValueType: ts[0]}}, nil
		case "result":
			ts, err := sub(body, "ok_type", "error_type")
			if err != nil {
				return xdr.ScSpecTypeDef{}, fmt.Errorf("result: %w", err)
			}
			return xdr.ScSpecTypeDef{Type: xdr.ScSpecTypeScSpecTypeResult, Result: &xdr.ScSpecTypeResult{OkType: ts[0], ErrorType: ts[1]}}, nil
		case "vec":
			ts, err := sub(body, "element_type")
			if err != nil {
				return xdr.ScSpecTypeDef{}, fmt.Errorf("vec: %w", err)
			}
			return xdr.ScSpecTypeDef{Type: xdr.ScSpecTypeScSpecTypeVec, Vec: &xdr.ScSpecTypeVec{ElementType: ts[0]}}, nil
		case "map":
			ts, err := sub(body, "key_type", "value_type")
			if err != nil {
				return xdr.ScSpecTypeDef{}, fmt.Errorf("map: %w", err)
			}
			return xdr.ScSpecTypeDef{Type: xdr.ScSpecTypeScSpecTypeMap, Map: &xdr.ScSpecTypeMap{KeyType: ts[0], ValueType: ts[1]}}, nil
		case "tuple":
			var tt struct {
				ValueTypes []json.RawMessage `json:"value_types"`
			}
			if err := json.Unmarshal(body, &tt); err != nil {
				return xdr.ScSpecTypeDef{}, fmt.Errorf("tuple: %w", err)
			}
			out := &xdr.ScSpecTypeTuple{}
			for i, r := range tt.ValueTypes {
				t, err := specTypeFromJSON(r, depth+1)
				if err != nil {
					return xdr.ScSpecTypeDef{}, fmt.Errorf("tuple: value type %d: %w", i, err)
				}
				out.ValueTypes = append(out.ValueTypes, t)
			}
			return xdr.ScSpecTypeDef{Type: xdr.ScSpecTypeScSpecTypeTuple, Tuple: out}, nil
		case "bytes_n":
			var bn struct {
				N *uint32 `json:"n"`
			}
			if err := json.Unmarshal(body, &bn); err != nil || bn.N == nil {
				return xdr.ScSpecTypeDef{}, fmt.Errorf("bytes_n: want {\"n\": <uint32>}, got %s", clip(body))
			}
			return xdr.ScSpecTypeDef{Type: xdr.ScSpecTypeScSpecTypeBytesN, BytesN: &xdr.ScSpecTypeBytesN{N: xdr.Uint32(*bn.N)}}, nil
		case "udt":
			var u struct {
				Name *string `json:"name"`
			}
			if err := json.Unmarshal(body, &u); err != nil || u.Name == nil {
				return xdr.ScSpecTypeDef{}, fmt.Errorf("udt: want {\"name\": <string>}, got %s", clip(body))
			}
			return xdr.ScSpecTypeDef{Type: xdr.ScSpecTypeScSpecTypeUdt, Udt: &xdr.ScSpecTypeUdt{Name: *u.Name}}, nil
		default:
			return xdr.ScSpecTypeDef{}, fmt.Errorf("unknown type %q", kind)
		}
	}
	panic("unreachable")
}

func clip(b []byte) string {
	if len(b) > 80 {
		return string(b[:80]) + "…"
	}
	return string(b)
}
