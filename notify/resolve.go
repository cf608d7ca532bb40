package notify

import (
	"context"
	"time"

	"github.com/ozmon/ozmon/monitor/ozconfig"
)

// Resolver is a channel whose vendor can close what Send opened: PagerDuty (a resolve event
// for the notification's dedup_key) and Opsgenie (closing the alert by its alias). Resolve
// makes one attempt and fails with a *SendError, like Send; resolving what is already
// resolved, or was never opened, succeeds.
type Resolver interface {
	Channel
	Resolve(ctx context.Context, n Notification) error
}

// AutoResolveAfter is t's auto_resolve_after: how long its monitor must go without a match
// before the incidents it opened are resolved; 0 when the trigger does not resolve.
func AutoResolveAfter(t *ozconfig.Trigger) time.Duration {
	switch {
	case t == nil:
		return 0
	case t.PagerDuty != nil:
		return t.PagerDuty.AutoResolveAfter.D()
	case t.Opsgenie != nil:
		return t.Opsgenie.AutoResolveAfter.D()
	}
	return 0
}
