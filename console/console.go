package console

import (
	"embed"
	"errors"
	"net/http"
)

// prefix is where the console is mounted.
const prefix = "/console"

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Console is the tenant console as an http.Handler for /console/.
type Console struct {
	o     options
	mux   *http.ServeMux
	pages map[string]*pageTemplate
	act   activityCache
}

// New builds the console. WithAPI and WithRedis are required.
func New(opts ...Option) (*Console, error) {
	o := defaultOptions()
	for _, opt := range opts {
		opt(&o)
	}
	switch {
	case o.api == nil:
		return nil, errors.New("console: new: no API handler (WithAPI)")
	case o.rdb == nil:
		return nil, errors.New("console: new: no redis for sessions (WithRedis)")
	}
	pages, err := parsePages()
	if err != nil {
		return nil, err
	}
	c := &Console{o: o, pages: pages, mux: http.NewServeMux()}
	c.routes()
	return c, nil
}

func (c *Console) routes() {
	m := c.mux
	m.Handle("GET "+prefix+"/static/", http.StripPrefix(prefix, http.FileServerFS(staticFS)))
	m.HandleFunc("GET "+prefix+"/{$}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, prefix+"/monitors", http.StatusSeeOther)
	})
	m.HandleFunc("GET "+prefix+"/signin", c.signinPage)
	m.HandleFunc("POST "+prefix+"/signin", c.signin)
	m.Handle("POST "+prefix+"/signout", c.post(c.signout))
	m.Handle("GET "+prefix+"/monitors", c.get(c.monitorsPage))
	m.Handle("POST "+prefix+"/monitors/{id}/pause", c.post(c.pause(true)))
	m.Handle("POST "+prefix+"/monitors/{id}/resume", c.post(c.pause(false)))
	m.Handle("GET "+prefix+"/monitors/new", c.get(c.editorPage))
	m.Handle("GET "+prefix+"/monitors/{id}", c.get(c.editorPage))
	m.Handle("POST "+prefix+"/editor/validate", c.post(c.validate))
	m.Handle("POST "+prefix+"/editor/dryrun", c.post(c.dryRun))
	m.Handle("POST "+prefix+"/editor/save", c.post(c.save))
	m.Handle("GET "+prefix+"/live", c.get(c.livePage))
	m.Handle("GET "+prefix+"/live/ws", c.get(c.liveSocket))
	m.Handle("GET "+prefix+"/deliveries", c.get(c.deliveriesPage))
	m.Handle("POST "+prefix+"/deliveries/resend", c.post(c.resend))
	m.Handle("GET "+prefix+"/usage", c.get(c.usagePage))
}

// ServeHTTP implements http.Handler.
func (c *Console) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	secureHeaders(w.Header())
	c.mux.ServeHTTP(w, r)
}

// secureHeaders are sent with every answer: no inline script, nothing
// from another origin, no framing.
func secureHeaders(h http.Header) {
	h.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Cache-Control", "no-store")
}

// handler is a page or action of a signed-in caller.
type handler func(w http.ResponseWriter, r *http.Request, s session)

// get serves a read of a signed-in caller; without a session, a browser
// is sent to the sign-in page.
func (c *Console) get(h handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s, err := c.sessionOf(r)
		if err != nil {
			c.noSession(w, r, err)
			return
		}
		h(w, r, s)
	})
}

// post serves a state-changing request: a session, a same-origin request
// and the session's CSRF token, or 403.
func (c *Console) post(h handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, maxForm)
		s, err := c.sessionOf(r)
		if err != nil {
			if !errors.Is(err, errNoSession) {
				c.fail(w, r, err)
				return
			}
			http.Error(w, "sign in first: no console session", http.StatusForbidden)
			return
		}
		if !sameOrigin(r) || !csrfOK(r, s.CSRF) {
			http.Error(w, "refused: missing or wrong CSRF token, or another origin", http.StatusForbidden)
			return
		}
		h(w, r, s)
	})
}

// maxForm bounds a request body (an editor's JSON is the largest).
const maxForm = 2 << 20

func (c *Console) noSession(w http.ResponseWriter, r *http.Request, err error) {
	if !errors.Is(err, errNoSession) {
		c.fail(w, r, err)
		return
	}
	http.Redirect(w, r, prefix+"/signin", http.StatusSeeOther)
}

// fail answers an error that is not the caller's: logged, not shown.
func (c *Console) fail(w http.ResponseWriter, r *http.Request, err error) {
	c.o.log.ErrorContext(r.Context(), "console: request failed", "path", r.URL.Path, "err", err)
	http.Error(w, "the console could not answer; try again", http.StatusInternalServerError)
}
