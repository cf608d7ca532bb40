package notify

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/ozmon/ozmon/internal/textcut"
	"github.com/ozmon/ozmon/monitor/ozconfig"
)

// transport is the guard's shared HTTP transport: every channel dialling through the same
// guard shares one connection pool, instead of one pool per trigger.
func (g *Guard) transport() *http.Transport {
	g.trOnce.Do(func() {
		g.tr = &http.Transport{
			// No proxy: a proxy would connect on our behalf and bypass the guard's dial check.
			Proxy:               nil,
			DialContext:         g.DialContext,
			ForceAttemptHTTP2:   true,
			MaxIdleConns:        256,
			MaxIdleConnsPerHost: 8,
			IdleConnTimeout:     90 * time.Second,
			TLSHandshakeTimeout: 10 * time.Second,
		}
	})
	return g.tr
}

// poster sends one HTTP request for an HTTP-based channel and classifies the outcome.
type poster struct {
	channel string
	trigger string
	client  *http.Client
	secrets redactor
	detail  int
	// okBody, when set, inspects the start of a 2xx response's body: some receivers
	// (Teams' legacy connectors) report a failure with 200. A non-nil result fails
	// the attempt.
	okBody func(snippet string) *SendError
}

func newPoster(channel, trigger string, o *options, secrets ...string) *poster {
	tr := o.guardOrDefault().transport()
	return &poster{
		channel: channel,
		trigger: trigger,
		client: &http.Client{
			Transport: tr,
			Timeout:   o.timeout,
			// Redirects are not followed: the next hop could be anywhere, and custom headers
			// (API keys) would follow the request there.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		secrets: urlSecrets(secrets),
		detail:  o.responseDetail,
	}
}

// urlSecrets widens a list of secrets with the path and query of those that are URLs: a
// server may echo just the path, which for Slack, Discord and Telegram holds the token.
func urlSecrets(secrets []string) redactor {
	out := make(redactor, 0, len(secrets)*3)
	for _, s := range secrets {
		out = append(out, s)
		if u, err := url.Parse(s); err == nil && u.Host != "" {
			if len(u.EscapedPath()) > 8 {
				out = append(out, u.EscapedPath(), u.Path)
			}
			if len(u.RawQuery) >= 4 {
				out = append(out, u.RawQuery)
			}
		}
	}
	return out
}

func (p *poster) fail(tenant string) *SendError {
	return &SendError{Channel: p.channel, TenantID: tenant, Trigger: p.trigger}
}

// postJSON encodes v (HTML characters unescaped) and POSTs it as JSON.
func (p *poster) postJSON(ctx context.Context, tenant, target string, v any) error {
	payload, err := ozconfig.MarshalNoEscape(v)
	if err != nil {
		se := p.fail(tenant)
		se.Detail, se.Err = "encode payload", err
		return se
	}
	return p.do(ctx, tenant, http.MethodPost, target, jsonHeader(), payload)
}

func jsonHeader() http.Header {
	return http.Header{"Content-Type": {"application/json"}}
}

// do sends body to target with the given headers; a non-2xx response is a *SendError.
func (p *poster) do(ctx context.Context, tenant, method, target string, header http.Header, body []byte) error {
	if lt := strings.ToLower(target); !strings.HasPrefix(lt, "http://") && !strings.HasPrefix(lt, "https://") {
		se := p.fail(tenant)
		se.Detail = "destination URL is not http or https"
		return se
	}
	req, err := http.NewRequestWithContext(ctx, method, target, bytes.NewReader(body))
	if err != nil {
		// The error text of NewRequest can quote the URL: keep only a fixed description.
		se := p.fail(tenant)
		se.Detail = "build request: invalid method or URL"
		return se
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	resp, err := p.client.Do(req)
	if err != nil {
		se := p.fail(tenant)
		se.Err, se.Retryable = transportError(err, p.secrets)
		se.Detail = "request failed"
		return se
	}
	defer resp.Body.Close()
	// Read past the detail kept by the longest secret, mask, then cut: cut
	// first, a secret straddling the cut would keep its prefix unmasked.
	snippet, _ := io.ReadAll(io.LimitReader(resp.Body, int64(p.detail+p.secrets.longest())))
	// Drain a little more so the connection can be reused, but never read an unbounded body.
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	text := strings.TrimSpace(textcut.Prefix(p.secrets.clean(strings.ToValidUTF8(string(snippet), "")), p.detail))
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		if p.okBody != nil {
			if se := p.okBody(text); se != nil {
				se.Channel, se.TenantID, se.Trigger, se.StatusCode = p.channel, tenant, p.trigger, resp.StatusCode
				return se
			}
		}
		return nil
	}
	se := p.fail(tenant)
	se.StatusCode = resp.StatusCode
	se.Retryable = classifyStatus(resp.StatusCode)
	if se.Retryable {
		se.RetryAfter = retryAfter(resp.StatusCode, resp.Header, time.Now())
	}
	if text != "" {
		se.Detail = "response: " + text
	}
	return se
}
