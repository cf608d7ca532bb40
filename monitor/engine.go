package monitor

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"

	"github.com/ozmon/ozmon/chain"
	"github.com/ozmon/ozmon/monitor/expr"
)

// ErrBlockTypeMismatch is returned when a block of a chain the engine does
// not evaluate is handed to it, or a block of one chain to a monitor of the
// other.
var ErrBlockTypeMismatch = errors.New("block type mismatch")

// Engine evaluates compiled monitors against ledgers. It holds no
// per-tenant state and is safe for concurrent use.
type Engine struct {
	log *slog.Logger
	cmp expr.Comparator
}

// EngineOption configures an Engine.
type EngineOption func(*Engine)

// WithLogger makes the engine log, at debug level, every expression that
// fails to evaluate (an error means "no match", as in the original; the
// log says why).
func WithLogger(l *slog.Logger) EngineOption {
	return func(e *Engine) {
		if l != nil {
			e.log = l
		}
	}
}

// NewEngine returns an engine.
func NewEngine(opts ...EngineOption) *Engine {
	e := &Engine{cmp: expr.Stellar{}}
	for _, o := range opts {
		o(e)
	}
	return e
}

// PreparedBlock is a block with what every monitor evaluation needs
// precomputed once: normalized contract addresses, the transactions each
// contract touches, the transaction-condition parameters, and (lazily) the
// calls and events decoded against contract specs. Prepare it once per
// ledger and share it: it is safe for concurrent evaluations (e.g. one per
// tenant or per batch of tenants).
type PreparedBlock struct {
	Block      *chain.Block
	callAddr   [][]string         // per tx, per op: normalized contract, "" when not a call
	eventAddr  [][]string         // per tx, per event: normalized contract
	byContract map[string][]int32 // normalized contract → tx indexes, ascending, each once
	txOps      [][][]expr.Param   // per tx: transaction params per relevant operation
	txBase     [][]expr.Param     // per tx: params when it has no relevant operation
	txFacts    ledgerTxFacts      // what transaction-only monitors' gates read

	// Calls and events resolved against a spec, filled lazily by the
	// evaluations that need them and shared by all later ones, whatever
	// the tenant: decoding depends only on the ledger and the spec.
	mu     sync.Mutex
	calls  map[itemKey]*resolvedCall
	events map[itemKey]*decodedEvent
	argMax map[argMaxKey]int64 // stellar_arggate.go

	touchedOnce sync.Once
	touchedSet  map[string]struct{} // normalized contracts the block touches (Index.CandidatesOfPrepared)

	evm *evmBlock      // set instead of the Stellar fields on an EVM block
	sol *solanaBlock   // set instead of the Stellar fields on a Solana block
	mid *midnightBlock // set instead of the Stellar fields on a Midnight block
}

// Prepare precomputes the block for evaluation.
func (e *Engine) Prepare(b *chain.Block) (*PreparedBlock, error) {
	if b == nil {
		return nil, fmt.Errorf("prepare block: nil block")
	}
	switch b.Chain {
	case chain.EVM:
		return &PreparedBlock{Block: b, evm: prepareEVM(b)}, nil
	case chain.Solana:
		return &PreparedBlock{Block: b, sol: prepareSolana(b)}, nil
	case chain.Midnight:
		return &PreparedBlock{Block: b, mid: prepareMidnight(b)}, nil
	case chain.Stellar:
	default:
		return nil, fmt.Errorf("evaluate %s block %d of network %s: %w (the engine evaluates stellar, evm, solana and midnight blocks)", b.Chain, b.Ledger, b.Network, ErrBlockTypeMismatch)
	}
	p := &PreparedBlock{
		Block:      b,
		callAddr:   make([][]string, len(b.Transactions)),
		eventAddr:  make([][]string, len(b.Transactions)),
		byContract: make(map[string][]int32, 64),
		txOps:      make([][][]expr.Param, len(b.Transactions)),
		txBase:     make([][]expr.Param, len(b.Transactions)),
		calls:      make(map[itemKey]*resolvedCall),
		events:     make(map[itemKey]*decodedEvent),
		argMax:     make(map[argMaxKey]int64),
	}
	norm := make(map[string]string, 64)
	normOf := func(a string) string {
		if n, ok := norm[a]; ok {
			return n
		}
		n := normalizeKey(a)
		norm[a] = n
		return n
	}
	touch := func(n string, ti int) {
		l := p.byContract[n]
		if len(l) > 0 && l[len(l)-1] == int32(ti) {
			return
		}
		p.byContract[n] = append(l, int32(ti))
	}
	ledger := strconv.FormatUint(b.Ledger, 10)
	for ti := range b.Transactions {
		tx := &b.Transactions[ti]
		if len(tx.Operations) > 0 {
			ca := make([]string, len(tx.Operations))
			for oi := range tx.Operations {
				if c := tx.Operations[oi].Call; c != nil && c.Contract != "" {
					ca[oi] = normOf(c.Contract)
					touch(ca[oi], ti)
				}
			}
			p.callAddr[ti] = ca
		}
		if len(tx.Events) > 0 {
			ea := make([]string, len(tx.Events))
			for ei := range tx.Events {
				if c := tx.Events[ei].Contract; c != "" {
					ea[ei] = normOf(c)
					touch(ea[ei], ti)
				}
			}
			p.eventAddr[ti] = ea
		}
		p.txOps[ti], p.txBase[ti] = transactionParams(tx, ledger)
	}
	p.txFacts = txFactsOf(p.txOps, p.txBase)
	return p, nil
}

// touched returns the normalized contracts the block touches, the way the
// index keys them, computed once.
func (p *PreparedBlock) touched() map[string]struct{} {
	p.touchedOnce.Do(func() { p.touchedSet = touchedSet(p.Block) })
	return p.touchedSet
}

// transactionParams builds the parameters transaction expressions see
// (docs/compatibility.md#transaction-conditions): one set per payment or contract invocation, or, without such an
// operation, a set with value 0 and no from/to. The kinds are spelled the
// way the comparator recognises fastest; it lowercases them anyway, so
// "I64" and the original's "i64" compare identically.
func transactionParams(tx *chain.Transaction, ledger string) (perOp [][]expr.Param, base []expr.Param) {
	from := tx.Source
	if tx.SourceMuxed != "" {
		from = tx.SourceMuxed
	}
	for i := range tx.Operations {
		op := &tx.Operations[i]
		var value, to string
		switch {
		case op.Type == chain.OpPayment && op.Payment != nil:
			value, to = strconv.FormatInt(op.Payment.Amount, 10), op.Payment.To
		case op.Call != nil:
			value, to = "0", op.Call.Contract
		case op.Name == "invoke_host_function":
			value = "0" // contract creation or upload: no invoked contract
		default:
			continue
		}
		perOp = append(perOp, []expr.Param{
			{Name: "hash", Value: tx.Hash, Kind: "String"},
			{Name: "ledger", Value: ledger, Kind: "I64"},
			{Name: "value", Value: value, Kind: "I64"},
			{Name: "from", Value: from, Kind: "Address"},
			{Name: "to", Value: to, Kind: "Address"},
		})
	}
	if len(perOp) == 0 {
		base = []expr.Param{
			{Name: "hash", Value: tx.Hash, Kind: "String"},
			{Name: "ledger", Value: ledger, Kind: "I64"},
			{Name: "value", Value: "0", Kind: "I64"},
		}
	}
	return perOp, base
}

// EvaluateBlock evaluates monitors against the block. Matches come out in
// the order of monitors, then of transactions in the ledger; at most one
// per (monitor, transaction). Monitors that do not run on the block's
// network, or are paused, are skipped. An expression that fails to
// evaluate only means that condition does not match.
func (e *Engine) EvaluateBlock(ctx context.Context, b *chain.Block, monitors []*CompiledMonitor) ([]*Match, error) {
	p, err := e.Prepare(b)
	if err != nil {
		return nil, err
	}
	return e.EvaluatePrepared(ctx, p, monitors)
}

// EvaluateTenant is EvaluateBlock for one tenant's monitors; it refuses a
// monitor of another tenant, so a batch can never leak matches across
// tenants.
func (e *Engine) EvaluateTenant(ctx context.Context, tenantID string, p *PreparedBlock, monitors []*CompiledMonitor) ([]*Match, error) {
	for _, cm := range monitors {
		if cm.TenantID != tenantID {
			return nil, fmt.Errorf("evaluate ledger %d for tenant %s: monitor %q belongs to tenant %s", p.Block.Ledger, tenantID, cm.Name, cm.TenantID)
		}
	}
	return e.EvaluatePrepared(ctx, p, monitors)
}

// EvaluatePrepared is EvaluateBlock on a prepared block.
func (e *Engine) EvaluatePrepared(ctx context.Context, p *PreparedBlock, monitors []*CompiledMonitor) ([]*Match, error) {
	s := &evalState{engine: e, p: p, cmp: e.cmp}
	switch {
	case p.evm != nil:
		s.cmp = expr.EVM{}
	case p.sol != nil:
		s.cmp = expr.Solana{}
	}
	var out []*Match
	for _, cm := range monitors {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("evaluate ledger %d of %s: %w", p.Block.Ledger, p.Block.Network, err)
		}
		if cm == nil || cm.Paused || !cm.OnNetwork(p.Block.Network) {
			continue
		}
		if cm.chain != "" && cm.chain != p.Block.Chain {
			return nil, fmt.Errorf("evaluate %s block %d of %s with %s monitor %q of tenant %s: %w", p.Block.Chain, p.Block.Ledger, p.Block.Network, cm.chain, cm.Name, cm.TenantID, ErrBlockTypeMismatch)
		}
		if p.evm != nil {
			out = s.evaluateEVMMonitor(cm, out)
			continue
		}
		if p.sol != nil {
			out = s.evaluateSolanaMonitor(cm, out)
			continue
		}
		if p.mid != nil {
			out = s.evaluateMidnightMonitor(cm, out)
			continue
		}
		out = s.evaluateMonitor(cm, out)
	}
	return out, nil
}
