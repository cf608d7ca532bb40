package console

import (
	"net/http"
)

func (c *Console) livePage(w http.ResponseWriter, r *http.Request, s session) {
	c.render(w, r, http.StatusOK, "live", viewOf(s, "Live matches", "live"))
}

// liveSocket hands the browser's WebSocket to the API's /graphql as the
// session's caller: the feed is the API's own matches subscription
// (graphql-transport-ws, resumed with `after`), with the credential the
// page's script never sees.
func (c *Console) liveSocket(w http.ResponseWriter, r *http.Request, s session) {
	if !sameOrigin(r) {
		http.Error(w, "refused: a WebSocket from another origin", http.StatusForbidden)
		return
	}
	r2 := r.Clone(r.Context())
	r2.URL.Path = "/graphql"
	r2.RequestURI = ""
	r2.Header.Del("Cookie")
	r2.Header.Set("Authorization", "Bearer "+s.Cred)
	c.o.api.ServeHTTP(w, r2)
}
