package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ozmon/ozmon/internal/config"
	"github.com/ozmon/ozmon/monitor/ozconfig"
	"github.com/ozmon/ozmon/notify"
)

// peekScript prints the environment of its parent (the worker) and of every ancestor it can
// read, and says which pids it read, so the test knows the walk happened.
const peekScript = `p=$PPID
while [ -n "$p" ] && [ "$p" -gt 1 ]; do
  if cat /proc/$p/environ >/dev/null 2>&1; then tr '\000' '\n' </proc/$p/environ; echo "read:$p"; else echo "denied:$p"; fi
  p=$(sed -n 's/^PPid:[[:space:]]*//p' /proc/$p/status 2>/dev/null)
done
`

const scriptEnvHelper = "OZMON_TEST_SCRIPT_ENV_HELPER"

// A script run with the worker's default script options cannot read a secret the worker was
// started with, neither from /proc/$PPID/environ nor from any ancestor's. The secret must be in
// the worker's initial environment (what /proc shows), so the worker is this test binary
// started again with the secret in its environment.
func TestScriptCannotReadWorkerEnvironment(t *testing.T) {
	const secret = "s3cr3t-db-password-0123456789"
	if os.Getenv(scriptEnvHelper) != "" {
		scriptEnvWorker(t)
		return
	}
	if os.Geteuid() != 0 {
		t.Skip("running scripts as another user needs root (or CAP_SETUID/CAP_SETGID)")
	}
	// The script's working directory is its directory: readable by the script user.
	dir, err := os.MkdirTemp("", "ozmon-scripts-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "peek.sh"), []byte(peekScript), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestScriptCannotReadWorkerEnvironment$", "-test.v")
	cmd.Env = append(os.Environ(), scriptEnvHelper+"="+dir,
		"OZ_MONITOR_DATABASE_URL=postgres://ozmon:"+secret+"@db.internal/ozmon")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("worker process: %v\n%s", err, out)
	}
	if strings.Contains(string(out), secret) {
		t.Fatalf("the script read the worker's secret:\n%s", out)
	}
	if !strings.Contains(string(out), "denied:") {
		t.Fatalf("the script walked no ancestor; the test proves nothing:\n%s", out)
	}
}

// scriptEnvWorker runs in the re-started test binary: it builds the script options the worker
// builds from the default configuration and runs peek.sh with them.
func scriptEnvWorker(t *testing.T) {
	cfg := config.Defaults()
	cfg.Notify.ScriptsEnabled = true
	cfg.Notify.ScriptDir = os.Getenv(scriptEnvHelper)
	opts, err := (&app{cfg: cfg}).channelOptions()
	if err != nil {
		t.Fatal(err)
	}
	cond := ozconfig.TriggerCondition{Language: ozconfig.LanguageBash, ScriptPath: "peek.sh", TimeoutMs: 30_000}
	stdout, err := notify.RunCondition(context.Background(), cond, []byte("{}"), opts...)
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	t.Logf("script output:\n%s", stdout)
}
