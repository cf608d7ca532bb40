package api

import (
	"context"
	"net"
	"net/http"
	"strings"

	"github.com/ozmon/ozmon/internal/textcut"
	"github.com/ozmon/ozmon/tenantconfig"
)

type metaKey struct{}

// withRequestMeta keeps what the audit log records of a request: the
// peer's address (the API's direct peer: behind a proxy, the proxy's) and
// the User-Agent. For a WebSocket, the upgrade request's.
func withRequestMeta(ctx context.Context, r *http.Request) context.Context {
	ip := r.RemoteAddr
	if h, _, err := net.SplitHostPort(ip); err == nil {
		ip = h
	}
	return context.WithValue(ctx, metaKey{}, tenantconfig.Meta{IP: ip, UserAgent: strings.ToValidUTF8(textcut.Prefix(r.UserAgent(), 200), "")})
}

// requestMeta is the audit metadata of the request ctx serves.
func requestMeta(ctx context.Context) tenantconfig.Meta {
	m, _ := ctx.Value(metaKey{}).(tenantconfig.Meta)
	return m
}
