package e2e

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/ozmon/ozmon/auth"
	"github.com/ozmon/ozmon/internal/testkit"
	"github.com/ozmon/ozmon/live"
	"github.com/ozmon/ozmon/notify"
	"github.com/ozmon/ozmon/store/postgres"
	"github.com/ozmon/ozmon/tasks"
)

// The deployment's fixed credentials. The operator's token and the JWT
// secret are what api.operator_token and api.jwt_secret would hold.
const (
	operatorToken = "op-e2e-0123456789abcdef0123456789"
	jwtSecret     = "jwt-e2e-0123456789abcdef0123456789abcdef"
	livePrefix    = "e2e:live"
)

// cheapArgon2 hashes the tests' keys and passwords: verification reads
// the parameters from the stored hash, so a cheap hash only makes the
// first check of a key faster; the cache under test is the same.
var cheapArgon2 = auth.Argon2Params{MemoryKiB: 1024, Time: 1, Threads: 1}

// deployment is one API process on its own PostgreSQL schema and Redis
// database, with the real authenticator, live hub and write path.
type deployment struct {
	t       testing.TB
	st      *postgres.Store
	rdbOpts *redis.Options
	rdb     *redis.Client
	authn   *auth.Authenticator
	hub     *live.Hub
	pub     *live.Publisher // publishes to the hub's streams, as workers do
	guard   *notify.Guard
	srv     *httptest.Server
	log     *slog.Logger
}

// deployConfig adjusts a deployment.
type deployConfig struct {
	bodyLimit  int64
	depth      int
	complexity int
	cacheTTL   time.Duration
	streamLen  int64
	buffer     int
	introspect bool
}

type deployOption func(*deployConfig)

func withLimits(body int64, depth, complexity int) deployOption {
	return func(c *deployConfig) { c.bodyLimit, c.depth, c.complexity = body, depth, complexity }
}

func withKeyCacheTTL(d time.Duration) deployOption {
	return func(c *deployConfig) { c.cacheTTL = d }
}

func withIntrospection() deployOption { return func(c *deployConfig) { c.introspect = true } }

func newDeployment(tb testing.TB, opts ...deployOption) *deployment {
	tb.Helper()
	cfg := deployConfig{bodyLimit: 1 << 20, depth: 12, complexity: 1000, cacheTTL: 5 * time.Second, streamLen: 10000, buffer: 256}
	for _, o := range opts {
		o(&cfg)
	}
	ctx := context.Background()
	d := &deployment{t: tb, log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	if testing.Verbose() {
		d.log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	url, schema := testkit.PostgresSchema(tb)
	st, err := postgres.Open(ctx, url, postgres.WithNotifyChannel("ozmon_"+schema))
	if err != nil {
		tb.Fatalf("open store: %v", err)
	}
	tb.Cleanup(st.Close)
	if err := st.Migrate(ctx); err != nil {
		tb.Fatalf("migrate: %v", err)
	}
	d.st = st
	d.rdbOpts = testkit.Redis(tb)
	d.rdb = redis.NewClient(d.rdbOpts)
	tb.Cleanup(func() { _ = d.rdb.Close() })
	d.guard, err = notify.NewGuard(notify.Allow("127.0.0.1/32"))
	if err != nil {
		tb.Fatalf("guard: %v", err)
	}
	d.authn = auth.New(st, auth.WithOperatorToken(operatorToken), auth.WithJWTSecret(jwtSecret),
		auth.WithCacheTTL(cfg.cacheTTL), auth.WithNegativeTTL(cfg.cacheTTL), auth.WithArgon2(cheapArgon2))
	tb.Cleanup(d.authn.Close)
	d.hub = live.NewHub(d.rdb, live.WithKeyPrefix(livePrefix), live.WithBuffer(cfg.buffer))
	tb.Cleanup(d.hub.Close)
	d.pub = live.NewPublisher(d.rdb, live.WithKeyPrefix(livePrefix), live.WithMaxLen(cfg.streamLen))
	h, err := d.newAPI(cfg)
	if err != nil {
		tb.Fatalf("new API server: %v", err)
	}
	d.srv = httptest.NewServer(h)
	tb.Cleanup(d.srv.Close)
	return d
}

// tenant creates a tenant as the operator's `ozmon admin tenants create`
// does, with a generous API rate so tests are not rate limited.
func (d *deployment) tenant(slug string) string {
	d.t.Helper()
	big := 1000000
	t, err := d.st.CreateTenant(context.Background(), postgres.NewTenant{Slug: slug, Tier: tasks.TierDefault,
		Quotas: postgres.Quotas{MaxRPCRequestsPerMinute: &big}})
	if err != nil {
		d.t.Fatalf("create tenant %s: %v", slug, err)
	}
	return t.ID
}

// key creates an API key of tenantID as `ozmon admin keys create` does
// and returns its secret and id.
func (d *deployment) key(tenantID, name string, role auth.Role, expires time.Time) (secret, id string) {
	d.t.Helper()
	raw, rec, err := auth.NewKey(tenantID, name, role, expires, cheapArgon2)
	if err != nil {
		d.t.Fatalf("new key: %v", err)
	}
	rec, err = d.st.CreateAPIKey(context.Background(), rec)
	if err != nil {
		d.t.Fatalf("store key: %v", err)
	}
	return raw, rec.ID
}

// user creates a user with a membership of tenantID and returns its
// e-mail address and password.
func (d *deployment) user(tenantID, email string, role auth.Role) (string, string) {
	d.t.Helper()
	const password = "correct horse battery staple"
	hash, err := auth.HashPassword(password, cheapArgon2)
	if err != nil {
		d.t.Fatal(err)
	}
	u, err := d.st.CreateUser(context.Background(), email, hash)
	if err != nil {
		d.t.Fatalf("create user %s: %v", email, err)
	}
	if err := d.st.AddMembership(context.Background(), tenantID, u.ID, role); err != nil {
		d.t.Fatalf("membership of %s: %v", email, err)
	}
	return email, password
}
