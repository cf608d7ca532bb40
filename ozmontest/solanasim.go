package ozmontest

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/ozmon/ozmon/chain"
	"github.com/ozmon/ozmon/chain/solana"
)

// SolanaSim is a Solana JSON-RPC server on 127.0.0.1 serving slots from
// OpenZeppelin Monitor's fixture format (blocks.json, the flattened model)
// or synthetic generation (SPL token transfers, Anchor program calls with
// "Program data:" events, failed transactions, v0 transactions whose CPI
// program comes from an address lookup table, skipped slots): getSlot,
// getBlock (json encoding, as a node answers it; −32007 for a skipped
// slot, −32004 past the tip), getBlocks, getBlockHeight, getHealth and
// getVersion. Faults can be injected per method, calls are counted per
// method, and the tip advances on demand or on an interval. It is safe for
// concurrent use.
type SolanaSim struct {
	*rpcServer

	mu     sync.RWMutex
	slots  []solSlot // sorted by slot, skipped ones included
	tipIdx int       // slots[:tipIdx+1] are visible
	gen    *solSynthGen
}

// solSlot is one slot: its block (nil when skipped) and the getBlock
// result, encoded once.
type solSlot struct {
	slot    uint64
	block   *chain.Block
	encoded []byte
}

// SolanaSimOption configures a SolanaSim.
type SolanaSimOption func(*solSimConfig)

type solSimConfig struct {
	addr          string
	blocksJSON    []byte
	fixtures      bool
	synthetic     *SolanaSynthetic
	tipInterval   time.Duration
	initialTip    uint64
	hasInitialTip bool
	network       string
}

// SolanaSimFixtures serves blocks in OpenZeppelin Monitor's Solana model
// (a JSON array of blocks, bare or wrapped as {"Solana": …}). Slots
// between two fixture blocks are served as skipped.
func SolanaSimFixtures(blocksJSON []byte) SolanaSimOption {
	return func(c *solSimConfig) { c.blocksJSON, c.fixtures = blocksJSON, true }
}

// SolanaSimSynthetic serves synthetic slots (the default when no source is
// given); more are generated when the tip passes the last one.
func SolanaSimSynthetic(cfg SolanaSynthetic) SolanaSimOption {
	return func(c *solSimConfig) { c.synthetic = &cfg }
}

// SolanaSimAddr sets the listen address (default 127.0.0.1:0).
func SolanaSimAddr(addr string) SolanaSimOption { return func(c *solSimConfig) { c.addr = addr } }

// SolanaSimTipInterval advances the tip by one slot every d; 0 (the
// default) advances it only through Advance.
func SolanaSimTipInterval(d time.Duration) SolanaSimOption {
	return func(c *solSimConfig) { c.tipInterval = d }
}

// SolanaSimInitialTip makes slot n the tip at start (the newest held slot
// at or below n); later slots become visible through Advance. Default: the
// last slot.
func SolanaSimInitialTip(n uint64) SolanaSimOption {
	return func(c *solSimConfig) { c.initialTip, c.hasInitialTip = n, true }
}

// NewSolanaSim loads or generates the slots and starts serving. Close
// stops it.
func NewSolanaSim(opts ...SolanaSimOption) (*SolanaSim, error) {
	cfg := solSimConfig{addr: "127.0.0.1:0", network: "solana_sim"}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.fixtures && cfg.synthetic != nil {
		return nil, errors.New("solana sim: choose one source, fixtures or synthetic slots")
	}
	s := &SolanaSim{}
	s.rpcServer = newRPCServer(func(method string, params json.RawMessage, _ Fault) (any, *rpcErr) {
		return s.dispatch(method, params)
	}, true)
	if cfg.fixtures {
		if err := s.loadFixtures(cfg.network, cfg.blocksJSON); err != nil {
			return nil, err
		}
	} else {
		sc := SolanaSynthetic{}
		if cfg.synthetic != nil {
			sc = *cfg.synthetic
		}
		g, err := newSolSynthGen(sc)
		if err != nil {
			return nil, err
		}
		s.gen = g
		for range g.cfg.Slots {
			if err := s.generateLocked(); err != nil {
				return nil, err
			}
		}
	}
	if len(s.slots) == 0 {
		return nil, errors.New("solana sim: no slots")
	}
	s.tipIdx = len(s.slots) - 1
	if cfg.hasInitialTip {
		i := lastAtOrBelow(s.slots, func(x solSlot) uint64 { return x.slot }, cfg.initialTip)
		if i < 0 {
			return nil, fmt.Errorf("solana sim: initial tip %d is before the first slot %d", cfg.initialTip, s.slots[0].slot)
		}
		s.tipIdx = i
	}
	if err := s.start("solana sim", cfg.addr, cfg.tipInterval, func() { _, _ = s.Advance(1) }); err != nil {
		return nil, err
	}
	return s, nil
}

// StartSolanaSim is NewSolanaSim for tests: it fails the test on error and
// closes the sim when the test ends.
func StartSolanaSim(tb testing.TB, opts ...SolanaSimOption) *SolanaSim {
	tb.Helper()
	s, err := NewSolanaSim(opts...)
	if err != nil {
		tb.Fatalf("start solana sim: %v", err)
	}
	tb.Cleanup(func() { _ = s.Close() })
	return s
}

func (s *SolanaSim) loadFixtures(network string, data []byte) error {
	blocks, err := solana.ParseModelBlocks(network, data)
	if err != nil {
		return fmt.Errorf("solana sim: %w", err)
	}
	sort.Slice(blocks, func(i, j int) bool { return blocks[i].Ledger < blocks[j].Ledger })
	for i, b := range blocks {
		if i > 0 && b.Ledger == blocks[i-1].Ledger {
			return fmt.Errorf("solana sim: slot %d appears twice", b.Ledger)
		}
		if i > 0 {
			for gap := blocks[i-1].Ledger + 1; gap < b.Ledger && gap-blocks[i-1].Ledger <= 1000; gap++ {
				s.slots = append(s.slots, solSlot{slot: gap})
			}
		}
		if err := s.addLocked(b.Ledger, b); err != nil {
			return err
		}
	}
	return nil
}

// addLocked appends a slot; b nil means skipped.
func (s *SolanaSim) addLocked(slot uint64, b *chain.Block) error {
	ss := solSlot{slot: slot, block: b}
	if b != nil {
		enc, err := solana.EncodeBlock(b)
		if err != nil {
			return fmt.Errorf("solana sim: slot %d: %w", slot, err)
		}
		ss.encoded = enc
	}
	s.slots = append(s.slots, ss)
	return nil
}

func (s *SolanaSim) generateLocked() error {
	slot, b := s.gen.next()
	return s.addLocked(slot, b)
}

// Tip is the latest visible slot (what getSlot answers).
func (s *SolanaSim) Tip() uint64 {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.slots[s.tipIdx].slot
}

// Advance makes the next n slots visible, generating synthetic ones as
// needed, and returns the new tip. A fixture sim stops at its last slot
// and says so.
func (s *SolanaSim) Advance(n int) (uint64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		if s.tipIdx+1 >= len(s.slots) {
			if s.gen == nil {
				return s.slots[s.tipIdx].slot, fmt.Errorf("solana sim: no slot after %d", s.slots[s.tipIdx].slot)
			}
			if err := s.generateLocked(); err != nil {
				return s.slots[s.tipIdx].slot, err
			}
		}
		s.tipIdx++
	}
	return s.slots[s.tipIdx].slot, nil
}

// Slots returns every slot the sim holds, visible or not, skipped ones
// included.
func (s *SolanaSim) Slots() []uint64 {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]uint64, len(s.slots))
	for i, ss := range s.slots {
		out[i] = ss.slot
	}
	return out
}

// Block returns the block the sim serves for slot, as chain/solana decodes
// it (nil for a skipped or unknown slot). Callers must not modify it.
func (s *SolanaSim) Block(slot uint64) *chain.Block {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if i := s.indexLocked(slot); i >= 0 {
		return s.slots[i].block
	}
	return nil
}

// Skipped reports whether slot is held and skipped.
func (s *SolanaSim) Skipped(slot uint64) bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	i := s.indexLocked(slot)
	return i >= 0 && s.slots[i].block == nil
}

func (s *SolanaSim) indexLocked(slot uint64) int {
	i := sort.Search(len(s.slots), func(i int) bool { return s.slots[i].slot >= slot })
	if i < len(s.slots) && s.slots[i].slot == slot {
		return i
	}
	return -1
}
