package ozconfig

import (
	"fmt"
	"strings"
	"testing"
)

// monitorJSON is a valid monitor with the given addresses (JSON array
// items) and function expression.
func monitorJSON(name, addresses, expression string) string {
	return `{"name": "` + name + `", "networks": ["stellar_testnet"], "paused": false, "addresses": [` + addresses + `],
		"match_conditions": {"functions": [{"signature": "deposit(Address,I128)", "expression": "` + expression + `"}], "events": [], "transactions": []},
		"trigger_conditions": [], "triggers": []}`
}

func repeatItems(n int, item string) string {
	return strings.TrimSuffix(strings.Repeat(item+",", n), ",")
}

// Each default limit refuses what is over it, naming the limit, the value
// found and where.
func TestDefaultLimitsRefuse(t *testing.T) {
	t.Parallel()
	addr := `{"address": "CDLZFC3SYJYDZT7K67VZ75HPJVIEUVNIXF47ZG2FB2RMQQVU2HHGCYSC"}`
	hugeExpr := "amount > " + strings.Repeat("1", 64<<10)
	headers := func(n int) string {
		var b strings.Builder
		for i := range n {
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `"X-%d": "v"`, i)
		}
		return `{"name": "n", "trigger_type": "webhook", "config": {"url": {"type": "plain", "value": "https://hooks.example/x"},
			"message": {"title": "t", "body": "b"}, "headers": {` + b.String() + `}}}`
	}
	bigBody := `{"name": "n", "trigger_type": "slack", "config": {"slack_url": {"type": "plain", "value": "https://hooks.slack.com/x"},
		"message": {"title": "t", "body": "` + strings.Repeat("b", 4<<20) + `"}}}`
	for _, tc := range []struct {
		name, want string
		parse      func() error
	}{
		{"expression", `m.json: match_conditions.functions[0].expression: is 65545 bytes, over limits.expression_bytes (65536)`, func() error {
			_, err := ParseMonitor("m.json", []byte(monitorJSON("m", addr, hugeExpr)))
			return err
		}},
		{"addresses", `m.json: addresses: has 10001 items, over limits.list_items (10000)`, func() error {
			_, err := ParseMonitor("m.json", []byte(monitorJSON("m", repeatItems(10_001, addr), "amount > 1")))
			return err
		}},
		{"headers", `t.json: config.headers: has 10001 items, over limits.list_items (10000)`, func() error {
			_, err := ParseTrigger("t.json", []byte(headers(10_001)))
			return err
		}},
		{"monitor bytes", `m.json: is 4194639 bytes, over limits.item_bytes (4194304)`, func() error {
			_, err := ParseMonitor("m.json", []byte(monitorJSON(strings.Repeat("m", 4<<20), addr, "amount > 1")))
			return err
		}},
		{"trigger in a file", `t.json: big: is 4194465 bytes, over limits.item_bytes (4194304)`, func() error {
			_, err := ParseTriggers("t.json", []byte(`{"big": `+bigBody+`}`))
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := tc.parse()
			if err == nil || err.Error() != tc.want {
				t.Fatalf("got %.300v\nwant %s", err, tc.want)
			}
		})
	}
}

// Just under each default limit still parses: a real user never meets them.
func TestDefaultLimitsAllowLargeRealConfigs(t *testing.T) {
	t.Parallel()
	addr := `{"address": "CDLZFC3SYJYDZT7K67VZ75HPJVIEUVNIXF47ZG2FB2RMQQVU2HHGCYSC"}`
	data := monitorJSON("m", repeatItems(10_000, addr), "amount > "+strings.Repeat("1", 60<<10))
	if _, err := ParseMonitor("m.json", []byte(data)); err != nil {
		t.Fatalf("%.500v", err)
	}
}

// Strings PostgreSQL cannot store, and URLs and headers the HTTP client
// would refuse at every send, are refused when read, so that `validate`
// says what `import` will.
func TestParseRefusesUnstorableAndUnsendableText(t *testing.T) {
	t.Parallel()
	webhook := func(url, headers string) string {
		return `{"name": "n", "trigger_type": "webhook", "config": {"url": {"type": "plain", "value": "` + url + `"},
			"message": {"title": "t", "body": "b"}, "headers": {` + headers + `}}}`
	}
	for _, tc := range []struct {
		name, data, want string
	}{
		{"NUL escape", webhook(`https://hooks.example/x`, `"X-A": "a\u0000b"`),
			"t.json: the escape \\u0000 (a NUL character) is not allowed at line 2, column 65\n" +
				"t.json: config.headers.X-A: header value must not contain control characters other than tab (CR, LF, NUL, …)"},
		{"NUL in a key", webhook(`https://hooks.example/x`, `"X-\u0000": "v"`),
			"t.json: the escape \\u0000 (a NUL character) is not allowed at line 2, column 59\n" +
				"t.json: config.headers: header name \"X-\\x00\" is not an HTTP field name (letters, digits and !#$%&'*+-.^_`|~ only)"},
		{"lone surrogate", `{"name": "a\udc00", "trigger_type": "slack", "config": {"slack_url": {"type": "plain", "value": "https://hooks.slack.com/x"}, "message": {"title": "t", "body": "b"}}}`,
			`t.json: the escape \udc00 is half a surrogate pair and not a character at line 1, column 12`},
		{"invalid UTF-8", "{\"name\": \"a\xff\", \"trigger_type\": \"slack\", \"config\": {\"slack_url\": {\"type\": \"plain\", \"value\": \"https://hooks.slack.com/x\"}, \"message\": {\"title\": \"t\", \"body\": \"b\"}}}",
			`t.json: invalid UTF-8 at line 1, column 12 (text must be UTF-8)`},
		{"CR LF in URL", webhook(`https://hooks.example/x\r\nHost: evil`, ``),
			`t.json: config.url: webhook URL must not contain control characters (CR, LF, tab, NUL, …)`},
		{"LF in a header value", webhook(`https://hooks.example/x`, `"X-A": "a\nInjected: 1"`),
			`t.json: config.headers.X-A: header value must not contain control characters other than tab (CR, LF, NUL, …)`},
		{"header name with a colon", webhook(`https://hooks.example/x`, `"X-A: b": "v"`),
			"t.json: config.headers: header name \"X-A: b\" is not an HTTP field name (letters, digits and !#$%&'*+-.^_`|~ only)"},
		{"CR in a Slack URL", `{"name": "n", "trigger_type": "slack", "config": {"slack_url": {"type": "plain", "value": "https://hooks.slack.com/x\r"}, "message": {"title": "t", "body": "b"}}}`,
			`t.json: config.slack_url: Slack webhook URL must not contain control characters (CR, LF, tab, NUL, …)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := ParseTrigger("t.json", []byte(tc.data))
			if err == nil || err.Error() != tc.want {
				t.Fatalf("got  %v\nwant %s", err, tc.want)
			}
		})
	}
	// An escaped backslash before "u0000" is text, not an escape; a
	// surrogate pair is one character.
	ok := `{"name": "a\\u0000 \ud83d\ude00", "trigger_type": "slack", "config": {"slack_url": {"type": "plain", "value": "https://hooks.slack.com/x"}, "message": {"title": "t", "body": "b"}}}`
	if _, err := ParseTrigger("t.json", []byte(ok)); err != nil {
		t.Fatal(err)
	}
	network := `{"network_type": "EVM", "slug": "e", "name": "e", "rpc_urls": [{"type_": "rpc", "url": {"type": "plain", "value": "https://rpc.example/\n"}, "weight": 100}],
		"chain_id": 1, "block_time_ms": 1000, "confirmation_blocks": 1, "cron_schedule": "*/5 * * * * *"}`
	if _, err := ParseNetwork("e.json", []byte(network)); err == nil || !strings.Contains(err.Error(), "rpc_urls[0].url: must not contain control characters") {
		t.Fatalf("RPC URL with LF: %v", err)
	}
}

// Errors about configuration never repeat a tenant's value at length: a
// huge name, key or value is cut to a few hundred bytes with its size.
func TestConfigErrorsStaySmall(t *testing.T) {
	t.Parallel()
	huge := strings.Repeat("x", 3<<20)
	cases := map[string]func() error{
		"monitor name vs key": func() error {
			m := &Monitor{Name: huge} // built in code: no parse limit applies
			c := &Config{Networks: map[string]*Network{}, Monitors: map[string]*Monitor{"other": m}, Triggers: map[string]*Trigger{}}
			return c.Validate("tenant acme")
		},
		"unknown field": func() error {
			_, err := ParseMonitor("m.json", []byte(strings.Replace(monitorJSON("m", "", "amount > 1"), `"paused"`, `"`+huge+`": 1, "paused"`, 1)))
			return err
		},
		"unknown trigger": func() error {
			m, err := ParseMonitor("m.json", []byte(strings.Replace(monitorJSON("m", "", "amount > 1"), `"triggers": []`, `"triggers": ["`+huge+`"]`, 1)))
			if err != nil {
				return err
			}
			c := &Config{Networks: map[string]*Network{}, Monitors: map[string]*Monitor{"m": m}, Triggers: map[string]*Trigger{}}
			return c.Validate("tenant acme")
		},
		"enum value": func() error {
			_, err := ParseTrigger("t.json", []byte(`{"name": "n", "trigger_type": "`+huge+`", "config": {}}`))
			return err
		},
		"header name": func() error {
			_, err := ParseTrigger("t.json", []byte(`{"name": "n", "trigger_type": "webhook", "config": {"url": {"type": "plain", "value": "https://h.example/"},
				"message": {"title": "t", "body": "b"}, "headers": {"`+huge+`:": "v"}}}`))
			return err
		},
		"trigger key": func() error {
			_, err := ParseTriggers("t.json", []byte(`{"`+huge+`": {"name": "n", "trigger_type": "slack", "config": {}}}`))
			return err
		},
	}
	for name, parse := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			err := parse()
			if err == nil {
				t.Fatal("accepted")
			}
			if msg := err.Error(); len(msg) > 2000 || !strings.Contains(msg, "bytes)") {
				t.Fatalf("error of %d bytes (want a short one with the value's size): %.300s", len(msg), msg)
			}
		})
	}
}

// The operator's limits replace the defaults; a zero field keeps its
// default.
func TestWithLimits(t *testing.T) {
	t.Parallel()
	addr := `{"address": "CDLZFC3SYJYDZT7K67VZ75HPJVIEUVNIXF47ZG2FB2RMQQVU2HHGCYSC"}`
	data := []byte(monitorJSON("m", repeatItems(3, addr), "amount > 10"))
	for _, tc := range []struct {
		limits Limits
		want   string
	}{
		{Limits{ListItems: 2}, "m.json: addresses: has 3 items, over limits.list_items (2)"},
		{Limits{ExpressionBytes: 5}, "m.json: match_conditions.functions[0].expression: is 11 bytes, over limits.expression_bytes (5)"},
		{Limits{ItemBytes: 100}, "m.json: is 481 bytes, over limits.item_bytes (100)"},
		{Limits{}, ""},
	} {
		_, err := ParseMonitor("m.json", data, WithLimits(tc.limits))
		if got := fmt.Sprint(err); (tc.want == "" && err != nil) || (tc.want != "" && got != tc.want) {
			t.Errorf("%+v: got %v, want %q", tc.limits, err, tc.want)
		}
	}
	if _, err := ParseTriggers("t.json", []byte(`{}`+strings.Repeat(" ", 100)), WithLimits(Limits{TenantBytes: 50})); err == nil ||
		err.Error() != "t.json: is 102 bytes, over limits.tenant_bytes (50)" {
		t.Errorf("trigger file over tenant_bytes: %v", err)
	}
	if err := (Limits{TenantBytes: 10}).CheckTenantBytes("tenants/acme", 11); err == nil ||
		err.Error() != "tenants/acme: the configuration is 11 bytes, over limits.tenant_bytes (10)" {
		t.Errorf("CheckTenantBytes: %v", err)
	}
	if err := DefaultLimits().CheckTenantBytes("tenants/acme", 64<<20); err != nil {
		t.Errorf("at the limit: %v", err)
	}
}

// Names longer than the columns they are stored in are refused when read,
// not at import.
func TestNamesFitTheirColumns(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("é", maxNameChars+1)
	fits := strings.Repeat("é", maxNameChars)
	if _, err := ParseMonitor("m.json", []byte(monitorJSON(fits, "", "amount > 1"))); err != nil {
		t.Fatalf("255 characters: %v", err)
	}
	if _, err := ParseMonitor("m.json", []byte(monitorJSON(long, "", "amount > 1"))); err == nil ||
		err.Error() != "m.json: name: is 256 characters long; at most 255 fit where it is stored" {
		t.Errorf("monitor name: %v", err)
	}
	_, err := ParseTriggers("t.json", []byte(`{"`+long+`": {"name": "n", "trigger_type": "slack", "config": {"slack_url": {"type": "plain", "value": "https://hooks.slack.com/x"}, "message": {"title": "t", "body": "b"}}}}`))
	if err == nil || !strings.Contains(err.Error(), ": is 256 characters long; at most 255 fit where it is stored") {
		t.Errorf("trigger key: %v", err)
	}
	network := `{"network_type": "EVM", "slug": "` + strings.Repeat("e", 256) + `", "name": "` + long + `", "rpc_urls": [{"type_": "rpc", "url": {"type": "plain", "value": "https://rpc.example/"}, "weight": 100}],
		"chain_id": 1, "block_time_ms": 1000, "confirmation_blocks": 1, "cron_schedule": "*/5 * * * * *"}`
	if _, err := ParseNetwork("e.json", []byte(network)); err == nil || strings.Count(err.Error(), "characters long") != 2 {
		t.Errorf("network slug and name: %v", err)
	}
}
