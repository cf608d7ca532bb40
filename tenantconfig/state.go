package tenantconfig

import (
	"encoding/json"

	"github.com/ozmon/ozmon/store"
	"github.com/ozmon/ozmon/store/files"
	"github.com/ozmon/ozmon/store/postgres"
)

// item is one network, monitor or trigger as a change sees it.
type item struct {
	id      string // row UUID; empty until written
	active  bool
	data    json.RawMessage
	file    string // the file a problem names; empty: the usual one
	changed bool   // written by this change
	before  json.RawMessage
	existed bool
}

// state is a tenant's configuration being changed: the stored rows, then
// the change's edits.
type state struct {
	networks, monitors, triggers map[string]*item
	// monitorOrder and networkOrder are the stored rows oldest first.
	monitorOrder, networkOrder []string
}

func newState(rows postgres.ConfigRows) *state {
	s := &state{networks: map[string]*item{}, monitors: map[string]*item{}, triggers: map[string]*item{}}
	for _, r := range rows.Networks {
		s.networks[r.Name] = &item{id: r.ID, active: r.Active, data: r.Data, before: r.Data, existed: true}
		s.networkOrder = append(s.networkOrder, r.Name)
	}
	for _, r := range rows.Monitors {
		s.monitors[r.Name] = &item{id: r.ID, active: r.Active, data: r.Data, before: r.Data, existed: true}
		s.monitorOrder = append(s.monitorOrder, r.Name)
	}
	for _, r := range rows.Triggers {
		s.triggers[r.Name] = &item{id: r.ID, active: r.Active, data: r.Data, before: r.Data, existed: true}
	}
	return s
}

// put sets m[key] to data, keeping the row's paused state unless activate.
func put(m map[string]*item, key string, data json.RawMessage, file string, activate bool) *item {
	it, ok := m[key]
	if !ok {
		it = &item{active: true}
		m[key] = it
	}
	it.data, it.file, it.changed = data, file, true
	if activate {
		it.active = true
	}
	return it
}

// loaded reports whether the workers will load it (active) or this
// change writes its JSON: what Validate must see. A paused item is not
// there, so pausing a trigger an active monitor lists is refused.
func (it *item) loaded() bool {
	return it.active || (it.changed && string(it.data) != string(it.before))
}

// files lays out what the workers will load plus what this change
// writes, for Validate.
func (s *state) files() map[string][]byte {
	out := map[string][]byte{}
	for k, it := range s.networks {
		if it.loaded() {
			out[orDefault(it.file, "networks/"+k+".json")] = it.data
		}
	}
	for k, it := range s.monitors {
		if it.loaded() {
			out[orDefault(it.file, files.MonitorFile(k))] = it.data
		}
	}
	for k, it := range s.triggers {
		if it.loaded() {
			for f, data := range files.ItemFiles(triggerOnly(k, it.data)) {
				out[f] = data
			}
		}
	}
	return out
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func triggerOnly(key string, data json.RawMessage) store.RawConfig {
	return store.RawConfig{Triggers: map[string]json.RawMessage{key: data}}
}
