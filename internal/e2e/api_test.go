package e2e

import (
	"net/http"

	"github.com/ozmon/ozmon/api"
	"github.com/ozmon/ozmon/notify"
	"github.com/ozmon/ozmon/tenantconfig"
)

// newAPI builds the API as `ozmon api` does, on the deployment's store,
// Redis, authenticator and hub; the write path vets destinations with the
// same guard as the worker (127.0.0.1 allowed, for the webhook sink).
func (d *deployment) newAPI(cfg deployConfig) (http.Handler, error) {
	w := tenantconfig.New(d.st, tenantconfig.WithNotifyOptions(notify.WithGuard(d.guard)), tenantconfig.WithLogger(d.log))
	return api.New(api.WithStore(d.st), api.WithWriter(w), api.WithRedis(d.rdb), api.WithAuthenticator(d.authn),
		api.WithLive(api.NewHubLive(d.hub)), api.WithLogger(d.log),
		api.WithBodyLimit(cfg.bodyLimit), api.WithDepthLimit(cfg.depth), api.WithComplexityLimit(cfg.complexity),
		api.WithIntrospection(cfg.introspect), api.WithRateKeyPrefix("e2e:rate:"))
}
