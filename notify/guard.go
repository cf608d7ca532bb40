package notify

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"syscall"
	"time"
)

// hostResolver looks up a host's addresses. *net.Resolver satisfies it.
type hostResolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// Guard keeps notifications away from addresses inside the operator's network: loopback,
// private (RFC 1918, ULA), link-local, CGNAT, unspecified, multicast, reserved and cloud
// metadata addresses are refused unless allow-listed. It checks a URL when a trigger is
// validated (CheckURL) and, because DNS may answer differently a moment later, again at dial
// time against the address actually connected to (DialContext).
type Guard struct {
	allowNets  []netip.Prefix
	allowHosts map[string]bool
	resolver   hostResolver
	dialer     net.Dialer

	trOnce sync.Once
	tr     *http.Transport
}

// GuardOption configures a Guard.
type GuardOption func(*guardConfig)

type guardConfig struct {
	allow    []string
	resolver hostResolver
	timeout  time.Duration
}

// Allow allow-lists destinations: each entry is a CIDR ("10.0.0.0/8"), an IP ("127.0.0.1",
// meaning that address only) or a host name ("relay.internal", matched case-insensitively,
// whose resolved addresses are then all accepted).
func Allow(entries ...string) GuardOption {
	return func(c *guardConfig) { c.allow = append(c.allow, entries...) }
}

// withResolver replaces the system DNS resolver (tests use it to play DNS rebinding).
func withResolver(r hostResolver) GuardOption {
	return func(c *guardConfig) { c.resolver = r }
}

// NewGuard builds a Guard; it fails on an allow-list entry that is neither a CIDR, an IP nor a
// host name.
func NewGuard(opts ...GuardOption) (*Guard, error) {
	cfg := guardConfig{timeout: 10 * time.Second}
	for _, o := range opts {
		o(&cfg)
	}
	g := &Guard{allowHosts: map[string]bool{}, resolver: cfg.resolver}
	if g.resolver == nil {
		g.resolver = net.DefaultResolver
	}
	for _, e := range cfg.allow {
		e = strings.TrimSpace(e)
		switch {
		case e == "":
			continue
		case strings.Contains(e, "/"):
			p, err := netip.ParsePrefix(e)
			if err != nil {
				return nil, fmt.Errorf("notify: guard allow-list entry %q: %w", e, err)
			}
			g.allowNets = append(g.allowNets, p.Masked())
		default:
			if ip, err := netip.ParseAddr(e); err == nil {
				g.allowNets = append(g.allowNets, netip.PrefixFrom(ip.Unmap(), ip.Unmap().BitLen()))
				continue
			}
			if strings.ContainsAny(e, " :@?#") {
				return nil, fmt.Errorf("notify: guard allow-list entry %q is not a CIDR, IP or host name", e)
			}
			g.allowHosts[strings.ToLower(strings.TrimSuffix(e, "."))] = true
		}
	}
	g.dialer = net.Dialer{Timeout: cfg.timeout, KeepAlive: 30 * time.Second}
	return g, nil
}

// withResolver returns a guard with g's allow-list that looks hosts up
// with r.
func (g *Guard) withResolver(r hostResolver) *Guard {
	return &Guard{allowNets: g.allowNets, allowHosts: g.allowHosts, resolver: r, dialer: g.dialer}
}

// blocked lists what a notification may not reach. Built per call: no package-level state.
func blockedPrefixes() []netip.Prefix {
	return []netip.Prefix{
		netip.MustParsePrefix("0.0.0.0/8"),          // "this network", unspecified
		netip.MustParsePrefix("10.0.0.0/8"),         // RFC 1918
		netip.MustParsePrefix("100.64.0.0/10"),      // CGNAT (RFC 6598)
		netip.MustParsePrefix("127.0.0.0/8"),        // loopback
		netip.MustParsePrefix("169.254.0.0/16"),     // link-local, incl. 169.254.169.254 metadata
		netip.MustParsePrefix("172.16.0.0/12"),      // RFC 1918
		netip.MustParsePrefix("192.0.0.0/24"),       // IETF protocol assignments (incl. 192.0.0.192 OCI metadata)
		netip.MustParsePrefix("192.168.0.0/16"),     // RFC 1918
		netip.MustParsePrefix("198.18.0.0/15"),      // benchmarking
		netip.MustParsePrefix("224.0.0.0/4"),        // multicast
		netip.MustParsePrefix("240.0.0.0/4"),        // reserved, broadcast
		netip.MustParsePrefix("::/128"),             // unspecified
		netip.MustParsePrefix("::1/128"),            // loopback
		netip.MustParsePrefix("64:ff9b::/96"),       // NAT64: embeds IPv4, may point inside
		netip.MustParsePrefix("64:ff9b:1::/48"),     // local-use NAT64
		netip.MustParsePrefix("100::/64"),           // discard-only
		netip.MustParsePrefix("2001:db8::/32"),      // documentation
		netip.MustParsePrefix("fc00::/7"),           // ULA, incl. fd00:ec2::254 (AWS metadata)
		netip.MustParsePrefix("fe80::/10"),          // link-local
		netip.MustParsePrefix("fec0::/10"),          // deprecated site-local
		netip.MustParsePrefix("ff00::/8"),           // multicast
		netip.MustParsePrefix("2002::/16"),          // 6to4: embeds an arbitrary IPv4
		netip.MustParsePrefix("::ffff:0:0/96"),      // IPv4-mapped (also unmapped below)
		netip.MustParsePrefix("::/96"),              // IPv4-compatible (deprecated)
		netip.MustParsePrefix("2001::/32"),          // Teredo: embeds an arbitrary IPv4
		netip.MustParsePrefix("100.100.100.200/32"), // Alibaba Cloud metadata (inside CGNAT already)
	}
}

// CheckAddr reports whether ip may be connected to; host is the name it was resolved from
// ("" for a literal IP), which matters only for host-name allow-list entries.
func (g *Guard) CheckAddr(host string, ip netip.Addr) error {
	ip = ip.Unmap()
	if !ip.IsValid() {
		return fmt.Errorf("%w: invalid address", ErrRefused)
	}
	if host != "" && g.allowHosts[strings.ToLower(strings.TrimSuffix(host, "."))] {
		return nil
	}
	for _, p := range g.allowNets {
		if p.Contains(ip) {
			return nil
		}
	}
	for _, p := range blockedPrefixes() {
		if p.Contains(ip) {
			return fmt.Errorf("%w: %s is in %s (not allow-listed)", ErrRefused, ip, p)
		}
	}
	if !ip.IsGlobalUnicast() {
		return fmt.Errorf("%w: %s is not a global unicast address", ErrRefused, ip)
	}
	return nil
}

// CheckURL validates a destination URL: http or https only, and every address its host
// resolves to must pass CheckAddr. The error names the host, never the full URL (whose path or
// query may hold a token).
func (g *Guard) CheckURL(ctx context.Context, rawURL string) error {
	u, err := url.Parse(rawURL)
	if err != nil {
		// url.Parse errors quote the URL: do not wrap them.
		return fmt.Errorf("notify: check destination: malformed URL")
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("notify: check destination: %w: scheme %q is not http or https", ErrRefused, u.Scheme)
	}
	if u.User != nil {
		return fmt.Errorf("notify: check destination host %q: %w: credentials in the URL are not allowed", u.Hostname(), ErrRefused)
	}
	return g.CheckHost(ctx, u.Hostname())
}

// CheckHost resolves host (a name or literal IP) and checks every address.
func (g *Guard) CheckHost(ctx context.Context, host string) error {
	if host == "" {
		return fmt.Errorf("notify: check destination: %w: empty host", ErrRefused)
	}
	ips, err := g.resolve(ctx, host)
	if err != nil {
		return fmt.Errorf("notify: check destination host %q: %w", host, err)
	}
	for _, ip := range ips {
		if err := g.CheckAddr(hostName(host), ip); err != nil {
			return fmt.Errorf("notify: check destination host %q: %w", host, err)
		}
	}
	return nil
}

// hostName returns "" for a literal IP so that only names match host allow-list entries.
func hostName(host string) string {
	if _, err := netip.ParseAddr(host); err == nil {
		return ""
	}
	return host
}

func (g *Guard) resolve(ctx context.Context, host string) ([]netip.Addr, error) {
	if ip, err := netip.ParseAddr(strings.Trim(host, "[]")); err == nil {
		return []netip.Addr{ip}, nil
	}
	ips, err := g.resolver.LookupNetIP(ctx, "ip", host)
	if err != nil {
		return nil, fmt.Errorf("resolve: %w", err)
	}
	if len(ips) == 0 {
		return nil, errors.New("resolve: no addresses")
	}
	return ips, nil
}

// DialContext connects to addr ("host:port") only through addresses the guard accepts. It
// resolves the name itself and dials the checked IP, and the socket's Control hook checks the
// address once more just before connect, so a DNS answer that changed since CheckURL (DNS
// rebinding) is refused rather than followed.
func (g *Guard) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("notify: dial: %w", err)
	}
	ips, err := g.resolve(ctx, host)
	if err != nil {
		return nil, fmt.Errorf("notify: dial %s: %w", host, err)
	}
	name := hostName(host)
	d := g.dialer
	d.Control = func(_, address string, _ syscall.RawConn) error {
		ap, err := netip.ParseAddrPort(address)
		if err != nil {
			return fmt.Errorf("%w: unparsable address %q", ErrRefused, address)
		}
		return g.CheckAddr(name, ap.Addr())
	}
	var firstErr error
	for _, ip := range ips {
		if err := g.CheckAddr(name, ip); err != nil {
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		conn, err := d.DialContext(ctx, network, net.JoinHostPort(ip.Unmap().String(), port))
		if err == nil {
			return conn, nil
		}
		if firstErr == nil {
			firstErr = err
		}
	}
	return nil, fmt.Errorf("notify: dial %s: %w", host, firstErr)
}
