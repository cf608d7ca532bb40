package api

import (
	"context"
	"strings"
	"testing"

	"github.com/ozmon/ozmon/store"
)

// panicStore panics on Networks, as a bug in a store would.
type panicStore struct{ Store }

func (panicStore) Networks(context.Context) ([]store.NetworkEndpoints, error) {
	panic("secret internals: postgres://admin:hunter2@db")
}

// failStore fails Networks with an error naming internals.
type failStore struct{ Store }

func (failStore) Networks(context.Context) ([]store.NetworkEndpoints, error) {
	return nil, context.DeadlineExceeded
}

// TestPanicsAndFailuresDoNotLeak: a panicking or failing resolver answers
// INTERNAL with a generic message; the server keeps serving.
func TestPanicsAndFailuresDoNotLeak(t *testing.T) {
	t.Parallel()
	base := newEnv(t)
	for name, st := range map[string]Store{"panic": panicStore{base.st}, "fail": failStore{base.st}} {
		e := newEnv(t, WithStore(st))
		r := e.query(t, "a-owner", `{ networks { slug } }`, nil)
		if r.code() != CodeInternal || r.Errors[0].Message != "internal error" {
			t.Errorf("%s: %+v", name, r.Errors)
		}
		for _, err := range r.Errors {
			if strings.Contains(err.Message, "hunter2") || strings.Contains(err.Message, "deadline") {
				t.Errorf("%s: leaked %q", name, err.Message)
			}
		}
		if r := e.query(t, "a-owner", `{ me { actor } }`, nil); len(r.Errors) > 0 {
			t.Errorf("%s: server broken afterwards: %+v", name, r.Errors)
		}
	}
}
