package ozmontest_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/ozmon/ozmon/ozmontest"
)

// SOL139: OpenZeppelin Monitor's connection test is the exact body
// {"id":1,"jsonrpc":"2.0","method":"getHealth"} (no params), judged on the
// HTTP status; later getHealth requests carry "params":null. The
// simulator answers both with HTTP 200 and "ok", so an OZ instance can be
// pointed at it.
func TestSolanaSimOZConnectionTest(t *testing.T) {
	t.Parallel()
	sim := ozmontest.StartSolanaSim(t, ozmontest.SolanaSimSynthetic(ozmontest.SolanaSynthetic{Seed: 1, StartSlot: 10, Slots: 2, TxPerSlot: 1}))
	for _, body := range []string{`{"id":1,"jsonrpc":"2.0","method":"getHealth"}`, `{"jsonrpc":"2.0","id":1,"method":"getHealth","params":null}`} {
		resp, err := http.Post(sim.URL(), "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(got), `"result":"ok"`) {
			t.Errorf("%s: HTTP %d %s", body, resp.StatusCode, got)
		}
	}
	if c := sim.Calls("getHealth"); c != 2 {
		t.Errorf("getHealth calls = %d, want 2", c)
	}
}
