package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/ozmon/ozmon/internal/testkit"
)

// TestValidateRefusesWhatImportRefuses: validate and import run one
// validation, so every directory import refuses is refused by validate
// too, with the same lines: destinations the guard refuses, text
// PostgreSQL cannot store, URLs and headers the HTTP client cannot send,
// and configurations over the operator's limits.
func TestValidateRefusesWhatImportRefuses(t *testing.T) {
	t.Parallel()
	url, _ := testkit.PostgresSchema(t)
	const network = `{"network_type":"Stellar","slug":"stellar_testnet","name":"t",
		"rpc_urls":[{"type_":"rpc","url":{"type":"plain","value":"https://rpc.example"},"weight":100}],"network_passphrase":"Test SDF Network ; September 2015",
		"block_time_ms":5000,"confirmation_blocks":1,"cron_schedule":"*/5 * * * * *","max_past_blocks":20,"store_blocks":false}`
	monitor := func(name, addresses string) string {
		return `{"name":"` + name + `","paused":false,"networks":["stellar_testnet"],"addresses":[` + addresses + `],
		"match_conditions":{"functions":[],"events":[],"transactions":[{"status":"Failure"}]},"trigger_conditions":[],"triggers":["hook"]}`
	}
	webhook := func(url, extra string) string {
		return `{"hook":{"name":"hook","trigger_type":"webhook","config":{"url":{"type":"plain","value":"` + url + `"},"method":"POST",` +
			extra + `"message":{"title":"t","body":"b"}}}}`
	}
	const addr = `{"address":"CDLZFC3SYJYDZT7K67VZ75HPJVIEUVNIXF47ZG2FB2RMQQVU2HHGCYSC"}`
	for _, tc := range []struct {
		name              string
		monitor, triggers string
		configFile        string
		want              string
	}{
		{name: "metadata address", monitor: monitor("Failed", ""), triggers: webhook("http://169.254.169.254/latest/meta-data", ""),
			want: `triggers/t.json: hook: notify: check webhook trigger "hook": notify: check destination host "169.254.169.254": destination refused: 169.254.169.254 is in 169.254.0.0/16 (not allow-listed)`},
		{name: "CR LF in the URL", monitor: monitor("Failed", ""), triggers: webhook(`https://hooks.example/x\r\nX-Evil: 1`, ""),
			want: `triggers/t.json: hook.config.url: webhook URL must not contain control characters (CR, LF, tab, NUL, …)`},
		{name: "LF in a header", monitor: monitor("Failed", ""), triggers: webhook("https://hooks.example/x", `"headers":{"X-A":"a\nb"},`),
			want: `triggers/t.json: hook.config.headers.X-A: header value must not contain control characters other than tab (CR, LF, NUL, …)`},
		{name: "NUL", monitor: monitor(`Fail\u0000ed`, ""), triggers: webhook("https://hooks.example/x", ""),
			want: `monitors/m.json: the escape \u0000 (a NUL character) is not allowed at line 1, column 14`},
		{name: "invalid UTF-8", monitor: monitor("Fail\xc3\x28ed", ""), triggers: webhook("https://hooks.example/x", ""),
			want: `monitors/m.json: invalid UTF-8 at line 1, column 14 (text must be UTF-8)`},
		{name: "a name longer than its column", monitor: monitor(strings.Repeat("n", 256), ""), triggers: webhook("https://hooks.example/x", ""),
			want: `monitors/m.json: name: is 256 characters long; at most 255 fit where it is stored`},
		{name: "over the operator's list limit", monitor: monitor("Failed", addr+","+addr), triggers: webhook("https://hooks.example/x", ""),
			configFile: "limits:\n  list_items: 1\n", want: `monitors/m.json: addresses: has 2 items, over limits.list_items (1)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			mustWrite(t, filepath.Join(dir, "networks", "stellar_testnet.json"), network)
			mustWrite(t, filepath.Join(dir, "monitors", "m.json"), tc.monitor)
			mustWrite(t, filepath.Join(dir, "triggers", "t.json"), tc.triggers)
			var cfgArgs []string
			if tc.configFile != "" {
				file := filepath.Join(t.TempDir(), "config.yaml")
				mustWrite(t, file, tc.configFile)
				cfgArgs = []string{"--config", file}
			}
			code, vout, verr := runCmd(t, append(append([]string{"validate"}, cfgArgs...), dir)...)
			if code != 1 || strings.TrimSpace(vout) != tc.want {
				t.Errorf("validate: code %d\nout  %q\nwant %q\nstderr %s", code, vout, tc.want, verr)
			}
			code, iout, ierr := runCmd(t, append(append([]string{"import", "--database-url", url, "--tenant", "acme"}, cfgArgs...), dir)...)
			if code != 1 || iout != vout || !strings.Contains(ierr, "nothing imported") {
				t.Errorf("import: code %d\nout  %q\nwant %q (what validate printed)\nstderr %s", code, iout, vout, ierr)
			}
		})
	}
}
