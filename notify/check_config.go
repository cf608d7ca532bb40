package notify

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/netip"
	"slices"
	"strings"
	"sync"

	"github.com/ozmon/ozmon/monitor/ozconfig"
)

// CheckConfig runs Check on every trigger of cfg and checkScriptPath on every
// trigger condition of its monitors, in key order, and returns
// a ValidationError for each destination the guard refuses, naming the
// trigger's file (or source) and key. It is the destination half of the
// one validation that `ozmon validate`, `ozmon import` and a tenant API
// share; pass the options the workers use (the operator's guard), so that
// what passes here is what they send to. Other failures of Check, such as
// a secret this process cannot resolve, are not refusals: they surface
// when the trigger is built, where the secret is available.
func CheckConfig(ctx context.Context, cfg *ozconfig.Config, opts ...Option) ozconfig.ValidationErrors {
	if cfg == nil {
		return nil
	}
	// Thousands of triggers usually share a handful of hosts: each host is
	// looked up once per check, not once per trigger (100k triggers cost
	// 100k lookups, minutes of wall time, before).
	g := newOptions(opts).guardOrDefault()
	opts = append(slices.Clip(opts), WithGuard(g.withResolver(&onceResolver{next: g.resolver, seen: map[string]lookup{}})))
	var out ozconfig.ValidationErrors
	for _, key := range slices.Sorted(maps.Keys(cfg.Triggers)) {
		t := cfg.Triggers[key]
		if t == nil {
			continue
		}
		if err := Check(ctx, t, opts...); errors.Is(err, ErrRefused) {
			src := t.Source()
			if src == "" {
				src = "triggers"
			}
			out = append(out, &ozconfig.ValidationError{Source: src, Path: ozconfig.Clip(key), Msg: err.Error()})
		}
	}
	// Trigger conditions are scripts too: confined to the script directory.
	for _, key := range slices.Sorted(maps.Keys(cfg.Monitors)) {
		m := cfg.Monitors[key]
		if m == nil {
			continue
		}
		for i, c := range m.TriggerConditions {
			if err := checkScriptPath(c.ScriptPath, opts...); errors.Is(err, ErrRefused) {
				// A monitor file holds one monitor: its name adds nothing.
				src, path := m.Source(), fmt.Sprintf("trigger_conditions[%d]", i)
				if src == "" {
					src, path = "monitors", ozconfig.Clip(key)+"."+path
				}
				out = append(out, &ozconfig.ValidationError{Source: src, Path: path, Msg: err.Error()})
			}
		}
	}
	return out
}

// onceResolver answers each host from the first lookup of it.
type onceResolver struct {
	next hostResolver
	mu   sync.Mutex
	seen map[string]lookup
}

type lookup struct {
	addrs []netip.Addr
	err   error
}

func (r *onceResolver) LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error) {
	key := network + " " + strings.ToLower(host)
	r.mu.Lock()
	defer r.mu.Unlock()
	if l, ok := r.seen[key]; ok {
		return l.addrs, l.err
	}
	addrs, err := r.next.LookupNetIP(ctx, network, host)
	r.seen[key] = lookup{addrs, err}
	return addrs, err
}
