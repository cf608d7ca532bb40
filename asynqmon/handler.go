package asynqmon

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"unicode"

	upstream "github.com/hibiken/asynqmon"
	"github.com/redis/go-redis/v9"
)

// sharedConn hands asynqmon the caller's Redis client instead of letting it
// open a second pool. asynqmon and its Inspector only close the client in
// their Close methods, which New never exposes, so the caller keeps owning it.
type sharedConn struct{ c redis.UniversalClient }

func (s sharedConn) MakeRedisClient() any { return s.c }

// New returns an http.Handler serving asynqmon under the configured path
// (/asynqmon unless WithPath is given) to authenticated callers only.
// Requests outside the path get 404 once authenticated. At least one
// credential (WithAdminToken or WithReadOnlyToken) is
// required: an unauthenticated queue UI is never built.
//
// The handler uses rdb for every query and never closes it.
func New(rdb redis.UniversalClient, opts ...Option) (http.Handler, error) {
	if rdb == nil {
		return nil, errors.New("asynqmon: a redis client is required")
	}
	s := settings{path: defaultPath}
	for _, o := range opts {
		o(&s)
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	path, err := cleanPath(s.path)
	if err != nil {
		return nil, err
	}
	auth, err := s.authenticator()
	if err != nil {
		return nil, err
	}
	if s.prometheusURL != "" {
		u, err := url.Parse(s.prometheusURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, errors.New("asynqmon: prometheus url must be an absolute http(s) URL")
		}
		// asynqmon writes the address into its HTML page.
		if u.User != nil {
			return nil, errors.New("asynqmon: prometheus url must not carry credentials (asynqmon shows it in the page)")
		}
	}

	build := func(readOnly bool) http.Handler {
		return upstream.New(upstream.Options{
			RootPath:          path,
			RedisConnOpt:      sharedConn{rdb},
			PayloadFormatter:  formatter{},
			ResultFormatter:   formatter{},
			PrometheusAddress: s.prometheusURL,
			ReadOnly:          readOnly,
		})
	}
	// A role no credential grants is never routed to; skip building its
	// asynqmon (each one holds its own Inspector).
	notFound := http.NotFoundHandler()
	admin, readOnly := notFound, notFound
	if auth.has(roleAdmin) {
		admin = runGuard(rdb, build(false))
	}
	if auth.has(roleReadOnly) {
		readOnly = build(true)
	}

	var h http.Handler = guard(auth, s.log, mount(path, admin), mount(path, readOnly))
	// Basic credentials are sent by the browser on its own, so a page on
	// another site could make an admin's browser POST "delete all". Refuse
	// cross-origin unsafe requests (by Sec-Fetch-Site / Origin).
	h = http.NewCrossOriginProtection().Handler(h)
	return securityHeaders(h), nil
}

// mount serves h under path: the bare path redirects to path+"/", anything
// outside it is 404. asynqmon matches the full path itself, so the prefix is
// not stripped.
func mount(path string, h http.Handler) http.Handler {
	mux := http.NewServeMux()
	mux.Handle(path+"/", h)
	if path != "" {
		mux.Handle(path, http.RedirectHandler(path+"/", http.StatusMovedPermanently))
	}
	return mux
}

// securityHeaders keeps the UI out of frames (clickjacking of its buttons)
// and its answers out of shared caches.
func securityHeaders(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("X-Frame-Options", "DENY")
		hd.Set("Content-Security-Policy", "frame-ancestors 'none'")
		hd.Set("Referrer-Policy", "no-referrer")
		hd.Set("Cache-Control", "no-store")
		h.ServeHTTP(w, r)
	})
}

// cleanPath checks the mount path and drops a trailing slash ("/" mounts at
// the root and becomes "").
func cleanPath(p string) (string, error) {
	if !strings.HasPrefix(p, "/") {
		return "", fmt.Errorf("asynqmon: path %q must start with a slash", p)
	}
	// The path becomes a ServeMux pattern: no wildcards, no spaces.
	if strings.ContainsAny(p, "{}?# \t") {
		return "", fmt.Errorf("asynqmon: path %q must not contain {, }, ?, # or spaces", p)
	}
	return strings.TrimSuffix(p, "/"), nil
}

// authenticator turns the configured credentials into digests, refusing
// configurations that would be unsafe or ambiguous.
func (s settings) authenticator() (*authenticator, error) {
	a := &authenticator{}
	if s.adminToken != "" && s.adminToken == s.readOnlyToken {
		return nil, errors.New("asynqmon: the admin and read-only tokens must differ")
	}
	for _, t := range []struct {
		tok  string
		role role
		name string
	}{{s.adminToken, roleAdmin, "admin"}, {s.readOnlyToken, roleReadOnly, "read-only"}} {
		if t.tok == "" {
			continue
		}
		if len(t.tok) < minTokenLen {
			return nil, fmt.Errorf("asynqmon: the %s token is shorter than %d characters", t.name, minTokenLen)
		}
		if why := weakToken(t.tok); why != "" {
			return nil, fmt.Errorf("asynqmon: the %s token %s; use a random one (e.g. openssl rand -hex 24)", t.name, why)
		}
		a.tokens = append(a.tokens, tokenCred{secret: digestOf(t.tok), role: t.role})
	}
	for i, b := range s.basic {
		if b.user == "" || b.pass == "" {
			return nil, fmt.Errorf("asynqmon: basic auth entry %d needs a user name and a password", i+1)
		}
		if strings.Contains(b.user, ":") {
			return nil, fmt.Errorf("asynqmon: basic auth user %q must not contain a colon", b.user)
		}
		rl := roleAdmin
		if b.readOnly {
			rl = roleReadOnly
		}
		a.users = append(a.users, userCred{user: digestOf(b.user), pass: digestOf(b.pass), role: rl})
	}
	if len(a.tokens) == 0 && len(a.users) == 0 {
		return nil, errors.New("asynqmon: no credentials configured (set an admin or read-only token, or basic auth)")
	}
	return a, nil
}

// has reports whether any credential grants rl.
func (a *authenticator) has(rl role) bool {
	for _, c := range a.tokens {
		if c.role == rl {
			return true
		}
	}
	for _, c := range a.users {
		if c.role == rl {
			return true
		}
	}
	return false
}

// minTokenRunes is the fewest distinct characters a token may have: length
// alone let "aaaaaaaaaaaaaaaa" or sixteen spaces through.
const minTokenRunes = 8

// weakToken says why tok is guessable ("" if it is not): white space (a
// pasted blank value, or padding) or too few distinct characters.
func weakToken(tok string) string {
	seen := map[rune]bool{}
	for _, r := range tok {
		if unicode.IsSpace(r) {
			return "contains white space"
		}
		seen[r] = true
	}
	if len(seen) < minTokenRunes {
		return fmt.Sprintf("uses only %d different characters (at least %d)", len(seen), minTokenRunes)
	}
	return ""
}
