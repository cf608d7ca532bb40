package monitor

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/ozmon/ozmon/chain"
	"github.com/ozmon/ozmon/monitor/ozconfig"
)

// Match is one monitor matching one transaction: OpenZeppelin Monitor's
// MonitorMatch, scoped to the tenant that owns the monitor. The engine
// produces at most one Match per (tenant, monitor, transaction).
type Match struct {
	TenantID        string             `json:"tenant_id"`
	MonitorName     string             `json:"monitor_name"`
	Network         string             `json:"network"`
	Ledger          uint64             `json:"ledger"`
	LedgerHash      string             `json:"ledger_hash"`
	LedgerCloseTime time.Time          `json:"ledger_close_time"`
	Transaction     *chain.Transaction `json:"transaction"`
	MatchedOn       MatchedOn          `json:"matched_on"`
	MatchedOnArgs   MatchedOnArgs      `json:"matched_on_args"`

	// Monitor is the compiled monitor that matched; its configuration is
	// what MarshalOZJSON reports under "monitor". It is not serialized
	// with the Match itself.
	Monitor *CompiledMonitor `json:"-"`

	// block is the matched block on Solana, whose header the Solana
	// MonitorMatch reports (the transaction points into it anyway).
	block *chain.Block
}

// MatchedOn lists the conditions that matched, per kind
// (docs/compatibility.md#combination-rule): a kind that
// the monitor does not configure, or that did not match, is empty.
type MatchedOn struct {
	Functions    []FunctionMatch    `json:"functions"`
	Events       []EventMatch       `json:"events"`
	Transactions []TransactionMatch `json:"transactions"`
}

// FunctionMatch is a matched function call: the call's resolved signature
// and the expression of the condition that accepted it (nil: none).
type FunctionMatch struct {
	Signature  string  `json:"signature"`
	Expression *string `json:"expression"`
}

// EventMatch is a matched event, like FunctionMatch.
type EventMatch struct {
	Signature  string  `json:"signature"`
	Expression *string `json:"expression"`
}

// TransactionMatch is a matched transaction condition: the transaction's
// real status ("Success" or "Failure"; "Any" only for the implicit entry
// of a monitor without transaction conditions) and the expression.
type TransactionMatch struct {
	Status     string  `json:"status"`
	Expression *string `json:"expression"`
}

// MatchedOnArgs holds the arguments of the matched calls and events,
// parallel to MatchedOn.Functions and MatchedOn.Events. A kind that did not
// match is nil (JSON null), as in the original.
type MatchedOnArgs struct {
	Functions []ArgsEntry `json:"functions"`
	Events    []ArgsEntry `json:"events"`
}

// ArgsEntry is the argument list of one matched call or event.
// HexSignature is the EVM selector (see evmFunctionMatches for its two
// spellings); it is empty, and omitted, on Stellar.
type ArgsEntry struct {
	Signature    string `json:"signature"`
	HexSignature string `json:"hex_signature,omitempty"`
	Args         []Arg  `json:"args"`
}

// MarshalOZJSON renders the match as OpenZeppelin Monitor's Stellar
// MonitorMatch object (docs/compatibility.md#monitormatch), the payload of raw webhooks and
// scripts; a match on an EVM transaction renders as the EVM MonitorMatch
// instead (see marshalEVMJSON). Fields ozmon does not keep (result meta, diagnostic events,
// ledger header and metadata XDR) are omitted, as absent RPC fields are in
// the original; "decoded" is null.
func (m *Match) MarshalOZJSON() ([]byte, error) {
	if m == nil || m.Transaction == nil {
		return nil, fmt.Errorf("marshal match: no transaction")
	}
	if m.Transaction.EVM != nil {
		return m.marshalEVMJSON()
	}
	if m.Transaction.Solana != nil {
		return m.marshalSolanaJSON()
	}
	if m.Transaction.Midnight != nil {
		return m.marshalMidnightJSON()
	}
	monitorJSON, err := m.monitorJSON()
	if err != nil {
		return nil, err
	}
	tx := m.Transaction
	status := "FAILED"
	if tx.Success {
		status = "SUCCESS"
	}
	out := ozStellarMatch{Stellar: ozStellarBody{
		Monitor: monitorJSON,
		Transaction: ozTransaction{
			Status:           status,
			TxHash:           tx.Hash,
			ApplicationOrder: tx.Index,
			FeeBump:          tx.FeeBump,
			EnvelopeXDR:      b64(tx.EnvelopeXDR),
			ResultXDR:        b64(tx.ResultXDR),
			Ledger:           m.Ledger,
			CreatedAt:        m.LedgerCloseTime.Unix(),
		},
		Ledger: ozLedger{
			Hash:            m.LedgerHash,
			Sequence:        m.Ledger,
			LedgerCloseTime: strconv.FormatInt(m.LedgerCloseTime.Unix(), 10),
		},
		NetworkSlug:   m.Network,
		MatchedOn:     m.MatchedOn,
		MatchedOnArgs: m.MatchedOnArgs,
	}}
	b, err := ozconfig.MarshalNoEscape(out)
	if err != nil {
		return nil, fmt.Errorf("marshal match of tenant %s monitor %q tx %s: %w", m.TenantID, m.MonitorName, tx.Hash, err)
	}
	return b, nil
}

func b64(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return base64.StdEncoding.EncodeToString(b)
}

type ozStellarMatch struct {
	Stellar ozStellarBody `json:"Stellar"`
}

type ozStellarBody struct {
	Monitor       json.RawMessage `json:"monitor"`
	Transaction   ozTransaction   `json:"transaction"`
	Ledger        ozLedger        `json:"ledger"`
	NetworkSlug   string          `json:"network_slug"`
	MatchedOn     MatchedOn       `json:"matched_on"`
	MatchedOnArgs MatchedOnArgs   `json:"matched_on_args"`
}

type ozTransaction struct {
	Status           string          `json:"status"`
	TxHash           string          `json:"txHash"`
	ApplicationOrder int             `json:"applicationOrder"`
	FeeBump          bool            `json:"feeBump"`
	EnvelopeXDR      string          `json:"envelopeXdr,omitempty"`
	ResultXDR        string          `json:"resultXdr,omitempty"`
	Ledger           uint64          `json:"ledger"`
	CreatedAt        int64           `json:"createdAt"`
	Decoded          json.RawMessage `json:"decoded"`
}

type ozLedger struct {
	Hash            string `json:"hash"`
	Sequence        uint64 `json:"sequence"`
	LedgerCloseTime string `json:"ledgerCloseTime"`
}

// MarshalJSON writes empty kinds as [] (never null), as the original does.
func (o MatchedOn) MarshalJSON() ([]byte, error) {
	type plain MatchedOn
	p := plain(o)
	if p.Functions == nil {
		p.Functions = []FunctionMatch{}
	}
	if p.Events == nil {
		p.Events = []EventMatch{}
	}
	if p.Transactions == nil {
		p.Transactions = []TransactionMatch{}
	}
	return ozconfig.MarshalNoEscape(p)
}

// MarshalJSON writes an entry without arguments as "args": [].
func (e ArgsEntry) MarshalJSON() ([]byte, error) {
	type plain ArgsEntry
	p := plain(e)
	if p.Args == nil {
		p.Args = []Arg{}
	}
	return ozconfig.MarshalNoEscape(p)
}

// monitorJSON is the "monitor" object of every chain's MonitorMatch: the
// monitor as configured, or only its name when the match carries no
// compiled monitor.
func (m *Match) monitorJSON() (json.RawMessage, error) {
	if m.Monitor == nil {
		return json.Marshal(map[string]string{"name": m.MonitorName})
	}
	b, err := m.Monitor.configJSON()
	if err != nil {
		return nil, fmt.Errorf("marshal match of tenant %s monitor %q: %w", m.TenantID, m.MonitorName, err)
	}
	return b, nil
}
