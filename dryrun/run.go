package dryrun

import (
	"context"
	"fmt"

	"github.com/ozmon/ozmon/monitor"
	"github.com/ozmon/ozmon/monitor/ozconfig"
)

// Run compiles mon for netw and evaluates it over ledgers from..to
// (inclusive), calling each with every ledger's matches in order. An error
// from each stops the run and is returned. Run itself bounds neither the
// range nor the time: callers that serve others (the API) do, through ctx
// and the range they pass.
func Run(ctx context.Context, mon *ozconfig.Monitor, netw *ozconfig.Network, src Source, from, to uint64,
	each func(ledger uint64, ms []*monitor.Match) error) error {
	if to < from {
		return fmt.Errorf("ledger range %d..%d: the end is before the start", from, to)
	}
	cm, load, err := compile(ctx, mon, netw, src)
	if err != nil {
		return err
	}
	engine := monitor.NewEngine()
	for seq := from; seq <= to; seq++ {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("evaluate ledger %d: %w", seq, err)
		}
		b, err := load(seq)
		if err != nil {
			return err
		}
		if b == nil { // a skipped Solana slot: no block, no match
			if err := each(seq, nil); err != nil {
				return err
			}
			continue
		}
		ms, err := engine.EvaluateBlock(ctx, b, []*monitor.CompiledMonitor{cm})
		if err != nil {
			return fmt.Errorf("evaluate ledger %d: %w", seq, err)
		}
		if err := each(seq, ms); err != nil {
			return err
		}
	}
	return nil
}
