package asynqmon

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/ozmon/ozmon/tasks"
)

func TestFormatterKeepsMetadataOnly(t *testing.T) {
	t.Parallel()
	deliver, err := json.Marshal(tasks.Deliver{
		TenantID: "tenant-1", Monitor: "m", Network: "stellar_mainnet", Ledger: 7, TxHash: "h",
		Trigger: "t", Tier: tasks.TierHigh,
		Vars:  map[string]string{"secret": plantedSecret},
		Match: json.RawMessage(`{"transaction":{"memo":"` + plantedSecret + `"}}`),
	})
	if err != nil {
		t.Fatal(err)
	}
	many := make([]string, 25)
	for i := range many {
		many[i] = fmt.Sprintf("tenant-%02d", i)
	}
	eval, err := json.Marshal(tasks.EvaluateTenants{Network: "stellar_mainnet", Ledger: 9, Batch: "b1", Tier: tasks.TierLow, Tenants: many})
	if err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		name     string
		typ      string
		payload  string
		want     map[string]any
		mustMiss []string
	}{
		{
			name: "deliver", typ: tasks.TypeDeliver, payload: string(deliver),
			want: map[string]any{"type": "deliver", "tenant_id": "tenant-1", "monitor": "m", "network": "stellar_mainnet",
				"ledger": json.Number("7"), "tx_hash": "h", "trigger": "t", "tier": "high", "vars": "[redacted]", "match": "[redacted]"},
			mustMiss: []string{plantedSecret},
		},
		{
			name: "secret-like names and unknown fields", typ: "x",
			payload: `{"network":"n","api_token":"` + plantedSecret + `","Password":"p` + plantedSecret + `","webhook_url":"u` + plantedSecret + `","extra":{"a":"` + plantedSecret + `"},"list":["` + plantedSecret + `"]}`,
			want: map[string]any{"type": "x", "network": "n", "api_token": "[redacted]", "Password": "[redacted]",
				"webhook_url": "[redacted]", "extra": "[redacted]", "list": "[redacted]"},
			mustMiss: []string{plantedSecret},
		},
		{
			name: "URL in an allowed field", typ: "x",
			payload:  `{"monitor":"https://user:` + plantedSecret + `@example.com"}`,
			want:     map[string]any{"type": "x", "monitor": "[redacted]"},
			mustMiss: []string{plantedSecret},
		},
		{
			name: "object in an allowed field", typ: "x",
			payload:  `{"trigger":{"url":"` + plantedSecret + `"}}`,
			want:     map[string]any{"type": "x", "trigger": "[redacted]"},
			mustMiss: []string{plantedSecret},
		},
		{
			name: "not JSON", typ: "raw", payload: "token=" + plantedSecret,
			want:     map[string]any{"type": "raw", "payload": fmt.Sprintf("[redacted: %d bytes]", len("token="+plantedSecret))},
			mustMiss: []string{plantedSecret},
		},
		{
			name: "JSON array", typ: "raw", payload: `["` + plantedSecret + `"]`,
			want:     map[string]any{"type": "raw", "payload": fmt.Sprintf("[redacted: %d bytes]", len(plantedSecret)+4)},
			mustMiss: []string{plantedSecret},
		},
		{
			name: "evaluate batch", typ: tasks.TypeEvaluateTenants, payload: string(eval),
			want: map[string]any{"type": "evaluate-tenants", "network": "stellar_mainnet", "ledger": json.Number("9"), "batch": "b1", "tier": "low",
				"v": json.Number("1"), "tenants": []any{"tenant-00", "tenant-01", "tenant-02", "tenant-03", "tenant-04", "tenant-05",
					"tenant-06", "tenant-07", "tenant-08", "tenant-09", "… 15 more"}},
			mustMiss: []string{"tenant-10"},
		},
	} {
		got := formatter{}.FormatPayload(tc.typ, []byte(tc.payload))
		for _, s := range tc.mustMiss {
			if strings.Contains(got, s) {
				t.Errorf("%s: output contains %q: %s", tc.name, s, got)
			}
		}
		var m map[string]any
		dec := json.NewDecoder(strings.NewReader(got))
		dec.UseNumber()
		if err := dec.Decode(&m); err != nil {
			t.Errorf("%s: output is not a JSON object: %v: %s", tc.name, err, got)
			continue
		}
		for k, v := range tc.want {
			if fmt.Sprint(m[k]) != fmt.Sprint(v) {
				t.Errorf("%s: %s = %v, want %v (output %s)", tc.name, k, m[k], v, got)
			}
		}
	}
}

func TestFormatResult(t *testing.T) {
	t.Parallel()
	f := formatter{}
	if got := f.FormatResult("", nil); got != "" {
		t.Errorf("empty result = %q, want empty", got)
	}
	got := f.FormatResult("", []byte(`{"delivered":true,"response":"`+plantedSecret+`"}`))
	if strings.Contains(got, plantedSecret) || !strings.Contains(got, `"response":"[redacted]"`) {
		t.Errorf("result = %s", got)
	}
}

func TestFormatterTruncatesLongValues(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("é", 500)
	got := formatter{}.FormatPayload("x", []byte(`{"monitor":"`+long+`"}`))
	if strings.Contains(got, long) || !strings.Contains(got, strings.Repeat("é", 128)+"…") {
		t.Errorf("long value not truncated to 128 runes: %.80s…", got)
	}
}
