package replay

import "github.com/ozmon/ozmon/store"

// Reason is why a delivery was left alone; the order of Reasons is the
// order summaries count them in.
type Reason struct {
	Name    string
	Explain string
}

// Reasons lists every reason a delivery is skipped.
func Reasons() []Reason {
	return []Reason{
		{string(store.DeliveryDelivered), "already delivered; --force resends it"},
		{string(store.DeliverySending), "in doubt: an attempt started and recorded no outcome, so the receiver may have it; --force resends it"},
		{string(store.DeliveryInDoubt), "in doubt, held for an operator: the receiver may have it; --force resends it"},
		{"no reset", "the store cannot reset the record, so the worker would refuse the resend"},
		{"running", "its task is running now"},
		{"queued", "its task is already queued or scheduled and will run"},
		{"completed", "its task completed although the record says otherwise; --force re-runs it"},
		{"not found", "its task is not in Redis (past notify.retention, or deleted) and its record keeps no payload to rebuild it from"},
	}
}

// Explain says in words why a delivery was skipped for reason.
func Explain(reason string) string {
	for _, r := range Reasons() {
		if r.Name == reason {
			return r.Explain
		}
	}
	return reason
}
