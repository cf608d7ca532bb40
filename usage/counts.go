package usage

import "github.com/ozmon/ozmon/store"

// Counts is what one tenant used; the fields mirror store.UsageHour.
type Counts struct {
	Ledgers, Evaluations, EvalCPUMicros, Matches int64
	Delivered, Failed, Archived, Retried         int64
}

func (c *Counts) add(o Counts) {
	c.Ledgers += o.Ledgers
	c.Evaluations += o.Evaluations
	c.EvalCPUMicros += o.EvalCPUMicros
	c.Matches += o.Matches
	c.Delivered += o.Delivered
	c.Failed += o.Failed
	c.Archived += o.Archived
	c.Retried += o.Retried
}

func (c Counts) row(k key) store.UsageHour {
	return store.UsageHour{TenantID: k.tenant, Hour: hourTime(k.hour), Ledgers: c.Ledgers, Evaluations: c.Evaluations,
		EvalCPUMicros: c.EvalCPUMicros, Matches: c.Matches, Delivered: c.Delivered, Failed: c.Failed, Archived: c.Archived, Retried: c.Retried}
}

// Outcome is how a delivery attempt ended, as metered.
type Outcome uint8

// The metered delivery outcomes. A failed send counts as Failed and,
// besides, as Retried when it will be tried again or Archived when it
// was the last try.
const (
	// Delivered: the receiver accepted the notification.
	Delivered Outcome = iota
	// FailedRetried: the send failed and will be retried.
	FailedRetried
	// FailedArchived: the send failed and the notification is given up.
	FailedArchived
	// Archived: given up without a send (trigger gone, invalid channel,
	// held in doubt).
	Archived
)

func (o Outcome) counts() Counts {
	switch o {
	case Delivered:
		return Counts{Delivered: 1}
	case FailedRetried:
		return Counts{Failed: 1, Retried: 1}
	case FailedArchived:
		return Counts{Failed: 1, Archived: 1}
	case Archived:
		return Counts{Archived: 1}
	}
	return Counts{}
}
