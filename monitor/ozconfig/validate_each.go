package ozconfig

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// ValidateEach is Validate for a loader that keeps what is valid, such as
// the database, where each network, trigger and monitor is a row of its
// own: one bad object costs only itself. Networks and triggers are checked
// together first and each one a problem is pinned on is removed; then each
// monitor, in key order, is checked alone against those that remain, and
// removed when it fails or when its name repeats (ignoring case and
// surrounding space) a monitor kept before it. drop receives each removed
// object's kind ("network", "trigger" or "monitor") and key with its
// problems as ValidationErrors; a problem pinned on no object comes with
// kind "" and its source as the key.
func (c *Config) ValidateEach(source string, drop func(kind, key string, err error)) {
	v := &configValidator{source: source}
	v.checkNetworks(c)
	v.checkTriggers(c)
	if len(v.errs) > 0 {
		c.dropPinned(v, drop)
	}

	one := &Config{Networks: c.Networks, Triggers: c.Triggers}
	taken := map[string]string{}
	for _, key := range slices.Sorted(maps.Keys(c.Monitors)) {
		m := c.Monitors[key]
		norm := strings.ToLower(strings.TrimSpace(key))
		if first, dup := taken[norm]; dup {
			delete(c.Monitors, key)
			drop("monitor", key, fmt.Errorf("monitor name %q is already used by monitor %q", key, first))
			continue
		}
		one.Monitors = map[string]*Monitor{key: m}
		mv := &configValidator{source: source}
		mv.checkMonitors(one)
		if err := mv.errs.err(); err != nil {
			delete(c.Monitors, key)
			drop("monitor", key, err)
			continue
		}
		taken[norm] = key
	}
}

// dropPinned removes the networks and triggers v's errors name by their
// source and hands each its errors.
func (c *Config) dropPinned(v *configValidator, drop func(kind, key string, err error)) {
	type ref struct{ kind, key string }
	refs := make(map[string]ref, len(c.Networks)+len(c.Triggers))
	for key, n := range c.Networks {
		refs[v.objectSource(networkSource(n), "network", key)] = ref{"network", key}
	}
	for key, t := range c.Triggers {
		refs[v.objectSource(triggerSource(t), "trigger", key)] = ref{"trigger", key}
	}
	byRef := map[ref]ValidationErrors{}
	var order []ref
	for _, e := range v.errs {
		r, ok := refs[e.Source]
		if !ok {
			r = ref{"", e.Source}
		}
		if byRef[r] == nil {
			order = append(order, r)
		}
		byRef[r] = append(byRef[r], e)
	}
	for _, r := range order {
		switch r.kind {
		case "network":
			delete(c.Networks, r.key)
		case "trigger":
			delete(c.Triggers, r.key)
		}
		drop(r.kind, r.key, byRef[r])
	}
}
