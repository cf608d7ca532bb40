package stellar

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"strconv"
	"strings"

	"github.com/ozmon/ozmon/chain"
	"github.com/stellar/go-stellar-sdk/network"
	"github.com/stellar/go-stellar-sdk/strkey"
	"github.com/stellar/go-stellar-sdk/xdr"
)

// This file decodes transactions from XDR wire bytes through the SDK's
// zero-copy views. The walk is single-pass: every decoding step returns the
// wire size of what it read, so nothing is sized twice. The view accessors
// (and this file's own checks) panic on malformed bytes; the exported entry
// points recover those panics with catch and return them as errors.

// decodeFailure is the panic value of this package's own checks inside a
// walk; catch turns it back into an error.
type decodeFailure struct{ err error }

func fail(format string, args ...any) {
	panic(decodeFailure{fmt.Errorf(format, args...)})
}

// catch converts a panic raised inside a walk (an *xdr.ViewError or a
// decodeFailure; as a last resort anything else, which would be a bug) into
// *errp.
func catch(errp *error) {
	r := recover()
	if r == nil {
		return
	}
	switch e := r.(type) {
	case *xdr.ViewError:
		*errp = e
	case decodeFailure:
		*errp = e.err
	case error:
		*errp = fmt.Errorf("internal decoder error: %w", e)
	default:
		*errp = fmt.Errorf("internal decoder error: %v", e)
	}
}

// must panics with err like the SDK's Must accessors do.
func must[T any](v T, err error) T {
	if err != nil {
		raise(err)
	}
	return v
}

func raise(err error) {
	var ve *xdr.ViewError
	if errors.As(err, &ve) {
		panic(ve)
	}
	panic(decodeFailure{err})
}

// decoder carries per-call state: the transaction hasher, a strkey cache (a
// ledger names the same accounts and contracts many times) and an arena for
// the copies of raw XDR and byte values.
type decoder struct {
	hasher *txHasher // nil: transactions are not hashed
	keys   map[[33]byte]string
	arena  byteArena
}

// key returns the strkey of a 32-byte key, encoding each distinct key once.
func (d *decoder) key(v strkey.VersionByte, raw []byte) string {
	if len(raw) != 32 {
		return encodeKey(v, raw)
	}
	var k [33]byte
	k[0] = byte(v)
	copy(k[1:], raw)
	if s, ok := d.keys[k]; ok {
		return s
	}
	s := encodeKey(v, raw)
	if d.keys == nil {
		d.keys = make(map[[33]byte]string, 512)
	}
	d.keys[k] = s
	return s
}

// bytes copies a byte value out of the caller's input buffer.
func (d *decoder) bytes(b []byte) []byte { return d.arena.copy(b) }

// txHasher computes transaction hashes from wire bytes:
// SHA-256(network ID ‖ envelope type tag ‖ transaction XDR).
type txHasher struct {
	id  [32]byte
	h   hash.Hash
	tag [4]byte
	out [32]byte
}

func newHasher(passphrase string) (*txHasher, error) {
	if passphrase == "" {
		return nil, errors.New("network passphrase is required to hash transactions")
	}
	return &txHasher{id: network.ID(passphrase), h: sha256.New()}, nil
}

// v0KeyType is the ed25519 key-type prefix that turns a TransactionV0's
// source key into a Transaction's MuxedAccount: a V0 transaction hashes as
// that V1 conversion.
var v0KeyType = []byte{0, 0, 0, 0}

func (t *txHasher) sum(tag xdr.EnvelopeType, prefix, tx []byte) [32]byte {
	t.h.Reset()
	t.h.Write(t.id[:])
	binary.BigEndian.PutUint32(t.tag[:], uint32(tag))
	t.h.Write(t.tag[:])
	t.h.Write(prefix)
	t.h.Write(tx)
	t.h.Sum(t.out[:0])
	return t.out
}

// pendingTx is a decoded envelope waiting for its result and meta.
type pendingTx struct {
	tx        chain.Transaction // the envelope-derived fields
	raw       []byte            // the envelope's exact wire bytes (aliasing the input)
	isSoroban bool              // the (inner) transaction carries SorobanTransactionData
	hash      [32]byte          // zero when the decoder has no hasher
}

// envelope decodes the TransactionEnvelope at the start of b: sources, fee
// bump, memo and operations, its hash, and its exact wire bytes.
func (d *decoder) envelope(b []byte, p *pendingTx) {
	env := xdr.TransactionEnvelopeView(b)
	var size int
	switch t := env.MustType(); t {
	case xdr.EnvelopeTypeEnvelopeTypeTxV0:
		f := must(xdr.TransactionV0View(after(b, 4)).Fields())
		p.tx.Source = d.key(strkey.VersionByteAccountID, f.SourceAccountEd25519.MustRaw())
		p.tx.Memo = memoFromView(f.Memo)
		p.tx.Operations = d.operations(f.Operations, p.tx.Source)
		if d.hasher != nil {
			p.hash = d.hasher.sum(xdr.EnvelopeTypeEnvelopeTypeTx, v0KeyType, f.View)
		}
		size = 4 + len(f.View)
	case xdr.EnvelopeTypeEnvelopeTypeTx:
		f := d.txV1(after(b, 4), p)
		if d.hasher != nil {
			p.hash = d.hasher.sum(t, nil, f)
		}
		size = 4 + len(f)
	case xdr.EnvelopeTypeEnvelopeTypeTxFeeBump:
		f := must(xdr.FeeBumpTransactionView(after(b, 4)).Fields())
		p.tx.FeeBump = true
		p.tx.FeeSource, _, _ = d.muxedAccount(f.FeeSource)
		if it := f.InnerTx.MustType(); it != xdr.EnvelopeTypeEnvelopeTypeTx {
			fail("fee-bump inner transaction has envelope type %d", int32(it))
		}
		d.txV1(after(f.InnerTx, 4), p) // inner: type, then TransactionV1Envelope{tx, signatures}
		if d.hasher != nil {
			p.hash = d.hasher.sum(t, nil, f.View)
		}
		size = 4 + len(f.View)
	default:
		fail("unknown transaction envelope type %d", int32(t))
	}
	size += sizeOf(xdr.TransactionV1EnvelopeSignaturesView(after(b, size)))
	p.raw = b[:size]
}

// txV1 decodes a Transaction into p and returns its exact wire bytes.
func (d *decoder) txV1(b []byte, p *pendingTx) []byte {
	f := must(xdr.TransactionView(b).Fields())
	g, m, _ := d.muxedAccount(f.SourceAccount)
	p.tx.Source, p.tx.SourceMuxed = g, m
	p.tx.Memo = memoFromView(f.Memo)
	from := g
	if m != "" {
		from = m
	}
	p.tx.Operations = d.operations(f.Operations, from)
	p.isSoroban = f.Ext.MustV() == 1
	return f.View
}

// muxedAccount returns a MuxedAccount's G… account, its M… address when it
// is muxed (else ""), and its wire size.
func (d *decoder) muxedAccount(a xdr.MuxedAccountView) (account, muxed string, size int) {
	switch t := a.MustType(); t {
	case xdr.CryptoKeyTypeKeyTypeEd25519:
		return d.key(strkey.VersionByteAccountID, a.MustEd25519().MustRaw()), "", 36
	case xdr.CryptoKeyTypeKeyTypeMuxedEd25519:
		m := fixed(a.MustMed25519(), 40) // id, then the key
		key := m[8:]
		return d.key(strkey.VersionByteAccountID, key), encodeMuxed(key, binary.BigEndian.Uint64(m)), 44
	default:
		fail("unknown muxed account type %d", int32(t))
		return "", "", 0
	}
}

// muxedAddress returns a MuxedAccount as written: M… when muxed, else G….
func (d *decoder) muxedAddress(a xdr.MuxedAccountView) string {
	g, m, _ := d.muxedAccount(a)
	if m != "" {
		return m
	}
	return g
}

func memoFromView(m xdr.MemoView) chain.Memo {
	switch t := m.MustType(); t {
	case xdr.MemoTypeMemoNone:
		return chain.Memo{Type: "none"}
	case xdr.MemoTypeMemoText:
		return chain.Memo{Type: "text", Value: string(m.MustText().MustValue())}
	case xdr.MemoTypeMemoId:
		return chain.Memo{Type: "id", Value: strconv.FormatUint(m.MustId().MustValue(), 10)}
	case xdr.MemoTypeMemoHash:
		return chain.Memo{Type: "hash", Value: hex.EncodeToString(m.MustHash().MustRaw())}
	case xdr.MemoTypeMemoReturn:
		return chain.Memo{Type: "return", Value: hex.EncodeToString(m.MustRetHash().MustRaw())}
	default:
		fail("unknown memo type %d", int32(t))
		return chain.Memo{}
	}
}

// operations decodes an array of Operation; txSource is the transaction's
// source as written (M… when muxed), the sender of payments without their
// own source.
func (d *decoder) operations(arr []byte, txSource string) []chain.Operation {
	n := count(arr, 8)
	if n == 0 {
		return nil
	}
	out := make([]chain.Operation, n)
	o := 4
	for i := range out {
		o += d.operation(after(arr, o), i, txSource, &out[i])
	}
	return out
}

// operation decodes one Operation into out and returns its wire size.
func (d *decoder) operation(b []byte, index int, txSource string, out *chain.Operation) int {
	f := must(xdr.OperationView(b).Fields())
	*out = chain.Operation{Index: index, Type: chain.OpOther}
	if src, ok := f.SourceAccount.MustUnwrap(); ok {
		out.Source = d.muxedAddress(src)
	}
	t := f.Body.MustType()
	out.Name = operationName(t)
	switch t {
	case xdr.OperationTypePayment:
		body := after(f.Body, 4) // PaymentOp{destination, asset, amount}
		to, m, n := d.muxedAccount(xdr.MuxedAccountView(body))
		if m != "" {
			to = m
		}
		asset, an := d.asset(xdr.AssetView(after(body, n)))
		from := out.Source
		if from == "" {
			from = txSource
		}
		out.Type = chain.OpPayment
		out.Payment = &chain.Payment{
			From:   from,
			To:     to,
			Asset:  asset,
			Amount: must(xdr.Int64View(after(body, n+an)).Value()),
		}
	case xdr.OperationTypeInvokeHostFunction:
		hf := xdr.HostFunctionView(after(f.Body, 4)) // InvokeHostFunctionOp{hostFunction, auth}
		if hf.MustType() == xdr.HostFunctionTypeHostFunctionTypeInvokeContract {
			args := after(hf, 4) // InvokeContractArgs{contractAddress, functionName, args}
			contract, n := d.address(xdr.ScAddressView(args))
			fn := xdr.ScSymbolView(after(args, n)).MustValue()
			out.Type = chain.OpInvokeContract
			out.Call = &chain.Call{Contract: contract, Function: string(fn)}
			out.Call.Args, _ = d.values(after(args, n+4+padded(len(fn))), 0)
			if out.Call.Args == nil {
				out.Call.Args = []chain.Value{}
			}
		}
	}
	return len(f.View)
}

// asset renders an Asset ("native" or "CODE:ISSUER") and returns its size.
func (d *decoder) asset(a xdr.AssetView) (string, int) {
	switch t := a.MustType(); t {
	case xdr.AssetTypeAssetTypeNative:
		return "native", 4
	case xdr.AssetTypeAssetTypeCreditAlphanum4:
		f := must(a.MustAlphaNum4().Fields())
		return d.assetString(f.AssetCode.MustRaw(), accountKey(f.Issuer)), 4 + len(f.View)
	case xdr.AssetTypeAssetTypeCreditAlphanum12:
		f := must(a.MustAlphaNum12().Fields())
		return d.assetString(f.AssetCode.MustRaw(), accountKey(f.Issuer)), 4 + len(f.View)
	default:
		fail("unknown asset type %d", int32(t))
		return "", 0
	}
}

// assetString is the SEP-11 form "CODE:ISSUER" (the code without its NUL
// padding), as xdr.Asset.StringCanonical writes it.
func (d *decoder) assetString(code, issuer []byte) string {
	return strings.TrimRight(string(code), "\x00") + ":" + d.key(strkey.VersionByteAccountID, issuer)
}

// result fills Success and FeeCharged from a TransactionResult.
func result(r xdr.TransactionResultView, tx *chain.Transaction) {
	tx.FeeCharged = r.MustFeeCharged().MustValue()
	switch r.MustResult().MustCode() {
	case xdr.TransactionResultCodeTxSuccess, xdr.TransactionResultCodeTxFeeBumpInnerSuccess:
		tx.Success = true
	}
}

// metaEvents decodes the contract events of the TransactionMeta at the
// start of b and returns them with the meta's wire size (the ledger walk
// advances by it, so the meta is sized once, by this walk). Events come in
// the order they happened: the "before all transactions" transaction-level
// events (the fee charge), then each operation's events, then the
// transaction-level events of later stages (fee refunds); transaction-level
// events have OpIndex -1. Meta V0–V2 carry no events; V3 carries a Soroban
// transaction's events in SorobanMeta (read only for Soroban transactions,
// as the SDK's reader does); V4 carries per-operation events (CAP-67,
// classic operations included) and the transaction-level ones.
func (d *decoder) metaEvents(b []byte, isSoroban bool, txIndex int) ([]chain.Event, int) {
	meta := xdr.TransactionMetaView(b)
	switch v := meta.MustV(); v {
	case 0, 1, 2:
		return nil, sizeOf(meta)
	case 3:
		o := 4
		o += sizeOf(xdr.ExtensionPointView(after(b, o)))
		o += sizeOf(xdr.LedgerEntryChangesView(after(b, o)))          // txChangesBefore
		o += sizeOf(xdr.TransactionMetaV3OperationsView(after(b, o))) // operations
		o += sizeOf(xdr.LedgerEntryChangesView(after(b, o)))          // txChangesAfter
		smOpt := xdr.TransactionMetaV3SorobanMetaOptView(after(b, o))
		o += sizeOf(smOpt)
		sm, ok := smOpt.MustUnwrap()
		if !isSoroban || !ok {
			return nil, o
		}
		out, _ := d.contractEvents(sm.MustEvents(), 0, txIndex, nil)
		return out, o
	case 4:
		o := 4
		o += sizeOf(xdr.ExtensionPointView(after(b, o)))
		o += sizeOf(xdr.LedgerEntryChangesView(after(b, o))) // txChangesBefore
		ops, sz := d.operationMetas(after(b, o), txIndex)
		o += sz
		o += sizeOf(xdr.LedgerEntryChangesView(after(b, o))) // txChangesAfter
		o += sizeOf(xdr.TransactionMetaV4SorobanMetaOptView(after(b, o)))
		// Transaction-level events: {stage, event}.
		arr := after(b, o)
		n := count(arr, 8)
		var txEvents []chain.Event
		before := 0
		p := 4
		for k := 0; k < n; k++ {
			te := after(arr, p)
			stage := xdr.TransactionEventStage(must(xdr.Uint32View(te).Value()))
			e, sz := d.event(after(te, 4), -1, txIndex)
			p += 4 + sz
			if stage == xdr.TransactionEventStageTransactionEventStageBeforeAllTxs {
				// "Before" events go first, in their order.
				txEvents = append(txEvents, chain.Event{})
				copy(txEvents[before+1:], txEvents[before:])
				txEvents[before] = e
				before++
			} else {
				txEvents = append(txEvents, e)
			}
		}
		o += p
		o += sizeOf(xdr.TransactionMetaV4DiagnosticEventsView(after(b, o)))
		if len(txEvents) == 0 {
			return ops, o
		}
		out := make([]chain.Event, 0, len(txEvents)+len(ops))
		out = append(out, txEvents[:before]...)
		out = append(out, ops...)
		out = append(out, txEvents[before:]...)
		return out, o
	default:
		fail("unsupported TransactionMeta version %d", v)
		return nil, 0
	}
}

// operationMetas decodes a V4 meta's OperationMetaV2 array (each: ext,
// ledger changes, contract events) and returns the events and the array's
// wire size.
func (d *decoder) operationMetas(arr []byte, txIndex int) ([]chain.Event, int) {
	n := count(arr, 12)
	var out []chain.Event
	p := 4
	for k := 0; k < n; k++ {
		op := after(arr, p)
		q := sizeOf(xdr.ExtensionPointView(op))
		q += sizeOf(xdr.LedgerEntryChangesView(after(op, q)))
		var sz int
		out, sz = d.contractEvents(after(op, q), k, txIndex, out)
		p += q + sz
	}
	return out, p
}

// contractEvents appends an XDR array of ContractEvent to out and returns
// the array's wire size.
func (d *decoder) contractEvents(arr []byte, opIndex, txIndex int, out []chain.Event) ([]chain.Event, int) {
	n := count(arr, 16)
	o := 4
	for k := 0; k < n; k++ {
		e, sz := d.event(after(arr, o), opIndex, txIndex)
		out = append(out, e)
		o += sz
	}
	return out, o
}

// event decodes the ContractEvent at the start of b and returns it with its
// wire size: ext (void), optional contract ID, type, body V0 {topics, data}.
func (d *decoder) event(b []byte, opIndex, txIndex int) (chain.Event, int) {
	e := chain.Event{OpIndex: opIndex, TxIndex: txIndex}
	if v := must(xdr.Uint32View(b).Value()); v != 0 {
		fail("unknown contract event extension %d", v)
	}
	o := 4
	id, ok := xdr.ContractEventContractIdOptView(after(b, o)).MustUnwrap()
	o += 4
	if ok {
		e.Contract = d.key(strkey.VersionByteContract, id.MustRaw())
		o += 32
	}
	xdr.ContractEventTypeView(after(b, o)).MustValue() // validates the type
	o += 4
	if v := must(xdr.Uint32View(after(b, o)).Value()); v != 0 {
		fail("unknown contract event body version %d", v)
	}
	o += 4
	topics, n := d.values(after(b, o), 0)
	o += n
	if topics == nil {
		topics = []chain.Value{}
	}
	e.Topics = topics
	e.Data, n = d.value(after(b, o), 0)
	return e, o + n
}

// count reads an XDR array count and checks that that many elements of at
// least minSize bytes each can fit in b.
func count(b []byte, minSize int) int {
	n := int(must(xdr.Uint32View(b).Value()))
	if n > (len(b)-4)/minSize {
		panic(&xdr.ViewError{Kind: xdr.ViewErrArrayCountExceedsData, Detail: "array count exceeds data"})
	}
	return n
}

// sizeOf returns the wire size of the value at the start of v.
func sizeOf[V interface{ Raw() ([]byte, error) }](v V) int {
	return len(must(v.Raw()))
}

// after returns b[off:], panicking like a view accessor if off is past the
// end.
func after[B ~[]byte](b B, off int) []byte {
	if off < 0 || off > len(b) {
		panic(&xdr.ViewError{Kind: xdr.ViewErrShortBuffer, Detail: "offset exceeds data"})
	}
	return []byte(b)[off:]
}

// operationNames are the snake_case operation names Horizon and the
// network's own documentation use, indexed by xdr.OperationType.
var operationNames = [...]string{
	xdr.OperationTypeCreateAccount:                 "create_account",
	xdr.OperationTypePayment:                       "payment",
	xdr.OperationTypePathPaymentStrictReceive:      "path_payment_strict_receive",
	xdr.OperationTypeManageSellOffer:               "manage_sell_offer",
	xdr.OperationTypeCreatePassiveSellOffer:        "create_passive_sell_offer",
	xdr.OperationTypeSetOptions:                    "set_options",
	xdr.OperationTypeChangeTrust:                   "change_trust",
	xdr.OperationTypeAllowTrust:                    "allow_trust",
	xdr.OperationTypeAccountMerge:                  "account_merge",
	xdr.OperationTypeInflation:                     "inflation",
	xdr.OperationTypeManageData:                    "manage_data",
	xdr.OperationTypeBumpSequence:                  "bump_sequence",
	xdr.OperationTypeManageBuyOffer:                "manage_buy_offer",
	xdr.OperationTypePathPaymentStrictSend:         "path_payment_strict_send",
	xdr.OperationTypeCreateClaimableBalance:        "create_claimable_balance",
	xdr.OperationTypeClaimClaimableBalance:         "claim_claimable_balance",
	xdr.OperationTypeBeginSponsoringFutureReserves: "begin_sponsoring_future_reserves",
	xdr.OperationTypeEndSponsoringFutureReserves:   "end_sponsoring_future_reserves",
	xdr.OperationTypeRevokeSponsorship:             "revoke_sponsorship",
	xdr.OperationTypeClawback:                      "clawback",
	xdr.OperationTypeClawbackClaimableBalance:      "clawback_claimable_balance",
	xdr.OperationTypeSetTrustLineFlags:             "set_trust_line_flags",
	xdr.OperationTypeLiquidityPoolDeposit:          "liquidity_pool_deposit",
	xdr.OperationTypeLiquidityPoolWithdraw:         "liquidity_pool_withdraw",
	xdr.OperationTypeInvokeHostFunction:            "invoke_host_function",
	xdr.OperationTypeExtendFootprintTtl:            "extend_footprint_ttl",
	xdr.OperationTypeRestoreFootprint:              "restore_footprint",
}

func operationName(t xdr.OperationType) string {
	if int(t) >= 0 && int(t) < len(operationNames) && operationNames[t] != "" {
		return operationNames[t]
	}
	return "operation_" + strconv.Itoa(int(t))
}
