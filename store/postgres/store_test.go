package postgres

import (
	"context"
	"strings"
	"testing"
	"time"
)

func TestOpenBadURLDoesNotLeakPassword(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	const secret = "s3cr3t-Pa55word"
	cases := []struct {
		name, url, want string
	}{
		// Nothing listens on port 1: connecting fails at once.
		{"unreachable", "postgres://ozmon:" + secret + "@127.0.0.1:1/ozmon?sslmode=disable", "127.0.0.1:1"},
		{"unparsable", "postgres://ozmon:" + secret + "@127.0.0.1:notaport/ozmon", "@127.0.0.1:notaport/ozmon"},
		{"keyword form", "host=127.0.0.1 port=1 user=ozmon password=" + secret + " dbname=ozmon sslmode=disable", "password=xxxxx"},
		{"password in query", "postgres://127.0.0.1:1/ozmon?user=ozmon&password=" + secret + "&sslmode=disable", "127.0.0.1:1"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, err := Open(ctx, tc.url, withConnectTimeout(5*time.Second))
			if err == nil {
				s.Close()
				t.Fatal("Open succeeded")
			}
			msg := err.Error()
			t.Logf("error: %s", msg)
			if strings.Contains(msg, secret) {
				t.Fatalf("error leaks the password: %s", msg)
			}
			if !strings.Contains(msg, tc.want) {
				t.Fatalf("error %q does not mention %q", msg, tc.want)
			}
		})
	}
}

func TestOpenRejectsBadOptions(t *testing.T) {
	t.Parallel()
	for _, opt := range []Option{
		WithNotifyChannel("Has-Dash"),
		WithNotifyChannel(""),
		WithNotifyChannel(strings.Repeat("a", 64)),
		WithReloadInterval(0),
	} {
		if _, err := Open(context.Background(), "postgres://127.0.0.1:1/x", opt); err == nil || !strings.Contains(err.Error(), "postgres: open") {
			t.Errorf("Open with a bad option: err = %v", err)
		}
	}
}

func TestRedactURL(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"postgres://u:pw@h:5432/db?sslmode=disable": "postgres://u:xxxxx@h:5432/db?sslmode=disable",
		"postgres://u@h/db":                         "postgres://u@h/db",
		"host=h password=pw user=u":                 "host=h password=xxxxx user=u",
		"postgres://h/db?password=pw":               "postgres://h/db?password=xxxxx",
		"postgres://u:p%w@h:bad/db":                 "postgres://u:xxxxx@h:bad/db",
		"postgres://h:bad/db":                       "(unparsable URL)",
	}
	for in, want := range cases {
		if got := redactURL(in); got != want {
			t.Errorf("redactURL(%q) = %q, want %q", in, got, want)
		}
	}
}
