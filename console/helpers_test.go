package console

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/ozmon/ozmon/api"
	"github.com/ozmon/ozmon/auth"
	"github.com/ozmon/ozmon/internal/testkit"
	"github.com/ozmon/ozmon/live"
	"github.com/ozmon/ozmon/store/files"
	"github.com/ozmon/ozmon/store/postgres"
	"github.com/ozmon/ozmon/store/storetest"
	"github.com/ozmon/ozmon/tenantconfig"
)

// testArgon2 keeps key verification cheap in tests.
var testArgon2 = auth.Argon2Params{MemoryKiB: 64, Time: 1, Threads: 1}

// env is the API and the console on a fresh schema and Redis database,
// with two tenants (acme, bravo) and an owner key for each.
type env struct {
	st         *postgres.Store
	rdb        *redis.Client
	srv        *httptest.Server
	a, b       string // tenant ids
	keyA, keyB string
	authn      *auth.Authenticator
	hub        *live.Hub
	pub        *live.Publisher
	livePrefix string // the hub's stream keys, where a worker publishes
}

func newEnv(tb testing.TB, apiOpts ...api.Option) *env {
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
	e := &env{st: st, rdb: testkit.RedisClient(tb)}
	for i, slug := range []string{"acme", "bravo"} {
		id := e.importTenant(tb, slug, storetest.StandardFixture(), postgres.Quotas{})
		key, rec, err := auth.NewKey(id, "console test", auth.RoleAdmin, time.Time{}, testArgon2)
		if err != nil {
			tb.Fatalf("new key: %v", err)
		}
		if _, err := st.CreateAPIKey(ctx, rec); err != nil {
			tb.Fatalf("store key: %v", err)
		}
		if i == 0 {
			e.a, e.keyA = id, key
		} else {
			e.b, e.keyB = id, key
		}
	}
	e.authn = auth.New(st, auth.WithArgon2(testArgon2), auth.WithOperatorToken("operator-token-for-tests"),
		auth.WithJWTSecret(strings.Repeat("j", 32)))
	tb.Cleanup(e.authn.Close)
	e.livePrefix = "ozmon:live:" + schema
	hub := live.NewHub(e.rdb, live.WithKeyPrefix(e.livePrefix))
	tb.Cleanup(hub.Close)
	e.hub = hub
	e.pub = live.NewPublisher(e.rdb, live.WithKeyPrefix(e.livePrefix), live.WithMaxLen(100))
	all := append([]api.Option{api.WithStore(st), api.WithWriter(tenantconfig.New(st)), api.WithAuthenticator(e.authn),
		api.WithRedis(e.rdb), api.WithLive(api.NewHubLive(hub)), api.WithRateKeyPrefix("console-test:rate:")}, apiOpts...)
	apiSrv, err := api.New(all...)
	if err != nil {
		tb.Fatalf("api: %v", err)
	}
	c, err := New(WithAPI(apiSrv), WithRedis(e.rdb), WithSessionKeyPrefix("console-test:session:"))
	if err != nil {
		tb.Fatalf("console: %v", err)
	}
	mux := http.NewServeMux()
	mux.Handle("/console/", c)
	mux.Handle("/", apiSrv)
	e.srv = httptest.NewServer(mux)
	tb.Cleanup(e.srv.Close)
	return e
}

// importTenant creates a tenant with quotas and stores f through the one
// write path, as `ozmon import` does.
func (e *env) importTenant(tb testing.TB, slug string, f storetest.Fixture, q postgres.Quotas) string {
	tb.Helper()
	ctx := context.Background()
	t, err := e.st.CreateTenant(ctx, postgres.NewTenant{Slug: slug, Quotas: q})
	if err != nil {
		tb.Fatalf("create tenant %s: %v", slug, err)
	}
	_, raw := f.Build(tb)
	if _, err := tenantconfig.New(e.st).Apply(ctx, t.ID, auth.Principal{Operator: true}, tenantconfig.Import{Files: files.ItemFiles(raw)}); err != nil {
		tb.Fatalf("import %s: %v", slug, err)
	}
	return t.ID
}

// browser is an HTTP client with a cookie jar that does not follow
// redirects, so tests see each answer.
type browser struct {
	tb  testing.TB
	e   *env
	c   *http.Client
	csr string // the page's CSRF token, from the last page read
}

func (e *env) browser(tb testing.TB) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{tb: tb, e: e, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

type page struct {
	status int
	header http.Header
	body   string
}

func (b *browser) do(req *http.Request) page {
	b.tb.Helper()
	resp, err := b.c.Do(req)
	if err != nil {
		b.tb.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if m := csrfRE.FindStringSubmatch(string(body)); m != nil {
		b.csr = m[1]
	}
	return page{status: resp.StatusCode, header: resp.Header, body: string(body)}
}

func (b *browser) get(path string) page {
	req, _ := http.NewRequest(http.MethodGet, b.e.srv.URL+path, nil)
	return b.do(req)
}

// post sends a form with the browser's current CSRF token (unless the
// form sets csrf itself) and the server's own Origin.
func (b *browser) post(path string, form url.Values, header ...string) page {
	if form == nil {
		form = url.Values{}
	}
	if _, ok := form["csrf"]; !ok {
		form.Set("csrf", b.csr)
	}
	req, _ := http.NewRequest(http.MethodPost, b.e.srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", b.e.srv.URL)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return b.do(req)
}

// signIn signs in with key and fails the test unless it worked.
func (b *browser) signIn(key string) {
	b.tb.Helper()
	b.get("/console/signin")
	p := b.post("/console/signin", url.Values{"key": {key}})
	if p.status != http.StatusSeeOther || p.header.Get("Location") != "/console/monitors" {
		b.tb.Fatalf("sign in: %d %s", p.status, p.body)
	}
}
