package ozconfig

import (
	"slices"
	"strings"
	"time"
)

// Warnings lists what OpenZeppelin Monitor warns about but still runs:
// insecure http:// and ws:// endpoints, a webhook without an authentication
// header, a Telegram token of the wrong shape, an unusual SMTP port, a
// network with no usable RPC URL, a max_past_blocks below what one tick
// needs, Solana event conditions whose expression has no effect (QS2)
// or whose search text is empty (QS4), and Midnight event conditions,
// which never match (QM2), and Midnight expressions, which are never
// evaluated (QM1). Only Plain secrets can be inspected. source is used as in Validate.
func (c *Config) Warnings(source string) ValidationErrors {
	v := &configValidator{source: source}
	for _, key := range inSourceOrder(c.Networks, networkSource) {
		if n := c.Networks[key]; n != nil {
			v.networkWarnings(v.objectSource(n.source, "network", key), n)
		}
	}
	for _, key := range inSourceOrder(c.Monitors, monitorSource) {
		m := c.Monitors[key]
		if m == nil {
			continue
		}
		for _, slug := range m.Networks {
			if n := c.Networks[slug]; n != nil && n.NetworkType == NetworkSolana {
				v.solanaWarnings(v.objectSource(m.source, "monitor", key), m)
				break
			}
		}
		for _, slug := range m.Networks {
			if n := c.Networks[slug]; n != nil && n.NetworkType == NetworkMidnight {
				v.midnightWarnings(v.objectSource(m.source, "monitor", key), m, n)
				break
			}
		}
	}
	for _, key := range inSourceOrder(c.Triggers, triggerSource) {
		if t := c.Triggers[key]; t != nil {
			path := ""
			if t.source != "" {
				path = key
			}
			v.triggerWarnings(v.objectSource(t.source, "trigger", key), path, t)
		}
	}
	return v.errs
}

func (v *configValidator) networkWarnings(src string, n *Network) {
	usable := 0
	for i, u := range n.RPCURLs {
		if u.Weight > 0 {
			usable++
		}
		if s, ok := u.URL.plain(); ok && hasAnyPrefix(s, "http://", "ws://") {
			v.fail(src, joinIndex("rpc_urls", i)+".url", "uses an unencrypted protocol (http:// or ws://)")
		}
	}
	if usable == 0 {
		v.fail(src, "rpc_urls", "no RPC URL with a weight above 0; the network cannot be reached")
	}
	if n.MaxPastBlocks == nil {
		return
	}
	if n.MaxPastBlocks.Unlimited && n.StoreBlocks {
		v.fail(src, "max_past_blocks", `"unlimited" with store_blocks may write very large block files while catching up`)
		return
	}
	// The recommendation is the default: what one cron tick produces plus
	// the confirmation margin.
	defaults := *n
	defaults.MaxPastBlocks = nil
	rec, _ := defaults.PastBlocksLimit(time.Now())
	if !n.MaxPastBlocks.Unlimited && n.MaxPastBlocks.N < rec {
		v.fail(src, "max_past_blocks", "%d is below the %d blocks one tick of %q produces; blocks may be skipped",
			n.MaxPastBlocks.N, rec, n.CronSchedule)
	}
}

func (v *configValidator) triggerWarnings(src, path string, t *Trigger) {
	cp := joinKey(path, "config")
	switch {
	case t.Webhook != nil:
		if s, ok := t.Webhook.URL.plain(); ok && strings.HasPrefix(s, "http://") {
			v.fail(src, joinKey(cp, "url"), "uses unencrypted http://")
		}
		auth := false
		for h := range t.Webhook.Headers {
			if strings.EqualFold(h, "X-API-Key") || strings.EqualFold(h, "Authorization") {
				auth = true
			}
		}
		if !auth && t.Webhook.Secret == nil {
			v.fail(src, joinKey(cp, "headers"), "no X-API-Key or Authorization header and no signing secret; the receiver cannot authenticate calls")
		}
	case t.Telegram != nil:
		if s, ok := t.Telegram.Token.plain(); ok && !telegramTokenShape(s) {
			v.fail(src, joinKey(cp, "token"), "does not look like a Telegram bot token (8-10 digits, ':', 35 characters)")
		}
	case t.Email != nil:
		if !slices.Contains([]uint16{465, 587, 993}, t.Email.Port) {
			v.fail(src, joinKey(cp, "port"), "%d is not a usual SMTP port (465, 587 or 993)", t.Email.Port)
		}
	}
}

// telegramTokenShape is OZ's ^[0-9]{8,10}:[a-zA-Z0-9_-]{35}$. OZ rejects
// other tokens; ozmon only warns, because OZ's own examples and fixtures use
// placeholder tokens that a compatible importer must accept.
func telegramTokenShape(s string) bool {
	id, secret, ok := strings.Cut(s, ":")
	if !ok || len(id) < 8 || len(id) > 10 || len(secret) != 35 {
		return false
	}
	for _, c := range id {
		if c < '0' || c > '9' {
			return false
		}
	}
	for _, c := range secret {
		if (c < 'a' || c > 'z') && (c < 'A' || c > 'Z') && (c < '0' || c > '9') && c != '_' && c != '-' {
			return false
		}
	}
	return true
}

// midnightWarnings: on Midnight, event conditions never match (QM2), and
// no expression is evaluated (QM1): transaction expressions are ignored,
// function expressions only echoed.
func (v *configValidator) midnightWarnings(src string, m *Monitor, n *Network) {
	for i := range m.MatchConditions.Events {
		v.fail(src, joinIndex("match_conditions.events", i), "event conditions never match on Midnight network %q (OpenZeppelin Monitor does not implement them): this condition has no effect", n.Slug)
	}
	for i, f := range m.MatchConditions.Functions {
		if f.Expression != "" {
			v.fail(src, joinIndex("match_conditions.functions", i)+".expression", "is not evaluated on Midnight network %q (arguments are private): the function matches by name whatever its arguments", n.Slug)
		}
	}
	for i, t := range m.MatchConditions.Transactions {
		if t.Expression != "" {
			v.fail(src, joinIndex("match_conditions.transactions", i)+".expression", "is ignored on Midnight network %q: only the status is checked", n.Slug)
		}
	}
}
