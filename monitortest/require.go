package monitortest

import (
	"fmt"
	"strings"
	"testing"

	"github.com/ozmon/ozmon/monitor"
)

// maxListed bounds the matches a failure message lists.
const maxListed = 10

// Ref picks matches: those of one transaction (Tx) or one ledger (Ledger).
type Ref struct {
	tx     string
	ledger uint64
}

// Tx refers to the matches of the transaction with this hash (hex; on EVM
// with 0x, in any case).
func Tx(hash string) Ref { return Ref{tx: hash} }

// Ledger refers to the matches in one ledger (on EVM, block number).
func Ledger(n uint64) Ref { return Ref{ledger: n} }

func (r Ref) picks(m *monitor.Match) bool {
	if r.tx != "" {
		return m.Transaction != nil && strings.EqualFold(strings.TrimPrefix(m.Transaction.Hash, "0x"), strings.TrimPrefix(r.tx, "0x"))
	}
	return m.Ledger == r.ledger
}

func (r Ref) String() string {
	if r.tx != "" {
		return fmt.Sprintf("tx %.80s", r.tx)
	}
	return fmt.Sprintf("ledger %d", r.ledger)
}

// RequireMatch fails tb unless the monitor matched every ref (each at
// least once); with no ref, unless it matched anything at all. The
// message lists what the monitor did match.
func RequireMatch(tb testing.TB, ms Matches, refs ...Ref) {
	tb.Helper()
	if len(refs) == 0 {
		if len(ms.All) == 0 {
			tb.Fatalf("monitortest: monitor %.100q matched nothing in %s, want a match", ms.Monitor, ms.evaluated())
		}
		return
	}
	var missing []string
	for _, r := range refs {
		if len(ms.pick(r)) == 0 {
			missing = append(missing, r.String())
		}
	}
	if len(missing) > 0 {
		tb.Fatalf("monitortest: monitor %.100q did not match %s in %s; %s",
			ms.Monitor, strings.Join(missing, ", "), ms.evaluated(), list("it matched", ms.All))
	}
}

// RequireNoMatch fails tb if the monitor matched any ref; with no ref, if
// it matched anything at all. The message lists the unwanted matches.
func RequireNoMatch(tb testing.TB, ms Matches, refs ...Ref) {
	tb.Helper()
	unwanted := ms.All
	if len(refs) > 0 {
		unwanted = nil
		for _, r := range refs {
			unwanted = append(unwanted, ms.pick(r)...)
		}
	}
	if len(unwanted) > 0 {
		tb.Fatalf("monitortest: monitor %.100q matched in %s, want no match there; %s",
			ms.Monitor, ms.evaluated(), list("unwanted", unwanted))
	}
}

func (ms Matches) pick(r Ref) []*monitor.Match {
	var out []*monitor.Match
	for _, m := range ms.All {
		if r.picks(m) {
			out = append(out, m)
		}
	}
	return out
}

// evaluated names the ledgers evaluated, so a test that read the wrong
// files says so.
func (ms Matches) evaluated() string {
	switch n := len(ms.Ledgers); n {
	case 0:
		return "no ledgers (no files given)"
	case 1:
		return fmt.Sprintf("ledger %d of %s", ms.Ledgers[0], ms.Network)
	default:
		return fmt.Sprintf("%d ledgers %d..%d of %s", n, ms.Ledgers[0], ms.Ledgers[n-1], ms.Network)
	}
}

// list renders matches, at most maxListed, one per line.
func list(title string, ms []*monitor.Match) string {
	if len(ms) == 0 {
		return title + " nothing"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s %d:", title, len(ms))
	for i, m := range ms {
		if i == maxListed {
			fmt.Fprintf(&b, "\n\t… and %d more", len(ms)-maxListed)
			break
		}
		b.WriteString("\n\t" + describe(m))
	}
	return b.String()
}
