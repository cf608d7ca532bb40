package stellar

import (
	"encoding/base64"
	"errors"
	"fmt"

	"github.com/ozmon/ozmon/chain"
	protocol "github.com/stellar/go-stellar-sdk/protocols/rpc"
	"github.com/stellar/go-stellar-sdk/xdr"
)

// TOID sentinels getEvents uses for transaction-level events: the largest
// operation index (events after a transaction's operations) and the
// transaction indexes 0 and 2^20-1 (events before or after all
// transactions of the ledger).
const (
	toidMaxOp = 1<<12 - 1
	toidMaxTx = 1<<20 - 1
)

// decodeEvent decodes one getEvents result item — protocol.EventInfo, as
// the SDK's RPC client returns it or as json.Unmarshal reads it from the
// RPC's JSON — into a chain.Event, and returns it with the hash of the
// transaction that emitted it. Topics and value must be base64 XDR (the
// RPC's default format). TxIndex and OpIndex come from the event's id (a
// TOID cursor) when it has one, else from transactionIndex and
// operationIndex; transaction-level events (fees) get OpIndex -1.
func decodeEvent(info protocol.EventInfo) (ev chain.Event, txHash string, err error) {
	defer func() {
		if err != nil {
			ev = chain.Event{}
			err = fmt.Errorf("stellar: event %s of transaction %s: %w", info.ID, info.TransactionHash, err)
		}
	}()
	ev = chain.Event{Contract: info.ContractID, TxIndex: int(info.TxIndex), OpIndex: int(info.OpIndex)}
	if info.ID != "" {
		c, err := protocol.ParseCursor(info.ID)
		if err != nil {
			return ev, "", err
		}
		ev.TxIndex, ev.OpIndex = int(c.Tx), int(c.Op)
	}
	if ev.OpIndex == toidMaxOp {
		ev.OpIndex = -1
	}
	if ev.TxIndex == 0 || ev.TxIndex == toidMaxTx {
		ev.TxIndex, ev.OpIndex = 0, -1
	}
	if len(info.TopicXDR) == 0 && len(info.TopicJSON) > 0 || info.ValueXDR == "" && len(info.ValueJSON) > 0 {
		return ev, "", errors.New("event is in JSON format; request base64 XDR")
	}
	ev.Topics = make([]chain.Value, len(info.TopicXDR))
	for i, t := range info.TopicXDR {
		if ev.Topics[i], err = valueFromBase64(t); err != nil {
			return ev, "", fmt.Errorf("topic %d: %w", i, err)
		}
	}
	if info.ValueXDR == "" {
		return ev, "", errors.New("event has no value")
	}
	if ev.Data, err = valueFromBase64(info.ValueXDR); err != nil {
		return ev, "", fmt.Errorf("value: %w", err)
	}
	return ev, info.TransactionHash, nil
}

func valueFromBase64(s string) (chain.Value, error) {
	raw, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return chain.Value{}, fmt.Errorf("bad base64: %w", err)
	}
	return valueFromXDR(raw)
}

// valueFromXDR validates and converts the XDR bytes of exactly one ScVal.
func valueFromXDR(raw []byte) (v chain.Value, err error) {
	defer catch(&err)
	if err := xdr.ScValView(raw).ValidateFull(); err != nil {
		return chain.Value{}, fmt.Errorf("malformed ScVal: %w", err)
	}
	var d decoder
	v, n := d.value(raw, 0)
	if n != len(raw) {
		return chain.Value{}, fmt.Errorf("malformed ScVal: %d trailing bytes", len(raw)-n)
	}
	return v, nil
}
