package scheduler

import (
	"strconv"
	"strings"
	"testing"
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
