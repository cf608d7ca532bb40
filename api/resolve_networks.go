package api

import (
	"context"
	"fmt"
	"regexp"

	"github.com/ozmon/ozmon/store"
)

// Networks lists the operator's registry with each network's progress and
// open problems. Only what a tenant may see is returned: never the RPC
// URLs, not even inside a problem's message.
func (r *queryResolver) Networks(ctx context.Context) ([]Network, error) {
	if _, err := caller(ctx); err != nil {
		return nil, err
	}
	list, err := r.o.store.Networks(ctx)
	if err != nil {
		return nil, fmt.Errorf("list networks: %w", err)
	}
	all, err := r.o.store.NetworkProblems(ctx)
	if err != nil {
		return nil, fmt.Errorf("list network problems: %w", err)
	}
	problems := map[string][]store.NetworkProblem{}
	for _, p := range all {
		problems[p.Network] = append(problems[p.Network], p)
	}
	out := make([]Network, 0, len(list))
	for _, n := range list {
		if n.Config == nil {
			continue
		}
		st := networkStatus(problems[n.Slug])
		ledger, ok, err := r.o.store.Cursor(ctx, n.Slug)
		if err != nil {
			return nil, fmt.Errorf("read progress of network %s: %w", n.Slug, err)
		}
		if ok {
			l := int(ledger)
			st.LastLedger = &l
		}
		out = append(out, Network{Slug: n.Slug, Name: n.Config.Name, NetworkType: string(n.Config.NetworkType),
			ConfirmationBlocks: int(n.Config.ConfirmationBlocks), CronSchedule: n.Config.CronSchedule, Status: st})
	}
	return out, nil
}

// networkStatus is a network's status with its open problems.
func networkStatus(problems []store.NetworkProblem) *NetworkStatus {
	st := &NetworkStatus{Problems: make([]string, 0, len(problems)), ProblemDetails: make([]NetworkProblem, 0, len(problems))}
	for _, p := range problems {
		msg := maskEndpoints(p.Message)
		st.Problems = append(st.Problems, p.Kind+": "+msg)
		st.ProblemDetails = append(st.ProblemDetails, NetworkProblem{Kind: p.Kind, Message: msg, Count: int(p.Count),
			FirstSeen: p.FirstSeen, LastSeen: p.LastSeen})
	}
	return st
}

var (
	urlInMessage  = regexp.MustCompile(`(?i)\b[a-z][a-z0-9+.\-]*://[^\s"'<>]+`)
	hostInMessage = regexp.MustCompile(`\b[A-Za-z0-9\-]*[A-Za-z.][A-Za-z0-9.\-]*:[0-9]{2,5}\b`) // a letter or dot: not a time
)

// maskEndpoints hides the operator's endpoints in a problem's message: a
// transport error quotes the RPC URL (which may hold a key) and the
// address it dialled, neither of which is a tenant's to see.
func maskEndpoints(msg string) string {
	msg = urlInMessage.ReplaceAllString(msg, "[rpc url]")
	return hostInMessage.ReplaceAllString(msg, "[rpc address]")
}
