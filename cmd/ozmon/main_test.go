package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ozmon/ozmon/chain/stellar"
	"github.com/ozmon/ozmon/internal/testkit"
	"github.com/ozmon/ozmon/ozmontest"
	"github.com/ozmon/ozmon/store/postgres"
	"github.com/stellar/go-stellar-sdk/network"
)

func runCmd(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var o, e bytes.Buffer
	code = run(context.Background(), args, &o, &e)
	return code, o.String(), e.String()
}

func TestUsageAndUnknownCommand(t *testing.T) {
	t.Parallel()
	if code, _, errOut := runCmd(t); code != 2 || !strings.Contains(errOut, "test-monitor") {
		t.Fatalf("no args: code %d, %q", code, errOut)
	}
	if code, _, errOut := runCmd(t, "frobnicate"); code != 2 || !strings.Contains(errOut, `unknown command "frobnicate"`) {
		t.Fatalf("unknown: code %d, %q", code, errOut)
	}
}

func TestValidateExamplesAndBrokenConfig(t *testing.T) {
	t.Parallel()
	// The project's own broken configs: every one must fail with a message.
	dirs, _ := filepath.Glob(filepath.Join("..", "..", "monitor", "ozconfig", "testdata", "broken", "*"))
	if len(dirs) < 25 {
		t.Fatalf("found %d broken configs, want ≥ 25", len(dirs))
	}
	for _, d := range dirs {
		if st, err := os.Stat(d); err != nil || !st.IsDir() {
			continue
		}
		code, out, _ := runCmd(t, "validate", d)
		if code != 1 || strings.TrimSpace(out) == "" {
			t.Errorf("validate %s: code %d, output %q; want 1 and the errors", d, code, out)
		}
	}
	// A good directory validates.
	good := t.TempDir()
	mustWrite(t, filepath.Join(good, "networks", "stellar_testnet.json"), `{"network_type":"Stellar","slug":"stellar_testnet","name":"t",
		"rpc_urls":[{"type_":"rpc","url":{"type":"plain","value":"https://rpc.example"},"weight":100}],"network_passphrase":"Test SDF Network ; September 2015",
		"block_time_ms":5000,"confirmation_blocks":1,"cron_schedule":"*/5 * * * * *","max_past_blocks":20,"store_blocks":false}`)
	for _, sub := range []string{"monitors", "triggers"} {
		if err := os.MkdirAll(filepath.Join(good, sub), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if code, out, errOut := runCmd(t, "validate", good); code != 0 || !strings.Contains(out, ": ok") {
		t.Fatalf("good dir: code %d %s %s", code, out, errOut)
	}
}

func mustWrite(t *testing.T, path, body string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestTestMonitorOverRealLedgers runs `ozmon test-monitor` against the
// mainnet ledger files and against the simulator serving them: a monitor
// on failed transactions matches exactly the failed transactions of the
// range, one JSON line each.
func TestTestMonitorOverRealLedgers(t *testing.T) {
	t.Parallel()
	dir := testkit.SharedPath(t, "testdata", "stellar", "mainnet")
	failed := 0
	for seq := uint64(63092982); seq <= 63092984; seq++ {
		matches, _ := filepath.Glob(filepath.Join(dir, "*"))
		for _, p := range matches {
			data, err := stellar.ReadLedgerFile(p)
			if err != nil {
				continue
			}
			b, err := stellar.DecodeLedgerXDR("stellar_mainnet", network.PublicNetworkPassphrase, data)
			if err != nil || b.Ledger != seq {
				continue
			}
			for _, tx := range b.Transactions {
				if !tx.Success {
					failed++
				}
			}
		}
	}
	if failed == 0 {
		t.Fatal("no failed transactions in the range to test with")
	}
	mon := filepath.Join(t.TempDir(), "failed.json")
	mustWrite(t, mon, `{"name":"Failed txs","paused":false,"networks":["stellar_mainnet"],"addresses":[],
		"match_conditions":{"functions":[],"events":[],"transactions":[{"status":"Failure"}]},"trigger_conditions":[],"triggers":[]}`)
	check := func(how string, code int, out, errOut string) {
		t.Helper()
		if code != 0 {
			t.Fatalf("%s: code %d: %s", how, code, errOut)
		}
		lines := strings.Split(strings.TrimSpace(out), "\n")
		if len(lines) != failed+1 {
			t.Fatalf("%s: %d lines, want %d matches + summary", how, len(lines), failed)
		}
		var m map[string]json.RawMessage
		if err := json.Unmarshal([]byte(lines[0]), &m); err != nil || m["Stellar"] == nil {
			t.Fatalf("%s: first line is not a Stellar MonitorMatch: %s", how, lines[0])
		}
		if !strings.HasPrefix(lines[len(lines)-1], strings.TrimSpace(strings.Split(lines[len(lines)-1], " ")[0])+" match(es)") {
			t.Fatalf("%s: summary %q", how, lines[len(lines)-1])
		}
	}
	code, out, errOut := runCmd(t, "test-monitor", "--monitor", mon, "--network", "stellar_mainnet", "--ledger", "63092982:63092984", "--ledgers", dir)
	check("--ledgers", code, out, errOut)
	sim := ozmontest.StartStellarSim(t, ozmontest.SimLedgerDir(dir), ozmontest.SimInitialTip(63093001))
	code, out, errOut = runCmd(t, "test-monitor", "--monitor", mon, "--network", "stellar_mainnet", "--ledger", "63092982:63092984", "--rpc", sim.URL())
	check("--rpc", code, out, errOut)
	if c := sim.Calls("getLedgers"); c != 1 {
		t.Errorf("getLedgers calls = %d, want 1 (one batch for the range)", c)
	}
	// Bad input is named.
	if code, _, errOut := runCmd(t, "test-monitor", "--monitor", mon, "--network", "stellar_futurenet", "--ledger", "1", "--ledgers", dir); code != 1 || !strings.Contains(errOut, "--network-file") {
		t.Fatalf("unknown network: %d %s", code, errOut)
	}
	if code, _, errOut := runCmd(t, "test-monitor", "--monitor", mon, "--network", "stellar_mainnet", "--ledger", "9:3", "--ledgers", dir); code != 1 || !strings.Contains(errOut, "M ≥ N") {
		t.Fatalf("bad range: %d %s", code, errOut)
	}
}

// TestImportIntoPostgres imports an OpenZeppelin Monitor config directory
// as a tenant (registering its network for the operator), and refuses a
// broken one without writing anything.
func TestImportIntoPostgres(t *testing.T) {
	t.Parallel()
	url, _ := testkit.PostgresSchema(t)
	dir := writeImportDir(t, "https://rpc.example", "https://hooks.example/x")
	code, out, errOut := runCmd(t, "import", "--database-url", url, "--tenant", "acme", "--tier", "high", "--register-networks", dir)
	if code != 0 || !strings.Contains(out, "imported tenant acme") || !strings.Contains(out, "1 monitors") {
		t.Fatalf("import: %d %s %s", code, out, errOut)
	}
	// Broken: an expression that does not parse. Nothing changes.
	mustWrite(t, filepath.Join(dir, "monitors", "m.json"), `{"name":"Failed","paused":false,"networks":["stellar_testnet"],"addresses":[],
		"match_conditions":{"functions":[],"events":[],"transactions":[{"status":"Failure","expression":"value >"}]},"trigger_conditions":[],"triggers":["hook"]}`)
	code, out, _ = runCmd(t, "import", "--database-url", url, "--tenant", "acme", dir)
	if code != 1 || !strings.Contains(out, "monitors/m.json: match_conditions.transactions[0].expression") {
		t.Fatalf("broken import: %d %q", code, out)
	}
	st, err := postgres.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	tn, err := st.TenantBySlug(context.Background(), "acme")
	if err != nil || tn.Tier != "high" {
		t.Fatalf("tenant = %+v, %v", tn, err)
	}
	tc, err := st.TenantConfig(context.Background(), tn.ID)
	if err != nil || len(tc.Config.Monitors) != 1 || tc.Config.Monitors["Failed"].MatchConditions.Transactions[0].Expression != "" {
		t.Fatalf("stored config changed by a refused import: %+v %v", tc, err)
	}
	nets, err := st.Networks(context.Background())
	if err != nil || len(nets) != 1 || nets[0].Slug != "stellar_testnet" {
		t.Fatalf("registry = %+v %v", nets, err)
	}
}

// writeImportDir writes a config directory of one Stellar network (RPC at
// rpcURL), one monitor and one webhook trigger (to hookURL).
func writeImportDir(t *testing.T, rpcURL, hookURL string) string {
	t.Helper()
	dir := t.TempDir()
	mustWrite(t, filepath.Join(dir, "networks", "stellar_testnet.json"), `{"network_type":"Stellar","slug":"stellar_testnet","name":"t",
		"rpc_urls":[{"type_":"rpc","url":{"type":"plain","value":"`+rpcURL+`"},"weight":100}],"network_passphrase":"Test SDF Network ; September 2015",
		"block_time_ms":5000,"confirmation_blocks":1,"cron_schedule":"*/5 * * * * *","max_past_blocks":20,"store_blocks":false}`)
	mustWrite(t, filepath.Join(dir, "monitors", "m.json"), `{"name":"Failed","paused":false,"networks":["stellar_testnet"],"addresses":[],
		"match_conditions":{"functions":[],"events":[],"transactions":[{"status":"Failure"}]},"trigger_conditions":[],"triggers":["hook"]}`)
	mustWrite(t, filepath.Join(dir, "triggers", "t.json"), `{"hook":{"name":"hook","trigger_type":"webhook","config":{"url":{"type":"plain","value":"`+hookURL+`"},"method":"POST","message":{"title":"t","body":"b"}}}}`)
	return dir
}

// TestImportRefusesPrivateDestinations: a webhook on loopback, a private
// or a metadata address is refused at import (SSRF), naming the trigger.
func TestImportRefusesPrivateDestinations(t *testing.T) {
	t.Parallel()
	url, _ := testkit.PostgresSchema(t)
	for _, dest := range []string{"http://127.0.0.1:8080/x", "http://169.254.169.254/latest", "http://10.0.0.1/hook", "http://[::1]/x"} {
		dir := writeImportDir(t, "https://rpc.example", dest)
		code, out, errOut := runCmd(t, "import", "--database-url", url, "--tenant", "acme", dir)
		if code != 1 || !strings.Contains(out, "triggers/t.json: hook:") || !strings.Contains(errOut, "nothing imported") {
			t.Errorf("%s: code %d out %q err %q", dest, code, out, errOut)
		}
		if strings.Contains(out, dest) {
			t.Errorf("the refusal repeats the (secret-bearing) URL: %s", out)
		}
	}
}

// TestFlagsWinOverEnvironmentAndFile: flags > OZ_MONITOR_* > file > defaults.
func TestFlagsWinOverEnvironmentAndFile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "c.yaml")
	mustWrite(t, file, "redis_url: redis://file:1\nmetrics_addr: \":1111\"\nlog_level: warn\n")
	t.Setenv("OZ_MONITOR_REDIS_URL", "redis://env:2")
	t.Setenv("OZ_MONITOR_METRICS_ADDR", ":2222")
	fs := flag.NewFlagSet("x", flag.ContinueOnError)
	cf := addCommon(fs)
	if err := fs.Parse([]string{"--config", file, "--redis-url", "redis://flag:3"}); err != nil {
		t.Fatal(err)
	}
	cfg, err := cf.load()
	if err != nil {
		t.Fatal(err)
	}
	if cfg.RedisURL != "redis://flag:3" || cfg.MetricsAddr != ":2222" || cfg.LogLevel != "warn" || cfg.BlockCache.KeyPrefix != "oz_cache" {
		t.Fatalf("precedence wrong: redis %q metrics %q level %q prefix %q", cfg.RedisURL, cfg.MetricsAddr, cfg.LogLevel, cfg.BlockCache.KeyPrefix)
	}
}

// TestDevShowsNotifications runs `ozmon dev` on its embedded defaults
// (in-process Redis, simulator, sample tenants, local sink) for a few
// seconds: notifications print.
func TestDevShowsNotifications(t *testing.T) {
	t.Chdir(t.TempDir()) // dev writes its sample tenants under .ozmon/
	t.Setenv("OZ_MONITOR_REDIS_URL", "")
	code, out, errOut := runCmd(t, "dev", "--for", "8s", "--ledger-interval", "500ms", "--metrics-addr", "", "--api-addr", "")
	if code != 0 {
		t.Fatalf("dev exited %d: %s", code, errOut)
	}
	if n := strings.Count(out, "notification "); n == 0 {
		t.Fatalf("no notification printed in 8 s; stderr:\n%s", errOut)
	}
	if !strings.Contains(errOut, "DEV MODE") {
		t.Fatal("the in-process Redis warning is missing")
	}
	if _, err := os.Stat(filepath.Join(".ozmon", "dev", "config", "tenants", "acme", "monitors")); err != nil {
		t.Fatalf("sample tenants not written: %v", err)
	}
}

// TestTestMonitorEVM runs OpenZeppelin Monitor's EVM fixture monitor
// against the EVM simulator serving the fixture blocks: block 21306058
// has exactly one match (tx 0xd5069b…), as OZ's execution test expects.
func TestTestMonitorEVM(t *testing.T) {
	t.Parallel()
	read := func(elem ...string) []byte {
		data, err := os.ReadFile(testkit.SharedPath(t, append([]string{"testdata", "ozmonitor", "evm"}, elem...)...))
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	sim := ozmontest.StartEVMSim(t, ozmontest.EVMSimFixtures(read("blocks.json"), read("transaction_receipts.json")))
	mon := testkit.SharedPath(t, "testdata", "ozmonitor", "evm", "monitors", "monitor.json")
	code, out, errOut := runCmd(t, "test-monitor", "--monitor", mon, "--network", "ethereum_mainnet", "--ledger", "21306058", "--rpc", sim.URL())
	if code != 0 {
		t.Fatalf("code %d: %s", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], `"EVM"`) ||
		!strings.Contains(lines[0], "0xd5069b22a3a89a36d592d5a1f72a281bc5d11d6d0bac6f0a878c13abb764b6d8") {
		t.Fatalf("output:\n%s", out)
	}
	if code, _, errOut := runCmd(t, "test-monitor", "--monitor", mon, "--network", "ethereum_mainnet", "--ledger", "21306058", "--ledgers", "/tmp"); code != 1 || !strings.Contains(errOut, "EVM network") {
		t.Fatalf("EVM with --ledgers: %d %s", code, errOut)
	}
}

// TestSimulateServesBothChains starts `ozmon simulate` for each HTTP chain (Stellar, EVM, Solana;
// Midnight's WebSocket one is TestSimulateMidnight) and
// reads its tip over JSON-RPC.
func TestSimulateServesBothChains(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ chain, method, want string }{
		{"stellar", "getHealth", `"latestLedger"`},
		{"evm", "eth_blockNumber", `"result":"0x`},
		{"solana", "getSlot", `"result":300000009`},
	} {
		ctx, cancel := context.WithCancel(context.Background())
		var out, errOut syncBuffer
		done := make(chan int)
		go func() {
			done <- run(ctx, []string{"simulate", "--chain", c.chain, "--addr", "127.0.0.1:0", "--interval", "0"}, &out, &errOut)
		}()
		var url string
		waitFor(t, func() bool {
			_, rest, ok := strings.Cut(out.String(), " on ")
			if ok {
				url = strings.Fields(rest)[0]
				url = strings.TrimSuffix(url, ",")
			}
			return ok
		})
		resp, err := http.Post(url, "application/json", strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"`+c.method+`"}`))
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if !strings.Contains(string(body), c.want) {
			t.Errorf("%s %s: %s", c.chain, c.method, body)
		}
		cancel()
		if code := <-done; code != 0 {
			t.Errorf("%s simulate exited %d: %s", c.chain, code, errOut.String())
		}
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for i := 0; i < 200 && !cond(); i++ {
		time.Sleep(25 * time.Millisecond)
	}
	if !cond() {
		t.Fatal("condition not met in 5 s")
	}
}

// TestImportProjectRoot: import takes what validate takes — an
// OpenZeppelin Monitor project root (its config/ folder) and files whose
// extension is upper case — and stores each item's original JSON.
func TestImportProjectRoot(t *testing.T) {
	t.Parallel()
	url, _ := testkit.PostgresSchema(t)
	dir := t.TempDir()
	cfgDir := filepath.Join(dir, "config")
	mustWrite(t, filepath.Join(cfgDir, "networks", "stellar_testnet.json"), `{"network_type":"Stellar","slug":"stellar_testnet","name":"t",
		"rpc_urls":[{"type_":"rpc","url":{"type":"plain","value":"https://rpc.example"},"weight":100}],"network_passphrase":"Test SDF Network ; September 2015",
		"block_time_ms":5000,"confirmation_blocks":1,"cron_schedule":"*/5 * * * * *","max_past_blocks":20,"store_blocks":false}`)
	monitorJSON := `{"name":"Failed","paused":false,"networks":["stellar_testnet"],"addresses":[],
		"match_conditions":{"functions":[],"events":[],"transactions":[{"status":"Failure"}]},"trigger_conditions":[],"triggers":["hook"]}`
	mustWrite(t, filepath.Join(cfgDir, "monitors", "M.JSON"), monitorJSON)
	mustWrite(t, filepath.Join(cfgDir, "triggers", "t.json"), `{"hook":{"name":"hook","trigger_type":"webhook","config":{"url":{"type":"plain","value":"https://hooks.example/x"},"method":"POST","message":{"title":"t","body":"b"}}}}`)
	code, out, errOut := runCmd(t, "import", "--database-url", url, "--tenant", "acme", dir)
	if code != 0 || !strings.Contains(out, "1 networks, 1 monitors, 1 triggers") {
		t.Fatalf("import of a project root: %d %s %s", code, out, errOut)
	}
	st, err := postgres.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var stored string
	if err := st.Pool().QueryRow(context.Background(), `SELECT configuration::text FROM tenant_monitors WHERE name = 'Failed'`).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	var a, b any
	if err := json.Unmarshal([]byte(stored), &a); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(monitorJSON), &b); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a, b) {
		t.Fatalf("stored monitor %s, want the file's JSON", stored)
	}
}
