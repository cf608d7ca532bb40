package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ozmon/ozmon/internal/testkit"
)

// TestImportConfinesScriptsToScriptDir: with scripts enabled, a script trigger or a trigger
// condition whose script_path leads out of notify.script_dir ("../", an absolute path, a
// symlink) is refused at import, naming it; scripts inside it import.
func TestImportConfinesScriptsToScriptDir(t *testing.T) {
	t.Parallel()
	url, _ := testkit.PostgresSchema(t)
	root := t.TempDir()
	scripts := filepath.Join(root, "scripts")
	mustWrite(t, filepath.Join(scripts, "ok.sh"), "echo false\n")
	mustWrite(t, filepath.Join(root, "outside", "evil.sh"), "echo true\n")
	if err := os.Symlink(filepath.Join(root, "outside", "evil.sh"), filepath.Join(scripts, "link.sh")); err != nil {
		t.Fatal(err)
	}
	conf := filepath.Join(root, "ozmon.yaml")
	mustWrite(t, conf, fmt.Sprintf("notify:\n  scripts_enabled: true\n  script_dir: %q\n", scripts))
	for i, tc := range []struct{ trigger, condition string }{
		{"ok.sh", "ok.sh"},
		{"../outside/evil.sh", "ok.sh"},
		{"ok.sh", filepath.Join(root, "outside", "evil.sh")},
		{"link.sh", "ok.sh"},
		{"ok.sh", "link.sh"},
	} {
		dir := t.TempDir()
		mustWrite(t, filepath.Join(dir, "networks", "stellar_testnet.json"), `{"network_type":"Stellar","slug":"stellar_testnet","name":"t",
		"rpc_urls":[{"type_":"rpc","url":{"type":"plain","value":"https://rpc.example"},"weight":100}],"network_passphrase":"Test SDF Network ; September 2015",
		"block_time_ms":5000,"confirmation_blocks":1,"cron_schedule":"*/5 * * * * *","max_past_blocks":20,"store_blocks":false}`)
		mustWrite(t, filepath.Join(dir, "monitors", "m.json"), fmt.Sprintf(`{"name":"Failed","paused":false,"networks":["stellar_testnet"],"addresses":[],
		"match_conditions":{"functions":[],"events":[],"transactions":[{"status":"Failure"}]},
		"trigger_conditions":[{"script_path":%q,"language":"Bash","timeout_ms":1000}],"triggers":["run"]}`, tc.condition))
		mustWrite(t, filepath.Join(dir, "triggers", "t.json"), fmt.Sprintf(`{"run":{"name":"run","trigger_type":"script",
		"config":{"language":"Bash","script_path":%q,"timeout_ms":1000}}}`, tc.trigger))
		code, out, errOut := runCmd(t, "import", "--config", conf, "--database-url", url, "--tenant", fmt.Sprintf("t%d", i), dir)
		wantOK := tc.trigger == "ok.sh" && tc.condition == "ok.sh"
		switch {
		case wantOK && code != 0:
			t.Errorf("scripts inside script_dir: code %d out %q err %q", code, out, errOut)
		case !wantOK && (code != 1 || !strings.Contains(errOut, "nothing imported") || !strings.Contains(out, "outside the script directory")):
			t.Errorf("trigger %q condition %q: code %d out %q err %q, want a refusal", tc.trigger, tc.condition, code, out, errOut)
		case tc.trigger != "ok.sh" && !strings.Contains(out, "triggers/t.json: run:"):
			t.Errorf("refusal does not name the trigger: %q", out)
		case tc.condition != "ok.sh" && !strings.Contains(out, "monitors/m.json: trigger_conditions[0]:"):
			t.Errorf("refusal does not name the condition: %q", out)
		}
	}
}
