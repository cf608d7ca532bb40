package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"

	"github.com/ozmon/ozmon/auth"
)

// guard is what every /graphql request passes before GraphQL sees it:
// the Origin check, the body limit, authentication and the tenant's rate
// limit. Refusals are GraphQL-shaped JSON with extensions.code.
func (s *Server) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !s.originAllowed(r) {
			writeError(w, http.StatusForbidden, newError(CodeForbidden, "origin %q is not in api.allowed_origins", clip(r.Header.Get("Origin"))))
			return
		}
		if o := r.Header.Get("Origin"); o != "" {
			w.Header().Set("Access-Control-Allow-Origin", o)
			w.Header().Set("Vary", "Origin")
			if r.Method == http.MethodOptions {
				w.Header().Set("Access-Control-Allow-Methods", "GET, POST")
				w.Header().Set("Access-Control-Allow-Headers", "Authorization, Content-Type")
				w.WriteHeader(http.StatusNoContent)
				return
			}
		}
		upgrade := strings.EqualFold(r.Header.Get("Upgrade"), "websocket")
		var body []byte
		if r.Method == http.MethodPost && !upgrade {
			if r.ContentLength > s.o.bodyLimit {
				writeError(w, http.StatusRequestEntityTooLarge, newError(CodeBadInput, "request body of %d bytes is over api.body_limit (%d bytes)", r.ContentLength, s.o.bodyLimit))
				return
			}
			var err error
			body, err = io.ReadAll(http.MaxBytesReader(w, r.Body, s.o.bodyLimit))
			var tooLarge *http.MaxBytesError
			switch {
			case errors.As(err, &tooLarge):
				writeError(w, http.StatusRequestEntityTooLarge, newError(CodeBadInput, "request body is over api.body_limit (%d bytes)", s.o.bodyLimit))
				return
			case err != nil:
				writeError(w, http.StatusBadRequest, newError(CodeBadInput, "read request body: %v", err))
				return
			}
			if !json.Valid(body) {
				writeError(w, http.StatusBadRequest, newError(CodeBadInput, "request body is not valid JSON: want {\"query\": …, \"variables\": {…}}"))
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
		}
		ctx := r.Context()
		if upgrade {
			// The connection outlives the handler (serveDetached).
			ctx = context.WithoutCancel(ctx)
		}
		token, hasToken, err := bearer(r.Header.Get("Authorization"))
		switch {
		case err != nil:
			writeError(w, http.StatusUnauthorized, newError(CodeUnauthenticated, "%v", err))
			return
		case hasToken:
			p, status, aerr := s.authenticate(ctx, token)
			if aerr != nil {
				if aerr.code == CodeBusy {
					w.Header().Set("Retry-After", strconv.Itoa(busyRetrySeconds))
				}
				writeError(w, status, aerr)
				return
			}
			if upgrade {
				// wsInit counts the connection, aroundOperations each
				// operation sent over it.
				ctx = auth.WithPrincipal(ctx, p)
				break
			}
			ctx = context.WithValue(auth.WithPrincipal(ctx, p), rateCheckedKey{}, true)
			if wait, err := s.allow(ctx, p); err != nil {
				s.o.log.ErrorContext(ctx, "api: rate limit check failed", "tenant", p.TenantID, "err", err)
				writeError(w, http.StatusServiceUnavailable, newError(CodeInternal, "rate limit unavailable, try again"))
				return
			} else if wait > 0 {
				secs := retryAfterSeconds(wait)
				w.Header().Set("Retry-After", strconv.Itoa(secs))
				e := newError(CodeRateLimited, "tenant %s is over its limit of %d API requests a minute: retry after %d s", p.TenantSlug, s.tenantLimit(ctx, p.TenantID), secs)
				e.ext = map[string]any{"retryAfterSeconds": secs}
				writeError(w, http.StatusTooManyRequests, e)
				return
			}
		case upgrade:
			// A WebSocket client may authenticate in connection_init.
		case !onlyLogin(body):
			writeError(w, http.StatusUnauthorized, newError(CodeUnauthenticated, "missing Authorization: Bearer credential"))
			return
		}
		ctx = withRequestMeta(ctx, r)
		if upgrade {
			serveDetached(s.o.log, next, w, r.WithContext(ctx))
			return
		}
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// bearer reads an Authorization header: ok false when there is none, an
// error when it is not a bearer credential.
func bearer(h string) (token string, ok bool, err error) {
	if h == "" {
		return "", false, nil
	}
	scheme, token, found := strings.Cut(h, " ")
	token = strings.TrimSpace(token)
	if !found || !strings.EqualFold(scheme, "Bearer") || token == "" {
		return "", false, errors.New("the Authorization header must be \"Bearer <credential>\"")
	}
	return token, true, nil
}

// onlyLogin reports whether a POST body's operations select nothing but
// login: the one thing an unauthenticated caller may do.
func onlyLogin(body []byte) bool {
	var req struct {
		Query string `json:"query"`
	}
	if json.Unmarshal(body, &req) != nil || req.Query == "" {
		return false
	}
	doc, err := parser.ParseQuery(&ast.Source{Input: req.Query})
	if err != nil || len(doc.Operations) == 0 || len(doc.Fragments) > 0 {
		return false
	}
	for _, op := range doc.Operations {
		if op.Operation != ast.Mutation || len(op.SelectionSet) == 0 {
			return false
		}
		for _, sel := range op.SelectionSet {
			f, ok := sel.(*ast.Field)
			if !ok || (f.Name != "login" && f.Name != "__typename") {
				return false
			}
		}
	}
	return true
}

// writeError answers with one GraphQL error.
func writeError(w http.ResponseWriter, status int, e *codedError) {
	ext := map[string]any{"code": e.code}
	for k, v := range e.ext {
		ext[k] = v
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"errors": []map[string]any{{"message": e.msg, "extensions": ext}}})
}

// clip bounds text echoed from a request.
func clip(s string) string {
	if len(s) > 100 {
		return s[:100] + "…"
	}
	return s
}
