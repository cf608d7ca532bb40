package storetest

import (
	"strings"
	"testing"
)

func networkRegistry(t *testing.T, newStores func(t *testing.T) Stores) {
	t.Run("put, replace, list", func(t *testing.T) {
		t.Parallel()
		s := newStores(t)
		if s.PutNetwork == nil {
			t.Fatal("storetest: Stores.PutNetwork is nil; NetworkRegistry needs it")
		}
		if ns, err := s.Networks.Networks(bg()); err != nil || len(ns) != 0 {
			t.Fatalf("networks of an empty store: %+v, %v", ns, err)
		}
		s.PutNetwork(t, "stellar_testnet", []byte(NetworkJSON("stellar_testnet")))
		s.PutNetwork(t, "stellar_mainnet", []byte(NetworkJSON("stellar_mainnet")))
		// Replacing keeps one entry and the new content.
		changed := strings.Replace(NetworkJSON("stellar_mainnet"), `"confirmation_blocks": 1`, `"confirmation_blocks": 2`, 1)
		s.PutNetwork(t, "stellar_mainnet", []byte(changed))
		ns, err := s.Networks.Networks(bg())
		must(t, err)
		if len(ns) != 2 || ns[0].Slug != "stellar_mainnet" || ns[1].Slug != "stellar_testnet" {
			t.Fatalf("networks = %+v", ns)
		}
		if ns[0].Config.ConfirmationBlocks != 2 || len(ns[0].Config.RPCURLs) != 1 {
			t.Fatalf("mainnet = %+v", ns[0].Config)
		}
	})
}
