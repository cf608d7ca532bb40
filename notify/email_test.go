package notify

import (
	"bytes"
	"context"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/ozmon/ozmon/ozmontest"
)

const smtpPassword = "smtp-pa55word-xyz"

func sinkEmailConfig(sink *ozmontest.SMTPSink) emailConfig {
	return emailConfig{
		Host:       sink.Host(),
		Port:       sink.Port(),
		Username:   "alerts@example.org",
		Password:   smtpPassword,
		Sender:     "alerts@example.org",
		Recipients: []string{"ops@example.org", "sec@example.org"},
		Message: messageTemplate{
			Title: "Vault alert: ${monitor.name}",
			Body:  "## Deposit\n\n**Amount:** ${functions.0.args.amount}\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n<script>x</script>",
		},
	}
}

type parsedEmail struct {
	header *mail.Message
	parts  map[string]string // content type → decoded content
}

func parseEmail(t *testing.T, data []byte) parsedEmail {
	t.Helper()
	m, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("parse message: %v\n%s", err, data)
	}
	mt, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/alternative" {
		t.Fatalf("content type %q: %v", m.Header.Get("Content-Type"), err)
	}
	out := parsedEmail{header: m, parts: map[string]string{}}
	mr := multipart.NewReader(m.Body, params["boundary"])
	for {
		p, err := mr.NextRawPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("read part: %v", err)
		}
		if p.Header.Get("Content-Transfer-Encoding") != "quoted-printable" {
			t.Fatalf("part encoding %q", p.Header.Get("Content-Transfer-Encoding"))
		}
		b, err := io.ReadAll(quotedprintable.NewReader(p))
		if err != nil {
			t.Fatalf("decode part: %v", err)
		}
		ct, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
		out.parts[ct] = string(b)
	}
	return out
}

func checkEmail(t *testing.T, msg ozmontest.SMTPMessage) {
	t.Helper()
	if !msg.TLS {
		t.Fatal("message was sent without TLS")
	}
	if msg.Username != "alerts@example.org" || msg.Password != smtpPassword {
		t.Fatalf("auth %q/%q", msg.Username, msg.Password)
	}
	if msg.From != "alerts@example.org" || strings.Join(msg.To, ",") != "ops@example.org,sec@example.org" {
		t.Fatalf("envelope from %q to %v", msg.From, msg.To)
	}
	e := parseEmail(t, msg.Data)
	h := e.header.Header
	if h.Get("From") != "alerts@example.org" || h.Get("Reply-To") != "alerts@example.org" {
		t.Fatalf("From %q Reply-To %q", h.Get("From"), h.Get("Reply-To"))
	}
	to, err := h.AddressList("To")
	if err != nil || len(to) != 2 || to[0].Address != "ops@example.org" || to[1].Address != "sec@example.org" {
		t.Fatalf("To %q: %v", h.Get("To"), err)
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(h.Get("Subject"))
	if err != nil || subject != "Vault alert: Vault <deposits>" {
		t.Fatalf("Subject %q (%v)", subject, err)
	}
	text := e.parts["text/plain"]
	if !strings.Contains(text, "**Amount:** 2240") {
		t.Fatalf("text part: %q", text)
	}
	html := e.parts["text/html"]
	for _, want := range []string{"<h2>Deposit</h2>", "<strong>Amount:</strong> 2240", "<table>", "<td>1</td>"} {
		if !strings.Contains(html, want) {
			t.Fatalf("html part lacks %q:\n%s", want, html)
		}
	}
	if strings.Contains(html, "<script>") {
		t.Fatalf("raw HTML passed into the email:\n%s", html)
	}
}

func TestEmailSTARTTLS(t *testing.T) {
	t.Parallel()
	sink := ozmontest.StartSMTPSink(t, ozmontest.SMTPCredentials("alerts@example.org", smtpPassword))
	ch, err := newEmail("vault email", sinkEmailConfig(sink),
		WithGuard(localGuard(t)), withTLSConfig(sink.ClientTLSConfig()))
	if err != nil {
		t.Fatal(err)
	}
	if err := ch.Send(context.Background(), Notification{TenantID: "t1", Vars: sampleVars()}); err != nil {
		t.Fatalf("send: %v", err)
	}
	msgs, err := sink.WaitFor(1, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if msgs[0].AuthMech != "PLAIN" {
		t.Fatalf("auth mechanism %q", msgs[0].AuthMech)
	}
	checkEmail(t, msgs[0])
}

func TestEmailImplicitTLSAndLogin(t *testing.T) {
	t.Parallel()
	sink := ozmontest.StartSMTPSink(t, ozmontest.SMTPImplicitTLS(),
		ozmontest.SMTPCredentials("alerts@example.org", smtpPassword), ozmontest.SMTPAuthMechanisms("LOGIN"))
	ch, err := newEmail("vault email", sinkEmailConfig(sink), WithGuard(localGuard(t)),
		withTLSConfig(sink.ClientTLSConfig()), withSMTPSecurity(smtpImplicitTLS))
	if err != nil {
		t.Fatal(err)
	}
	if err := ch.Send(context.Background(), Notification{TenantID: "t1", Vars: sampleVars()}); err != nil {
		t.Fatalf("send: %v", err)
	}
	msgs := sink.Messages()
	if len(msgs) != 1 || msgs[0].AuthMech != "LOGIN" {
		t.Fatalf("messages %+v", msgs)
	}
	checkEmail(t, msgs[0])
}

func TestEmailRefusesClearTextAndUntrustedCert(t *testing.T) {
	t.Parallel()
	noTLS := ozmontest.StartSMTPSink(t, ozmontest.SMTPNoSTARTTLS())
	ch, err := newEmail("e", sinkEmailConfig(noTLS), WithGuard(localGuard(t)))
	if err != nil {
		t.Fatal(err)
	}
	err = ch.Send(context.Background(), Notification{TenantID: "t1"})
	if err == nil || IsRetryable(err) || !strings.Contains(err.Error(), "STARTTLS") {
		t.Fatalf("server without STARTTLS: got %v", err)
	}
	// Without trusting the sink's self-signed certificate the handshake fails, permanently.
	sink := ozmontest.StartSMTPSink(t)
	ch, err = newEmail("e", sinkEmailConfig(sink), WithGuard(localGuard(t)))
	if err != nil {
		t.Fatal(err)
	}
	err = ch.Send(context.Background(), Notification{TenantID: "t1"})
	if err == nil || IsRetryable(err) {
		t.Fatalf("untrusted certificate: got %v", err)
	}
	if noTLS.Count()+sink.Count() != 0 {
		t.Fatal("a message was delivered")
	}
}

func TestEmailReplyCodes(t *testing.T) {
	t.Parallel()
	sink := ozmontest.StartSMTPSink(t, ozmontest.SMTPCredentials("alerts@example.org", smtpPassword), ozmontest.SMTPFailData(451, 554))
	ch, err := newEmail("vault email", sinkEmailConfig(sink),
		WithGuard(localGuard(t)), withTLSConfig(sink.ClientTLSConfig()))
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []struct {
		code      int
		retryable bool
	}{{451, true}, {554, false}} {
		err := ch.Send(context.Background(), Notification{TenantID: "t1"})
		var se *SendError
		if !errors.As(err, &se) || se.StatusCode != w.code || se.Retryable != w.retryable || se.Channel != "email" {
			t.Fatalf("want code %d retryable %v, got %v", w.code, w.retryable, err)
		}
	}
	if err := ch.Send(context.Background(), Notification{TenantID: "t1"}); err != nil {
		t.Fatalf("third send: %v", err)
	}
	// Wrong password: 535, permanent, and the password is not in the error.
	cfg := sinkEmailConfig(sink)
	cfg.Password = "wrong-pa55word-abc"
	bad, err := newEmail("vault email", cfg, WithGuard(localGuard(t)), withTLSConfig(sink.ClientTLSConfig()))
	if err != nil {
		t.Fatal(err)
	}
	err = bad.Send(context.Background(), Notification{TenantID: "t1"})
	var se *SendError
	if !errors.As(err, &se) || se.StatusCode != 535 || se.Retryable {
		t.Fatalf("bad password: got %v", err)
	}
	if strings.Contains(err.Error(), "wrong-pa55word-abc") {
		t.Fatalf("error reveals the password: %v", err)
	}
}

func TestEmailRejectsHeaderInjection(t *testing.T) {
	t.Parallel()
	sink := ozmontest.StartSMTPSink(t)
	cfg := sinkEmailConfig(sink)
	cfg.Recipients = []string{"ops@example.org\r\nBcc: evil@example.org"}
	if _, err := newEmail("e", cfg); err == nil {
		t.Fatal("recipient with a line break accepted")
	}
	cfg = sinkEmailConfig(sink)
	ch, err := newEmail("e", cfg)
	if err != nil {
		t.Fatal(err)
	}
	// A rendered subject with line breaks stays one header.
	msg, err := ch.Compose("hi\r\nBcc: evil@example.org", "body", time.Unix(0, 0))
	if err != nil {
		t.Fatal(err)
	}
	m, err := mail.ReadMessage(bytes.NewReader(msg))
	if err != nil {
		t.Fatal(err)
	}
	if m.Header.Get("Bcc") != "" || !strings.Contains(m.Header.Get("Subject"), "Bcc: evil") {
		t.Fatalf("subject injection: headers %v", m.Header)
	}
}

// Every attempt of one notification sends the same Message-ID, built from its ID, so a
// duplicate left by a retry can be recognised; another notification gets another one.
func TestEmailMessageIDFromNotificationID(t *testing.T) {
	t.Parallel()
	sink := ozmontest.StartSMTPSink(t, ozmontest.SMTPCredentials("alerts@example.org", smtpPassword))
	ch, err := newEmail("vault email", sinkEmailConfig(sink),
		WithGuard(localGuard(t)), withTLSConfig(sink.ClientTLSConfig()))
	if err != nil {
		t.Fatal(err)
	}
	const id = "ntf_0123456789abcdef0123456789abcdef"
	for _, n := range []Notification{
		{ID: id, TenantID: "t1", Vars: sampleVars()},
		{ID: id, TenantID: "t1", Vars: sampleVars()}, // a retry
		{ID: "ntf_ffffffffffffffffffffffffffffffff", TenantID: "t1", Vars: sampleVars()},
		{TenantID: "t1", Vars: sampleVars()}, // no ID: a random Message-ID, as before
	} {
		if err := ch.Send(context.Background(), n); err != nil {
			t.Fatalf("send %q: %v", n.ID, err)
		}
	}
	msgs, err := sink.WaitFor(4, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range msgs {
		e := parseEmail(t, m.Data)
		if n := len(e.header.Header["Message-Id"]); n != 1 {
			t.Fatalf("%d Message-ID headers", n)
		}
		got = append(got, e.header.Header.Get("Message-ID"))
	}
	want := []string{"<" + id + "@ozmon>", "<" + id + "@ozmon>", "<ntf_ffffffffffffffffffffffffffffffff@ozmon>"}
	for i, w := range want {
		if got[i] != w {
			t.Errorf("message %d: Message-ID %q, want %q", i, got[i], w)
		}
	}
	if !strings.HasSuffix(got[3], "@example.org>") || strings.Contains(got[3], "ozmon") {
		t.Errorf("without an ID: Message-ID %q, want a random one at the sender's domain", got[3])
	}
	// What the message header parser reads is the id itself.
	if addr, err := mail.ParseAddress(strings.Trim(got[0], "<>")); err != nil || addr.Address != id+"@ozmon" {
		t.Errorf("Message-ID %q is not a valid msg-id: %v", got[0], err)
	}
}

// An ID that could end the Message-ID header is refused, permanently, and nothing is sent.
func TestEmailRefusesUnusableID(t *testing.T) {
	t.Parallel()
	sink := ozmontest.StartSMTPSink(t, ozmontest.SMTPCredentials("alerts@example.org", smtpPassword))
	ch, err := newEmail("vault email", sinkEmailConfig(sink),
		WithGuard(localGuard(t)), withTLSConfig(sink.ClientTLSConfig()))
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"ntf_1>\r\nBcc: evil@example.org", "ntf_1@evil", "<ntf_1>"} {
		err := ch.Send(context.Background(), Notification{ID: id, TenantID: "t1"})
		if err == nil || IsRetryable(err) {
			t.Errorf("id %q: got %v, want a permanent error", id, err)
		}
	}
	if n := sink.Count(); n != 0 {
		t.Fatalf("%d messages delivered", n)
	}
}
