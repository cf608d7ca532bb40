package files

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/url"
	"path"
	"slices"
	"strings"

	"github.com/ozmon/ozmon/monitor/ozconfig"
	"github.com/ozmon/ozmon/store"
)

// LoadFiles is LoadDirRaw over files held in memory, keyed by their path
// in a config directory ("networks/n.json", "monitors/m.json",
// "triggers/t.json"): the tenant API receives a directory this way. The
// same limits and checks apply, and problems name the same paths; a key
// outside those three folders is a problem, not ignored.
func LoadFiles(files map[string][]byte, opts ...Option) (*ozconfig.Config, store.RawConfig, error) {
	l := newLoader(opts)
	bySub := map[string][]string{}
	for _, name := range slices.Sorted(maps.Keys(files)) {
		sub, file, ok := strings.Cut(name, "/")
		if !ok || strings.Contains(file, "/") || !strings.EqualFold(path.Ext(file), ".json") ||
			(sub != "networks" && sub != "monitors" && sub != "triggers") {
			l.fail(ozconfig.Clip(name), "", "unexpected file: expected networks/, monitors/ or triggers/<name>.json")
			continue
		}
		bySub[sub] = append(bySub[sub], name)
	}
	lim := l.limits.WithDefaults()
	for _, sub := range []string{"networks", "monitors", "triggers"} {
		for _, name := range bySub[sub] {
			data := files[name]
			if sub != "triggers" {
				if err := lim.CheckItemBytes(name, len(data)); err != nil {
					l.add(err)
					continue
				}
			}
			if l.total+len(data) > lim.TenantBytes {
				l.fail(name, "", "takes the tenant's files to %d bytes, over limits.tenant_bytes (%d)",
					l.total+len(data), lim.TenantBytes)
				continue
			}
			l.total += len(data)
			stem := strings.TrimSuffix(path.Base(name), path.Ext(name))
			switch sub {
			case "networks":
				l.network(name, stem, data)
			case "monitors":
				l.monitor(name, stem, data)
			default:
				l.triggers(name, stem, data)
			}
		}
	}
	if len(l.errs) > 0 {
		return nil, store.RawConfig{}, l.errs
	}
	l.cfg.AddBuiltinNetworks()
	if err := l.cfg.Validate(""); err != nil {
		return nil, store.RawConfig{}, err
	}
	return l.cfg, l.raw, nil
}

// ItemFiles lays out raw as the files of a config directory, the inverse
// of LoadFiles: one file per network (named by slug), per monitor and per
// trigger (an object holding the one key).
func ItemFiles(raw store.RawConfig) map[string][]byte {
	out := make(map[string][]byte, len(raw.Networks)+len(raw.Monitors)+len(raw.Triggers))
	for k, v := range raw.Networks {
		out["networks/"+k+".json"] = v
	}
	for k, v := range raw.Monitors {
		out[MonitorFile(k)] = v
	}
	for k, v := range raw.Triggers {
		key, _ := json.Marshal(k)
		out[TriggerFile(k)] = []byte(fmt.Sprintf("{%s:%s}", key, v))
	}
	return out
}

// MonitorFile is the file ItemFiles gives a monitor.
func MonitorFile(name string) string { return "monitors/" + fileStem(name) + ".json" }

// TriggerFile is the file ItemFiles gives a trigger.
func TriggerFile(key string) string { return "triggers/" + fileStem(key) + ".json" }

// fileStem keeps a name usable as one path element, one name to one
// stem (escaping, not replacing, so "a/b" and "a_b" stay apart).
func fileStem(name string) string { return url.PathEscape(name) }
