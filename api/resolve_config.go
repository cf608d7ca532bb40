package api

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/ozmon/ozmon/store/postgres"
	"github.com/ozmon/ozmon/tenantconfig"
)

func (r *queryResolver) Monitors(ctx context.Context) ([]Monitor, error) {
	p, err := tenantCaller(ctx, "monitors", canRead)
	if err != nil {
		return nil, err
	}
	cfg, probs, err := r.readConfig(ctx, p.TenantID)
	if err != nil {
		return nil, err
	}
	out := make([]Monitor, 0, len(cfg.Monitors))
	for _, it := range cfg.Monitors {
		out = append(out, monitorOf(it, probs))
	}
	return out, nil
}

func (r *queryResolver) Monitor(ctx context.Context, id string) (*Monitor, error) {
	p, err := tenantCaller(ctx, "monitor", canRead)
	if err != nil {
		return nil, err
	}
	return r.monitorByID(ctx, p.TenantID, id)
}

func (r *queryResolver) Triggers(ctx context.Context) ([]Trigger, error) {
	p, err := tenantCaller(ctx, "triggers", canRead)
	if err != nil {
		return nil, err
	}
	cfg, probs, err := r.readConfig(ctx, p.TenantID)
	if err != nil {
		return nil, err
	}
	out := make([]Trigger, 0, len(cfg.Triggers))
	for _, it := range cfg.Triggers {
		out = append(out, triggerOf(it, probs))
	}
	return out, nil
}

func (r *queryResolver) Trigger(ctx context.Context, id string) (*Trigger, error) {
	p, err := tenantCaller(ctx, "trigger", canRead)
	if err != nil {
		return nil, err
	}
	return r.triggerByID(ctx, p.TenantID, id)
}

// readConfig reads the tenant's stored items and the problems workers
// reported about them, by kind and name.
func (r *resolver) readConfig(ctx context.Context, tenantID string) (tenantconfig.Config, problemIndex, error) {
	cfg, err := r.o.writer.Read(ctx, tenantID)
	if err != nil {
		return cfg, nil, fmt.Errorf("read configuration of tenant %s: %w", tenantID, err)
	}
	tp, err := r.o.writer.Problems(ctx, tenantID)
	if err != nil {
		return cfg, nil, fmt.Errorf("read problems of tenant %s: %w", tenantID, err)
	}
	return cfg, indexProblems(tp), nil
}

// findItem is the tenant's monitor or trigger (kind) whose id or name is
// ref: NOT_FOUND when the tenant has none, whoever else has one.
func (r *resolver) findItem(ctx context.Context, tenantID, kind, ref string) (tenantconfig.Item, error) {
	cfg, err := r.o.writer.Read(ctx, tenantID)
	if err != nil {
		return tenantconfig.Item{}, fmt.Errorf("read configuration of tenant %s: %w", tenantID, err)
	}
	list := cfg.Monitors
	if kind == "trigger" {
		list = cfg.Triggers
	}
	if it, ok := lookup(list, ref); ok {
		return it, nil
	}
	return tenantconfig.Item{}, notFound(kind, clip(ref))
}

// lookup finds ref among items by id first, then by name.
func lookup(items []tenantconfig.Item, ref string) (tenantconfig.Item, bool) {
	for _, it := range items {
		if it.ID == ref {
			return it, true
		}
	}
	for _, it := range items {
		if it.Name == ref {
			return it, true
		}
	}
	return tenantconfig.Item{}, false
}

func (r *resolver) monitorByID(ctx context.Context, tenantID, ref string) (*Monitor, error) {
	cfg, probs, err := r.readConfig(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	it, ok := lookup(cfg.Monitors, ref)
	if !ok {
		return nil, notFound("monitor", clip(ref))
	}
	m := monitorOf(it, probs)
	return &m, nil
}

func (r *resolver) triggerByID(ctx context.Context, tenantID, ref string) (*Trigger, error) {
	cfg, probs, err := r.readConfig(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	it, ok := lookup(cfg.Triggers, ref)
	if !ok {
		return nil, notFound("trigger", clip(ref))
	}
	t := triggerOf(it, probs)
	return &t, nil
}

// problemIndex holds the reported problems by kind and name.
type problemIndex map[[2]string][]string

func indexProblems(tp postgres.TenantProblems) problemIndex {
	out := problemIndex{}
	for _, p := range tp.Problems {
		k := [2]string{p.Kind, p.Name}
		out[k] = append(out[k], p.Message)
	}
	return out
}

func (pi problemIndex) of(kind, name string) []string {
	if l := pi[[2]string{kind, name}]; l != nil {
		return l
	}
	return []string{}
}

func monitorOf(it tenantconfig.Item, probs problemIndex) Monitor {
	var m struct {
		Networks []string `json:"networks"`
		Triggers []string `json:"triggers"`
	}
	_ = json.Unmarshal(it.JSON, &m) // stored monitors validated; a broken one shows empty lists
	return Monitor{ID: it.ID, Name: it.Name, Paused: it.Paused, Networks: nonNil(m.Networks), Triggers: nonNil(m.Triggers),
		Configuration: it.JSON, Problems: probs.of("monitor", it.Name), CreatedAt: it.CreatedAt}
}

// triggerOf shows a trigger with its JSON as tenantconfig.Read redacted
// it: secrets never leave in full.
func triggerOf(it tenantconfig.Item, probs problemIndex) Trigger {
	var t struct {
		Type string `json:"trigger_type"`
	}
	_ = json.Unmarshal(it.JSON, &t)
	return Trigger{ID: it.ID, Name: it.Name, Type: t.Type, Paused: it.Paused, Configuration: redactHeaders(it.JSON),
		Problems: probs.of("trigger", it.Name), CreatedAt: it.CreatedAt}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// harmlessHeaders are webhook headers shown as they are; every other
// header's value is redacted: Read re-encodes secrets it knows
// (SecretValue fields) but webhook headers are plain strings that often
// carry credentials (Authorization, X-Api-Key).
var harmlessHeaders = map[string]bool{"content-type": true, "accept": true, "user-agent": true}

func redactHeaders(js json.RawMessage) json.RawMessage {
	var t map[string]json.RawMessage
	if json.Unmarshal(js, &t) != nil {
		return js
	}
	var cfg map[string]json.RawMessage
	if json.Unmarshal(t["config"], &cfg) != nil || len(cfg["headers"]) == 0 {
		return js
	}
	var headers map[string]any
	if json.Unmarshal(cfg["headers"], &headers) != nil || len(headers) == 0 {
		return js
	}
	for k := range headers {
		if !harmlessHeaders[strings.ToLower(k)] {
			headers[k] = redactedValue
		}
	}
	cfg["headers"], _ = json.Marshal(headers)
	t["config"], _ = json.Marshal(cfg)
	out, err := json.Marshal(t)
	if err != nil {
		return json.RawMessage("null")
	}
	return out
}

// redactedValue is what a hidden header value reads (ozconfig's marker).
const redactedValue = "[REDACTED]"
