package ozmontest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"

	protocol "github.com/stellar/go-stellar-sdk/protocols/rpc"
)

// TestSimGetLedgersBytes pins the spliced getLedgers answer to what
// encoding the SDK's response struct whole gives, byte for byte, ids and
// pages of every size included.
func TestSimGetLedgersBytes(t *testing.T) {
	t.Parallel()
	s := StartStellarSim(t, SimSynthetic(SyntheticConfig{Seed: 9, StartLedger: 500, Ledgers: 6, TxPerLedger: 3}))
	for _, tc := range []struct {
		id           string
		start, limit uint32
	}{
		{`1`, 500, 1}, {`"abc<&>"`, 500, 6}, {`{ "x" : [1, 2] }`, 502, 3}, {`null`, 505, 200}, {`7`, 503, 0},
	} {
		req := fmt.Sprintf(`{"jsonrpc":"2.0","id":%s,"method":"getLedgers","params":{"startLedger":%d,"pagination":{"limit":%d}}}`,
			tc.id, tc.start, tc.limit)
		resp, err := http.Post(s.URL(), "application/json", strings.NewReader(req))
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		if cl := resp.Header.Get("Content-Length"); cl != strconv.Itoa(len(got)) {
			t.Errorf("id %s: Content-Length %q for %d bytes", tc.id, cl, len(got))
		}

		// The answer as write encoded it before the splice.
		v := s.view(0)
		limit := int(tc.limit)
		if limit == 0 {
			limit = simLedgersDefault
		}
		i := v.from(tc.start)
		page := v.vis[i:min(i+limit, len(v.vis))]
		want := protocol.GetLedgersResponse{
			Ledgers:      make([]protocol.LedgerInfo, len(page)),
			LatestLedger: v.latest().seq, LatestLedgerCloseTime: v.latest().closeTime,
			OldestLedger: v.oldest().seq, OldestLedgerCloseTime: v.oldest().closeTime,
			Cursor: strconv.FormatUint(uint64(page[len(page)-1].seq), 10),
		}
		for j, l := range page {
			want.Ledgers[j] = l.info()
		}
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(rpcResp{JSONRPC: "2.0", ID: json.RawMessage(tc.id), Result: want}); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, buf.Bytes()) {
			t.Errorf("id %s start %d limit %d: answer differs from the encoded struct:\n got %.300s\nwant %.300s",
				tc.id, tc.start, tc.limit, got, buf.Bytes())
		}
	}
}
