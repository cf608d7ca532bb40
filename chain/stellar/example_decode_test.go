package stellar_test

import (
	"fmt"

	"github.com/ozmon/ozmon/chain/stellar"
	"github.com/stellar/go-stellar-sdk/network"
	"github.com/stellar/go-stellar-sdk/xdr"
)

// ExampleDecodeLedgerXDR builds a one-transaction LedgerCloseMeta (a native
// payment whose meta carries the CAP-67 transfer event), encodes it as
// getLedgers' metadataXdr would carry it, and decodes it.
func ExampleDecodeLedgerXDR() {
	var from, to xdr.Uint256
	from[0], to[0] = 1, 2
	memo := "invoice 7"
	env := xdr.TransactionEnvelope{Type: xdr.EnvelopeTypeEnvelopeTypeTx, V1: &xdr.TransactionV1Envelope{
		Tx: xdr.Transaction{
			SourceAccount: xdr.MuxedAccount{Type: xdr.CryptoKeyTypeKeyTypeEd25519, Ed25519: &from},
			Fee:           100, SeqNum: 1,
			Cond: xdr.Preconditions{Type: xdr.PreconditionTypePrecondNone},
			Memo: xdr.Memo{Type: xdr.MemoTypeMemoText, Text: &memo},
			Operations: []xdr.Operation{{Body: xdr.OperationBody{Type: xdr.OperationTypePayment,
				PaymentOp: &xdr.PaymentOp{
					Destination: xdr.MuxedAccount{Type: xdr.CryptoKeyTypeKeyTypeEd25519, Ed25519: &to},
					Asset:       xdr.Asset{Type: xdr.AssetTypeAssetTypeNative},
					Amount:      25_0000000,
				}}}},
		}}}
	hash, _ := network.HashTransactionInEnvelope(env, network.TestNetworkPassphrase)

	// The transfer event the native asset's contract emits for the payment.
	sac, _ := xdr.MustNewNativeAsset().ContractID(network.TestNetworkPassphrase)
	contract := xdr.ContractId(sac)
	name := xdr.ScSymbol("transfer")
	fromAddr := xdr.ScAddress{Type: xdr.ScAddressTypeScAddressTypeAccount, AccountId: &xdr.AccountId{Type: xdr.PublicKeyTypePublicKeyTypeEd25519, Ed25519: &from}}
	toAddr := xdr.ScAddress{Type: xdr.ScAddressTypeScAddressTypeAccount, AccountId: &xdr.AccountId{Type: xdr.PublicKeyTypePublicKeyTypeEd25519, Ed25519: &to}}
	native := xdr.ScString("native")
	event := xdr.ContractEvent{ContractId: &contract, Type: xdr.ContractEventTypeContract,
		Body: xdr.ContractEventBody{V: 0, V0: &xdr.ContractEventV0{
			Topics: []xdr.ScVal{
				{Type: xdr.ScValTypeScvSymbol, Sym: &name},
				{Type: xdr.ScValTypeScvAddress, Address: &fromAddr},
				{Type: xdr.ScValTypeScvAddress, Address: &toAddr},
				{Type: xdr.ScValTypeScvString, Str: &native},
			},
			Data: xdr.ScVal{Type: xdr.ScValTypeScvI128, I128: &xdr.Int128Parts{Lo: 25_0000000}},
		}}}

	opResults := []xdr.OperationResult{}
	lcm := xdr.LedgerCloseMeta{V: 1, V1: &xdr.LedgerCloseMetaV1{
		LedgerHeader: xdr.LedgerHeaderHistoryEntry{Header: xdr.LedgerHeader{
			LedgerVersion: 23, LedgerSeq: 1234, ScpValue: xdr.StellarValue{CloseTime: 1750000000}}},
		TxSet: xdr.GeneralizedTransactionSet{V: 1, V1TxSet: &xdr.TransactionSetV1{Phases: []xdr.TransactionPhase{{
			V: 0, V0Components: &[]xdr.TxSetComponent{{Type: xdr.TxSetComponentTypeTxsetCompTxsMaybeDiscountedFee,
				TxsMaybeDiscountedFee: &xdr.TxSetComponentTxsMaybeDiscountedFee{Txs: []xdr.TransactionEnvelope{env}}}}}}}},
		TxProcessing: []xdr.TransactionResultMeta{{
			Result: xdr.TransactionResultPair{TransactionHash: hash, Result: xdr.TransactionResult{FeeCharged: 100,
				Result: xdr.TransactionResultResult{Code: xdr.TransactionResultCodeTxSuccess, Results: &opResults}}},
			TxApplyProcessing: xdr.TransactionMeta{V: 4, V4: &xdr.TransactionMetaV4{
				Operations: []xdr.OperationMetaV2{{Events: []xdr.ContractEvent{event}}}}},
		}},
	}}
	raw, err := lcm.MarshalBinary()
	if err != nil {
		panic(err)
	}

	blk, err := stellar.DecodeLedgerXDR("stellar_testnet", network.TestNetworkPassphrase, raw)
	if err != nil {
		panic(err)
	}
	tx := blk.Transactions[0]
	pay := tx.Operations[0].Payment
	ev := tx.Events[0]
	fmt.Println("ledger", blk.Ledger, "closed", blk.CloseTime.Format("2006-01-02"), "transactions", len(blk.Transactions))
	fmt.Println("success", tx.Success, "fee", tx.FeeCharged, "memo", tx.Memo.Type, tx.Memo.Value)
	fmt.Println(tx.Operations[0].Name, pay.Asset, pay.Amount, "to", pay.To[:6]+"…")
	fmt.Printf("event %s(%s,%s,%s,%s) = %s\n", ev.Topics[0], ev.Topics[1].TypeName(), ev.Topics[2].TypeName(),
		ev.Topics[3].TypeName(), ev.Data.TypeName(), ev.Data)
	// Output:
	// ledger 1234 closed 2025-06-15 transactions 1
	// success true fee 100 memo text invoice 7
	// payment native 250000000 to GABAAA…
	// event transfer(Address,Address,String,I128) = 250000000
}
