package scheduler

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/ozmon/ozmon/monitor/ozconfig"
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
	// Recovery bounds the re-driving of ledgers whose work was lost; the
	// zero value is the default policy (see Recovery).
	Recovery Recovery
}

// Recovery is a network's policy for unfinished ledgers: those scheduled
// whose work did not complete and whose tasks are no longer in Redis
// (Redis lost them) — or, when RetryArchived, whose fetch or evaluation
// was archived after its retries. OpenZeppelin Monitor's recovery_config
// maps onto it (see FromRecoveryConfig in cmd).
type Recovery struct {
	// CronSchedule is when to look (recovery_config.cron_schedule); empty:
	// every 5 s.
	CronSchedule string
	// Grace is how long a ledger may go without completing before its
	// tasks are looked for (default 30 s): a ledger in normal flight is
	// never mistaken for a lost one.
	Grace time.Duration
	// MaxPerRun bounds the ledgers re-driven per run (default 100).
	MaxPerRun int
	// MaxRedrives bounds the re-drives of one ledger (default 10); then it
	// is given up: logged, counted, recorded — never silently.
	MaxRedrives int
	// RetryDelay is the least time between two re-drives of one ledger.
	RetryDelay time.Duration
	// MaxAge gives up unfinished ledgers more than this many ledgers behind
	// the confirmed tip (0: no limit).
	MaxAge uint64
	// RetryArchived re-drives ledgers whose tasks were archived too (their
	// archived tasks are removed from the dead-letter queue when re-driven).
	RetryArchived bool
	// PendingWindow is how far back (by record creation) notifications
	// still pending are checked for a deliver task in Redis (default 15
	// minutes; see requeueStranded). A failover loses only the writes of
	// its last moments, so a record is checked for minutes after its
	// grace, not for the retention.
	PendingWindow time.Duration
}

func (r Recovery) withDefaults() Recovery {
	if r.Grace <= 0 {
		r.Grace = 30 * time.Second
	}
	if r.MaxPerRun <= 0 {
		r.MaxPerRun = 100
	}
	if r.MaxRedrives <= 0 {
		r.MaxRedrives = 10
	}
	if r.PendingWindow <= 0 {
		r.PendingWindow = 15 * time.Minute
	}
	return r
}

// descriptorParser reads the descriptors ("@every 1s") that tests and
// embedded set-ups use; a network file's six- or seven-field schedule goes
// through ozconfig.ParseCron, the parser its validation used.
var descriptorParser = cron.NewParser(cron.Descriptor)

// parseSchedule parses a network's cron_schedule (seconds field required).
func parseSchedule(spec string) (cron.Schedule, error) {
	if spec == "" {
		spec = "* * * * * *"
	}
	if d, ok := strings.CutPrefix(spec, "@every "); ok {
		// robfig/cron would silently run such a schedule once a second.
		if every, err := time.ParseDuration(d); err == nil && every < time.Second {
			return nil, fmt.Errorf("cron_schedule %q: intervals under a second are not supported (the cron would run it once a second); use \"@every 1s\" or more", spec)
		}
	}
	parse := ozconfig.ParseCron
	if strings.HasPrefix(spec, "@") {
		parse = descriptorParser.Parse
	}
	s, err := parse(spec)
	if err != nil {
		return nil, fmt.Errorf("cron_schedule %q: %w", spec, err)
	}
	return s, nil
}
