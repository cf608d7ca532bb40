package ozconfig

import (
	"strings"
	"testing"
	"time"
)

func TestParseCron(t *testing.T) {
	t.Parallel()
	// Friday 2026-11-27 10:00:00 UTC.
	from := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		spec string
		next time.Time
	}{
		{"0 */1 * * * *", from.Add(time.Minute)},
		{"*/30 * * * * *", from.Add(30 * time.Second)},
		{"15 */10 * * * *", from.Add(15 * time.Second)},
		{"0 0 12 * * * *", from.Add(2 * time.Hour)},
		// OZ counts weekdays from Sunday = 1: 2 is Monday, 6 is Friday.
		{"0 0 9 * * 2", time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)},
		{"0 0 11 * * 6", time.Date(2026, 11, 27, 11, 0, 0, 0, time.UTC)},
		{"0 0 9 * * 1-2", time.Date(2026, 11, 29, 9, 0, 0, 0, time.UTC)},
		{"0 0 9 * * Mon", time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)},
	} {
		s, err := parseCron(tc.spec)
		if err != nil {
			t.Errorf("%q: %v", tc.spec, err)
			continue
		}
		if got := s.Next(from); !got.Equal(tc.next) {
			t.Errorf("%q: next %s, want %s", tc.spec, got, tc.next)
		}
		// Evaluated in UTC whatever zone the caller uses.
		local := from.In(time.FixedZone("X", 5*3600))
		if got := s.Next(local); !got.Equal(tc.next) {
			t.Errorf("%q from another zone: next %s, want %s", tc.spec, got, tc.next)
		}
	}
}

func TestParseCronErrors(t *testing.T) {
	t.Parallel()
	for spec, want := range map[string]string{
		"*/5 * * * *":       "expected 6 or 7 fields",
		"":                  "got 0",
		"0 0 0 1 1 * 2030":  `year field "2030" is not supported`,
		"0 0 0 * * 0":       "day-of-week 0 is out of range 1-7",
		"61 * * * * *":      "end of range (61) above maximum (59)",
		"0 0 25 * * *":      "above maximum (23)",
		"@every 1m":         "expected 6 or 7 fields",
		"a b c d e f":       "failed to parse",
		"0 0 0 * * 8":       "day-of-week 8 is out of range",
		"0 0 0 * * 1-3,9/2": "day-of-week 9 is out of range",
	} {
		_, err := parseCron(spec)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: got %v, want error containing %q", spec, err, want)
		}
	}
}
