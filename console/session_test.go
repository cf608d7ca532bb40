package console

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// TestSignInAndOut signs in with an API key through the API, checks the
// cookie's flags and that Redis holds no credential in clear, then signs
// out and finds the session gone.
func TestSignInAndOut(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	b := e.browser(t)
	if p := b.get("/console/monitors"); p.status != http.StatusSeeOther || p.header.Get("Location") != "/console/signin" {
		t.Fatalf("monitors without a session = %d %q, want a redirect to sign-in", p.status, p.header.Get("Location"))
	}
	p := b.get("/console/signin")
	if p.status != http.StatusOK || !strings.Contains(p.body, `name="key"`) {
		t.Fatalf("sign-in page = %d", p.status)
	}
	if csp := p.header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") {
		t.Fatalf("CSP = %q", csp)
	}
	p = b.post("/console/signin", url.Values{"key": {e.keyA}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("sign in = %d %s", p.status, p.body)
	}
	ck := p.header.Get("Set-Cookie")
	for _, want := range []string{cookieName + "=", "HttpOnly", "SameSite=Strict", "Path=/console/"} {
		if !strings.Contains(ck, want) {
			t.Fatalf("cookie %q lacks %q", ck, want)
		}
	}
	if strings.Contains(ck, "Secure") {
		t.Fatalf("cookie over plain HTTP is Secure: %q", ck)
	}
	keys, _ := e.rdb.Keys(t.Context(), "console-test:session:*").Result()
	if len(keys) != 1 {
		t.Fatalf("sessions in redis = %v", keys)
	}
	stored, _ := e.rdb.Get(t.Context(), keys[0]).Result()
	if strings.Contains(stored, e.keyA) || strings.Contains(stored, e.keyA[4:20]) {
		t.Fatal("redis holds the API key in clear")
	}
	p = b.get("/console/deliveries")
	if p.status != http.StatusOK || !strings.Contains(p.body, ">acme<") {
		t.Fatalf("deliveries after sign-in = %d", p.status)
	}
	p = b.post("/console/signout", nil)
	if p.status != http.StatusSeeOther || p.header.Get("Location") != "/console/signin" {
		t.Fatalf("sign out = %d", p.status)
	}
	if n, _ := e.rdb.Exists(t.Context(), keys[0]).Result(); n != 0 {
		t.Fatal("the session outlived sign-out")
	}
	if p := b.get("/console/deliveries"); p.status != http.StatusSeeOther {
		t.Fatalf("deliveries after sign-out = %d", p.status)
	}
}

// TestSignInRefusals: a wrong key, an operator's token, an empty form and
// a form without its CSRF token start no session.
func TestSignInRefusals(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	cases := []struct {
		name   string
		form   url.Values
		status int
		says   string
	}{
		{"wrong key", url.Values{"key": {"smt_" + strings.Repeat("x", 40)}}, http.StatusUnauthorized, "wrong, expired or revoked"},
		{"operator", url.Values{"key": {"operator-token-for-tests"}}, http.StatusUnauthorized, "belongs to no tenant"},
		{"empty", url.Values{}, http.StatusBadRequest, "Give an API key"},
		{"no csrf", url.Values{"key": {e.keyA}, "csrf": {""}}, http.StatusForbidden, "CSRF"},
		{"wrong csrf", url.Values{"key": {e.keyA}, "csrf": {"forged"}}, http.StatusForbidden, "CSRF"},
		{"login off", url.Values{"email": {"a@example.com"}, "password": {"correct horse battery"}, "tenant": {"acme"}}, http.StatusUnauthorized, "Sign-in refused"},
	}
	for _, c := range cases {
		b := e.browser(t)
		b.get("/console/signin")
		p := b.post("/console/signin", c.form)
		if p.status != c.status || !strings.Contains(p.body, c.says) {
			t.Errorf("%s: %d %q, want %d saying %q", c.name, p.status, p.body, c.status, c.says)
		}
		if strings.Contains(p.body, "operator-token-for-tests") || strings.Contains(p.body, "xxxxxxxx") {
			t.Errorf("%s: the credential is echoed", c.name)
		}
		if p := b.get("/console/deliveries"); p.status != http.StatusSeeOther {
			t.Errorf("%s: a session was started", c.name)
		}
	}
	// Another origin's form is refused even with the right tokens.
	b := e.browser(t)
	b.get("/console/signin")
	if p := b.post("/console/signin", url.Values{"key": {e.keyA}}, "Origin", "https://evil.example"); p.status != http.StatusForbidden {
		t.Fatalf("cross-origin sign-in = %d", p.status)
	}
}

// TestStateChangesNeedSessionAndCSRF: every POST route refuses a request
// without a session, without the CSRF token, with another session's
// token, or from another origin — and the refusal changes nothing.
func TestStateChangesNeedSessionAndCSRF(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	routes := []string{"/console/signout", "/console/monitors/x/pause", "/console/monitors/x/resume",
		"/console/editor/validate", "/console/editor/dryrun", "/console/editor/save", "/console/deliveries/resend"}
	anon := e.browser(t)
	a := e.browser(t)
	a.signIn(e.keyA)
	a.get("/console/deliveries")
	aToken := a.csr
	other := e.browser(t)
	other.signIn(e.keyB)
	other.get("/console/deliveries")
	for _, r := range routes {
		if p := anon.post(r, url.Values{"csrf": {aToken}}); p.status != http.StatusForbidden {
			t.Errorf("%s without a session = %d", r, p.status)
		}
		if p := a.post(r, url.Values{"csrf": {""}}); p.status != http.StatusForbidden {
			t.Errorf("%s without CSRF = %d", r, p.status)
		}
		if p := a.post(r, url.Values{"csrf": {other.csr}}); p.status != http.StatusForbidden {
			t.Errorf("%s with another session's CSRF = %d", r, p.status)
		}
		if p := a.post(r, url.Values{"csrf": {aToken}}, "Origin", "https://evil.example"); p.status != http.StatusForbidden {
			t.Errorf("%s from another origin = %d", r, p.status)
		}
	}
	// Still signed in: none of the refused sign-outs ended the session.
	if p := a.get("/console/deliveries"); p.status != http.StatusOK {
		t.Fatalf("session after refusals = %d", p.status)
	}
	// The live socket is a GET: it needs the session and the same origin.
	if p := anon.get("/console/live/ws"); p.status != http.StatusSeeOther {
		t.Errorf("live socket without a session = %d", p.status)
	}
}

// TestForgedCookie: a cookie that is not a session's, or whose key does
// not open it, is no session.
func TestForgedCookie(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	b := e.browser(t)
	b.signIn(e.keyA)
	u, _ := url.Parse(e.srv.URL + "/console/")
	real := b.c.Jar.Cookies(u)[0].Value
	for _, v := range []string{"garbage", real[:len(real)-4] + "AAAA", strings.Repeat("A", len(real))} {
		f := e.browser(t)
		f.c.Jar.SetCookies(u, []*http.Cookie{{Name: cookieName, Value: v, Path: "/console/"}})
		if p := f.get("/console/deliveries"); p.status != http.StatusSeeOther {
			t.Errorf("forged cookie %q = %d", v, p.status)
		}
	}
}

// TestSecureCookieOverTLS: served over TLS, the session cookie is Secure.
func TestSecureCookieOverTLS(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tlsSrv := httptest.NewTLSServer(e.srv.Config.Handler)
	defer tlsSrv.Close()
	plain := e.srv
	e.srv = tlsSrv
	defer func() { e.srv = plain }()
	b := e.browser(t)
	b.c.Transport = tlsSrv.Client().Transport
	b.get("/console/signin")
	p := b.post("/console/signin", url.Values{"key": {e.keyA}})
	if p.status != http.StatusSeeOther || !strings.Contains(p.header.Get("Set-Cookie"), "; Secure") {
		t.Fatalf("sign in over TLS = %d, cookie %q", p.status, p.header.Get("Set-Cookie"))
	}
}
