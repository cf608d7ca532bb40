package ozconfig

import (
	"strings"
	"testing"

	"github.com/ozmon/ozmon/monitor/expr"
)

// TestParseMonitorOZValueWords: OpenZeppelin Monitor monitors whose
// expressions use a word that starts with digits or 0x (`1INCH`, `0xVal`)
// or a negative hex number load as they do there (#12 items 14 and 15).
func TestParseMonitorOZValueWords(t *testing.T) {
	t.Parallel()
	const src = "symbol == 1INCH AND delta < -0x10 AND tag != 0xVal"
	raw := strings.Replace(vaultMonitorJSON, "amount >= 5000000000 AND from != GBNOTWATCHEDXXX", src, 1)
	m, err := ParseMonitor("monitors/oneinch.json", []byte(raw))
	if err != nil {
		t.Fatalf("ParseMonitor: %v", err)
	}
	e := m.MatchConditions.Functions[0].Expr
	if e == nil || e.String() != src {
		t.Fatalf("expression not compiled: %+v", m.MatchConditions.Functions[0])
	}
	ok, err := e.Eval([]expr.Param{
		{Name: "symbol", Value: "1inch", Kind: "string"},
		{Name: "delta", Value: "-17", Kind: "int256"},
		{Name: "tag", Value: "0xValue", Kind: "string"},
	}, expr.EVM{})
	if err != nil || !ok {
		t.Fatalf("Eval = %v, %v; want true", ok, err)
	}
}
