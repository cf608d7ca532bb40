package files

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ozmon/ozmon/internal/testkit"
	"github.com/ozmon/ozmon/monitor/ozconfig"
)

// link builds a config directory in a temp dir from existing files: files
// maps "networks/x.json" to the file to link there.
func link(t *testing.T, root string, files map[string]string) {
	t.Helper()
	for dst, src := range files {
		p := filepath.Join(root, dst)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(src, p); err != nil {
			t.Fatal(err)
		}
	}
}

func write(t *testing.T, root, name, content string) {
	t.Helper()
	p := filepath.Join(root, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// The OZ example directory is valid. One monitor names the network
// "anvil_local", which the directory does not define: OZ itself refuses to
// start on it, ozmon fills in its built-in local-chain definition.
func TestLoadDirOZExamples(t *testing.T) {
	t.Parallel()
	dir := testkit.SharedPath(t, "testdata", "ozmonitor", "examples", "config")
	cfg, err := LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if n, ok := cfg.Networks["anvil_local"]; !ok || n.NetworkType != ozconfig.NetworkEVM || len(cfg.Networks) != 4 || len(cfg.Monitors) != 3 {
		t.Fatalf("networks %d (anvil_local %v), monitors %d", len(cfg.Networks), ok, len(cfg.Monitors))
	}
}

// With the missing network added, the whole example directory loads.
func TestLoadDirOZExamplesComplete(t *testing.T) {
	t.Parallel()
	src := testkit.SharedPath(t, "testdata", "ozmonitor", "examples", "config")
	dir := t.TempDir()
	files := map[string]string{}
	for _, sub := range []string{"networks", "monitors", "triggers"} {
		matches, err := filepath.Glob(filepath.Join(src, sub, "*.json"))
		if err != nil || len(matches) == 0 {
			t.Fatalf("no example %s: %v", sub, err)
		}
		for _, m := range matches {
			files[filepath.Join(sub, filepath.Base(m))] = m
		}
	}
	link(t, dir, files)
	write(t, dir, "networks/anvil_local.json", `{"network_type": "EVM", "slug": "anvil_local", "name": "Anvil",
		"rpc_urls": [{"type_": "rpc", "url": {"type": "plain", "value": "http://127.0.0.1:8545"}, "weight": 100}],
		"chain_id": 31337, "block_time_ms": 1000, "confirmation_blocks": 1, "cron_schedule": "*/5 * * * * *"}`)
	cfg, err := LoadDir(dir)
	if err != nil {
		t.Fatalf("LoadDir: %v", err)
	}
	if got := len(cfg.Networks); got != 4 {
		t.Errorf("networks: got %d, want 4", got)
	}
	if got := len(cfg.Monitors); got != 3 {
		t.Errorf("monitors: got %d, want 3", got)
	}
	if got := len(cfg.Triggers); got != 19 {
		t.Errorf("triggers: got %d, want 19", got)
	}
	m := cfg.Monitors["Large Transfer of USDC Token"]
	if m == nil {
		t.Fatalf("monitor missing; have %v", keys(cfg.Monitors))
	}
	if e := m.MatchConditions.Events[0].Expr; e == nil || e.String() != "value > 10000000000" {
		t.Errorf("event expression not compiled: %v", e)
	}
	if tr := cfg.Triggers["raw_payload_webhook"]; tr == nil || tr.Webhook == nil || tr.Webhook.PayloadMode != ozconfig.PayloadRaw {
		t.Errorf("raw_payload_webhook: %+v", tr)
	}
	// OZ's examples use placeholder Telegram tokens and an unauthenticated
	// local network: warnings, not errors.
	var warned []string
	for _, w := range warnings(dir) {
		warned = append(warned, w.Error())
	}
	for _, want := range []string{
		`networks/anvil_local.json: rpc_urls[0].url: uses an unencrypted protocol (http:// or ws://)`,
		`triggers/telegram_notifications.json: evm_large_transfer_usdc_telegram.config.token: does not look like a Telegram bot token (8-10 digits, ':', 35 characters)`,
	} {
		if !slices.Contains(warned, want) {
			t.Errorf("warning %q missing from:\n%s", want, strings.Join(warned, "\n"))
		}
	}
}

func keys[T any](m map[string]T) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// The Stellar and EVM fixtures are single files named network.json,
// monitor.json and trigger.json; laid out as OZ requires (network file named
// after its slug) they load and cross-reference cleanly.
func TestLoadDirFixtures(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		chain, slug string
		monitors    []string
	}{
		{"stellar", "stellar_testnet", []string{"monitor.json"}},
		{"evm", "ethereum_mainnet", []string{"monitor.json", "monitor_with_tuples.json"}},
	} {
		t.Run(tc.chain, func(t *testing.T) {
			t.Parallel()
			fx := testkit.SharedPath(t, "testdata", "ozmonitor", tc.chain)
			dir := t.TempDir()
			files := map[string]string{
				"networks/" + tc.slug + ".json": filepath.Join(fx, "networks", "network.json"),
				"triggers/trigger.json":         filepath.Join(fx, "triggers", "trigger.json"),
			}
			for _, m := range tc.monitors {
				files["monitors/"+m] = filepath.Join(fx, "monitors", m)
			}
			link(t, dir, files)
			cfg, err := LoadDir(dir)
			if err != nil {
				t.Fatalf("LoadDir: %v", err)
			}
			if len(cfg.Monitors) != len(tc.monitors) || len(cfg.Triggers) != 4 || cfg.Networks[tc.slug] == nil {
				t.Fatalf("loaded %d monitors, %d triggers, networks %v", len(cfg.Monitors), len(cfg.Triggers), keys(cfg.Networks))
			}
		})
	}
}

func TestLoadDirLayout(t *testing.T) {
	t.Parallel()
	const network = `{"network_type": "Stellar", "slug": "stellar_testnet", "name": "Testnet", "rpc_urls": [],
		"block_time_ms": 5000, "confirmation_blocks": 1, "cron_schedule": "0 * * * * *"}`
	const monitorJSON = `{"name": "m", "networks": ["stellar_testnet"], "paused": false, "addresses": [],
		"match_conditions": {"functions": [], "events": [], "transactions": []}, "trigger_conditions": [], "triggers": []}`

	t.Run("missing directories", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		write(t, dir, "networks/stellar_testnet.json", network)
		_, err := LoadDir(dir)
		want := "monitors: directory is missing\ntriggers: directory is missing"
		if err == nil || err.Error() != want {
			t.Fatalf("got %v, want %s", err, want)
		}
	})
	t.Run("no such directory", func(t *testing.T) {
		t.Parallel()
		dir := filepath.Join(t.TempDir(), "nope")
		err := validate(dir)
		want := dir + ": config directory does not exist or is not a directory"
		if err == nil || err.Error() != want {
			t.Fatalf("got %v, want %s", err, want)
		}
	})
	t.Run("only json files, any case, no recursion", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		write(t, dir, "networks/stellar_testnet.JSON", network)
		write(t, dir, "networks/README.md", "not json")
		write(t, dir, "monitors/m.json", monitorJSON)
		write(t, dir, "monitors/old/broken.json", "{")
		write(t, dir, "triggers/notes.txt", "{")
		if err := os.MkdirAll(filepath.Join(dir, "triggers"), 0o755); err != nil {
			t.Fatal(err)
		}
		cfg, err := LoadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		if cfg.Networks["stellar_testnet"] == nil || cfg.Monitors["m"] == nil || len(cfg.Triggers) != 0 {
			t.Fatalf("unexpected config %+v", cfg)
		}
	})
	t.Run("project root with config folder", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		write(t, dir, "config/networks/stellar_testnet.json", network)
		write(t, dir, "config/monitors/m.json", `{"name": "m"}`)
		write(t, dir, "config/triggers/t.json", `{}`)
		_, err := LoadDir(dir)
		es := ozconfig.AsValidationErrors(err)
		if len(es) == 0 || es[0].Source != "config/monitors/m.json" {
			t.Fatalf("want errors sourced under config/, got %v", err)
		}
	})
}

func TestLoadTenants(t *testing.T) {
	t.Parallel()
	fx := testkit.SharedPath(t, "testdata", "ozmonitor", "stellar")
	t.Run("tenants", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		for _, tenant := range []string{"acme", "beta-2"} {
			link(t, dir, map[string]string{
				"tenants/" + tenant + "/networks/stellar_testnet.json": filepath.Join(fx, "networks", "network.json"),
				"tenants/" + tenant + "/monitors/monitor.json":         filepath.Join(fx, "monitors", "monitor.json"),
				"tenants/" + tenant + "/triggers/trigger.json":         filepath.Join(fx, "triggers", "trigger.json"),
			})
		}
		write(t, dir, "tenants/README", "ignored: not a directory")
		got, err := LoadTenants(dir)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got["acme"] == nil || got["beta-2"] == nil {
			t.Fatalf("tenants: %v", keys(got))
		}
		if got["acme"].Monitors["Large Transfer of USDC Token"] == got["beta-2"].Monitors["Large Transfer of USDC Token"] {
			t.Fatal("tenants share a monitor object")
		}
	})
	t.Run("single directory is the default tenant", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		link(t, dir, map[string]string{
			"networks/stellar_testnet.json": filepath.Join(fx, "networks", "network.json"),
			"monitors/monitor.json":         filepath.Join(fx, "monitors", "monitor.json"),
			"triggers/trigger.json":         filepath.Join(fx, "triggers", "trigger.json"),
		})
		got, err := LoadTenants(dir)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[defaultTenant] == nil {
			t.Fatalf("tenants: %v", keys(got))
		}
	})
	t.Run("errors of all tenants", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		for _, tenant := range []string{"acme", "beta"} {
			write(t, dir, "tenants/"+tenant+"/networks/stellar_testnet.json", `{"network_type": "stellar"}`)
			write(t, dir, "tenants/"+tenant+"/monitors/.keep", "")
			write(t, dir, "tenants/"+tenant+"/triggers/.keep", "")
		}
		write(t, dir, "tenants/Bad Name/networks/x.json", "{}")
		err := validate(dir)
		var es ozconfig.ValidationErrors
		if !errors.As(err, &es) {
			t.Fatalf("want ValidationErrors, got %T %v", err, err)
		}
		text := err.Error()
		for _, want := range []string{
			`tenants/Bad Name: tenant directory name "Bad Name" may contain only lowercase letters, digits, '-' and '_'`,
			`tenants/acme/networks/stellar_testnet.json: network_type: invalid value "stellar"`,
			`tenants/beta/networks/stellar_testnet.json: missing required field "slug"`,
		} {
			if !strings.Contains(text, want) {
				t.Errorf("missing %q in:\n%s", want, text)
			}
		}
	})
}

func TestReport(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	if n := Report(&b, nil); n != 0 || b.Len() != 0 {
		t.Fatalf("nil error: %d %q", n, b.String())
	}
	es := ozconfig.ValidationErrors{
		{Source: "monitors/a.json", Path: "name", Msg: "must not be empty"},
		{Source: "triggers/t.json", Msg: "invalid JSON"},
	}
	if n := Report(&b, es); n != 2 {
		t.Fatalf("got %d", n)
	}
	want := "monitors/a.json: name: must not be empty\ntriggers/t.json: invalid JSON\n"
	if b.String() != want {
		t.Fatalf("got %q want %q", b.String(), want)
	}
	b.Reset()
	if n := Report(&b, errors.New("disk on fire")); n != 1 || b.String() != "disk on fire\n" {
		t.Fatalf("plain error: %d %q", n, b.String())
	}
}
