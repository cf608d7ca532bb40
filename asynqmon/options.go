package asynqmon

import "log/slog"

// defaultPath is where the UI is mounted when WithPath is not given.
const defaultPath = "/asynqmon"

// minTokenLen keeps guessable tokens out: a token is the only thing between
// the internet and the power to delete every queued notification.
const minTokenLen = 16

// Option configures New.
type Option func(*settings)

type basicCred struct {
	user, pass string
	readOnly   bool
}

type settings struct {
	path          string
	adminToken    string
	readOnlyToken string
	basic         []basicCred
	prometheusURL string
	log           *slog.Logger
}

// WithPath mounts the UI under p (default /asynqmon). p must start with a
// slash; a trailing slash is ignored; an empty p keeps the default.
func WithPath(p string) Option {
	return func(s *settings) {
		if p != "" {
			s.path = p
		}
	}
}

// WithAdminToken lets callers presenting tok (as a bearer token, or as the
// basic-auth password) do everything. An empty tok is ignored, so callers can
// pass a possibly unset configuration value as it is.
func WithAdminToken(tok string) Option { return func(s *settings) { s.adminToken = tok } }

// WithReadOnlyToken lets callers presenting tok view queues and tasks but
// change nothing. An empty tok is ignored.
func WithReadOnlyToken(tok string) Option { return func(s *settings) { s.readOnlyToken = tok } }

// withBasicAuth adds a user name and password for HTTP basic authentication;
// readOnly restricts that user to viewing. It may be given several times.
// Unexported: ozmon's configuration has no named users yet (tokens serve
// as basic-auth passwords too); the tests keep the path working.
func withBasicAuth(user, pass string, readOnly bool) Option {
	return func(s *settings) { s.basic = append(s.basic, basicCred{user: user, pass: pass, readOnly: readOnly}) }
}

// WithPrometheusURL points asynqmon's metrics charts at a Prometheus server
// (e.g. "http://prometheus:9090"). The charts query the asynq_* series of
// asynq's x/metrics collector, not ozmon's oz_monitor_queue_*; without such
// an exporter the chart page stays empty. An empty u disables the charts.
func WithPrometheusURL(u string) Option { return func(s *settings) { s.prometheusURL = u } }

// WithLogger sets where refused requests are logged (at debug level, without
// any credential). The default discards.
func WithLogger(l *slog.Logger) Option { return func(s *settings) { s.log = l } }
