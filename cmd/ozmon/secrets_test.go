package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"io"
	"log/slog"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ozmon/ozmon/internal/config"
	"github.com/ozmon/ozmon/internal/testkit"
	"github.com/ozmon/ozmon/store/postgres"
)

const (
	cmdSecretHook = "hook-T0KEN-77e0aa"
	cmdSecretRPC  = "rpc-apikey-19bd2c"
)

func keyEntry(id string, b byte) string {
	return id + ":" + base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{b}, 32))
}

// secretsConfig writes a config file for url with the given key entries.
func secretsConfig(t *testing.T, url, active string, require bool, keys ...string) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("database_url: " + url + "\nlog_format: text\nmetrics_addr: \"\"\nsecrets:\n  require_encryption: " + strconv.FormatBool(require) + "\n")
	if active != "" {
		b.WriteString("  active: " + active + "\n")
	}
	if len(keys) > 0 {
		b.WriteString("  keys:\n")
		for _, k := range keys {
			b.WriteString("    - \"" + k + "\"\n")
		}
	}
	p := filepath.Join(t.TempDir(), "config.yaml")
	mustWrite(t, p, b.String())
	return p
}

// TestSecretsMigrationAndRotation is the operator's path: plaintext
// secrets from before, a start refused under require_encryption, 'admin
// secrets rotate' to encrypt them, a second key, rotation, the first key
// removed, and the tenant still loads.
func TestSecretsMigrationAndRotation(t *testing.T) {
	t.Parallel()
	url, _ := testkit.PostgresSchema(t)
	dir := writeImportDir(t, "https://rpc.example/"+cmdSecretRPC, "https://hooks.example/"+cmdSecretHook)
	if code, out, errOut := runCmd(t, "import", "--database-url", url, "--tenant", "acme", "--register-networks", dir); code != 0 {
		t.Fatalf("import without keys: %d %s %s", code, out, errOut)
	}
	pg, err := postgres.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close()
	plaintextRows := func() int {
		t.Helper()
		var n int
		if err := pg.Pool().QueryRow(context.Background(), `SELECT
			(SELECT count(*) FROM tenant_triggers WHERE strpos(configuration::text, $1) > 0) +
			(SELECT count(*) FROM tenant_networks WHERE strpos(configuration::text, $2) > 0) +
			(SELECT count(*) FROM ozmon_networks WHERE strpos(configuration::text, $2) > 0)`, cmdSecretHook, cmdSecretRPC).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := plaintextRows(); n != 3 {
		t.Fatalf("%d plaintext rows before, want 3", n)
	}

	// Required, keyed, but plaintext rows remain: the worker refuses to start.
	k1 := secretsConfig(t, url, "", true, keyEntry("k1", 1))
	o := testkit.Redis(t)
	redisURL := "redis://" + o.Addr + "/" + strconv.Itoa(o.DB)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute) // a guard: a worker that starts runs until cancelled
	defer cancel()
	var wout, werr bytes.Buffer
	code := run(ctx, []string{"worker", "--config", k1, "--redis-url", redisURL}, &wout, &werr)
	if code != 1 || !strings.Contains(werr.String(), "secrets.require_encryption") || !strings.Contains(werr.String(), "3 configuration row(s) hold secrets in plaintext") {
		t.Fatalf("worker with plaintext secrets under require_encryption: code %d, %s", code, werr.String())
	}
	if strings.Contains(werr.String(), cmdSecretHook) || strings.Contains(werr.String(), cmdSecretRPC) {
		t.Fatalf("refusal shows a secret: %s", werr.String())
	}

	// The migration: rotate encrypts the plaintext rows.
	code, out, errOut := runCmd(t, "admin", "secrets", "rotate", "--config", k1)
	if code != 0 || !strings.Contains(out, "rows rewritten: 3 (secrets encrypted: 3, data keys re-wrapped: 0)") {
		t.Fatalf("rotate (encrypt): %d %s %s", code, out, errOut)
	}
	if n := plaintextRows(); n != 0 {
		t.Fatalf("%d plaintext rows after rotate", n)
	}
	// A second key, active: rotate re-wraps.
	k12 := secretsConfig(t, url, "k2", true, keyEntry("k1", 1), keyEntry("k2", 2))
	code, out, errOut = runCmd(t, "admin", "secrets", "rotate", "--config", k12)
	if code != 0 || !strings.Contains(out, "rows rewritten: 3 (secrets encrypted: 0, data keys re-wrapped: 3) under key \"k2\"") {
		t.Fatalf("rotate (re-wrap): %d %s %s", code, out, errOut)
	}
	// The first key removed: status and a start see every row under k2.
	k2 := secretsConfig(t, url, "", true, keyEntry("k2", 2))
	code, out, errOut = runCmd(t, "admin", "secrets", "status", "--config", k2)
	if code != 0 || !strings.Contains(out, "rows with plaintext secrets: 0") || !strings.Contains(out, `rows sealed under key "k2": 3 (active)`) || strings.Contains(out, "k1") {
		t.Fatalf("status: %d %s %s", code, out, errOut)
	}
	cfg, err := config.Load(k2, nil)
	if err != nil {
		t.Fatal(err)
	}
	st, closeStore, err := openStore(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatalf("start with k2 only: %v", err)
	}
	defer closeStore()
	tn, err := pg.TenantBySlug(context.Background(), "acme")
	if err != nil {
		t.Fatal(err)
	}
	tc, err := st.TenantConfig(context.Background(), tn.ID)
	if err != nil || len(tc.Problems) > 0 {
		t.Fatalf("load with k2 only: %v %v", tc.Problems, err)
	}
	if u, _ := tc.Config.Triggers["hook"].Webhook.URL.Resolve(nil); !strings.HasSuffix(u, cmdSecretHook) {
		t.Fatal("webhook URL not given back")
	}
	// Without k2 the key is missing: refused under require_encryption.
	k3 := secretsConfig(t, url, "", true, keyEntry("k3", 3))
	if cfg, err = config.Load(k3, nil); err != nil {
		t.Fatal(err)
	}
	if _, _, err := openStore(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil))); err == nil || !strings.Contains(err.Error(), `"k2" (3 rows)`) {
		t.Fatalf("start with the data's key missing: %v", err)
	}
}

// TestSecretKeysErrorsShowNoKey: a bad entry is named by position, never
// by its text.
func TestSecretKeysErrorsShowNoKey(t *testing.T) {
	t.Parallel()
	short := "k1:" + base64.StdEncoding.EncodeToString([]byte("0123456789abcdef"))
	file := filepath.Join(t.TempDir(), "keys")
	mustWrite(t, file, "# operator keys\n"+keyEntry("k1", 1)+"\n\nnocolonXYZsecretmaterial\n")
	for _, c := range []struct {
		cfg  config.Secrets
		want string
	}{
		{config.Secrets{Keys: config.KeyList{short}}, "entry 1 (id \"k1\"): key decodes to 16 bytes"},
		{config.Secrets{KeysFile: file}, "key entry 2: want id:base64key"},
		{config.Secrets{KeysFile: filepath.Join(t.TempDir(), "absent")}, "secrets.keys_file"},
	} {
		_, err := secretKeys(c.cfg)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("err = %v, want %q", err, c.want)
			continue
		}
		if strings.Contains(err.Error(), "MDEyMzQ1") || strings.Contains(err.Error(), "XYZsecret") {
			t.Errorf("error shows key material: %v", err)
		}
	}
}
