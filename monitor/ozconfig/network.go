package ozconfig

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"time"
)

// NetworkType is a network's chain family, spelled exactly as in OZ JSON.
type NetworkType string

// The network types OZ accepts; ozmon runs monitors on all four.
const (
	NetworkEVM      NetworkType = "EVM"
	NetworkStellar  NetworkType = "Stellar"
	NetworkMidnight NetworkType = "Midnight"
	NetworkSolana   NetworkType = "Solana"
)

// Network is an OpenZeppelin Monitor network (config/networks/<slug>.json).
type Network struct {
	NetworkType        NetworkType `json:"network_type"`
	Slug               string      `json:"slug"`
	Name               string      `json:"name"`
	RPCURLs            []RPCURL    `json:"rpc_urls"`
	ChainID            *uint64     `json:"chain_id,omitempty"`
	NetworkPassphrase  string      `json:"network_passphrase,omitempty"`
	BlockTimeMs        uint64      `json:"block_time_ms"`
	ConfirmationBlocks uint64      `json:"confirmation_blocks"`
	CronSchedule       string      `json:"cron_schedule"`
	// MaxPastBlocks is nil when absent (see PastBlocksLimit for the default).
	MaxPastBlocks  *MaxPastBlocks  `json:"max_past_blocks,omitempty"`
	StoreBlocks    bool            `json:"store_blocks"`
	RecoveryConfig *RecoveryConfig `json:"recovery_config,omitempty"`

	source string
}

// RPCURL is one RPC endpoint. Weight 0 disables it; otherwise a higher
// weight is tried first (OZ uses weight as priority, not a load share).
type RPCURL struct {
	Type   string      `json:"type_"`
	URL    SecretValue `json:"url"`
	Weight uint8       `json:"weight"`
}

// MaxPastBlocks is either a number of blocks or "unlimited".
type MaxPastBlocks struct {
	Unlimited bool
	N         uint64
}

// MarshalJSON writes the number or the string "unlimited".
func (m MaxPastBlocks) MarshalJSON() ([]byte, error) {
	if m.Unlimited {
		return []byte(`"unlimited"`), nil
	}
	return []byte(strconv.FormatUint(m.N, 10)), nil
}

// RecoveryConfig drives the missed-block recovery job.
type RecoveryConfig struct {
	Enabled         bool   `json:"enabled"`
	CronSchedule    string `json:"cron_schedule"`
	MaxBlocksPerRun uint64 `json:"max_blocks_per_run"`
	MaxBlockAge     uint64 `json:"max_block_age"`
	MaxRetries      uint32 `json:"max_retries"`
	RetryDelayMs    uint64 `json:"retry_delay_ms"`
}

// Interval returns the gap between the network's next two cron firings after
// from, or 0 when the schedule does not parse.
func (n *Network) Interval(from time.Time) time.Duration {
	s, err := parseCron(n.CronSchedule)
	if err != nil {
		return 0
	}
	return cronInterval(s, from)
}

// PastBlocksLimit is how many blocks behind the tip one tick may reach back:
// max_past_blocks when set, otherwise OZ's default
// floor(cron interval / block time) + confirmation_blocks + 1.
func (n *Network) PastBlocksLimit(now time.Time) (limit uint64, unlimited bool) {
	if n.MaxPastBlocks != nil {
		return n.MaxPastBlocks.N, n.MaxPastBlocks.Unlimited
	}
	var perTick uint64
	if n.BlockTimeMs > 0 {
		perTick = uint64(n.Interval(now)/time.Millisecond) / n.BlockTimeMs
	}
	return perTick + n.ConfirmationBlocks + 1, false
}

// ParseNetwork reads and validates one network file; source names it in
// errors. All problems are returned together as ValidationErrors. A
// network over the limits (DefaultLimits, or those of WithLimits) is
// refused.
func ParseNetwork(source string, data []byte, opts ...ParseOption) (*Network, error) {
	r := newReader(source, opts)
	raw, ok := r.parseItem(data)
	if !ok {
		return nil, r.errs
	}
	n := r.network("", raw)
	if err := r.errs.err(); err != nil {
		return nil, err
	}
	n.source = source
	return n, nil
}

func (r *cfgReader) network(path string, raw json.RawMessage) *Network {
	o := r.object(path, raw, "network")
	if o == nil {
		return nil
	}
	n := &Network{}
	t, _ := o.enum("network_type", true, string(NetworkEVM), string(NetworkStellar), string(NetworkMidnight), string(NetworkSolana))
	n.NetworkType = NetworkType(t)

	if slug, ok := o.str("slug", true); ok {
		n.Slug = slug
		p := joinKey(path, "slug")
		if slug == "" {
			r.fail(p, "must not be empty")
		} else if !validSlug(slug) {
			r.fail(p, "%q may contain only lowercase letters, digits and underscores", slug)
		}
		r.checkName(p, slug)
	}
	if name, ok := o.str("name", true); ok {
		n.Name = name
		if strings.TrimSpace(name) == "" {
			r.fail(joinKey(path, "name"), "must not be empty")
		}
		r.checkName(joinKey(path, "name"), name)
	}
	if rawURLs, p, ok := o.get("rpc_urls", true); ok {
		if items, ok := r.array(p, rawURLs, "array of RPC URLs"); ok {
			for i, it := range items {
				if u, ok := r.rpcURL(joinIndex(p, i), it, n.NetworkType); ok {
					n.RPCURLs = append(n.RPCURLs, u)
				}
			}
		}
	}
	if id, ok := o.uint("chain_id", false, math.MaxUint64); ok {
		n.ChainID = &id
	}
	n.NetworkPassphrase, _ = o.str("network_passphrase", false)
	if v, ok := o.uint("block_time_ms", true, math.MaxUint64); ok {
		n.BlockTimeMs = v
		if v < 100 {
			r.fail(joinKey(path, "block_time_ms"), "must be at least 100, got %d", v)
		}
	}
	if v, ok := o.uint("confirmation_blocks", true, math.MaxUint64); ok {
		n.ConfirmationBlocks = v
		if v < 1 {
			r.fail(joinKey(path, "confirmation_blocks"), "must be at least 1, got 0")
		}
	}
	if s, ok := o.str("cron_schedule", true); ok {
		n.CronSchedule = s
		r.checkCron(joinKey(path, "cron_schedule"), s)
	}
	if v, p, ok := o.get("max_past_blocks", false); ok {
		n.MaxPastBlocks = r.maxPastBlocks(p, v)
	}
	n.StoreBlocks, _ = o.boolean("store_blocks", false)
	if v, p, ok := o.get("recovery_config", false); ok {
		n.RecoveryConfig = r.recoveryConfig(p, v)
	}
	o.finish()
	return n
}

func validSlug(s string) bool {
	for _, c := range s {
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '_' {
			return false
		}
	}
	return true
}

func (r *cfgReader) checkCron(path, spec string) {
	if strings.TrimSpace(spec) == "" {
		r.fail(path, "must not be empty")
		return
	}
	if _, err := parseCron(spec); err != nil {
		r.fail(path, "invalid cron schedule %q: %v", spec, err)
	}
}

func (r *cfgReader) rpcURL(path string, raw json.RawMessage, nt NetworkType) (RPCURL, bool) {
	o := r.object(path, raw, "RPC URL")
	if o == nil {
		return RPCURL{}, false
	}
	var u RPCURL
	want := "rpc"
	if nt == NetworkMidnight {
		want = "ws_rpc"
	}
	u.Type, _ = o.enum("type_", true, want)
	if s, ok := o.secret("url", true); ok {
		u.URL = s
		v, plain := s.plain()
		switch {
		case !plain:
		case nt == NetworkMidnight && !hasAnyPrefix(v, "ws://", "wss://"):
			// Midnight's node speaks only WebSocket, as OZ checks
			// (docs/compatibility.md#configuration-files).
			r.fail(joinKey(path, "url"), "a Midnight RPC URL must start with ws:// or wss://")
		case !hasAnyPrefix(v, "http://", "https://", "ws://", "wss://"):
			r.fail(joinKey(path, "url"), "must start with http://, https://, ws:// or wss://")
		case hasControl(v):
			r.fail(joinKey(path, "url"), "must not contain control characters (CR, LF, tab, NUL, …)")
		}
	}
	if w, ok := o.uint("weight", true, math.MaxUint8); ok {
		u.Weight = uint8(w)
		if w > 100 {
			r.fail(joinKey(path, "weight"), "must be between 0 and 100, got %d", w)
		}
	}
	o.finish()
	return u, true
}

func hasAnyPrefix(s string, prefixes ...string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

func (r *cfgReader) maxPastBlocks(path string, raw json.RawMessage) *MaxPastBlocks {
	switch jsonKind(raw) {
	case "string":
		s, _ := r.str(path, raw)
		if s != "unlimited" {
			r.fail(path, `expected a positive integer or "unlimited", got string %q`, s)
			return nil
		}
		return &MaxPastBlocks{Unlimited: true}
	case "number":
		n, ok := r.uint(path, raw, math.MaxUint64)
		if !ok {
			return nil
		}
		if n == 0 {
			r.fail(path, `must be at least 1 (or "unlimited"), got 0`)
			return nil
		}
		return &MaxPastBlocks{N: n}
	}
	r.fail(path, `expected a positive integer or "unlimited", got %s`, jsonKind(raw))
	return nil
}

func (r *cfgReader) recoveryConfig(path string, raw json.RawMessage) *RecoveryConfig {
	o := r.object(path, raw, "recovery config")
	if o == nil {
		return nil
	}
	c := &RecoveryConfig{}
	c.Enabled, _ = o.boolean("enabled", true)
	if s, ok := o.str("cron_schedule", true); ok {
		c.CronSchedule = s
		r.checkCron(joinKey(path, "cron_schedule"), s)
	}
	c.MaxBlocksPerRun, _ = o.uint("max_blocks_per_run", true, math.MaxUint64)
	c.MaxBlockAge, _ = o.uint("max_block_age", true, math.MaxUint64)
	mr, _ := o.uint("max_retries", true, math.MaxUint32)
	c.MaxRetries = uint32(mr)
	c.RetryDelayMs, _ = o.uint("retry_delay_ms", true, math.MaxUint64)
	o.finish()
	return c
}
