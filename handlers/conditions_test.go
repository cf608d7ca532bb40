package handlers_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ozmon/ozmon/handlers"
	"github.com/ozmon/ozmon/monitor/ozconfig"
	"github.com/ozmon/ozmon/notify"
)

func TestScriptConditions(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	sc := handlers.ScriptConditions{Options: []notify.Option{notify.EnableScripts(), notify.ScriptDir(dir)}}
	match := []byte(`{"Stellar":{"ledger":{"sequence":10}}}`)
	cases := []struct {
		name, body string
		allow      bool
		errPart    string
	}{
		{"filter.sh", "cat >/dev/null; echo checking; echo TRUE", false, ""},
		{"keep.sh", "cat >/dev/null; echo false", true, ""},
		{"reads_stdin.sh", `grep -q '"monitor_match":{"Stellar"' && echo false || echo true`, true, ""},
		{"garbage.sh", "echo maybe", true, "neither true nor false"},
		{"fails.sh", "exit 3", true, "fails.sh"},
		{"silent.sh", "true", true, "printed nothing"},
		{"slow.sh", "sleep 5; echo true", true, "fails"},
	}
	for _, c := range cases {
		p := write(c.name, c.body)
		cond := ozconfig.TriggerCondition{ScriptPath: p, Language: ozconfig.LanguageBash, TimeoutMs: 500}
		allow, err := sc.Allow(context.Background(), "tenant-1", cond, match)
		if allow != c.allow {
			t.Errorf("%s: allow = %v, want %v (err %v)", c.name, allow, c.allow, err)
		}
		switch {
		case c.errPart == "" && err != nil:
			t.Errorf("%s: unexpected error %v", c.name, err)
		case c.errPart != "" && err == nil:
			t.Errorf("%s: no error, want one", c.name)
		case c.errPart != "" && c.errPart != "fails" && !strings.Contains(err.Error(), c.errPart):
			t.Errorf("%s: error %q does not mention %q", c.name, err, c.errPart)
		}
	}
	// Scripts disabled: the condition cannot run, which is an error (the
	// match is kept), never a silent pass or filter.
	off := handlers.ScriptConditions{}
	if allow, err := off.Allow(context.Background(), "t", ozconfig.TriggerCondition{ScriptPath: write("x.sh", "echo true"), Language: ozconfig.LanguageBash, TimeoutMs: 500}, match); err == nil || !allow {
		t.Fatalf("disabled scripts: allow=%v err=%v", allow, err)
	}
}

// A trigger condition's script_path is confined to the script directory like a script
// trigger's: one outside it does not run (the match is kept, with an error).
func TestScriptConditionsConfinedToScriptDir(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	dir, outside := filepath.Join(root, "scripts"), filepath.Join(root, "outside")
	for _, d := range []string{dir, outside} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	evil := filepath.Join(outside, "evil.sh")
	if err := os.WriteFile(evil, []byte("cat >/dev/null; echo true\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(evil, filepath.Join(dir, "link.sh")); err != nil {
		t.Fatal(err)
	}
	sc := handlers.ScriptConditions{Options: []notify.Option{notify.EnableScripts(), notify.ScriptDir(dir)}}
	for _, p := range []string{evil, "../outside/evil.sh", "link.sh"} {
		cond := ozconfig.TriggerCondition{ScriptPath: p, Language: ozconfig.LanguageBash, TimeoutMs: 5000}
		allow, err := sc.Allow(context.Background(), "tenant-1", cond, []byte(`{}`))
		if !allow || !errors.Is(err, notify.ErrScriptOutsideDir) {
			t.Errorf("condition %q: allow=%v err=%v, want the match kept and ErrScriptOutsideDir", p, allow, err)
		}
	}
}
