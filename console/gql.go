package console

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// apiError is what the API answered instead of data: its errors, each
// with extensions.code (and file and path for validation).
type apiError struct {
	Status int
	Errors []gqlError
}

type gqlError struct {
	Message    string         `json:"message"`
	Extensions map[string]any `json:"extensions"`
}

func (e gqlError) code() string {
	s, _ := e.Extensions["code"].(string)
	return s
}

func (e gqlError) ext(k string) string {
	s, _ := e.Extensions[k].(string)
	return s
}

func (e *apiError) Error() string {
	msgs := make([]string, 0, len(e.Errors))
	for _, g := range e.Errors {
		msgs = append(msgs, g.Message)
	}
	return strings.Join(msgs, "; ")
}

// code is the first error's code.
func (e *apiError) code() string {
	if len(e.Errors) == 0 {
		return ""
	}
	return e.Errors[0].code()
}

// has reports whether any error carries code.
func (e *apiError) has(code string) bool {
	for _, g := range e.Errors {
		if g.code() == code {
			return true
		}
	}
	return false
}

// exec runs one GraphQL operation against the API in-process, as the
// holder of cred, and decodes data into out. Errors the API answered are
// an *apiError.
func (c *Console) exec(ctx context.Context, cred, query string, vars map[string]any, out any) error {
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		return fmt.Errorf("encode graphql request: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "/graphql", bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("build graphql request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	if cred != "" {
		req.Header.Set("Authorization", "Bearer "+cred)
	}
	rec := &recorder{header: http.Header{}, status: http.StatusOK}
	c.o.api.ServeHTTP(rec, req)
	var resp struct {
		Data   json.RawMessage `json:"data"`
		Errors []gqlError      `json:"errors"`
	}
	if err := json.Unmarshal(rec.body.Bytes(), &resp); err != nil {
		return fmt.Errorf("graphql answer (HTTP %d) is not JSON: %w", rec.status, err)
	}
	if len(resp.Errors) > 0 {
		return &apiError{Status: rec.status, Errors: resp.Errors}
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(resp.Data, out); err != nil {
		return fmt.Errorf("decode graphql data: %w", err)
	}
	return nil
}

// recorder is the ResponseWriter of an in-process API call.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header         { return r.header }
func (r *recorder) Write(b []byte) (int, error) { return r.body.Write(b) }
func (r *recorder) WriteHeader(s int)           { r.status = s }
