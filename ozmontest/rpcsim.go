package ozmontest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// rpcServer is the JSON-RPC-over-HTTP scaffolding the Stellar and EVM
// simulators share: listener and server, the tip ticker, per-method call
// counters, injected faults and the request envelope. A simulator embeds
// it and supplies dispatch.
type rpcServer struct {
	srv  *http.Server
	ln   net.Listener
	url  string
	done chan struct{}
	wg   sync.WaitGroup

	fmu    sync.Mutex
	faults map[string]*Fault
	calls  map[string]int

	// answer answers one request; f is the fault that applied (zero
	// when none), for faults that change the answer rather than replace it.
	answer func(method string, params json.RawMessage, f Fault) (any, *rpcErr)
	// nullResult writes "result": null for a nil result, as EVM nodes do.
	nullResult bool
	// onCall, when set, hears of each request as it arrives.
	onCall func(method string, params json.RawMessage)
}

func newRPCServer(answer func(string, json.RawMessage, Fault) (any, *rpcErr), nullResult bool) *rpcServer {
	return &rpcServer{done: make(chan struct{}), faults: map[string]*Fault{}, calls: map[string]int{},
		answer: answer, nullResult: nullResult}
}

// start listens on addr and serves; with tipInterval > 0, advance is
// called that often until Close.
func (r *rpcServer) start(name, addr string, tipInterval time.Duration, advance func()) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("%s: listen on %s: %w", name, addr, err)
	}
	r.ln = ln
	r.url = "http://" + ln.Addr().String()
	r.srv = &http.Server{Handler: http.HandlerFunc(r.serveHTTP), ReadHeaderTimeout: 10 * time.Second}
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		_ = r.srv.Serve(ln) // ends with ErrServerClosed on Close
	}()
	if tipInterval > 0 {
		r.wg.Add(1)
		go r.tick(tipInterval, advance)
	}
	return nil
}

func (r *rpcServer) tick(d time.Duration, advance func()) {
	defer r.wg.Done()
	t := time.NewTicker(d)
	defer t.Stop()
	for {
		select {
		case <-r.done:
			return
		case <-t.C:
			advance()
		}
	}
}

// Close stops the server and the tip ticker.
func (r *rpcServer) Close() error {
	select {
	case <-r.done:
		return nil
	default:
	}
	close(r.done)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := r.srv.Shutdown(ctx)
	if err != nil {
		err = r.srv.Close()
	}
	r.wg.Wait()
	return err
}

// URL is the JSON-RPC endpoint, http://127.0.0.1:port.
func (r *rpcServer) URL() string { return r.url }

// InjectFault makes method ("*" for every method) misbehave; it replaces
// the method's previous fault. A zero Fault clears it.
func (r *rpcServer) InjectFault(method string, f Fault) {
	r.fmu.Lock()
	defer r.fmu.Unlock()
	if f.Code == 0 && f.Message == "" && f.HTTPStatus == 0 && f.Body == nil && f.Delay == 0 && f.Pruned == 0 {
		delete(r.faults, method)
		return
	}
	r.faults[method] = &f
}

// ClearFaults removes every injected fault.
func (r *rpcServer) ClearFaults() {
	r.fmu.Lock()
	defer r.fmu.Unlock()
	clear(r.faults)
}

// Calls is how many requests for method arrived (faulted ones included).
func (r *rpcServer) Calls(method string) int {
	r.fmu.Lock()
	defer r.fmu.Unlock()
	return r.calls[method]
}

// CallCounts is how many requests arrived for each method called so far
// (faulted ones included): what a test asserts to say "nothing else".
func (r *rpcServer) CallCounts() map[string]int {
	r.fmu.Lock()
	defer r.fmu.Unlock()
	return maps.Clone(r.calls)
}

// ResetCalls zeroes the call counters.
func (r *rpcServer) ResetCalls() {
	r.fmu.Lock()
	defer r.fmu.Unlock()
	clear(r.calls)
}

// takeFault counts a call and returns the fault that applies to it.
func (r *rpcServer) takeFault(method string) (Fault, bool) {
	r.fmu.Lock()
	defer r.fmu.Unlock()
	r.calls[method]++
	for _, key := range []string{method, "*"} {
		f, ok := r.faults[key]
		if !ok {
			continue
		}
		out := *f
		if f.Times > 0 {
			f.Times--
			if f.Times == 0 {
				delete(r.faults, key)
			}
		}
		return out, true
	}
	return Fault{}, false
}

type rpcReq struct {
	JSONRPC string          `json:"jsonrpc"`
	ID      json.RawMessage `json:"id"`
	Method  string          `json:"method"`
	Params  json.RawMessage `json:"params"`
}

type rpcResp struct {
	JSONRPC string          `json:"jsonrpc"`
	ID      json.RawMessage `json:"id"`
	Result  any             `json:"result,omitempty"`
	Error   *rpcErr         `json:"error,omitempty"`
}

func (r *rpcServer) serveHTTP(w http.ResponseWriter, hr *http.Request) {
	if hr.Method != http.MethodPost {
		http.Error(w, "JSON-RPC over POST only", http.StatusMethodNotAllowed)
		return
	}
	body, err := io.ReadAll(io.LimitReader(hr.Body, 1<<20))
	if err != nil {
		return
	}
	var req rpcReq
	if err := json.Unmarshal(body, &req); err != nil {
		r.write(w, rpcResp{ID: json.RawMessage("null"), Error: errf(codeParse, "parse error: %v", err)})
		return
	}
	if len(req.ID) == 0 {
		req.ID = json.RawMessage("null")
	}
	if req.Method == "" {
		r.write(w, rpcResp{ID: req.ID, Error: errf(codeInvalidRequest, "missing method")})
		return
	}
	if r.onCall != nil {
		r.onCall(req.Method, req.Params)
	}
	f, faulted := r.takeFault(req.Method)
	if faulted {
		if f.Delay > 0 {
			t := time.NewTimer(f.Delay)
			select {
			case <-t.C:
			case <-hr.Context().Done():
				t.Stop()
				return
			case <-r.done:
				t.Stop()
				return
			}
		}
		switch {
		case f.HTTPStatus != 0:
			http.Error(w, http.StatusText(f.HTTPStatus), f.HTTPStatus)
			return
		case f.Body != nil:
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write(f.Body)
			return
		case f.Code != 0:
			r.write(w, rpcResp{ID: req.ID, Error: &rpcErr{Code: f.Code, Message: f.Message}})
			return
		}
	}
	result, rerr := r.answer(req.Method, req.Params, f)
	if rerr != nil {
		r.write(w, rpcResp{ID: req.ID, Error: rerr})
		return
	}
	r.write(w, rpcResp{ID: req.ID, Result: result})
}

func (r *rpcServer) write(w http.ResponseWriter, resp rpcResp) {
	resp.JSONRPC = "2.0"
	if r.nullResult && resp.Error == nil && resp.Result == nil {
		resp.Result = json.RawMessage("null")
	}
	w.Header().Set("Content-Type", "application/json")
	if pre, ok := resp.Result.(preEncoded); ok {
		writePreEncoded(w, resp.ID, pre)
		return
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(resp) // the client went away
}

// preEncoded is a result already in JSON, as pieces to be written in a
// row, so that a big answer built from cached parts (getLedgers) is
// neither encoded again nor copied together: a json.RawMessage would
// still be scanned and compacted whole by encoding/json.
type preEncoded [][]byte

// writePreEncoded writes the bytes write's encoder would for a result
// that encodes as the pieces, with a Content-Length.
func writePreEncoded(w http.ResponseWriter, id json.RawMessage, pre preEncoded) {
	idJSON, err := encodeJSON(id)
	if err != nil { // not after json.Unmarshal gave it
		http.Error(w, "encode id: "+err.Error(), http.StatusInternalServerError)
		return
	}
	head := append(append([]byte(`{"jsonrpc":"2.0","id":`), idJSON...), `,"result":`...)
	tail := []byte("}\n")
	n := len(head) + len(tail)
	for _, p := range pre {
		n += len(p)
	}
	w.Header().Set("Content-Length", strconv.Itoa(n))
	// Bytes, not strings: net/http passes a large []byte write straight
	// to the connection, but copies a string through its 2 KB buffer.
	for _, p := range append(append(preEncoded{head}, pre...), tail) {
		if _, err := w.Write(p); err != nil {
			return // the client went away
		}
	}
}

// encodeJSON is json.Marshal as write's encoder writes: no HTML escaping.
func encodeJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}
