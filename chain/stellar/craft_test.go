package stellar

import (
	"encoding/base64"
	"encoding/hex"
	"reflect"
	"strings"
	"testing"

	"github.com/ozmon/ozmon/chain"
	"github.com/stellar/go-stellar-sdk/network"
	"github.com/stellar/go-stellar-sdk/strkey"
	"github.com/stellar/go-stellar-sdk/xdr"
)

// This file builds small LedgerCloseMetas by hand to reach what the real
// ledgers may not: every LCM and meta version, V0 and fee-bump envelopes,
// muxed accounts, every memo type, every ScVal kind, the parallel Soroban
// phase, transaction-level event ordering and the V3 Soroban gate.

const testPassphrase = network.TestNetworkPassphrase

func key(b byte) xdr.Uint256 {
	var k xdr.Uint256
	for i := range k {
		k[i] = b + byte(i)
	}
	return k
}

func keyBytes(b byte) []byte {
	k := key(b)
	return k[:]
}

func accountID(b byte) xdr.AccountId {
	k := key(b)
	return xdr.AccountId{Type: xdr.PublicKeyTypePublicKeyTypeEd25519, Ed25519: &k}
}

func gAddr(b byte) string {
	k := key(b)
	return strkey.MustEncode(strkey.VersionByteAccountID, k[:])
}

func muxed(b byte, id uint64) xdr.MuxedAccount {
	if id == 0 {
		k := key(b)
		return xdr.MuxedAccount{Type: xdr.CryptoKeyTypeKeyTypeEd25519, Ed25519: &k}
	}
	return xdr.MuxedAccount{Type: xdr.CryptoKeyTypeKeyTypeMuxedEd25519,
		Med25519: &xdr.MuxedAccountMed25519{Id: xdr.Uint64(id), Ed25519: key(b)}}
}

func contractID(b byte) xdr.ContractId { return xdr.ContractId(key(b)) }

func cAddr(b byte) string {
	k := key(b)
	return strkey.MustEncode(strkey.VersionByteContract, k[:])
}

func scAddr(c xdr.ContractId) xdr.ScAddress {
	return xdr.ScAddress{Type: xdr.ScAddressTypeScAddressTypeContract, ContractId: &c}
}

func sym(s string) xdr.ScVal {
	v := xdr.ScSymbol(s)
	return xdr.ScVal{Type: xdr.ScValTypeScvSymbol, Sym: &v}
}

func i128(hi int64, lo uint64) xdr.ScVal {
	return xdr.ScVal{Type: xdr.ScValTypeScvI128, I128: &xdr.Int128Parts{Hi: xdr.Int64(hi), Lo: xdr.Uint64(lo)}}
}

func contractEvent(c byte, topics []xdr.ScVal, data xdr.ScVal) xdr.ContractEvent {
	id := contractID(c)
	return xdr.ContractEvent{ContractId: &id, Type: xdr.ContractEventTypeContract,
		Body: xdr.ContractEventBody{V: 0, V0: &xdr.ContractEventV0{Topics: topics, Data: data}}}
}

func paymentOp(src *xdr.MuxedAccount, to xdr.MuxedAccount, asset xdr.Asset, amount int64) xdr.Operation {
	return xdr.Operation{SourceAccount: src, Body: xdr.OperationBody{Type: xdr.OperationTypePayment,
		PaymentOp: &xdr.PaymentOp{Destination: to, Asset: asset, Amount: xdr.Int64(amount)}}}
}

func invokeOp(c byte, fn string, args ...xdr.ScVal) xdr.Operation {
	return xdr.Operation{Body: xdr.OperationBody{Type: xdr.OperationTypeInvokeHostFunction,
		InvokeHostFunctionOp: &xdr.InvokeHostFunctionOp{HostFunction: xdr.HostFunction{
			Type: xdr.HostFunctionTypeHostFunctionTypeInvokeContract,
			InvokeContract: &xdr.InvokeContractArgs{ContractAddress: scAddr(contractID(c)),
				FunctionName: xdr.ScSymbol(fn), Args: args}}}}}
}

func v1Tx(src xdr.MuxedAccount, memo xdr.Memo, soroban bool, ops ...xdr.Operation) xdr.Transaction {
	tx := xdr.Transaction{SourceAccount: src, Fee: 100, SeqNum: 1,
		Cond: xdr.Preconditions{Type: xdr.PreconditionTypePrecondNone}, Memo: memo, Operations: ops}
	if soroban {
		tx.Ext = xdr.TransactionExt{V: 1, SorobanData: &xdr.SorobanTransactionData{}}
	}
	return tx
}

func v1Envelope(tx xdr.Transaction) xdr.TransactionEnvelope {
	return xdr.TransactionEnvelope{Type: xdr.EnvelopeTypeEnvelopeTypeTx,
		V1: &xdr.TransactionV1Envelope{Tx: tx, Signatures: []xdr.DecoratedSignature{{Signature: []byte{1, 2, 3}}}}}
}

// craftedTx is one transaction of a crafted ledger.
type craftedTx struct {
	env     xdr.TransactionEnvelope
	success bool
	fee     int64
	meta    xdr.TransactionMeta
}

func txHash(tb testing.TB, env xdr.TransactionEnvelope) xdr.Hash {
	tb.Helper()
	h, err := network.HashTransactionInEnvelope(env, testPassphrase)
	if err != nil {
		tb.Fatal(err)
	}
	return h
}

func resultPair(tb testing.TB, c craftedTx) xdr.TransactionResultPair {
	tb.Helper()
	ops := []xdr.OperationResult{}
	res := xdr.TransactionResult{FeeCharged: xdr.Int64(c.fee)}
	code := xdr.TransactionResultCodeTxSuccess
	if !c.success {
		code = xdr.TransactionResultCodeTxFailed
	}
	if c.env.Type == xdr.EnvelopeTypeEnvelopeTypeTxFeeBump {
		inner := v1Envelope(c.env.FeeBump.Tx.InnerTx.V1.Tx)
		outer := xdr.TransactionResultCodeTxFeeBumpInnerSuccess
		if !c.success {
			outer = xdr.TransactionResultCodeTxFeeBumpInnerFailed
		}
		res.Result = xdr.TransactionResultResult{Code: outer, InnerResultPair: &xdr.InnerTransactionResultPair{
			TransactionHash: txHash(tb, inner),
			Result: xdr.InnerTransactionResult{FeeCharged: xdr.Int64(c.fee),
				Result: xdr.InnerTransactionResultResult{Code: code, Results: &ops}}}}
	} else {
		res.Result = xdr.TransactionResultResult{Code: code, Results: &ops}
	}
	return xdr.TransactionResultPair{TransactionHash: txHash(tb, c.env), Result: res}
}

func header(seq uint32) xdr.LedgerHeaderHistoryEntry {
	return xdr.LedgerHeaderHistoryEntry{
		Hash: xdr.Hash(key(0xa0)),
		Header: xdr.LedgerHeader{LedgerVersion: 23, PreviousLedgerHash: xdr.Hash(key(0xb0)),
			ScpValue: xdr.StellarValue{CloseTime: 1750000000}, LedgerSeq: xdr.Uint32(seq)},
	}
}

// craftLCM builds a LedgerCloseMeta of version ver holding txs in apply
// order; the tx set lists them in reverse, as pairing must go by hash.
// parallel puts the envelopes in a parallel (V1) phase.
func craftLCM(tb testing.TB, ver int32, parallel bool, txs ...craftedTx) xdr.LedgerCloseMeta {
	tb.Helper()
	envs := make([]xdr.TransactionEnvelope, len(txs))
	for i, c := range txs {
		envs[len(txs)-1-i] = c.env
	}
	var phase xdr.TransactionPhase
	if parallel {
		phase = xdr.TransactionPhase{V: 1, ParallelTxsComponent: &xdr.ParallelTxsComponent{
			ExecutionStages: []xdr.ParallelTxExecutionStage{{envs[:len(envs)/2], envs[len(envs)/2:]}}}}
	} else {
		phase = xdr.TransactionPhase{V: 0, V0Components: &[]xdr.TxSetComponent{{
			Type:                  xdr.TxSetComponentTypeTxsetCompTxsMaybeDiscountedFee,
			TxsMaybeDiscountedFee: &xdr.TxSetComponentTxsMaybeDiscountedFee{Txs: envs}}}}
	}
	gen := xdr.GeneralizedTransactionSet{V: 1, V1TxSet: &xdr.TransactionSetV1{Phases: []xdr.TransactionPhase{phase}}}
	hdr := header(1000 + uint32(ver))
	switch ver {
	case 0:
		v0 := &xdr.LedgerCloseMetaV0{LedgerHeader: hdr, TxSet: xdr.TransactionSet{Txs: envs}}
		for _, c := range txs {
			v0.TxProcessing = append(v0.TxProcessing, xdr.TransactionResultMeta{Result: resultPair(tb, c), TxApplyProcessing: c.meta})
		}
		return xdr.LedgerCloseMeta{V: 0, V0: v0}
	case 1:
		v1 := &xdr.LedgerCloseMetaV1{LedgerHeader: hdr, TxSet: gen}
		for _, c := range txs {
			v1.TxProcessing = append(v1.TxProcessing, xdr.TransactionResultMeta{Result: resultPair(tb, c), TxApplyProcessing: c.meta})
		}
		return xdr.LedgerCloseMeta{V: 1, V1: v1}
	default:
		v2 := &xdr.LedgerCloseMetaV2{LedgerHeader: hdr, TxSet: gen}
		for _, c := range txs {
			v2.TxProcessing = append(v2.TxProcessing, xdr.TransactionResultMetaV1{Result: resultPair(tb, c), TxApplyProcessing: c.meta})
		}
		return xdr.LedgerCloseMeta{V: 2, V2: v2}
	}
}

func marshal(tb testing.TB, v interface{ MarshalBinary() ([]byte, error) }) []byte {
	tb.Helper()
	b, err := v.MarshalBinary()
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// decodeBoth decodes a crafted ledger through both paths and checks that
// they agree.
func decodeBoth(tb testing.TB, lcm xdr.LedgerCloseMeta) *chain.Block {
	tb.Helper()
	blk, err := DecodeLedgerXDR("testnet", testPassphrase, marshal(tb, lcm))
	if err != nil {
		tb.Fatal(err)
	}
	blk2, err := decodeLedger("testnet", testPassphrase, lcm)
	if err != nil {
		tb.Fatal(err)
	}
	if !reflect.DeepEqual(blk, blk2) {
		tb.Fatalf("DecodeLedgerXDR and decodeLedger disagree: %s", diffBlocks(blk, blk2))
	}
	return blk
}

// classicTx: muxed source, memo id, a payment with its own (muxed) source
// to a muxed destination in a 12-character asset, and a bump_sequence.
func classicTx() craftedTx {
	opSrc := muxed(3, 7)
	asset := xdr.Asset{Type: xdr.AssetTypeAssetTypeCreditAlphanum12, AlphaNum12: &xdr.AlphaNum12{
		AssetCode: xdr.AssetCode12{'L', 'O', 'N', 'G', 'C', 'O', 'D', 'E'}, Issuer: accountID(4)}}
	id := xdr.Uint64(42)
	return craftedTx{
		env: v1Envelope(v1Tx(muxed(1, 99), xdr.Memo{Type: xdr.MemoTypeMemoId, Id: &id}, false,
			paymentOp(&opSrc, muxed(2, 5), asset, 1234567),
			xdr.Operation{Body: xdr.OperationBody{Type: xdr.OperationTypeBumpSequence, BumpSequenceOp: &xdr.BumpSequenceOp{BumpTo: 9}}},
			paymentOp(nil, muxed(2, 0), xdr.Asset{Type: xdr.AssetTypeAssetTypeNative}, 5),
		)),
		success: true,
		fee:     300,
		meta: xdr.TransactionMeta{V: 4, V4: &xdr.TransactionMetaV4{
			Operations: []xdr.OperationMetaV2{
				{Events: []xdr.ContractEvent{contractEvent(9, []xdr.ScVal{sym("transfer")}, i128(0, 1234567))}},
				{},
				{Events: []xdr.ContractEvent{contractEvent(8, []xdr.ScVal{sym("transfer")}, i128(0, 5))}},
			},
			Events: []xdr.TransactionEvent{
				{Stage: xdr.TransactionEventStageTransactionEventStageAfterTx, Event: contractEvent(8, []xdr.ScVal{sym("fee")}, i128(-1, 1<<64-50))},
				{Stage: xdr.TransactionEventStageTransactionEventStageBeforeAllTxs, Event: contractEvent(8, []xdr.ScVal{sym("fee")}, i128(0, 300))},
			},
		}},
	}
}

// feeBumpTx wraps a Soroban invoke_contract call in a fee bump paid by a
// muxed account; memo text.
func feeBumpTx(metaVer int32) craftedTx {
	text := "hello"
	inner := v1Tx(muxed(5, 0), xdr.Memo{Type: xdr.MemoTypeMemoText, Text: &text}, true,
		invokeOp(6, "transfer", scAddrVal(accountAddr(5)), scAddrVal(scAddr(contractID(7))), i128(0, 2240)))
	env := xdr.TransactionEnvelope{Type: xdr.EnvelopeTypeEnvelopeTypeTxFeeBump, FeeBump: &xdr.FeeBumpTransactionEnvelope{
		Tx: xdr.FeeBumpTransaction{FeeSource: muxed(10, 11), Fee: 1000,
			InnerTx: xdr.FeeBumpTransactionInnerTx{Type: xdr.EnvelopeTypeEnvelopeTypeTx,
				V1: &xdr.TransactionV1Envelope{Tx: inner}}}}}
	ev := contractEvent(6, []xdr.ScVal{sym("transfer"), scAddrVal(accountAddr(5)), scAddrVal(scAddr(contractID(7)))}, i128(0, 2240))
	c := craftedTx{env: env, success: true, fee: 777}
	switch metaVer {
	case 3:
		c.meta = xdr.TransactionMeta{V: 3, V3: &xdr.TransactionMetaV3{
			Operations:  []xdr.OperationMeta{{}},
			SorobanMeta: &xdr.SorobanTransactionMeta{Events: []xdr.ContractEvent{ev}, ReturnValue: xdr.ScVal{Type: xdr.ScValTypeScvVoid}}}}
	case 4:
		c.meta = xdr.TransactionMeta{V: 4, V4: &xdr.TransactionMetaV4{
			Operations: []xdr.OperationMetaV2{{Events: []xdr.ContractEvent{ev}}}}}
	default:
		c.meta = xdr.TransactionMeta{V: 2, V2: &xdr.TransactionMetaV2{Operations: []xdr.OperationMeta{{}}}}
	}
	return c
}

// v0Tx is a legacy V0 envelope with a hash memo, failed.
func v0Tx() craftedTx {
	h := xdr.Hash(key(0x33))
	env := xdr.TransactionEnvelope{Type: xdr.EnvelopeTypeEnvelopeTypeTxV0, V0: &xdr.TransactionV0Envelope{
		Tx: xdr.TransactionV0{SourceAccountEd25519: key(12), Fee: 100, SeqNum: 3,
			Memo:       xdr.Memo{Type: xdr.MemoTypeMemoHash, Hash: &h},
			Operations: []xdr.Operation{paymentOp(nil, muxed(13, 0), xdr.Asset{Type: xdr.AssetTypeAssetTypeNative}, 10)}}}}
	return craftedTx{env: env, success: false, fee: 100,
		meta: xdr.TransactionMeta{V: 2, V2: &xdr.TransactionMetaV2{Operations: []xdr.OperationMeta{{}}}}}
}

func accountAddr(b byte) xdr.ScAddress {
	a := accountID(b)
	return xdr.ScAddress{Type: xdr.ScAddressTypeScAddressTypeAccount, AccountId: &a}
}

func scAddrVal(a xdr.ScAddress) xdr.ScVal {
	return xdr.ScVal{Type: xdr.ScValTypeScvAddress, Address: &a}
}

func TestCraftedLedgers(t *testing.T) {
	for _, tc := range []struct {
		name     string
		ver      int32
		metaVer  int32
		parallel bool
	}{
		{"lcm-v2-meta-v4", 2, 4, false},
		{"lcm-v2-parallel", 2, 4, true},
		{"lcm-v1-meta-v3", 1, 3, false},
		{"lcm-v0-meta-v2", 0, 2, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cl := classicTx()
			if tc.metaVer != 4 {
				cl.meta = xdr.TransactionMeta{V: 2, V2: &xdr.TransactionMetaV2{Operations: make([]xdr.OperationMeta, 3)}}
			}
			txs := []craftedTx{cl, feeBumpTx(tc.metaVer), v0Tx()}
			if tc.ver == 0 {
				txs = []craftedTx{cl, v0Tx()} // a V0 tx set predates fee bumps' Soroban inner txs; keep it classic
			}
			blk := decodeBoth(t, craftLCM(t, tc.ver, tc.parallel, txs...))
			if blk.Ledger != uint64(1000+tc.ver) || blk.ProtocolVersion != 23 ||
				blk.Hash != hex.EncodeToString(keyBytes(0xa0)) || blk.ParentHash != hex.EncodeToString(keyBytes(0xb0)) ||
				blk.CloseTime.Unix() != 1750000000 || blk.Network != "testnet" || blk.Chain != chain.Stellar {
				t.Fatalf("header: %+v", blk)
			}
			if len(blk.Transactions) != len(txs) {
				t.Fatalf("%d transactions", len(blk.Transactions))
			}
			for i, c := range txs {
				tx := blk.Transactions[i]
				h := txHash(t, c.env)
				if tx.Hash != hex.EncodeToString(h[:]) || tx.Index != i+1 || tx.Success != c.success || tx.FeeCharged != c.fee {
					t.Fatalf("tx %d: %+v", i, tx)
				}
				if got, want := tx.EnvelopeXDR, marshal(t, c.env); !reflect.DeepEqual(got, want) {
					t.Fatalf("tx %d: EnvelopeXDR differs", i)
				}
				var res xdr.TransactionResult
				if err := xdr.SafeUnmarshal(tx.ResultXDR, &res); err != nil || int64(res.FeeCharged) != c.fee {
					t.Fatalf("tx %d: ResultXDR: %v", i, err)
				}
			}

			// The classic transaction.
			tx := blk.Transactions[0]
			muxedSrc := strkey.MustEncode(strkey.VersionByteMuxedAccount, append(keyBytes(1), 0, 0, 0, 0, 0, 0, 0, 99))
			if tx.Source != gAddr(1) || tx.SourceMuxed != muxedSrc || tx.FeeBump || tx.FeeSource != "" ||
				tx.Memo != (chain.Memo{Type: "id", Value: "42"}) {
				t.Fatalf("classic tx: %+v", tx)
			}
			opSrc := strkey.MustEncode(strkey.VersionByteMuxedAccount, append(keyBytes(3), 0, 0, 0, 0, 0, 0, 0, 7))
			dest := strkey.MustEncode(strkey.VersionByteMuxedAccount, append(keyBytes(2), 0, 0, 0, 0, 0, 0, 0, 5))
			wantOps := []chain.Operation{
				{Index: 0, Type: chain.OpPayment, Name: "payment", Source: opSrc,
					Payment: &chain.Payment{From: opSrc, To: dest, Asset: "LONGCODE:" + gAddr(4), Amount: 1234567}},
				{Index: 1, Type: chain.OpOther, Name: "bump_sequence"},
				{Index: 2, Type: chain.OpPayment, Name: "payment",
					Payment: &chain.Payment{From: muxedSrc, To: gAddr(2), Asset: "native", Amount: 5}},
			}
			if !reflect.DeepEqual(tx.Operations, wantOps) {
				t.Fatalf("classic ops:\n got %+v\nwant %+v", tx.Operations, wantOps)
			}
			if tc.metaVer == 4 {
				// Fee charge first, then the operations' events, then the refund.
				var got []string
				for _, e := range tx.Events {
					got = append(got, e.Contract[:4]+"/"+e.Topics[0].String()+"/"+e.Data.String()+"/"+itoa(e.OpIndex))
				}
				want := []string{
					cAddr(8)[:4] + "/fee/300/-1",
					cAddr(9)[:4] + "/transfer/1234567/0",
					cAddr(8)[:4] + "/transfer/5/2",
					cAddr(8)[:4] + "/fee/-50/-1",
				}
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("classic events:\n got %v\nwant %v", got, want)
				}
			} else if len(tx.Events) != 0 {
				t.Fatalf("classic tx has events under meta V%d", tc.metaVer)
			}

			if tc.ver == 0 {
				return
			}
			// The fee-bumped Soroban call.
			fb := blk.Transactions[1]
			feeSrc := gAddr(10)
			if !fb.FeeBump || fb.FeeSource != feeSrc || fb.Source != gAddr(5) || fb.SourceMuxed != "" ||
				fb.Memo != (chain.Memo{Type: "text", Value: "hello"}) {
				t.Fatalf("fee bump tx: %+v", fb)
			}
			wantCall := &chain.Call{Contract: cAddr(6), Function: "transfer",
				Args: []chain.Value{chain.Address(gAddr(5)), chain.Address(cAddr(7)), chain.I128(0, 2240)}}
			if len(fb.Operations) != 1 || fb.Operations[0].Type != chain.OpInvokeContract ||
				fb.Operations[0].Name != "invoke_host_function" || !reflect.DeepEqual(fb.Operations[0].Call, wantCall) {
				t.Fatalf("fee bump ops: %+v", fb.Operations)
			}
			wantEvents := 1
			if tc.metaVer == 2 {
				wantEvents = 0
			}
			if len(fb.Events) != wantEvents {
				t.Fatalf("fee bump tx: %d events, want %d", len(fb.Events), wantEvents)
			}
			if wantEvents == 1 {
				e := fb.Events[0]
				if e.Contract != cAddr(6) || e.OpIndex != 0 || e.TxIndex != 2 || e.Data.String() != "2240" ||
					len(e.Topics) != 3 || e.Topics[1].String() != gAddr(5) {
					t.Fatalf("fee bump event: %+v", e)
				}
			}

			// The V0 envelope.
			v0 := blk.Transactions[2]
			if v0.Source != gAddr(12) || v0.Success || v0.Memo.Type != "hash" ||
				v0.Memo.Value != hex.EncodeToString(keyBytes(0x33)) || len(v0.Operations) != 1 ||
				v0.Operations[0].Payment.From != gAddr(12) {
				t.Fatalf("V0 tx: %+v", v0)
			}
		})
	}
}

// TestV3EventsOnlyForSorobanTransactions mirrors the SDK: a V3 meta's
// SorobanMeta events belong to a Soroban transaction only.
func TestV3EventsOnlyForSorobanTransactions(t *testing.T) {
	c := classicTx()
	c.meta = xdr.TransactionMeta{V: 3, V3: &xdr.TransactionMetaV3{
		Operations: make([]xdr.OperationMeta, 3),
		SorobanMeta: &xdr.SorobanTransactionMeta{ReturnValue: xdr.ScVal{Type: xdr.ScValTypeScvVoid},
			Events: []xdr.ContractEvent{contractEvent(9, []xdr.ScVal{sym("x")}, i128(0, 1))}}}}
	blk := decodeBoth(t, craftLCM(t, 1, false, c))
	if n := len(blk.Transactions[0].Events); n != 0 {
		t.Fatalf("classic tx with V3 SorobanMeta: %d events, want 0", n)
	}
}

func TestDecodeTransactionMatchesLedger(t *testing.T) {
	c := feeBumpTx(4)
	blk := decodeBoth(t, craftLCM(t, 2, false, c))
	b64 := func(v interface{ MarshalBinary() ([]byte, error) }) string {
		return base64.StdEncoding.EncodeToString(marshal(t, v))
	}
	pair := resultPair(t, c)
	tx, err := DecodeTransaction(testPassphrase, 1002, 1, b64(c.env), b64(pair.Result), b64(c.meta))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(tx, blk.Transactions[0]) {
		t.Fatalf("DecodeTransaction differs from the ledger's transaction:\n%+v\n%+v", tx, blk.Transactions[0])
	}
	// Without a passphrase the hash stays empty; without meta, no events.
	tx, err = DecodeTransaction("", 1002, 1, b64(c.env), b64(pair.Result), "")
	if err != nil || tx.Hash != "" || tx.Events != nil || len(tx.Operations) != 1 {
		t.Fatalf("no passphrase, no meta: %+v, %v", tx, err)
	}
	// Bad input is an error naming the ledger and transaction.
	for name, args := range map[string][3]string{
		"bad base64":       {"!!", b64(pair.Result), ""},
		"truncated env":    {b64(c.env)[:40], b64(pair.Result), ""},
		"trailing result":  {b64(c.env), base64.StdEncoding.EncodeToString(append(marshal(t, pair.Result), 0, 0, 0, 0)), ""},
		"meta version 5":   {b64(c.env), b64(pair.Result), base64.StdEncoding.EncodeToString([]byte{0, 0, 0, 5})},
		"empty envelope":   {"", b64(pair.Result), ""},
		"result as meta":   {b64(c.env), b64(pair.Result), b64(pair.Result)},
		"envelope as meta": {b64(c.env), b64(pair.Result), b64(c.env)},
	} {
		_, err := DecodeTransaction(testPassphrase, 1002, 1, args[0], args[1], args[2])
		if err == nil || !strings.Contains(err.Error(), "ledger 1002 transaction 1") {
			t.Errorf("%s: err = %v", name, err)
		}
	}
}

func itoa(i int) string {
	if i < 0 {
		return "-" + itoa(-i)
	}
	if i < 10 {
		return string(rune('0' + i))
	}
	return itoa(i/10) + string(rune('0'+i%10))
}

func mustBase64(tb testing.TB, s string) []byte {
	tb.Helper()
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}
