package main

import (
	"context"
	"testing"
)

func TestSameListener(t *testing.T) {
	for _, c := range []struct {
		api, metrics string
		want         bool
	}{
		{"0.0.0.0:3000", ":3000", true},
		{"127.0.0.1:3000", "127.0.0.1:3000", true},
		{"0.0.0.0:8088", ":3000", false},
		{"127.0.0.1:3000", "10.0.0.1:3000", false},
		{"0.0.0.0:3000", "", false},
	} {
		if got := sameListener(c.api, c.metrics); got != c.want {
			t.Errorf("sameListener(%q, %q) = %v", c.api, c.metrics, got)
		}
	}
}

// TestOperatorOnlyAuthenticator: until keys and sessions are wired in,
// only the configured operator token authenticates, and no token when
// none is configured.
func TestOperatorOnlyAuthenticator(t *testing.T) {
	ctx := context.Background()
	if p, err := (operatorOnly{token: "s3cret-operator-token"}).Authenticate(ctx, "s3cret-operator-token"); err != nil || !p.Operator {
		t.Fatalf("operator token: %+v %v", p, err)
	}
	for _, c := range []struct{ cfg, token string }{{"s3cret-operator-token", "s3cret"}, {"", ""}, {"", "anything"}} {
		if _, err := (operatorOnly{token: c.cfg}).Authenticate(ctx, c.token); err == nil {
			t.Errorf("configured %q, token %q: accepted", c.cfg, c.token)
		}
	}
}
