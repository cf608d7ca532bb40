package notify

import (
	"context"
	"errors"
	"net/netip"
	"strings"
	"sync"
	"testing"

	"github.com/ozmon/ozmon/ozmontest"
)

func TestGuardCheckAddr(t *testing.T) {
	t.Parallel()
	g, err := NewGuard()
	if err != nil {
		t.Fatal(err)
	}
	refused := []string{
		"127.0.0.1", "127.9.9.9", "::1", "0.0.0.0", "::", "10.1.2.3", "172.16.0.1", "172.31.255.255",
		"192.168.1.1", "100.64.0.1", "100.127.255.254", "169.254.169.254", "169.254.1.1", "fe80::1",
		"fc00::1", "fd00:ec2::254", "224.0.0.1", "ff02::1", "255.255.255.255", "::ffff:127.0.0.1",
		"::ffff:169.254.169.254", "192.0.0.192", "64:ff9b::a9fe:a9fe", "2002:7f00:1::1",
	}
	for _, s := range refused {
		if err := g.CheckAddr("", netip.MustParseAddr(s)); !errors.Is(err, ErrRefused) {
			t.Errorf("%s: got %v, want ErrRefused", s, err)
		}
	}
	for _, s := range []string{"8.8.8.8", "1.1.1.1", "172.32.0.1", "100.128.0.1", "2606:4700:4700::1111"} {
		if err := g.CheckAddr("", netip.MustParseAddr(s)); err != nil {
			t.Errorf("%s: public address refused: %v", s, err)
		}
	}
}

func TestGuardAllowList(t *testing.T) {
	t.Parallel()
	g, err := NewGuard(Allow("10.20.0.0/16", "127.0.0.1", "relay.internal"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		host string
		ip   string
		ok   bool
	}{
		{"", "10.20.3.4", true}, {"", "10.21.0.1", false}, {"", "127.0.0.1", true}, {"", "127.0.0.2", false},
		{"relay.internal", "192.168.7.7", true}, {"RELAY.internal.", "192.168.7.7", true}, {"other.internal", "192.168.7.7", false},
	} {
		err := g.CheckAddr(c.host, netip.MustParseAddr(c.ip))
		if (err == nil) != c.ok {
			t.Errorf("host %q ip %s: got %v, want allowed=%v", c.host, c.ip, err, c.ok)
		}
	}
	if _, err := NewGuard(Allow("10.0.0.0/99")); err == nil {
		t.Error("bad CIDR accepted")
	}
}

func TestGuardCheckURL(t *testing.T) {
	t.Parallel()
	g, err := NewGuard()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, u := range []string{
		"http://127.0.0.1:8080/hook", "http://localhost/hook", "https://[::1]/x", "http://169.254.169.254/latest/meta-data/",
		"http://[fd00:ec2::254]/", "ftp://8.8.8.8/", "http://user:pw@8.8.8.8/", "http://0x7f.0.0.1/",
	} {
		err := g.CheckURL(ctx, u)
		if err == nil {
			t.Errorf("%s: accepted", u)
			continue
		}
		if strings.Contains(err.Error(), "/hook") || strings.Contains(err.Error(), "pw@") {
			t.Errorf("%s: error reveals URL parts: %v", u, err)
		}
	}
	if err := g.CheckURL(ctx, "https://8.8.8.8/hook"); err != nil {
		t.Errorf("public IP refused: %v", err)
	}
	allowed, err := NewGuard(Allow("127.0.0.1"))
	if err != nil {
		t.Fatal(err)
	}
	if err := allowed.CheckURL(ctx, "http://127.0.0.1:8080/hook"); err != nil {
		t.Errorf("allow-listed 127.0.0.1 refused: %v", err)
	}
}

// Without the allow-list, a send to the local receiver is refused at dial time, by IP and by a
// host name that resolves to 127.0.0.1, and nothing arrives.
func TestGuardRefusesLoopbackAtSend(t *testing.T) {
	t.Parallel()
	sink := ozmontest.StartWebhookSink(t)
	g, err := NewGuard()
	if err != nil {
		t.Fatal(err)
	}
	port := sink.Addr()[strings.LastIndexByte(sink.Addr(), ':'):]
	for _, base := range []string{sink.URL(), "http://localhost" + port} {
		ch, err := newWebhook("w", webhookConfig{URL: base + "/hook", Message: messageTemplate{Title: "t", Body: "b"}}, WithGuard(g))
		if err != nil {
			t.Fatal(err)
		}
		err = ch.Send(context.Background(), Notification{TenantID: "t1"})
		if !errors.Is(err, ErrRefused) || IsRetryable(err) {
			t.Fatalf("%s: got %v, want a permanent ErrRefused", base, err)
		}
	}
	// Channels built without WithGuard refuse too.
	ch := newSlack("s", sink.URL()+"/x", messageTemplate{Title: "t", Body: "b"})
	if err := ch.Send(context.Background(), Notification{TenantID: "t1"}); !errors.Is(err, ErrRefused) {
		t.Fatalf("default guard: got %v", err)
	}
	if sink.Count() != 0 {
		t.Fatalf("refused sends reached the sink %d times", sink.Count())
	}
}

// rebindingResolver answers the first lookup of a name with a public address and every later
// one with 127.0.0.1, the DNS-rebinding attack on a validate-then-connect check.
type rebindingResolver struct {
	mu    sync.Mutex
	calls int
}

func (r *rebindingResolver) LookupNetIP(_ context.Context, _, _ string) ([]netip.Addr, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls++
	if r.calls == 1 {
		return []netip.Addr{netip.MustParseAddr("93.184.216.34")}, nil
	}
	return []netip.Addr{netip.MustParseAddr("127.0.0.1")}, nil
}

func TestGuardDNSRebinding(t *testing.T) {
	t.Parallel()
	sink := ozmontest.StartWebhookSink(t)
	res := &rebindingResolver{}
	g, err := NewGuard(withResolver(res))
	if err != nil {
		t.Fatal(err)
	}
	port := sink.Addr()[strings.LastIndexByte(sink.Addr(), ':'):]
	u := "http://hooks.rebind.example" + port + "/hook"
	if err := g.CheckURL(context.Background(), u); err != nil {
		t.Fatalf("validation saw a public address and should pass: %v", err)
	}
	ch, err := newWebhook("w", webhookConfig{URL: u, Message: messageTemplate{Title: "t", Body: "b"}}, WithGuard(g))
	if err != nil {
		t.Fatal(err)
	}
	err = ch.Send(context.Background(), Notification{TenantID: "t1"})
	if !errors.Is(err, ErrRefused) {
		t.Fatalf("rebound name: got %v, want ErrRefused", err)
	}
	if sink.Count() != 0 {
		t.Fatal("the rebound request reached the loopback receiver")
	}
	if res.calls < 2 {
		t.Fatalf("dial did not resolve again (%d lookups)", res.calls)
	}
}
