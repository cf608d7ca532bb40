package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/ozmon/ozmon/dryrun"
	"github.com/ozmon/ozmon/monitor"
	"github.com/ozmon/ozmon/monitor/ozconfig"
)

// testMonitor's bounds: a dry run is a request, not a job.
const (
	maxTestLedgers = 100
	testTimeout    = 20 * time.Second
)

func (r *mutationResolver) TestMonitor(ctx context.Context, mon any, ledgers LedgerRangeInput) (*TestMonitorResult, error) {
	if _, err := tenantCaller(ctx, "testMonitor", canRead); err != nil {
		return nil, err
	}
	to := ledgers.From
	if ledgers.To != nil {
		to = *ledgers.To
	}
	switch {
	case ledgers.From < 1:
		return nil, badInput("testMonitor: ledgers.from is %d; ledgers start at 1", ledgers.From)
	case to < ledgers.From:
		return nil, badInput("testMonitor: ledgers.to %d is before ledgers.from %d", to, ledgers.From)
	case to-ledgers.From+1 > maxTestLedgers:
		return nil, badInput("testMonitor: %d ledgers asked; at most %d", to-ledgers.From+1, maxTestLedgers)
	}
	data, err := json.Marshal(mon)
	if err != nil {
		return nil, badInput("testMonitor: monitor: %v", err)
	}
	m, err := ozconfig.ParseMonitor("monitor", data)
	if err != nil {
		return nil, badInput("testMonitor: %v", err)
	}
	netw, rpcURL, err := r.registryNetwork(ctx, ledgers.Network)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, testTimeout)
	defer cancel()
	out := &TestMonitorResult{Matches: []any{}}
	err = dryrun.Run(ctx, m, netw, dryrun.Source{RPCURL: rpcURL, Cache: r.o.blocks}, uint64(ledgers.From), uint64(to),
		func(_ uint64, ms []*monitor.Match) error {
			out.LedgersEvaluated++
			for _, mt := range ms {
				js, err := mt.MarshalOZJSON()
				if err != nil {
					return err
				}
				out.Matches = append(out.Matches, json.RawMessage(js))
			}
			return nil
		})
	if errors.Is(err, context.DeadlineExceeded) {
		return nil, badInput("testMonitor: stopped after %s with %d ledgers evaluated; ask for fewer", testTimeout, out.LedgersEvaluated)
	}
	if err != nil {
		// The network's RPC is the operator's: its errors may name it, so
		// the caller gets the kind of failure, the log the cause.
		r.o.log.WarnContext(ctx, "api: testMonitor failed", "network", netw.Slug, "err", err)
		return nil, badInput("testMonitor: evaluating ledgers %d..%d of %s failed (ledgers not available, or the monitor does not apply to them)", ledgers.From, to, netw.Slug)
	}
	return out, nil
}

// registryNetwork finds slug in the operator's registry with its first
// RPC URL.
func (r *mutationResolver) registryNetwork(ctx context.Context, slug string) (*ozconfig.Network, string, error) {
	list, err := r.o.store.Networks(ctx)
	if err != nil {
		return nil, "", fmt.Errorf("list networks: %w", err)
	}
	for _, n := range list {
		if n.Slug != slug || n.Config == nil {
			continue
		}
		for _, u := range n.Config.RPCURLs {
			url, err := u.URL.Resolve(os.LookupEnv)
			if err == nil && url != "" {
				return n.Config, url, nil
			}
		}
		return nil, "", badInput("testMonitor: network %q has no usable RPC URL", slug)
	}
	return nil, "", notFound("network", slug)
}
