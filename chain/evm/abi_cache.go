package evm

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sync"
)

// ABICache parses each distinct ABI JSON once and returns the same *ABI
// for equal JSON (whitespace aside), so that monitors sharing a contract
// share one decoder and the engine decodes each call and log once for all
// of them. It is safe for concurrent use.
//
// Wired into package monitor as its ABISource, for example:
//
//	cache := evm.NewABICache()
//	src := func(network, address string, inline json.RawMessage) (monitor.ABIDecoder, error) {
//		a, err := cache.Get(inline)
//		if a == nil {
//			return nil, err // no ABI (or a bad one): never a typed nil
//		}
//		return a, nil
//	}
type ABICache struct {
	mu sync.Mutex
	m  map[string]*ABI
}

// NewABICache returns an empty cache.
func NewABICache() *ABICache { return &ABICache{m: map[string]*ABI{}} }

// Get returns the parsed ABI of spec; (nil, nil) for an absent, null or
// empty spec.
func (c *ABICache) Get(spec json.RawMessage) (*ABI, error) {
	t := bytes.TrimSpace(spec)
	if len(t) == 0 || string(t) == "null" || string(t) == "[]" {
		return nil, nil
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, t); err != nil {
		return nil, fmt.Errorf("parse ABI: %w", err)
	}
	key := buf.String()
	c.mu.Lock()
	defer c.mu.Unlock()
	if a, ok := c.m[key]; ok {
		return a, nil
	}
	a, err := parseABI(buf.Bytes())
	if err != nil {
		return nil, err
	}
	c.m[key] = a
	return a, nil
}
