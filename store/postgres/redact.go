package postgres

import (
	"net/url"
	"strings"
)

// redactURL returns a database URL fit for errors and logs: the password of
// a postgres:// URL, or the password= of a keyword/value string, becomes
// "xxxxx". A URL it cannot parse keeps only what follows the userinfo,
// rather than risk echoing a secret.
func redactURL(s string) string {
	if strings.HasPrefix(s, "postgres://") || strings.HasPrefix(s, "postgresql://") {
		u, err := url.Parse(s)
		if err != nil {
			// Still show where it points: only the userinfo is a secret.
			if at := strings.LastIndex(s, "@"); at >= 0 {
				scheme, rest, _ := strings.Cut(s[:at], "://")
				user, _, _ := strings.Cut(rest, ":")
				return scheme + "://" + user + ":xxxxx" + s[at:]
			}
			return "(unparsable URL)"
		}
		if _, ok := u.User.Password(); ok {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
		}
		q := u.Query()
		if q.Has("password") {
			q.Set("password", "xxxxx")
			u.RawQuery = q.Encode()
		}
		return u.String()
	}
	fields := strings.Fields(s)
	for i, f := range fields {
		if strings.HasPrefix(f, "password=") {
			fields[i] = "password=xxxxx"
		}
	}
	return strings.Join(fields, " ")
}

// urlPassword extracts the password in s, if any, so error text from the
// driver can be scrubbed of it as a last line of defence.
func urlPassword(s string) string {
	if u, err := url.Parse(s); err == nil && u.User != nil {
		if p, ok := u.User.Password(); ok {
			return p
		}
		if q := u.Query().Get("password"); q != "" {
			return q
		}
	}
	for _, f := range strings.Fields(s) {
		if p, ok := strings.CutPrefix(f, "password="); ok {
			return strings.Trim(p, "'")
		}
	}
	return ""
}

// scrubbedError hides a password that the driver may have put in an error
// message; errors.Is/As still reach the original through Unwrap.
type scrubbedError struct {
	msg string
	err error
}

func (e *scrubbedError) Error() string { return e.msg }
func (e *scrubbedError) Unwrap() error { return e.err }

func scrub(err error, password string) error {
	if err == nil || password == "" || !strings.Contains(err.Error(), password) {
		return err
	}
	return &scrubbedError{msg: strings.ReplaceAll(err.Error(), password, "xxxxx"), err: err}
}
