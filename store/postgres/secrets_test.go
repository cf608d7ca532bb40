package postgres

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/ozmon/ozmon/store"
	"github.com/ozmon/ozmon/store/envelope"
)

// Secrets of the fixture below, distinctive enough that a match is theirs.
const (
	secretHook   = "hook-T0KEN-4f9c2e"
	secretHeader = "Bearer hdr-8a1d77"
	secretRPC    = "rpc-apikey-c3b5e1"
)

func secretFixture() fixture {
	f := standardFixture()
	f.Networks["stellar_testnet"] = strings.Replace(networkJSON("stellar_testnet"),
		"https://rpc.example.org/stellar_testnet", "https://rpc.example.org/"+secretRPC, 1)
	hook := strings.Replace(strings.Replace(triggerJSON("Ops hook"), "https://hooks.example.org/ops-hook",
		"https://hooks.example.org/"+secretHook, 1), "Bearer abc", secretHeader, 1)
	f.Triggers["ops_hook"] = hook
	return f
}

var allSecrets = []string{secretHook, secretHeader, secretRPC}

func testKeyring(tb testing.TB, active string, keys map[string]byte) *envelope.Keyring {
	tb.Helper()
	m := map[string][]byte{}
	for id, b := range keys {
		m[id] = bytes.Repeat([]byte{b}, envelope.KeySize)
	}
	k, err := envelope.NewKeyring(m, active)
	if err != nil {
		tb.Fatal(err)
	}
	return k
}

// plaintextAtRest returns "table: secret" for each secret found in any
// column of any table of the store's schema: every row is read as text
// (bytea shows as hex, so the secret's hex is looked for too).
func plaintextAtRest(tb testing.TB, s *Store, secrets ...string) []string {
	tb.Helper()
	ctx := context.Background()
	rows, err := s.pool.Query(ctx, `SELECT table_name FROM information_schema.tables
		WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`)
	if err != nil {
		tb.Fatal(err)
	}
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		tb.Fatal(err)
	}
	if len(tables) < 5 {
		tb.Fatalf("only %d tables in the schema: %v", len(tables), tables)
	}
	var found []string
	for _, table := range tables {
		for _, sec := range secrets {
			var n int
			q := `SELECT count(*) FROM ` + pgx.Identifier{table}.Sanitize() + ` t
				WHERE strpos(t::text, $1) > 0 OR strpos(t::text, $2) > 0`
			if err := s.pool.QueryRow(ctx, q, sec, hex.EncodeToString([]byte(sec))).Scan(&n); err != nil {
				tb.Fatalf("scan %s: %v", table, err)
			}
			if n > 0 {
				found = append(found, table+": "+sec)
			}
		}
	}
	return found
}

func TestImportSealsSecretsAtRest(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _ := openTestStore(t, WithKeyring(testKeyring(t, "k1", map[string]byte{"k1": 1})))
	// Without a keyring the scan must see the secrets: it proves the scan.
	plain, _ := openTestStore(t)
	importFixture(t, plain, "acme", secretFixture())
	if got := plaintextAtRest(t, plain, allSecrets...); len(got) != 3 {
		t.Fatalf("scan of a plaintext store found %v, want all 3 secrets", got)
	}

	id := importFixture(t, s, "acme", secretFixture())
	if got := plaintextAtRest(t, s, allSecrets...); len(got) > 0 {
		t.Fatalf("secrets stored in plaintext: %v", got)
	}
	tc, err := s.TenantConfig(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if len(tc.Problems) > 0 {
		t.Fatalf("problems: %v", tc.Problems)
	}
	hook, err := tc.Config.Triggers["ops_hook"].Webhook.URL.Resolve(nil)
	if err != nil || !strings.HasSuffix(hook, secretHook) {
		t.Fatalf("webhook URL = %v", err)
	}
	if h := tc.Config.Triggers["ops_hook"].Webhook.Headers["Authorization"]; h != secretHeader {
		t.Fatal("header not given back")
	}
	rpc, err := tc.Config.Networks["stellar_testnet"].RPCURLs[0].URL.Resolve(nil)
	if err != nil || !strings.HasSuffix(rpc, secretRPC) {
		t.Fatalf("rpc URL = %v", err)
	}
}

// importFromRegistry puts secretFixture's network into the operator's
// registry and imports the rest, so the tenant gets the registry's copy.
func importFromRegistry(t *testing.T, s *Store) string {
	t.Helper()
	ctx := context.Background()
	f := secretFixture()
	if err := s.UpsertNetwork(ctx, "stellar_testnet", []byte(f.Networks["stellar_testnet"])); err != nil {
		t.Fatal(err)
	}
	cfg, raw := f.Build(t)
	delete(cfg.Networks, "stellar_testnet")
	delete(raw.Networks, "stellar_testnet")
	id, err := s.ImportTenant(ctx, "acme", cfg, raw)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func TestOperatorNetworksSealedAtRest(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _ := openTestStore(t, WithKeyring(testKeyring(t, "k1", map[string]byte{"k1": 1})))
	id := importFromRegistry(t, s) // copies the registry entry into tenant_networks
	if got := plaintextAtRest(t, s, allSecrets...); len(got) > 0 {
		t.Fatalf("secrets stored in plaintext: %v", got)
	}
	list, err := s.Networks(ctx)
	if err != nil || len(list) != 1 {
		t.Fatalf("networks: %v, %v", list, err)
	}
	if u, _ := list[0].Config.RPCURLs[0].URL.Resolve(nil); !strings.HasSuffix(u, secretRPC) {
		t.Fatal("registry RPC URL not given back")
	}
	tc, err := s.TenantConfig(ctx, id)
	if err != nil || len(tc.Problems) > 0 {
		t.Fatalf("load: %v, %v", tc.Problems, err)
	}
	if u, _ := tc.Config.Networks["stellar_testnet"].RPCURLs[0].URL.Resolve(nil); !strings.HasSuffix(u, secretRPC) {
		t.Fatal("tenant's copy of the registry RPC URL not given back")
	}
}

func TestRotateSecretsThenRemoveOldKey(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	old, url := openTestStore(t, WithKeyring(testKeyring(t, "k1", map[string]byte{"k1": 1})))
	id := importFromRegistry(t, old)

	both := reopen(t, url, old, testKeyring(t, "k2", map[string]byte{"k1": 1, "k2": 2}))
	r, err := both.RotateSecrets(ctx)
	if err != nil || len(r.Failed) > 0 {
		t.Fatalf("rotate: %+v, %v", r, err)
	}
	// registry network, tenant network, two triggers (URL + header each)
	if r.Rows != 4 || r.Rewrapped != 6 || r.Sealed != 0 {
		t.Fatalf("rotation = %+v, want 4 rows, 6 re-wrapped", r)
	}
	at, err := both.SecretsAtRest(ctx)
	if err != nil || at.PlaintextRows != 0 || at.SealedRows["k1"] != 0 || at.SealedRows["k2"] != 4 {
		t.Fatalf("at rest after rotation: %+v, %v", at, err)
	}
	if again, err := both.RotateSecrets(ctx); err != nil || again.Rows != 0 {
		t.Fatalf("second rotation rewrote rows: %+v, %v", again, err)
	}

	newOnly := reopen(t, url, old, testKeyring(t, "k2", map[string]byte{"k2": 2}))
	tc, err := newOnly.TenantConfig(ctx, id)
	if err != nil || len(tc.Problems) > 0 {
		t.Fatalf("load with the old key removed: %v, %v", tc.Problems, err)
	}
	if u, _ := tc.Config.Triggers["ops_hook"].Webhook.URL.Resolve(nil); !strings.HasSuffix(u, secretHook) {
		t.Fatal("webhook URL not given back")
	}
	if list, err := newOnly.Networks(ctx); err != nil || len(list) != 1 {
		t.Fatalf("registry with the old key removed: %v, %v", list, err)
	}
	if err := newOnly.CheckSecrets(ctx, true); err != nil {
		t.Fatalf("check after rotation: %v", err)
	}
}

// reopen opens another Store on the schema of s, with keys.
func reopen(t *testing.T, url string, s *Store, keys *envelope.Keyring) *Store {
	t.Helper()
	o, err := Open(context.Background(), url, WithNotifyChannel(s.channel), WithKeyring(keys))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(o.Close)
	return o
}

func TestRotateSecretsEncryptsPlaintextRows(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	plain, url := openTestStore(t)
	id := importFixture(t, plain, "acme", secretFixture())
	at, err := plain.SecretsAtRest(ctx)
	if err != nil || at.PlaintextRows != 3 {
		t.Fatalf("at rest before: %+v, %v (want 3 plaintext rows)", at, err)
	}
	if _, err := plain.RotateSecrets(ctx); !errors.Is(err, envelope.ErrNoKey) {
		t.Fatalf("rotate without keys: %v", err)
	}
	s := reopen(t, url, plain, testKeyring(t, "k1", map[string]byte{"k1": 1}))
	r, err := s.RotateSecrets(ctx)
	if err != nil || len(r.Failed) > 0 || r.Rows != 3 || r.Sealed != 5 {
		t.Fatalf("rotate: %+v, %v (want 3 rows, 5 secrets sealed)", r, err)
	}
	if got := plaintextAtRest(t, s, allSecrets...); len(got) > 0 {
		t.Fatalf("secrets left in plaintext: %v", got)
	}
	tc, err := s.TenantConfig(ctx, id)
	if err != nil || len(tc.Problems) > 0 {
		t.Fatalf("load: %v, %v", tc.Problems, err)
	}
	if h := tc.Config.Triggers["ops_hook"].Webhook.Headers["Authorization"]; h != secretHeader {
		t.Fatal("header not given back")
	}
}

func TestSealedRowsRefuseWrongKeyAndOtherTenant(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, url := openTestStore(t, WithKeyring(testKeyring(t, "k1", map[string]byte{"k1": 1})))
	acme := importFixture(t, s, "acme", secretFixture())
	other := importFixture(t, s, "other", standardFixture())

	wantProblem := func(s *Store, id, slug, table, name string, want error) {
		t.Helper()
		tc, err := s.TenantConfig(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range tc.Problems {
			var ie *store.ItemError
			if errors.As(p, &ie) && ie.Table == table && ie.Name == name {
				msg := p.Error()
				if !errors.Is(p, want) || !strings.Contains(msg, "tenant "+slug) || !strings.Contains(msg, name) {
					t.Fatalf("problem = %v, want %v naming tenant %s and %s", p, want, slug, name)
				}
				for _, sec := range append(allSecrets, "hooks.example.org") {
					if strings.Contains(msg, sec) {
						t.Fatalf("problem holds a secret: %v", msg)
					}
				}
				return
			}
		}
		t.Fatalf("no problem for %s %s %q in %v", slug, table, name, tc.Problems)
	}

	// The same key id with other bytes.
	wrong := reopen(t, url, s, testKeyring(t, "k1", map[string]byte{"k1": 9}))
	wantProblem(wrong, acme, "acme", tableTriggers, "ops_hook", envelope.ErrOpen)
	// No key at all: the row says which key it needs.
	none := reopen(t, url, s, testKeyring(t, "k7", map[string]byte{"k7": 7}))
	wantProblem(none, acme, "acme", tableNetworks, "stellar_testnet", envelope.ErrNoKey)

	// acme's sealed trigger copied into another tenant's row of the same
	// name: it belongs to acme and does not open for other.
	if _, err := s.pool.Exec(ctx, `UPDATE tenant_triggers d SET configuration = src.configuration
		FROM tenant_triggers src WHERE src.tenant_id = $1 AND src.name = 'ops_hook'
		AND d.tenant_id = $2 AND d.name = 'ops_hook'`, acme, other); err != nil {
		t.Fatal(err)
	}
	wantProblem(s, other, "other", tableTriggers, "ops_hook", envelope.ErrOpen)
	// and into another record of the same tenant.
	if _, err := s.pool.Exec(ctx, `UPDATE tenant_triggers d SET configuration = src.configuration
		FROM tenant_triggers src WHERE src.tenant_id = $1 AND src.name = 'ops_hook'
		AND d.tenant_id = $1 AND d.name = 'big_hook'`, acme); err != nil {
		t.Fatal(err)
	}
	wantProblem(s, acme, "acme", tableTriggers, "big_hook", envelope.ErrOpen)
}

func TestCheckSecrets(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	plain, url := openTestStore(t)
	if err := plain.CheckSecrets(ctx, false); err != nil {
		t.Fatalf("empty store: %v", err)
	}
	if err := plain.CheckSecrets(ctx, true); !errors.Is(err, errSecretsPolicy) {
		t.Fatalf("require without keys: %v", err)
	}
	importFixture(t, plain, "acme", secretFixture())
	if err := plain.CheckSecrets(ctx, false); err != nil {
		t.Fatalf("plaintext, not required: %v (want a warning only)", err)
	}
	keyed := reopen(t, url, plain, testKeyring(t, "k1", map[string]byte{"k1": 1}))
	err := keyed.CheckSecrets(ctx, true)
	if !errors.Is(err, errSecretsPolicy) || !strings.Contains(err.Error(), "3 configuration row(s) hold secrets in plaintext") {
		t.Fatalf("require with plaintext rows: %v", err)
	}
	if _, err := keyed.RotateSecrets(ctx); err != nil {
		t.Fatal(err)
	}
	if err := keyed.CheckSecrets(ctx, true); err != nil {
		t.Fatalf("require after rotation: %v", err)
	}
	other := reopen(t, url, plain, testKeyring(t, "k2", map[string]byte{"k2": 2}))
	if err := other.CheckSecrets(ctx, true); !errors.Is(err, errSecretsPolicy) || !strings.Contains(err.Error(), `"k1" (3 rows)`) {
		t.Fatalf("require with a key missing: %v", err)
	}
	if err := other.CheckSecrets(ctx, false); err != nil {
		t.Fatalf("key missing, not required: %v (want a warning only)", err)
	}
}
