package console

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"strings"
	"time"
)

// pageTemplate is one page: the layout and its content.
type pageTemplate struct{ t *template.Template }

// view is what every page gets; Data is the page's own.
type view struct {
	Title  string
	Nav    string
	CSRF   string
	Tenant string
	Actor  string
	Role   string
	Error  string
	Notice string
	Data   any
}

var funcs = template.FuncMap{
	"when": func(t *time.Time) string {
		if t == nil || t.IsZero() {
			return "—"
		}
		return t.UTC().Format("2006-01-02 15:04:05Z")
	},
	"join":  strings.Join,
	"lower": strings.ToLower,
	"prev":  func(i int) int { return i - 1 },
	"next":  func(i int) int { return i + 1 },
}

func parsePages() (map[string]*pageTemplate, error) {
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("console: list templates: %w", err)
	}
	pages := map[string]*pageTemplate{}
	for _, n := range names {
		base := strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")
		if base == "layout" {
			continue
		}
		t, err := template.New(base).Funcs(funcs).ParseFS(templateFS, "templates/layout.html", n)
		if err != nil {
			return nil, fmt.Errorf("console: parse %s: %w", n, err)
		}
		pages[base] = &pageTemplate{t: t}
	}
	return pages, nil
}

// render writes page with status; the page is rendered into a buffer
// first so a template error never sends half a page.
func (c *Console) render(w http.ResponseWriter, r *http.Request, status int, page string, v view) {
	p, ok := c.pages[page]
	if !ok {
		c.fail(w, r, fmt.Errorf("no page %q", page))
		return
	}
	var buf bytes.Buffer
	if err := p.t.ExecuteTemplate(&buf, "layout", v); err != nil {
		c.fail(w, r, fmt.Errorf("render %s: %w", page, err))
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// viewOf is the frame of a signed-in caller's page.
func viewOf(s session, title, nav string) view {
	return view{Title: title, Nav: nav, CSRF: s.CSRF, Tenant: s.Tenant, Actor: s.Actor, Role: s.Role}
}

// apiFailed answers a failed API call on a page: NOT_FOUND is a 404 (the
// same for another tenant's resource as for none), UNAUTHENTICATED ends
// the session, anything else is shown on the page.
func (c *Console) apiFailed(w http.ResponseWriter, r *http.Request, s session, err error, page string, v view) {
	var ae *apiError
	if !errors.As(err, &ae) {
		c.fail(w, r, err)
		return
	}
	switch ae.code() {
	case "NOT_FOUND":
		v.Error = "Not found."
		v.Data = nil
		c.render(w, r, http.StatusNotFound, "notfound", v)
	case "UNAUTHENTICATED":
		_ = c.endSession(w, r)
		http.Redirect(w, r, prefix+"/signin", http.StatusSeeOther)
	default:
		v.Error = ae.Error()
		c.render(w, r, statusOf(ae), page, v)
	}
}

func statusOf(ae *apiError) int {
	switch ae.code() {
	case "FORBIDDEN":
		return http.StatusForbidden
	case "RATE_LIMITED":
		return http.StatusTooManyRequests
	case "INTERNAL":
		return http.StatusBadGateway
	}
	return http.StatusUnprocessableEntity
}
