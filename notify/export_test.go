package notify

import "time"

// SetClock replaces the clock a webhook signs with, so tests can tell one attempt's
// timestamp from the next without sleeping.
func (w *webhookChannel) SetClock(now func() time.Time) { w.now = now }
