package ozconfig

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
)

// ParseCron parses an OpenZeppelin Monitor cron schedule:
// "sec min hour day-of-month month day-of-week [year]", evaluated in UTC.
//
// Two differences from robfig/cron are bridged so a schedule fires when OZ's
// would: OZ numbers days of the week 1–7 from Sunday (robfig: 0–6), so
// numeric weekdays are shifted down by one; and OZ allows a seventh, year
// field, which is accepted only as "*" because robfig has no year. The
// scheduler runs networks with it, so a schedule fires as validated.
func ParseCron(spec string) (cron.Schedule, error) { return parseCron(spec) }

func parseCron(spec string) (cron.Schedule, error) {
	fields := strings.Fields(spec)
	switch len(fields) {
	case 6:
	case 7:
		if fields[6] != "*" {
			return nil, fmt.Errorf("year field %q is not supported (only \"*\")", fields[6])
		}
		fields = fields[:6]
	default:
		return nil, fmt.Errorf("expected 6 or 7 fields (sec min hour day-of-month month day-of-week [year]), got %d", len(fields))
	}
	dow, err := shiftWeekdays(fields[5])
	if err != nil {
		return nil, err
	}
	fields[5] = dow
	// Six fields, seconds first, like OZ's Rust cron crate; no descriptors.
	p := cron.NewParser(cron.Second | cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow)
	s, err := p.Parse(strings.Join(fields, " "))
	if err != nil {
		return nil, err
	}
	return utcSchedule{s}, nil
}

// utcSchedule evaluates a schedule in UTC whatever the caller's zone, as OZ
// does.
type utcSchedule struct{ s cron.Schedule }

func (u utcSchedule) Next(t time.Time) time.Time {
	return u.s.Next(t.UTC())
}

// shiftWeekdays rewrites the numbers of a day-of-week field from OZ's 1–7
// (Sunday = 1) to robfig's 0–6 (Sunday = 0). A step ("*/2", "1-7/3") is a
// count, not a day, and stays; names (MON, Tue) need no change.
func shiftWeekdays(field string) (string, error) {
	parts := strings.Split(field, ",")
	for i, part := range parts {
		rng, step, hasStep := strings.Cut(part, "/")
		bounds := strings.Split(rng, "-")
		for j, b := range bounds {
			n, err := strconv.Atoi(b)
			if err != nil {
				continue // "*", "?" or a day name
			}
			if n < 1 || n > 7 {
				return "", fmt.Errorf("day-of-week %d is out of range 1-7 (1 = Sunday)", n)
			}
			bounds[j] = strconv.Itoa(n - 1)
		}
		parts[i] = strings.Join(bounds, "-")
		if hasStep {
			parts[i] += "/" + step
		}
	}
	return strings.Join(parts, ","), nil
}

// cronInterval is the gap between the schedule's next two firings after
// from, which OZ uses to derive the default max_past_blocks.
func cronInterval(s cron.Schedule, from time.Time) time.Duration {
	a := s.Next(from)
	if a.IsZero() {
		return 0
	}
	b := s.Next(a)
	if b.IsZero() {
		return 0
	}
	return b.Sub(a)
}
