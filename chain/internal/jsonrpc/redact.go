package jsonrpc

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
)

// RedactURL returns rawURL without what may be a secret: user info, the
// query string and any path segment that looks like an API key (16 or more
// characters holding a digit, as providers put keys in the path).
func RedactURL(rawURL string) (string, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "", errors.New("invalid URL") // the URL itself may hold a key
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return "", fmt.Errorf("URL scheme %q is not http or https", u.Scheme)
	}
	if u.Host == "" {
		return "", errors.New("URL has no host")
	}
	return redacted(u), nil
}

// redacted is u without user info, query and key-like path segments.
func redacted(u *url.URL) string {
	out := url.URL{Scheme: u.Scheme, Host: u.Host}
	if u.User != nil {
		out.User = url.User("REDACTED")
	}
	segs := strings.Split(u.Path, "/")
	for i, s := range segs {
		if looksLikeKey(s) {
			segs[i] = "REDACTED"
		}
	}
	out.Path = strings.Join(segs, "/")
	if u.RawQuery != "" {
		out.RawQuery = "REDACTED"
	}
	return out.String()
}

func looksLikeKey(s string) bool {
	if len(s) < 16 {
		return false
	}
	return strings.ContainsAny(s, "0123456789")
}

// urlInText finds what reads as a URL inside free text.
var urlInText = regexp.MustCompile(`(?i)\b[a-z][a-z0-9+.\-]*://[^\s"'<>]+`)

// MaskURLs redacts, as RedactURL does, every URL found in text (any
// scheme), so that a node's message or a wrapped error quoting an
// endpoint cannot carry its key into logs or a task's last error. A URL
// that does not parse is replaced whole.
func MaskURLs(text string) string {
	return urlInText.ReplaceAllStringFunc(text, func(s string) string {
		u, err := url.Parse(s)
		if err != nil || u.Opaque != "" {
			scheme, _, _ := strings.Cut(s, ":")
			return scheme + "://REDACTED"
		}
		return redacted(u)
	})
}

// secretsOf lists the parts of an endpoint URL that may be secrets (user
// info, query values, key-like path segments), so that a node echoing
// one in its message is masked even where no whole URL is quoted.
func secretsOf(rawURL string) []string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil
	}
	var out []string
	if u.User != nil {
		out = append(out, u.User.Username())
		if p, ok := u.User.Password(); ok {
			out = append(out, p)
		}
	}
	for _, vs := range u.Query() {
		out = append(out, vs...)
	}
	for _, s := range strings.Split(u.Path, "/") {
		if looksLikeKey(s) {
			out = append(out, s)
		}
	}
	// Short values (a user name "a", "v=1") would mask half a message and
	// hide nothing worth hiding.
	return slices.DeleteFunc(out, func(s string) bool { return len(s) < 6 })
}

// maskSecrets replaces each of secrets in s.
func maskSecrets(s string, secrets []string) string {
	for _, sec := range secrets {
		s = strings.ReplaceAll(s, sec, "REDACTED")
	}
	return s
}
