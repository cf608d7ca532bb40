package monitor

import (
	"strconv"
	"strings"

	"github.com/ozmon/ozmon/chain"
	"github.com/ozmon/ozmon/monitor/expr"
)

// decodedEvent is a contract event named and typed as OpenZeppelin Monitor
// sees it (docs/compatibility.md#events), computed once per (transaction, event, spec) and
// shared by every monitor watching the emitting contract.
type decodedEvent struct {
	ok        bool // false: the event is invisible to monitors (no name, no args)
	signature string
	sigNorm   string
	args      []Arg
	params    []expr.Param
}

// decodeEvent names an event and its arguments. The original reads the
// event name out of the raw topic bytes, which works for Symbol and String
// topics only; ozmon has the typed topics, so a Symbol or String gives its
// text and the first topic of any other type ends the name prefix. The
// spec, when the contract has one with a matching event, supplies names and
// the split between prefix topics and indexed arguments.
func decodeEvent(ev *chain.Event, cs *contractSpec) *decodedEvent {
	if len(ev.Topics) == 0 {
		return &decodedEvent{}
	}
	var prefix []string
	for _, t := range ev.Topics {
		if t.Kind != chain.KindSymbol && t.Kind != chain.KindString {
			break
		}
		prefix = append(prefix, strings.TrimRight(t.Text, "\x00"))
	}
	if len(prefix) == 0 {
		return &decodedEvent{}
	}

	var se *chain.SpecEvent
	if cs != nil {
		se = findSpecEvent(cs.spec, prefix)
	}
	name, skip := prefix[0], 1
	if se != nil {
		name, skip = se.Name, len(se.PrefixTopics)
	}
	if skip > len(ev.Topics) {
		skip = len(ev.Topics)
	}

	args := make([]Arg, 0, len(ev.Topics)-skip+1)
	named := make([]bool, 0, cap(args))
	for _, t := range ev.Topics[skip:] {
		args = append(args, Arg{Value: t.String(), Kind: t.TypeName(), Indexed: true})
		named = append(named, false)
	}
	nIndexed := len(args)

	if se != nil {
		var dataParams []*chain.SpecParam
		for i := range se.Params {
			if se.Params[i].Location == chain.LocationData {
				dataParams = append(dataParams, &se.Params[i])
			}
		}
		switch ev.Data.Kind {
		case chain.KindMap:
			for _, p := range dataParams {
				for _, e := range ev.Data.Entries {
					if e.Key.String() == p.Name {
						args = append(args, Arg{Name: p.Name, Value: e.Val.String(), Kind: e.Val.TypeName()})
						named = append(named, true)
						break
					}
				}
			}
		case chain.KindVec:
			for i, it := range ev.Data.Items {
				n := strconv.Itoa(i)
				if i < len(dataParams) {
					n = dataParams[i].Name
				}
				args = append(args, Arg{Name: n, Value: it.String(), Kind: it.TypeName()})
				named = append(named, true)
			}
		default:
			n := "0"
			if len(dataParams) > 0 {
				n = dataParams[0].Name
			}
			args = append(args, Arg{Name: n, Value: ev.Data.String(), Kind: ev.Data.TypeName()})
			named = append(named, true)
		}
		if len(args) == nIndexed {
			return &decodedEvent{}
		}
	} else {
		args = append(args, Arg{Value: ev.Data.String(), Kind: ev.Data.TypeName()})
		named = append(named, false)
	}

	var sb strings.Builder
	sb.WriteString(name)
	sb.WriteByte('(')
	for i := range args {
		if i > 0 {
			sb.WriteByte(',')
		}
		sb.WriteString(args[i].Kind)
		if !named[i] {
			args[i].Name = strconv.Itoa(i)
			if se != nil && i < len(se.Params) {
				args[i].Name = se.Params[i].Name
			}
		}
	}
	sb.WriteByte(')')
	sig := sb.String()
	return &decodedEvent{ok: true, signature: sig, sigNorm: normalizeKey(sig), args: args, params: paramsOf(args)}
}

// findSpecEvent returns the spec event whose prefix topics open the event's
// topic strings, or, for a spec event without prefix topics, whose name is
// the first of them.
func findSpecEvent(s *chain.ContractSpec, prefix []string) *chain.SpecEvent {
	for i := range s.Events {
		e := &s.Events[i]
		if len(e.PrefixTopics) == 0 {
			if e.Name == prefix[0] {
				return e
			}
			continue
		}
		if len(e.PrefixTopics) > len(prefix) {
			continue
		}
		fits := true
		for j, p := range e.PrefixTopics {
			if prefix[j] != p {
				fits = false
				break
			}
		}
		if fits {
			return e
		}
	}
	return nil
}
