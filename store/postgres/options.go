package postgres

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/ozmon/ozmon/monitor/ozconfig"
	"github.com/ozmon/ozmon/store/envelope"
)

// defaultNotifyChannel is the LISTEN/NOTIFY channel used when none is given.
const defaultNotifyChannel = "ozmon_config_changes"

// defaultReloadInterval is how often WatchChanges polls for changes it may
// have missed (the orchestrator's tenant_reload_interval default).
const defaultReloadInterval = 5 * time.Minute

// Option configures a Store.
type Option func(*options)

type options struct {
	logger         *slog.Logger
	channel        string
	reloadInterval time.Duration
	connectTimeout time.Duration
	keys           *envelope.Keyring
	limits         ozconfig.Limits
	maxPayload     int
}

func defaultOptions() options {
	return options{
		logger:         slog.New(slog.DiscardHandler),
		channel:        defaultNotifyChannel,
		reloadInterval: defaultReloadInterval,
		connectTimeout: 15 * time.Second,
		limits:         ozconfig.DefaultLimits(),
		maxPayload:     DefaultMaxPayloadBytes,
	}
}

// WithLogger sets the logger (default: discard).
func WithLogger(l *slog.Logger) Option {
	return func(o *options) {
		if l != nil {
			o.logger = l
		}
	}
}

// WithNotifyChannel sets the LISTEN/NOTIFY channel for config changes. It
// must be a lowercase identifier ([a-z_][a-z0-9_]*, at most 63 bytes) and
// the same for every process using the database.
func WithNotifyChannel(name string) Option {
	return func(o *options) { o.channel = name }
}

// WithReloadInterval sets how often WatchChanges polls for changes it may
// have missed (default 5 minutes).
func WithReloadInterval(d time.Duration) Option {
	return func(o *options) { o.reloadInterval = d }
}

// withConnectTimeout bounds Open's first connection (default 15 s), so a
// wrong host fails fast instead of hanging a pod's start.
func withConnectTimeout(d time.Duration) Option {
	return func(o *options) { o.connectTimeout = d }
}

// WithKeyring encrypts tenant secrets at rest: imports and network
// upserts seal every secret value under keys.Active() (see package
// envelope), loads open them with whichever key sealed them. Without a
// keyring secrets are written as given and sealed rows do not load.
func WithKeyring(keys *envelope.Keyring) Option {
	return func(o *options) { o.keys = keys }
}

// WithLimits holds each tenant's configuration to l when it is loaded
// (default ozconfig.DefaultLimits): an item over a limit, and the items past
// limits.tenant_bytes, are left out and reported as problems.
func WithLimits(l ozconfig.Limits) Option {
	return func(o *options) { o.limits = l.WithDefaults() }
}

// DefaultMaxPayloadBytes is the largest compacted deliver payload a
// delivery record keeps by default (see WithMaxPayloadBytes).
const DefaultMaxPayloadBytes = 64 << 10

// WithMaxPayloadBytes caps the payload one delivery record keeps for a
// resend (default DefaultMaxPayloadBytes): ExpectDeliveries refuses a
// larger one as store.ErrInvalid, naming the delivery and both sizes.
func WithMaxPayloadBytes(n int) Option {
	return func(o *options) { o.maxPayload = n }
}

func (o *options) validate() error {
	if o.maxPayload <= 0 {
		return fmt.Errorf("max payload bytes %d: must be positive", o.maxPayload)
	}
	if !validChannel(o.channel) {
		return fmt.Errorf("notify channel %q: want a lowercase identifier of at most 63 bytes", o.channel)
	}
	if o.reloadInterval <= 0 {
		return fmt.Errorf("reload interval %s: must be positive", o.reloadInterval)
	}
	if o.connectTimeout <= 0 {
		return fmt.Errorf("connect timeout %s: must be positive", o.connectTimeout)
	}
	return nil
}

func validChannel(s string) bool {
	if s == "" || len(s) > 63 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c == '_':
		case c >= '0' && c <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}
