package stellar

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	protocol "github.com/stellar/go-stellar-sdk/protocols/rpc"

	"github.com/ozmon/ozmon/chain"
	"github.com/ozmon/ozmon/ozmontest"
)

// refLedgers decodes body as the transport does without Parse
// (jsonrpc's decodeStream): json.Decoder, an envelope, a null result
// refused.
func refLedgers(body []byte) (protocol.GetLedgersResponse, bool) {
	var r protocol.GetLedgersResponse
	env := struct {
		Result any `json:"result"`
		Error  *struct {
			Code    int    `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}{Result: &r}
	if err := json.NewDecoder(bytes.NewReader(body)).Decode(&env); err != nil || env.Error != nil || env.Result == nil {
		return r, false
	}
	return r, true
}

// checkParseLedgers runs parseLedgers on body and, when it accepts it,
// checks that encoding/json reads the same answer and that Ledgers would
// accept every ledger's meta and hash from it as they are.
func checkParseLedgers(t *testing.T, body []byte) bool {
	t.Helper()
	var r protocol.GetLedgersResponse
	var metas [][]byte
	if !parseLedgers(body, &r, &metas) {
		if metas != nil || r.Ledgers != nil || r.LatestLedger != 0 {
			t.Fatalf("declined body left a result behind: %+v, %d metas", r, len(metas))
		}
		return false
	}
	ref, ok := refLedgers(body)
	if !ok {
		t.Fatalf("parseLedgers accepted what encoding/json refuses: %q", body)
	}
	if r.LatestLedger != ref.LatestLedger || r.LatestLedgerCloseTime != ref.LatestLedgerCloseTime ||
		r.OldestLedger != ref.OldestLedger || r.OldestLedgerCloseTime != ref.OldestLedgerCloseTime ||
		len(r.Ledgers) != len(ref.Ledgers) || len(metas) != len(r.Ledgers) {
		t.Fatalf("parseLedgers read %+v (%d metas), encoding/json %+v, from %q", r, len(metas), ref, body)
	}
	for i, li := range r.Ledgers {
		want := ref.Ledgers[i]
		if li.Sequence != want.Sequence || li.Hash != want.Hash || li.LedgerCloseTime != want.LedgerCloseTime || li.LedgerMetadata != "" {
			t.Fatalf("ledger %d: parseLedgers read %+v, encoding/json %+v, from %q", i, li, want, body)
		}
		meta, err := base64.StdEncoding.DecodeString(want.LedgerMetadata)
		if want.LedgerMetadata == "" || err != nil || !bytes.Equal(meta, metas[i]) {
			t.Fatalf("ledger %d: meta %x, encoding/json's %q (%v), from %q", i, metas[i], want.LedgerMetadata, err, body)
		}
		if h, err := hex.DecodeString(want.Hash); err != nil || len(h) != 32 {
			t.Fatalf("ledger %d: hash %q accepted", i, want.Hash)
		}
	}
	return true
}

func ledgerObj(seq uint32, meta string) string {
	return fmt.Sprintf(`{"hash":"%s","sequence":%d,"ledgerCloseTime":"1700000000","headerXdr":"AAAA","metadataXdr":"%s"}`,
		strings.Repeat("ab", 32), seq, meta)
}

func ledgersBody(ledgers ...string) string {
	return `{"jsonrpc":"2.0","id":1,"result":{"ledgers":[` + strings.Join(ledgers, ",") +
		`],"latestLedger":200,"latestLedgerCloseTime":1700000100,"oldestLedger":1,"oldestLedgerCloseTime":-5,"cursor":"101"}}`
}

// parseCases are getLedgers bodies and whether parseLedgers should read
// them itself (false: they go to encoding/json).
func parseCases() []struct {
	name, body string
	fast       bool
} {
	meta := base64.StdEncoding.EncodeToString([]byte("some ledger close meta, 35 bytes.."))
	l100, l101 := ledgerObj(100, meta), ledgerObj(101, "AAAA")
	clean := ledgersBody(l100, l101)
	var indented bytes.Buffer
	_ = json.Indent(&indented, []byte(clean), "\r\n", "\t ")
	swap := func(old, new string) string { return strings.Replace(clean, old, new, 1) }
	return []struct {
		name, body string
		fast       bool
	}{
		{"clean", clean, true},
		{"no ledgers", ledgersBody(), true},
		{"indented", indented.String(), true},
		{"trailing data", clean + "\n{garbage", true},
		{"reordered and extra fields", `{"result":{"cursor":"1","x":{"a":[1,-2.5e+3,true,false,null,"\u00e9\"\\"],"":{}},"ledgers":[` +
			`{"metadataXdr":"AAAA","metadataJson":{"k":[{}]},"headerJson":null,"sequence":7,"extra":"\t","hash":"` + strings.Repeat("CD", 32) + `"}` +
			`],"latestLedger":0},"id":"x","jsonrpc":"2.0","Other":1,"result2":[]}`, true},
		{"duplicate unknown key", swap(`"id":1`, `"id":1,"id":2`), true},
		{"meta padded", ledgersBody(ledgerObj(100, "AA=="), ledgerObj(101, "AAA=")), true},

		{"not JSON", `not json at all`, false},
		{"BOM", "\ufeff" + clean, false},
		{"array", `[]`, false},
		{"null result", `{"jsonrpc":"2.0","id":1,"result":null}`, false},
		{"no result", `{"jsonrpc":"2.0","id":1}`, false},
		{"error object", `{"jsonrpc":"2.0","id":1,"error":{"code":-32600,"message":"no"}}`, false},
		{"null error", swap(`"id":1`, `"id":1,"error":null`), false},
		{"ledgers not an array", swap(`"ledgers":[`, `"ledgers":"nope","x":[`), false},
		{"null ledger", swap(`"ledgers":[`, `"ledgers":[null,`), false},
		{"escape in meta", swap(`"metadataXdr":"AAAA"`, `"metadataXdr":"AA\/A"`), false},
		{"escaped quote in meta", swap(`"metadataXdr":"AAAA"`, `"metadataXdr":"AA\"AA"`), false},
		{"raw newlines in meta", swap(`"metadataXdr":"AAAA"`, "\"metadataXdr\":\"AA\r\nAA\r\nAAAA\""), false},
		{"escape in hash", swap(`"hash":"ab`, `"hash":"\u0061b`), false},
		{"escape in key", swap(`"sequence":101`, `"sequ\u0065nce":101`), false},
		{"key in other case", swap(`"sequence":101`, `"Sequence":101`), false},
		{"key folding to ASCII", swap(`"sequence":101`, `"ſequence":101`), false},
		{"non-ASCII unknown key", swap(`"cursor"`, `"курсор":1,"cursor"`), false},
		{"duplicate sequence", swap(`"sequence":101`, `"sequence":101,"sequence":102`), false},
		{"duplicate ledgers", swap(`,"latestLedger"`, `,"ledgers":[],"latestLedger"`), false},
		{"duplicate result", swap(`"id":1`, `"id":1,"result":{}`), false},
		{"meta not base64", swap(`"metadataXdr":"AAAA"`, `"metadataXdr":"!!"`), false},
		{"meta unpadded", swap(`"metadataXdr":"AAAA"`, `"metadataXdr":"AAA"`), false},
		{"meta empty", swap(`"metadataXdr":"AAAA"`, `"metadataXdr":""`), false},
		{"meta missing", swap(`,"metadataXdr":"AAAA"`, ``), false},
		{"meta null", swap(`"metadataXdr":"AAAA"`, `"metadataXdr":null`), false},
		{"hash short", swap(`"hash":"abab`, `"hash":"ab`), false},
		{"hash not hex", swap(`"hash":"ab`, `"hash":"zz`), false},
		{"hash missing", `{"result":{"ledgers":[{"sequence":1,"metadataXdr":"AAAA"}],"latestLedger":2}}`, false},
		{"latestLedger string", swap(`"latestLedger":200`, `"latestLedger":"200"`), false},
		{"latestLedger too big", swap(`"latestLedger":200`, `"latestLedger":4294967296`), false},
		{"latestLedger negative", swap(`"latestLedger":200`, `"latestLedger":-1`), false},
		{"latestLedger fraction", swap(`"latestLedger":200`, `"latestLedger":200.0`), false},
		{"latestLedger exponent", swap(`"latestLedger":200`, `"latestLedger":2e2`), false},
		{"latestLedger leading zero", swap(`"latestLedger":200`, `"latestLedger":0200`), false},
		{"latestLedger null", swap(`"latestLedger":200`, `"latestLedger":null`), false},
		{"close time too big", swap(`"latestLedgerCloseTime":1700000100`, `"latestLedgerCloseTime":9223372036854775808`), false},
		{"ledgerCloseTime unquoted", swap(`"ledgerCloseTime":"1700000000"`, `"ledgerCloseTime":1700000000`), false},
		{"ledgerCloseTime spaced", swap(`"ledgerCloseTime":"1700000000"`, `"ledgerCloseTime":" 1700000000"`), false},
		{"ledgerCloseTime not a number", swap(`"ledgerCloseTime":"1700000000"`, `"ledgerCloseTime":"x"`), false},
		{"cursor a number", swap(`"cursor":"101"`, `"cursor":101`), false},
		{"headerXdr a number", swap(`"headerXdr":"AAAA"`, `"headerXdr":1`), false},
		{"bad literal", swap(`"id":1`, `"id":tru`), false},
		{"bad escape", swap(`"id":1`, `"id":"\x"`), false},
		{"control character", swap(`"id":1`, "\"id\":\"\x01\""), false},
		{"trailing comma in array", swap(`"id":1`, `"id":[1,]`), false},
		{"trailing comma in object", strings.Replace(clean, `"cursor":"101"}`, `"cursor":"101",}`, 1), false},
		{"missing colon", swap(`"id":1`, `"id" 1`), false},
		{"lone minus", swap(`"id":1`, `"id":-`), false},
		{"deep nesting", swap(`"id":1`, `"id":`+strings.Repeat("[", 600)+strings.Repeat("]", 600)), false},
	}
}

func TestParseLedgers(t *testing.T) {
	t.Parallel()
	for _, tc := range parseCases() {
		if got := checkParseLedgers(t, []byte(tc.body)); got != tc.fast {
			t.Errorf("%s: parseLedgers read it: %v, want %v", tc.name, got, tc.fast)
		}
	}
	// Every cut of a good answer is refused (and every cut is bad JSON).
	clean := []byte(parseCases()[0].body)
	for n := range len(clean) {
		if checkParseLedgers(t, clean[:n]) {
			t.Fatalf("truncated body accepted: %q", clean[:n])
		}
	}
}

// TestLedgersParsedAndFallback runs Ledgers over bodies the parser reads
// and ones it leaves to encoding/json: the answers and errors must not
// tell them apart.
func TestLedgersParsedAndFallback(t *testing.T) {
	t.Parallel()
	hash := strings.Repeat("ab", 32)
	obj := func(seq int, hashKey, meta string) string {
		return fmt.Sprintf(`{"%s":"%s","sequence":%d,"ledgerCloseTime":"1700000000","metadataXdr":"%s"}`, hashKey, hash, seq, meta)
	}
	page := func(ledgers ...string) string {
		return `{"jsonrpc":"2.0","id":1,"result":{"ledgers":[` + strings.Join(ledgers, ",") + `],"latestLedger":200,"oldestLedger":1}}`
	}
	for _, tc := range []struct{ name, fast, slow, wantErr string }{
		{"good", page(obj(100, "hash", "AAAA"), obj(101, "hash", "AAE=")), page(obj(100, "Hash", "AAAA"), obj(101, "hash", `AA\u0045=`)), ""},
		{"gap", page(obj(100, "hash", "AAAA"), obj(102, "hash", "AAAA")), page(obj(100, "Hash", "AAAA"), obj(102, "hash", "AAAA")),
			"item 1 is ledger 102, want 101"},
		{"start", page(obj(99, "hash", "AAAA")), page(obj(99, "Hash", "AAAA")), "page starts at ledger 99"},
	} {
		var results [2][]RawLedger
		var errs [2]string
		for i, body := range []string{tc.fast, tc.slow} {
			var r protocol.GetLedgersResponse
			var metas [][]byte
			if parsed := parseLedgers([]byte(body), &r, &metas); parsed != (i == 0) {
				t.Fatalf("%s: body %d parsed: %v", tc.name, i, parsed)
			}
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, body) }))
			c, err := NewClient([]chain.Endpoint{{URL: srv.URL, Weight: 1}}, chain.WithRetries(1))
			if err != nil {
				t.Fatal(err)
			}
			results[i], err = c.Ledgers(context.Background(), 100, 3)
			if err != nil {
				errs[i] = strings.ReplaceAll(err.Error(), srv.URL, "<url>")
			}
			_ = c.Close()
			srv.Close()
		}
		if errs[0] != errs[1] || (tc.wantErr == "") != (errs[0] == "") || !strings.Contains(errs[0], tc.wantErr) {
			t.Errorf("%s: errors %q and %q, want %q", tc.name, errs[0], errs[1], tc.wantErr)
		}
		if fmt.Sprint(results[0]) != fmt.Sprint(results[1]) {
			t.Errorf("%s: ledgers %v and %v", tc.name, results[0], results[1])
		}
	}
}

// FuzzParseLedgers holds parseLedgers to encoding/json: whatever it reads
// itself, encoding/json must read the same way.
func FuzzParseLedgers(f *testing.F) {
	for _, tc := range parseCases() {
		f.Add([]byte(tc.body))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		checkParseLedgers(t, body)
	})
}

// BenchmarkClientLedgersDecode is BenchmarkClientLedgers without the
// simulator's cost: the same 20-ledger answer, taken from the simulator
// once, is served from memory with a Content-Length.
func BenchmarkClientLedgersDecode(b *testing.B) {
	sim := ozmontest.StartStellarSim(b, ozmontest.SimSynthetic(ozmontest.SyntheticConfig{Seed: 1, StartLedger: 1000, Ledgers: 20, TxPerLedger: 300}))
	const req = `{"jsonrpc":"2.0","id":1,"method":"getLedgers","params":{"startLedger":1000,"pagination":{"limit":20}}}`
	resp, err := http.Post(sim.URL(), "application/json", strings.NewReader(req))
	if err != nil {
		b.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		_, _ = w.Write(body)
	}))
	b.Cleanup(srv.Close)
	c, err := NewClient([]chain.Endpoint{{URL: srv.URL, Weight: 1}})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = c.Close() })
	ctx := context.Background()
	var n int
	for b.Loop() {
		ls, err := c.Ledgers(ctx, 1000, 20)
		if err != nil || len(ls) != 20 {
			b.Fatalf("%d ledgers, %v", len(ls), err)
		}
		n += len(ls)
	}
	b.SetBytes(int64(len(body)))
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "ledgers/s")
}
