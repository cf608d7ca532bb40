package main

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/ozmon/ozmon/auth"
	"github.com/ozmon/ozmon/internal/testkit"
	"github.com/ozmon/ozmon/store/postgres"
)

// accounts runs 'ozmon admin <what> <args…>' against url with stdin.
func accounts(t *testing.T, url, stdin, what string, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := runAdminAccounts(context.Background(), what, append(args, "--database-url", url), strings.NewReader(stdin), &out, &errOut)
	return out.String() + errOut.String(), err
}

func mustAccounts(t *testing.T, url, stdin, what string, args ...string) string {
	t.Helper()
	out, err := accounts(t, url, stdin, what, args...)
	if err != nil {
		t.Fatalf("admin %s %v: %v\n%s", what, args, err, out)
	}
	return out
}

func wantAccountsError(t *testing.T, url, what, want string, args ...string) {
	t.Helper()
	out, err := accounts(t, url, "", what, args...)
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("admin %s %v: err %v (%s), want %q", what, args, err, out, want)
	}
}

func TestAdminTenantsKeysUsers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url, _ := testkit.PostgresSchema(t)

	out := mustAccounts(t, url, "", "tenants", "create", "--slug", "acme", "--tier", "high", "--max-monitors", "3")
	if !strings.Contains(out, "tenant acme created: id ") {
		t.Fatalf("create: %s", out)
	}
	mustAccounts(t, url, "", "tenants", "create", "--slug", "other", "--name", "Other Inc")
	wantAccountsError(t, url, "tenants", "already exists", "create", "--slug", "acme")
	wantAccountsError(t, url, "tenants", "slug", "create", "--slug", "Bad Slug")
	wantAccountsError(t, url, "tenants", "unknown tier", "create", "--slug", "x", "--tier", "gold")
	wantAccountsError(t, url, "tenants", "max_monitors -1", "create", "--slug", "y", "--max-monitors", "-1")

	out = mustAccounts(t, url, "", "tenants", "list")
	if !strings.Contains(out, "acme") || !strings.Contains(out, "high") || !strings.Contains(out, "Other Inc") {
		t.Fatalf("list: %s", out)
	}
	out = mustAccounts(t, url, "", "tenants", "set", "--tenant", "acme", "--max-monitors", "7", "--active", "false", "--tier", "low")
	if f := strings.Fields(strings.Split(strings.TrimSpace(out), "\n")[1]); f[3] != "low" || f[4] != "false" || f[5] != "7" {
		t.Fatalf("set: %s", out)
	}
	wantAccountsError(t, url, "tenants", `unknown tenant "nope"`, "set", "--tenant", "nope", "--active", "true")
	wantAccountsError(t, url, "tenants", "--active", "set", "--tenant", "acme", "--active", "maybe")
	mustAccounts(t, url, "", "tenants", "set", "--tenant", "acme", "--active", "true")

	// Keys: created, printed once, listed without the secret, revoked.
	out = mustAccounts(t, url, "", "keys", "create", "--tenant", "acme", "--name", "ci", "--role", "admin", "--expires", "720h")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	raw := lines[len(lines)-1]
	if !strings.HasPrefix(raw, "smt_") {
		t.Fatalf("keys create printed no key: %s", out)
	}
	pg, err := postgres.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close()
	a := auth.New(pg)
	p, err := a.Authenticate(ctx, raw)
	if err != nil || p.TenantSlug != "acme" || p.Role != auth.RoleAdmin {
		t.Fatalf("the printed key: %+v %v", p, err)
	}
	a.Close()
	wantAccountsError(t, url, "keys", "role", "create", "--tenant", "acme", "--name", "x", "--role", "owner")
	wantAccountsError(t, url, "keys", "in the past", "create", "--tenant", "acme", "--name", "x", "--expires", "2001-01-01T00:00:00Z")
	wantAccountsError(t, url, "keys", `unknown tenant "ghost"`, "create", "--tenant", "ghost", "--name", "x")

	out = mustAccounts(t, url, "", "keys", "list", "--tenant", "acme")
	if !strings.Contains(out, p.KeyID) || !strings.Contains(out, "admin") || strings.Contains(out, raw[len(raw)-43:]) {
		t.Fatalf("keys list: %s", out)
	}
	if out := mustAccounts(t, url, "", "keys", "list", "--tenant", "other"); strings.Contains(out, p.KeyID) {
		t.Fatalf("other tenant lists acme's key: %s", out)
	}
	wantAccountsError(t, url, "keys", "tenant other has no key", "revoke", "--tenant", "other", "--id", p.KeyID)
	wantAccountsError(t, url, "keys", "has no key", "revoke", "--tenant", "acme", "--id", "bogus")
	mustAccounts(t, url, "", "keys", "revoke", "--tenant", "acme", "--id", p.KeyID)
	if _, err := auth.New(pg).Authenticate(ctx, raw); err == nil || !strings.Contains(err.Error(), "revoked") {
		t.Fatalf("revoked key: %v", err)
	}

	// Users: the password from stdin, never a flag.
	mustAccounts(t, url, "a long enough password\n", "users", "create", "--tenant", "acme", "--email", "Owner@Acme.io", "--role", "owner")
	sess, err := auth.New(pg, auth.WithJWTSecret(strings.Repeat("s", 32))).Login(ctx, "owner@acme.io", "a long enough password", "")
	if err != nil || sess.Principal.Role != auth.RoleOwner || sess.Principal.TenantSlug != "acme" {
		t.Fatalf("login as the created user: %+v %v", sess, err)
	}
	if out, err := accounts(t, url, "short\n", "users", "create", "--tenant", "acme", "--email", "b@acme.io"); err == nil || !strings.Contains(err.Error(), "at least 12") {
		t.Fatalf("short password: %v %s", err, out)
	}
	if _, err := accounts(t, url, "another long password\n", "users", "create", "--tenant", "acme", "--email", "owner@acme.io"); !errors.Is(err, postgres.ErrExists) {
		t.Fatalf("duplicate e-mail: %v", err)
	}
	wantAccountsError(t, url, "users", "role", "create", "--tenant", "acme", "--email", "c@acme.io", "--role", "god")
	wantAccountsError(t, url, "users", "MISSING_PW_VAR_0b1e is not set", "create", "--tenant", "acme", "--email", "c@acme.io", "--password-env", "MISSING_PW_VAR_0b1e")
}

// TestAdminUsersPasswordEnv is not parallel: it sets an environment variable.
func TestAdminUsersPasswordEnv(t *testing.T) {
	url, _ := testkit.PostgresSchema(t)
	mustAccounts(t, url, "", "tenants", "create", "--slug", "acme")
	t.Setenv("OZMON_TEST_PW", "password from the environment")
	mustAccounts(t, url, "ignored stdin\n", "users", "create", "--tenant", "acme", "--email", "env@acme.io", "--password-env", "OZMON_TEST_PW")
	pg, err := postgres.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close()
	if _, err := auth.New(pg, auth.WithJWTSecret(strings.Repeat("s", 32))).Login(context.Background(), "env@acme.io", "password from the environment", ""); err != nil {
		t.Fatalf("login: %v", err)
	}
}

func TestAdminAccountsUsage(t *testing.T) {
	t.Parallel()
	if code, _, errOut := runCmd(t, "admin", "keys"); code != 2 || !strings.Contains(errOut, "keys create") {
		t.Fatalf("admin keys: %d %s", code, errOut)
	}
	if code, _, errOut := runCmd(t, "admin", "tenants", "frob", "--database-url", "postgres://x"); code != 2 || !strings.Contains(errOut, "tenants create") {
		t.Fatalf("admin tenants frob: %d %s", code, errOut)
	}
}
