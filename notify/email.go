package notify

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/smtp"
	"net/textproto"
	"strconv"
	"strings"
	"time"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
)

// smtpSecurity says how an email channel protects its SMTP session. Credentials are never sent
// over an unencrypted connection.
type smtpSecurity int

const (
	// smtpAuto uses implicit TLS on port 465 and STARTTLS (required) on every other port.
	// OpenZeppelin Monitor uses implicit TLS on every port, which real submission servers on
	// 587 do not speak.
	smtpAuto smtpSecurity = iota
	// smtpImplicitTLS starts TLS before the SMTP greeting (SMTPS, "relay" mode).
	smtpImplicitTLS
	// smtpStartTLS connects in clear and upgrades with STARTTLS before authenticating.
	smtpStartTLS
)

// emailConfig is an email trigger's configuration, secrets already resolved.
type emailConfig struct {
	Host       string
	Port       int // default 465
	Username   string
	Password   string
	Sender     string
	Recipients []string
	Message    messageTemplate
}

// emailChannel sends one message per notification to all recipients over SMTP. The subject is the
// rendered title (templating it is ozmon's extension; OpenZeppelin Monitor sends it raw); the
// body is the rendered Markdown as a text/plain part and as HTML (CommonMark with GitHub
// tables, strike-through, task lists, footnotes and smart punctuation) in a
// multipart/alternative message.
type emailChannel struct {
	trigger  string
	cfg      emailConfig
	security smtpSecurity
	guard    *Guard
	tls      *tls.Config
	timeout  time.Duration
	md       goldmark.Markdown
	secrets  redactor
}

// newEmail builds an email channel for trigger, checking the addresses so that no header can
// be injected through them.
func newEmail(trigger string, cfg emailConfig, opts ...Option) (*emailChannel, error) {
	o := newOptions(opts)
	if cfg.Port == 0 {
		cfg.Port = 465
	}
	if cfg.Port < 0 || cfg.Port > 65535 {
		return nil, fmt.Errorf("notify: email trigger %q: port %d out of range", trigger, cfg.Port)
	}
	if cfg.Host == "" || strings.ContainsAny(cfg.Host, " \r\n\t/:@") {
		return nil, fmt.Errorf("notify: email trigger %q: invalid host %q", trigger, cfg.Host)
	}
	if err := checkAddress(cfg.Sender); err != nil {
		return nil, fmt.Errorf("notify: email trigger %q: sender: %w", trigger, err)
	}
	if len(cfg.Recipients) == 0 {
		return nil, fmt.Errorf("notify: email trigger %q: no recipients", trigger)
	}
	for i, r := range cfg.Recipients {
		if err := checkAddress(r); err != nil {
			return nil, fmt.Errorf("notify: email trigger %q: recipient %d: %w", trigger, i, err)
		}
	}
	security := o.smtpTLS
	if security == smtpAuto {
		security = smtpStartTLS
		if cfg.Port == 465 {
			security = smtpImplicitTLS
		}
	}
	tc := &tls.Config{MinVersion: tls.VersionTLS12}
	if o.tlsConfig != nil {
		tc = o.tlsConfig.Clone()
	}
	if tc.ServerName == "" {
		tc.ServerName = cfg.Host
	}
	return &emailChannel{
		trigger:  trigger,
		cfg:      cfg,
		security: security,
		guard:    o.guardOrDefault(),
		tls:      tc,
		timeout:  o.timeout,
		md: goldmark.New(goldmark.WithExtensions(
			extension.GFM, extension.Footnote, extension.Typographer,
		)),
		secrets: redactor{cfg.Password, cfg.Username},
	}, nil
}

// checkAddress accepts a bare addr-spec (user@host) with no display name or line breaks.
func checkAddress(s string) error {
	if strings.ContainsAny(s, "\r\n") {
		return errors.New("address contains a line break")
	}
	a, err := mail.ParseAddress(s)
	if err != nil {
		return fmt.Errorf("invalid address %q", s)
	}
	if a.Address != s {
		return fmt.Errorf("address %q must be a bare user@host", s)
	}
	return nil
}

func (e *emailChannel) fail(tenant string) *SendError {
	return &SendError{Channel: "email", TenantID: tenant, Trigger: e.trigger}
}

// Send delivers one message in one SMTP session. Its Message-ID is built from the
// notification's ID, so every attempt of one notification sends the same Message-ID, which
// mail clients and some servers use to drop the copy a retry may produce.
func (e *emailChannel) Send(ctx context.Context, n Notification) error {
	title, body := e.cfg.Message.Render(n.Vars)
	msg, err := e.compose(n.ID, title, body, time.Now())
	if err != nil {
		se := e.fail(n.TenantID)
		se.Detail, se.Err = "compose message", err
		return se
	}
	if err := e.deliver(ctx, msg); err != nil {
		se := e.fail(n.TenantID)
		e.classify(se, err)
		return se
	}
	return nil
}

// smtpStep labels an SMTP failure with the command that failed.
type smtpStep struct {
	step string
	err  error
}

func (s *smtpStep) Error() string { return s.step + ": " + s.err.Error() }
func (s *smtpStep) Unwrap() error { return s.err }

func step(name string, err error) error {
	if err == nil {
		return nil
	}
	return &smtpStep{step: name, err: err}
}

func (e *emailChannel) classify(se *SendError, err error) {
	se.Err = &cleanError{msg: e.secrets.clean(err.Error()), cause: err}
	var tpe *textproto.Error
	var cve *tls.CertificateVerificationError
	var uae x509.UnknownAuthorityError
	var hne x509.HostnameError
	switch {
	case errors.As(err, &tpe):
		se.StatusCode = tpe.Code
		// 4xx replies are transient by definition (RFC 5321 §4.2.1); 5xx are permanent.
		se.Retryable = tpe.Code >= 400 && tpe.Code < 500
	case errors.Is(err, ErrRefused), errors.As(err, &cve), errors.As(err, &uae), errors.As(err, &hne):
		se.Retryable = false
	case errors.Is(err, errNoStartTLS), errors.Is(err, errNoAuth):
		se.Retryable = false
	default:
		se.Retryable = true // network trouble, timeouts, dropped connections
	}
}

var (
	errNoStartTLS = errors.New("server does not offer STARTTLS; refusing to send credentials in clear")
	errNoAuth     = errors.New("server offers neither AUTH PLAIN nor AUTH LOGIN")
)

func (e *emailChannel) deliver(ctx context.Context, msg []byte) error {
	ctx, cancel := context.WithTimeout(ctx, e.timeout)
	defer cancel()
	addr := net.JoinHostPort(e.cfg.Host, strconv.Itoa(e.cfg.Port))
	conn, err := e.guard.DialContext(ctx, "tcp", addr)
	if err != nil {
		return step("connect", err)
	}
	defer conn.Close()
	// net/smtp has no context support: a deadline on the socket bounds the whole session, and
	// closing the socket on cancellation unblocks it.
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { _ = conn.Close() })
	defer stop()

	if e.security == smtpImplicitTLS {
		tc := tls.Client(conn, e.tls)
		if err := tc.HandshakeContext(ctx); err != nil {
			return step("tls handshake", err)
		}
		conn = tc
	}
	c, err := smtp.NewClient(conn, e.cfg.Host)
	if err != nil {
		return step("greeting", err)
	}
	defer c.Close()
	if err := c.Hello("ozmon"); err != nil {
		return step("EHLO", err)
	}
	if e.security == smtpStartTLS {
		if ok, _ := c.Extension("STARTTLS"); !ok {
			return step("STARTTLS", errNoStartTLS)
		}
		if err := c.StartTLS(e.tls); err != nil {
			return step("STARTTLS", err)
		}
	}
	if e.cfg.Username != "" || e.cfg.Password != "" {
		ok, mechs := c.Extension("AUTH")
		if !ok {
			return step("AUTH", errNoAuth)
		}
		var auth smtp.Auth
		switch {
		case hasMechanism(mechs, "PLAIN"):
			auth = smtp.PlainAuth("", e.cfg.Username, e.cfg.Password, e.cfg.Host)
		case hasMechanism(mechs, "LOGIN"):
			auth = &loginAuth{user: e.cfg.Username, pass: e.cfg.Password}
		default:
			return step("AUTH", errNoAuth)
		}
		if err := c.Auth(auth); err != nil {
			return step("AUTH", err)
		}
	}
	if err := c.Mail(e.cfg.Sender); err != nil {
		return step("MAIL FROM", err)
	}
	for _, r := range e.cfg.Recipients {
		if err := c.Rcpt(r); err != nil {
			return step("RCPT TO", err)
		}
	}
	w, err := c.Data()
	if err != nil {
		return step("DATA", err)
	}
	if _, err := w.Write(msg); err != nil {
		return step("DATA", err)
	}
	if err := w.Close(); err != nil {
		return step("DATA", err)
	}
	// The message is accepted once DATA ends with 250; a failing QUIT changes nothing.
	_ = c.Quit()
	return nil
}

func hasMechanism(list, mech string) bool {
	for _, m := range strings.Fields(list) {
		if strings.EqualFold(m, mech) {
			return true
		}
	}
	return false
}

// loginAuth is the AUTH LOGIN mechanism, which net/smtp lacks. It is only used after TLS is
// established (implicit or STARTTLS), which deliver guarantees.
type loginAuth struct{ user, pass string }

func (a *loginAuth) Start(*smtp.ServerInfo) (string, []byte, error) { return "LOGIN", nil, nil }

func (a *loginAuth) Next(fromServer []byte, more bool) ([]byte, error) {
	if !more {
		return nil, nil
	}
	switch strings.ToLower(strings.TrimSpace(string(fromServer))) {
	case "username:", "user name", "username":
		return []byte(a.user), nil
	case "password:", "password":
		return []byte(a.pass), nil
	}
	return nil, fmt.Errorf("unexpected AUTH LOGIN challenge")
}

// Compose builds the RFC 5322 message for a rendered title and Markdown body, with a random
// Message-ID (Send uses the notification's ID instead).
func (e *emailChannel) Compose(title, body string, now time.Time) ([]byte, error) {
	return e.compose("", title, body, now)
}

// messageID returns the Message-ID for a notification ID: "<ID@ozmon>", the same on every
// attempt; without an ID, a random one at the sender's domain. checkID admits only letters,
// digits, '_' and '-', all of them RFC 5322 atext, so the id can neither break the
// Message-ID's syntax nor end the header.
func (e *emailChannel) messageID(id string) (string, error) {
	if id == "" {
		var r [12]byte
		_, _ = rand.Read(r[:])
		domain := e.cfg.Sender[strings.LastIndexByte(e.cfg.Sender, '@')+1:]
		return "<" + hex.EncodeToString(r[:]) + "@" + domain + ">", nil
	}
	if err := checkID(id); err != nil {
		return "", fmt.Errorf("message id: %w", err)
	}
	return "<" + id + "@ozmon>", nil
}

func (e *emailChannel) compose(notificationID, title, body string, now time.Time) ([]byte, error) {
	msgID, err := e.messageID(notificationID)
	if err != nil {
		return nil, err
	}
	var html bytes.Buffer
	if err := e.md.Convert([]byte(body), &html); err != nil {
		return nil, fmt.Errorf("render markdown: %w", err)
	}
	var out bytes.Buffer
	mw := multipart.NewWriter(&out)
	hdr := []string{
		"From: " + e.cfg.Sender,
		"Reply-To: " + e.cfg.Sender,
		"To: " + strings.Join(e.cfg.Recipients, ", "),
		"Subject: " + mime.QEncoding.Encode("utf-8", headerSafe(title)),
		"Date: " + now.UTC().Format(time.RFC1123Z),
		"Message-ID: " + msgID,
		"MIME-Version: 1.0",
		`Content-Type: multipart/alternative; boundary="` + mw.Boundary() + `"`,
	}
	var msg bytes.Buffer
	msg.WriteString(strings.Join(hdr, "\r\n"))
	msg.WriteString("\r\n\r\n")
	for _, part := range []struct{ ctype, content string }{
		{"text/plain; charset=utf-8", body},
		{"text/html; charset=utf-8", html.String()},
	} {
		w, err := mw.CreatePart(textproto.MIMEHeader{
			"Content-Type":              {part.ctype},
			"Content-Transfer-Encoding": {"quoted-printable"},
		})
		if err != nil {
			return nil, err
		}
		qp := quotedprintable.NewWriter(w)
		if _, err := qp.Write([]byte(part.content)); err != nil {
			return nil, err
		}
		if err := qp.Close(); err != nil {
			return nil, err
		}
	}
	if err := mw.Close(); err != nil {
		return nil, err
	}
	msg.Write(out.Bytes())
	return msg.Bytes(), nil
}

// headerSafe folds control characters (a rendered title may contain chain data) into spaces,
// so that a subject can never end the header and start another.
func headerSafe(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
}
