package stellar

import (
	"context"
	"strings"
	"sync"
	"unicode"

	"github.com/ozmon/ozmon/chain"
)

// SpecCache holds formatted contract specs per (network, contract). It is
// safe for concurrent use; the zero value is ready. Contract addresses are
// normalised (whitespace removed, upper-cased) so "cabc…" and "CABC…" share
// an entry. A cached nil spec records that a contract has none (a Stellar
// Asset Contract carries no WASM spec), so it is not fetched again.
type SpecCache struct {
	mu      sync.Mutex
	specs   map[specKey]*chain.ContractSpec
	loading map[specKey]*specLoad
}

type specKey struct{ network, contract string }

// specLoad is one in-flight load that concurrent callers wait for.
type specLoad struct {
	done chan struct{}
	spec *chain.ContractSpec
	err  error
}

func normalizeContract(c string) string {
	return strings.ToUpper(strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, c))
}

// Get returns the cached spec of a contract; ok is false when nothing is
// cached (a cached "no spec" returns nil, true).
func (c *SpecCache) Get(network, contract string) (spec *chain.ContractSpec, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	spec, ok = c.specs[specKey{network, normalizeContract(contract)}]
	return spec, ok
}

// Put caches a contract's spec (nil: the contract has none).
func (c *SpecCache) Put(network, contract string, spec *chain.ContractSpec) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.specs == nil {
		c.specs = make(map[specKey]*chain.ContractSpec)
	}
	c.specs[specKey{network, normalizeContract(contract)}] = spec
}

// Delete forgets a contract's spec, so the next GetOrLoad fetches it again.
func (c *SpecCache) Delete(network, contract string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.specs, specKey{network, normalizeContract(contract)})
}

// Len is the number of cached contracts.
func (c *SpecCache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.specs)
}

// GetOrLoad returns the cached spec, or calls load once — however many
// goroutines ask for the same contract at the same time — and caches its
// result. A load error is returned to every waiter and not cached, so a
// later call retries; load returns (nil, nil) for a contract without a spec,
// which is cached. A caller whose ctx ends stops waiting; the load itself
// runs with the first caller's ctx.
func (c *SpecCache) GetOrLoad(ctx context.Context, network, contract string,
	load func(ctx context.Context) (*chain.ContractSpec, error)) (*chain.ContractSpec, error) {
	k := specKey{network, normalizeContract(contract)}
	c.mu.Lock()
	if spec, ok := c.specs[k]; ok {
		c.mu.Unlock()
		return spec, nil
	}
	if l, ok := c.loading[k]; ok {
		c.mu.Unlock()
		select {
		case <-l.done:
			return l.spec, l.err
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	l := &specLoad{done: make(chan struct{})}
	if c.loading == nil {
		c.loading = make(map[specKey]*specLoad)
	}
	c.loading[k] = l
	c.mu.Unlock()

	func() {
		defer func() {
			if r := recover(); r != nil {
				l.err = panicError{r}
			}
		}()
		l.spec, l.err = load(ctx)
	}()

	c.mu.Lock()
	delete(c.loading, k)
	if l.err == nil {
		if c.specs == nil {
			c.specs = make(map[specKey]*chain.ContractSpec)
		}
		c.specs[k] = l.spec
	}
	c.mu.Unlock()
	close(l.done)
	return l.spec, l.err
}

// panicError reports a panicking spec loader to every waiter.
type panicError struct{ v any }

func (e panicError) Error() string {
	return "stellar: contract spec loader panicked: " + strings.TrimSpace(sprint(e.v))
}

func sprint(v any) string {
	if err, ok := v.(error); ok {
		return err.Error()
	}
	if s, ok := v.(string); ok {
		return s
	}
	return "non-error panic value"
}
