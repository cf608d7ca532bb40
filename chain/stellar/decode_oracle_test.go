package stellar

// The struct path of ledger decoding: the oracle tests hold the view-based
// production decoder (decode.go) against, on LedgerCloseMeta values the SDK
// decoded.

import (
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/ozmon/ozmon/chain"
	"github.com/stellar/go-stellar-sdk/strkey"
	"github.com/stellar/go-stellar-sdk/xdr"
)

// decodeLedger is DecodeLedgerXDR for a LedgerCloseMeta that is already
// decoded (for example by the SDK's ledger backends). DecodeLedgerXDR is
// cheaper when the XDR bytes are at hand: this function has to marshal
// every envelope and result to hash it and to fill EnvelopeXDR/ResultXDR.
func decodeLedger(network, passphrase string, lcm xdr.LedgerCloseMeta) (blk *chain.Block, err error) {
	label := "?"
	if checkLCMStruct(&lcm) == nil {
		if s, ok := tryLedgerSequence(&lcm); ok {
			label = strconv.FormatUint(uint64(s), 10)
		}
	}
	defer func() {
		if err != nil {
			blk = nil
			err = fmt.Errorf("stellar: ledger %s: %w", label, err)
		}
	}()
	defer catch(&err)

	if err := checkLCMStruct(&lcm); err != nil {
		return nil, err
	}
	hasher, err := newHasher(passphrase)
	if err != nil {
		return nil, err
	}
	hdr := lcm.LedgerHeaderHistoryEntry()
	blk = &chain.Block{
		Chain:           chain.Stellar,
		Network:         network,
		Ledger:          uint64(hdr.Header.LedgerSeq),
		Hash:            hex.EncodeToString(hdr.Hash[:]),
		ParentHash:      hex.EncodeToString(hdr.Header.PreviousLedgerHash[:]),
		CloseTime:       time.Unix(int64(hdr.Header.ScpValue.CloseTime), 0).UTC(),
		ProtocolVersion: uint32(hdr.Header.LedgerVersion),
	}

	d := &decoder{hasher: hasher}
	envs := lcm.TransactionEnvelopes()
	pending := make([]pendingTx, len(envs))
	byHash := make(map[[32]byte]int32, len(envs))
	for i := range envs {
		b, err := envs[i].MarshalBinary()
		if err != nil {
			return nil, fmt.Errorf("tx set envelope %d: %w", i, err)
		}
		d.envelope(b, &pending[i])
		if _, dup := byHash[pending[i].hash]; dup {
			return nil, fmt.Errorf("transaction %x appears twice in the tx set", pending[i].hash)
		}
		byHash[pending[i].hash] = int32(i)
	}
	n := lcm.CountTransactions()
	if n != len(envs) {
		return nil, fmt.Errorf("%d transaction results for %d tx set envelopes", n, len(envs))
	}
	blk.Transactions = make([]chain.Transaction, n)
	for i := 0; i < n; i++ {
		pair := lcm.TransactionResultPair(i)
		k, ok := byHash[pair.TransactionHash]
		if !ok {
			return nil, fmt.Errorf("transaction %d (%x) has no envelope with that hash in the tx set: wrong network passphrase?", i+1, pair.TransactionHash[:])
		}
		delete(byHash, pair.TransactionHash)
		resRaw, err := pair.Result.MarshalBinary()
		if err != nil {
			return nil, fmt.Errorf("transaction %d result: %w", i+1, err)
		}
		p := &pending[k]
		tx := &blk.Transactions[i]
		*tx = p.tx
		tx.Hash = hex.EncodeToString(pair.TransactionHash[:])
		tx.Index = i + 1
		result(xdr.TransactionResultView(resRaw), tx)
		tx.EnvelopeXDR, tx.ResultXDR = p.raw, resRaw
		tx.Events, err = eventsFromMeta(lcm.TxApplyProcessing(i), p.isSoroban, tx.Index)
		if err != nil {
			return nil, fmt.Errorf("transaction %d meta: %w", i+1, err)
		}
	}
	return blk, nil
}

func tryLedgerSequence(lcm *xdr.LedgerCloseMeta) (seq uint32, ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	return lcm.LedgerSequence(), true
}

// checkLCMStruct rejects LedgerCloseMeta values whose version and arm
// disagree, before the SDK's accessors (which panic) are used.
func checkLCMStruct(lcm *xdr.LedgerCloseMeta) error {
	switch lcm.V {
	case 0:
		if lcm.V0 == nil {
			return errors.New("LedgerCloseMeta V0 without a body")
		}
	case 1:
		if lcm.V1 == nil {
			return errors.New("LedgerCloseMeta V1 without a body")
		}
	case 2:
		if lcm.V2 == nil {
			return errors.New("LedgerCloseMeta V2 without a body")
		}
	default:
		return fmt.Errorf("unsupported LedgerCloseMeta version %d", lcm.V)
	}
	return nil
}

// eventsFromMeta is metaEvents for a decoded TransactionMeta.
func eventsFromMeta(meta xdr.TransactionMeta, isSoroban bool, txIndex int) ([]chain.Event, error) {
	var out []chain.Event
	add := func(ev *xdr.ContractEvent, opIndex int) error {
		e, err := eventFromStruct(ev, opIndex, txIndex)
		if err != nil {
			return err
		}
		out = append(out, e)
		return nil
	}
	switch meta.V {
	case 0, 1, 2:
		return nil, nil
	case 3:
		if meta.V3 == nil {
			return nil, errors.New("TransactionMeta V3 without a body")
		}
		if !isSoroban || meta.V3.SorobanMeta == nil {
			return nil, nil
		}
		for i := range meta.V3.SorobanMeta.Events {
			if err := add(&meta.V3.SorobanMeta.Events[i], 0); err != nil {
				return nil, err
			}
		}
		return out, nil
	case 4:
		m := meta.V4
		if m == nil {
			return nil, errors.New("TransactionMeta V4 without a body")
		}
		for i := range m.Events {
			if m.Events[i].Stage == xdr.TransactionEventStageTransactionEventStageBeforeAllTxs {
				if err := add(&m.Events[i].Event, -1); err != nil {
					return nil, err
				}
			}
		}
		for op := range m.Operations {
			for i := range m.Operations[op].Events {
				if err := add(&m.Operations[op].Events[i], op); err != nil {
					return nil, err
				}
			}
		}
		for i := range m.Events {
			if m.Events[i].Stage != xdr.TransactionEventStageTransactionEventStageBeforeAllTxs {
				if err := add(&m.Events[i].Event, -1); err != nil {
					return nil, err
				}
			}
		}
		return out, nil
	}
	return nil, fmt.Errorf("unsupported TransactionMeta version %d", meta.V)
}

func eventFromStruct(ev *xdr.ContractEvent, opIndex, txIndex int) (chain.Event, error) {
	e := chain.Event{OpIndex: opIndex, TxIndex: txIndex}
	if ev.ContractId != nil {
		e.Contract = encodeKey(strkey.VersionByteContract, ev.ContractId[:])
	}
	if ev.Body.V != 0 || ev.Body.V0 == nil {
		return e, fmt.Errorf("unknown contract event body version %d", ev.Body.V)
	}
	b := ev.Body.V0
	e.Topics = make([]chain.Value, len(b.Topics))
	for i := range b.Topics {
		v, err := valueFromScVal(&b.Topics[i], 0)
		if err != nil {
			return e, err
		}
		e.Topics[i] = v
	}
	d, err := valueFromScVal(&b.Data, 0)
	if err != nil {
		return e, err
	}
	e.Data = d
	return e, nil
}
