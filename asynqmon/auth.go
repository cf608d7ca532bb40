package asynqmon

import (
	"crypto/sha256"
	"crypto/subtle"
	"log/slog"
	"net/http"
	"strings"
)

// role is what an authenticated caller may do.
type role int

const (
	roleNone role = iota
	roleReadOnly
	roleAdmin
)

// realm names the login prompt a browser shows.
const realm = `ozmon asynqmon`

// digest is a SHA-256 of a credential. Comparing digests instead of the raw
// strings keeps subtle.ConstantTimeCompare's timing independent of the
// secret's length as well as its content.
type digest [sha256.Size]byte

func digestOf(s string) digest { return sha256.Sum256([]byte(s)) }

func (d digest) equal(o digest) bool { return subtle.ConstantTimeCompare(d[:], o[:]) == 1 }

type tokenCred struct {
	secret digest
	role   role
}

type userCred struct {
	user, pass digest
	role       role
}

// authenticator decides a request's role from its Authorization header.
type authenticator struct {
	tokens []tokenCred
	users  []userCred
}

// roleOf checks the request against every configured credential, without
// stopping at the first match, so the time taken does not tell which one
// (or whether any) matched. The highest matching role wins.
func (a *authenticator) roleOf(r *http.Request) role {
	got := roleNone
	grant := func(ok bool, rl role) {
		if ok && rl > got {
			got = rl
		}
	}
	if tok, ok := bearerToken(r); ok {
		d := digestOf(tok)
		for _, c := range a.tokens {
			grant(c.secret.equal(d), c.role)
		}
	}
	if user, pass, ok := r.BasicAuth(); ok {
		du, dp := digestOf(user), digestOf(pass)
		for _, c := range a.users {
			// Both comparisons always run (no short-circuit on the user name).
			u, p := c.user.equal(du), c.pass.equal(dp)
			grant(u && p, c.role)
		}
		// A browser can only send basic credentials, so a token is also
		// accepted as the password, whatever the user name.
		for _, c := range a.tokens {
			grant(c.secret.equal(dp), c.role)
		}
	}
	return got
}

// bearerToken returns the token of an "Authorization: Bearer …" header.
func bearerToken(r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	scheme, tok, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	tok = strings.TrimSpace(tok)
	return tok, tok != ""
}

// guard authenticates every request, answers 401 with a challenge when no
// credential matches, and 403 to a read-only caller attempting anything but
// GET or HEAD. It hands the request on to admin or readOnly by role.
func guard(a *authenticator, log *slog.Logger, admin, readOnly http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch a.roleOf(r) {
		case roleAdmin:
			admin.ServeHTTP(w, r)
		case roleReadOnly:
			if r.Method != http.MethodGet && r.Method != http.MethodHead {
				log.DebugContext(r.Context(), "asynqmon: read-only caller refused", "method", r.Method, "path", r.URL.Path, "remote", r.RemoteAddr)
				http.Error(w, "forbidden: read-only access", http.StatusForbidden)
				return
			}
			readOnly.ServeHTTP(w, r)
		default:
			log.DebugContext(r.Context(), "asynqmon: unauthenticated request", "method", r.Method, "path", r.URL.Path, "remote", r.RemoteAddr)
			w.Header().Add("WWW-Authenticate", `Basic realm="`+realm+`", charset="UTF-8"`)
			w.Header().Add("WWW-Authenticate", `Bearer realm="`+realm+`"`)
			http.Error(w, "unauthorized", http.StatusUnauthorized)
		}
	})
}
