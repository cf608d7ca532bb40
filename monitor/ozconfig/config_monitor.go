package ozconfig

import (
	"encoding/json"
	"math"
	"path"
	"strings"
	"time"

	"github.com/ozmon/ozmon/monitor/expr"
)

// Monitor is an OpenZeppelin Monitor monitor (config/monitors/*.json).
type Monitor struct {
	Name                string               `json:"name"`
	Networks            []string             `json:"networks"`
	Paused              bool                 `json:"paused"`
	Addresses           []MonitorAddress     `json:"addresses"`
	MatchConditions     MatchConditions      `json:"match_conditions"`
	TriggerConditions   []TriggerCondition   `json:"trigger_conditions"`
	Triggers            []string             `json:"triggers"`
	ChainConfigurations []ChainConfiguration `json:"chain_configurations,omitempty"`

	source string
}

// MonitorAddress is a watched contract. ContractSpec is kept as the raw
// JSON (an EVM ABI or a Stellar SEP-48 spec) for the chain's engine to
// read; it is nil when absent or null.
type MonitorAddress struct {
	Address      string          `json:"address"`
	ContractSpec json.RawMessage `json:"contract_spec,omitempty"`
}

// MatchConditions are the three lists a transaction is matched against.
type MatchConditions struct {
	Functions    []FunctionCondition    `json:"functions"`
	Events       []EventCondition       `json:"events"`
	Transactions []TransactionCondition `json:"transactions"`
}

// FunctionCondition matches a contract call by signature, optionally
// filtered by an expression. Expr is the parsed Expression, nil when there
// is none.
type FunctionCondition struct {
	Signature  string     `json:"signature"`
	Expression string     `json:"expression,omitempty"`
	Expr       *expr.Expr `json:"-"`
}

// EventCondition matches an event by signature, like FunctionCondition.
type EventCondition struct {
	Signature  string     `json:"signature"`
	Expression string     `json:"expression,omitempty"`
	Expr       *expr.Expr `json:"-"`
}

// TransactionStatus selects transactions by outcome.
type TransactionStatus string

// The statuses, spelled exactly as OZ requires.
const (
	StatusAny     TransactionStatus = "Any"
	StatusSuccess TransactionStatus = "Success"
	StatusFailure TransactionStatus = "Failure"
)

// TransactionCondition matches a transaction by status and expression.
type TransactionCondition struct {
	Status     TransactionStatus `json:"status"`
	Expression string            `json:"expression,omitempty"`
	Expr       *expr.Expr        `json:"-"`
}

// ScriptLanguage is the interpreter of a trigger condition or script
// trigger, spelled exactly as OZ requires.
type ScriptLanguage string

// The script languages and the file extension each requires.
const (
	LanguagePython     ScriptLanguage = "Python"
	LanguageJavaScript ScriptLanguage = "JavaScript"
	LanguageBash       ScriptLanguage = "Bash"
)

// Extension is the file extension a script in this language must have.
func (l ScriptLanguage) Extension() string {
	switch l {
	case LanguagePython:
		return ".py"
	case LanguageJavaScript:
		return ".js"
	case LanguageBash:
		return ".sh"
	}
	return ""
}

// TriggerCondition is a script that can veto a match before its triggers run.
type TriggerCondition struct {
	ScriptPath string         `json:"script_path"`
	Language   ScriptLanguage `json:"language"`
	Arguments  []string       `json:"arguments,omitempty"`
	TimeoutMs  uint32         `json:"timeout_ms"`
}

// ChainConfiguration is one item of chain_configurations. EVM and Stellar
// take no settings; Solana's is an empty object whose keys OZ ignores, and
// Midnight's holds viewing keys (MidnightConfig).
type ChainConfiguration struct {
	EVM      json.RawMessage `json:"evm,omitempty"`
	Stellar  json.RawMessage `json:"stellar,omitempty"`
	Midnight *MidnightConfig `json:"midnight,omitempty"`
	Solana   json.RawMessage `json:"solana,omitempty"`
}

// MidnightConfig is a Midnight monitor's chain configuration. OpenZeppelin
// Monitor resolves the viewing keys and uses them only to decrypt coins it
// then discards (QM7): ozmon checks their shape and never resolves them,
// so no tenant key is read from the environment or a vault for nothing.
// Plain keys marshal redacted, like every plain secret.
type MidnightConfig struct {
	ViewingKeys []SecretValue `json:"viewing_keys"`
}

// ParseMonitor reads and validates one monitor file; source names it in
// errors. Every expression is parsed, so a monitor whose filter cannot run
// is rejected here rather than silently never matching. Cross references
// (networks, triggers) are checked by Config.Validate. A monitor over the
// limits (DefaultLimits, or those of WithLimits) is refused.
func ParseMonitor(source string, data []byte, opts ...ParseOption) (*Monitor, error) {
	r := newReader(source, opts)
	raw, ok := r.parseItem(data)
	if !ok {
		return nil, r.errs
	}
	m := r.monitor("", raw)
	if err := r.errs.err(); err != nil {
		return nil, err
	}
	m.source = source
	return m, nil
}

func (r *cfgReader) monitor(p string, raw json.RawMessage) *Monitor {
	o := r.object(p, raw, "monitor")
	if o == nil {
		return nil
	}
	m := &Monitor{}
	if name, ok := o.str("name", true); ok {
		m.Name = name
		if strings.TrimSpace(name) == "" {
			r.fail(joinKey(p, "name"), "must not be empty")
		}
		r.checkName(joinKey(p, "name"), name)
	}
	if nets, ok := o.strs("networks", true); ok {
		m.Networks = nets
		np := joinKey(p, "networks")
		if len(nets) == 0 {
			r.fail(np, "must name at least one network")
		}
		for i, n := range nets {
			if strings.TrimSpace(n) == "" {
				r.fail(joinIndex(np, i), "must not be empty")
			}
		}
	}
	m.Paused, _ = o.boolean("paused", true)
	if v, ap, ok := o.get("addresses", true); ok {
		if items, ok := r.array(ap, v, "array of addresses"); ok {
			m.Addresses = make([]MonitorAddress, 0, len(items))
			for i, it := range items {
				m.Addresses = append(m.Addresses, r.monitorAddress(joinIndex(ap, i), it))
			}
		}
	}
	if v, mp, ok := o.get("match_conditions", true); ok {
		m.MatchConditions = r.matchConditions(mp, v)
	}
	if v, tp, ok := o.get("trigger_conditions", true); ok {
		if items, ok := r.array(tp, v, "array of trigger conditions"); ok {
			m.TriggerConditions = make([]TriggerCondition, 0, len(items))
			for i, it := range items {
				m.TriggerConditions = append(m.TriggerConditions, r.triggerCondition(joinIndex(tp, i), it))
			}
		}
	}
	if ts, ok := o.strs("triggers", true); ok {
		m.Triggers = ts
		for i, t := range ts {
			if strings.TrimSpace(t) == "" {
				r.fail(joinIndex(joinKey(p, "triggers"), i), "must not be empty")
			}
		}
	}
	if v, cp, ok := o.get("chain_configurations", false); ok {
		if items, ok := r.array(cp, v, "array of chain configurations"); ok {
			for i, it := range items {
				if c, ok := r.chainConfiguration(joinIndex(cp, i), it); ok {
					m.ChainConfigurations = append(m.ChainConfigurations, c)
				}
			}
		}
	}
	o.finish()
	return m
}

func (r *cfgReader) monitorAddress(p string, raw json.RawMessage) MonitorAddress {
	var a MonitorAddress
	o := r.object(p, raw, "address")
	if o == nil {
		return a
	}
	if s, ok := o.str("address", true); ok {
		a.Address = s
		if strings.TrimSpace(s) == "" {
			r.fail(joinKey(p, "address"), "must not be empty")
		}
	}
	if v, sp, ok := o.get("contract_spec", false); ok {
		switch jsonKind(v) {
		case "array", "object":
			a.ContractSpec = v
		default:
			r.fail(sp, "expected contract spec (array or object), got %s", jsonKind(v))
		}
	}
	o.finish()
	return a
}

func (r *cfgReader) matchConditions(p string, raw json.RawMessage) MatchConditions {
	var mc MatchConditions
	o := r.object(p, raw, "match conditions")
	if o == nil {
		return mc
	}
	if v, fp, ok := o.get("functions", true); ok {
		if items, ok := r.array(fp, v, "array of function conditions"); ok {
			mc.Functions = make([]FunctionCondition, 0, len(items))
			for i, it := range items {
				sig, src, e := r.signatureCondition(joinIndex(fp, i), it, "function condition")
				mc.Functions = append(mc.Functions, FunctionCondition{Signature: sig, Expression: src, Expr: e})
			}
		}
	}
	if v, ep, ok := o.get("events", true); ok {
		if items, ok := r.array(ep, v, "array of event conditions"); ok {
			mc.Events = make([]EventCondition, 0, len(items))
			for i, it := range items {
				sig, src, e := r.signatureCondition(joinIndex(ep, i), it, "event condition")
				mc.Events = append(mc.Events, EventCondition{Signature: sig, Expression: src, Expr: e})
			}
		}
	}
	if v, tp, ok := o.get("transactions", true); ok {
		if items, ok := r.array(tp, v, "array of transaction conditions"); ok {
			mc.Transactions = make([]TransactionCondition, 0, len(items))
			for i, it := range items {
				mc.Transactions = append(mc.Transactions, r.transactionCondition(joinIndex(tp, i), it))
			}
		}
	}
	o.finish()
	return mc
}

func (r *cfgReader) signatureCondition(p string, raw json.RawMessage, what string) (sig, src string, e *expr.Expr) {
	o := r.object(p, raw, what)
	if o == nil {
		return "", "", nil
	}
	if s, ok := o.str("signature", true); ok {
		sig = s
		if strings.TrimSpace(s) == "" {
			r.fail(joinKey(p, "signature"), "must not be empty")
		}
	}
	src, e = r.expression(o)
	o.finish()
	return sig, src, e
}

func (r *cfgReader) transactionCondition(p string, raw json.RawMessage) TransactionCondition {
	var tc TransactionCondition
	o := r.object(p, raw, "transaction condition")
	if o == nil {
		return tc
	}
	s, _ := o.enum("status", true, string(StatusAny), string(StatusSuccess), string(StatusFailure))
	tc.Status = TransactionStatus(s)
	tc.Expression, tc.Expr = r.expression(o)
	o.finish()
	return tc
}

// expression reads and parses the optional "expression" key of o.
func (r *cfgReader) expression(o *cfgObject) (string, *expr.Expr) {
	src, ok := o.str("expression", false)
	if !ok {
		return "", nil
	}
	p := joinKey(o.path, "expression")
	if len(src) > r.limits.ExpressionBytes {
		r.fail(p, "%s", limitMsg("is", len(src), limitExpressionBytes, r.limits.ExpressionBytes))
		return "", nil
	}
	if strings.TrimSpace(src) == "" {
		r.fail(p, "is blank; use null or leave it out to match without filtering")
		return src, nil
	}
	e, err := expr.Parse(src)
	if err != nil {
		r.failErr(p, err, err.Error())
		return src, nil
	}
	return src, e
}

func (r *cfgReader) triggerCondition(p string, raw json.RawMessage) TriggerCondition {
	var tc TriggerCondition
	o := r.object(p, raw, "trigger condition")
	if o == nil {
		return tc
	}
	tc.ScriptPath, tc.Language, tc.Arguments, tc.TimeoutMs = r.script(p, o)
	o.finish()
	return tc
}

// MaxScriptTimeoutMs caps a script's timeout_ms (trigger conditions and script triggers): 30 s.
// OpenZeppelin Monitor accepts any uint32 (49 days) because its scripts run for one operator;
// here they run on workers shared by every tenant, and a condition holds the evaluation of its
// ledger while it runs. OpenZeppelin's own examples use 1 to 3 s; 30 s is also the send
// timeout of every other channel. A longer value is refused at validation, with this limit
// named, rather than cut silently.
const MaxScriptTimeoutMs = 30_000

// script reads the fields shared by trigger conditions and script triggers.
func (r *cfgReader) script(p string, o *cfgObject) (scriptPath string, lang ScriptLanguage, args []string, timeoutMs uint32) {
	sp, spOK := o.str("script_path", true)
	if spOK && strings.TrimSpace(sp) == "" {
		r.fail(joinKey(p, "script_path"), "must not be empty")
		spOK = false
	}
	l, langOK := o.enum("language", true, string(LanguagePython), string(LanguageJavaScript), string(LanguageBash))
	lang = ScriptLanguage(l)
	if spOK && langOK {
		if ext := lang.Extension(); !strings.EqualFold(path.Ext(sp), ext) {
			r.fail(joinKey(p, "script_path"), "%q must have the %s extension for language %s", sp, ext, lang)
		}
	}
	args, _ = o.strs("arguments", false)
	if t, ok := o.uint("timeout_ms", true, math.MaxUint32); ok {
		timeoutMs = uint32(t)
		if t == 0 {
			r.fail(joinKey(p, "timeout_ms"), "must be greater than 0")
		} else if t > MaxScriptTimeoutMs {
			r.fail(joinKey(p, "timeout_ms"), "%d exceeds the limit of %d ms (%s) for scripts", t, MaxScriptTimeoutMs, time.Duration(MaxScriptTimeoutMs)*time.Millisecond)
		}
	}
	return sp, lang, args, timeoutMs
}

func (r *cfgReader) chainConfiguration(p string, raw json.RawMessage) (ChainConfiguration, bool) {
	var c ChainConfiguration
	o := r.object(p, raw, "chain configuration")
	if o == nil {
		return c, false
	}
	// EVM and Stellar configurations have no fields in OZ 1.6, so any key
	// inside them is a mistake.
	for _, k := range []string{"evm", "stellar"} {
		if v, kp, ok := o.get(k, false); ok {
			if inner := r.object(kp, v, k+" configuration"); inner != nil {
				inner.finish()
				if k == "evm" {
					c.EVM = v
				} else {
					c.Stellar = v
				}
			}
		}
	}
	if v, kp, ok := o.get("midnight", false); ok {
		if mo := r.object(kp, v, "midnight configuration"); mo != nil {
			mc := &MidnightConfig{ViewingKeys: []SecretValue{}}
			if vk, vp, ok := mo.get("viewing_keys", false); ok && !isNull(vk) {
				items, _ := r.array(vp, vk, "a list of secrets")
				for i, it := range items {
					if sv, ok := r.secretAt(joinIndex(vp, i), it); ok {
						mc.ViewingKeys = append(mc.ViewingKeys, sv)
					}
				}
			}
			mo.finish()
			c.Midnight = mc
		}
	}
	if v, kp, ok := o.get("solana", false); ok {
		if r.object(kp, v, "solana configuration") != nil {
			c.Solana = v
		}
	}
	o.finish()
	return c, true
}
