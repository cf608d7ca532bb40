package scheduler

import (
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestParseScheduleRefusesSubSecondIntervals(t *testing.T) {
	for spec, ok := range map[string]bool{"@every 100ms": false, "@every 999ms": false, "@every 1s": true, "*/1 * * * * *": true, "": true, "* * *": false} {
		_, err := parseSchedule(spec)
		if (err == nil) != ok {
			t.Errorf("parseSchedule(%q) = %v", spec, err)
		}
		if err != nil && !strings.Contains(err.Error(), strconv.Quote(spec)) {
			t.Errorf("parseSchedule(%q): error %q does not name the schedule", spec, err)
		}
	}
}

// A network runs on the schedule its validation read: OpenZeppelin
// Monitor's seven-field form (year "*") parses, and day-of-week 1 is
// Sunday, as in OZ (robfig/cron alone would refuse the first and read the
// second as Monday).
func TestParseScheduleAsOZ(t *testing.T) {
	t.Parallel()
	if _, err := parseSchedule("*/5 * * * * * *"); err != nil {
		t.Errorf("seven-field schedule: %v", err)
	}
	s, err := parseSchedule("0 0 12 * * 1")
	if err != nil {
		t.Fatal(err)
	}
	saturday := time.Date(2026, 11, 28, 13, 0, 0, 0, time.UTC)
	if got := s.Next(saturday); got.Weekday() != time.Sunday {
		t.Errorf("day-of-week 1 fires on %s (%s), want Sunday", got.Weekday(), got)
	}
}
