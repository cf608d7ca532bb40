package stellar

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"

	"github.com/ozmon/ozmon/chain"
	"github.com/stellar/go-stellar-sdk/strkey"
	"github.com/stellar/go-stellar-sdk/xdr"
)

// This file converts ScVal to chain.Value twice: from the SDK's decoded
// xdr.ScVal (ValueFromScVal, for callers that already hold structs) and from
// zero-copy xdr.ScValView wire bytes (valueFromView, the ledger hot path).
// Both produce identical Values; the tests and FuzzValueRender check that.

// maxValueDepth bounds Vec/Map nesting. The network itself limits ScVal
// depth far below this; the bound only guards hand-built or corrupt input.
const maxValueDepth = 256

var errValueTooDeep = errors.New("ScVal nesting exceeds 256 levels")

// ValueFromScVal converts a decoded ScVal into a chain.Value. Every ScVal
// kind maps to a Value: integers exactly (128/256-bit as decimal text),
// Bytes as bytes, Address as its strkey (G…, C…, M…, B… or L…), a Vec or Map
// whose optional body is absent as an empty Vec or Map, Error as
// chain.Error("Error(Contract, #3)"), and ContractInstance / ledger-key /
// executable-tag values as chain.Other with a readable text.
func ValueFromScVal(v xdr.ScVal) (chain.Value, error) {
	return valueFromScVal(&v, 0)
}

func valueFromScVal(v *xdr.ScVal, depth int) (chain.Value, error) {
	if depth > maxValueDepth {
		return chain.Value{}, errValueTooDeep
	}
	missing := func() (chain.Value, error) {
		return chain.Value{}, fmt.Errorf("ScVal of type %d has no payload", int32(v.Type))
	}
	switch v.Type {
	case xdr.ScValTypeScvBool:
		if v.B == nil {
			return missing()
		}
		return chain.Bool(*v.B), nil
	case xdr.ScValTypeScvVoid:
		return chain.Void(), nil
	case xdr.ScValTypeScvError:
		if v.Error == nil {
			return missing()
		}
		e := v.Error
		if e.Type == xdr.ScErrorTypeSceContract {
			if e.ContractCode == nil {
				return missing()
			}
			return chain.Error(errorText(e.Type, uint32(*e.ContractCode))), nil
		}
		if e.Code == nil {
			return missing()
		}
		return chain.Error(errorText(e.Type, uint32(*e.Code))), nil
	case xdr.ScValTypeScvU32:
		if v.U32 == nil {
			return missing()
		}
		return chain.U32(uint32(*v.U32)), nil
	case xdr.ScValTypeScvI32:
		if v.I32 == nil {
			return missing()
		}
		return chain.I32(int32(*v.I32)), nil
	case xdr.ScValTypeScvU64:
		if v.U64 == nil {
			return missing()
		}
		return chain.U64(uint64(*v.U64)), nil
	case xdr.ScValTypeScvI64:
		if v.I64 == nil {
			return missing()
		}
		return chain.I64(int64(*v.I64)), nil
	case xdr.ScValTypeScvTimepoint:
		if v.Timepoint == nil {
			return missing()
		}
		return chain.Timepoint(uint64(*v.Timepoint)), nil
	case xdr.ScValTypeScvDuration:
		if v.Duration == nil {
			return missing()
		}
		return chain.Duration(uint64(*v.Duration)), nil
	case xdr.ScValTypeScvU128:
		if v.U128 == nil {
			return missing()
		}
		return chain.U128(uint64(v.U128.Hi), uint64(v.U128.Lo)), nil
	case xdr.ScValTypeScvI128:
		if v.I128 == nil {
			return missing()
		}
		return chain.I128(int64(v.I128.Hi), uint64(v.I128.Lo)), nil
	case xdr.ScValTypeScvU256:
		if v.U256 == nil {
			return missing()
		}
		p := v.U256
		return chain.U256(uint64(p.HiHi), uint64(p.HiLo), uint64(p.LoHi), uint64(p.LoLo)), nil
	case xdr.ScValTypeScvI256:
		if v.I256 == nil {
			return missing()
		}
		p := v.I256
		return chain.I256(int64(p.HiHi), uint64(p.HiLo), uint64(p.LoHi), uint64(p.LoLo)), nil
	case xdr.ScValTypeScvBytes:
		if v.Bytes == nil {
			return missing()
		}
		return chain.Bytes(cloneBytes(*v.Bytes)), nil
	case xdr.ScValTypeScvString:
		if v.Str == nil {
			return missing()
		}
		return chain.String(string(*v.Str)), nil
	case xdr.ScValTypeScvSymbol:
		if v.Sym == nil {
			return missing()
		}
		return chain.Symbol(string(*v.Sym)), nil
	case xdr.ScValTypeScvVec:
		if v.Vec == nil || *v.Vec == nil {
			return chain.Vec(), nil
		}
		in := **v.Vec
		if len(in) == 0 {
			return chain.Vec(), nil
		}
		items := make([]chain.Value, len(in))
		for i := range in {
			it, err := valueFromScVal(&in[i], depth+1)
			if err != nil {
				return chain.Value{}, err
			}
			items[i] = it
		}
		return chain.Vec(items...), nil
	case xdr.ScValTypeScvMap:
		if v.Map == nil || *v.Map == nil {
			return chain.Map(), nil
		}
		in := **v.Map
		if len(in) == 0 {
			return chain.Map(), nil
		}
		entries := make([]chain.MapEntry, len(in))
		for i := range in {
			k, err := valueFromScVal(&in[i].Key, depth+1)
			if err != nil {
				return chain.Value{}, err
			}
			val, err := valueFromScVal(&in[i].Val, depth+1)
			if err != nil {
				return chain.Value{}, err
			}
			entries[i] = chain.MapEntry{Key: k, Val: val}
		}
		return chain.Map(entries...), nil
	case xdr.ScValTypeScvAddress:
		if v.Address == nil {
			return missing()
		}
		s, err := scAddressString(v.Address)
		if err != nil {
			return chain.Value{}, err
		}
		return chain.Address(s), nil
	case xdr.ScValTypeScvContractInstance:
		if v.Instance == nil {
			return missing()
		}
		ex := v.Instance.Executable
		var hash []byte
		if ex.Type == xdr.ContractExecutableTypeContractExecutableWasm {
			if ex.WasmHash == nil {
				return missing()
			}
			hash = ex.WasmHash[:]
		}
		return chain.Other(instanceText(ex.Type, hash)), nil
	case xdr.ScValTypeScvLedgerKeyContractInstance:
		return chain.Other("LedgerKeyContractInstance"), nil
	case xdr.ScValTypeScvLedgerKeyNonce:
		if v.NonceKey == nil {
			return missing()
		}
		return chain.Other(nonceText(int64(v.NonceKey.Nonce))), nil
	case xdr.ScValTypeScvExecutableTag:
		if v.ExecutableTag == nil {
			return missing()
		}
		return chain.Other(executableTagText(string(*v.ExecutableTag))), nil
	}
	return chain.Value{}, fmt.Errorf("unknown ScVal type %d", int32(v.Type))
}

// scAddressString renders a decoded ScAddress as its strkey.
func scAddressString(a *xdr.ScAddress) (string, error) {
	switch a.Type {
	case xdr.ScAddressTypeScAddressTypeAccount:
		if a.AccountId == nil || a.AccountId.Ed25519 == nil {
			return "", errors.New("account address without a key")
		}
		return encodeKey(strkey.VersionByteAccountID, a.AccountId.Ed25519[:]), nil
	case xdr.ScAddressTypeScAddressTypeContract:
		if a.ContractId == nil {
			return "", errors.New("contract address without an id")
		}
		return encodeKey(strkey.VersionByteContract, a.ContractId[:]), nil
	case xdr.ScAddressTypeScAddressTypeMuxedAccount:
		if a.MuxedAccount == nil {
			return "", errors.New("muxed address without a payload")
		}
		return encodeMuxed(a.MuxedAccount.Ed25519[:], uint64(a.MuxedAccount.Id)), nil
	case xdr.ScAddressTypeScAddressTypeClaimableBalance:
		cb := a.ClaimableBalanceId
		if cb == nil || cb.V0 == nil {
			return "", errors.New("claimable balance address without an id")
		}
		return encodeClaimableBalance(byte(cb.Type), cb.V0[:]), nil
	case xdr.ScAddressTypeScAddressTypeLiquidityPool:
		if a.LiquidityPoolId == nil {
			return "", errors.New("liquidity pool address without an id")
		}
		return encodeKey(strkey.VersionByteLiquidityPool, a.LiquidityPoolId[:]), nil
	}
	return "", fmt.Errorf("unknown ScAddress type %d", int32(a.Type))
}

// --- zero-copy path --------------------------------------------------------

// value converts the ScVal at the start of b and returns it with its wire
// size, so that arrays of values are walked once. It reads through the
// SDK's view accessors, which panic with *xdr.ViewError on malformed bytes
// (callers recover with catch).
func (d *decoder) value(b []byte, depth int) (chain.Value, int) {
	if depth > maxValueDepth {
		panic(decodeFailure{errValueTooDeep})
	}
	v := xdr.ScValView(b)
	switch t := v.MustType(); t {
	case xdr.ScValTypeScvBool:
		return chain.Bool(v.MustB().MustValue()), 8
	case xdr.ScValTypeScvVoid:
		return chain.Void(), 4
	case xdr.ScValTypeScvError:
		e := v.MustError()
		et := e.MustType()
		if et == xdr.ScErrorTypeSceContract {
			return chain.Error(errorText(et, e.MustContractCode().MustValue())), 12
		}
		return chain.Error(errorText(et, uint32(e.MustCode().MustValue()))), 12
	case xdr.ScValTypeScvU32:
		return chain.U32(v.MustU32().MustValue()), 8
	case xdr.ScValTypeScvI32:
		return chain.I32(v.MustI32().MustValue()), 8
	case xdr.ScValTypeScvU64:
		return chain.U64(v.MustU64().MustValue()), 12
	case xdr.ScValTypeScvI64:
		return chain.I64(v.MustI64().MustValue()), 12
	case xdr.ScValTypeScvTimepoint:
		return chain.Timepoint(v.MustTimepoint().MustValue()), 12
	case xdr.ScValTypeScvDuration:
		return chain.Duration(v.MustDuration().MustValue()), 12
	case xdr.ScValTypeScvU128:
		p := fixed(v.MustU128(), 16)
		return chain.U128(binary.BigEndian.Uint64(p), binary.BigEndian.Uint64(p[8:])), 20
	case xdr.ScValTypeScvI128:
		p := fixed(v.MustI128(), 16)
		return chain.I128(int64(binary.BigEndian.Uint64(p)), binary.BigEndian.Uint64(p[8:])), 20
	case xdr.ScValTypeScvU256:
		p := fixed(v.MustU256(), 32)
		return chain.U256(binary.BigEndian.Uint64(p), binary.BigEndian.Uint64(p[8:]),
			binary.BigEndian.Uint64(p[16:]), binary.BigEndian.Uint64(p[24:])), 36
	case xdr.ScValTypeScvI256:
		p := fixed(v.MustI256(), 32)
		return chain.I256(int64(binary.BigEndian.Uint64(p)), binary.BigEndian.Uint64(p[8:]),
			binary.BigEndian.Uint64(p[16:]), binary.BigEndian.Uint64(p[24:])), 36
	case xdr.ScValTypeScvBytes:
		p := v.MustBytes().MustValue()
		return chain.Bytes(d.bytes(p)), 8 + padded(len(p))
	case xdr.ScValTypeScvString:
		p := v.MustStr().MustValue()
		return chain.String(string(p)), 8 + padded(len(p))
	case xdr.ScValTypeScvSymbol:
		p := v.MustSym().MustValue()
		return chain.Symbol(string(p)), 8 + padded(len(p))
	case xdr.ScValTypeScvVec:
		vec, ok := v.MustVec().MustUnwrap()
		if !ok {
			return chain.Vec(), 8
		}
		items, n := d.values([]byte(vec), depth+1)
		return chain.Vec(items...), 8 + n
	case xdr.ScValTypeScvMap:
		m, ok := v.MustMap().MustUnwrap()
		if !ok {
			return chain.Map(), 8
		}
		arr := []byte(m)
		n := count(arr, 8)
		if n == 0 {
			return chain.Map(), 12
		}
		entries := make([]chain.MapEntry, n)
		o := 4
		for i := range entries {
			k, ks := d.value(after(arr, o), depth+1)
			o += ks
			val, vs := d.value(after(arr, o), depth+1)
			o += vs
			entries[i] = chain.MapEntry{Key: k, Val: val}
		}
		return chain.Map(entries...), 8 + o
	case xdr.ScValTypeScvAddress:
		s, n := d.address(v.MustAddress())
		return chain.Address(s), 4 + n
	case xdr.ScValTypeScvContractInstance:
		ex := v.MustInstance().MustExecutable()
		et := ex.MustType()
		var hash []byte
		if et == xdr.ContractExecutableTypeContractExecutableWasm {
			hash = ex.MustWasmHash().MustRaw()
		}
		return chain.Other(instanceText(et, hash)), sizeOf(v)
	case xdr.ScValTypeScvLedgerKeyContractInstance:
		return chain.Other("LedgerKeyContractInstance"), 4
	case xdr.ScValTypeScvLedgerKeyNonce:
		return chain.Other(nonceText(v.MustNonceKey().MustNonce().MustValue())), 12
	case xdr.ScValTypeScvExecutableTag:
		p := v.MustExecutableTag().MustValue()
		return chain.Other(executableTagText(string(p))), 8 + padded(len(p))
	default:
		fail("unknown ScVal type %d", int32(t))
		return chain.Value{}, 0
	}
}

// values converts an XDR array of ScVal (count, then the values) and
// returns the values and the array's wire size. An empty array gives nil.
func (d *decoder) values(arr []byte, depth int) ([]chain.Value, int) {
	n := count(arr, 4)
	if n == 0 {
		return nil, 4
	}
	out := make([]chain.Value, n)
	o := 4
	for i := range out {
		var sz int
		out[i], sz = d.value(after(arr, o), depth)
		o += sz
	}
	return out, o
}

// padded rounds an opaque length up to XDR's 4-byte alignment.
func padded(n int) int { return (n + 3) &^ 3 }

// fixed returns the first n bytes of a fixed-size view, panicking like the
// Must accessors when the buffer is short.
func fixed[V ~[]byte](v V, n int) []byte {
	if len(v) < n {
		panic(&xdr.ViewError{Kind: xdr.ViewErrShortBuffer, Detail: "fixed-size value truncated"})
	}
	return []byte(v)[:n]
}

// address renders ScAddress wire bytes as a strkey and returns its size.
func (d *decoder) address(a xdr.ScAddressView) (string, int) {
	switch t := a.MustType(); t {
	case xdr.ScAddressTypeScAddressTypeAccount:
		return d.key(strkey.VersionByteAccountID, accountKey(a.MustAccountId())), 40
	case xdr.ScAddressTypeScAddressTypeContract:
		return d.key(strkey.VersionByteContract, a.MustContractId().MustRaw()), 36
	case xdr.ScAddressTypeScAddressTypeMuxedAccount:
		m := a.MustMuxedAccount()
		return encodeMuxed(fixed(m, 40)[8:], binary.BigEndian.Uint64(m)), 44
	case xdr.ScAddressTypeScAddressTypeClaimableBalance:
		cb := a.MustClaimableBalanceId()
		return encodeClaimableBalance(byte(cb.MustType()), cb.MustV0().MustRaw()), 40
	case xdr.ScAddressTypeScAddressTypeLiquidityPool:
		return d.key(strkey.VersionByteLiquidityPool, a.MustLiquidityPoolId().MustRaw()), 36
	default:
		fail("unknown ScAddress type %d", int32(t))
		return "", 0
	}
}

// accountKey returns the 32 key bytes of an AccountId (a PublicKey union).
func accountKey(pk xdr.PublicKeyView) []byte {
	if t := pk.MustType(); t != xdr.PublicKeyTypePublicKeyTypeEd25519 {
		panic(fmt.Errorf("unknown public key type %d", int32(t)))
	}
	return pk.MustEd25519().MustRaw()
}

// --- shared renderings -----------------------------------------------------

func encodeKey(version strkey.VersionByte, key []byte) string {
	s, err := strkey.Encode(version, key)
	if err != nil { // only for payloads over 100 bytes; keys are 32
		panic(err)
	}
	return s
}

func encodeMuxed(ed25519 []byte, id uint64) string {
	var raw [40]byte
	copy(raw[:32], ed25519)
	binary.BigEndian.PutUint64(raw[32:], id)
	return encodeKey(strkey.VersionByteMuxedAccount, raw[:])
}

func encodeClaimableBalance(typ byte, hash []byte) string {
	var raw [33]byte
	raw[0] = typ
	copy(raw[1:], hash)
	return encodeKey(strkey.VersionByteClaimableBalance, raw[:])
}

var errorTypeNames = [...]string{
	xdr.ScErrorTypeSceContract: "Contract", xdr.ScErrorTypeSceWasmVm: "WasmVm",
	xdr.ScErrorTypeSceContext: "Context", xdr.ScErrorTypeSceStorage: "Storage",
	xdr.ScErrorTypeSceObject: "Object", xdr.ScErrorTypeSceCrypto: "Crypto",
	xdr.ScErrorTypeSceEvents: "Events", xdr.ScErrorTypeSceBudget: "Budget",
	xdr.ScErrorTypeSceValue: "Value", xdr.ScErrorTypeSceAuth: "Auth",
}

var errorCodeNames = [...]string{
	xdr.ScErrorCodeScecArithDomain: "ArithDomain", xdr.ScErrorCodeScecIndexBounds: "IndexBounds",
	xdr.ScErrorCodeScecInvalidInput: "InvalidInput", xdr.ScErrorCodeScecMissingValue: "MissingValue",
	xdr.ScErrorCodeScecExistingValue: "ExistingValue", xdr.ScErrorCodeScecExceededLimit: "ExceededLimit",
	xdr.ScErrorCodeScecInvalidAction: "InvalidAction", xdr.ScErrorCodeScecInternalError: "InternalError",
	xdr.ScErrorCodeScecUnexpectedType: "UnexpectedType", xdr.ScErrorCodeScecUnexpectedSize: "UnexpectedSize",
}

// errorText renders an ScError the way the Soroban host prints it:
// "Error(Contract, #3)" for contract errors, "Error(Auth, InvalidAction)"
// otherwise.
func errorText(t xdr.ScErrorType, code uint32) string {
	typ := "Type" + strconv.Itoa(int(t))
	if int(t) >= 0 && int(t) < len(errorTypeNames) {
		typ = errorTypeNames[t]
	}
	if t == xdr.ScErrorTypeSceContract {
		return "Error(" + typ + ", #" + strconv.FormatUint(uint64(code), 10) + ")"
	}
	c := "#" + strconv.FormatUint(uint64(code), 10)
	if code < uint32(len(errorCodeNames)) {
		c = errorCodeNames[code]
	}
	return "Error(" + typ + ", " + c + ")"
}

func instanceText(t xdr.ContractExecutableType, wasmHash []byte) string {
	switch t {
	case xdr.ContractExecutableTypeContractExecutableWasm:
		return "ContractInstance(Wasm(" + hex.EncodeToString(wasmHash) + "))"
	case xdr.ContractExecutableTypeContractExecutableStellarAsset:
		return "ContractInstance(StellarAsset)"
	case xdr.ContractExecutableTypeContractExecutableExternalRef:
		return "ContractInstance(ExternalRef)"
	}
	return "ContractInstance(Executable" + strconv.Itoa(int(t)) + ")"
}

func nonceText(n int64) string { return "LedgerKeyNonce(" + strconv.FormatInt(n, 10) + ")" }

func executableTagText(s string) string { return "ExecutableTag(" + s + ")" }

func cloneBytes(b []byte) []byte {
	out := make([]byte, len(b))
	copy(out, b)
	return out
}
