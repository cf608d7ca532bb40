package handlers

import (
	"testing"
	"time"

	"github.com/ozmon/ozmon/tasks"
)

func TestPayloadNetwork(t *testing.T) {
	t.Parallel()
	ev, err := tasks.EvaluateTenants{Network: "stellar_mainnet@eu", Ledger: 7, Batch: "b1", Tenants: []string{"a", "b"},
		ScheduledAt: time.Unix(1, 0)}.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	fb, err := tasks.FetchBlock{Network: "ethereum_mainnet", Ledger: 9}.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		payload string
		want    string
		ok      bool
	}{
		{string(ev), "stellar_mainnet@eu", true},
		{string(fb), "ethereum_mainnet", true},
		{`{"tenants":["x"],"nested":{"network":"no"},"network":"late"}`, "late", true},
		{`{"v":1}`, "", false},
		{`{"network":7}`, "", false},
		{`[1]`, "", false},
		{`{"v":`, "", false},
	} {
		got, ok := payloadNetwork([]byte(c.payload))
		if got != c.want || ok != c.ok {
			t.Errorf("payloadNetwork(%s) = %q, %v; want %q, %v", c.payload, got, ok, c.want, c.ok)
		}
	}
}
