package ozmontest

import (
	"crypto/tls"
	"errors"
	"net"
	"net/smtp"
	"net/textproto"
	"strings"
	"testing"
	"time"
)

func sendVia(t *testing.T, c *smtp.Client, host, user, pass, body string) error {
	t.Helper()
	if user != "" {
		if err := c.Auth(smtp.PlainAuth("", user, pass, host)); err != nil {
			return err
		}
	}
	if err := c.Mail("a@example.org"); err != nil {
		return err
	}
	for _, r := range []string{"b@example.org", "c@example.org"} {
		if err := c.Rcpt(r); err != nil {
			return err
		}
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write([]byte(body)); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	return c.Quit()
}

func TestSMTPSinkSTARTTLS(t *testing.T) {
	t.Parallel()
	sink := StartSMTPSink(t, SMTPCredentials("u", "p"))
	c, err := smtp.Dial(sink.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Hello("test"); err != nil {
		t.Fatal(err)
	}
	if ok, _ := c.Extension("AUTH"); ok {
		t.Fatal("AUTH offered before TLS")
	}
	if err := c.Mail("a@example.org"); err == nil {
		t.Fatal("MAIL accepted without authentication")
	}
	if err := c.StartTLS(&tls.Config{RootCAs: sink.CertPool(), ServerName: sink.Host()}); err != nil {
		t.Fatal(err)
	}
	err = sendVia(t, c, sink.Host(), "u", "p", "Subject: hi\r\n\r\n.leading dot\r\nline\r\n")
	if err != nil {
		t.Fatal(err)
	}
	msgs, err := sink.WaitFor(1, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	m := msgs[0]
	if !m.TLS || m.AuthMech != "PLAIN" || m.Username != "u" || m.Password != "p" || m.From != "a@example.org" ||
		strings.Join(m.To, ",") != "b@example.org,c@example.org" {
		t.Fatalf("recorded %+v", m)
	}
	if string(m.Data) != "Subject: hi\r\n\r\n.leading dot\r\nline\r\n" {
		t.Fatalf("data %q", m.Data)
	}
}

func TestSMTPSinkImplicitTLSAndFailures(t *testing.T) {
	t.Parallel()
	sink := StartSMTPSink(t, SMTPImplicitTLS(), SMTPCredentials("u", "p"), SMTPFailData(451))
	dial := func() *smtp.Client {
		conn, err := tls.Dial("tcp", sink.Addr(), sink.ClientTLSConfig())
		if err != nil {
			t.Fatal(err)
		}
		c, err := smtp.NewClient(conn, sink.Host())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = c.Close() })
		return c
	}
	var tpe *textproto.Error
	if err := sendVia(t, dial(), sink.Host(), "u", "wrong", "x\r\n"); !errors.As(err, &tpe) || tpe.Code != 535 {
		t.Fatalf("wrong password: %v", err)
	}
	if err := sendVia(t, dial(), sink.Host(), "u", "p", "x\r\n"); !errors.As(err, &tpe) || tpe.Code != 451 {
		t.Fatalf("scripted DATA failure: %v", err)
	}
	if err := sendVia(t, dial(), sink.Host(), "u", "p", "x\r\n"); err != nil {
		t.Fatal(err)
	}
	if sink.Count() != 1 || !sink.Messages()[0].TLS {
		t.Fatalf("messages %+v", sink.Messages())
	}
	// A plain-text client cannot talk to an implicit-TLS sink.
	conn, err := net.DialTimeout("tcp", sink.Addr(), time.Second)
	if err != nil {
		t.Fatal(err)
	}
	_ = conn.SetDeadline(time.Now().Add(300 * time.Millisecond))
	buf := make([]byte, 3)
	n, _ := conn.Read(buf)
	conn.Close()
	if string(buf[:n]) == "220" {
		t.Fatal("implicit-TLS sink greeted in clear text")
	}
}
