package stellar

import (
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/ozmon/ozmon/chain"
	"github.com/stellar/go-stellar-sdk/strkey"
	"github.com/stellar/go-stellar-sdk/xdr"
)

func scv(t xdr.ScValType) xdr.ScVal { return xdr.ScVal{Type: t} }

func TestValueFromScValEveryKind(t *testing.T) {
	b := true
	u32, i32 := xdr.Uint32(7), xdr.Int32(-7)
	u64, i64 := xdr.Uint64(math.MaxUint64), xdr.Int64(math.MinInt64)
	tp, dur := xdr.TimePoint(1700000000), xdr.Duration(60)
	bytes0, bytes32 := xdr.ScBytes{}, xdr.ScBytes(keyBytes(1))
	str, symbol := xdr.ScString("a\"b\n"), xdr.ScSymbol("sym_1")
	code3 := xdr.Uint32(3)
	invalidAction := xdr.ScErrorCodeScecInvalidAction
	var nilVec *xdr.ScVec
	emptyVec := &xdr.ScVec{}
	vec := &xdr.ScVec{
		{Type: xdr.ScValTypeScvU32, U32: &u32}, {Type: xdr.ScValTypeScvU32, U32: &u32}, i128(0, 3),
	}
	var nilMap *xdr.ScMap
	m := &xdr.ScMap{
		{Key: sym("b"), Val: xdr.ScVal{Type: xdr.ScValTypeScvU32, U32: &u32}},
		{Key: sym("a"), Val: xdr.ScVal{Type: xdr.ScValTypeScvString, Str: &str}},
	}
	muxedAcc := xdr.MuxedEd25519Account{Id: 9, Ed25519: key(2)}
	cb := xdr.ClaimableBalanceId{Type: xdr.ClaimableBalanceIdTypeClaimableBalanceIdTypeV0, V0: (*xdr.Hash)(ptr(key(3)))}
	pool := xdr.PoolId(key(4))
	wasm := xdr.Hash(key(5))
	tag := xdr.ScString("tag")
	addr := func(a xdr.ScAddress) xdr.ScVal { return scAddrVal(a) }
	enc := func(v strkey.VersionByte, b []byte) string { return strkey.MustEncode(v, b) }

	for _, tc := range []struct {
		in                        xdr.ScVal
		want                      chain.Value
		display, ozJSON, typeName string
	}{
		{xdr.ScVal{Type: xdr.ScValTypeScvBool, B: &b}, chain.Bool(true), "true", "true", "Bool"},
		{scv(xdr.ScValTypeScvVoid), chain.Void(), "null", "null", "Void"},
		{xdr.ScVal{Type: xdr.ScValTypeScvError, Error: &xdr.ScError{Type: xdr.ScErrorTypeSceContract, ContractCode: &code3}},
			chain.Error("Error(Contract, #3)"), "Error(Contract, #3)", "null", "Void"},
		{xdr.ScVal{Type: xdr.ScValTypeScvError, Error: &xdr.ScError{Type: xdr.ScErrorTypeSceAuth, Code: &invalidAction}},
			chain.Error("Error(Auth, InvalidAction)"), "Error(Auth, InvalidAction)", "null", "Void"},
		{xdr.ScVal{Type: xdr.ScValTypeScvU32, U32: &u32}, chain.U32(7), "7", "7", "U32"},
		{xdr.ScVal{Type: xdr.ScValTypeScvI32, I32: &i32}, chain.I32(-7), "-7", "-7", "I32"},
		{xdr.ScVal{Type: xdr.ScValTypeScvU64, U64: &u64}, chain.U64(math.MaxUint64), "18446744073709551615", "18446744073709551615", "U64"},
		{xdr.ScVal{Type: xdr.ScValTypeScvI64, I64: &i64}, chain.I64(math.MinInt64), "-9223372036854775808", "-9223372036854775808", "I64"},
		{xdr.ScVal{Type: xdr.ScValTypeScvTimepoint, Timepoint: &tp}, chain.Timepoint(1700000000), "1700000000", "1700000000", "Timepoint"},
		{xdr.ScVal{Type: xdr.ScValTypeScvDuration, Duration: &dur}, chain.Duration(60), "60", "60", "Duration"},
		{xdr.ScVal{Type: xdr.ScValTypeScvU128, U128: &xdr.UInt128Parts{Hi: 1, Lo: 2}}, chain.U128(1, 2),
			"18446744073709551618", `{"type":"U128","value":"18446744073709551618"}`, "U128"},
		{i128(-1, math.MaxUint64), chain.I128(-1, math.MaxUint64), "-1", `{"type":"I128","value":"-1"}`, "I128"},
		{i128(math.MinInt64, 0), chain.I128(math.MinInt64, 0), "-170141183460469231731687303715884105728",
			`{"type":"I128","value":"-170141183460469231731687303715884105728"}`, "I128"},
		{xdr.ScVal{Type: xdr.ScValTypeScvU256, U256: &xdr.UInt256Parts{HiHi: 1, HiLo: 2, LoHi: 3, LoLo: 4}}, chain.U256(1, 2, 3, 4),
			"6277101735386680764516354157049543343084444891548699590660",
			`{"type":"U256","value":"6277101735386680764516354157049543343084444891548699590660"}`, "U256"},
		{xdr.ScVal{Type: xdr.ScValTypeScvI256, I256: &xdr.Int256Parts{HiHi: -1, HiLo: math.MaxUint64, LoHi: math.MaxUint64, LoLo: math.MaxUint64}},
			chain.I256(-1, math.MaxUint64, math.MaxUint64, math.MaxUint64), "-1", `{"type":"I256","value":"-1"}`, "I256"},
		{xdr.ScVal{Type: xdr.ScValTypeScvBytes, Bytes: &bytes0}, chain.Bytes([]byte{}), "", `""`, "Bytes"},
		{xdr.ScVal{Type: xdr.ScValTypeScvBytes, Bytes: &bytes32}, chain.Bytes(keyBytes(1)),
			"0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20",
			`"0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20"`, "Bytes32"},
		{xdr.ScVal{Type: xdr.ScValTypeScvString, Str: &str}, chain.String("a\"b\n"), "a\"b\n", `"a\"b\n"`, "String"},
		{xdr.ScVal{Type: xdr.ScValTypeScvSymbol, Sym: &symbol}, chain.Symbol("sym_1"), "sym_1", `"sym_1"`, "Symbol"},
		{xdr.ScVal{Type: xdr.ScValTypeScvVec, Vec: &nilVec}, chain.Vec(), "[]", "[]", "Vec<Void>"},
		{xdr.ScVal{Type: xdr.ScValTypeScvVec, Vec: &emptyVec}, chain.Vec(), "[]", "[]", "Vec<Void>"},
		{xdr.ScVal{Type: xdr.ScValTypeScvVec, Vec: &vec}, chain.Vec(chain.U32(7), chain.U32(7), chain.I128(0, 3)),
			"[7,7,3]", `[7,7,{"type":"I128","value":"3"}]`, "Vec<U32,I128>"},
		{xdr.ScVal{Type: xdr.ScValTypeScvMap, Map: &nilMap}, chain.Map(), "{}", "{}", "Map<String,Void>"},
		{xdr.ScVal{Type: xdr.ScValTypeScvMap, Map: &m},
			chain.Map(chain.MapEntry{Key: chain.Symbol("b"), Val: chain.U32(7)}, chain.MapEntry{Key: chain.Symbol("a"), Val: chain.String("a\"b\n")}),
			"{a:a\"b\n,b:7}", `{"a":"a\"b\n","b":7}`, "Map<String,String,U32>"}, // key order, as OZ (a JSON object)
		{addr(accountAddr(1)), chain.Address(gAddr(1)), gAddr(1), `"` + gAddr(1) + `"`, "Address"},
		{addr(scAddr(contractID(1))), chain.Address(cAddr(1)), cAddr(1), `"` + cAddr(1) + `"`, "Address"},
		{addr(xdr.ScAddress{Type: xdr.ScAddressTypeScAddressTypeMuxedAccount, MuxedAccount: &muxedAcc}),
			chain.Address(enc(strkey.VersionByteMuxedAccount, append(keyBytes(2), 0, 0, 0, 0, 0, 0, 0, 9))), "", "", "Address"},
		{addr(xdr.ScAddress{Type: xdr.ScAddressTypeScAddressTypeClaimableBalance, ClaimableBalanceId: &cb}),
			chain.Address(enc(strkey.VersionByteClaimableBalance, append([]byte{0}, keyBytes(3)...))), "", "", "Address"},
		{addr(xdr.ScAddress{Type: xdr.ScAddressTypeScAddressTypeLiquidityPool, LiquidityPoolId: &pool}),
			chain.Address(enc(strkey.VersionByteLiquidityPool, keyBytes(4))), "", "", "Address"},
		{xdr.ScVal{Type: xdr.ScValTypeScvContractInstance, Instance: &xdr.ScContractInstance{
			Executable: xdr.ContractExecutable{Type: xdr.ContractExecutableTypeContractExecutableWasm, WasmHash: &wasm}}},
			chain.Other("ContractInstance(Wasm(" + strings.ToLower("05060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F2021222324") + "))"), "", "null", "Void"},
		{xdr.ScVal{Type: xdr.ScValTypeScvContractInstance, Instance: &xdr.ScContractInstance{
			Executable: xdr.ContractExecutable{Type: xdr.ContractExecutableTypeContractExecutableStellarAsset}}},
			chain.Other("ContractInstance(StellarAsset)"), "ContractInstance(StellarAsset)", "null", "Void"},
		{scv(xdr.ScValTypeScvLedgerKeyContractInstance), chain.Other("LedgerKeyContractInstance"), "LedgerKeyContractInstance", "null", "Void"},
		{xdr.ScVal{Type: xdr.ScValTypeScvLedgerKeyNonce, NonceKey: &xdr.ScNonceKey{Nonce: -5}}, chain.Other("LedgerKeyNonce(-5)"), "LedgerKeyNonce(-5)", "null", "Void"},
		{xdr.ScVal{Type: xdr.ScValTypeScvExecutableTag, ExecutableTag: &tag}, chain.Other("ExecutableTag(tag)"), "ExecutableTag(tag)", "null", "Void"},
	} {
		got, err := ValueFromScVal(tc.in)
		if err != nil {
			t.Fatalf("%v: %v", tc.in.Type, err)
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%v: got %#v, want %#v", tc.in.Type, got, tc.want)
		}
		// The zero-copy path agrees on the same value's XDR.
		raw := marshal(t, tc.in)
		viaView, err := valueFromXDR(raw)
		if err != nil || !reflect.DeepEqual(viaView, got) {
			t.Errorf("%v: view path gives %#v, %v", tc.in.Type, viaView, err)
		}
		display, ozJSON := tc.display, tc.ozJSON
		if tc.want.Kind == chain.KindAddress {
			display, ozJSON = tc.want.Text, `"`+tc.want.Text+`"`
			if _, _, err := strkey.DecodeAny(tc.want.Text); err != nil {
				t.Errorf("address %s does not decode: %v", tc.want.Text, err)
			}
		}
		if tc.want.Kind == chain.KindOther && display == "" {
			display = tc.want.Text
		}
		if got.String() != display || got.OZJSON() != ozJSON || got.TypeName() != tc.typeName {
			t.Errorf("%v: renders %q / %s / %s, want %q / %s / %s", tc.in.Type,
				got.String(), got.OZJSON(), got.TypeName(), display, ozJSON, tc.typeName)
		}
	}
}

func ptr[T any](v T) *T { return &v }

func TestValueFromScValRejectsBrokenStructs(t *testing.T) {
	for _, v := range []xdr.ScVal{
		{Type: xdr.ScValTypeScvU32},
		{Type: xdr.ScValTypeScvAddress},
		{Type: xdr.ScValTypeScvAddress, Address: &xdr.ScAddress{Type: 99}},
		{Type: 99},
	} {
		if _, err := ValueFromScVal(v); err == nil {
			t.Errorf("%+v: no error", v)
		}
	}
	// Nesting beyond the bound is an error, not a stack overflow.
	deep := xdr.ScVal{Type: xdr.ScValTypeScvVoid}
	for i := 0; i < 300; i++ {
		vec := &xdr.ScVec{deep}
		deep = xdr.ScVal{Type: xdr.ScValTypeScvVec, Vec: &vec}
	}
	if _, err := ValueFromScVal(deep); err == nil {
		t.Error("300 nested vectors: no error")
	}
	if _, err := valueFromXDR(marshal(t, deep)); err == nil {
		t.Error("300 nested vectors (XDR): no error")
	}
}
