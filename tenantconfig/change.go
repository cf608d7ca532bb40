package tenantconfig

import (
	"encoding/json"
	"maps"
	"slices"

	"github.com/ozmon/ozmon/monitor/ozconfig"
	"github.com/ozmon/ozmon/store/files"
)

// Meta is optional request metadata recorded in the audit log.
type Meta struct {
	IP        string
	UserAgent string
}

func (m Meta) meta() Meta { return m }

// Change is one write to a tenant's configuration: PutMonitor,
// DeleteMonitor, SetMonitorActive, PutTrigger, DeleteTrigger,
// SetTriggerActive or Import.
type Change interface {
	meta() Meta
	// edit applies the change to s, refusing what is not there.
	edit(s *state, lim ozconfig.Limits) (audit, error)
}

// audit says what a change did, for its audit_logs row and Result.
type audit struct {
	action, kind, name string
}

// PutMonitor creates the monitor JSON names, or replaces it (a paused
// monitor stays paused).
type PutMonitor struct {
	JSON []byte
	Meta
}

// DeleteMonitor deletes the monitor Name.
type DeleteMonitor struct {
	Name string
	Meta
}

// SetMonitorActive pauses (Active false) or resumes the monitor Name.
type SetMonitorActive struct {
	Name   string
	Active bool
	Meta
}

// PutTrigger creates or replaces the trigger Key (the name monitors list
// in "triggers"); JSON is one trigger object, as in a triggers file under
// its key.
type PutTrigger struct {
	Key  string
	JSON []byte
	Meta
}

// DeleteTrigger deletes the trigger Key.
type DeleteTrigger struct {
	Key string
	Meta
}

// SetTriggerActive pauses (Active false) or resumes the trigger Key.
type SetTriggerActive struct {
	Key    string
	Active bool
	Meta
}

// Import merges a whole OpenZeppelin Monitor directory, given as file
// name → JSON ("networks/n.json", "monitors/m.json", "triggers/t.json"),
// into the tenant: its items are created or replaced and resumed; the
// tenant's other items stay. It is `ozmon import`.
type Import struct {
	Files map[string][]byte
	Meta
}

func (c PutMonitor) edit(s *state, lim ozconfig.Limits) (audit, error) {
	const source = "monitor"
	if err := lim.WithDefaults().CheckItemBytes(source, len(c.JSON)); err != nil {
		return audit{}, validationError(ozconfig.AsValidationErrors(err))
	}
	m, err := ozconfig.ParseMonitor(source, c.JSON, ozconfig.WithLimits(lim))
	if err != nil {
		return audit{}, validationError(ozconfig.AsValidationErrors(err))
	}
	it := put(s.monitors, m.Name, c.JSON, "", false)
	return audit{action: created(it, "monitor"), kind: "monitor", name: m.Name}, nil
}

func (c DeleteMonitor) edit(s *state, _ ozconfig.Limits) (audit, error) {
	return deleteItem(s.monitors, "monitor", c.Name)
}

func (c SetMonitorActive) edit(s *state, _ ozconfig.Limits) (audit, error) {
	return setActive(s.monitors, "monitor", c.Name, c.Active)
}

func (c PutTrigger) edit(s *state, lim ozconfig.Limits) (audit, error) {
	source := "trigger"
	if c.Key == "" {
		return audit{}, validationError(ozconfig.ValidationErrors{{Source: source, Msg: "the trigger's key is empty"}})
	}
	if err := lim.WithDefaults().CheckItemBytes(source, len(c.JSON)); err != nil {
		return audit{}, validationError(ozconfig.AsValidationErrors(err))
	}
	if !json.Valid(c.JSON) {
		return audit{}, validationError(ozconfig.ValidationErrors{{Source: source, Msg: "not valid JSON"}})
	}
	it := put(s.triggers, c.Key, c.JSON, "", false)
	return audit{action: created(it, "trigger"), kind: "trigger", name: c.Key}, nil
}

func (c DeleteTrigger) edit(s *state, _ ozconfig.Limits) (audit, error) {
	return deleteItem(s.triggers, "trigger", c.Key)
}

func (c SetTriggerActive) edit(s *state, _ ozconfig.Limits) (audit, error) {
	return setActive(s.triggers, "trigger", c.Key, c.Active)
}

// deleteItem removes the kind's item name from items.
func deleteItem(items map[string]*item, kind, name string) (audit, error) {
	if items[name] == nil {
		return audit{}, notFound(kind, name)
	}
	delete(items, name)
	return audit{action: kind + "_deleted", kind: kind, name: name}, nil
}

// setActive pauses (active false) or resumes the kind's item name.
func setActive(items map[string]*item, kind, name string, active bool) (audit, error) {
	it := items[name]
	if it == nil {
		return audit{}, notFound(kind, name)
	}
	it.active, it.changed = active, true
	return audit{action: enabled(active, kind), kind: kind, name: name}, nil
}

func (c Import) edit(s *state, lim ozconfig.Limits) (audit, error) {
	if len(c.Files) == 0 {
		return audit{}, validationError(ozconfig.ValidationErrors{{Msg: "no files to import"}})
	}
	// The directory alone first, so that its own problems name its files.
	_, raw, err := files.LoadFiles(c.Files, files.WithLimits(lim))
	if err != nil {
		return audit{}, validationError(ozconfig.AsValidationErrors(err))
	}
	fileOf := map[string]string{}
	for f, data := range c.Files {
		fileOf[string(data)] = f
	}
	for _, k := range slices.Sorted(maps.Keys(raw.Networks)) {
		put(s.networks, k, raw.Networks[k], fileOf[string(raw.Networks[k])], true)
	}
	for _, k := range slices.Sorted(maps.Keys(raw.Monitors)) {
		put(s.monitors, k, raw.Monitors[k], fileOf[string(raw.Monitors[k])], true)
	}
	for _, k := range slices.Sorted(maps.Keys(raw.Triggers)) {
		put(s.triggers, k, raw.Triggers[k], "", true)
	}
	return audit{action: "config_imported", kind: "tenant"}, nil
}

func created(it *item, kind string) string {
	if it.existed {
		return kind + "_updated"
	}
	return kind + "_created"
}

func enabled(active bool, kind string) string {
	if active {
		return kind + "_enabled"
	}
	return kind + "_disabled"
}
