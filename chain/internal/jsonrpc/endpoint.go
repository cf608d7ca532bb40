package jsonrpc

import (
	"cmp"
	"fmt"
	"slices"
)

// Endpoint is one JSON-RPC URL. Endpoints with a higher Weight are tried
// first; a Weight of 0 or less is skipped (OpenZeppelin Monitor's rule for
// rpc_urls).
type Endpoint struct {
	URL    string
	Weight int
}

type endpoint struct {
	url      string // full URL, secrets included; never logged
	redacted string // what errors, logs and metrics show
	// secrets are the URL's parts a node might echo in its messages.
	secrets []string
}

// orderEndpoints drops endpoints without a positive weight and sorts the
// rest by weight, highest first; ties keep their given order so that a
// config file's order still means something.
func orderEndpoints(name string, eps []Endpoint) ([]endpoint, error) {
	eps = slices.DeleteFunc(slices.Clone(eps), func(e Endpoint) bool { return e.Weight <= 0 })
	if len(eps) == 0 {
		return nil, fmt.Errorf("%s client: no endpoint with a positive weight", name)
	}
	slices.SortStableFunc(eps, func(a, b Endpoint) int { return cmp.Compare(b.Weight, a.Weight) })
	out := make([]endpoint, 0, len(eps))
	for i, e := range eps {
		red, err := RedactURL(e.URL)
		if err != nil {
			return nil, fmt.Errorf("%s client: endpoint %d: %w", name, i+1, err)
		}
		out = append(out, endpoint{url: e.URL, redacted: red, secrets: secretsOf(e.URL)})
	}
	return out, nil
}
