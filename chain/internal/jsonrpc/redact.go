package jsonrpc

import (
	"errors"
	"fmt"
	"net/url"
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
	return out.String(), nil
}

func looksLikeKey(s string) bool {
	if len(s) < 16 {
		return false
	}
	return strings.ContainsAny(s, "0123456789")
}
