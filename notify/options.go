package notify

import (
	"crypto/tls"
	"syscall"
	"time"
)

// Option configures the channels built by New and the channel constructors.
type Option func(*options)

type options struct {
	guard          *Guard
	timeout        time.Duration
	telegramBase   string
	pagerDutyBase  string
	opsgenieBase   string // "" means the trigger's region
	datadogBase    string // "" means the trigger's site
	tlsConfig      *tls.Config
	lookupEnv      func(string) (string, bool)
	scripts        bool
	interpreters   map[string]string
	scriptOutput   int
	scriptStdin    int
	smtpTLS        smtpSecurity
	responseDetail int
	scriptDir      string
	scriptCred     *syscall.Credential // nil: scripts run as the worker's user
}

func newOptions(opts []Option) *options {
	o := &options{
		timeout:       30 * time.Second,
		telegramBase:  "https://api.telegram.org",
		pagerDutyBase: "https://events.pagerduty.com",
		lookupEnv:     func(string) (string, bool) { return "", false },
		interpreters: map[string]string{
			"Python":     "python3",
			"JavaScript": "node",
			"Bash":       "sh",
		},
		scriptOutput:   64 << 10,
		scriptStdin:    4 << 20,
		responseDetail: 256,
	}
	for _, f := range opts {
		f(o)
	}
	return o
}

// guardOrDefault returns the configured guard, or one with no allow-list: the safe default
// refuses every internal address.
func (o *options) guardOrDefault() *Guard {
	if o.guard != nil {
		return o.guard
	}
	g, _ := NewGuard() // cannot fail without allow-list entries
	return g
}

// WithGuard sets the SSRF guard every network channel dials through. Without it channels use
// a Guard with an empty allow-list.
func WithGuard(g *Guard) Option { return func(o *options) { o.guard = g } }

// WithTimeout bounds one send attempt (HTTP request or SMTP session); default 30 s.
func WithTimeout(d time.Duration) Option { return func(o *options) { o.timeout = d } }

// TelegramBaseURL replaces https://api.telegram.org (tests point it at a local server).
func TelegramBaseURL(u string) Option { return func(o *options) { o.telegramBase = u } }

// PagerDutyBaseURL replaces https://events.pagerduty.com (tests point it at a local server).
func PagerDutyBaseURL(u string) Option { return func(o *options) { o.pagerDutyBase = u } }

// OpsgenieBaseURL replaces the region's Opsgenie API (https://api.opsgenie.com or
// https://api.eu.opsgenie.com) for every trigger (tests point it at a local server).
func OpsgenieBaseURL(u string) Option { return func(o *options) { o.opsgenieBase = u } }

// DatadogBaseURL replaces the site's Datadog API (https://api.<site>) for every trigger
// (tests point it at a local server).
func DatadogBaseURL(u string) Option { return func(o *options) { o.datadogBase = u } }

// withTLSConfig sets the TLS client configuration for SMTP (tests trust the sink's
// self-signed certificate with it). ServerName is filled in from the trigger's host if empty.
func withTLSConfig(c *tls.Config) Option { return func(o *options) { o.tlsConfig = c } }

// WithLookupEnv lets "environment" secrets be resolved through lookup (os.LookupEnv in a
// single-tenant deployment). By default they are not resolvable: in a multi-tenant service a
// tenant must not be able to send the operator's environment to a host of its choosing.
func WithLookupEnv(lookup func(string) (string, bool)) Option {
	return func(o *options) { o.lookupEnv = lookup }
}

// EnableScripts allows script triggers. Without it New refuses them with errScriptsDisabled.
func EnableScripts() Option { return func(o *options) { o.scripts = true } }

// scriptInterpreter sets the program that runs scripts of language ("Python", "JavaScript",
// "Bash"); defaults are python3, node and sh, found on the worker's PATH. The script is passed
// inline as the argument of -c (-e for node), as OpenZeppelin Monitor does.
func scriptInterpreter(language, program string) Option {
	return func(o *options) {
		m := make(map[string]string, len(o.interpreters)+1)
		for k, v := range o.interpreters {
			m[k] = v
		}
		m[language] = program
		o.interpreters = m
	}
}

// scriptOutputLimit caps how many bytes of a script's stdout and of its stderr are kept
// (default 64 KiB each); the rest is discarded.
func scriptOutputLimit(n int) Option { return func(o *options) { o.scriptOutput = n } }

// scriptInputLimit caps the stdin document given to a script (default 4 MiB); a larger match
// is refused rather than truncated into invalid JSON.
func scriptInputLimit(n int) Option { return func(o *options) { o.scriptStdin = n } }

// withSMTPSecurity overrides how email channels secure the SMTP session (see smtpSecurity).
func withSMTPSecurity(s smtpSecurity) Option { return func(o *options) { o.smtpTLS = s } }

// ScriptDir is the directory relative script_path values are resolved against (OpenZeppelin
// Monitor resolves them against its working directory, which is also the default here).
func ScriptDir(dir string) Option { return func(o *options) { o.scriptDir = dir } }
