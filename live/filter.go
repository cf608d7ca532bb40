package live

import "fmt"

// Filter selects a subscription's events; its zero value selects all.
type Filter struct {
	// Kind: KindMatch, KindDelivery, or "" for both.
	Kind Kind
	// Monitor: only this monitor's events; "" for every monitor.
	Monitor string
	// Status: only deliveries with this status (delivered, failed,
	// archived, in_doubt); "" for every status. Matches are not filtered
	// by it.
	Status string
}

// deliveryStatuses are the delivery log's outcome statuses a Filter may
// name.
var deliveryStatuses = [...]string{"delivered", "failed", "archived", "in_doubt"}

func (f Filter) validate() error {
	switch f.Kind {
	case "", KindMatch, KindDelivery:
	default:
		return fmt.Errorf("filter kind %q: want %q, %q or empty", f.Kind, KindMatch, KindDelivery)
	}
	if f.Status == "" {
		return nil
	}
	for _, s := range deliveryStatuses {
		if f.Status == s {
			return nil
		}
	}
	return fmt.Errorf("filter status %q: want one of %v or empty", f.Status, deliveryStatuses)
}

func (f Filter) match(ev *Event) bool {
	if f.Kind != "" && ev.Kind != f.Kind {
		return false
	}
	if f.Monitor != "" && ev.Monitor != f.Monitor {
		return false
	}
	return f.Status == "" || ev.Kind != KindDelivery || ev.Status == f.Status
}
