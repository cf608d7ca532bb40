package handlers_test

import (
	"strings"
	"testing"

	"github.com/hibiken/asynq"
	"github.com/ozmon/ozmon/cache"
	"github.com/ozmon/ozmon/handlers"
	"github.com/ozmon/ozmon/store/memory"
	"github.com/ozmon/ozmon/tenants"
)

// TestNewRefusesMissingDependencies: a config without a required
// dependency is refused at start, naming the field.
func TestNewRefusesMissingDependencies(t *testing.T) {
	t.Parallel()
	st := memory.New()
	full := func() handlers.Config {
		return handlers.Config{Client: &asynq.Client{}, Cache: &cache.Blocks{}, Fetchers: map[string]handlers.BlockFetcher{},
			Tenants: tenants.New(st), Deliveries: st}
	}
	if _, err := handlers.New(full()); err != nil {
		t.Fatalf("complete config refused: %v", err)
	}
	for field, drop := range map[string]func(*handlers.Config){
		"Client":     func(c *handlers.Config) { c.Client = nil },
		"Cache":      func(c *handlers.Config) { c.Cache = nil },
		"Fetchers":   func(c *handlers.Config) { c.Fetchers = nil },
		"Tenants":    func(c *handlers.Config) { c.Tenants = nil },
		"Deliveries": func(c *handlers.Config) { c.Deliveries = nil },
	} {
		cfg := full()
		drop(&cfg)
		if _, err := handlers.New(cfg); err == nil || !strings.Contains(err.Error(), "Config."+field) {
			t.Errorf("without %s: err = %v, want one naming Config.%s", field, err, field)
		}
	}
}
