// Package stellar owns ozmon's Stellar side: the RPC client, decoding ledgers
// into the chain model, and Soroban contract specs (SEP-48) as OZ Monitor formats them.
package stellar

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strconv"
	"time"

	"github.com/ozmon/ozmon/chain"
	"github.com/stellar/go-stellar-sdk/xdr"
)

// DecodeLedgerXDR decodes the XDR bytes of one LedgerCloseMeta (V0, V1 or
// V2, as getLedgers' metadataXdr carries it after base64 decoding) into a
// chain.Block of the given network. Transaction hashes are recomputed from
// the envelopes with passphrase and must match the hashes the ledger's
// results carry, so a wrong passphrase is an error, as is malformed,
// truncated or trailing input. Errors name the ledger. The Block keeps no
// reference to raw.
//
// The input is validated as strictly as xdr.SafeUnmarshal would, then
// walked once: each envelope, result and meta is sized by the same step
// that decodes it, and the large ledger-entry changes are only skipped.
func DecodeLedgerXDR(network, passphrase string, raw []byte) (blk *chain.Block, err error) {
	label := ledgerLabel(raw)
	defer func() {
		if err != nil {
			blk = nil
			err = fmt.Errorf("stellar: ledger %s: %w", label, err)
		}
	}()
	defer catch(&err)

	hasher, err := newHasher(passphrase)
	if err != nil {
		return nil, err
	}
	ver, err := xdr.LedgerCloseMetaView(raw).V()
	if err != nil {
		return nil, fmt.Errorf("malformed LedgerCloseMeta: %w", err)
	}
	if ver < 0 || ver > 2 {
		return nil, fmt.Errorf("unsupported LedgerCloseMeta version %d", ver)
	}
	if err := xdr.LedgerCloseMetaView(raw).ValidateFull(); err != nil {
		return nil, fmt.Errorf("malformed LedgerCloseMeta: %w", err)
	}

	// LedgerCloseMeta V0: header, TransactionSet, TxProcessing (of
	// TransactionResultMeta), upgrades, SCP info. V1 and V2 start with an
	// extension, carry a GeneralizedTransactionSet and end with more fields;
	// V2's TxProcessing elements (TransactionResultMetaV1) gained an
	// extension and post-apply fee changes.
	off := 4
	if ver > 0 {
		off += sizeOf(xdr.LedgerCloseMetaExtView(after(raw, off)))
	}
	header := xdr.LedgerHeaderHistoryEntryView(after(raw, off))
	off += sizeOf(header)

	blk = &chain.Block{Chain: chain.Stellar, Network: network}
	headerFromView(header, blk)

	d := &decoder{hasher: hasher}
	// Mainnet carries ~3 KB of ledger per transaction; start near that so
	// the envelopes rarely outgrow the slice.
	pending := make([]pendingTx, 0, len(raw)/3000+8)
	visit := func(env []byte) int {
		pending = append(pending, pendingTx{})
		p := &pending[len(pending)-1]
		d.envelope(env, p)
		return len(p.raw)
	}
	if ver == 0 {
		off += walkTxSet(after(raw, off), visit)
	} else {
		off += walkGeneralizedTxSet(after(raw, off), visit)
	}
	byHash := make(map[[32]byte]int32, len(pending))
	for i := range pending {
		if _, dup := byHash[pending[i].hash]; dup {
			return nil, fmt.Errorf("transaction %x appears twice in the tx set", pending[i].hash)
		}
		byHash[pending[i].hash] = int32(i)
	}

	tp := after(raw, off)
	n := count(tp, 8)
	if n != len(pending) {
		return nil, fmt.Errorf("%d transaction results for %d tx set envelopes", n, len(pending))
	}
	blk.Transactions = make([]chain.Transaction, n)
	o := 4
	for i := 0; i < n; i++ {
		elem := after(tp, o)
		e := 0
		if ver == 2 {
			e = sizeOf(xdr.ExtensionPointView(elem))
		}
		// TransactionResultPair{transactionHash, result}.
		hash := [32]byte(fixed(after(elem, e), 32))
		res := xdr.TransactionResultView(after(elem, e+32))
		resRaw := res.MustRaw()
		e += 32 + len(resRaw)
		e += sizeOf(xdr.LedgerEntryChangesView(after(elem, e))) // fee processing
		k, ok := byHash[hash]
		if !ok {
			return nil, fmt.Errorf("transaction %d (%x) has no envelope with that hash in the tx set: wrong network passphrase?", i+1, hash)
		}
		delete(byHash, hash)
		p := &pending[k]
		tx := &blk.Transactions[i]
		*tx = p.tx
		tx.Hash = hex.EncodeToString(hash[:])
		tx.Index = i + 1
		result(res, tx)
		tx.EnvelopeXDR = d.arena.copy(p.raw)
		tx.ResultXDR = d.arena.copy(resRaw)
		var msz int
		tx.Events, msz = d.metaEvents(after(elem, e), p.isSoroban, tx.Index)
		e += msz
		if ver == 2 {
			e += sizeOf(xdr.LedgerEntryChangesView(after(elem, e))) // post-apply fee processing
		}
		o += e
	}
	off += o

	// What follows TxProcessing: upgrades and SCP info, then (V1, V2) the
	// live Soroban state size, evicted keys and (V1) an unused array.
	switch ver {
	case 0:
		off += sizeOf(xdr.LedgerCloseMetaV0UpgradesProcessingView(after(raw, off)))
		off += sizeOf(xdr.LedgerCloseMetaV0ScpInfoView(after(raw, off)))
	case 1:
		off += sizeOf(xdr.LedgerCloseMetaV1UpgradesProcessingView(after(raw, off)))
		off += sizeOf(xdr.LedgerCloseMetaV1ScpInfoView(after(raw, off)))
		off += 8
		off += sizeOf(xdr.LedgerCloseMetaV1EvictedKeysView(after(raw, off)))
		off += sizeOf(xdr.LedgerCloseMetaV1UnusedView(after(raw, off)))
	case 2:
		off += sizeOf(xdr.LedgerCloseMetaV2UpgradesProcessingView(after(raw, off)))
		off += sizeOf(xdr.LedgerCloseMetaV2ScpInfoView(after(raw, off)))
		off += 8
		off += sizeOf(xdr.LedgerCloseMetaV2EvictedKeysView(after(raw, off)))
	}
	if off != len(raw) {
		return nil, fmt.Errorf("malformed LedgerCloseMeta: %d trailing bytes", len(raw)-off)
	}
	return blk, nil
}

// walkTxSet calls visit on each envelope of a (V0) TransactionSet
// {previousLedgerHash, txs} and returns the set's wire size; visit returns
// the envelope's size.
func walkTxSet(b []byte, visit func([]byte) int) int {
	return 32 + walkEnvelopes(after(b, 32), visit)
}

// walkEnvelopes calls visit on each element of an array of
// TransactionEnvelope and returns the array's wire size.
func walkEnvelopes(arr []byte, visit func([]byte) int) int {
	n := count(arr, 8)
	o := 4
	for k := 0; k < n; k++ {
		o += visit(after(arr, o))
	}
	return o
}

// walkGeneralizedTxSet calls visit on each envelope of a
// GeneralizedTransactionSet and returns the set's wire size. Its V1 body is
// {previousLedgerHash, phases}; a phase is either V0, an array of
// TxSetComponent {optional base fee, txs}, or V1, a parallel component
// {optional base fee, execution stages of clusters of txs}.
func walkGeneralizedTxSet(b []byte, visit func([]byte) int) int {
	if v := int32(must(xdr.Uint32View(b).Value())); v != 1 {
		fail("unknown GeneralizedTransactionSet version %d", v)
	}
	phases := after(b, 4+32)
	n := count(phases, 4)
	o := 4
	for k := 0; k < n; k++ {
		ph := after(phases, o)
		q := 4
		switch v := int32(must(xdr.Uint32View(ph).Value())); v {
		case 0:
			comps := after(ph, q)
			nc := count(comps, 8)
			c := 4
			for j := 0; j < nc; j++ {
				comp := after(comps, c)
				if t := int32(must(xdr.Uint32View(comp).Value())); t != int32(xdr.TxSetComponentTypeTxsetCompTxsMaybeDiscountedFee) {
					fail("unknown tx set component type %d", t)
				}
				r := 4 + optInt64Size(after(comp, 4))
				r += walkEnvelopes(after(comp, r), visit)
				c += r
			}
			q += c
		case 1:
			q += optInt64Size(after(ph, q))
			stages := after(ph, q)
			ns := count(stages, 4)
			s := 4
			for j := 0; j < ns; j++ {
				clusters := after(stages, s)
				ncl := count(clusters, 4)
				c := 4
				for l := 0; l < ncl; l++ {
					c += walkEnvelopes(after(clusters, c), visit)
				}
				s += c
			}
			q += s
		default:
			fail("unknown transaction phase version %d", v)
		}
		o += q
	}
	return 4 + 32 + o
}

// optInt64Size is the wire size of an optional int64 (a base fee).
func optInt64Size(b []byte) int {
	switch f := must(xdr.Uint32View(b).Value()); f {
	case 0:
		return 4
	case 1:
		fixed(b, 12)
		return 12
	default:
		fail("bad optional flag %d", f)
		return 0
	}
}

// DecodeTransaction decodes one transaction as getTransactions reports it:
// base64 XDR of its TransactionEnvelope, TransactionResult and (optional,
// "" for none) TransactionMeta. ledger only labels errors; index is its
// 1-based application order, used for Index and the events' TxIndex.
//
// Hash is recomputed from the envelope with passphrase; with an empty
// passphrase it is left empty. (getTransactions reports the hash too;
// callers holding it may compare or prefer it: two OpenZeppelin Monitor
// fixtures carry fabricated hashes.) Events come from the meta.
func DecodeTransaction(passphrase string, ledger uint32, index int, envelopeB64, resultB64, metaB64 string) (tx chain.Transaction, err error) {
	defer func() {
		if err != nil {
			tx = chain.Transaction{}
			err = fmt.Errorf("stellar: ledger %d transaction %d: %w", ledger, index, err)
		}
	}()
	defer catch(&err)

	envRaw, err := decodeBase64XDR[xdr.TransactionEnvelopeView]("envelope", envelopeB64)
	if err != nil {
		return tx, err
	}
	resRaw, err := decodeBase64XDR[xdr.TransactionResultView]("result", resultB64)
	if err != nil {
		return tx, err
	}
	var metaRaw []byte
	if metaB64 != "" {
		if metaRaw, err = decodeBase64XDR[xdr.TransactionMetaView]("meta", metaB64); err != nil {
			return tx, err
		}
	}

	d := &decoder{}
	if passphrase != "" {
		if d.hasher, err = newHasher(passphrase); err != nil {
			return tx, err
		}
	}
	var p pendingTx
	d.envelope(envRaw, &p)
	tx = p.tx
	if d.hasher != nil {
		tx.Hash = hex.EncodeToString(p.hash[:])
	}
	tx.Index = index
	result(xdr.TransactionResultView(resRaw), &tx)
	tx.EnvelopeXDR, tx.ResultXDR = envRaw, resRaw
	if metaRaw != nil {
		tx.Events, _ = d.metaEvents(metaRaw, p.isSoroban, index)
	}
	return tx, nil
}

// xdrView is an SDK XDR view type (xdr.TransactionEnvelopeView, …).
type xdrView interface {
	~[]byte
	ValidateFull() error
	Raw() ([]byte, error)
}

// decodeBase64XDR decodes base64 text and checks that the bytes hold
// exactly one well-formed V.
func decodeBase64XDR[V xdrView](what, b64 string) ([]byte, error) {
	raw, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return nil, fmt.Errorf("%s: bad base64: %w", what, err)
	}
	v := V(raw)
	if err := v.ValidateFull(); err != nil {
		return nil, fmt.Errorf("malformed %s XDR: %w", what, err)
	}
	got, err := v.Raw()
	if err != nil {
		return nil, fmt.Errorf("malformed %s XDR: %w", what, err)
	}
	if len(got) != len(raw) {
		return nil, fmt.Errorf("malformed %s XDR: %d trailing bytes", what, len(raw)-len(got))
	}
	return raw, nil
}

func headerFromView(v xdr.LedgerHeaderHistoryEntryView, blk *chain.Block) {
	hf := must(v.Fields())
	h := must(hf.Header.Fields())
	blk.Ledger = uint64(h.LedgerSeq.MustValue())
	blk.Hash = hex.EncodeToString(hf.Hash.MustRaw())
	blk.ParentHash = hex.EncodeToString(h.PreviousLedgerHash.MustRaw())
	blk.CloseTime = time.Unix(int64(h.ScpValue.MustCloseTime().MustValue()), 0).UTC()
	blk.ProtocolVersion = h.LedgerVersion.MustValue()
}

// ledgerLabel reads the ledger sequence for error messages, or "?".
func ledgerLabel(raw []byte) string {
	seq, err := xdr.LedgerCloseMetaView(raw).LedgerSequence()
	if err != nil {
		return "?"
	}
	return strconv.FormatUint(uint64(seq), 10)
}

// byteArena copies many small byte slices into a few large allocations.
// Each returned slice has its capacity capped, so appending to one never
// overwrites its neighbour.
type byteArena struct{ chunk []byte }

const arenaChunk = 128 << 10

func (a *byteArena) copy(b []byte) []byte {
	if len(b) == 0 {
		return []byte{}
	}
	if len(b) > cap(a.chunk)-len(a.chunk) {
		if len(b) > arenaChunk/4 {
			return bytes.Clone(b)
		}
		a.chunk = make([]byte, 0, arenaChunk)
	}
	start := len(a.chunk)
	a.chunk = append(a.chunk, b...)
	return a.chunk[start:len(a.chunk):len(a.chunk)]
}
