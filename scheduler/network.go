package scheduler

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
)

// TipSource reports a network's latest ledger (for Stellar, getHealth's
// latestLedger: a few hundred bytes, unlike getLatestLedger).
type TipSource interface {
	Tip(ctx context.Context) (uint64, error)
}

// TipFunc adapts a function to TipSource.
type TipFunc func(ctx context.Context) (uint64, error)

// Tip implements TipSource.
func (f TipFunc) Tip(ctx context.Context) (uint64, error) { return f(ctx) }

// Network is what the scheduler needs to know of one network.
type Network struct {
	Slug string
	// CronSchedule has a seconds field ("*/1 * * * * *"); empty means every
	// second, so a ~5.7 s Stellar ledger is seen within about a second.
	CronSchedule       string
	ConfirmationBlocks uint64
	// MaxPastBlocks bounds catch-up: when the cursor is further behind, the
	// older ledgers are skipped — loudly (log and metric), never silently.
	// 0 means no bound.
	MaxPastBlocks uint64
	Tip           TipSource
}

// cronParser accepts the six-field (seconds) cron of OpenZeppelin Monitor
// network files, and descriptors like "@every 1s".
var cronParser = cron.NewParser(cron.Second | cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// ParseSchedule parses a network's cron_schedule (seconds field required).
func ParseSchedule(spec string) (cron.Schedule, error) {
	if spec == "" {
		spec = "* * * * * *"
	}
	if d, ok := strings.CutPrefix(spec, "@every "); ok {
		// robfig/cron would silently run such a schedule once a second.
		if every, err := time.ParseDuration(d); err == nil && every < time.Second {
			return nil, fmt.Errorf("cron_schedule %q: intervals under a second are not supported (the cron would run it once a second); use \"@every 1s\" or more", spec)
		}
	}
	s, err := cronParser.Parse(spec)
	if err != nil {
		return nil, fmt.Errorf("cron_schedule %q: %w", spec, err)
	}
	return s, nil
}
