package postgres

import (
	"context"
	"testing"

	"github.com/ozmon/ozmon/store"
	"github.com/ozmon/ozmon/store/storetest"
)

func TestProgressConformance(t *testing.T) {
	t.Parallel()
	storetest.Progress(t, func(t *testing.T) (store.Progress, func(string)) {
		s, _ := openTestStore(t)
		return s, func(network string) {
			if err := s.AdvanceCursor(context.Background(), network, 1); err != nil {
				t.Fatal(err)
			}
		}
	})
}
