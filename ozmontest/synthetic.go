package ozmontest

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/stellar/go-stellar-sdk/network"
	"github.com/stellar/go-stellar-sdk/xdr"
)

// SyntheticConfig describes a run of synthetic ledgers. The same config
// always yields the same bytes.
type SyntheticConfig struct {
	Seed        int64
	StartLedger uint32 // first sequence; default 1000
	Ledgers     int    // how many to make up front; default 20
	TxPerLedger int    // default 50; 400+ is fine
	Passphrase  string // default the test network's
	// StartTime is the close time of StartLedger (default
	// 2026-01-01T00:00:00Z); each later ledger closes Interval later
	// (default 5 s).
	StartTime time.Time
	Interval  time.Duration
}

func (c SyntheticConfig) withDefaults() SyntheticConfig {
	if c.StartLedger == 0 {
		c.StartLedger = 1000
	}
	if c.Ledgers <= 0 {
		c.Ledgers = 20
	}
	if c.TxPerLedger <= 0 {
		c.TxPerLedger = 50
	}
	if c.Passphrase == "" {
		c.Passphrase = network.TestNetworkPassphrase
	}
	if c.StartTime.IsZero() {
		c.StartTime = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	if c.Interval <= 0 {
		c.Interval = 5 * time.Second
	}
	return c
}

// SyntheticProtocol is the protocol version synthetic ledgers declare
// (unified CAP-67 events, TransactionMeta V4).
const SyntheticProtocol = 23

// SyntheticGenerator makes consecutive synthetic LedgerCloseMeta (V1,
// generalized transaction set, TransactionMeta V4 with per-operation
// events). Each ledger holds, in a seeded random mix: SAC token transfers
// with their transfer event, app contract calls (deposit, record) with
// their events, classic native payments with CAP-67 transfer events, and
// failed transactions (trapped calls, underfunded payments) with no
// events. Transaction hashes are the real ones for the passphrase;
// signatures carry the right key hint but are not valid ed25519
// signatures (signing would cost more than the rest of the ledger).
// It is not safe for concurrent use.
type SyntheticGenerator struct {
	cfg      SyntheticConfig
	keys     *synthKeys
	next     uint32
	prevHash xdr.Hash
	enc      *xdr.EncodingBuffer // reused: a ledger is ~0.3 MB of XDR
}

// NewSyntheticGenerator starts a generator at cfg.StartLedger.
func NewSyntheticGenerator(cfg SyntheticConfig) (*SyntheticGenerator, error) {
	cfg = cfg.withDefaults()
	if cfg.TxPerLedger > 5000 {
		return nil, fmt.Errorf("synthetic ledgers: %d transactions per ledger is more than 5000", cfg.TxPerLedger)
	}
	keys, err := newSynthKeys(cfg.Seed, cfg.Passphrase)
	if err != nil {
		return nil, fmt.Errorf("synthetic ledgers: derive keys for seed %d: %w", cfg.Seed, err)
	}
	return &SyntheticGenerator{cfg: cfg, keys: keys, next: cfg.StartLedger, prevHash: derive(cfg.Seed, "genesis", int(cfg.StartLedger)), enc: xdr.NewEncodingBuffer()}, nil
}

// Identities returns the generator's deterministic addresses.
func (g *SyntheticGenerator) Identities() SyntheticIdentities { return g.keys.ids }

// Next makes the next ledger and returns it with its XDR bytes.
func (g *SyntheticGenerator) Next() (xdr.LedgerCloseMeta, []byte, error) {
	seq := g.next
	lcm, err := g.build(seq)
	if err != nil {
		return xdr.LedgerCloseMeta{}, nil, fmt.Errorf("synthetic ledger %d: %w", seq, err)
	}
	raw, err := g.enc.MarshalBinary(lcm)
	if err != nil {
		return xdr.LedgerCloseMeta{}, nil, fmt.Errorf("synthetic ledger %d: marshal: %w", seq, err)
	}
	g.prevHash = lcm.LedgerHash()
	g.next++
	return lcm, raw, nil
}

// SyntheticLedgers makes cfg.Ledgers ledgers and returns their XDR.
func SyntheticLedgers(cfg SyntheticConfig) ([][]byte, error) {
	g, err := NewSyntheticGenerator(cfg)
	if err != nil {
		return nil, err
	}
	out := make([][]byte, 0, g.cfg.Ledgers)
	for range g.cfg.Ledgers {
		_, raw, err := g.Next()
		if err != nil {
			return nil, err
		}
		out = append(out, raw)
	}
	return out, nil
}

// txKind is what one synthetic transaction does.
type txKind int

const (
	kindTokenTransfer txKind = iota
	kindDeposit
	kindRecord
	kindPayment
	kindFailedCall
	kindFailedPayment
)

func pickKind(r *rand.Rand) txKind {
	switch n := r.IntN(100); {
	case n < 35:
		return kindTokenTransfer
	case n < 47:
		return kindDeposit
	case n < 57:
		return kindRecord
	case n < 82:
		return kindPayment
	case n < 91:
		return kindFailedCall
	default:
		return kindFailedPayment
	}
}

type synthTx struct {
	env     xdr.TransactionEnvelope
	result  xdr.TransactionResultMeta
	soroban bool
}

func (g *SyntheticGenerator) build(seq uint32) (xdr.LedgerCloseMeta, error) {
	r := rand.New(rand.NewPCG(uint64(g.cfg.Seed), uint64(seq)))
	txs := make([]synthTx, g.cfg.TxPerLedger)
	for i := range txs {
		tx, err := g.makeTx(r, seq, i)
		if err != nil {
			return xdr.LedgerCloseMeta{}, fmt.Errorf("transaction %d: %w", i+1, err)
		}
		txs[i] = tx
	}

	var classic, soroban []xdr.TransactionEnvelope
	processing := make([]xdr.TransactionResultMeta, len(txs))
	for i := range txs {
		if txs[i].soroban {
			soroban = append(soroban, txs[i].env)
		} else {
			classic = append(classic, txs[i].env)
		}
		processing[i] = txs[i].result
	}
	baseFee := xdr.Int64(100)
	txSet := xdr.GeneralizedTransactionSet{V: 1, V1TxSet: &xdr.TransactionSetV1{
		PreviousLedgerHash: g.prevHash,
		Phases: []xdr.TransactionPhase{
			{V: 0, V0Components: &[]xdr.TxSetComponent{{
				Type:                  xdr.TxSetComponentTypeTxsetCompTxsMaybeDiscountedFee,
				TxsMaybeDiscountedFee: &xdr.TxSetComponentTxsMaybeDiscountedFee{BaseFee: &baseFee, Txs: classic},
			}}},
			{V: 1, ParallelTxsComponent: &xdr.ParallelTxsComponent{
				BaseFee:         &baseFee,
				ExecutionStages: []xdr.ParallelTxExecutionStage{{xdr.DependentTxCluster(soroban)}},
			}},
		},
	}}

	closeTime := g.cfg.StartTime.Add(time.Duration(seq-g.cfg.StartLedger) * g.cfg.Interval)
	header := xdr.LedgerHeader{
		LedgerVersion:      SyntheticProtocol,
		PreviousLedgerHash: g.prevHash,
		ScpValue: xdr.StellarValue{
			TxSetHash: derive(g.cfg.Seed, "txset", int(seq)),
			CloseTime: xdr.TimePoint(closeTime.Unix()),
			Ext:       xdr.StellarValueExt{V: xdr.StellarValueTypeStellarValueBasic},
		},
		TxSetResultHash: derive(g.cfg.Seed, "results", int(seq)),
		BucketListHash:  derive(g.cfg.Seed, "buckets", int(seq)),
		LedgerSeq:       xdr.Uint32(seq),
		TotalCoins:      1_000_000_000_000_000_000,
		FeePool:         xdr.Int64(seq) * 1000,
		BaseFee:         100,
		BaseReserve:     5_000_000,
		MaxTxSetSize:    1000,
	}
	hb, err := header.MarshalBinary()
	if err != nil {
		return xdr.LedgerCloseMeta{}, fmt.Errorf("marshal header: %w", err)
	}
	return xdr.LedgerCloseMeta{V: 1, V1: &xdr.LedgerCloseMetaV1{
		LedgerHeader: xdr.LedgerHeaderHistoryEntry{Hash: sha256.Sum256(hb), Header: header},
		TxSet:        txSet,
		TxProcessing: processing,
	}}, nil
}

func (g *SyntheticGenerator) makeTx(r *rand.Rand, seq uint32, i int) (synthTx, error) {
	k := g.keys
	srcIdx := r.IntN(len(k.accounts))
	dstIdx := (srcIdx + 1 + r.IntN(len(k.accounts)-1)) % len(k.accounts)
	src, dst := k.accounts[srcIdx], k.accounts[dstIdx]
	kind := pickKind(r)

	tx := xdr.Transaction{
		SourceAccount: src.ToMuxedAccount(),
		SeqNum:        xdr.SequenceNumber(int64(seq)<<32 | int64(i+1)),
		Cond:          xdr.Preconditions{Type: xdr.PreconditionTypePrecondNone},
		Memo:          xdr.Memo{Type: xdr.MemoTypeMemoNone},
	}
	var (
		op        xdr.Operation
		opEvents  []xdr.ContractEvent
		opResult  xdr.OperationResultTr
		success   = true
		fee       = int64(100)
		isSoroban bool
		retVal    = scVoid()
	)
	switch kind {
	case kindTokenTransfer, kindDeposit, kindRecord, kindFailedCall:
		isSoroban = true
		fee = 50_000 + int64(r.IntN(50_000))
		var contract xdr.ContractId
		var fn string
		var args []xdr.ScVal
		callKind := kind
		if kind == kindFailedCall {
			callKind = []txKind{kindTokenTransfer, kindDeposit, kindRecord}[r.IntN(3)]
			success = false
		}
		switch callKind {
		case kindTokenTransfer:
			amount := int64(1 + r.IntN(1_000_000_000_000))
			contract, fn = k.tokenID, "transfer"
			args = []xdr.ScVal{scAccount(src), scAccount(dst), scI128(0, uint64(amount))}
			opEvents = []xdr.ContractEvent{contractEvent(k.tokenID,
				[]xdr.ScVal{scSym("transfer"), scAccount(src), scAccount(dst), scStr(k.ids.Asset)}, scI128(0, uint64(amount)))}
		case kindDeposit:
			var hi int64
			if r.IntN(50) == 0 {
				hi = 1 // now and then an amount past 2^64
			}
			lo := uint64(1 + r.IntN(10_000_000_000))
			contract, fn = k.appID, "deposit"
			memo := fmt.Sprintf("deposit %d/%d", seq, i+1)
			args = []xdr.ScVal{scAccount(src), scI128(hi, lo), scStr(memo)}
			opEvents = []xdr.ContractEvent{contractEvent(k.appID,
				[]xdr.ScVal{scSym("deposit"), scAccount(src)}, scI128(hi, lo))}
		case kindRecord:
			id := uint32(r.IntN(1000))
			label := fmt.Sprintf("item-%d", r.IntN(100))
			tags := []xdr.ScVal{scSym("alpha"), scSym([]string{"beta", "gamma", "delta"}[r.IntN(3)])}
			count := uint32(r.IntN(10))
			attrs := []xdr.ScMapEntry{
				{Key: scSym("count"), Val: scU32(count)},
				{Key: scSym("level"), Val: scU32(uint32(r.IntN(5)))},
			}
			contract, fn = k.appID, "record"
			args = []xdr.ScVal{scU32(id), scStr(label), scVec(tags), scMap(attrs)}
			opEvents = []xdr.ContractEvent{contractEvent(k.appID,
				[]xdr.ScVal{scSym("recorded"), scU32(id)},
				scMap([]xdr.ScMapEntry{{Key: scSym("count"), Val: scU32(count)}, {Key: scSym("label"), Val: scStr(label)}}))}
		}
		addr := xdr.ScAddress{Type: xdr.ScAddressTypeScAddressTypeContract, ContractId: &contract}
		op.Body = xdr.OperationBody{Type: xdr.OperationTypeInvokeHostFunction, InvokeHostFunctionOp: &xdr.InvokeHostFunctionOp{
			HostFunction: xdr.HostFunction{Type: xdr.HostFunctionTypeHostFunctionTypeInvokeContract,
				InvokeContract: &xdr.InvokeContractArgs{ContractAddress: addr, FunctionName: xdr.ScSymbol(fn), Args: args}},
		}}
		instance := xdr.LedgerKey{Type: xdr.LedgerEntryTypeContractData, ContractData: &xdr.LedgerKeyContractData{
			Contract: addr, Key: xdr.ScVal{Type: xdr.ScValTypeScvLedgerKeyContractInstance}, Durability: xdr.ContractDataDurabilityPersistent,
		}}
		tx.Ext = xdr.TransactionExt{V: 1, SorobanData: &xdr.SorobanTransactionData{
			Resources:   xdr.SorobanResources{Footprint: xdr.LedgerFootprint{ReadOnly: []xdr.LedgerKey{instance}}, Instructions: 1_000_000, DiskReadBytes: 1000, WriteBytes: 500},
			ResourceFee: xdr.Int64(fee - 100),
		}}
		ihr := xdr.InvokeHostFunctionResult{Code: xdr.InvokeHostFunctionResultCodeInvokeHostFunctionTrapped}
		if success {
			h := xdr.Hash(sha256.Sum256(binary.BigEndian.AppendUint64(nil, uint64(seq)<<20|uint64(i))))
			ihr = xdr.InvokeHostFunctionResult{Code: xdr.InvokeHostFunctionResultCodeInvokeHostFunctionSuccess, Success: &h}
		}
		opResult = xdr.OperationResultTr{Type: xdr.OperationTypeInvokeHostFunction, InvokeHostFunctionResult: &ihr}
	case kindPayment, kindFailedPayment:
		amount := int64(1 + r.IntN(100_000_000_000))
		op.Body = xdr.OperationBody{Type: xdr.OperationTypePayment, PaymentOp: &xdr.PaymentOp{
			Destination: dst.ToMuxedAccount(), Asset: xdr.MustNewNativeAsset(), Amount: xdr.Int64(amount),
		}}
		code := xdr.PaymentResultCodePaymentSuccess
		if kind == kindFailedPayment {
			code, success = xdr.PaymentResultCodePaymentUnderfunded, false
		} else {
			opEvents = []xdr.ContractEvent{contractEvent(k.nativeID,
				[]xdr.ScVal{scSym("transfer"), scAccount(src), scAccount(dst), scStr("native")}, scI128(0, uint64(amount)))}
		}
		opResult = xdr.OperationResultTr{Type: xdr.OperationTypePayment, PaymentResult: &xdr.PaymentResult{Code: code}}
	}
	tx.Fee = xdr.Uint32(fee)
	tx.Operations = []xdr.Operation{op}

	env := xdr.TransactionEnvelope{Type: xdr.EnvelopeTypeEnvelopeTypeTx, V1: &xdr.TransactionV1Envelope{Tx: tx}}
	hash, err := network.HashTransactionInEnvelope(env, g.cfg.Passphrase)
	if err != nil {
		return synthTx{}, fmt.Errorf("hash: %w", err)
	}
	// A signature-shaped value: right hint, not a valid signature.
	sig := sha256.Sum256(hash[:])
	env.V1.Signatures = []xdr.DecoratedSignature{{Hint: k.hints[srcIdx], Signature: append(sig[:], hash[:]...)}}

	txCode := xdr.TransactionResultCodeTxSuccess
	if !success {
		txCode = xdr.TransactionResultCodeTxFailed
	}
	results := []xdr.OperationResult{{Code: xdr.OperationResultCodeOpInner, Tr: &opResult}}
	charged := fee
	if isSoroban && success {
		charged = fee - int64(r.IntN(int(fee/4))) // part of the resource fee is refunded
	}
	meta := &xdr.TransactionMetaV4{
		Events: []xdr.TransactionEvent{{
			Stage: xdr.TransactionEventStageTransactionEventStageBeforeAllTxs,
			Event: contractEvent(k.nativeID, []xdr.ScVal{scSym("fee"), scAccount(src)}, scI128(0, uint64(fee))),
		}},
	}
	if success {
		meta.Operations = []xdr.OperationMetaV2{{Events: opEvents}}
		if isSoroban {
			meta.SorobanMeta = &xdr.SorobanTransactionMetaV2{ReturnValue: &retVal}
		}
	}
	if isSoroban && charged != fee {
		meta.Events = append(meta.Events, xdr.TransactionEvent{
			Stage: xdr.TransactionEventStageTransactionEventStageAfterTx,
			Event: contractEvent(k.nativeID, []xdr.ScVal{scSym("fee"), scAccount(src)}, scI128(-1, uint64(charged-fee))),
		})
	}
	return synthTx{
		env:     env,
		soroban: isSoroban,
		result: xdr.TransactionResultMeta{
			Result: xdr.TransactionResultPair{TransactionHash: hash, Result: xdr.TransactionResult{
				FeeCharged: xdr.Int64(charged),
				Result:     xdr.TransactionResultResult{Code: txCode, Results: &results},
			}},
			TxApplyProcessing: xdr.TransactionMeta{V: 4, V4: meta},
		},
	}, nil
}

func contractEvent(id xdr.ContractId, topics []xdr.ScVal, data xdr.ScVal) xdr.ContractEvent {
	return xdr.ContractEvent{
		ContractId: &id,
		Type:       xdr.ContractEventTypeContract,
		Body:       xdr.ContractEventBody{V: 0, V0: &xdr.ContractEventV0{Topics: topics, Data: data}},
	}
}

func scVoid() xdr.ScVal { return xdr.ScVal{Type: xdr.ScValTypeScvVoid} }
func scSym(s string) xdr.ScVal {
	v := xdr.ScSymbol(s)
	return xdr.ScVal{Type: xdr.ScValTypeScvSymbol, Sym: &v}
}
func scStr(s string) xdr.ScVal {
	v := xdr.ScString(s)
	return xdr.ScVal{Type: xdr.ScValTypeScvString, Str: &v}
}
func scU32(n uint32) xdr.ScVal {
	v := xdr.Uint32(n)
	return xdr.ScVal{Type: xdr.ScValTypeScvU32, U32: &v}
}
func scI128(hi int64, lo uint64) xdr.ScVal {
	return xdr.ScVal{Type: xdr.ScValTypeScvI128, I128: &xdr.Int128Parts{Hi: xdr.Int64(hi), Lo: xdr.Uint64(lo)}}
}
func scAccount(a xdr.AccountId) xdr.ScVal {
	return xdr.ScVal{Type: xdr.ScValTypeScvAddress, Address: &xdr.ScAddress{Type: xdr.ScAddressTypeScAddressTypeAccount, AccountId: &a}}
}
func scVec(items []xdr.ScVal) xdr.ScVal {
	v := xdr.ScVec(items)
	p := &v
	return xdr.ScVal{Type: xdr.ScValTypeScvVec, Vec: &p}
}
func scMap(entries []xdr.ScMapEntry) xdr.ScVal {
	m := xdr.ScMap(entries)
	p := &m
	return xdr.ScVal{Type: xdr.ScValTypeScvMap, Map: &p}
}
