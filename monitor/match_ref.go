package monitor

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/ozmon/ozmon/monitor/ozconfig"
)

// MatchRef is a match's MonitorMatch JSON with what the monitor's
// configuration holds cut out: the "monitor" object and the text of every
// matched condition's expression. A deliver task carries a MatchRef rather
// than the whole JSON, so its size does not grow with the monitor (a 1 MB
// expression that matches would otherwise ride in every task for the
// tasks' retention); Expand puts the cut parts back from the monitor as it
// is configured when the notification is sent.
type MatchRef struct {
	// JSON is the MonitorMatch JSON with the holes taken out. It is a
	// string, not raw JSON, so that any JSON encoder (one escaping "<" as
	// \u003c, one compacting) gives back these bytes and the offsets hold.
	JSON string `json:"json"`
	// Holes are where the cut parts go, in ascending offset order.
	Holes []MatchHole `json:"holes,omitempty"`
	// ConfigSum names the monitor's configuration the match was made with
	// (see CompiledMonitor.ConfigSum).
	ConfigSum string `json:"config_sum,omitempty"`
}

// MatchHole is one part of a MonitorMatch cut out of a MatchRef.
type MatchHole struct {
	// At is the byte offset in MatchRef.JSON where the part goes.
	At int `json:"at"`
	// What is "monitor" (the Stellar form of the configuration),
	// "evm_monitor" (the EVM form: contract specs null), or the condition
	// kind of an expression: "functions", "events" or "transactions".
	What string `json:"what"`
	// Sum identifies an expression by the hash of its text.
	Sum string `json:"sum,omitempty"`
}

// ConfigSum is a short hash of the monitor's configuration as MonitorMatch
// reports it: two compilations of the same configuration share it.
func (cm *CompiledMonitor) ConfigSum() (string, error) {
	cm.sumOnce.Do(func() {
		js, err := cm.configJSON()
		if err != nil {
			cm.sumErr = err
			return
		}
		cm.sumVal = shortSum(js)
	})
	return cm.sumVal, cm.sumErr
}

// exprSum is the sum of one of cm's condition texts, computed once per
// compiled monitor (an expression may be a megabyte; a monitor matches
// many times). A text that is not cm's own is hashed on the spot.
func (cm *CompiledMonitor) exprSum(text *string) string {
	cm.exprSumOnce.Do(func() {
		cm.exprSums = map[*string]string{}
		for _, t := range cm.conditionTexts("") {
			cm.exprSums[t] = shortSum([]byte(*t))
		}
	})
	if s, ok := cm.exprSums[text]; ok {
		return s
	}
	return shortSum([]byte(*text))
}

// conditionTexts lists cm's expression texts of kind ("functions",
// "events", "transactions"; "" for all of them).
func (cm *CompiledMonitor) conditionTexts(kind string) []*string {
	var texts []*string
	add := func(t *string) {
		if t != nil {
			texts = append(texts, t)
		}
	}
	if kind == "" || kind == "functions" {
		for _, c := range cm.functions {
			add(c.text)
		}
	}
	if kind == "" || kind == "events" {
		for _, c := range cm.events {
			add(c.text)
		}
	}
	if kind == "" || kind == "transactions" {
		for _, c := range cm.txs {
			add(c.text)
		}
	}
	return texts
}

func shortSum(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:12])
}

// MarshalOZRef renders the match as MarshalOZJSON does, with the monitor's
// configuration and the matched expressions cut out. Expand with the same
// configuration gives MarshalOZJSON's bytes exactly.
func (m *Match) MarshalOZRef() (MatchRef, error) {
	if m == nil || m.Monitor == nil {
		// Nothing of a configuration to cut: the monitor is rendered as
		// its name only.
		js, err := m.MarshalOZJSON()
		return MatchRef{JSON: string(js)}, err
	}
	sum, err := m.Monitor.ConfigSum()
	if err != nil {
		return MatchRef{}, fmt.Errorf("marshal match of tenant %s monitor %q: %w", m.TenantID, m.MonitorName, err)
	}
	// Each cut part is first written as a string token holding a random
	// nonce, which no chain data can spell, then found and taken out.
	var n [12]byte
	_, _ = rand.Read(n[:])
	nonce := hex.EncodeToString(n[:])
	var holes []MatchHole
	token := func(h MatchHole) string {
		holes = append(holes, h)
		return nonce + "." + strconv.Itoa(len(holes)-1)
	}
	c := *m
	fake := &CompiledMonitor{TenantID: m.Monitor.TenantID, Name: m.Monitor.Name, Config: m.Monitor.Config}
	stellarTok, _ := json.Marshal(token(MatchHole{What: "monitor"}))
	evmTok, _ := json.Marshal(token(MatchHole{What: "evm_monitor"}))
	fake.jsonOnce.Do(func() { fake.jsonVal = stellarTok })
	fake.evmJSONOnce.Do(func() { fake.evmJSONVal = evmTok })
	c.Monitor = fake
	cut := func(kind string, e *string) *string {
		if e == nil {
			return nil
		}
		t := token(MatchHole{What: kind, Sum: m.Monitor.exprSum(e)})
		return &t
	}
	c.MatchedOn.Functions = make([]FunctionMatch, len(m.MatchedOn.Functions))
	for i, f := range m.MatchedOn.Functions {
		c.MatchedOn.Functions[i] = FunctionMatch{Signature: f.Signature, Expression: cut("functions", f.Expression)}
	}
	c.MatchedOn.Events = make([]EventMatch, len(m.MatchedOn.Events))
	for i, e := range m.MatchedOn.Events {
		c.MatchedOn.Events[i] = EventMatch{Signature: e.Signature, Expression: cut("events", e.Expression)}
	}
	c.MatchedOn.Transactions = make([]TransactionMatch, len(m.MatchedOn.Transactions))
	for i, t := range m.MatchedOn.Transactions {
		c.MatchedOn.Transactions[i] = TransactionMatch{Status: t.Status, Expression: cut("transactions", t.Expression)}
	}
	js, err := c.MarshalOZJSON()
	if err != nil {
		return MatchRef{}, err
	}
	// Cut the tokens out, recording where each one was.
	var cutJS []byte
	ref := MatchRef{ConfigSum: sum}
	prefix := []byte(`"` + nonce + ".")
	for {
		i := bytes.Index(js, prefix)
		if i < 0 {
			break
		}
		end := bytes.IndexByte(js[i+len(prefix):], '"')
		if end < 0 {
			return MatchRef{}, fmt.Errorf("marshal match of tenant %s monitor %q: unterminated placeholder", m.TenantID, m.MonitorName)
		}
		k, err := strconv.Atoi(string(js[i+len(prefix) : i+len(prefix)+end]))
		if err != nil || k < 0 || k >= len(holes) {
			return MatchRef{}, fmt.Errorf("marshal match of tenant %s monitor %q: bad placeholder", m.TenantID, m.MonitorName)
		}
		cutJS = append(cutJS, js[:i]...)
		h := holes[k]
		h.At = len(cutJS)
		ref.Holes = append(ref.Holes, h)
		js = js[i+len(prefix)+end+1:]
	}
	ref.JSON = string(append(cutJS, js...))
	return ref, nil
}

// Expand rebuilds the MonitorMatch JSON of r with cm's configuration. When
// cm is configured as it was at the match (the same ConfigSum), the result
// is MarshalOZJSON's, byte for byte. When the monitor has changed since,
// "monitor" is its current configuration and a matched expression the
// monitor no longer has is null; when cm is nil (the monitor was deleted),
// "monitor" is {"name": name}, as OpenZeppelin Monitor writes a monitor it
// does not know, and every expression is null.
func (r MatchRef) Expand(cm *CompiledMonitor, name string) ([]byte, error) {
	if len(r.Holes) == 0 {
		return []byte(r.JSON), nil
	}
	out := make([]byte, 0, len(r.JSON)+r.sizeHint(cm))
	last := 0
	for _, h := range r.Holes {
		if h.At < last || h.At > len(r.JSON) {
			return nil, fmt.Errorf("expand match of monitor %q: hole at %d is outside the match JSON (%d bytes)", name, h.At, len(r.JSON))
		}
		out = append(out, r.JSON[last:h.At]...)
		last = h.At
		part, err := r.part(cm, name, h)
		if err != nil {
			return nil, err
		}
		out = append(out, part...)
	}
	return append(out, r.JSON[last:]...), nil
}

func (r MatchRef) sizeHint(cm *CompiledMonitor) int {
	if cm == nil {
		return 64
	}
	js, _ := cm.configJSON()
	n := len(js) + 64
	for _, t := range cm.conditionTexts("") {
		n += len(*t) + 2
	}
	return n
}

func (r MatchRef) part(cm *CompiledMonitor, name string, h MatchHole) ([]byte, error) {
	switch h.What {
	case "monitor", "evm_monitor":
		if cm == nil {
			return json.Marshal(map[string]string{"name": name})
		}
		if h.What == "evm_monitor" {
			return cm.evmConfigJSON()
		}
		return cm.configJSON()
	case "functions", "events", "transactions":
		if t := cm.expression(h.What, h.Sum); t != nil {
			return ozconfig.MarshalNoEscape(*t)
		}
		return []byte("null"), nil
	}
	// Not repeated: the text comes from a task payload.
	return nil, fmt.Errorf("expand match of monitor %q: a hole of unknown kind (%d bytes)", name, len(h.What))
}

// expression finds the text of one of cm's conditions of kind by its sum.
func (cm *CompiledMonitor) expression(kind, sum string) *string {
	if cm == nil {
		return nil
	}
	for _, t := range cm.conditionTexts(kind) {
		if cm.exprSum(t) == sum {
			return t
		}
	}
	return nil
}
