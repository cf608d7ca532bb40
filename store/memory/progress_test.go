package memory_test

import (
	"testing"

	"github.com/ozmon/ozmon/store"
	"github.com/ozmon/ozmon/store/memory"
	"github.com/ozmon/ozmon/store/storetest"
)

func TestProgressConformance(t *testing.T) {
	storetest.Progress(t, func(*testing.T) (store.Progress, func(string)) {
		return memory.New(), func(string) {}
	})
}
