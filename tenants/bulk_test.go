package tenants_test

import (
	"context"
	"fmt"
	"log/slog"
	"sync/atomic"
	"testing"

	"github.com/ozmon/ozmon/store"
	"github.com/ozmon/ozmon/store/memory"
	"github.com/ozmon/ozmon/tenants"
)

// bulkSource is a memory store that also loads tenants in bulk, counting
// the calls of each kind.
type bulkSource struct {
	*memory.Store
	bulk, one atomic.Int32
	fail      bool
}

func (b *bulkSource) TenantConfig(ctx context.Context, id string) (*store.TenantConfig, error) {
	b.one.Add(1)
	return b.Store.TenantConfig(ctx, id)
}

func (b *bulkSource) TenantConfigs(ctx context.Context, ids []string) ([]*store.TenantConfig, error) {
	b.bulk.Add(1)
	if b.fail {
		return nil, fmt.Errorf("bulk load refused")
	}
	var out []*store.TenantConfig
	for _, id := range ids {
		if id == "t0007" {
			continue // deleted between the list and the load
		}
		tc, err := b.Store.TenantConfig(ctx, id)
		if err != nil {
			return nil, err
		}
		out = append(out, tc)
	}
	return out, nil
}

// TestReloadInBulk: a full reload of a source that loads in bulk asks it
// a chunk of 1,000 tenants at a time, never tenant by tenant, and falls
// back to one by one when a chunk fails.
func TestReloadInBulk(t *testing.T) {
	t.Parallel()
	for _, fail := range []bool{false, true} {
		src := &bulkSource{Store: memory.New(), fail: fail}
		for i := range 2500 {
			id := fmt.Sprintf("t%04d", i)
			src.PutTenant(store.Tenant{ID: id, Slug: id, Active: true}, watching(fmt.Sprint("m", i)))
		}
		reg := tenants.New(src, tenants.WithNetworks(network), tenants.WithLogger(slog.New(slog.DiscardHandler)))
		if err := reg.Reload(context.Background()); err != nil {
			t.Fatal(err)
		}
		wantLen, wantOne := 2499, int32(0)
		if fail {
			wantLen, wantOne = 2500, 2500
		}
		if reg.Len() != wantLen || src.bulk.Load() != 3 || src.one.Load() != wantOne {
			t.Fatalf("fail=%v: %d tenants, %d bulk loads, %d single loads; want %d, 3, %d",
				fail, reg.Len(), src.bulk.Load(), src.one.Load(), wantLen, wantOne)
		}
		if got := len(reg.Index(network).Tenant("t2499")); got != 1 {
			t.Fatalf("fail=%v: last tenant has %d indexed monitors", fail, got)
		}
	}
}
