package files

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/ozmon/ozmon/monitor/ozconfig"
	"github.com/ozmon/ozmon/store"
)

// defaultTenant names the only tenant of a directory without tenants/.
const defaultTenant = "default"

// LoadDir loads one OpenZeppelin Monitor config directory: every *.json file
// (extension in any case, sorted, not recursive) of dir/networks,
// dir/monitors and dir/triggers, then validates the whole (see
// ozconfig.Config.Validate). When dir has none of those but has a config/
// folder, that folder is used, so an OZ project root works too.
//
// Errors from every file are collected and returned as
// ozconfig.ValidationErrors, sources relative to dir. Every item is held to
// ozconfig.DefaultLimits, or to the limits of WithLimits; the files of the
// directory together to its TenantBytes, and a file over a limit is
// refused before it is read.
func LoadDir(dir string, opts ...Option) (*ozconfig.Config, error) {
	cfg, _, err := loadDir(dir, "", opts)
	return cfg, err
}

// LoadDirRaw is LoadDir that also returns each item's original JSON, keyed
// as the config keys it (network slug, monitor name, trigger key): what
// the PostgreSQL store keeps, byte for byte, on import.
func LoadDirRaw(dir string, opts ...Option) (*ozconfig.Config, store.RawConfig, error) {
	return loadDir(dir, "", opts)
}

// Option changes how a directory is loaded.
type Option func(*loader)

// WithLimits holds the directory to l instead of ozconfig.DefaultLimits.
func WithLimits(l ozconfig.Limits) Option {
	return func(ld *loader) { ld.limits = l }
}

// loadDir loads dir, naming files in errors as prefix + path inside dir.
func loadDir(dir, prefix string, opts []Option) (*ozconfig.Config, store.RawConfig, error) {
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		src := strings.TrimSuffix(prefix, "/")
		if src == "" {
			src = dir
		}
		return nil, store.RawConfig{}, ozconfig.ValidationErrors{{Source: src, Msg: "config directory does not exist or is not a directory"}}
	}
	if !isDir(filepath.Join(dir, "networks")) && !isDir(filepath.Join(dir, "monitors")) &&
		!isDir(filepath.Join(dir, "triggers")) && isDir(filepath.Join(dir, "config")) {
		dir = filepath.Join(dir, "config")
		prefix += "config/"
	}
	l := newLoader(opts)
	l.dir, l.prefix = dir, prefix
	l.each("networks", true, l.network)
	l.each("monitors", true, l.monitor)
	l.each("triggers", false, l.triggers)
	if len(l.errs) > 0 {
		// Cross references are only checked on a complete set; on a partial
		// one they would report the files that failed as missing.
		return nil, store.RawConfig{}, l.errs
	}
	// Well-known networks (stellar_mainnet, anvil_local, …) need no file.
	l.cfg.AddBuiltinNetworks()
	if err := l.cfg.Validate(strings.TrimSuffix(prefix, "/")); err != nil {
		return nil, store.RawConfig{}, err
	}
	return l.cfg, l.raw, nil
}

type loader struct {
	dir, prefix string
	cfg         *ozconfig.Config
	raw         store.RawConfig
	errs        ozconfig.ValidationErrors
	monitorFile map[string]string
	triggerFile map[string]string
	limits      ozconfig.Limits
	// total is the bytes of the files read so far, held to TenantBytes.
	total int
}

func (l *loader) parseOpts() []ozconfig.ParseOption {
	return []ozconfig.ParseOption{ozconfig.WithLimits(l.limits)}
}

func (l *loader) fail(source, path, format string, args ...any) {
	for i, a := range args {
		if s, ok := a.(string); ok {
			args[i] = ozconfig.Clip(s) // a tenant's name or key may be huge
		}
	}
	l.errs = append(l.errs, &ozconfig.ValidationError{Source: source, Path: path, Msg: fmt.Sprintf(format, args...)})
}

func (l *loader) add(err error) {
	l.errs = append(l.errs, ozconfig.AsValidationErrors(err)...)
}

// each calls load for every JSON file of dir/sub, in name order. oneItem
// says a file holds one item (a monitor or a network), so it is held to
// ItemBytes before it is read.
func (l *loader) each(sub string, oneItem bool, load func(source, stem string, data []byte)) {
	src := l.prefix + sub
	entries, err := os.ReadDir(filepath.Join(l.dir, sub))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			l.fail(src, "", "directory is missing")
		} else {
			l.fail(src, "", "cannot read directory: %v", err)
		}
		return
	}
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		if !strings.EqualFold(filepath.Ext(e.Name()), ".json") {
			continue
		}
		// Follow symlinks (a mounted ConfigMap is made of them).
		if st, err := os.Stat(filepath.Join(l.dir, sub, e.Name())); err == nil && st.Mode().IsRegular() {
			names = append(names, e.Name())
		}
	}
	slices.Sort(names)
	for _, name := range names {
		source := src + "/" + name
		data, err := l.read(source, filepath.Join(l.dir, sub, name), oneItem)
		if err != nil {
			l.add(err)
			continue
		}
		load(source, strings.TrimSuffix(name, filepath.Ext(name)), data)
	}
}

// read reads one file unless it is over ItemBytes (a file of one item) or
// would take the directory over its TenantBytes: the size is checked
// first, so a huge file costs nothing.
func (l *loader) read(source, path string, oneItem bool) ([]byte, error) {
	lim := l.limits.WithDefaults()
	st, err := os.Stat(path)
	if err != nil {
		return nil, ozconfig.ValidationErrors{{Source: source, Msg: fmt.Sprintf("cannot read file: %v", err)}}
	}
	if oneItem {
		if err := lim.CheckItemBytes(source, int(st.Size())); err != nil {
			return nil, err
		}
	}
	if l.total+int(st.Size()) > lim.TenantBytes {
		return nil, ozconfig.ValidationErrors{{Source: source, Msg: fmt.Sprintf(
			"takes the tenant's files to %d bytes, over limits.tenant_bytes (%d)", l.total+int(st.Size()), lim.TenantBytes)}}
	}
	// Read at most the size seen (plus one byte to notice growth), so a
	// file that grows after the check is still bounded.
	f, err := os.Open(path)
	if err != nil {
		return nil, ozconfig.ValidationErrors{{Source: source, Msg: fmt.Sprintf("cannot read file: %v", err)}}
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, int64(lim.TenantBytes-l.total)+1))
	if err != nil {
		return nil, ozconfig.ValidationErrors{{Source: source, Msg: fmt.Sprintf("cannot read file: %v", err)}}
	}
	if l.total+len(data) > lim.TenantBytes {
		return nil, ozconfig.ValidationErrors{{Source: source, Msg: fmt.Sprintf(
			"takes the tenant's files over limits.tenant_bytes (%d) (it grew while read)", lim.TenantBytes)}}
	}
	l.total += len(data)
	return data, nil
}

func (l *loader) network(source, stem string, data []byte) {
	n, err := ozconfig.ParseNetwork(source, data, l.parseOpts()...)
	if err != nil {
		l.add(err)
		return
	}
	// A network is found by slug at run time, so OZ effectively requires
	// the file to be named after it.
	if n.Slug != stem {
		l.fail(source, "slug", "slug %q must equal the file name without .json (%q)", n.Slug, stem)
		return
	}
	l.cfg.Networks[n.Slug] = n
	l.raw.Networks[n.Slug] = data
}

func (l *loader) monitor(source, _ string, data []byte) {
	m, err := ozconfig.ParseMonitor(source, data, l.parseOpts()...)
	if err != nil {
		l.add(err)
		return
	}
	if first, dup := l.monitorFile[m.Name]; dup {
		l.fail(source, "name", "monitor name %q is already used by %s", m.Name, first)
		return
	}
	l.monitorFile[m.Name] = source
	l.cfg.Monitors[m.Name] = m
	l.raw.Monitors[m.Name] = data
}

func (l *loader) triggers(source, _ string, data []byte) {
	ts, err := ozconfig.ParseTriggers(source, data, l.parseOpts()...)
	if err != nil {
		l.add(err)
		return
	}
	var raw map[string]json.RawMessage // parses: ParseTriggers accepted it
	_ = json.Unmarshal(data, &raw)
	for _, t := range ts {
		if first, dup := l.triggerFile[t.Key]; dup {
			l.fail(source, t.Key, "trigger key %q is already defined in %s", t.Key, first)
			continue
		}
		l.triggerFile[t.Key] = source
		l.cfg.Triggers[t.Key] = t
		l.raw.Triggers[t.Key] = raw[t.Key]
	}
}

func isDir(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}

// newLoader returns an empty loader with opts applied.
func newLoader(opts []Option) *loader {
	l := &loader{
		cfg: &ozconfig.Config{
			Networks: map[string]*ozconfig.Network{},
			Monitors: map[string]*ozconfig.Monitor{},
			Triggers: map[string]*ozconfig.Trigger{},
		},
		raw: store.RawConfig{Networks: map[string]json.RawMessage{}, Monitors: map[string]json.RawMessage{},
			Triggers: map[string]json.RawMessage{}},
		monitorFile: map[string]string{},
		triggerFile: map[string]string{},
		limits:      ozconfig.DefaultLimits(),
	}
	for _, o := range opts {
		o(l)
	}
	return l
}
