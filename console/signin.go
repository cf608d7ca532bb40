package console

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"
)

type signinData struct {
	Email, TenantSlug string
}

func (c *Console) signinPage(w http.ResponseWriter, r *http.Request) {
	if _, err := c.sessionOf(r); err == nil {
		http.Redirect(w, r, prefix+"/monitors", http.StatusSeeOther)
		return
	}
	c.renderSignin(w, r, http.StatusOK, "", signinData{})
}

func (c *Console) renderSignin(w http.ResponseWriter, r *http.Request, status int, msg string, d signinData) {
	tok := randomToken()
	http.SetCookie(w, &http.Cookie{Name: preCookie, Value: tok, Path: prefix + "/signin",
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil, MaxAge: 3600})
	c.render(w, r, status, "signin", view{Title: "Sign in", CSRF: tok, Error: msg, Data: d})
}

// signin takes an API key, or an e-mail, password and tenant slug, checks
// them with the API (me, or the API's login) and starts a session.
func (c *Console) signin(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	pre, err := r.Cookie(preCookie)
	if !sameOrigin(r) || err != nil || !csrfOK(r, pre.Value) {
		http.Error(w, "refused: missing or wrong CSRF token, or another origin (reload the sign-in page)", http.StatusForbidden)
		return
	}
	key := strings.TrimSpace(r.PostFormValue("key"))
	d := signinData{Email: strings.TrimSpace(r.PostFormValue("email")), TenantSlug: strings.TrimSpace(r.PostFormValue("tenant"))}
	password := r.PostFormValue("password")
	var cred string
	expires := c.o.now().Add(c.o.sessionTTL)
	switch {
	case key != "":
		cred = key
	case d.Email != "" && password != "":
		var out struct {
			Login struct {
				Token     string    `json:"token"`
				ExpiresAt time.Time `json:"expiresAt"`
			} `json:"login"`
		}
		err := c.exec(r.Context(), "", `mutation($e:String!,$p:String!,$t:String!){login(email:$e,password:$p,tenant:$t){token expiresAt}}`,
			map[string]any{"e": d.Email, "p": password, "t": d.TenantSlug}, &out)
		if err != nil {
			c.signinRefused(w, r, err, d)
			return
		}
		cred, expires = out.Login.Token, out.Login.ExpiresAt
	default:
		c.renderSignin(w, r, http.StatusBadRequest, "Give an API key, or an e-mail address, password and tenant.", d)
		return
	}
	s, err := c.whoAmI(r.Context(), cred)
	if err != nil {
		c.signinRefused(w, r, err, d)
		return
	}
	s.Expires = expires
	if err := c.newSession(r.Context(), w, r, s); err != nil {
		c.fail(w, r, err)
		return
	}
	http.Redirect(w, r, prefix+"/monitors", http.StatusSeeOther)
}

// whoAmI asks the API who cred is; the operator, who has no tenant, may
// not use the console.
func (c *Console) whoAmI(ctx context.Context, cred string) (session, error) {
	var out struct {
		Me struct {
			Actor      string  `json:"actor"`
			TenantSlug *string `json:"tenantSlug"`
			Role       *string `json:"role"`
		} `json:"me"`
	}
	if err := c.exec(ctx, cred, `{me{actor tenantSlug role}}`, nil, &out); err != nil {
		return session{}, err
	}
	if out.Me.TenantSlug == nil || out.Me.Role == nil {
		return session{}, &apiError{Errors: []gqlError{{Message: "the operator's credential belongs to no tenant: use the API", Extensions: map[string]any{"code": "FORBIDDEN"}}}}
	}
	return session{Cred: cred, Tenant: *out.Me.TenantSlug, Role: *out.Me.Role, Actor: out.Me.Actor}, nil
}

// signinRefused tells the caller why, without echoing the credential.
func (c *Console) signinRefused(w http.ResponseWriter, r *http.Request, err error, d signinData) {
	var ae *apiError
	if !errors.As(err, &ae) {
		c.fail(w, r, err)
		return
	}
	msg := "Sign-in refused: " + ae.Error()
	if ae.has("UNAUTHENTICATED") {
		msg = "Sign-in refused: the key or the e-mail and password are wrong, expired or revoked."
	}
	c.renderSignin(w, r, http.StatusUnauthorized, msg, d)
}

func (c *Console) signout(w http.ResponseWriter, r *http.Request, _ session) {
	if err := c.endSession(w, r); err != nil {
		c.fail(w, r, err)
		return
	}
	http.Redirect(w, r, prefix+"/signin", http.StatusSeeOther)
}
