package monitor

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"

	"github.com/ozmon/ozmon/chain"
	"github.com/ozmon/ozmon/monitor/expr"
	"github.com/ozmon/ozmon/monitor/ozconfig"
)

// SpecSource supplies the contract spec of one monitored address on one
// network. contract is the address in strkey form (whitespace removed,
// uppercased, however the monitor spells it); inline is the address's
// contract_spec from the monitor (nil when absent). A source parses inline
// (chain/stellar.ParseSpecJSON) or falls back to a spec fetched from the
// network; returning the same *chain.ContractSpec for every monitor of a
// contract lets the engine decode each call once for all of them.
// Returning (nil, nil) means "no spec": the address's events still match,
// with positional argument names, but its function calls never do
// (docs/compatibility.md#quirks-we-keep). An error rejects the monitor.
//
// The engine cannot parse specs itself (package monitor must not import
// chain/stellar), hence this function.
type SpecSource func(network, contract string, inline json.RawMessage) (*chain.ContractSpec, error)

// Specs is the usual SpecSource: an inline contract_spec is parsed with
// parse (chain/stellar.ParseSpecJSON), any other address asks fetched
// (specs read from the network and cached by the caller; nil: none).
func Specs(parse func([]byte) (*chain.ContractSpec, error), fetched func(network, contract string) *chain.ContractSpec) SpecSource {
	return func(network, contract string, inline json.RawMessage) (*chain.ContractSpec, error) {
		if len(inline) > 0 {
			if parse == nil {
				return nil, fmt.Errorf("inline contract spec of %s: no spec parser configured", contract)
			}
			return parse(inline)
		}
		if fetched == nil {
			return nil, nil
		}
		return fetched(network, contract), nil
	}
}

// CompiledMonitor is a monitor prepared for evaluation: addresses
// normalized, specs resolved per network, signatures normalized,
// expressions parsed. It is immutable and safe for concurrent use.
type CompiledMonitor struct {
	TenantID string
	Name     string
	Networks []string
	Paused   bool
	// Config is the monitor as loaded; it must not be modified once
	// compiled.
	Config *ozconfig.Monitor

	addrs     map[string]struct{} // normalized
	addrList  []string            // normalized, each once, in config order
	functions []sigCond
	events    []sigCond
	txs       []txCond
	txGate    txGate                              // transaction-only Stellar monitors: what a ledger must hold (stellar_gate.go)
	argGate   bool                                // every function and event condition bounds an argument (stellar_arggate.go)
	specs     map[string]map[string]*contractSpec // network → normalized address → spec
	chain     chain.Chain                         // "" when unknown: any block
	abis      map[string]map[string]*evmABI       // network → normalized EVM address → ABI
	sol       *solanaMonitor                      // set on Solana monitors
	mid       *midnightMonitor                    // set on Midnight monitors and those of no known chain

	jsonOnce sync.Once
	jsonVal  json.RawMessage
	jsonErr  error

	evmJSONOnce sync.Once
	evmJSONVal  json.RawMessage
	evmJSONErr  error

	sumOnce sync.Once
	sumVal  string
	sumErr  error

	exprSumOnce sync.Once
	exprSums    map[*string]string // condition text → shortSum, for MatchRef
}

type sigCond struct {
	sigNorm string
	expr    *expr.Expr
	text    *string    // nil: no expression
	lower   lowerBound // what the expression requires (stellar_arggate.go)
}

type txCond struct {
	status ozconfig.TransactionStatus
	expr   *expr.Expr
	text   *string
}

// Compile prepares m, owned by tenantID, for evaluation. specs may be nil
// (no spec for any address); EVM addresses get their ABI from the source of
// WithABISource instead. The monitor is compiled for every network it
// names; the index only uses it on those networks.
func Compile(tenantID string, m *ozconfig.Monitor, specs SpecSource, opts ...CompileOption) (*CompiledMonitor, error) {
	if m == nil {
		return nil, fmt.Errorf("compile monitor of tenant %s: nil monitor", tenantID)
	}
	var o compileOptions
	for _, opt := range opts {
		opt(&o)
	}
	cm := &CompiledMonitor{
		TenantID: tenantID,
		Name:     m.Name,
		Networks: m.Networks,
		Paused:   m.Paused,
		Config:   m,
		addrs:    make(map[string]struct{}, len(m.Addresses)),
		specs:    make(map[string]map[string]*contractSpec, len(m.Networks)),
	}
	for _, a := range m.Addresses {
		n := normalizeAddr(a.Address)
		if n == "" {
			continue
		}
		if _, dup := cm.addrs[n]; dup {
			continue
		}
		cm.addrs[n] = struct{}{}
		cm.addrList = append(cm.addrList, n)
	}
	for i, c := range m.MatchConditions.Functions {
		sc, err := compileSigCond(c.Signature, c.Expression, c.Expr)
		if err != nil {
			return nil, fmt.Errorf("compile monitor %q of tenant %s: match_conditions.functions[%d]: %w", ozconfig.Clip(m.Name), tenantID, i, err)
		}
		cm.functions = append(cm.functions, sc)
	}
	for i, c := range m.MatchConditions.Events {
		sc, err := compileSigCond(c.Signature, c.Expression, c.Expr)
		if err != nil {
			return nil, fmt.Errorf("compile monitor %q of tenant %s: match_conditions.events[%d]: %w", ozconfig.Clip(m.Name), tenantID, i, err)
		}
		cm.events = append(cm.events, sc)
	}
	for i, c := range m.MatchConditions.Transactions {
		switch c.Status {
		case ozconfig.StatusAny, ozconfig.StatusSuccess, ozconfig.StatusFailure:
		default:
			return nil, fmt.Errorf("compile monitor %q of tenant %s: match_conditions.transactions[%d]: unknown status %q", ozconfig.Clip(m.Name), tenantID, i, c.Status)
		}
		e, text, err := compileExpr(c.Expression, c.Expr)
		if err != nil {
			return nil, fmt.Errorf("compile monitor %q of tenant %s: match_conditions.transactions[%d]: %w", ozconfig.Clip(m.Name), tenantID, i, err)
		}
		cm.txs = append(cm.txs, txCond{status: c.Status, expr: e, text: text})
	}
	if cm.everyTransaction() {
		cm.txGate = compileTxGate(cm.txs)
	}
	cm.argGate = compileArgGate(cm)
	cm.chain = o.chain
	if cm.chain == "" && isMidnightMonitor(m) {
		cm.chain = chain.Midnight
	}
	if cm.chain == "" {
		cm.chain = inferChainOf(m.Addresses, cm.addrList)
	}
	if cm.chain == chain.Midnight {
		// No specs on Midnight: matching is by name (QM1).
		cm.compileMidnight(m)
		return cm, nil
	}
	if cm.chain == "" {
		// No address to tell the chain by: a condition-less or
		// transaction-only monitor may be handed a Midnight block too.
		cm.mid = newMidnightMonitor(m, cm.functions)
	}
	if cm.chain == chain.Solana {
		// Solana specs are Anchor IDLs, read here; no Soroban spec or ABI.
		if err := cm.compileSolana(m); err != nil {
			return nil, fmt.Errorf("compile monitor %q of tenant %s: %w", ozconfig.Clip(m.Name), tenantID, err)
		}
		return cm, nil
	}
	if err := cm.compileABIs(m, o.abis); err != nil {
		return nil, fmt.Errorf("compile monitor %q of tenant %s: %w", ozconfig.Clip(m.Name), tenantID, err)
	}
	if specs != nil {
		for _, network := range m.Networks {
			var byAddr map[string]*contractSpec
			for _, a := range m.Addresses {
				n := normalizeAddr(a.Address)
				if n == "" || isEVMAddress(n) {
					continue // an ABI, not a Soroban spec
				}
				if _, done := byAddr[n]; done {
					continue // the first entry of an address wins, as in the original
				}
				s, err := specs(network, strings.ToUpper(n), a.ContractSpec)
				if err != nil {
					return nil, fmt.Errorf("compile monitor %q of tenant %s: contract spec of %s on %s: %w", ozconfig.Clip(m.Name), tenantID, a.Address, network, err)
				}
				if s == nil {
					continue
				}
				if byAddr == nil {
					byAddr = make(map[string]*contractSpec, len(m.Addresses))
				}
				byAddr[n] = newContractSpec(s)
			}
			if byAddr != nil {
				cm.specs[network] = byAddr
			}
		}
	}
	return cm, nil
}

func compileSigCond(sig, src string, e *expr.Expr) (sigCond, error) {
	if strings.TrimSpace(sig) == "" {
		return sigCond{}, fmt.Errorf("empty signature")
	}
	pe, text, err := compileExpr(src, e)
	if err != nil {
		return sigCond{}, err
	}
	c := sigCond{sigNorm: normalizeKey(sig), expr: pe, text: text}
	c.lower = lowerBoundOf(&c)
	return c, nil
}

// compileExpr returns the parsed expression of a condition, parsing the
// source when the config loader has not already done so.
func compileExpr(src string, e *expr.Expr) (*expr.Expr, *string, error) {
	if src == "" && e == nil {
		return nil, nil, nil
	}
	if e == nil {
		var err error
		if e, err = expr.Parse(src); err != nil {
			return nil, nil, fmt.Errorf("expression %q: %w", ozconfig.Clip(src), err)
		}
	}
	if src == "" {
		src = e.String()
	}
	text := src
	return e, &text, nil
}

// Watches reports whether the monitor watches the contract (any spelling).
func (cm *CompiledMonitor) Watches(contract string) bool {
	_, ok := cm.addrs[normalizeAddr(contract)]
	return ok
}

// OnNetwork reports whether the monitor runs on the network.
func (cm *CompiledMonitor) OnNetwork(network string) bool {
	for _, n := range cm.Networks {
		if n == network {
			return true
		}
	}
	return false
}

// everyTransaction reports whether the monitor must see every transaction
// of a ledger: it has neither function nor event conditions, so no
// address gate applies (docs/compatibility.md#combination-rule).
func (cm *CompiledMonitor) everyTransaction() bool {
	return len(cm.functions) == 0 && len(cm.events) == 0
}

func (cm *CompiledMonitor) spec(network, addr string) *contractSpec {
	return cm.specs[network][addr]
}

// configJSON is the monitor configuration as MonitorMatch reports it,
// rendered once.
func (cm *CompiledMonitor) configJSON() (json.RawMessage, error) {
	cm.jsonOnce.Do(func() {
		if cm.Config == nil {
			cm.jsonVal, cm.jsonErr = json.Marshal(map[string]string{"name": cm.Name})
			return
		}
		cm.jsonVal, cm.jsonErr = ozconfig.MarshalNoEscape(cm.Config)
	})
	return cm.jsonVal, cm.jsonErr
}
