package console

import (
	"crypto/subtle"
	"net/http"
	"net/url"
	"strings"
)

// csrfField is the form field, csrfHeader the header (fetch) carrying the
// session's CSRF token.
const (
	csrfField  = "csrf"
	csrfHeader = "X-CSRF-Token"
	// preCookie holds the sign-in form's token before there is a session
	// (double submit), so a third-party page cannot sign a browser in to
	// an attacker's tenant.
	preCookie = "ozmon_console_pre"
)

// sameOrigin refuses a request whose Origin (or, without one, Referer)
// names another host. Browsers send Origin on every POST and WebSocket.
func sameOrigin(r *http.Request) bool {
	src := r.Header.Get("Origin")
	if src == "" {
		src = r.Header.Get("Referer")
	}
	if src == "" {
		return true
	}
	u, err := url.Parse(src)
	return err == nil && strings.EqualFold(u.Host, r.Host)
}

// csrfOK checks the request's token against want.
func csrfOK(r *http.Request, want string) bool {
	got := r.Header.Get(csrfHeader)
	if got == "" {
		got = r.PostFormValue(csrfField)
	}
	return want != "" && got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}
