package monitor

import (
	"math"
	"strconv"

	"github.com/ozmon/ozmon/chain"
	"github.com/ozmon/ozmon/monitor/expr"
)

// Most hosted monitors watch a busy contract with a threshold that rarely
// holds (`amount > 1000000000`): they are candidates on almost every
// ledger, and evaluating each against every event of its contract made
// the ledger's cost grow with the number of such tenants rather than with
// matches (docs/scaling.md). When every function and event condition of a
// monitor requires a lower bound on an argument, the ledger's largest
// value of that argument — per contract, spec, signature and argument
// name, found once per ledger and shared by every tenant — tells in a map
// lookup that no call or event can satisfy it, and the monitor is
// skipped. A condition without such a bound keeps the monitor evaluated
// as before.

// lowerBound is what a condition's expression requires: name > bound
// (strict) or name >= bound.
type lowerBound struct {
	name   string
	bound  int64
	strict bool
	ok     bool
}

func (lb lowerBound) admits(most int64) bool {
	return most > lb.bound || !lb.strict && most == lb.bound
}

// compileArgGate reports whether every function and event condition of
// the monitor requires a lower bound (then argsMayMatch applies).
func compileArgGate(cm *CompiledMonitor) bool {
	if len(cm.functions)+len(cm.events) == 0 {
		return false
	}
	for _, cs := range [][]sigCond{cm.functions, cm.events} {
		for i := range cs {
			if !cs[i].lower.ok {
				return false
			}
		}
	}
	return true
}

func lowerBoundOf(c *sigCond) lowerBound {
	if c.expr == nil {
		return lowerBound{}
	}
	name, b, strict, ok := c.expr.RequiredLowerBound()
	return lowerBound{name: name, bound: b, strict: strict, ok: ok}
}

// argMaxKey names one argument of one signature of one contract, read
// with one spec (nil: none), in a function call or an event.
type argMaxKey struct {
	contract string
	spec     *chain.ContractSpec
	event    bool
	sigNorm  string
	name     string
}

// argsMayMatch reports whether some call or event of the ledger to a
// contract the monitor watches can satisfy one of its conditions' bounds.
func (s *evalState) argsMayMatch(cm *CompiledMonitor) bool {
	p := s.p
	if p.argMax == nil {
		return true // not prepared by Prepare: nothing known
	}
	for _, a := range cm.addrList {
		if len(p.byContract[a]) == 0 {
			continue
		}
		cs := cm.spec(p.Block.Network, a)
		if cs != nil {
			for i := range cm.functions {
				if fc := &cm.functions[i]; fc.lower.admits(s.argMax(a, cs, false, fc)) {
					return true
				}
			}
		}
		for i := range cm.events {
			if ec := &cm.events[i]; ec.lower.admits(s.argMax(a, cs, true, ec)) {
				return true
			}
		}
	}
	return false
}

// argMax is the largest value the condition's bounded argument takes in
// the ledger's calls (or events) of contract with signature sigNorm;
// math.MinInt64 when none has it, math.MaxInt64 when a value does not
// read as an i64 (never a reason to skip).
func (s *evalState) argMax(contract string, cs *contractSpec, event bool, c *sigCond) int64 {
	p := s.p
	k := argMaxKey{contract: contract, event: event, sigNorm: c.sigNorm, name: c.lower.name}
	if cs != nil {
		k.spec = cs.spec
	}
	return lazy(&p.mu, p.argMax, k, func() int64 {
		most := int64(math.MinInt64)
		see := func(sigNorm string, params []expr.Param) {
			if sigNorm != c.sigNorm {
				return
			}
			for _, pv := range params {
				if pv.Name != c.lower.name {
					continue
				}
				v, err := strconv.ParseInt(pv.Value, 10, 64)
				if err != nil {
					v = math.MaxInt64
				}
				most = max(most, v)
			}
		}
		for _, ti := range p.byContract[contract] {
			if event {
				for ei, a := range p.eventAddr[ti] {
					if a != contract {
						continue
					}
					if de := s.event(int(ti), ei, cs); de.ok {
						see(de.sigNorm, de.params)
					}
				}
				continue
			}
			for oi, a := range p.callAddr[ti] {
				if a != contract {
					continue
				}
				if rc := s.call(int(ti), oi, cs); rc.ok {
					see(rc.sigNorm, rc.params)
				}
			}
		}
		return most
	})
}
