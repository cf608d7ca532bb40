package ozmontest

import (
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"
)

// EVMSim is an EVM JSON-RPC server on 127.0.0.1 serving blocks from
// OpenZeppelin Monitor's fixture format or synthetic generation:
// eth_blockNumber, eth_getBlockByNumber (full or hash-only transactions),
// eth_getLogs (one block or a range, address and topic filters),
// eth_getTransactionReceipt (by hash), net_version and eth_chainId, all
// derived from the same blocks and receipts. Logs are the receipts' logs.
// Faults can be injected per method, calls are counted per method, the
// tip advances on demand or on an interval, and Reorg replaces the newest
// blocks with another branch. It is safe for concurrent use.
type EVMSim struct {
	*rpcServer

	mu       sync.RWMutex
	chainID  uint64
	blocks   []*evmSimBlock // sorted by number
	tipIdx   int            // blocks[:tipIdx+1] are visible
	receipts map[string]*evmSimReceipt
	gen      *evmSynthGen
	reorgs   int
}

// EVMSimOption configures an EVMSim.
type EVMSimOption func(*evmSimConfig)

type evmSimConfig struct {
	addr          string
	blocksJSON    []byte
	receiptsJSON  []byte
	fixtures      bool
	synthetic     *EVMSynthetic
	chainID       uint64
	tipInterval   time.Duration
	initialTip    uint64
	hasInitialTip bool
}

// EVMSimFixtures serves blocks in OpenZeppelin Monitor's fixture format:
// blocksJSON an array of {"EVM": <eth_getBlockByNumber(…, true) result>},
// receiptsJSON an array of eth_getTransactionReceipt results (nil for
// none). A transaction without a receipt in the file gets a minimal one
// (status 1, no logs) so that receipt fetching works on every block.
func EVMSimFixtures(blocksJSON, receiptsJSON []byte) EVMSimOption {
	return func(c *evmSimConfig) {
		c.blocksJSON, c.receiptsJSON, c.fixtures = blocksJSON, receiptsJSON, true
	}
}

// EVMSimSynthetic serves synthetic blocks (the default when no source is
// given); more are generated when the tip passes the last one.
func EVMSimSynthetic(cfg EVMSynthetic) EVMSimOption {
	return func(c *evmSimConfig) { c.synthetic = &cfg }
}

// EVMSimAddr sets the listen address (default 127.0.0.1:0).
func EVMSimAddr(addr string) EVMSimOption { return func(c *evmSimConfig) { c.addr = addr } }

// EVMSimChainID sets what eth_chainId and net_version answer (default 1).
func EVMSimChainID(id uint64) EVMSimOption { return func(c *evmSimConfig) { c.chainID = id } }

// EVMSimTipInterval advances the tip by one block every d; 0 (the
// default) advances it only through Advance.
func EVMSimTipInterval(d time.Duration) EVMSimOption {
	return func(c *evmSimConfig) { c.tipInterval = d }
}

// EVMSimInitialTip makes block n the tip at start (the newest held block
// at or below n); later blocks become visible through Advance. Default:
// the last block.
func EVMSimInitialTip(n uint64) EVMSimOption {
	return func(c *evmSimConfig) { c.initialTip, c.hasInitialTip = n, true }
}

// NewEVMSim loads or generates the blocks and starts serving. Close stops
// it.
func NewEVMSim(opts ...EVMSimOption) (*EVMSim, error) {
	cfg := evmSimConfig{addr: "127.0.0.1:0", chainID: 1}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.fixtures && cfg.synthetic != nil {
		return nil, errors.New("evm sim: choose one source, fixtures or synthetic blocks")
	}
	s := &EVMSim{chainID: cfg.chainID, receipts: map[string]*evmSimReceipt{}}
	s.rpcServer = newRPCServer(func(method string, params json.RawMessage, _ Fault) (any, *rpcErr) {
		res, err := s.dispatchEVM(method, params)
		if err != nil {
			return nil, err
		}
		return res, nil
	}, true)
	if cfg.fixtures {
		if err := s.loadFixtures(cfg.blocksJSON, cfg.receiptsJSON); err != nil {
			return nil, err
		}
	} else {
		sc := EVMSynthetic{}
		if cfg.synthetic != nil {
			sc = *cfg.synthetic
		}
		g, err := newEVMSynthGen(sc)
		if err != nil {
			return nil, err
		}
		s.gen = g
		for range g.cfg.Blocks {
			if err := s.generateLocked(); err != nil {
				return nil, err
			}
		}
	}
	if len(s.blocks) == 0 {
		return nil, errors.New("evm sim: no blocks")
	}
	s.tipIdx = len(s.blocks) - 1
	if cfg.hasInitialTip {
		i := s.indexAtOrBelow(cfg.initialTip)
		if i < 0 {
			return nil, fmt.Errorf("evm sim: initial tip %d is before the first block %d", cfg.initialTip, s.blocks[0].number)
		}
		s.tipIdx = i
	}

	// A fixture sim stops at its last block: Advance then errs, ignored.
	if err := s.start("evm sim", cfg.addr, cfg.tipInterval, func() { _, _ = s.Advance(1) }); err != nil {
		return nil, err
	}
	return s, nil
}

// StartEVMSim is NewEVMSim for tests: it fails the test on error and
// closes the sim when the test ends.
func StartEVMSim(tb testing.TB, opts ...EVMSimOption) *EVMSim {
	tb.Helper()
	s, err := NewEVMSim(opts...)
	if err != nil {
		tb.Fatalf("start evm sim: %v", err)
	}
	tb.Cleanup(func() { _ = s.Close() })
	return s
}

// Tip is the latest visible block number.
func (s *EVMSim) Tip() uint64 {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.blocks[s.tipIdx].number
}

// Advance makes the next n blocks visible, generating synthetic ones as
// needed, and returns the new tip. A fixture sim stops at its last block
// and says so.
func (s *EVMSim) Advance(n int) (uint64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		if s.tipIdx+1 >= len(s.blocks) {
			if s.gen == nil {
				return s.blocks[s.tipIdx].number, fmt.Errorf("evm sim: no block after %d", s.blocks[s.tipIdx].number)
			}
			if err := s.generateLocked(); err != nil {
				return s.blocks[s.tipIdx].number, err
			}
		}
		s.tipIdx++
	}
	return s.blocks[s.tipIdx].number, nil
}

// Blocks returns the numbers of the blocks the sim holds, visible or not.
func (s *EVMSim) Blocks() []uint64 {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]uint64, len(s.blocks))
	for i, b := range s.blocks {
		out[i] = b.number
	}
	return out
}

// BlockHash returns the current hash and parent hash of held block n.
func (s *EVMSim) BlockHash(n uint64) (hash, parent string, ok bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	i := s.indexAtOrBelow(n)
	if i < 0 || s.blocks[i].number != n {
		return "", "", false
	}
	return s.blocks[i].hash, s.blocks[i].parent, true
}

// TxHashes returns the hashes of held block n's transactions in order.
func (s *EVMSim) TxHashes(n uint64) []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	i := s.indexAtOrBelow(n)
	if i < 0 || s.blocks[i].number != n {
		return nil
	}
	return append([]string(nil), s.blocks[i].txHashes...)
}
