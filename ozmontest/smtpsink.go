package ozmontest

import (
	"bufio"
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"fmt"
	"math/big"
	"net"
	"strings"
	"sync"
	"testing"
	"time"
)

// SMTPMessage is one message an SMTPSink accepted.
type SMTPMessage struct {
	From     string   // MAIL FROM address
	To       []string // RCPT TO addresses
	Data     []byte   // the message as sent after DATA, dot-unstuffed, CRLF line ends
	AuthMech string   // "PLAIN" or "LOGIN", "" if the client did not authenticate
	Username string
	Password string
	TLS      bool // the session was encrypted (implicit TLS or STARTTLS)
	At       time.Time
}

// SMTPSink is a minimal ESMTP server on 127.0.0.1 that records what clients send, playing a
// mail relay in tests and `make dev`. It speaks EHLO/HELO, STARTTLS (with a self-signed
// certificate made at start), AUTH PLAIN and LOGIN, MAIL, RCPT, DATA, RSET, NOOP and QUIT, or
// implicit TLS from the first byte.
type SMTPSink struct {
	ln       net.Listener
	tlsConf  *tls.Config
	pool     *x509.CertPool
	implicit bool
	starttls bool
	authTLS  bool // advertise AUTH only once encrypted
	mechs    []string
	user     string
	pass     string
	failData []int // reply codes for the first DATA commands
	onMsg    func(SMTPMessage)
	maxData  int

	wg      sync.WaitGroup
	mu      sync.Mutex
	msgs    []SMTPMessage
	conns   map[net.Conn]struct{}
	closed  bool
	arrived chan struct{}
	datas   int
}

// SMTPSinkOption configures an SMTPSink.
type SMTPSinkOption func(*SMTPSink)

// SMTPImplicitTLS makes the sink speak TLS from the first byte (SMTPS, port-465 style).
func SMTPImplicitTLS() SMTPSinkOption { return func(s *SMTPSink) { s.implicit = true } }

// SMTPNoSTARTTLS stops the sink from offering STARTTLS (and so AUTH) on a clear connection.
func SMTPNoSTARTTLS() SMTPSinkOption { return func(s *SMTPSink) { s.starttls = false } }

// SMTPCredentials makes the sink require AUTH with these credentials before MAIL.
func SMTPCredentials(user, pass string) SMTPSinkOption {
	return func(s *SMTPSink) { s.user, s.pass = user, pass }
}

// SMTPAuthMechanisms sets the advertised AUTH mechanisms (default PLAIN LOGIN).
func SMTPAuthMechanisms(m ...string) SMTPSinkOption {
	return func(s *SMTPSink) { s.mechs = m }
}

// SMTPFailData answers the first len(codes) DATA commands with these reply codes (e.g. 451,
// 554) after the message is received, instead of 250.
func SMTPFailData(codes ...int) SMTPSinkOption {
	return func(s *SMTPSink) { s.failData = append(s.failData, codes...) }
}

// SMTPOnMessage calls f with every accepted message (`make dev` prints them).
func SMTPOnMessage(f func(SMTPMessage)) SMTPSinkOption { return func(s *SMTPSink) { s.onMsg = f } }

// StartSMTPSink starts a sink on a free 127.0.0.1 port, closed when the test ends.
func StartSMTPSink(tb testing.TB, opts ...SMTPSinkOption) *SMTPSink {
	tb.Helper()
	s, err := NewSMTPSink("127.0.0.1:0", opts...)
	if err != nil {
		tb.Fatalf("start smtp sink: %v", err)
	}
	tb.Cleanup(func() { _ = s.Close() })
	return s
}

// NewSMTPSink starts a sink listening on addr.
func NewSMTPSink(addr string, opts ...SMTPSinkOption) (*SMTPSink, error) {
	s := &SMTPSink{
		starttls: true,
		authTLS:  true,
		mechs:    []string{"PLAIN", "LOGIN"},
		maxData:  32 << 20,
		conns:    map[net.Conn]struct{}{},
		arrived:  make(chan struct{}),
	}
	for _, o := range opts {
		o(s)
	}
	cert, pool, err := selfSignedCert()
	if err != nil {
		return nil, fmt.Errorf("smtp sink: certificate: %w", err)
	}
	s.pool = pool
	s.tlsConf = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("smtp sink: listen on %s: %w", addr, err)
	}
	if s.implicit {
		ln = tls.NewListener(ln, s.tlsConf)
	}
	s.ln = ln
	s.wg.Add(1)
	go s.accept()
	return s, nil
}

// selfSignedCert makes a short-lived ECDSA certificate for 127.0.0.1 and localhost.
func selfSignedCert() (tls.Certificate, *x509.CertPool, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "ozmon smtp sink"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
		DNSNames:              []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool, nil
}

// Addr is the listening address, "127.0.0.1:PORT".
func (s *SMTPSink) Addr() string { return s.ln.Addr().String() }

// Host is the listening IP.
func (s *SMTPSink) Host() string { return s.ln.Addr().(*net.TCPAddr).IP.String() }

// Port is the listening port.
func (s *SMTPSink) Port() int { return s.ln.Addr().(*net.TCPAddr).Port }

// CertPool trusts the sink's self-signed certificate.
func (s *SMTPSink) CertPool() *x509.CertPool { return s.pool }

// ClientTLSConfig is a client configuration that trusts the sink's certificate.
func (s *SMTPSink) ClientTLSConfig() *tls.Config {
	return &tls.Config{RootCAs: s.pool, MinVersion: tls.VersionTLS12}
}

// Close stops the sink and drops open sessions.
func (s *SMTPSink) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	for c := range s.conns {
		_ = c.Close()
	}
	s.mu.Unlock()
	err := s.ln.Close()
	s.wg.Wait()
	return err
}

// Messages returns a copy of the messages accepted so far.
func (s *SMTPSink) Messages() []SMTPMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]SMTPMessage(nil), s.msgs...)
}

// Count is the number of messages accepted so far.
func (s *SMTPSink) Count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.msgs)
}

// WaitFor blocks until n messages were accepted or timeout passes.
func (s *SMTPSink) WaitFor(n int, timeout time.Duration) ([]SMTPMessage, error) {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		got, wake := len(s.msgs), s.arrived
		s.mu.Unlock()
		if got >= n {
			return s.Messages(), nil
		}
		select {
		case <-wake:
		case <-deadline.C:
			return s.Messages(), fmt.Errorf("%w: %d of %d messages after %s", ErrSinkTimeout, got, n, timeout)
		}
	}
}

func (s *SMTPSink) accept() {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			_ = c.Close()
			return
		}
		s.conns[c] = struct{}{}
		s.mu.Unlock()
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.session(c)
			s.mu.Lock()
			delete(s.conns, c)
			s.mu.Unlock()
			_ = c.Close()
		}()
	}
}

// smtpConn is one session's reader and writer, swapped when STARTTLS upgrades the socket.
type smtpConn struct {
	c net.Conn
	r *bufio.Reader
	w *bufio.Writer
}

func (sc *smtpConn) reply(code int, lines ...string) error {
	for i, l := range lines {
		sep := "-"
		if i == len(lines)-1 {
			sep = " "
		}
		fmt.Fprintf(sc.w, "%d%s%s\r\n", code, sep, l)
	}
	return sc.w.Flush()
}

func (sc *smtpConn) line() (string, error) {
	_ = sc.c.SetReadDeadline(time.Now().Add(30 * time.Second))
	l, err := sc.r.ReadString('\n')
	if err != nil {
		return "", err
	}
	if len(l) > 4096 {
		return "", fmt.Errorf("line too long")
	}
	return strings.TrimRight(l, "\r\n"), nil
}

func (s *SMTPSink) session(c net.Conn) {
	sc := &smtpConn{c: c, r: bufio.NewReader(c), w: bufio.NewWriter(c)}
	encrypted := s.implicit
	if s.implicit {
		if tc, ok := c.(*tls.Conn); ok {
			_ = tc.SetDeadline(time.Now().Add(10 * time.Second))
			if err := tc.Handshake(); err != nil {
				return
			}
			_ = tc.SetDeadline(time.Time{})
		}
	}
	var (
		greeted  bool
		authMech string
		user     string
		pass     string
		from     string
		rcpts    []string
		haveMail bool
	)
	reset := func() { from, rcpts, haveMail = "", nil, false }
	if sc.reply(220, "ozmon-sink ESMTP ready") != nil {
		return
	}
	for {
		l, err := sc.line()
		if err != nil {
			return
		}
		verb, arg, _ := strings.Cut(l, " ")
		switch strings.ToUpper(verb) {
		case "EHLO":
			greeted = true
			reset()
			lines := []string{"ozmon-sink greets " + arg, "8BITMIME", "SIZE 33554432"}
			if s.starttls && !encrypted {
				lines = append(lines, "STARTTLS")
			}
			if len(s.mechs) > 0 && (encrypted || !s.authTLS) {
				lines = append(lines, "AUTH "+strings.Join(s.mechs, " "))
			}
			err = sc.reply(250, lines...)
		case "HELO":
			greeted = true
			reset()
			err = sc.reply(250, "ozmon-sink")
		case "STARTTLS":
			if !s.starttls || encrypted {
				err = sc.reply(502, "STARTTLS not available")
				break
			}
			if err = sc.reply(220, "ready to start TLS"); err != nil {
				return
			}
			tc := tls.Server(c, s.tlsConf)
			_ = tc.SetDeadline(time.Now().Add(10 * time.Second))
			if tc.Handshake() != nil {
				return
			}
			_ = tc.SetDeadline(time.Time{})
			sc = &smtpConn{c: tc, r: bufio.NewReader(tc), w: bufio.NewWriter(tc)}
			encrypted, greeted = true, false // RFC 3207: the client must EHLO again
			authMech, user, pass = "", "", ""
			reset()
		case "AUTH":
			mech, initial, _ := strings.Cut(arg, " ")
			mech = strings.ToUpper(mech)
			if !greeted || len(s.mechs) == 0 || (s.authTLS && !encrypted) || !contains(s.mechs, mech) {
				err = sc.reply(504, "authentication mechanism not available")
				break
			}
			u, p, aerr := s.readAuth(sc, mech, initial)
			if aerr != nil {
				err = sc.reply(501, "malformed authentication")
				break
			}
			if s.user != "" && (u != s.user || p != s.pass) {
				err = sc.reply(535, "5.7.8 authentication credentials invalid")
				break
			}
			authMech, user, pass = mech, u, p
			err = sc.reply(235, "2.7.0 authentication successful")
		case "MAIL":
			switch {
			case !greeted:
				err = sc.reply(503, "say EHLO first")
			case s.user != "" && authMech == "":
				err = sc.reply(530, "5.7.0 authentication required")
			default:
				from, haveMail, rcpts = pathArg(arg, "FROM:"), true, nil
				err = sc.reply(250, "2.1.0 ok")
			}
		case "RCPT":
			if !haveMail {
				err = sc.reply(503, "need MAIL first")
				break
			}
			rcpts = append(rcpts, pathArg(arg, "TO:"))
			err = sc.reply(250, "2.1.5 ok")
		case "DATA":
			if !haveMail || len(rcpts) == 0 {
				err = sc.reply(503, "need RCPT first")
				break
			}
			if err = sc.reply(354, "end data with <CR><LF>.<CR><LF>"); err != nil {
				return
			}
			data, derr := s.readData(sc)
			if derr != nil {
				return
			}
			s.mu.Lock()
			n := s.datas
			s.datas++
			s.mu.Unlock()
			if n < len(s.failData) {
				code := s.failData[n]
				err = sc.reply(code, fmt.Sprintf("scripted failure %d", code))
				reset()
				break
			}
			msg := SMTPMessage{From: from, To: rcpts, Data: data, AuthMech: authMech,
				Username: user, Password: pass, TLS: encrypted, At: time.Now()}
			s.mu.Lock()
			s.msgs = append(s.msgs, msg)
			close(s.arrived)
			s.arrived = make(chan struct{})
			s.mu.Unlock()
			if s.onMsg != nil {
				s.onMsg(msg)
			}
			reset()
			err = sc.reply(250, "2.0.0 queued")
		case "RSET":
			reset()
			err = sc.reply(250, "ok")
		case "NOOP":
			err = sc.reply(250, "ok")
		case "QUIT":
			_ = sc.reply(221, "bye")
			return
		default:
			err = sc.reply(502, "command not implemented")
		}
		if err != nil {
			return
		}
	}
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if strings.EqualFold(x, v) {
			return true
		}
	}
	return false
}

// pathArg extracts the address from "FROM:<a@b> SIZE=…".
func pathArg(arg, prefix string) string {
	arg = strings.TrimSpace(arg)
	if len(arg) >= len(prefix) && strings.EqualFold(arg[:len(prefix)], prefix) {
		arg = strings.TrimSpace(arg[len(prefix):])
	}
	if i := strings.IndexByte(arg, '>'); strings.HasPrefix(arg, "<") && i > 0 {
		return arg[1:i]
	}
	addr, _, _ := strings.Cut(arg, " ")
	return addr
}

func (s *SMTPSink) readAuth(sc *smtpConn, mech, initial string) (user, pass string, err error) {
	ask := func(prompt string) (string, error) {
		if err := sc.reply(334, base64.StdEncoding.EncodeToString([]byte(prompt))); err != nil {
			return "", err
		}
		l, err := sc.line()
		if err != nil {
			return "", err
		}
		b, err := base64.StdEncoding.DecodeString(l)
		return string(b), err
	}
	switch mech {
	case "PLAIN":
		var raw []byte
		if initial != "" && initial != "=" {
			if raw, err = base64.StdEncoding.DecodeString(initial); err != nil {
				return "", "", err
			}
		} else {
			s, err := ask("")
			if err != nil {
				return "", "", err
			}
			raw = []byte(s)
		}
		parts := bytes.Split(raw, []byte{0})
		if len(parts) != 3 {
			return "", "", fmt.Errorf("bad PLAIN response")
		}
		return string(parts[1]), string(parts[2]), nil
	case "LOGIN":
		if initial != "" {
			b, err := base64.StdEncoding.DecodeString(initial)
			if err != nil {
				return "", "", err
			}
			user = string(b)
		} else if user, err = ask("Username:"); err != nil {
			return "", "", err
		}
		if pass, err = ask("Password:"); err != nil {
			return "", "", err
		}
		return user, pass, nil
	}
	return "", "", fmt.Errorf("unsupported mechanism")
}

// readData reads the message up to the lone "." line and undoes dot-stuffing.
func (s *SMTPSink) readData(sc *smtpConn) ([]byte, error) {
	var buf bytes.Buffer
	for {
		_ = sc.c.SetReadDeadline(time.Now().Add(30 * time.Second))
		l, err := sc.r.ReadString('\n')
		if err != nil {
			return nil, err
		}
		t := strings.TrimRight(l, "\r\n")
		if t == "." {
			return buf.Bytes(), nil
		}
		t = strings.TrimPrefix(t, ".") // undo dot-stuffing
		if buf.Len()+len(t) > s.maxData {
			return nil, fmt.Errorf("message too large")
		}
		buf.WriteString(t)
		buf.WriteString("\r\n")
	}
}
