package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/ozmon/ozmon/monitor/ozconfig"
)

// scriptConfig is a script trigger's configuration.
type scriptConfig struct {
	Language  string   // "Python", "JavaScript" or "Bash"
	Path      string   // script file, confined to ScriptDir (see resolveScript); read once, when the channel is built
	Arguments []string // handed to the script in its stdin document, not on the command line
	Timeout   time.Duration
}

// scriptChannel runs an operator-enabled script per notification, as OpenZeppelin Monitor does: the
// file's content is passed inline to the language's interpreter (-c, or -e for node) and stdin
// is {"monitor_match": <MonitorMatch>, "args": <arguments or null>}. Exit status 0 means
// delivered. Unlike OpenZeppelin Monitor the script gets no inherited environment (no
// secrets): only OZMON_NOTIFICATION_ID, the notification's idempotency key, the same on every
// attempt, for a script that must not act twice. With ScriptUser it runs as another user, so it
// cannot read the worker's environment through /proc either. Its stdout and stderr are bounded,
// and on timeout its whole process group is killed.
type scriptChannel struct {
	trigger string
	cfg     scriptConfig
	program string
	flag    string
	content string
	dir     string
	outMax  int
	inMax   int
	cred    *syscall.Credential // run as this user (ScriptUser); nil: the worker's
}

// scriptResult is what a script run produced.
type scriptResult struct {
	Stdout    []byte
	Stderr    []byte
	Truncated bool // stdout or stderr exceeded the output limit
}

// newScript builds a script channel for trigger; it fails with errScriptsDisabled unless the
// operator passed EnableScripts.
func newScript(trigger string, cfg scriptConfig, opts ...Option) (*scriptChannel, error) {
	o := newOptions(opts)
	if !o.scripts {
		return nil, fmt.Errorf("notify: script trigger %q: %w", trigger, errScriptsDisabled)
	}
	program, ok := o.interpreters[cfg.Language]
	if !ok {
		return nil, fmt.Errorf("notify: script trigger %q: unsupported language %q", trigger, cfg.Language)
	}
	if cfg.Timeout <= 0 {
		return nil, fmt.Errorf("notify: script trigger %q: timeout must be positive", trigger)
	}
	// Validation refuses longer timeouts; a config stored before that limit still obeys it.
	cfg.Timeout = min(cfg.Timeout, time.Duration(ozconfig.MaxScriptTimeoutMs)*time.Millisecond)
	// Confined again here, not only at import: a symlink in the script directory may have
	// changed since.
	file, err := o.resolveScript(cfg.Path)
	if err != nil {
		return nil, fmt.Errorf("notify: script trigger %q: %w", trigger, err)
	}
	content, err := file.read()
	if err != nil {
		return nil, fmt.Errorf("notify: script trigger %q: %w", trigger, err)
	}
	// Resolve the interpreter now, with the worker's PATH, because the script itself runs with
	// an empty environment and so without PATH.
	resolved, err := exec.LookPath(program)
	if err != nil {
		return nil, fmt.Errorf("notify: script trigger %q: interpreter %q: %w", trigger, program, err)
	}
	flag := "-c"
	if cfg.Language == "JavaScript" {
		flag = "-e"
	}
	return &scriptChannel{
		trigger: trigger,
		cfg:     cfg,
		program: resolved,
		flag:    flag,
		content: string(content),
		dir:     filepath.Join(file.Dir, filepath.Dir(file.Rel)),
		outMax:  o.scriptOutput,
		inMax:   o.scriptStdin,
		cred:    o.scriptCred,
	}, nil
}

func (s *scriptChannel) fail(tenant string) *SendError {
	// OpenZeppelin Monitor does not retry scripts: a script may have side effects already.
	return &SendError{Channel: "script", TenantID: tenant, Trigger: s.trigger}
}

// Send runs the script once with the match on stdin.
func (s *scriptChannel) Send(ctx context.Context, n Notification) error {
	match := json.RawMessage(n.MatchJSON)
	if len(bytes.TrimSpace(match)) == 0 {
		match = json.RawMessage("null")
	}
	var args any // null when there are no arguments, as OpenZeppelin Monitor sends
	if s.cfg.Arguments != nil {
		args = s.cfg.Arguments
	}
	stdin, err := json.Marshal(struct {
		MonitorMatch json.RawMessage `json:"monitor_match"`
		Args         any             `json:"args"`
	}{match, args})
	if err != nil {
		se := s.fail(n.TenantID)
		se.Detail, se.Err = "encode stdin", err
		return se
	}
	// The id goes in the environment, not stdin, whose document is OpenZeppelin Monitor's.
	env := []string{}
	if n.ID != "" {
		if err := checkID(n.ID); err != nil {
			se := s.fail(n.TenantID)
			se.Detail, se.Err = "idempotency key", err
			return se
		}
		env = append(env, "OZMON_NOTIFICATION_ID="+n.ID)
	}
	if _, err := s.run(ctx, stdin, env); err != nil {
		se := s.fail(n.TenantID)
		se.Err = err
		return se
	}
	return nil
}

// errScriptTimeout is wrapped when a script outlives its timeout.
var errScriptTimeout = errors.New("script execution timed out")

// Run executes the script once with stdin and returns its bounded output; a non-zero exit is an
// error that carries the (bounded) stderr. Trigger-condition evaluation can reuse it and read
// the last line of Stdout. The script's environment is empty.
func (s *scriptChannel) Run(ctx context.Context, stdin []byte) (scriptResult, error) {
	return s.run(ctx, stdin, []string{})
}

// run executes the script with exactly env as its environment: never nil, which would
// inherit the worker's environment and its secrets.
func (s *scriptChannel) run(ctx context.Context, stdin []byte, env []string) (scriptResult, error) {
	if env == nil {
		env = []string{}
	}
	if len(stdin) > s.inMax {
		return scriptResult{}, fmt.Errorf("run script: stdin of %d bytes exceeds the %d-byte limit", len(stdin), s.inMax)
	}
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, s.program, s.flag, s.content)
	cmd.Env = env // never nil: nil would inherit the worker's environment
	cmd.Dir = s.dir
	cmd.Stdin = bytes.NewReader(stdin)
	stdout := &capped{max: s.outMax}
	stderr := &capped{max: s.outMax}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	// Own process group, so that the timeout kills what the script started too; otherwise a
	// backgrounded child keeps the output pipes open and the script outlives its timeout.
	// Under another uid (ScriptUser) it cannot read the worker's /proc/<pid>/environ.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Credential: s.cred}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = time.Second
	err := cmd.Run()
	res := scriptResult{Stdout: stdout.buf.Bytes(), Stderr: stderr.buf.Bytes(), Truncated: stdout.cut || stderr.cut}
	if ctx.Err() != nil && errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return res, fmt.Errorf("run script after %s: %w", s.cfg.Timeout, errScriptTimeout)
	}
	if err != nil {
		msg := strings.TrimSpace(strings.ToValidUTF8(string(tail(res.Stderr, 1024)), ""))
		if msg != "" {
			return res, fmt.Errorf("run script: %w: stderr: %s", err, msg)
		}
		return res, fmt.Errorf("run script: %w", err)
	}
	return res, nil
}

func tail(b []byte, n int) []byte {
	if len(b) > n {
		return b[len(b)-n:]
	}
	return b
}

// capped keeps the first max bytes written and silently drops the rest, so a runaway script
// cannot exhaust the worker's memory; it never fails the write, which would kill the script
// with SIGPIPE instead of letting it finish.
type capped struct {
	buf bytes.Buffer
	max int
	cut bool
}

func (c *capped) Write(p []byte) (int, error) {
	if room := c.max - c.buf.Len(); room > 0 {
		if len(p) > room {
			c.buf.Write(p[:room])
			c.cut = true
		} else {
			c.buf.Write(p)
		}
	} else if len(p) > 0 {
		c.cut = true
	}
	return len(p), nil
}
