package chaos

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/ozmon/ozmon/internal/testkit"
	"github.com/redis/go-redis/v9"
)

// The hostile-tenant suite replays #12's attacks against the real ozmon
// binary: a tenant's config directory through `ozmon validate` and
// `ozmon import`, a hostile RPC through `ozmon test-monitor`. Each attack
// must be refused, bounded or harmless, and each records the figures the
// closing note quotes: peak RSS, output bytes, CPU time. `make hostile`
// prints the table.

// run is one finished ozmon process.
type run struct {
	stdout, stderr []byte
	exit           int
	maxRSSKB       int64
	cpu, wall      time.Duration
}

func (r run) output() string { return string(r.stdout) + string(r.stderr) }

// outBytes is what the process printed: an error that repeats its input
// shows here.
func (r run) outBytes() int { return len(r.stdout) + len(r.stderr) }

// ozmonRun runs the binary to completion with env added to a clean
// OZ_MONITOR_* environment.
func ozmonRun(t *testing.T, bin string, env map[string]string, args ...string) run {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	oz := map[string]string{"OZ_MONITOR_LOG_FORMAT": "json"}
	maps.Copy(oz, env)
	cmd.Env = childEnv(oz)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatalf("ozmon %s: %v", strings.Join(args, " "), err)
	}
	hwm := watchHWM(cmd.Process.Pid)
	err := cmd.Wait()
	r := run{stdout: out.Bytes(), stderr: errb.Bytes(), wall: time.Since(start), maxRSSKB: hwm()}
	if ee, ok := err.(*exec.ExitError); ok {
		r.exit = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("ozmon %s: %v", strings.Join(args, " "), err)
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		r.cpu = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	return r
}

// watchHWM polls the process's VmHWM (its peak RSS) every 5 ms until the
// returned function is called, which reports the last value read. The
// kernel's ru_maxrss is no use here: a child exec'd from this large test
// process inherits this process's peak. VmHWM only grows, so polling
// misses at most the last 5 ms of growth.
func watchHWM(pid int) func() int64 {
	var (
		mu   sync.Mutex
		peak int64
	)
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		path := fmt.Sprintf("/proc/%d/status", pid)
		for {
			if b, err := os.ReadFile(path); err == nil {
				for line := range strings.Lines(string(b)) {
					var kb int64
					if _, err := fmt.Sscanf(line, "VmHWM: %d kB", &kb); err == nil {
						mu.Lock()
						peak = max(peak, kb)
						mu.Unlock()
					}
				}
			}
			select {
			case <-done:
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	}()
	return func() int64 {
		close(done)
		<-stopped
		mu.Lock()
		defer mu.Unlock()
		return peak
	}
}

// tenantDir writes an OpenZeppelin Monitor directory: the given files on
// top of a Stellar mainnet network, a webhook trigger "hook" and a monitor
// "mon" that uses both.
func tenantDir(t *testing.T, files map[string][]byte) string {
	t.Helper()
	dir := t.TempDir()
	base := map[string][]byte{
		"networks/stellar_mainnet.json": []byte(`{"network_type":"Stellar","slug":"stellar_mainnet","name":"Stellar Mainnet",
 "rpc_urls":[{"type_":"rpc","url":{"type":"plain","value":"https://mainnet.sorobanrpc.com"},"weight":100}],
 "network_passphrase":"Public Global Stellar Network ; September 2015","block_time_ms":5000,"confirmation_blocks":1,
 "cron_schedule":"*/5 * * * * *","max_past_blocks":20,"store_blocks":false}`),
		"triggers/hook.json": hookTrigger("hook", "https://hooks.example.com/ozmon", nil),
		"monitors/mon.json":  stellarMonitor("mon", "", "hook"),
	}
	maps.Copy(base, files)
	for name, data := range base {
		if data == nil {
			continue
		}
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func hookTrigger(name, url string, headers map[string]string) []byte {
	if headers == nil {
		headers = map[string]string{"Content-Type": "application/json"}
	}
	b, err := json.Marshal(map[string]any{name: map[string]any{
		"name": name, "trigger_type": "webhook",
		"config": map[string]any{
			"url":     map[string]any{"type": "plain", "value": url},
			"method":  "POST",
			"headers": headers,
			"message": map[string]string{"title": "${monitor.name}", "body": "${transaction.hash}"},
		},
	}})
	if err != nil {
		panic(err)
	}
	return b
}

// stellarMonitor is a monitor of one event signature; expression, when
// set, is its filter.
func stellarMonitor(name, expression string, triggers ...string) []byte {
	ev := map[string]any{"signature": "transfer(Address,Address,String,I128)"}
	if expression != "" {
		ev["expression"] = expression
	}
	b, err := json.Marshal(map[string]any{
		"name": name, "paused": false, "networks": []string{"stellar_mainnet"},
		"addresses":          []any{map[string]any{"address": "CAS3J7GYLGXMF6TDJBBYYSE3HQ6BBSMLNUQ34T6TZMYMW2EVH34XOWMA"}},
		"match_conditions":   map[string]any{"functions": []any{}, "transactions": []any{}, "events": []any{ev}},
		"trigger_conditions": []any{}, "triggers": triggers,
	})
	if err != nil {
		panic(err)
	}
	return b
}

// hostileRow is one line of the suite's table.
type hostileRow struct {
	attack, item, verdict, figures string
}

type hostileTable struct {
	mu   sync.Mutex
	rows []hostileRow
}

func (h *hostileTable) add(r hostileRow) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.rows = append(h.rows, r)
}

func (h *hostileTable) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%-34s %-8s %-9s %s\n", "attack", "item", "verdict", "figures")
	for _, r := range h.rows {
		fmt.Fprintf(&b, "%-34s %-8s %-9s %s\n", r.attack, r.item, r.verdict, r.figures)
	}
	return b.String()
}

func mib(kb int64) string { return fmt.Sprintf("%.0f MiB", float64(kb)/1024) }

// hostileRPC answers every JSON-RPC call with body(method).
func hostileRPC(t *testing.T, body func(w io.Writer, method string)) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Method string `json:"method"`
		}
		_ = json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&req)
		w.Header().Set("Content-Type", "application/json")
		body(w, req.Method)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// endless writes prefix, then n bytes of filler, then suffix, in 1 MiB
// writes, stopping when the client hangs up.
func endless(w io.Writer, prefix string, filler byte, n int, suffix string) {
	if _, err := io.WriteString(w, prefix); err != nil {
		return
	}
	chunk := bytes.Repeat([]byte{filler}, 1<<20)
	for n > 0 {
		c := chunk[:min(n, len(chunk))]
		if _, err := w.Write(c); err != nil {
			return
		}
		n -= len(c)
	}
	_, _ = io.WriteString(w, suffix)
}

// attack is one of #12's hostile attempts.
type attack struct {
	name, item string
	run        func(t *testing.T, h *hostileEnv) (verdict, figures string)
}

// hostileEnv is what the attacks share: the binary and, for import, a
// migrated database.
type hostileEnv struct {
	bin string
	db  func(t *testing.T) map[string]string
}

// TestHostile replays the hostile-tenant attacks on the real binary and
// prints one table of verdicts and figures.
func TestHostile(t *testing.T) {
	if testing.Short() {
		t.Skip("the hostile suite runs ozmon against 600 MB answers; not in -short")
	}
	s := newSuite()
	bin, err := s.binary()
	if err != nil {
		t.Fatal(err)
	}
	h := &hostileEnv{bin: bin}
	h.db = func(t *testing.T) map[string]string {
		db := CreateDatabase(t)
		env := map[string]string{"OZ_MONITOR_DATABASE_URL": db.Direct}
		if r := ozmonRun(t, bin, env, "migrate"); r.exit != 0 {
			t.Fatalf("ozmon migrate: exit %d\n%s", r.exit, r.output())
		}
		return env
	}
	var table hostileTable
	for _, a := range attacks() {
		t.Run(a.name, func(t *testing.T) {
			verdict, figures := a.run(t, h)
			if t.Failed() {
				verdict = "FAILED"
			}
			table.add(hostileRow{a.name, a.item, verdict, figures})
		})
	}
	t.Logf("hostile tenant suite:\n%s", table.String())
}

// maxErrorBytes is the most an error about hostile input may print.
const maxErrorBytes = 4 << 10

func attacks() []attack {
	return []attack{
		{"rpc-stellar-600MB-answer", "4", func(t *testing.T, h *hostileEnv) (string, string) {
			url := hostileRPC(t, func(w io.Writer, _ string) {
				endless(w, `{"jsonrpc":"2.0","id":1,"result":{"ledgers":[{"sequence":63092982,"metadataXdr":"`, 'A', 600<<20, `"}]}}`)
			})
			return bounded(t, h.stellarTestMonitor(t, url), 512<<10)
		}},
		{"rpc-evm-600MB-answer", "4", func(t *testing.T, h *hostileEnv) (string, string) {
			url := hostileRPC(t, func(w io.Writer, _ string) {
				endless(w, `{"jsonrpc":"2.0","id":1,"result":{"number":"0x1","transactions":[],"extraData":"0x`, 'a', 600<<20, `"}}`)
			})
			return bounded(t, h.evmTestMonitor(t, url), 512<<10)
		}},
		{"rpc-1MB-number", "4", func(t *testing.T, h *hostileEnv) (string, string) {
			url := hostileRPC(t, func(w io.Writer, _ string) {
				endless(w, `{"jsonrpc":"2.0","id":1,"result":{"latestLedger":`, '9', 1<<20, `,"ledgers":[]}}`)
			})
			return bounded(t, h.stellarTestMonitor(t, url), 0)
		}},
		{"rpc-1MB-error-message", "4", func(t *testing.T, h *hostileEnv) (string, string) {
			url := hostileRPC(t, func(w io.Writer, _ string) {
				endless(w, `{"jsonrpc":"2.0","id":1,"error":{"code":-32000,"message":"`, 'e', 1<<20, `"}}`)
			})
			return bounded(t, h.stellarTestMonitor(t, url), 0)
		}},
		{"config-50MB-monitor-name", "4", func(t *testing.T, h *hostileEnv) (string, string) {
			dir := tenantDir(t, map[string][]byte{"monitors/mon.json": stellarMonitor(strings.Repeat("n", 50<<20), "", "hook")})
			return refused(t, h, dir, "", true)
		}},
		{"config-1.4MB-expression", "1", func(t *testing.T, h *hostileEnv) (string, string) {
			expr := "amount > 0" + strings.Repeat(` OR to == "`+strings.Repeat("x", 56)+`"`, 1400<<10/64)
			dir := tenantDir(t, map[string][]byte{"monitors/mon.json": stellarMonitor("mon", expr, "hook")})
			return refused(t, h, dir, "expression", true)
		}},
		{"config-50k-headers", "1,2", func(t *testing.T, h *hostileEnv) (string, string) {
			headers := map[string]string{}
			for i := range 50_000 {
				headers[fmt.Sprintf("X-H-%05d", i)] = "v"
			}
			dir := tenantDir(t, map[string][]byte{"triggers/hook.json": hookTrigger("hook", "https://hooks.example.com/ozmon", headers)})
			return refused(t, h, dir, "headers", false)
		}},
		{"config-100k-triggers-file", "1,2", func(t *testing.T, h *hostileEnv) (string, string) {
			all := map[string]json.RawMessage{}
			for i := range 100_000 {
				var one map[string]json.RawMessage
				name := fmt.Sprintf("hook%06d", i)
				if err := json.Unmarshal(hookTrigger(name, "https://hooks.example.com/ozmon", nil), &one); err != nil {
					t.Fatal(err)
				}
				all[name] = one[name]
			}
			data, err := json.Marshal(all)
			if err != nil {
				t.Fatal(err)
			}
			dir := tenantDir(t, map[string][]byte{"triggers/many.json": data})
			return refused(t, h, dir, "trigger", false)
		}},
		{"config-timeout_ms-4294967295", "3", func(t *testing.T, h *hostileEnv) (string, string) {
			mon := bytes.Replace(stellarMonitor("mon", "", "hook"), []byte(`"trigger_conditions":[]`),
				[]byte(`"trigger_conditions":[{"script_path":"filter.sh","language":"Bash","timeout_ms":4294967295}]`), 1)
			dir := tenantDir(t, map[string][]byte{"monitors/mon.json": mon, "filter.sh": []byte("#!/bin/sh\nsleep 100000\n")})
			return refused(t, h, dir, "timeout_ms", true)
		}},
		{"config-webhook-to-metadata-ip", "12", func(t *testing.T, h *hostileEnv) (string, string) {
			dir := tenantDir(t, map[string][]byte{"triggers/hook.json": hookTrigger("hook", "http://169.254.169.254/latest/meta-data/", nil)})
			return refused(t, h, dir, "169.254.169.254", true)
		}},
		{"config-url-with-CRLF", "12", func(t *testing.T, h *hostileEnv) (string, string) {
			dir := tenantDir(t, map[string][]byte{"triggers/hook.json": hookTrigger("hook", "https://hooks.example.com/a\r\nX-Injected: 1", nil)})
			return refused(t, h, dir, "hook", true)
		}},
		{"config-invalid-UTF-8", "12", func(t *testing.T, h *hostileEnv) (string, string) {
			mon := bytes.Replace(stellarMonitor("mon", "", "hook"), []byte(`"name":"mon"`), []byte("\"name\":\"mon\xff\xfe\""), 1)
			dir := tenantDir(t, map[string][]byte{"monitors/mon.json": mon})
			return refused(t, h, dir, "UTF-8", true)
		}},
		{"config-NUL-in-string", "12", func(t *testing.T, h *hostileEnv) (string, string) {
			// The JSON escape \u0000 decodes to a NUL byte, which PostgreSQL
			// cannot store in text.
			mon := bytes.Replace(stellarMonitor("mon", "", "hook"), []byte(`"name":"mon"`), []byte(`"name":"mon\u0000x"`), 1)
			dir := tenantDir(t, map[string][]byte{"monitors/mon.json": mon})
			return refused(t, h, dir, "NUL", true)
		}},
		{"script-path-escapes-script_dir", "5", func(t *testing.T, h *hostileEnv) (string, string) {
			scripts := t.TempDir()
			outside := filepath.Join(t.TempDir(), "evil.sh")
			if err := os.WriteFile(outside, []byte("#!/bin/sh\ncat /proc/$PPID/environ\n"), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(outside, filepath.Join(scripts, "link.sh")); err != nil {
				t.Fatal(err)
			}
			env := map[string]string{"OZ_MONITOR_NOTIFY_SCRIPTS_ENABLED": "true", "OZ_MONITOR_NOTIFY_SCRIPT_DIR": scripts}
			var verdicts []string
			for _, path := range []string{"../" + filepath.Base(filepath.Dir(outside)) + "/evil.sh", outside, "link.sh"} {
				trig, err := json.Marshal(map[string]any{"run": map[string]any{"name": "run", "trigger_type": "script",
					"config": map[string]any{"language": "Bash", "script_path": path, "timeout_ms": 1000}}})
				if err != nil {
					t.Fatal(err)
				}
				mon := bytes.Replace(stellarMonitor("mon", "", "run"), []byte(`"trigger_conditions":[]`),
					[]byte(fmt.Sprintf(`"trigger_conditions":[{"script_path":%q,"language":"Bash","timeout_ms":1000}]`, path)), 1)
				dir := tenantDir(t, map[string][]byte{"triggers/hook.json": nil, "triggers/run.json": trig, "monitors/mon.json": mon})
				v, _ := refusedWith(t, h, env, dir, "outside the script directory", true)
				verdicts = append(verdicts, v)
			}
			return strings.Join(slices.Compact(verdicts), ","), "../, absolute and symlinked script_path, as trigger and as trigger condition"
		}},
		{"asynqmon-token-of-16-spaces", "11", func(t *testing.T, h *hostileEnv) (string, string) {
			r := ozmonRun(t, h.bin, map[string]string{
				"OZ_MONITOR_REDIS_URL":                StartRedis(t, NoPersistence).URL(),
				"OZ_MONITOR_ASYNQMON_ADDR":            "127.0.0.1:0",
				"OZ_MONITOR_ASYNQMON_BEARER_TOKEN":    strings.Repeat(" ", 16),
				"OZ_MONITOR_ASYNQMON_READ_ONLY_TOKEN": "",
			}, "asynqmon")
			if r.exit == 0 || !strings.Contains(r.output(), "token") {
				t.Errorf("asynqmon started (or failed for another reason) with a token of spaces: exit %d\n%.600s", r.exit, r.output())
			}
			return "refused", fmt.Sprintf("exit %d: %.120s", r.exit, strings.TrimSpace(string(r.stderr)))
		}},
		{"redis-bytes-largest-monitors", "1", redisBytes},
	}
}

// padBytes is how large the hostile tenant makes each monitor's
// expression: just under the default expression limit.
const padBytes = 60 << 10

// redisBytes: one tenant of four gives its monitors expressions as large
// as the limits allow, and they match. Every notification must arrive once,
// and Redis must hold little per deliver task: a task carries a
// reference to the monitor, not the monitor.
func redisBytes(t *testing.T, h *hostileEnv) (string, string) {
	root, err := testkit.ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	w, err := LoadWorkload(context.Background(), filepath.Join(root, "testdata", "stellar", "mainnet"), 4, 3,
		WithPaddedExpression("tenant-00", padBytes))
	if err != nil {
		t.Fatal(err)
	}
	if w.Padded == 0 {
		t.Fatal("no monitor of tenant-00 watches an event whose first argument is an Address: pad another tenant")
	}
	c := NewCluster(t, h.bin, w, Config{})
	c.Scheduler("scheduler")
	c.Worker("worker", nil)
	c.StartLedgers()
	c.AwaitAll(90 * time.Second)
	c.Settle(10 * time.Second)
	v := c.Judge(Rules{})
	rdb := redis.NewClient(&redis.Options{Addr: c.Redis.Addr()})
	defer rdb.Close()
	ctx := context.Background()
	info, err := rdb.Info(ctx, "memory").Result()
	if err != nil {
		t.Fatal(err)
	}
	peak := infoField(info, "used_memory_peak")
	insp := asynq.NewInspector(asynq.RedisClientOpt{Addr: c.Redis.Addr()})
	defer insp.Close()
	largest, tasks, copies := 0, 0, 0
	clause := []byte(strings.Repeat("A", 56))
	queues, err := insp.Queues()
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range queues {
		done, err := insp.ListCompletedTasks(q, asynq.PageSize(10_000))
		if err != nil {
			t.Fatal(err)
		}
		for _, ti := range done {
			if ti.Type != "deliver" {
				continue
			}
			tasks++
			largest = max(largest, len(ti.Payload))
			if bytes.Contains(ti.Payload, clause) {
				copies++
			}
		}
	}
	figures := fmt.Sprintf("%d monitors with %d KiB expressions; %d deliveries (%s); largest deliver payload %d B; Redis used_memory_peak %s",
		w.Padded, padBytes>>10, tasks, v.Summary(), largest, peak)
	t.Log(figures)
	if tasks == 0 {
		t.Fatal("no deliver task kept in Redis to measure")
	}
	// A payload grows with the matched transaction (its events become
	// template variables), never with the tenant's monitor.
	if copies > 0 {
		t.Errorf("%d of %d deliver tasks carry the monitor's expression", copies, tasks)
	}
	return "harmless", figures
}

// infoField reads one field of a Redis INFO answer.
func infoField(info, field string) string {
	for line := range strings.Lines(info) {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), field+":"); ok {
			return v
		}
	}
	return "?"
}

// stellarTestMonitor runs `ozmon test-monitor` on one ledger from url.
func (h *hostileEnv) stellarTestMonitor(t *testing.T, url string) run {
	dir := tenantDir(t, nil)
	return ozmonRun(t, h.bin, nil, "test-monitor", "--monitor", filepath.Join(dir, "monitors", "mon.json"),
		"--network", "stellar_mainnet", "--ledger", "63092982", "--rpc", url)
}

// evmTestMonitor runs `ozmon test-monitor` on one Ethereum block from url.
func (h *hostileEnv) evmTestMonitor(t *testing.T, url string) run {
	mon := []byte(`{"name":"evm","paused":false,"networks":["ethereum_mainnet"],
 "addresses":[{"address":"0xdAC17F958D2ee523a2206206994597C13D831ec7"}],
 "match_conditions":{"functions":[],"transactions":[],"events":[{"signature":"Transfer(address,address,uint256)"}]},
 "trigger_conditions":[],"triggers":[]}`)
	p := filepath.Join(t.TempDir(), "evm.json")
	if err := os.WriteFile(p, mon, 0o644); err != nil {
		t.Fatal(err)
	}
	return ozmonRun(t, h.bin, nil, "test-monitor", "--monitor", p, "--network", "ethereum_mainnet", "--ledger", "20000000", "--rpc", url)
}

// bounded checks a run that had to fail on hostile input: a non-zero
// exit, a short error and, when maxRSSKB is set, a bounded peak RSS.
func bounded(t *testing.T, r run, maxRSSKB int64) (string, string) {
	t.Helper()
	figures := fmt.Sprintf("peak RSS %s, output %d B, %s", mib(r.maxRSSKB), r.outBytes(), r.wall.Round(10*time.Millisecond))
	if r.exit == 0 {
		t.Errorf("exit 0 on a hostile answer\n%.2000s", r.output())
	}
	if r.outBytes() > maxErrorBytes {
		t.Errorf("printed %d bytes (more than %d): the error repeats its input\n%.600s", r.outBytes(), maxErrorBytes, r.output())
	}
	if maxRSSKB > 0 && r.maxRSSKB > maxRSSKB {
		t.Errorf("peak RSS %s, more than %s", mib(r.maxRSSKB), mib(maxRSSKB))
	}
	t.Logf("%s\n%.600s", figures, r.output())
	return "bounded", figures
}

// refused runs `ozmon validate` and `ozmon import` on dir: both must
// refuse it (with a message naming want, when set, and printing little),
// and import must store nothing. mustRefuse false accepts a fast "ok"
// from both as harmless.
func refused(t *testing.T, h *hostileEnv, dir, want string, mustRefuse bool) (string, string) {
	t.Helper()
	return refusedWith(t, h, nil, dir, want, mustRefuse)
}

// refusedWith is refused with the operator's settings env.
func refusedWith(t *testing.T, h *hostileEnv, env map[string]string, dir, want string, mustRefuse bool) (string, string) {
	t.Helper()
	v := ozmonRun(t, h.bin, env, "validate", dir)
	ienv := h.db(t)
	maps.Copy(ienv, env)
	i := ozmonRun(t, h.bin, ienv, "import", "--tenant", "hostile", dir)
	figures := fmt.Sprintf("validate: exit %d, %s CPU, peak RSS %s, output %d B; import: exit %d, %s CPU, peak RSS %s",
		v.exit, v.cpu.Round(time.Millisecond), mib(v.maxRSSKB), v.outBytes(), i.exit, i.cpu.Round(time.Millisecond), mib(i.maxRSSKB))
	t.Logf("%s\nvalidate: %.600s\nimport: %.600s", figures, v.output(), i.output())
	if (v.exit == 0) != (i.exit == 0) {
		t.Errorf("validate exit %d but import exit %d: validate must say what import will do", v.exit, i.exit)
	}
	for _, r := range []run{v, i} {
		if r.outBytes() > maxErrorBytes {
			t.Errorf("printed %d bytes: the error repeats its input", r.outBytes())
		}
		if r.exit != 0 && want != "" && !strings.Contains(r.output(), want) {
			t.Errorf("the refusal does not name %q:\n%.600s", want, r.output())
		}
	}
	if v.exit == 0 {
		if mustRefuse {
			t.Errorf("validate accepted it")
		}
		return "harmless", figures
	}
	return "refused", figures
}
