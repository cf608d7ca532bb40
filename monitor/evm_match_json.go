package monitor

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/ozmon/ozmon/chain"
	"github.com/ozmon/ozmon/monitor/ozconfig"
)

// marshalEVMJSON renders the match as OpenZeppelin Monitor's EVM
// MonitorMatch (docs/compatibility.md#monitormatch): the monitor with every contract_spec nulled, the
// JSON-RPC transaction object, its receipt (null when none was fetched),
// its logs ([] when none), the network and what matched.
func (m *Match) marshalEVMJSON() ([]byte, error) {
	tx := m.Transaction
	var monitorJSON json.RawMessage
	if m.Monitor != nil {
		var err error
		if monitorJSON, err = m.Monitor.evmConfigJSON(); err != nil {
			return nil, fmt.Errorf("marshal match of tenant %s monitor %q: %w", m.TenantID, m.MonitorName, err)
		}
	} else {
		monitorJSON, _ = json.Marshal(map[string]string{"name": m.MonitorName})
	}
	e := tx.EVM
	body := ozEVMBody{
		Monitor:       monitorJSON,
		Transaction:   e.Raw,
		Receipt:       json.RawMessage("null"),
		Logs:          make([]json.RawMessage, 0, len(e.Logs)),
		NetworkSlug:   m.Network,
		MatchedOn:     m.MatchedOn,
		MatchedOnArgs: m.MatchedOnArgs,
	}
	if len(body.Transaction) == 0 {
		raw, err := ozconfig.MarshalNoEscape(rpcTransaction(tx, m))
		if err != nil {
			return nil, fmt.Errorf("marshal match of tenant %s monitor %q tx %s: %w", m.TenantID, m.MonitorName, tx.Hash, err)
		}
		body.Transaction = raw
	}
	if r := e.Receipt; r != nil {
		if len(r.Raw) > 0 {
			body.Receipt = r.Raw
		} else {
			body.Receipt, _ = json.Marshal(map[string]string{
				"transactionHash": tx.Hash,
				"status":          "0x" + strconv.FormatUint(r.Status, 16),
				"gasUsed":         r.GasUsed,
			})
		}
	}
	for i := range e.Logs {
		l := &e.Logs[i]
		if len(l.Raw) > 0 {
			body.Logs = append(body.Logs, l.Raw)
			continue
		}
		raw, err := ozconfig.MarshalNoEscape(rpcLog{
			Address:         l.Address,
			Topics:          l.Topics,
			Data:            "0x" + hex.EncodeToString(l.Data),
			LogIndex:        "0x" + strconv.FormatUint(l.LogIndex, 16),
			TransactionHash: tx.Hash,
		})
		if err != nil {
			return nil, fmt.Errorf("marshal match of tenant %s monitor %q tx %s log %d: %w", m.TenantID, m.MonitorName, tx.Hash, i, err)
		}
		body.Logs = append(body.Logs, raw)
	}
	b, err := ozconfig.MarshalNoEscape(ozEVMMatch{EVM: body})
	if err != nil {
		return nil, fmt.Errorf("marshal match of tenant %s monitor %q tx %s: %w", m.TenantID, m.MonitorName, tx.Hash, err)
	}
	return b, nil
}

type ozEVMMatch struct {
	EVM ozEVMBody `json:"EVM"`
}

type ozEVMBody struct {
	Monitor       json.RawMessage   `json:"monitor"`
	Transaction   json.RawMessage   `json:"transaction"`
	Receipt       json.RawMessage   `json:"receipt"`
	Logs          []json.RawMessage `json:"logs"`
	NetworkSlug   string            `json:"network_slug"`
	MatchedOn     MatchedOn         `json:"matched_on"`
	MatchedOnArgs MatchedOnArgs     `json:"matched_on_args"`
}

// rpcTransaction and rpcLog stand in for the JSON-RPC objects when the
// block was built without them (tests, synthetic blocks): the fields the
// original's scripts read most, in JSON-RPC spelling.
type rpcTransactionJSON struct {
	Hash             string  `json:"hash"`
	BlockNumber      string  `json:"blockNumber"`
	From             string  `json:"from"`
	To               *string `json:"to"`
	Value            string  `json:"value"`
	Input            string  `json:"input"`
	TransactionIndex string  `json:"transactionIndex"`
}

func rpcTransaction(tx *chain.Transaction, m *Match) rpcTransactionJSON {
	e := tx.EVM
	var to *string
	if e.To != "" {
		to = &e.To
	}
	return rpcTransactionJSON{
		Hash:             tx.Hash,
		BlockNumber:      "0x" + strconv.FormatUint(m.Ledger, 16),
		From:             e.From,
		To:               to,
		Value:            e.Value,
		Input:            "0x" + hex.EncodeToString(e.Input),
		TransactionIndex: "0x" + strconv.FormatUint(e.TransactionIndex, 16),
	}
}

type rpcLog struct {
	Address         string   `json:"address"`
	Topics          []string `json:"topics"`
	Data            string   `json:"data"`
	LogIndex        string   `json:"logIndex"`
	TransactionHash string   `json:"transactionHash"`
}

// evmConfigJSON is the monitor configuration as the EVM MonitorMatch
// reports it: every address's contract_spec is null (the original drops
// the ABIs from the payload), rendered once.
func (cm *CompiledMonitor) evmConfigJSON() (json.RawMessage, error) {
	cm.evmJSONOnce.Do(func() {
		if cm.Config == nil {
			cm.evmJSONVal, cm.evmJSONErr = json.Marshal(map[string]string{"name": cm.Name})
			return
		}
		c := *cm.Config
		c.Addresses = make([]ozconfig.MonitorAddress, len(cm.Config.Addresses))
		for i, a := range cm.Config.Addresses {
			c.Addresses[i] = ozconfig.MonitorAddress{Address: a.Address, ContractSpec: json.RawMessage("null")}
		}
		cm.evmJSONVal, cm.evmJSONErr = ozconfig.MarshalNoEscape(&c)
	})
	return cm.evmJSONVal, cm.evmJSONErr
}
