package storetest

import (
	"sync"
	"testing"
)

func cursorStore(t *testing.T, newStores func(t *testing.T) Stores) {
	t.Run("never goes backwards", func(t *testing.T) {
		t.Parallel()
		s := newStores(t).Cursors
		ctx := bg()
		if _, ok, err := s.Cursor(ctx, "stellar_mainnet"); err != nil || ok {
			t.Fatalf("fresh cursor: ok=%v err=%v", ok, err)
		}
		steps := []struct{ advance, want uint64 }{
			{100, 100}, {105, 105}, {90, 105}, {105, 105}, {106, 106},
		}
		for _, st := range steps {
			must(t, s.AdvanceCursor(ctx, "stellar_mainnet", st.advance))
			got, ok, err := s.Cursor(ctx, "stellar_mainnet")
			if err != nil || !ok || got != st.want {
				t.Fatalf("after advancing to %d: cursor %d ok=%v err=%v, want %d", st.advance, got, ok, err, st.want)
			}
		}
		// Networks are independent.
		if _, ok, _ := s.Cursor(ctx, "stellar_testnet"); ok {
			t.Fatal("testnet has a cursor it never set")
		}
		// Racing writers end at the maximum.
		var wg sync.WaitGroup
		for i := uint64(0); i < 20; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := s.AdvanceCursor(ctx, "stellar_testnet", 1000+i); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		if got, _, _ := s.Cursor(ctx, "stellar_testnet"); got != 1019 {
			t.Fatalf("after racing writers: %d, want 1019", got)
		}
	})
}
