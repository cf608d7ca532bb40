package ozconfig

import (
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// ValidateEach keeps what is valid: a bad network costs itself and the
// monitors on it, a repeated monitor name costs the later monitor, and the
// rest stays and validates.
func TestValidateEachDropsOnlyTheBad(t *testing.T) {
	t.Parallel()
	c := handBuilt()
	c.Networks["ethereum"].Slug = "eth" // slug must equal the key
	c.Monitors["On eth"] = &Monitor{Name: "On eth", Networks: []string{"ethereum"}}
	c.Monitors["vault watch "] = &Monitor{Name: "vault watch ", Networks: []string{"stellar_testnet"}}
	c.Monitors["No hook"] = &Monitor{Name: "No hook", Networks: []string{"stellar_testnet"}, Triggers: []string{"pager"}}
	c.Triggers["pager"] = &Trigger{Key: "pager", Name: "Ops", TriggerType: TriggerWebhook} // name taken, no config

	got := map[string]string{}
	c.ValidateEach("tenant acme", func(kind, key string, err error) {
		got[kind+" "+key] = err.Error()
	})
	want := map[string]string{
		"network ethereum":     `slug "eth" must equal`,
		"trigger pager":        `trigger name "Ops" is already used by`,
		"monitor On eth":       `unknown network "ethereum"`,
		"monitor No hook":      `unknown trigger "pager"`,
		"monitor vault watch ": `monitor name "vault watch " is already used by monitor "Vault watch"`,
	}
	if len(got) != len(want) {
		t.Fatalf("dropped %v, want %d objects", got, len(want))
	}
	for k, frag := range want {
		if !strings.Contains(got[k], frag) {
			t.Errorf("%s: got %q, want it to mention %q", k, got[k], frag)
		}
	}
	if keys := slices.Sorted(maps.Keys(c.Monitors)); !reflect.DeepEqual(keys, []string{"Vault watch"}) {
		t.Errorf("monitors kept = %v", keys)
	}
	if c.Networks["ethereum"] != nil || c.Triggers["pager"] != nil || c.Triggers["ops"] == nil {
		t.Errorf("networks %v, triggers %v", c.Networks, c.Triggers)
	}
	if err := c.Validate("tenant acme"); err != nil {
		t.Errorf("what ValidateEach kept does not validate: %v", err)
	}
}
