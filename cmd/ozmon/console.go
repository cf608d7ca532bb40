package main

import (
	"fmt"
	"net/http"

	"github.com/ozmon/ozmon/console"
)

// withConsole serves the tenant console at /console/ beside the API it
// executes against (api handles everything else).
func (a *app) withConsole(api http.Handler) (http.Handler, error) {
	c, err := console.New(console.WithAPI(api), console.WithRedis(a.rdb), console.WithLogger(a.log))
	if err != nil {
		return nil, fmt.Errorf("console: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("/console/", c)
	mux.Handle("/", api)
	return mux, nil
}
