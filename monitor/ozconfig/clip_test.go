package ozconfig

import (
	"fmt"
	"strings"
	"testing"
)

// Only quoted arguments are a tenant's values; composed text stays whole.
func TestClipArgs(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("a", 300)
	format := "%5.2f %%q %s %q %-q"
	got := fmt.Sprintf(format, clipArgs(format, []any{1.5, long, long, long})...)
	want := fmt.Sprintf("%5.2f %%q %s %q %-q", 1.5, long, Clip(long), Clip(long))
	if got != want {
		t.Fatalf("got %s\nwant %s", got, want)
	}
	if c := Clip(strings.Repeat("é", 150)); c != strings.Repeat("é", 100)+"…(300 bytes)" {
		t.Fatalf("Clip splits a character or miscounts: %q", c)
	}
}

// The list of known triggers in an "unknown trigger" message is composed
// text: it is not cut with the tenant's values.
func TestUnknownTriggerListsEveryKnownKey(t *testing.T) {
	t.Parallel()
	c := &Config{Networks: map[string]*Network{}, Monitors: map[string]*Monitor{"m": {Name: "m", Triggers: []string{"typo"}}}, Triggers: map[string]*Trigger{}}
	for i := range 10 {
		key := fmt.Sprintf("stellar_large_transfer_slack_%d", i)
		c.Triggers[key] = &Trigger{Key: key, Name: key, TriggerType: TriggerSlack, Slack: &SlackConfig{}}
	}
	err := c.Validate("tenant acme")
	if err == nil || !strings.Contains(err.Error(), "stellar_large_transfer_slack_9)") {
		t.Fatalf("%v", err)
	}
}
