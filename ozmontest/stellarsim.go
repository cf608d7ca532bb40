package ozmontest

import (
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"
)

// StellarSim is a Stellar RPC server on 127.0.0.1 that serves a fixed or
// growing set of LedgerCloseMeta: real mainnet files or synthetic ledgers.
// getHealth, getLatestLedger, getLedgers, getTransactions, getEvents,
// getNetwork and getLedgerEntries are all derived from the same metas and
// marshalled with the SDK's protocol structs, so their JSON quirks are the
// real ones. Faults can be injected per method; calls are counted per
// method. It is safe for concurrent use.
type StellarSim struct {
	*rpcServer

	mu         sync.RWMutex
	passphrase string
	ledgers    []*simLedger // sorted by sequence
	tipIdx     int          // ledgers[:tipIdx+1] are visible
	gen        *SyntheticGenerator
	retention  int
	entries    map[string]simEntry // base64 LedgerKey → entry
}

// Fault is a misbehaviour of one method (or of all, with method "*").
// Fields combine: Delay is applied first, then the first of HTTPStatus,
// Body, Code; Pruned changes the range the method reports.
type Fault struct {
	// Code and Message make the method answer a JSON-RPC error.
	Code    int
	Message string
	// HTTPStatus makes it answer this status (429, 503…) with no JSON.
	HTTPStatus int
	// Body makes it answer HTTP 200 with this raw body (garbage tests).
	Body []byte
	// Delay holds the answer back (the request's context still ends it).
	Delay time.Duration
	// Pruned: ledgers before this sequence are reported as outside the
	// retention window.
	Pruned uint32
	// Times is how many calls the fault applies to; 0 means all.
	Times int
}

// SimOption configures a StellarSim.
type SimOption func(*simConfig)

type simConfig struct {
	addr        string
	dir         string
	synthetic   *SyntheticConfig
	passphrase  string
	tipInterval time.Duration
	initialTip  uint32
	startFirst  bool
	retention   int
	contracts   map[string][]byte
	onCall      func(method string, params json.RawMessage)
}

// SimLedgerDir serves every .xdr, .xdr.gz and .xdr.zst(d) LedgerCloseMeta
// file in dir, sorted by sequence (gaps allowed).
func SimLedgerDir(dir string) SimOption { return func(c *simConfig) { c.dir = dir } }

// SimSynthetic serves synthetic ledgers (the default, with a zero config,
// when no source is given). When the tip passes the last ledger, more
// are generated, so a synthetic sim never runs dry. A live demo that
// advances with SimTipInterval may want cfg.StartTime = time.Now() and
// cfg.Interval equal to the tip interval, so close times look current.
func SimSynthetic(cfg SyntheticConfig) SimOption {
	return func(c *simConfig) { c.synthetic = &cfg }
}

// SimPassphrase sets the network passphrase (getNetwork, and the hashes
// getTransactions pairs by). Without it a ledger directory's passphrase is
// detected among the public, test and future networks.
func SimPassphrase(p string) SimOption { return func(c *simConfig) { c.passphrase = p } }

// SimAddr sets the listen address (default 127.0.0.1:0).
func SimAddr(addr string) SimOption { return func(c *simConfig) { c.addr = addr } }

// SimTipInterval advances the tip by one ledger every d in real time;
// 0 (the default) advances it only through Advance.
func SimTipInterval(d time.Duration) SimOption { return func(c *simConfig) { c.tipInterval = d } }

// SimInitialTip makes ledger seq the tip at start: later ledgers become
// visible through Advance or the tip interval. Default: the last ledger.
func SimInitialTip(seq uint32) SimOption { return func(c *simConfig) { c.initialTip = seq } }

// SimStartAtFirst makes the first held ledger the tip at start, so that
// Advance or the tip interval reveals the others one by one: a directory of
// ledger files replayed as a live chain. It wins over SimInitialTip.
func SimStartAtFirst() SimOption { return func(c *simConfig) { c.startFirst = true } }

// SimRetention keeps at most n ledgers (the oldest are dropped as the
// tip grows, like a node's retention window); default 10000.
func SimRetention(n int) SimOption { return func(c *simConfig) { c.retention = n } }

// SimContractWASM serves a WASM contract's instance and code entries
// through getLedgerEntries.
func SimContractWASM(contractID string, wasm []byte) SimOption {
	return func(c *simConfig) {
		if c.contracts == nil {
			c.contracts = map[string][]byte{}
		}
		c.contracts[contractID] = wasm
	}
}

// SimOnCall calls f with each request's method and raw params as the
// request arrives, before it is answered (and before any fault applies):
// a test can see when a client first asked for the tip after a ledger
// appeared, or when a ledger was fetched. f runs on the request's
// goroutine, so it must be quick and safe for concurrent use.
func SimOnCall(f func(method string, params json.RawMessage)) SimOption {
	return func(c *simConfig) { c.onCall = f }
}

// NewStellarSim loads the ledgers and starts serving. Close stops it.
func NewStellarSim(opts ...SimOption) (*StellarSim, error) {
	cfg := simConfig{addr: "127.0.0.1:0", retention: 10000}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.dir != "" && cfg.synthetic != nil {
		return nil, errors.New("stellar sim: choose one source, a ledger directory or synthetic ledgers")
	}
	if cfg.retention < 1 {
		return nil, fmt.Errorf("stellar sim: retention %d is less than one ledger", cfg.retention)
	}
	s := &StellarSim{retention: cfg.retention, entries: map[string]simEntry{}}
	s.rpcServer = newRPCServer(func(method string, params json.RawMessage, f Fault) (any, *rpcErr) {
		return s.dispatch(method, params, f.Pruned)
	}, false)
	s.onCall = cfg.onCall
	var err error
	if cfg.dir != "" {
		err = s.loadDir(cfg.dir, cfg.passphrase)
	} else {
		sc := SyntheticConfig{}
		if cfg.synthetic != nil {
			sc = *cfg.synthetic
		}
		if sc.Passphrase == "" {
			sc.Passphrase = cfg.passphrase
		} else if cfg.passphrase != "" && cfg.passphrase != sc.Passphrase {
			return nil, errors.New("stellar sim: SimPassphrase and SyntheticConfig.Passphrase differ")
		}
		err = s.loadSynthetic(sc)
	}
	if err != nil {
		return nil, err
	}
	for id, wasm := range cfg.contracts {
		if err := s.addWASMContract(id, wasm); err != nil {
			return nil, err
		}
	}
	s.tipIdx = len(s.ledgers) - 1
	switch {
	case cfg.startFirst:
		s.tipIdx = 0
	case cfg.initialTip != 0:
		i := lastAtOrBelow(s.ledgers, func(l *simLedger) uint32 { return l.seq }, cfg.initialTip)
		if i < 0 {
			return nil, fmt.Errorf("stellar sim: initial tip %d is before the first ledger %d", cfg.initialTip, s.ledgers[0].seq)
		}
		s.tipIdx = i
	}

	// A directory sim stops at its last ledger: Advance then errs, ignored.
	if err := s.start("stellar sim", cfg.addr, cfg.tipInterval, func() { _, _ = s.Advance(1) }); err != nil {
		return nil, err
	}
	return s, nil
}

// StartStellarSim is NewStellarSim for tests: it fails the test on error
// and closes the sim when the test ends.
func StartStellarSim(tb testing.TB, opts ...SimOption) *StellarSim {
	tb.Helper()
	s, err := NewStellarSim(opts...)
	if err != nil {
		tb.Fatalf("start stellar sim: %v", err)
	}
	tb.Cleanup(func() { _ = s.Close() })
	return s
}

// Passphrase is the network passphrase the sim serves.
func (s *StellarSim) Passphrase() string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.passphrase
}

// Tip is the latest visible ledger.
func (s *StellarSim) Tip() uint32 {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.ledgers[s.tipIdx].seq
}

// Advance makes the next n ledgers visible, generating synthetic ones as
// needed, and returns the new tip. A directory sim stops at its last
// ledger and says so.
func (s *StellarSim) Advance(n int) (uint32, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		if s.tipIdx+1 >= len(s.ledgers) {
			if s.gen == nil {
				return s.ledgers[s.tipIdx].seq, fmt.Errorf("stellar sim: no ledger after %d", s.ledgers[s.tipIdx].seq)
			}
			if err := s.generateLocked(); err != nil {
				return s.ledgers[s.tipIdx].seq, err
			}
		}
		s.tipIdx++
		if drop := len(s.ledgers) - s.retention; drop > 0 && drop <= s.tipIdx {
			s.ledgers = append(s.ledgers[:0:0], s.ledgers[drop:]...)
			s.tipIdx -= drop
		}
	}
	return s.ledgers[s.tipIdx].seq, nil
}

// Identities returns the addresses of a synthetic sim's accounts and
// contracts (false for a sim of ledger files).
func (s *StellarSim) Identities() (SyntheticIdentities, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.gen == nil {
		return SyntheticIdentities{}, false
	}
	return s.gen.Identities(), true
}

// Ledgers returns the sequences the sim holds, visible or not.
func (s *StellarSim) Ledgers() []uint32 {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]uint32, len(s.ledgers))
	for i, l := range s.ledgers {
		out[i] = l.seq
	}
	return out
}

// LedgerXDR returns the LedgerCloseMeta bytes of a held ledger.
func (s *StellarSim) LedgerXDR(seq uint32) ([]byte, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if l := s.findLocked(seq); l != nil {
		return l.raw, true
	}
	return nil, false
}
