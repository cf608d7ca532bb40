package api

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"path"
	"slices"
	"strings"

	"github.com/ozmon/ozmon/auth"
	"github.com/ozmon/ozmon/tenantconfig"
)

func (r *mutationResolver) CreateMonitor(ctx context.Context, monitor any) (*Monitor, error) {
	p, err := tenantCaller(ctx, "createMonitor", canWrite)
	if err != nil {
		return nil, err
	}
	data, err := jsonArg("createMonitor", "monitor", monitor)
	if err != nil {
		return nil, err
	}
	res, err := r.apply(ctx, p, tenantconfig.PutMonitor{JSON: data, Meta: requestMeta(ctx)})
	if err != nil {
		return nil, err
	}
	return r.monitorByID(ctx, p.TenantID, res.ResourceID)
}

func (r *mutationResolver) ReplaceMonitor(ctx context.Context, id string, monitor any) (*Monitor, error) {
	p, err := tenantCaller(ctx, "replaceMonitor", canWrite)
	if err != nil {
		return nil, err
	}
	it, err := r.findItem(ctx, p.TenantID, "monitor", id)
	if err != nil {
		return nil, err
	}
	data, err := jsonArg("replaceMonitor", "monitor", monitor)
	if err != nil {
		return nil, err
	}
	var named struct {
		Name *string `json:"name"`
	}
	// A rename would create a second monitor: refuse it.
	if json.Unmarshal(data, &named) == nil && named.Name != nil && *named.Name != it.Name {
		return nil, badInput("replaceMonitor: monitor.name is %q but monitor %s is named %q: a replacement keeps the name (create a new monitor and delete this one to rename)",
			clip(*named.Name), id, it.Name)
	}
	res, err := r.apply(ctx, p, tenantconfig.PutMonitor{JSON: data, Meta: requestMeta(ctx)})
	if err != nil {
		return nil, err
	}
	return r.monitorByID(ctx, p.TenantID, res.ResourceID)
}

func (r *mutationResolver) PauseMonitor(ctx context.Context, id string) (*Monitor, error) {
	return r.setMonitorActive(ctx, "pauseMonitor", id, false)
}

func (r *mutationResolver) ResumeMonitor(ctx context.Context, id string) (*Monitor, error) {
	return r.setMonitorActive(ctx, "resumeMonitor", id, true)
}

func (r *mutationResolver) setMonitorActive(ctx context.Context, field, id string, active bool) (*Monitor, error) {
	p, err := tenantCaller(ctx, field, canWrite)
	if err != nil {
		return nil, err
	}
	it, err := r.findItem(ctx, p.TenantID, "monitor", id)
	if err != nil {
		return nil, err
	}
	res, err := r.apply(ctx, p, tenantconfig.SetMonitorActive{Name: it.Name, Active: active, Meta: requestMeta(ctx)})
	if err != nil {
		return nil, err
	}
	return r.monitorByID(ctx, p.TenantID, res.ResourceID)
}

func (r *mutationResolver) DeleteMonitor(ctx context.Context, id string) (bool, error) {
	p, err := tenantCaller(ctx, "deleteMonitor", canWrite)
	if err != nil {
		return false, err
	}
	it, err := r.findItem(ctx, p.TenantID, "monitor", id)
	if err != nil {
		return false, err
	}
	if _, err := r.apply(ctx, p, tenantconfig.DeleteMonitor{Name: it.Name, Meta: requestMeta(ctx)}); err != nil {
		return false, err
	}
	return true, nil
}

func (r *mutationResolver) CreateTrigger(ctx context.Context, trigger any) (*Trigger, error) {
	p, err := tenantCaller(ctx, "createTrigger", canWrite)
	if err != nil {
		return nil, err
	}
	data, err := jsonArg("createTrigger", "trigger", trigger)
	if err != nil {
		return nil, err
	}
	key, obj, err := triggerEntry(data)
	if err != nil {
		return nil, err
	}
	res, err := r.apply(ctx, p, tenantconfig.PutTrigger{Key: key, JSON: obj, Meta: requestMeta(ctx)})
	if err != nil {
		return nil, err
	}
	return r.triggerByID(ctx, p.TenantID, res.ResourceID)
}

func (r *mutationResolver) ReplaceTrigger(ctx context.Context, id string, trigger any) (*Trigger, error) {
	p, err := tenantCaller(ctx, "replaceTrigger", canWrite)
	if err != nil {
		return nil, err
	}
	it, err := r.findItem(ctx, p.TenantID, "trigger", id)
	if err != nil {
		return nil, err
	}
	data, err := jsonArg("replaceTrigger", "trigger", trigger)
	if err != nil {
		return nil, err
	}
	res, err := r.apply(ctx, p, tenantconfig.PutTrigger{Key: it.Name, JSON: data, Meta: requestMeta(ctx)})
	if err != nil {
		return nil, err
	}
	return r.triggerByID(ctx, p.TenantID, res.ResourceID)
}

func (r *mutationResolver) PauseTrigger(ctx context.Context, id string) (*Trigger, error) {
	return r.setTriggerActive(ctx, "pauseTrigger", id, false)
}

func (r *mutationResolver) ResumeTrigger(ctx context.Context, id string) (*Trigger, error) {
	return r.setTriggerActive(ctx, "resumeTrigger", id, true)
}

func (r *mutationResolver) setTriggerActive(ctx context.Context, field, id string, active bool) (*Trigger, error) {
	p, err := tenantCaller(ctx, field, canWrite)
	if err != nil {
		return nil, err
	}
	it, err := r.findItem(ctx, p.TenantID, "trigger", id)
	if err != nil {
		return nil, err
	}
	res, err := r.apply(ctx, p, tenantconfig.SetTriggerActive{Key: it.Name, Active: active, Meta: requestMeta(ctx)})
	if err != nil {
		return nil, err
	}
	return r.triggerByID(ctx, p.TenantID, res.ResourceID)
}

func (r *mutationResolver) DeleteTrigger(ctx context.Context, id string) (bool, error) {
	p, err := tenantCaller(ctx, "deleteTrigger", canWrite)
	if err != nil {
		return false, err
	}
	it, err := r.findItem(ctx, p.TenantID, "trigger", id)
	if err != nil {
		return false, err
	}
	if _, err := r.apply(ctx, p, tenantconfig.DeleteTrigger{Key: it.Name, Meta: requestMeta(ctx)}); err != nil {
		return false, err
	}
	return true, nil
}

// maxImportFiles bounds importConfig's file list; the body limit bounds
// their size.
const maxImportFiles = 10000

func (r *mutationResolver) ImportConfig(ctx context.Context, in []FileInput) (*ImportResult, error) {
	p, err := tenantCaller(ctx, "importConfig", canWrite)
	if err != nil {
		return nil, err
	}
	if len(in) == 0 {
		return nil, badInput("importConfig: files is empty: give networks/*.json, monitors/*.json and triggers/*.json")
	}
	if len(in) > maxImportFiles {
		return nil, badInput("importConfig: %d files; at most %d", len(in), maxImportFiles)
	}
	fileset := make(map[string][]byte, len(in))
	for i, f := range in {
		if _, dup := fileset[f.Name]; dup {
			return nil, badInput("importConfig: files[%d]: %q is given twice", i, clip(f.Name))
		}
		data, err := jsonArg("importConfig", fmt.Sprintf("files[%d].content", i), f.Content)
		if err != nil {
			return nil, err
		}
		fileset[f.Name] = data
	}
	res, err := r.apply(ctx, p, tenantconfig.Import{Files: fileset, Meta: requestMeta(ctx)})
	if err != nil {
		return nil, err
	}
	skipped := append([]string{}, res.Skipped...)
	slices.Sort(skipped)
	out := countImported(fileset)
	out.Triggers -= len(skipped)
	out.Skipped = skipped
	return out, nil
}

// countImported counts a directory Apply validated: one network or
// monitor per file, a triggers file's entries.
func countImported(fileset map[string][]byte) *ImportResult {
	out := &ImportResult{}
	for name, data := range fileset {
		switch dir, _, _ := strings.Cut(path.Clean(name), "/"); dir {
		case "networks":
			out.Networks++
		case "monitors":
			out.Monitors++
		case "triggers":
			var m map[string]json.RawMessage
			_ = json.Unmarshal(data, &m)
			out.Triggers += len(m)
		}
	}
	return out
}

// apply runs one change through the write path as the caller.
func (r *resolver) apply(ctx context.Context, p auth.Principal, c tenantconfig.Change) (tenantconfig.Result, error) {
	res, err := r.o.writer.Apply(ctx, p.TenantID, p, c)
	if err != nil {
		return res, configError(ctx, err)
	}
	return res, nil
}

// jsonArg is a JSON argument's document: the value given, or the JSON a
// string holds (clients that pass the file as text).
func jsonArg(field, arg string, v any) ([]byte, error) {
	if s, ok := v.(string); ok {
		if !json.Valid([]byte(s)) {
			return nil, badInput("%s: %s is a string that is not JSON: give the OpenZeppelin Monitor JSON as an object or as a string holding it", field, arg)
		}
		return []byte(s), nil
	}
	data, err := json.Marshal(v)
	if err != nil {
		return nil, badInput("%s: %s: %v", field, arg, err)
	}
	return data, nil
}

// triggerEntry reads createTrigger's argument: one trigger object keyed by
// its name, or a triggers file with exactly one entry.
func triggerEntry(data []byte) (key string, obj []byte, err error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(data, &m); err != nil {
		return "", nil, badInput("createTrigger: trigger is not a JSON object: %v", err)
	}
	if _, ok := m["trigger_type"]; ok {
		var named struct {
			Name string `json:"name"`
		}
		if json.Unmarshal(data, &named) != nil || named.Name == "" {
			return "", nil, badInput("createTrigger: trigger has no name: its name is its key, which monitors list in \"triggers\"")
		}
		return named.Name, data, nil
	}
	if len(m) != 1 {
		return "", nil, badInput("createTrigger: trigger must be one trigger object ({\"name\", \"trigger_type\", \"config\"}) or a triggers file with one entry; got an object with %d keys: %v",
			len(m), clipKeys(slices.Sorted(maps.Keys(m))))
	}
	for k, v := range m {
		return k, v, nil
	}
	return "", nil, nil
}

func clipKeys(keys []string) []string {
	if len(keys) > 5 {
		keys = append(keys[:5:5], "…")
	}
	for i, k := range keys {
		keys[i] = clip(k)
	}
	return keys
}
