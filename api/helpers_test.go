package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/ozmon/ozmon/auth"
	"github.com/ozmon/ozmon/internal/testkit"
	"github.com/ozmon/ozmon/live"
	"github.com/ozmon/ozmon/store"
	"github.com/ozmon/ozmon/store/files"
	"github.com/ozmon/ozmon/store/postgres"
	"github.com/ozmon/ozmon/store/storetest"
	"github.com/ozmon/ozmon/tenantconfig"
)

// tokens is a table-driven Authenticator: each token is one caller.
type tokens map[string]auth.Principal

func (t tokens) Authenticate(_ context.Context, token string) (auth.Principal, error) {
	p, ok := t[token]
	if !ok {
		return auth.Principal{}, fmt.Errorf("%w: unknown token", auth.ErrUnauthenticated)
	}
	return p, nil
}

// env is a server on a fresh schema and Redis DB with two tenants.
type env struct {
	st     *postgres.Store
	rdb    *redis.Client
	srv    *httptest.Server
	a, b   string // tenant ids
	tokens tokens
	hub    *live.Hub
	pub    *live.Publisher
}

func newEnv(tb testing.TB, opts ...Option) *env {
	tb.Helper()
	return newEnvWith(tb, nil, opts...)
}

// testArgon2 keeps the keys tests make cheap to verify.
var testArgon2 = auth.Argon2Params{MemoryKiB: 64, Time: 1, Threads: 1}

// testOperatorToken and testJWTSecret configure the real authenticator.
const (
	testOperatorToken = "operator-token-for-tests-0123456789"
	testJWTSecret     = "jwt-secret-for-tests-0123456789abcdef"
)

// newAuthEnv is newEnv with the real authenticator (auth.New on the
// test's store) and the given auth options after the defaults: keys from
// e.key, sessions from login, the operator's token testOperatorToken.
func newAuthEnv(tb testing.TB, aopts []auth.Option, opts ...Option) *env {
	tb.Helper()
	return newEnvWith(tb, func(st *postgres.Store) *auth.Authenticator {
		a := auth.New(st, append([]auth.Option{auth.WithOperatorToken(testOperatorToken), auth.WithJWTSecret(testJWTSecret),
			auth.WithArgon2(testArgon2)}, aopts...)...)
		tb.Cleanup(a.Close)
		return a
	}, append([]Option{WithKeyHashing(testArgon2)}, opts...)...)
}

// key creates an API key of role for tenant and returns it raw.
func (e *env) key(tb testing.TB, tenant string, role auth.Role, expires time.Time) (raw, id string) {
	tb.Helper()
	raw, rec, err := auth.NewKey(tenant, "test "+string(role), role, expires, testArgon2)
	if err != nil {
		tb.Fatalf("new key: %v", err)
	}
	if rec, err = e.st.CreateAPIKey(context.Background(), rec); err != nil {
		tb.Fatalf("create key: %v", err)
	}
	return raw, rec.ID
}

// owner creates a user owning tenant and logs in through the API: a
// session token (owners are users; keys are at most admin).
func (e *env) owner(tb testing.TB, tenant, slug, email string) string {
	tb.Helper()
	ctx := context.Background()
	hash, err := auth.HashPassword("correct horse battery", testArgon2)
	if err != nil {
		tb.Fatal(err)
	}
	u, err := e.st.CreateUser(ctx, email, hash)
	if err != nil {
		tb.Fatalf("create user: %v", err)
	}
	if err := e.st.AddMembership(ctx, tenant, u.ID, auth.RoleOwner); err != nil {
		tb.Fatalf("add membership: %v", err)
	}
	r := e.query(tb, "", `mutation($e: String!, $t: String!) { login(email: $e, password: "correct horse battery", tenant: $t) { token role } }`,
		map[string]any{"e": email, "t": slug})
	var d struct{ Login struct{ Token, Role string } }
	if err := json.Unmarshal(r.Data, &d); err != nil || d.Login.Token == "" || d.Login.Role != "OWNER" {
		tb.Fatalf("login: %s %+v", r.Data, r.Errors)
	}
	return d.Login.Token
}

func newEnvWith(tb testing.TB, authn func(*postgres.Store) *auth.Authenticator, opts ...Option) *env {
	tb.Helper()
	ctx := context.Background()
	url, schema := testkit.PostgresSchema(tb)
	st, err := postgres.Open(ctx, url, postgres.WithNotifyChannel("ozmon_"+schema))
	if err != nil {
		tb.Fatalf("open store: %v", err)
	}
	tb.Cleanup(st.Close)
	if err := st.Migrate(ctx); err != nil {
		tb.Fatalf("migrate: %v", err)
	}
	e := &env{st: st}
	for i, slug := range []string{"acme", "bravo"} {
		t, err := st.CreateTenant(ctx, postgres.NewTenant{Slug: slug})
		if err != nil {
			tb.Fatalf("create tenant %s: %v", slug, err)
		}
		id := t.ID
		_, raw := storetest.StandardFixture().Build(tb)
		// Through the one write path, as `ozmon import` does.
		if _, err := tenantconfig.New(st).Apply(ctx, id, auth.Principal{Operator: true}, tenantconfig.Import{Files: files.ItemFiles(raw)}); err != nil {
			tb.Fatalf("import %s: %v", slug, err)
		}
		if i == 0 {
			e.a = id
		} else {
			e.b = id
		}
	}
	e.tokens = tokens{
		"a-owner":  {TenantID: e.a, TenantSlug: "acme", Role: auth.RoleOwner, KeyID: "ka"},
		"a-viewer": {TenantID: e.a, TenantSlug: "acme", Role: auth.RoleViewer, UserID: "ua"},
		"b-owner":  {TenantID: e.b, TenantSlug: "bravo", Role: auth.RoleOwner, KeyID: "kb"},
		"operator": {Operator: true},
	}
	rdb := testkit.RedisClient(tb)
	e.rdb = rdb
	e.hub = live.NewHub(rdb, live.WithKeyPrefix("ozmon:live:"+schema))
	tb.Cleanup(e.hub.Close)
	e.pub = live.NewPublisher(rdb, live.WithKeyPrefix("ozmon:live:"+schema), live.WithMaxLen(50))
	var a Authenticator = e.tokens
	if authn != nil {
		a = authn(st)
	}
	all := append([]Option{WithStore(st), WithWriter(tenantconfig.New(st)), WithAuthenticator(a), WithRedis(rdb),
		WithLive(NewHubLive(e.hub)), WithRateKeyPrefix("ozmon:api:rate:" + schema + ":")}, opts...)
	s, err := New(all...)
	if err != nil {
		tb.Fatalf("new server: %v", err)
	}
	e.srv = httptest.NewServer(s)
	tb.Cleanup(e.srv.Close)
	return e
}

// deliveries records n deliveries of tenant, over monitors m0..m2.
func (e *env) deliveries(tb testing.TB, tenant string, n int) {
	tb.Helper()
	var batch []store.ExpectedDelivery
	for i := range n {
		batch = append(batch, store.ExpectedDelivery{Key: store.DeliveryKey{TenantID: tenant, Monitor: fmt.Sprintf("m%d", i%3),
			Network: "stellar_testnet", Ledger: uint64(1000 + i), TxHash: fmt.Sprintf("tx%05d", i), Trigger: "ops_hook"},
			TaskID: fmt.Sprintf("task-%s-%d", tenant[:8], i), Channel: "webhook"})
	}
	for len(batch) > 0 {
		k := min(len(batch), 1000)
		if err := e.st.ExpectDeliveries(context.Background(), batch[:k]); err != nil {
			tb.Fatalf("expect deliveries: %v", err)
		}
		batch = batch[k:]
	}
}

// gqlResponse is a GraphQL answer.
type gqlResponse struct {
	status int
	header http.Header
	Data   json.RawMessage `json:"data"`
	Errors []struct {
		Message    string         `json:"message"`
		Extensions map[string]any `json:"extensions"`
	} `json:"errors"`
}

func (r gqlResponse) code() string {
	if len(r.Errors) == 0 {
		return ""
	}
	c, _ := r.Errors[0].Extensions["code"].(string)
	return c
}

// post sends body as it is to /graphql with token (none when empty).
func (e *env) postRaw(tb testing.TB, token string, body []byte, header ...string) gqlResponse {
	tb.Helper()
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		tb.Fatalf("post: %v", err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	var out gqlResponse
	if err := json.Unmarshal(data, &out); err != nil {
		tb.Fatalf("answer %d is not JSON: %s", resp.StatusCode, data)
	}
	out.status, out.header = resp.StatusCode, resp.Header
	return out
}

func (e *env) query(tb testing.TB, token, query string, vars map[string]any) gqlResponse {
	tb.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	return e.postRaw(tb, token, body)
}
