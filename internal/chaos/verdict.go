package chaos

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/hibiken/asynq"
	"github.com/ozmon/ozmon/tasks"
)

// Rules is what a scenario tolerates; everything else fails it.
type Rules struct {
	// MayDuplicate reports whether a notification may arrive more than
	// once — and then every copy must carry one Idempotency-Key. nil:
	// no notification may.
	MayDuplicate func(Key) bool
	// Latency selects the notifications whose latency is reported (nil:
	// all of them).
	Latency func(Key) bool
	// RequireKeys makes a request without a well-formed Idempotency-Key
	// a failure even when it is the only copy.
	RequireKeys bool
}

// Verdict is a scenario's outcome, measured from what the receivers got.
type Verdict struct {
	Expected  int
	Delivered int // expected notifications accepted at least once
	// Duplicates counts accepted copies beyond the first, over
	// DuplicatedNotifications notifications.
	Duplicates              int
	DuplicatedNotifications int
	Requests, Refused       int // every request; those answered 503
	Unexpected              []Arrival
	Missing                 []Key
	Explained               map[Key]string // missing, with the archived task or logged gap that says so
	Problems                []string       // duplicate and Idempotency-Key failures
	WithoutKey              int            // requests without a well-formed Idempotency-Key
	// Recovery runs from FaultCleared to the arrival of the last expected
	// notification (0 when it came before); -1 when one never came or no
	// fault was marked.
	Recovery time.Duration
	// Tail runs from FaultCleared to the last request of all, duplicates
	// included: when the receivers saw the end of the fault. -1 without
	// a marked fault.
	Tail time.Duration
	// Latency of the selected notifications: ledger confirmed → first
	// accepted arrival.
	P50, P90 time.Duration
	LatencyN int
	Wall     time.Duration
}

// idempotencyKey is the form of ozmon's notification ids.
var idempotencyKey = regexp.MustCompile(`^ntf_[0-9a-f]{32}$`)

// Judge measures the scenario against the expected set and rules, logs
// the numbers and fails the test for anything the rules do not allow.
func (c *Cluster) Judge(rules Rules) *Verdict {
	c.T.Helper()
	v := c.measure(rules)
	c.mu.Lock()
	c.verdict = v
	c.mu.Unlock()
	c.T.Log(v.Summary())
	for _, p := range c.Processes() {
		if crashed, err := p.Crashed(); crashed {
			c.T.Errorf("%s exited on its own (%v); log tail:\n%s", p.Name, err, tail(p.LogPath(), 15))
		}
	}
	if len(v.Unexpected) > 0 {
		var lines []string
		for _, a := range v.Unexpected[:min(10, len(v.Unexpected))] {
			lines = append(lines, fmt.Sprintf("%s /t/%s/%s title=%q body=%q", a.Listener, a.Tenant, a.Trigger, a.Monitor, shortHash(a.TxHash)))
		}
		c.T.Errorf("%d unexpected notifications arrived:\n  %s", len(v.Unexpected), strings.Join(lines, "\n  "))
	}
	var unexplained []string
	for _, k := range v.Missing {
		if _, ok := v.Explained[k]; !ok {
			unexplained = append(unexplained, k.String())
		}
	}
	if len(unexplained) > 0 {
		c.T.Errorf("%d of %d expected notifications never arrived and nothing says so (no archived task, no logged gap) — lost silently; per ledger %v; first ones:\n  %s",
			len(unexplained), v.Expected, missingPerLedger(v), strings.Join(unexplained[:min(15, len(unexplained))], "\n  "))
	}
	if len(v.Problems) > 0 {
		c.T.Errorf("%d duplicate/Idempotency-Key failures:\n  %s", len(v.Problems), strings.Join(v.Problems[:min(15, len(v.Problems))], "\n  "))
	}
	return v
}

// Verdict is the last Judge's verdict (nil before one).
func (c *Cluster) Verdict() *Verdict {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.verdict
}

// Summary is the one line quoted in the closing notes.
func (v *Verdict) Summary() string {
	rec := "n/a"
	if v.Recovery >= 0 {
		rec = v.Recovery.Round(100 * time.Millisecond).String()
	}
	if v.Tail >= 0 {
		rec += fmt.Sprintf(" (last request +%s)", v.Tail.Round(100*time.Millisecond))
	}
	lat := "n/a"
	if v.LatencyN > 0 {
		lat = fmt.Sprintf("p50 %s p90 %s (n=%d)", v.P50.Round(10*time.Millisecond), v.P90.Round(10*time.Millisecond), v.LatencyN)
	}
	return fmt.Sprintf("delivered %d/%d, duplicates %d (in %d notifications), unexpected %d, missing %d (explained %d), recovery %s, latency %s, requests %d (refused %d, without Idempotency-Key %d), wall %s",
		v.Delivered, v.Expected, v.Duplicates, v.DuplicatedNotifications, len(v.Unexpected), len(v.Missing), len(v.Explained),
		rec, lat, v.Requests, v.Refused, v.WithoutKey, v.Wall.Round(100*time.Millisecond))
}

func missingPerLedger(v *Verdict) map[uint64]int {
	out := map[uint64]int{}
	for _, k := range v.Missing {
		if _, ok := v.Explained[k]; !ok {
			out[k.Ledger]++
		}
	}
	return out
}

func (c *Cluster) measure(rules Rules) *Verdict {
	arrivals := c.Rec.Arrivals()
	v := &Verdict{Expected: len(c.W.Expected), Requests: len(arrivals), Explained: map[Key]string{}, Recovery: -1, Wall: time.Since(c.started)}
	copies := map[Key][]Arrival{}
	owner := map[string]Key{} // Idempotency-Key → notification
	for _, a := range arrivals {
		if !a.Accepted() {
			v.Refused++
		}
		if !idempotencyKey.MatchString(a.Key) {
			v.WithoutKey++
		}
		k, ok := c.W.KeyOf(a)
		if !ok || !c.W.Expects(k) {
			v.Unexpected = append(v.Unexpected, a)
			continue
		}
		copies[k] = append(copies[k], a)
		if a.Key != "" {
			if o, seen := owner[a.Key]; seen && o != k {
				v.Problems = append(v.Problems, fmt.Sprintf("Idempotency-Key %s names two notifications: %s and %s", a.Key, o, k))
			}
			owner[a.Key] = k
		}
	}
	if rules.RequireKeys && v.WithoutKey > 0 {
		v.Problems = append(v.Problems, fmt.Sprintf("%d of %d requests carry no well-formed Idempotency-Key (ntf_ and 32 hex digits)", v.WithoutKey, v.Requests))
	}

	c.mu.Lock()
	confirmed := maps.Clone(c.confirmed)
	faultTo := c.faultTo
	c.mu.Unlock()
	var last time.Time
	var lat []time.Duration
	for _, k := range c.W.Expected {
		var first time.Time
		accepted := 0
		for _, a := range copies[k] {
			if a.Accepted() {
				accepted++
				if first.IsZero() {
					first = a.At
				}
			}
		}
		if accepted == 0 {
			v.Missing = append(v.Missing, k)
			continue
		}
		v.Delivered++
		if first.After(last) {
			last = first
		}
		if at, ok := confirmed[k.Ledger]; ok && (rules.Latency == nil || rules.Latency(k)) {
			lat = append(lat, first.Sub(at))
		}
		if accepted > 1 {
			v.Duplicates += accepted - 1
			v.DuplicatedNotifications++
			if rules.MayDuplicate == nil || !rules.MayDuplicate(k) {
				v.Problems = append(v.Problems, fmt.Sprintf("%s arrived %d times; this scenario allows no duplicate", k, accepted))
				continue
			}
			if keys := distinctKeys(copies[k]); len(keys) != 1 || !idempotencyKey.MatchString(keys[0]) {
				v.Problems = append(v.Problems, fmt.Sprintf("%s arrived %d times with Idempotency-Keys %q; want one ntf_<32 hex> key on every copy", k, accepted, keys))
			}
		}
	}
	if len(v.Missing) == 0 && !faultTo.IsZero() {
		v.Recovery = max(0, last.Sub(faultTo))
	}
	v.Tail = -1
	if !faultTo.IsZero() && len(arrivals) > 0 {
		var lastAny time.Time
		for _, a := range arrivals {
			if a.At.After(lastAny) {
				lastAny = a.At
			}
		}
		v.Tail = max(0, lastAny.Sub(faultTo))
	}
	if len(lat) > 0 {
		slices.Sort(lat)
		v.P50, v.P90, v.LatencyN = percentile(lat, 0.5), percentile(lat, 0.9), len(lat)
	}
	if len(v.Missing) > 0 {
		c.explain(v)
	}
	return v
}

func distinctKeys(as []Arrival) []string {
	var keys []string
	for _, a := range as {
		if !slices.Contains(keys, a.Key) {
			keys = append(keys, a.Key)
		}
	}
	return keys
}

// percentile is the nearest-rank percentile of sorted durations.
func percentile(sorted []time.Duration, p float64) time.Duration {
	i := int(math.Ceil(p*float64(len(sorted)))) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

// explain looks for what accounts for each missing notification: an
// archived task in Redis (its deliver task, its ledger's fetch-block, its
// tenant's evaluate-tenants batch) or a gap an ozmon process logged.
func (c *Cluster) explain(v *Verdict) {
	byLedger := map[uint64]string{}
	byBatch := map[[2]string]string{} // (ledger, tenant slug)
	if err := c.archived(func(t *asynq.TaskInfo) {
		why := fmt.Sprintf("archived %s task %s (%s)", t.Type, t.ID, oneLine(t.LastErr))
		switch t.Type {
		case tasks.TypeDeliver:
			var d tasks.Deliver
			if json.Unmarshal(t.Payload, &d) == nil {
				v.Explained[Key{Tenant: c.tenantIDs[d.TenantID], Monitor: d.Monitor, Ledger: d.Ledger, TxHash: d.TxHash, Trigger: d.Trigger}] = why
			}
		case tasks.TypeFetchBlock:
			var f tasks.FetchBlock
			if json.Unmarshal(t.Payload, &f) == nil {
				byLedger[f.Ledger] = why
			}
		case tasks.TypeEvaluateTenants:
			var e tasks.EvaluateTenants
			if json.Unmarshal(t.Payload, &e) == nil {
				for _, id := range e.Tenants {
					byBatch[[2]string{fmt.Sprint(e.Ledger), c.tenantIDs[id]}] = why
				}
			}
		}
	}); err != nil {
		c.T.Logf("cannot read archived tasks: %v", err)
	}
	gaps := c.loggedGaps()
	for _, k := range v.Missing {
		if _, ok := v.Explained[k]; ok {
			continue
		}
		if why, ok := byLedger[k.Ledger]; ok {
			v.Explained[k] = why
		} else if why, ok := byBatch[[2]string{fmt.Sprint(k.Ledger), k.Tenant}]; ok {
			v.Explained[k] = why
		} else if g, ok := gaps.covering(k.Ledger); ok {
			v.Explained[k] = g
		}
	}
	// Archived deliver tasks of notifications that did arrive are not
	// explanations of anything: keep only the missing ones.
	for k := range v.Explained {
		if !slices.Contains(v.Missing, k) {
			delete(v.Explained, k)
		}
	}
}

// archived calls f with every archived task of every queue.
func (c *Cluster) archived(f func(*asynq.TaskInfo)) error {
	insp := c.Inspector()
	qs, err := insp.Queues()
	if err != nil {
		return err
	}
	for _, q := range qs {
		for page := 1; ; page++ {
			list, err := insp.ListArchivedTasks(q, asynq.PageSize(500), asynq.Page(page))
			if errors.Is(err, asynq.ErrQueueNotFound) {
				break
			}
			if err != nil {
				return fmt.Errorf("queue %s: %w", q, err)
			}
			for _, t := range list {
				f(t)
			}
			if len(list) < 500 {
				break
			}
		}
	}
	return nil
}

// gap is a range of ledgers a process said it skipped or lost.
type gap struct {
	from, to uint64
	line     string
}

type gapList []gap

func (gs gapList) covering(ledger uint64) (string, bool) {
	for _, g := range gs {
		if ledger >= g.from && ledger <= g.to {
			return "logged gap: " + g.line, true
		}
	}
	return "", false
}

// loggedGaps reads every process's JSON log for warnings and errors that
// announce skipped or lost ledgers: a message saying skip, gap, lost or
// dropped, with a "ledger" field or a "from"–"to" range. That is how
// ozmon is loud about a loss today (the scheduler's max_past_blocks
// warning); a re-driver that gives up must say so the same way.
func (c *Cluster) loggedGaps() gapList {
	var out gapList
	for _, p := range c.Processes() {
		f, err := os.Open(p.LogPath())
		if err != nil {
			continue
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			var rec map[string]any
			if json.Unmarshal(sc.Bytes(), &rec) != nil {
				continue
			}
			level, _ := rec["level"].(string)
			msg, _ := rec["msg"].(string)
			if level != "WARN" && level != "ERROR" {
				continue
			}
			m := strings.ToLower(msg)
			if !strings.Contains(m, "skip") && !strings.Contains(m, "gap") && !strings.Contains(m, "lost") && !strings.Contains(m, "dropped") {
				continue
			}
			if l, ok := number(rec["ledger"]); ok {
				out = append(out, gap{l, l, p.Name + ": " + msg})
			} else if from, ok := number(rec["from"]); ok {
				if to, ok := number(rec["to"]); ok {
					out = append(out, gap{from, to, p.Name + ": " + msg})
				}
			}
		}
		f.Close()
	}
	sort.Slice(out, func(i, j int) bool { return out[i].from < out[j].from })
	return out
}

func number(v any) (uint64, bool) {
	f, ok := v.(float64)
	if !ok || f < 0 {
		return 0, false
	}
	return uint64(f), true
}

func oneLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	if len(s) > 100 {
		s = s[:100] + "…"
	}
	return s
}
