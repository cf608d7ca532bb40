package ozmontest_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stellar/go-stellar-sdk/clients/rpcclient"
	"github.com/stellar/go-stellar-sdk/ingest"
	"github.com/stellar/go-stellar-sdk/network"
	protocol "github.com/stellar/go-stellar-sdk/protocols/rpc"
	"github.com/stellar/go-stellar-sdk/strkey"
	"github.com/stellar/go-stellar-sdk/xdr"

	"github.com/ozmon/ozmon/internal/testkit"
	"github.com/ozmon/ozmon/ozmontest"
)

func sdkClient(t testing.TB, s *ozmontest.StellarSim) *rpcclient.Client {
	c := rpcclient.NewClient(s.URL(), &http.Client{Timeout: 30 * time.Second})
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// txHashes reads a ledger's transactions the SDK's way.
func txHashes(t *testing.T, raw []byte, passphrase string) []string {
	t.Helper()
	var lcm xdr.LedgerCloseMeta
	if err := xdr.SafeUnmarshal(raw, &lcm); err != nil {
		t.Fatal(err)
	}
	rd, err := ingest.NewLedgerTransactionReaderFromLedgerCloseMeta(passphrase, lcm)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for {
		tx, err := rd.Read()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, hex.EncodeToString(tx.Hash[:]))
	}
}

func TestSimGetLedgersPagination(t *testing.T) {
	t.Parallel()
	s := ozmontest.StartStellarSim(t, ozmontest.SimSynthetic(ozmontest.SyntheticConfig{Seed: 2, StartLedger: 300, Ledgers: 30, TxPerLedger: 3}))
	c := sdkClient(t, s)
	ctx := context.Background()

	r, err := c.GetLedgers(ctx, protocol.GetLedgersRequest{StartLedger: 300, Pagination: &protocol.LedgerPaginationOptions{Limit: 7}})
	if err != nil {
		t.Fatal(err)
	}
	if r.OldestLedger != 300 || r.LatestLedger != 329 {
		t.Fatalf("range %d-%d, want 300-329", r.OldestLedger, r.LatestLedger)
	}
	var seqs []uint32
	for pages := 0; len(r.Ledgers) > 0; pages++ {
		if pages > 10 {
			t.Fatal("pagination does not end")
		}
		for _, l := range r.Ledgers {
			seqs = append(seqs, l.Sequence)
			meta, err := base64.StdEncoding.DecodeString(l.LedgerMetadata)
			if err != nil {
				t.Fatal(err)
			}
			want, ok := s.LedgerXDR(l.Sequence)
			if !ok || !bytes.Equal(meta, want) {
				t.Fatalf("ledger %d: served meta differs from the sim's", l.Sequence)
			}
			var lcm xdr.LedgerCloseMeta
			if err := xdr.SafeUnmarshal(meta, &lcm); err != nil {
				t.Fatal(err)
			}
			if h := lcm.LedgerHash(); hex.EncodeToString(h[:]) != l.Hash || lcm.LedgerCloseTime() != l.LedgerCloseTime {
				t.Fatalf("ledger %d: hash or close time differ from the meta's", l.Sequence)
			}
		}
		r, err = c.GetLedgers(ctx, protocol.GetLedgersRequest{Pagination: &protocol.LedgerPaginationOptions{Cursor: r.Cursor, Limit: 7}})
		if err != nil {
			t.Fatal(err)
		}
	}
	if len(seqs) != 30 || seqs[0] != 300 || seqs[29] != 329 {
		t.Fatalf("walked %d ledgers %v", len(seqs), seqs)
	}
	for i := 1; i < len(seqs); i++ {
		if seqs[i] != seqs[i-1]+1 {
			t.Fatalf("ledgers out of order: %v", seqs)
		}
	}
	if got := s.Calls("getLedgers"); got != 6 {
		t.Fatalf("%d getLedgers calls, want 6 (5 pages and an empty one)", got)
	}
	if _, err := c.GetLedgers(ctx, protocol.GetLedgersRequest{StartLedger: 300, Pagination: &protocol.LedgerPaginationOptions{Limit: 201}}); err == nil {
		t.Fatal("limit 201 accepted")
	}
}

func TestSimTipAndRange(t *testing.T) {
	t.Parallel()
	s := ozmontest.StartStellarSim(t,
		ozmontest.SimSynthetic(ozmontest.SyntheticConfig{Seed: 3, StartLedger: 50, Ledgers: 5, TxPerLedger: 2}),
		ozmontest.SimInitialTip(51))
	c := sdkClient(t, s)
	ctx := context.Background()
	if s.Tip() != 51 {
		t.Fatalf("tip %d, want 51", s.Tip())
	}
	h, err := c.GetHealth(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if h.LatestLedger != 51 || h.OldestLedger != 50 || h.LatestLedgerCloseTime == 0 {
		t.Fatalf("health %+v", h)
	}
	r, err := c.GetLedgers(ctx, protocol.GetLedgersRequest{StartLedger: 50, Pagination: &protocol.LedgerPaginationOptions{Limit: 20}})
	if err != nil || len(r.Ledgers) != 2 {
		t.Fatalf("%d ledgers visible (%v), want 2", len(r.Ledgers), err)
	}
	_, err = c.GetLedgers(ctx, protocol.GetLedgersRequest{StartLedger: 52})
	if err == nil || !strings.Contains(err.Error(), "must be between the oldest ledger: 50 and the latest ledger: 51") {
		t.Fatalf("ledger past the tip: %v", err)
	}
	_, err = c.GetLedgers(ctx, protocol.GetLedgersRequest{StartLedger: 49})
	if err == nil || !strings.Contains(err.Error(), "must be between the oldest ledger") {
		t.Fatalf("ledger before the oldest: %v", err)
	}
	if tip, err := s.Advance(2); err != nil || tip != 53 {
		t.Fatalf("advance: %d %v", tip, err)
	}
	// Synthetic sims generate past their initial set.
	if tip, err := s.Advance(3); err != nil || tip != 56 {
		t.Fatalf("advance past the generated set: %d %v", tip, err)
	}
	if got := s.Ledgers(); len(got) != 7 || got[6] != 56 {
		t.Fatalf("ledgers %v", got)
	}
	r, err = c.GetLedgers(ctx, protocol.GetLedgersRequest{StartLedger: 55, Pagination: &protocol.LedgerPaginationOptions{Limit: 5}})
	if err != nil || len(r.Ledgers) != 2 || r.Ledgers[1].Sequence != 56 {
		t.Fatalf("after advance: %+v %v", r.Ledgers, err)
	}
	if ids, ok := s.Identities(); !ok || ids.App != ozmontest.SyntheticIDs(3, "").App {
		t.Fatalf("identities %+v %v", ids, ok)
	}
	n, err := c.GetNetwork(ctx)
	if err != nil || n.Passphrase != network.TestNetworkPassphrase || n.ProtocolVersion != ozmontest.SyntheticProtocol {
		t.Fatalf("network %+v %v", n, err)
	}
	ll, err := c.GetLatestLedger(ctx)
	if err != nil || ll.Sequence != 56 || ll.LedgerMetadata == "" {
		t.Fatalf("latest ledger %d %v", ll.Sequence, err)
	}
}

func TestSimRetention(t *testing.T) {
	t.Parallel()
	s := ozmontest.StartStellarSim(t, ozmontest.SimSynthetic(ozmontest.SyntheticConfig{Seed: 3, StartLedger: 10, Ledgers: 3, TxPerLedger: 1}), ozmontest.SimRetention(4))
	if _, err := s.Advance(5); err != nil {
		t.Fatal(err)
	}
	got := s.Ledgers()
	if len(got) != 4 || got[0] != 14 || got[3] != 17 || s.Tip() != 17 {
		t.Fatalf("ledgers %v tip %d, want 14..17", got, s.Tip())
	}
}

func TestSimGetTransactionsPagination(t *testing.T) {
	t.Parallel()
	const ledgers, perLedger = 5, 37
	s := ozmontest.StartStellarSim(t, ozmontest.SimSynthetic(ozmontest.SyntheticConfig{Seed: 4, StartLedger: 700, Ledgers: ledgers, TxPerLedger: perLedger}))
	c := sdkClient(t, s)
	ctx := context.Background()
	var want []string
	for _, seq := range s.Ledgers() {
		raw, _ := s.LedgerXDR(seq)
		want = append(want, txHashes(t, raw, s.Passphrase())...)
	}
	r, err := c.GetTransactions(ctx, protocol.GetTransactionsRequest{StartLedger: 700, Pagination: &protocol.LedgerPaginationOptions{Limit: 10}})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	statuses := map[string]int{}
	for pages := 0; len(r.Transactions) > 0; pages++ {
		if pages > 40 {
			t.Fatal("pagination does not end")
		}
		for _, tx := range r.Transactions {
			got = append(got, tx.TransactionHash)
			statuses[tx.Status]++
			var env xdr.TransactionEnvelope
			if err := xdr.SafeUnmarshalBase64(tx.EnvelopeXDR, &env); err != nil {
				t.Fatal(err)
			}
			h, err := network.HashTransactionInEnvelope(env, s.Passphrase())
			if err != nil || hex.EncodeToString(h[:]) != tx.TransactionHash {
				t.Fatalf("tx %s: envelope hashes to %x", tx.TransactionHash, h)
			}
			var res xdr.TransactionResult
			if err := xdr.SafeUnmarshalBase64(tx.ResultXDR, &res); err != nil {
				t.Fatal(err)
			}
			if res.Successful() != (tx.Status == "SUCCESS") {
				t.Fatalf("tx %s: status %s but result %v", tx.TransactionHash, tx.Status, res.Result.Code)
			}
			if tx.Status == "SUCCESS" && len(tx.Events.ContractEventsXDR) != 1 {
				t.Fatalf("tx %s: %d operation event lists", tx.TransactionHash, len(tx.Events.ContractEventsXDR))
			}
		}
		r, err = c.GetTransactions(ctx, protocol.GetTransactionsRequest{Pagination: &protocol.LedgerPaginationOptions{Cursor: r.Cursor, Limit: 10}})
		if err != nil {
			t.Fatal(err)
		}
	}
	if len(got) != ledgers*perLedger {
		t.Fatalf("%d transactions, want %d", len(got), ledgers*perLedger)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("tx %d: %s, want %s", i, got[i], want[i])
		}
	}
	if statuses["SUCCESS"] == 0 || statuses["FAILED"] == 0 {
		t.Fatalf("statuses %v", statuses)
	}
}

func TestSimGetEventsFilters(t *testing.T) {
	t.Parallel()
	const seed = 5
	s := ozmontest.StartStellarSim(t, ozmontest.SimSynthetic(ozmontest.SyntheticConfig{Seed: seed, StartLedger: 900, Ledgers: 4, TxPerLedger: 60}))
	ids := ozmontest.SyntheticIDs(seed, "")
	c := sdkClient(t, s)
	ctx := context.Background()

	// What the app contract emitted, counted from the metas themselves.
	wantApp := 0
	for _, seq := range s.Ledgers()[:3] {
		raw, _ := s.LedgerXDR(seq)
		var lcm xdr.LedgerCloseMeta
		if err := xdr.SafeUnmarshal(raw, &lcm); err != nil {
			t.Fatal(err)
		}
		for i := range lcm.CountTransactions() {
			meta := lcm.TxApplyProcessing(i)
			evs, _ := meta.GetContractEventsForOperation(0)
			for _, ev := range evs {
				if strkey.MustEncode(strkey.VersionByteContract, ev.ContractId[:]) == ids.App {
					wantApp++
				}
			}
		}
	}
	if wantApp == 0 {
		t.Fatal("no app events in the synthetic ledgers")
	}
	filter := []protocol.EventFilter{{EventType: protocol.EventTypeSet{protocol.EventTypeContract: nil}, ContractIDs: []string{ids.App}}}
	r, err := c.GetEvents(ctx, protocol.GetEventsRequest{StartLedger: 900, EndLedger: 903, Filters: filter, Pagination: &protocol.PaginationOptions{Limit: 7}})
	if err != nil {
		t.Fatal(err)
	}
	got := 0
	var last protocol.Cursor
	for pages := 0; len(r.Events) > 0; pages++ {
		if pages > 50 {
			t.Fatal("pagination does not end")
		}
		for _, ev := range r.Events {
			if ev.ContractID != ids.App || ev.Ledger < 900 || ev.Ledger > 902 {
				t.Fatalf("event %s from %s in ledger %d", ev.ID, ev.ContractID, ev.Ledger)
			}
			cur, err := protocol.ParseCursor(ev.ID)
			if err != nil || cur.Cmp(last) <= 0 {
				t.Fatalf("event id %s out of order (%v)", ev.ID, err)
			}
			last = cur
			var topic xdr.ScVal
			if err := xdr.SafeUnmarshalBase64(ev.TopicXDR[0], &topic); err != nil {
				t.Fatal(err)
			}
			if sym := topic.MustSym(); sym != "deposit" && sym != "recorded" {
				t.Fatalf("app event topic %s", sym)
			}
			got++
		}
		cur, err := protocol.ParseCursor(r.Cursor)
		if err != nil {
			t.Fatal(err)
		}
		if cur.Ledger >= 903 {
			t.Fatalf("cursor %s past the end ledger", r.Cursor)
		}
		if len(r.Events) < 7 {
			break // a short page ends the window
		}
		r, err = c.GetEvents(ctx, protocol.GetEventsRequest{Filters: filter, Pagination: &protocol.PaginationOptions{Cursor: &cur, Limit: 7}})
		if err != nil {
			t.Fatal(err)
		}
		// Cursor pages are open-ended: keep only the asked window.
		kept := r.Events[:0]
		for _, ev := range r.Events {
			if ev.Ledger <= 902 {
				kept = append(kept, ev)
			}
		}
		if len(kept) < len(r.Events) {
			r.Events = kept
			got += len(kept)
			break
		}
	}
	if got != wantApp {
		t.Fatalf("%d app events served, want %d", got, wantApp)
	}

	// A topic filter: SAC transfer events of the token.
	sym := xdr.ScSymbol("transfer")
	r, err = c.GetEvents(ctx, protocol.GetEventsRequest{StartLedger: 900, EndLedger: 901, Filters: []protocol.EventFilter{{
		ContractIDs: []string{ids.Token},
		Topics:      []protocol.TopicFilter{{{ScVal: &xdr.ScVal{Type: xdr.ScValTypeScvSymbol, Sym: &sym}}, {Wildcard: ptr("**")}}},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Events) == 0 {
		t.Fatal("no token transfer events in ledger 900")
	}
	for _, ev := range r.Events {
		if ev.ContractID != ids.Token || ev.Ledger != 900 || len(ev.TopicXDR) != 4 {
			t.Fatalf("unexpected event %+v", ev)
		}
	}
	if _, err := c.GetEvents(ctx, protocol.GetEventsRequest{StartLedger: 800, Filters: filter}); err == nil ||
		!strings.Contains(err.Error(), "must be within the ledger range") {
		t.Fatalf("getEvents before the oldest ledger: %v", err)
	}
}

func ptr[T any](v T) *T { return &v }

func TestSimFaults(t *testing.T) {
	t.Parallel()
	s := ozmontest.StartStellarSim(t, ozmontest.SimSynthetic(ozmontest.SyntheticConfig{Seed: 6, StartLedger: 100, Ledgers: 10, TxPerLedger: 1}))
	c := sdkClient(t, s)
	ctx := context.Background()

	s.InjectFault("getHealth", ozmontest.Fault{HTTPStatus: http.StatusServiceUnavailable, Times: 2})
	for i := range 2 {
		if _, err := c.GetHealth(ctx); err == nil {
			t.Fatalf("call %d: no error under a 503 fault", i+1)
		}
	}
	if _, err := c.GetHealth(ctx); err != nil {
		t.Fatalf("fault did not stop after Times: %v", err)
	}
	if got := s.Calls("getHealth"); got != 3 {
		t.Fatalf("%d getHealth calls counted, want 3", got)
	}

	s.InjectFault("getNetwork", ozmontest.Fault{Code: -32603, Message: "boom"})
	if _, err := c.GetNetwork(ctx); err == nil || !strings.Contains(err.Error(), "boom") {
		t.Fatalf("JSON-RPC fault: %v", err)
	}
	s.InjectFault("getNetwork", ozmontest.Fault{})
	if _, err := c.GetNetwork(ctx); err != nil {
		t.Fatalf("cleared fault: %v", err)
	}

	s.InjectFault("*", ozmontest.Fault{Body: []byte("<html>bad gateway</html>"), Times: 1})
	if _, err := c.GetHealth(ctx); err == nil {
		t.Fatal("garbage body accepted")
	}

	s.InjectFault("getLedgers", ozmontest.Fault{Pruned: 105})
	_, err := c.GetLedgers(ctx, protocol.GetLedgersRequest{StartLedger: 102})
	if err == nil || !strings.Contains(err.Error(), "must be between the oldest ledger: 105 and the latest ledger: 109") {
		t.Fatalf("pruned fault: %v", err)
	}
	r, err := c.GetLedgers(ctx, protocol.GetLedgersRequest{StartLedger: 106})
	if err != nil || r.OldestLedger != 105 {
		t.Fatalf("pruned fault, ledger in range: oldest %d, %v", r.OldestLedger, err)
	}

	s.ResetCalls()
	s.InjectFault("getHealth", ozmontest.Fault{Delay: 300 * time.Millisecond})
	short, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	if _, err := c.GetHealth(short); err == nil {
		t.Fatal("delayed answer arrived before the caller's deadline")
	}
	if s.Calls("getHealth") > 1 || s.Calls("getLedgers") != 0 {
		t.Fatalf("after reset: %d getHealth, %d getLedgers", s.Calls("getHealth"), s.Calls("getLedgers"))
	}
	s.ClearFaults()
	if _, err := c.GetHealth(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestSimRejectsBadRequests(t *testing.T) {
	t.Parallel()
	s := ozmontest.StartStellarSim(t, ozmontest.SimSynthetic(ozmontest.SyntheticConfig{Seed: 6, Ledgers: 2, TxPerLedger: 1}))
	for _, tc := range []struct{ body, want string }{
		{`not json`, `"code":-32700`},
		{`{"jsonrpc":"2.0","id":1,"method":"nope"}`, `"code":-32601`},
		{`{"jsonrpc":"2.0","id":1,"method":"getLedgers","params":{"startLedger":"x"}}`, `"code":-32602`},
		{`{"jsonrpc":"2.0","id":1,"method":"getLedgers","params":{"startLedger":1000,"xdrFormat":"json"}}`, `"code":-32602`},
		{`{"jsonrpc":"2.0","id":1,"method":"getLedgerEntries","params":{"keys":["!!"]}}`, `"code":-32602`},
		{`{"jsonrpc":"2.0","id":7,"method":"getHealth"}`, `"id":7,"result":{"status":"healthy"`},
	} {
		resp, err := http.Post(s.URL(), "application/json", strings.NewReader(tc.body))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if !strings.Contains(string(b), tc.want) {
			t.Errorf("%s → %s, want %s", tc.body, b, tc.want)
		}
	}
}

func TestSimLedgerEntries(t *testing.T) {
	t.Parallel()
	s := ozmontest.StartStellarSim(t, ozmontest.SimSynthetic(ozmontest.SyntheticConfig{Seed: 8, Ledgers: 1, TxPerLedger: 1}))
	ids := ozmontest.SyntheticIDs(8, "")
	c := sdkClient(t, s)
	key := func(contract string) string {
		raw := strkey.MustDecode(strkey.VersionByteContract, contract)
		var id xdr.ContractId
		copy(id[:], raw)
		k, err := xdr.MarshalBase64(xdr.LedgerKey{Type: xdr.LedgerEntryTypeContractData, ContractData: &xdr.LedgerKeyContractData{
			Contract: xdr.ScAddress{Type: xdr.ScAddressTypeScAddressTypeContract, ContractId: &id},
			Key:      xdr.ScVal{Type: xdr.ScValTypeScvLedgerKeyContractInstance}, Durability: xdr.ContractDataDurabilityPersistent,
		}})
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	r, err := c.GetLedgerEntries(context.Background(), protocol.GetLedgerEntriesRequest{Keys: []string{key(ids.App), key(ids.Token), key(ids.Native)}})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Entries) != 2 {
		t.Fatalf("%d entries, want the app's and the token's (the native SAC is not deployed)", len(r.Entries))
	}
	var app xdr.LedgerEntryData
	if err := xdr.SafeUnmarshalBase64(r.Entries[0].DataXDR, &app); err != nil {
		t.Fatal(err)
	}
	exec := app.MustContractData().Val.MustInstance().Executable
	if exec.Type != xdr.ContractExecutableTypeContractExecutableWasm {
		t.Fatalf("app executable %v", exec.Type)
	}
	codeKey, _ := xdr.MarshalBase64(xdr.LedgerKey{Type: xdr.LedgerEntryTypeContractCode, ContractCode: &xdr.LedgerKeyContractCode{Hash: *exec.WasmHash}})
	r, err = c.GetLedgerEntries(context.Background(), protocol.GetLedgerEntriesRequest{Keys: []string{codeKey}})
	if err != nil || len(r.Entries) != 1 {
		t.Fatalf("code entry: %v", err)
	}
	var code xdr.LedgerEntryData
	if err := xdr.SafeUnmarshalBase64(r.Entries[0].DataXDR, &code); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(code.MustContractCode().Code, ozmontest.SyntheticAppWASM()) {
		t.Fatal("served WASM is not the synthetic app's")
	}
}

func TestSimMainnetFiles(t *testing.T) {
	t.Parallel()
	dir := testkit.SharedPath(t, "testdata", "stellar", "mainnet")
	s := ozmontest.StartStellarSim(t, ozmontest.SimLedgerDir(dir))
	seqs := s.Ledgers()
	if len(seqs) != 22 || seqs[0] != 51000294 || seqs[21] != 63093001 {
		t.Fatalf("ledgers %v", seqs)
	}
	if s.Passphrase() != network.PublicNetworkPassphrase {
		t.Fatalf("detected passphrase %q", s.Passphrase())
	}
	if _, ok := s.Identities(); ok {
		t.Fatal("a file sim claims synthetic identities")
	}
	c := sdkClient(t, s)
	ctx := context.Background()
	r, err := c.GetLedgers(ctx, protocol.GetLedgersRequest{StartLedger: 63092982, Pagination: &protocol.LedgerPaginationOptions{Limit: 3}})
	if err != nil || len(r.Ledgers) != 3 {
		t.Fatalf("getLedgers: %d, %v", len(r.Ledgers), err)
	}
	meta, _ := base64.StdEncoding.DecodeString(r.Ledgers[0].LedgerMetadata)
	raw, _ := s.LedgerXDR(63092982)
	if !bytes.Equal(meta, raw) || r.Ledgers[2].Sequence != 63092984 {
		t.Fatal("served ledger differs from the file")
	}
	want := txHashes(t, raw, network.PublicNetworkPassphrase)
	tr, err := c.GetTransactions(ctx, protocol.GetTransactionsRequest{StartLedger: 63092982, Pagination: &protocol.LedgerPaginationOptions{Limit: 200}})
	if err != nil {
		t.Fatal(err)
	}
	if len(tr.Transactions) != min(200, len(want)) || tr.Transactions[0].TransactionHash != want[0] {
		t.Fatalf("getTransactions: %d transactions", len(tr.Transactions))
	}
	ev, err := c.GetEvents(ctx, protocol.GetEventsRequest{StartLedger: 63092982, EndLedger: 63092983,
		Filters: []protocol.EventFilter{{EventType: protocol.EventTypeSet{protocol.EventTypeContract: nil}}}, Pagination: &protocol.PaginationOptions{Limit: 50}})
	if err != nil || len(ev.Events) != 50 {
		t.Fatalf("getEvents: %d events, %v", len(ev.Events), err)
	}
}

func TestSimTipInterval(t *testing.T) {
	t.Parallel()
	s := ozmontest.StartStellarSim(t,
		ozmontest.SimSynthetic(ozmontest.SyntheticConfig{Seed: 9, StartLedger: 10, Ledgers: 2, TxPerLedger: 1}),
		ozmontest.SimInitialTip(10), ozmontest.SimTipInterval(5*time.Millisecond))
	deadline := time.Now().Add(10 * time.Second)
	for s.Tip() < 13 {
		if time.Now().After(deadline) {
			t.Fatalf("tip stuck at %d", s.Tip())
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	tip := s.Tip()
	time.Sleep(30 * time.Millisecond)
	if s.Tip() != tip {
		t.Fatal("tip still moving after Close")
	}
}

func TestSimOptionErrors(t *testing.T) {
	t.Parallel()
	if _, err := ozmontest.NewStellarSim(ozmontest.SimLedgerDir(t.TempDir())); err == nil || !strings.Contains(err.Error(), "no .xdr") {
		t.Fatalf("empty dir: %v", err)
	}
	if _, err := ozmontest.NewStellarSim(ozmontest.SimLedgerDir("x"), ozmontest.SimSynthetic(ozmontest.SyntheticConfig{})); err == nil {
		t.Fatal("two sources accepted")
	}
	if _, err := ozmontest.NewStellarSim(ozmontest.SimSynthetic(ozmontest.SyntheticConfig{StartLedger: 10, Ledgers: 1}), ozmontest.SimInitialTip(5)); err == nil {
		t.Fatal("tip before the first ledger accepted")
	}
}

// BenchmarkSimGetLedgers measures what the sim serves over HTTP: 20
// ledgers of 300 transactions per getLedgers call, read off the wire and
// discarded (client-side JSON decoding is the client's cost, not the sim's).
func BenchmarkSimGetLedgers(b *testing.B) {
	s := ozmontest.StartStellarSim(b, ozmontest.SimSynthetic(ozmontest.SyntheticConfig{Seed: 1, StartLedger: 1000, Ledgers: 20, TxPerLedger: 300}))
	const req = `{"jsonrpc":"2.0","id":1,"method":"getLedgers","params":{"startLedger":1000,"pagination":{"limit":20}}}`
	hc := &http.Client{}
	var served, size int64
	for b.Loop() {
		resp, err := hc.Post(s.URL(), "application/json", strings.NewReader(req))
		if err != nil {
			b.Fatal(err)
		}
		n, err := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK || n < 20*100_000 {
			b.Fatalf("status %d, %d bytes, %v", resp.StatusCode, n, err)
		}
		served += 20
		size = n
	}
	b.SetBytes(size)
	b.ReportMetric(float64(served)/b.Elapsed().Seconds(), "ledgers/s")
}

// TestSimOnCall: the hook hears every request, faulted ones included,
// with its method and params, before the answer is sent.
func TestSimOnCall(t *testing.T) {
	t.Parallel()
	type call struct {
		method string
		start  uint32
	}
	calls := make(chan call, 16)
	s := ozmontest.StartStellarSim(t, ozmontest.SimSynthetic(ozmontest.SyntheticConfig{Seed: 3, StartLedger: 500, Ledgers: 3, TxPerLedger: 1}),
		ozmontest.SimOnCall(func(method string, params json.RawMessage) {
			var p struct {
				StartLedger uint32 `json:"startLedger"`
			}
			_ = json.Unmarshal(params, &p)
			calls <- call{method, p.StartLedger}
		}))
	c := sdkClient(t, s)
	ctx := context.Background()
	if _, err := c.GetHealth(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetLedgers(ctx, protocol.GetLedgersRequest{StartLedger: 501, Pagination: &protocol.LedgerPaginationOptions{Limit: 1}}); err != nil {
		t.Fatal(err)
	}
	s.InjectFault("getHealth", ozmontest.Fault{HTTPStatus: http.StatusServiceUnavailable, Times: 1})
	if _, err := c.GetHealth(ctx); err == nil {
		t.Fatal("getHealth with a 503 fault succeeded")
	}
	want := []call{{"getHealth", 0}, {"getLedgers", 501}, {"getHealth", 0}}
	for i, w := range want {
		select {
		case got := <-calls:
			if got != w {
				t.Fatalf("call %d = %+v, want %+v", i, got, w)
			}
		default:
			t.Fatalf("call %d (%+v) was not heard", i, w)
		}
	}
	if len(calls) != 0 {
		t.Fatalf("%d calls heard beyond the three made", len(calls))
	}
}
