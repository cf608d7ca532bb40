package ozmontest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/ozmon/ozmon/chain/midnight"
)

// MidnightSim is a Midnight node's WebSocket JSON-RPC on 127.0.0.1: it
// serves OpenZeppelin Monitor's block fixture (blocks.json) and synthetic
// blocks (Call operations with entry points, applied and unapplied
// transactions) through the seven methods OZ uses — chain_getFinalisedHead,
// chain_getHeader, chain_getBlockHash, midnight_jsonBlock (the block as a
// JSON string), state_getStorage of System.Events, midnight_decodeEvents
// and system_chain. Calls are counted per method; faults (drop the
// connection, hang, JSON-RPC error, a foreign frame first) are injected per
// method. It is safe for concurrent use.
type MidnightSim struct {
	srv  *http.Server
	ln   net.Listener
	url  string
	wg   sync.WaitGroup
	done chan struct{}

	mu        sync.Mutex
	blocks    map[uint64]*midSimBlock
	byHash    map[string]uint64
	tip       uint64
	chainName string
	calls     map[string]int
	faults    map[string]*MidnightFault
	conns     int
}

type midSimBlock struct {
	number uint64
	hash   string
	json   []byte            // what midnight_jsonBlock's string holds
	events []json.RawMessage // what midnight_decodeEvents answers
}

// MidnightFault makes a method misbehave for Times calls (0: all).
type MidnightFault struct {
	// Code and Message answer a JSON-RPC error.
	Code    int
	Message string
	// Drop closes the connection instead of answering.
	Drop bool
	// Hang never answers (the connection stays open).
	Hang bool
	// Foreign sends a frame with another request's id before the answer.
	Foreign bool
	Times   int
}

// MidnightSimTx is one synthetic transaction: its hash (64 hex digits, no
// 0x), the calls it makes (address, circuit name), and whether a
// MidnightTxApplied event names it (its status Success).
type MidnightSimTx struct {
	Hash    string
	Calls   []MidnightSimCall
	Applied bool
}

// MidnightSimCall is one Call operation.
type MidnightSimCall struct {
	Address string // hex, as the node writes it (35 bytes with prefix)
	Name    string // circuit name; the entry point is its hex
}

// MidnightSimOption configures a MidnightSim.
type MidnightSimOption func(*midSimConfig)

type midSimConfig struct{ addr string }

// MidnightSimAddr sets the listen address (default 127.0.0.1:0).
func MidnightSimAddr(addr string) MidnightSimOption { return func(c *midSimConfig) { c.addr = addr } }

// NewMidnightSim starts an empty simulator (chain name testnet-02-1).
func NewMidnightSim(opts ...MidnightSimOption) (*MidnightSim, error) {
	cfg := midSimConfig{addr: "127.0.0.1:0"}
	for _, o := range opts {
		o(&cfg)
	}
	s := &MidnightSim{done: make(chan struct{}), blocks: map[uint64]*midSimBlock{}, byHash: map[string]uint64{},
		chainName: "testnet-02-1", calls: map[string]int{}, faults: map[string]*MidnightFault{}}
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return nil, fmt.Errorf("midnight sim: listen: %w", err)
	}
	s.ln, s.url = ln, "ws://"+ln.Addr().String()
	s.srv = &http.Server{Handler: http.HandlerFunc(s.serveWS), ReadHeaderTimeout: 10 * time.Second}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		_ = s.srv.Serve(ln)
	}()
	return s, nil
}

// StartMidnightSim is NewMidnightSim closed at the end of the test.
func StartMidnightSim(tb testing.TB, opts ...MidnightSimOption) *MidnightSim {
	tb.Helper()
	s, err := NewMidnightSim(opts...)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = s.Close() })
	return s
}

// URL is the endpoint, ws://127.0.0.1:port.
func (s *MidnightSim) URL() string { return s.url }

// Close stops serving and closes every connection.
func (s *MidnightSim) Close() error {
	select {
	case <-s.done:
		return nil
	default:
	}
	close(s.done)
	err := s.srv.Close()
	s.wg.Wait()
	return err
}

// LoadFixtures adds OZ's blocks.json blocks ({"Midnight": block} items),
// each with the given events (by block number; none when absent). The tip
// becomes the highest block.
func (s *MidnightSim) LoadFixtures(blocksJSON []byte, events map[uint64][]json.RawMessage) error {
	list, err := midnight.FixtureBlocks(blocksJSON)
	if err != nil {
		return err
	}
	for i, raw := range list {
		var hdr struct {
			Header struct {
				Number string `json:"number"`
			} `json:"header"`
		}
		if err := json.Unmarshal(raw, &hdr); err != nil {
			return fmt.Errorf("midnight sim: fixture block %d: %w", i, err)
		}
		n, err := strconv.ParseUint(strings.TrimPrefix(hdr.Header.Number, "0x"), 16, 64)
		if err != nil {
			return fmt.Errorf("midnight sim: fixture block %d: number %q", i, hdr.Header.Number)
		}
		s.AddRawBlock(n, raw, events[n])
	}
	return nil
}

// AddRawBlock serves block n with that block JSON and those decoded events;
// the tip moves up to n when n is higher.
func (s *MidnightSim) AddRawBlock(n uint64, blockJSON []byte, events []json.RawMessage) {
	b := &midSimBlock{number: n, hash: midSimHash(n), json: blockJSON, events: events}
	s.mu.Lock()
	defer s.mu.Unlock()
	if old := s.blocks[n]; old != nil {
		delete(s.byHash, old.hash)
	}
	s.blocks[n] = b
	s.byHash[b.hash] = n
	if n > s.tip {
		s.tip = n
	}
}

// midSimHash is block n's hash: a function of the number alone, so that a
// synthetic block's parentHash is its predecessor's hash.
func midSimHash(n uint64) string {
	sum := sha256.Sum256(strconv.AppendUint([]byte("midnight-sim/"), n, 10))
	return "0x" + hex.EncodeToString(sum[:])
}

// AddBlock serves a synthetic block n (timestamp n×6 s) with the
// transactions, each Call followed by GuaranteedCoins, and a
// MidnightTxApplied event per applied transaction.
func (s *MidnightSim) AddBlock(n uint64, txs ...MidnightSimTx) {
	body := []any{map[string]int64{"Timestamp": int64(n) * 6000}}
	var events []json.RawMessage
	for i, tx := range txs {
		ops := []any{}
		for _, c := range tx.Calls {
			ops = append(ops, map[string]any{"Call": map[string]string{"address": c.Address, "entry_point": hex.EncodeToString([]byte(c.Name))}})
		}
		ops = append(ops, "GuaranteedCoins")
		body = append(body, map[string]any{"MidnightTransaction": map[string]any{"tx": map[string]any{
			"tx_hash": tx.Hash, "operations": ops, "identifiers": []string{fmt.Sprintf("%064x", i)}}}})
		if tx.Applied {
			ev, _ := json.Marshal(map[string]any{"MidnightTxApplied": map[string]any{
				"phase": map[string]int{"ApplyExtrinsic": i + 1}, "topics": map[string][]string{"topics": {}}, "tx_hash": "0x" + tx.Hash}})
			events = append(events, ev)
		}
	}
	blk, _ := json.Marshal(map[string]any{
		"header": map[string]any{"parentHash": midSimHash(n - 1), "number": "0x" + strconv.FormatUint(n, 16),
			"stateRoot": "0x00", "extrinsicsRoot": "0x00", "digest": map[string][]string{"logs": {}}},
		"body": body, "transactions_index": [][]string{}})
	s.AddRawBlock(n, blk, events)
}

// SetTip sets the finalised head (a block it serves, or the highest below).
func (s *MidnightSim) SetTip(n uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tip = n
}

// Hash is the hash the simulator gives block n ("" when it has none).
func (s *MidnightSim) Hash(n uint64) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if b := s.blocks[n]; b != nil {
		return b.hash
	}
	return ""
}

// InjectFault makes method ("*": every method) misbehave; a zero fault
// clears it.
func (s *MidnightSim) InjectFault(method string, f MidnightFault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f == (MidnightFault{}) {
		delete(s.faults, method)
		return
	}
	s.faults[method] = &f
}

// Calls is how many requests for method arrived (faulted ones included).
func (s *MidnightSim) Calls(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[method]
}

// ResetCalls zeroes the call counters.
func (s *MidnightSim) ResetCalls() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.calls)
}

// Connections is how many WebSocket connections were opened.
func (s *MidnightSim) Connections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.conns
}

func (s *MidnightSim) serveWS(w http.ResponseWriter, r *http.Request) {
	c, err := websocket.Accept(w, r, nil)
	if err != nil {
		return
	}
	defer c.CloseNow()
	c.SetReadLimit(1 << 20)
	s.mu.Lock()
	s.conns++
	s.mu.Unlock()
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	go func() {
		select {
		case <-s.done:
			cancel()
		case <-ctx.Done():
		}
	}()
	for {
		typ, data, err := c.Read(ctx)
		if err != nil {
			return
		}
		if typ != websocket.MessageText {
			continue
		}
		var req struct {
			ID     json.RawMessage `json:"id"`
			Method string          `json:"method"`
			Params json.RawMessage `json:"params"`
		}
		if err := json.Unmarshal(data, &req); err != nil {
			_ = c.Write(ctx, websocket.MessageText, []byte(`{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"parse error"}}`))
			continue
		}
		f := s.take(req.Method)
		switch {
		case f.Drop:
			return
		case f.Hang:
			continue
		}
		if f.Foreign {
			_ = c.Write(ctx, websocket.MessageText, []byte(`{"jsonrpc":"2.0","id":987654321,"result":"0xforeign"}`))
		}
		var resp []byte
		if f.Code != 0 {
			resp, _ = json.Marshal(map[string]any{"jsonrpc": "2.0", "id": req.ID, "error": map[string]any{"code": f.Code, "message": f.Message}})
		} else {
			result, rerr := s.answer(req.Method, req.Params)
			if rerr != nil {
				resp, _ = json.Marshal(map[string]any{"jsonrpc": "2.0", "id": req.ID, "error": rerr})
			} else {
				resp, _ = json.Marshal(map[string]any{"jsonrpc": "2.0", "id": req.ID, "result": result})
			}
		}
		if err := c.Write(ctx, websocket.MessageText, resp); err != nil {
			return
		}
	}
}

func (s *MidnightSim) take(method string) MidnightFault {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls[method]++
	for _, key := range []string{method, "*"} {
		f, ok := s.faults[key]
		if !ok {
			continue
		}
		out := *f
		if f.Times > 0 {
			f.Times--
			if f.Times == 0 {
				delete(s.faults, key)
			}
		}
		return out
	}
	return MidnightFault{}
}

// eventsPrefix marks the simulator's System.Events storage: the block
// number after it, hex-encoded as a node's raw storage is.
const eventsPrefix = "events:"

func (s *MidnightSim) answer(method string, params json.RawMessage) (any, *rpcErr) {
	var p []json.RawMessage
	_ = json.Unmarshal(params, &p)
	str := func(i int) (string, bool) {
		if i >= len(p) {
			return "", false
		}
		var v string
		return v, json.Unmarshal(p[i], &v) == nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch method {
	case "system_chain":
		return s.chainName, nil
	case "chain_getFinalisedHead":
		nums := make([]uint64, 0, len(s.blocks))
		for n := range s.blocks {
			if n <= s.tip {
				nums = append(nums, n)
			}
		}
		if len(nums) == 0 {
			return nil, errf(-32000, "no block")
		}
		return s.blocks[slices.Max(nums)].hash, nil
	case "chain_getHeader":
		h, _ := str(0)
		n, ok := s.byHash[h]
		if !ok {
			return nil, nil
		}
		return map[string]string{"parentHash": midSimHash(n - 1), "number": "0x" + strconv.FormatUint(n, 16)}, nil
	case "chain_getBlockHash":
		h, ok := str(0)
		if !ok {
			return nil, errf(-32602, "invalid params")
		}
		n, err := strconv.ParseUint(strings.TrimPrefix(h, "0x"), 16, 64)
		if err != nil {
			return nil, errf(-32602, "invalid block number %q", h)
		}
		if b := s.blocks[n]; b != nil && n <= s.tip {
			return b.hash, nil
		}
		return nil, nil
	case "midnight_jsonBlock":
		h, _ := str(0)
		n, ok := s.byHash[h]
		if !ok {
			return "null", nil
		}
		return string(s.blocks[n].json), nil
	case "state_getStorage":
		key, _ := str(0)
		h, _ := str(1)
		if key != midnight.SystemEventsKey {
			return nil, nil
		}
		n, ok := s.byHash[h]
		if !ok {
			return nil, nil
		}
		return "0x" + hex.EncodeToString([]byte(eventsPrefix+strconv.FormatUint(n, 10))), nil
	case "midnight_decodeEvents":
		raw, _ := str(0)
		b, err := hex.DecodeString(raw)
		if err != nil || !strings.HasPrefix(string(b), eventsPrefix) {
			return nil, errf(-32602, "cannot decode events")
		}
		n, _ := strconv.ParseUint(strings.TrimPrefix(string(b), eventsPrefix), 10, 64)
		blk := s.blocks[n]
		if blk == nil {
			return nil, errf(-32602, "cannot decode events")
		}
		if blk.events == nil {
			return []json.RawMessage{}, nil
		}
		return blk.events, nil
	}
	return nil, errf(-32601, "method not found: %s", method)
}

// MidnightSimBulletin is the contract the synthetic blocks call (OZ's
// bulletin-board example address), with circuits "post" and "take_down".
const MidnightSimBulletin = "020200048fe17c5b2ae77e7154ff983dc37f18736a61aaef774c7a997935e84abe8361"

// AddSyntheticBlock adds the block after the highest one: txs
// transactions, each calling the bulletin contract's post (or, one in
// four, take_down), one in five not applied (its status Failure). The
// hashes follow from seed and the block number. It returns the number.
func (s *MidnightSim) AddSyntheticBlock(seed uint64, txs int) uint64 {
	s.mu.Lock()
	n := uint64(1)
	for k := range s.blocks {
		n = max(n, k+1)
	}
	s.mu.Unlock()
	list := make([]MidnightSimTx, txs)
	for i := range list {
		h := sha256.Sum256(fmt.Appendf(nil, "%d/%d/%d", seed, n, i))
		name := "post"
		if i%4 == 3 {
			name = "take_down"
		}
		list[i] = MidnightSimTx{Hash: hex.EncodeToString(h[:]), Applied: i%5 != 4, Calls: []MidnightSimCall{{Address: MidnightSimBulletin, Name: name}}}
	}
	s.AddBlock(n, list...)
	return n
}

// Tip is the finalised head's number.
func (s *MidnightSim) Tip() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tip
}
