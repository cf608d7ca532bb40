package tenantconfig_test

import (
	"context"
	"errors"
	"testing"

	"github.com/ozmon/ozmon/auth"
	"github.com/ozmon/ozmon/internal/testkit"
	"github.com/ozmon/ozmon/store/postgres"
	"github.com/ozmon/ozmon/store/storetest"
	"github.com/ozmon/ozmon/tenantconfig"
)

const network = "stellar_testnet"

type env struct {
	st *postgres.Store
	w  *tenantconfig.Writer
}

// newEnv opens a store on a schema of the test's own (its own notify
// channel too), with the operator's registry holding stellar_testnet.
func newEnv(tb testing.TB) *env {
	tb.Helper()
	url, schema := testkit.PostgresSchema(tb)
	ctx := context.Background()
	st, err := postgres.Open(ctx, url, postgres.WithNotifyChannel("ozmon_"+schema))
	if err != nil {
		tb.Fatalf("open: %v", err)
	}
	tb.Cleanup(st.Close)
	if err := st.Migrate(ctx); err != nil {
		tb.Fatalf("migrate: %v", err)
	}
	if err := st.UpsertNetwork(ctx, network, []byte(storetest.NetworkJSON(network))); err != nil {
		tb.Fatalf("registry: %v", err)
	}
	return &env{st: st, w: tenantconfig.New(st)}
}

// tenant creates a tenant and a member user of it, and returns the
// tenant's id and the member as a principal.
func (e *env) tenant(tb testing.TB, slug string) (string, auth.Principal) {
	tb.Helper()
	ctx := context.Background()
	id, _, err := e.st.EnsureTenant(ctx, slug)
	if err != nil {
		tb.Fatal(err)
	}
	var user string
	if err := e.st.Pool().QueryRow(ctx, `INSERT INTO users (email, password_hash) VALUES ($1, 'x') RETURNING id::text`,
		slug+"@example.org").Scan(&user); err != nil {
		tb.Fatal(err)
	}
	return id, auth.Principal{TenantID: id, TenantSlug: slug, Role: auth.RoleMember, UserID: user}
}

func (e *env) setQuota(tb testing.TB, tenantID, column string, v int) {
	tb.Helper()
	if _, err := e.st.Pool().Exec(context.Background(), `UPDATE tenants SET `+column+` = $2 WHERE id = $1`, tenantID, v); err != nil {
		tb.Fatal(err)
	}
}

func (e *env) apply(tb testing.TB, tenantID string, p auth.Principal, c tenantconfig.Change) tenantconfig.Result {
	tb.Helper()
	res, err := e.w.Apply(context.Background(), tenantID, p, c)
	if err != nil {
		tb.Fatalf("apply %T: %v", c, err)
	}
	return res
}

// refused asserts that err is an *tenantconfig.Error with code.
func refused(tb testing.TB, err error, code tenantconfig.Code) *tenantconfig.Error {
	tb.Helper()
	var e *tenantconfig.Error
	if !errors.As(err, &e) {
		tb.Fatalf("error = %v, want a %s *tenantconfig.Error", err, code)
	}
	if e.Code != code {
		tb.Fatalf("code = %s (%v), want %s", e.Code, e, code)
	}
	return e
}

func monitor(name string, triggers ...string) tenantconfig.PutMonitor {
	return tenantconfig.PutMonitor{JSON: []byte(storetest.MonitorJSON(name, network, "amount > 5", triggers...))}
}

func trigger(key string) tenantconfig.PutTrigger {
	return tenantconfig.PutTrigger{Key: key, JSON: []byte(storetest.TriggerJSON(key))}
}

// seed gives a tenant monitor "m0" and trigger "t0" (m0 lists it).
func (e *env) seed(tb testing.TB, tenantID string, p auth.Principal) {
	tb.Helper()
	e.apply(tb, tenantID, p, monitor("m0"))
	e.apply(tb, tenantID, p, trigger("t0"))
	e.apply(tb, tenantID, p, monitor("m0", "t0"))
}

// names lists the items' names.
func names(items []tenantconfig.Item) []string {
	out := []string{}
	for _, it := range items {
		out = append(out, it.Name)
	}
	return out
}
