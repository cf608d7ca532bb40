package ozmontest

import (
	"bytes"

	"github.com/stellar/go-stellar-sdk/xdr"
)

// syntheticAppSpec is the interface of the synthetic app contract as its
// WASM declares it: functions deposit and record, events deposit and
// recorded (see SyntheticIdentities).
func syntheticAppSpec() []xdr.ScSpecEntry {
	t := func(st xdr.ScSpecType) xdr.ScSpecTypeDef { return xdr.ScSpecTypeDef{Type: st} }
	vecOf := func(el xdr.ScSpecTypeDef) xdr.ScSpecTypeDef {
		return xdr.ScSpecTypeDef{Type: xdr.ScSpecTypeScSpecTypeVec, Vec: &xdr.ScSpecTypeVec{ElementType: el}}
	}
	mapOf := func(k, v xdr.ScSpecTypeDef) xdr.ScSpecTypeDef {
		return xdr.ScSpecTypeDef{Type: xdr.ScSpecTypeScSpecTypeMap, Map: &xdr.ScSpecTypeMap{KeyType: k, ValueType: v}}
	}
	in := func(name string, td xdr.ScSpecTypeDef) xdr.ScSpecFunctionInputV0 {
		return xdr.ScSpecFunctionInputV0{Name: name, Type: td}
	}
	fn := func(name, doc string, inputs ...xdr.ScSpecFunctionInputV0) xdr.ScSpecEntry {
		return xdr.ScSpecEntry{Kind: xdr.ScSpecEntryKindScSpecEntryFunctionV0, FunctionV0: &xdr.ScSpecFunctionV0{
			Doc: doc, Name: xdr.ScSymbol(name), Inputs: inputs,
		}}
	}
	param := func(name string, td xdr.ScSpecTypeDef, loc xdr.ScSpecEventParamLocationV0) xdr.ScSpecEventParamV0 {
		return xdr.ScSpecEventParamV0{Name: name, Type: td, Location: loc}
	}
	topic, data := xdr.ScSpecEventParamLocationV0ScSpecEventParamLocationTopicList, xdr.ScSpecEventParamLocationV0ScSpecEventParamLocationData
	ev := func(name string, format xdr.ScSpecEventDataFormat, params ...xdr.ScSpecEventParamV0) xdr.ScSpecEntry {
		return xdr.ScSpecEntry{Kind: xdr.ScSpecEntryKindScSpecEntryEventV0, EventV0: &xdr.ScSpecEventV0{
			Lib: "ozmon-synthetic", Name: xdr.ScSymbol(name), PrefixTopics: []xdr.ScSymbol{xdr.ScSymbol(name)},
			Params: params, DataFormat: format,
		}}
	}
	return []xdr.ScSpecEntry{
		fn("deposit", "Deposits amount of the caller's funds.",
			in("from", t(xdr.ScSpecTypeScSpecTypeAddress)),
			in("amount", t(xdr.ScSpecTypeScSpecTypeI128)),
			in("memo", t(xdr.ScSpecTypeScSpecTypeString))),
		fn("record", "Records a labelled, tagged entry.",
			in("id", t(xdr.ScSpecTypeScSpecTypeU32)),
			in("label", t(xdr.ScSpecTypeScSpecTypeString)),
			in("tags", vecOf(t(xdr.ScSpecTypeScSpecTypeSymbol))),
			in("attrs", mapOf(t(xdr.ScSpecTypeScSpecTypeSymbol), t(xdr.ScSpecTypeScSpecTypeU32)))),
		ev("deposit", xdr.ScSpecEventDataFormatScSpecEventDataFormatSingleValue,
			param("from", t(xdr.ScSpecTypeScSpecTypeAddress), topic),
			param("amount", t(xdr.ScSpecTypeScSpecTypeI128), data)),
		ev("recorded", xdr.ScSpecEventDataFormatScSpecEventDataFormatMap,
			param("id", t(xdr.ScSpecTypeScSpecTypeU32), topic),
			param("label", t(xdr.ScSpecTypeScSpecTypeString), data),
			param("count", t(xdr.ScSpecTypeScSpecTypeU32), data)),
	}
}

// SyntheticAppWASM is the synthetic app contract's code: a minimal WASM
// module whose only content is a contractspecv0 custom section holding
// syntheticAppSpec, the way soroban-sdk lays it out (XDR ScSpecEntry
// values back to back).
func SyntheticAppWASM() []byte {
	wasm, err := wasmWithSpec(syntheticAppSpec())
	if err != nil {
		panic("synthetic app spec does not marshal: " + err.Error()) // a constant; cannot fail at run time
	}
	return wasm
}

// wasmWithSpec builds a minimal WASM module with a contractspecv0 custom
// section holding entries, for tests of spec parsing and of ContractSpec.
func wasmWithSpec(entries []xdr.ScSpecEntry) ([]byte, error) {
	var payload bytes.Buffer
	for _, e := range entries {
		b, err := e.MarshalBinary()
		if err != nil {
			return nil, err
		}
		payload.Write(b)
	}
	return WASMWithCustomSection("contractspecv0", payload.Bytes()), nil
}

// WASMWithCustomSection builds a WASM module (magic, version 1) with one
// custom section.
func WASMWithCustomSection(name string, payload []byte) []byte {
	var sec []byte
	sec = appendULEB(sec, uint64(len(name)))
	sec = append(sec, name...)
	sec = append(sec, payload...)
	out := []byte{0x00, 'a', 's', 'm', 0x01, 0x00, 0x00, 0x00, 0x00} // header, custom section id 0
	out = appendULEB(out, uint64(len(sec)))
	return append(out, sec...)
}

func appendULEB(b []byte, v uint64) []byte {
	for {
		c := byte(v & 0x7f)
		v >>= 7
		if v != 0 {
			b = append(b, c|0x80)
			continue
		}
		return append(b, c)
	}
}
