package monitor

import (
	"encoding/json"
	"fmt"

	"github.com/ozmon/ozmon/chain"
	"github.com/ozmon/ozmon/monitor/ozconfig"
)

// marshalMidnightJSON renders the match as OpenZeppelin Monitor's Midnight
// MonitorMatch (docs/compatibility.md#midnight): the monitor as
// configured, the body's tx object, the network and what matched; no
// block object. Function argument entries have "args": null and the
// circuit name as hex_signature (QM6); matched_on_args.events is always
// null (QM2).
func (m *Match) marshalMidnightJSON() ([]byte, error) {
	monitorJSON, err := m.monitorJSON()
	if err != nil {
		return nil, err
	}
	tx := *m.Transaction.Midnight
	tx.Operations = orEmpty(tx.Operations)
	tx.Identifiers = orEmpty(tx.Identifiers)
	var fargs []ozMidnightArgs
	if m.MatchedOnArgs.Functions != nil {
		fargs = make([]ozMidnightArgs, len(m.MatchedOnArgs.Functions))
		for i, a := range m.MatchedOnArgs.Functions {
			fargs[i] = ozMidnightArgs{Signature: a.Signature, HexSignature: a.HexSignature}
		}
	}
	out, err := ozconfig.MarshalNoEscape(ozMidnightMatch{Midnight: ozMidnightBody{
		Monitor:       monitorJSON,
		Transaction:   &tx,
		NetworkSlug:   m.Network,
		MatchedOn:     m.MatchedOn,
		MatchedOnArgs: ozMidnightMatchArgs{Functions: fargs},
	}})
	if err != nil {
		return nil, fmt.Errorf("marshal match of tenant %s monitor %q tx %s: %w", m.TenantID, m.MonitorName, m.Transaction.Hash, err)
	}
	return out, nil
}

type ozMidnightMatch struct {
	Midnight ozMidnightBody `json:"Midnight"`
}

type ozMidnightBody struct {
	Monitor       json.RawMessage            `json:"monitor"`
	Transaction   *chain.MidnightTransaction `json:"transaction"`
	NetworkSlug   string                     `json:"network_slug"`
	MatchedOn     MatchedOn                  `json:"matched_on"`
	MatchedOnArgs ozMidnightMatchArgs        `json:"matched_on_args"`
}

type ozMidnightMatchArgs struct {
	Functions []ozMidnightArgs `json:"functions"`
	Events    []ozMidnightArgs `json:"events"`
}

type ozMidnightArgs struct {
	Signature    string          `json:"signature"`
	Args         json.RawMessage `json:"args"` // always null
	HexSignature string          `json:"hex_signature"`
}
