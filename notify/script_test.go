package notify

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func writeScript(t *testing.T, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "action.sh")
	if err := os.WriteFile(path, []byte(body), 0o700); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestScriptDisabledByDefault(t *testing.T) {
	t.Parallel()
	path := writeScript(t, "exit 0\n")
	_, err := newScript("s", scriptConfig{Language: "Bash", Path: path, Timeout: time.Second})
	if !errors.Is(err, errScriptsDisabled) {
		t.Fatalf("got %v, want ErrScriptsDisabled", err)
	}
}

func TestScriptReceivesMatchAndArgs(t *testing.T) {
	t.Parallel()
	// The script writes its stdin beside itself: the working directory is the script's.
	path := writeScript(t, "cat > stdin.json\n")
	ch, err := newScript("page oncall", scriptConfig{
		Language: "Bash", Path: path, Arguments: []string{"--team", "vault"}, Timeout: 5 * time.Second,
	}, EnableScripts(), ScriptDir(filepath.Dir(path)))
	if err != nil {
		t.Fatal(err)
	}
	match := `{"Stellar":{"network_slug":"stellar_mainnet"}}`
	if err := ch.Send(context.Background(), Notification{TenantID: "t1", MatchJSON: []byte(match)}); err != nil {
		t.Fatalf("send: %v", err)
	}
	got, err := os.ReadFile(filepath.Join(filepath.Dir(path), "stdin.json"))
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"monitor_match":` + match + `,"args":["--team","vault"]}`; string(got) != want {
		t.Fatalf("stdin\n got %s\nwant %s", got, want)
	}

	// Without arguments, "args" is null as in OpenZeppelin Monitor.
	ch, err = newScript("page oncall", scriptConfig{Language: "Bash", Path: path, Timeout: 5 * time.Second}, EnableScripts(), ScriptDir(filepath.Dir(path)))
	if err != nil {
		t.Fatal(err)
	}
	if err := ch.Send(context.Background(), Notification{TenantID: "t1", MatchJSON: []byte(match)}); err != nil {
		t.Fatalf("send: %v", err)
	}
	got, _ = os.ReadFile(filepath.Join(filepath.Dir(path), "stdin.json"))
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(got, &doc); err != nil || string(doc["args"]) != "null" {
		t.Fatalf("stdin %s: %v", got, err)
	}
}

// The script must not see the worker's environment (where its secrets live).
func TestScriptEmptyEnvironment(t *testing.T) {
	t.Parallel()
	path := writeScript(t, "env\n")
	ch, err := newScript("env", scriptConfig{Language: "Bash", Path: path, Timeout: 5 * time.Second}, EnableScripts(), ScriptDir(filepath.Dir(path)))
	if err != nil {
		t.Fatal(err)
	}
	res, err := ch.Run(context.Background(), []byte("{}"))
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	// The shell itself may set PWD (and, for some shells, SHLVL, _ or OLDPWD); nothing else.
	shellSet := map[string]bool{"PWD": true, "SHLVL": true, "_": true, "OLDPWD": true}
	seen := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSpace(string(res.Stdout)), "\n") {
		name, _, _ := strings.Cut(line, "=")
		seen[name] = true
		if line != "" && !shellSet[name] {
			t.Errorf("script saw environment variable %s", name)
		}
	}
	inherited := 0
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if !shellSet[name] {
			inherited++
			if seen[name] {
				t.Errorf("worker variable %s reached the script", name)
			}
		}
	}
	if inherited == 0 {
		t.Fatal("the test process has no environment of its own to leak; the test proves nothing")
	}
}

func TestScriptTimeoutKillsProcessGroup(t *testing.T) {
	t.Parallel()
	// The backgrounded sleep keeps stdout open; only killing the group ends the run.
	path := writeScript(t, "sleep 30 &\nsleep 30\n")
	ch, err := newScript("slow", scriptConfig{Language: "Bash", Path: path, Timeout: 200 * time.Millisecond}, EnableScripts(), ScriptDir(filepath.Dir(path)))
	if err != nil {
		t.Fatal(err)
	}
	err = ch.Send(context.Background(), Notification{TenantID: "t1", MatchJSON: []byte("{}")})
	if !errors.Is(err, errScriptTimeout) {
		t.Fatalf("got %v, want ErrScriptTimeout", err)
	}
	if IsRetryable(err) {
		t.Fatal("script failures must not be retried")
	}
}

func TestScriptBoundedOutputAndFailure(t *testing.T) {
	t.Parallel()
	path := writeScript(t, "head -c 200000 /dev/zero | tr '\\0' x\necho oops >&2\nexit 3\n")
	ch, err := newScript("noisy", scriptConfig{Language: "Bash", Path: path, Timeout: 5 * time.Second},
		EnableScripts(), ScriptDir(filepath.Dir(path)), scriptOutputLimit(1000))
	if err != nil {
		t.Fatal(err)
	}
	res, err := ch.Run(context.Background(), []byte("{}"))
	if err == nil || !strings.Contains(err.Error(), "exit status 3") || !strings.Contains(err.Error(), "oops") {
		t.Fatalf("got %v, want exit status 3 with stderr", err)
	}
	if len(res.Stdout) != 1000 || !res.Truncated {
		t.Fatalf("stdout %d bytes truncated=%v, want 1000 and true", len(res.Stdout), res.Truncated)
	}
	// Oversized stdin is refused rather than cut into invalid JSON.
	small, err := newScript("small", scriptConfig{Language: "Bash", Path: path, Timeout: 5 * time.Second},
		EnableScripts(), ScriptDir(filepath.Dir(path)), scriptInputLimit(10))
	if err != nil {
		t.Fatal(err)
	}
	if err := small.Send(context.Background(), Notification{TenantID: "t1", MatchJSON: []byte(`{"k":"0123456789"}`)}); err == nil {
		t.Fatal("oversized stdin accepted")
	}
}

func TestScriptInterpreterOption(t *testing.T) {
	t.Parallel()
	path := writeScript(t, "echo ran\n")
	if _, err := newScript("s", scriptConfig{Language: "Ruby", Path: path, Timeout: time.Second}, EnableScripts(), ScriptDir(filepath.Dir(path))); err == nil {
		t.Fatal("unknown language accepted")
	}
	// Python scripts through /bin/sh: proves the option picks the program.
	ch, err := newScript("s", scriptConfig{Language: "Python", Path: path, Timeout: 5 * time.Second},
		EnableScripts(), ScriptDir(filepath.Dir(path)), scriptInterpreter("Python", "/bin/sh"))
	if err != nil {
		t.Fatal(err)
	}
	res, err := ch.Run(context.Background(), nil)
	if err != nil || strings.TrimSpace(string(res.Stdout)) != "ran" {
		t.Fatalf("got %q, %v", res.Stdout, err)
	}
}

// The script sees the notification's ID in OZMON_NOTIFICATION_ID, the same on every attempt,
// and still nothing of the worker's environment.
func TestScriptSeesNotificationID(t *testing.T) {
	t.Parallel()
	path := writeScript(t, "env > env.txt\n")
	ch, err := newScript("idempotent", scriptConfig{Language: "Bash", Path: path, Timeout: 5 * time.Second}, EnableScripts(), ScriptDir(filepath.Dir(path)))
	if err != nil {
		t.Fatal(err)
	}
	shellSet := map[string]bool{"PWD": true, "SHLVL": true, "_": true, "OLDPWD": true}
	for _, tc := range []struct {
		name, id string
		want     string // the variable's line, or "" for none
	}{
		{"with an ID", "ntf_0123456789abcdef0123456789abcdef", "OZMON_NOTIFICATION_ID=ntf_0123456789abcdef0123456789abcdef"},
		{"without an ID", "", ""},
	} {
		if err := ch.Send(context.Background(), Notification{ID: tc.id, TenantID: "t1", MatchJSON: []byte("{}")}); err != nil {
			t.Fatalf("%s: send: %v", tc.name, err)
		}
		out, err := os.ReadFile(filepath.Join(filepath.Dir(path), "env.txt"))
		if err != nil {
			t.Fatal(err)
		}
		var ours []string
		for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			name, _, _ := strings.Cut(line, "=")
			if line != "" && !shellSet[name] {
				ours = append(ours, line)
			}
		}
		if got := strings.Join(ours, "\n"); got != tc.want {
			t.Errorf("%s: script environment %q, want %q", tc.name, got, tc.want)
		}
	}
	// An ID that is not letters, digits, '_' and '-' is refused before the script runs.
	if err := ch.Send(context.Background(), Notification{ID: "ntf_1\x00X=1", TenantID: "t1", MatchJSON: []byte("{}")}); err == nil {
		t.Fatal("ID with a NUL accepted")
	}
}
