package console

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/ozmon/ozmon/internal/testkit"
	"github.com/ozmon/ozmon/internal/testkit/pipeline"
	"github.com/ozmon/ozmon/ozmontest"
)

// pipeline starts a worker and a scheduler on sim's stellar_testnet,
// publishing to the live streams the API's hub reads.
func (e *env) pipeline(tb testing.TB, sim *ozmontest.StellarSim) *pipeline.Pipeline {
	tb.Helper()
	return pipeline.Start(tb, pipeline.Config{Store: e.st, Redis: e.rdb.Options(), Sim: sim, Network: "stellar_testnet", LivePrefix: e.livePrefix})
}

// transferSig is the event transferMonitor watches.
const transferSig = "transfer(Address,Address,String,I128)"

// ledgerClock notes, per ledger the test reveals, when the simulator made
// it visible, when the tip was first asked for after that (getHealth: the
// scheduler, once a second) and when the ledger was first fetched
// (getLedgers from it: the worker's fetch-block). Its onCall is the
// simulator's SimOnCall hook.
type ledgerClock struct {
	mu       sync.Mutex
	revealed map[uint32]time.Time
	tipSeen  map[uint32]time.Time
	fetched  map[uint32]time.Time
}

func newLedgerClock() *ledgerClock {
	return &ledgerClock{revealed: map[uint32]time.Time{}, tipSeen: map[uint32]time.Time{}, fetched: map[uint32]time.Time{}}
}

func (c *ledgerClock) onCall(method string, params json.RawMessage) {
	now := time.Now()
	c.mu.Lock()
	defer c.mu.Unlock()
	switch method {
	case "getHealth":
		for seq := range c.revealed {
			if _, ok := c.tipSeen[seq]; !ok {
				c.tipSeen[seq] = now
			}
		}
	case "getLedgers":
		var p struct {
			StartLedger uint32 `json:"startLedger"`
		}
		if json.Unmarshal(params, &p) != nil {
			return
		}
		if _, ok := c.revealed[p.StartLedger]; ok {
			if _, ok := c.fetched[p.StartLedger]; !ok {
				c.fetched[p.StartLedger] = now
			}
		}
	}
}

// reveal advances sim to seq and notes when seq became visible. The lock
// is held across Advance, so a getHealth noted as seeing seq arrived after
// seq was visible.
func (c *ledgerClock) reveal(tb testing.TB, sim *ozmontest.StellarSim, seq uint32) time.Time {
	tb.Helper()
	for sim.Tip() < seq-1 {
		if _, err := sim.Advance(1); err != nil {
			tb.Fatal(err)
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, err := sim.Advance(1); err != nil {
		tb.Fatal(err)
	}
	at := time.Now()
	c.revealed[seq] = at
	return at
}

func (c *ledgerClock) times(seq uint32) (revealed, tipSeen, fetched time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.revealed[seq], c.tipSeen[seq], c.fetched[seq]
}

// nextTransfers is the first ledger after the simulator's tip (held, not
// yet visible) with transfers of token, and their transactions.
func nextTransfers(tb testing.TB, sim *ozmontest.StellarSim, token string) (uint32, []string) {
	tb.Helper()
	for _, seq := range sim.Ledgers() {
		if seq <= sim.Tip() {
			continue
		}
		if txs := pipeline.Emitters(tb, sim, seq, token, transferSig); len(txs) > 0 {
			return seq, txs
		}
	}
	tb.Fatalf("no hidden ledger after %d has a transfer of %s", sim.Tip(), token)
	return 0, nil
}

// rowClock is installed on the live page: it stamps, per ledger, the
// moment the first match row of that ledger entered the feed's DOM (a
// MutationObserver runs right after the insertion), on the wall clock the
// test's time.Now reads too.
const rowClock = `(() => {
  if (window.ozmonRowAt) { return true; }
  window.ozmonRowAt = {};
  const body = document.querySelector("#feed tbody");
  new MutationObserver(() => {
    const now = performance.timeOrigin + performance.now();
    for (const tr of body.querySelectorAll("tr.match")) {
      const l = tr.children[2].textContent;
      if (!(l in window.ozmonRowAt)) { window.ozmonRowAt[l] = now; }
    }
  }).observe(body, { childList: true });
  return true;
})()`

// openLiveFeed opens the live page and waits until its subscription is
// open on the API's hub, with rowClock installed.
func openLiveFeed(t testing.TB, ctx context.Context, e *env, base string) {
	t.Helper()
	before := e.hub.Stats().Subscriptions
	var ok bool
	run(t, ctx, "live page",
		chromedp.Navigate(base+"/live"),
		chromedp.WaitVisible(`#feed[data-state="live"]`, chromedp.ByQuery),
		chromedp.Evaluate(rowClock, &ok))
	// The page says "live" on the socket's ack; the subscription is
	// registered a moment later.
	testkit.WaitUntil(t, 10*time.Second, "the live page's subscription on the hub", func() bool {
		return e.hub.Stats().Subscriptions > before
	})
}

// liveMatch is what one reveal of a ledger measured.
type liveMatch struct {
	seq                   uint32
	sinceReveal, sinceTip time.Duration // to the first row in the DOM
	sinceFetch            time.Duration
	monitors, txs         []string // the rows of the ledger, once all are shown
}

// watchLedger reveals seq and waits, up to bound, for its first row in the
// live feed, then for as many rows as want has transactions, and returns
// the latencies and the rows.
func watchLedger(t testing.TB, ctx context.Context, clock *ledgerClock, sim *ozmontest.StellarSim, seq uint32, want []string, bound time.Duration) liveMatch {
	t.Helper()
	clock.reveal(t, sim, seq)
	key := fmt.Sprint(seq)
	var rowAt float64
	deadline := time.Now().Add(bound)
	for rowAt == 0 {
		if time.Now().After(deadline) {
			r, tip, f := clock.times(seq)
			t.Fatalf("no row of ledger %d in the live feed %s after it was revealed (tip first read %s after, fetched %s after)",
				seq, bound, since(r, tip), since(r, f))
		}
		time.Sleep(20 * time.Millisecond)
		run(t, ctx, "read the row clock", chromedp.Evaluate(`window.ozmonRowAt[`+fmt.Sprintf("%q", key)+`] || 0`, &rowAt))
	}
	shown := time.UnixMicro(int64(rowAt * 1000))
	r, tip, f := clock.times(seq)
	m := liveMatch{seq: seq, sinceReveal: shown.Sub(r), sinceTip: shown.Sub(tip), sinceFetch: shown.Sub(f)}
	if tip.IsZero() || f.IsZero() {
		t.Fatalf("ledger %d is shown but the simulator saw no getHealth (%v) or getLedgers (%v) for it after the reveal", seq, tip, f)
	}
	var rows [][]string
	read := `Array.from(document.querySelectorAll("#feed tbody tr.match")).filter(tr => tr.children[2].textContent === ` +
		fmt.Sprintf("%q", key) + `).map(tr => [tr.children[1].textContent, tr.children[3].textContent])`
	for len(rows) < len(want) {
		if time.Now().After(deadline) {
			t.Fatalf("%d of the %d rows of ledger %d shown after %s: %v", len(rows), len(want), seq, bound, rows)
		}
		run(t, ctx, "read the ledger's rows", chromedp.Evaluate(read, &rows))
		if len(rows) < len(want) {
			time.Sleep(20 * time.Millisecond)
		}
	}
	for _, row := range rows {
		m.monitors = append(m.monitors, row[0])
		m.txs = append(m.txs, row[1])
	}
	slices.Sort(m.txs)
	return m
}

func since(from, to time.Time) string {
	if to.IsZero() {
		return "never"
	}
	return to.Sub(from).Round(time.Millisecond).String()
}

// BenchmarkLiveLatency measures, over many ledgers, how long a match takes
// from the simulator to the live page in headless Chromium: a worker and a
// scheduler run in-process (the scheduler polls the tip once a second, as
// fast as its cron goes), one monitor watches the synthetic token's
// transfers, and each iteration reveals the next ledger that has some and
// waits for its first row in the DOM. Before each reveal it waits a random
// fraction of a second, so reveals fall at every phase of the scheduler's
// tick. It reports p50 and p99 (the largest, below 100 samples) from the
// reveal, and p50 from the scheduler's first getHealth that saw the ledger
// and from the worker's getLedgers for it; ns/op is meaningless here.
//
//	go test -run '^$' -bench BenchmarkLiveLatency -benchtime 30x ./console/
func BenchmarkLiveLatency(b *testing.B) {
	const hidden = 250 // ledgers ahead: at most about that many iterations
	e := newEnv(b)
	clock := newLedgerClock()
	sim, ids := e.simNetworkAhead(b, hidden, ozmontest.SimOnCall(clock.onCall))
	p := e.pipeline(b, sim)
	c, err := New(WithAPI(e.srv.Config.Handler), WithRedis(e.rdb))
	if err != nil {
		b.Fatal(err)
	}
	var mon any
	if err := json.Unmarshal([]byte(transferMonitor(ids.Token, "3 > 0")), &mon); err != nil {
		b.Fatal(err)
	}
	if err := c.exec(context.Background(), e.keyA, `mutation($m: JSON!) { createMonitor(monitor: $m) { id } }`, map[string]any{"m": mon}, nil); err != nil {
		b.Fatalf("create the monitor: %v", err)
	}
	testkit.WaitUntil(b, 30*time.Second, "the worker loads the monitor", func() bool { return p.Loaded(e.a, "Any transfer") })
	ctx := newChromeFor(b, 1280, time.Hour)
	base := e.srv.URL + "/console"
	run(b, ctx, "sign in",
		chromedp.Navigate(base+"/signin"),
		chromedp.SendKeys("#key", e.keyA, chromedp.ByID),
		chromedp.Click("#signin", chromedp.ByID),
		chromedp.WaitVisible("table.monitors", chromedp.ByQuery))
	openLiveFeed(b, ctx, e, base)

	var reveal, tip, fetch []time.Duration
	for b.Loop() {
		time.Sleep(rand.N(time.Second))
		seq, want := nextTransfers(b, sim, ids.Token)
		m := watchLedger(b, ctx, clock, sim, seq, want, 30*time.Second)
		reveal, tip, fetch = append(reveal, m.sinceReveal), append(tip, m.sinceTip), append(fetch, m.sinceFetch)
	}
	for _, d := range [][]time.Duration{reveal, tip, fetch} {
		slices.Sort(d)
	}
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	q := func(d []time.Duration, p int) time.Duration { return d[min(len(d)-1, len(d)*p/100)] }
	b.ReportMetric(ms(q(reveal, 50)), "p50-ms")
	b.ReportMetric(ms(q(reveal, 99)), "p99-ms")
	b.ReportMetric(ms(q(tip, 50)), "p50-from-tip-ms")
	b.ReportMetric(ms(q(fetch, 50)), "p50-from-fetch-ms")
	b.Logf("%d ledgers, reveal→row: min %s p50 %s p99 %s; tip read→row: p50 %s p99 %s; fetch→row: p50 %s p99 %s",
		len(reveal), reveal[0].Round(time.Millisecond), q(reveal, 50).Round(time.Millisecond), q(reveal, 99).Round(time.Millisecond),
		q(tip, 50).Round(time.Millisecond), q(tip, 99).Round(time.Millisecond), q(fetch, 50).Round(time.Millisecond), q(fetch, 99).Round(time.Millisecond))
}
