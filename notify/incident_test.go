package notify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ozmon/ozmon/monitor/ozconfig"
)

const (
	pdKey = "R0UT1NGKEYSECRET0000000000000001"
	ogKey = "og-api-key-secret-0001"
	ddKey = "dd-api-key-secret-0001"
)

func parseTrig(t testing.TB, js string) *ozconfig.Trigger {
	t.Helper()
	tr, err := ozconfig.ParseTrigger("t.json", []byte(js))
	if err != nil {
		t.Fatalf("parse trigger: %v", err)
	}
	tr.Key = tr.Name
	return tr
}

func incidentNote(id string) Notification {
	return Notification{ID: id, TenantID: "t1", Vars: sampleVars(), Monitor: "Vault <deposits>", Network: "stellar_mainnet",
		MatchedAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
}

func sendErr(t *testing.T, err error) *SendError {
	t.Helper()
	var se *SendError
	if !errors.As(err, &se) {
		t.Fatalf("error %v is not a *SendError", err)
	}
	return se
}

func pagerDutyTrigger(extra string) string {
	return `{"name": "pd", "trigger_type": "pagerduty", "config": {"routing_key": {"type": "plain", "value": "` + pdKey + `"},
		"severity": "${functions.0.args.level}", "source": "${monitor.name}", "component": "vault",
		"links": [{"href": "https://stellar.expert/explorer/public/tx/${transaction.hash}", "text": "Transaction"}, {"href": "${functions.0.args.from}"}],
		"message": {"title": "${monitor.name}: deposit of ${functions.0.args.amount}", "body": "from ${functions.0.args.from}"}` + extra + `}}`
}

// One incident per notification, across a failed attempt, its retry, a replay and a resend in
// doubt; the resolve closes it; a second notification opens a second incident.
func TestPagerDutyOneIncidentPerNotification(t *testing.T) {
	t.Parallel()
	pd := startPagerDuty(t, pdKey)
	ch, err := New(parseTrig(t, pagerDutyTrigger(`, "auto_resolve_after": 60000`)), WithGuard(localGuard(t)), PagerDutyBaseURL(pd.URL()))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	n := incidentNote("ntf_0123456789abcdef0123456789abcdef")
	pd.answerNext(forced{status: 500, body: `{"status":"error"}`})
	if se := sendErr(t, ch.Send(ctx, n)); !se.Retryable || se.StatusCode != 500 {
		t.Fatalf("500: %v", se)
	}
	for range 3 { // the retry, a replay, a resend in doubt
		if err := ch.Send(ctx, n); err != nil {
			t.Fatal(err)
		}
	}
	if opened, _ := pd.incidents(); opened != 1 || pd.triggers[n.ID] != 3 {
		t.Fatalf("opened %d incidents with %d triggers, want 1 with 3", opened, pd.triggers[n.ID])
	}
	// The event is the one PagerDuty documents.
	var ev map[string]any
	if err := json.Unmarshal(pd.lastBody(), &ev); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"routing_key": pdKey, "event_action": "trigger", "dedup_key": n.ID, "client": "ozmon",
		"payload": map[string]any{
			"summary": "Vault <deposits>: deposit of 2240", "source": "Vault <deposits>", "severity": "critical",
			"timestamp": "2026-01-02T03:04:05Z", "component": "vault",
			"custom_details": map[string]any{"body": "from GABC", "monitor": "Vault <deposits>", "network": "stellar_mainnet",
				"notification_id": n.ID, "match": anyMap(sampleVars())},
		},
		// The second link rendered to no URL and is left out.
		"links": []any{map[string]any{"href": "https://stellar.expert/explorer/public/tx/ab12cd", "text": "Transaction"}},
	}
	if got, exp := mustJSON(t, ev), mustJSON(t, want); got != exp {
		t.Fatalf("event\n got %s\nwant %s", got, exp)
	}
	r, ok := ch.(Resolver)
	if !ok {
		t.Fatal("a PagerDuty channel is not a Resolver")
	}
	if err := r.Resolve(ctx, n); err != nil {
		t.Fatal(err)
	}
	if got := string(pd.lastBody()); got != `{"routing_key":"`+pdKey+`","event_action":"resolve","dedup_key":"`+n.ID+`"}` {
		t.Fatalf("resolve event %s", got)
	}
	if _, open := pd.incidents(); open[n.ID] {
		t.Fatal("incident still open after Resolve")
	}
	if err := ch.Send(ctx, incidentNote("ntf_second")); err != nil {
		t.Fatal(err)
	}
	if opened, _ := pd.incidents(); opened != 2 {
		t.Fatalf("a second notification opened %d incidents in all, want 2", opened)
	}
	// Without an ID there is no dedup_key: refused before anything is sent.
	before := pd.requests()
	if se := sendErr(t, ch.Send(ctx, incidentNote(""))); se.Retryable || pd.requests() != before {
		t.Fatalf("send without id: %v, %d requests", se, pd.requests()-before)
	}
}

func anyMap(m map[string]string) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		out[k] = v
	}
	return out
}

func mustJSON(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestPagerDutyTemplatedSeverityAndRedaction(t *testing.T) {
	t.Parallel()
	pd := startPagerDuty(t, pdKey)
	ch, err := New(parseTrig(t, pagerDutyTrigger(`, "redact_details": true`)), WithGuard(localGuard(t)), PagerDutyBaseURL(pd.URL()))
	if err != nil {
		t.Fatal(err)
	}
	n := incidentNote("ntf_sev")
	n.Vars["functions.0.args.level"] = "warning"
	if err := ch.Send(context.Background(), n); err != nil {
		t.Fatal(err)
	}
	var ev struct {
		Payload struct {
			Severity      string `json:"severity"`
			CustomDetails struct {
				Match map[string]string `json:"match"`
			} `json:"custom_details"`
		} `json:"payload"`
	}
	if err := json.Unmarshal(pd.lastBody(), &ev); err != nil {
		t.Fatal(err)
	}
	if ev.Payload.Severity != "warning" {
		t.Errorf("severity %q, want the template's warning", ev.Payload.Severity)
	}
	m := ev.Payload.CustomDetails.Match
	if m["functions.0.args.amount"] != redactedValue || m["events.0.args.2"] != redactedValue || m["functions.0.args.level"] != redactedValue {
		t.Errorf("argument values not redacted: %v", m)
	}
	if m["monitor.name"] != "Vault <deposits>" || m["transaction.hash"] != "ab12cd" || m["functions.0.signature"] != "deposit(Address,I128)" {
		t.Errorf("what matched is gone: %v", m)
	}
}

// 4xx is permanent, with PagerDuty's error text, the routing key masked; 429 is retried.
func TestPagerDutyErrors(t *testing.T) {
	t.Parallel()
	pd := startPagerDuty(t, "another-key-entirely")
	ch, err := New(parseTrig(t, pagerDutyTrigger("")), WithGuard(localGuard(t)), PagerDutyBaseURL(pd.URL()))
	if err != nil {
		t.Fatal(err)
	}
	se := sendErr(t, ch.Send(context.Background(), incidentNote("ntf_x")))
	if se.Retryable || se.StatusCode != 400 || !strings.Contains(se.Error(), "Event object is invalid") || !strings.Contains(se.Error(), "is not a valid integration key") {
		t.Fatalf("400: %v", se)
	}
	if strings.Contains(se.Error(), pdKey) || !strings.Contains(se.Error(), "[REDACTED]") {
		t.Fatalf("routing key not masked: %v", se)
	}
	pd.answerNext(forced{status: 429, body: `{"status":"throttle event","message":"Requests for this service are arriving too quickly.  Please retry later."}`})
	if se := sendErr(t, ch.Send(context.Background(), incidentNote("ntf_x"))); !se.Retryable || se.StatusCode != 429 || se.RetryAfter != 0 {
		t.Fatalf("429: %v", se)
	}
}

func opsgenieTrigger(extra string) string {
	return `{"name": "og", "trigger_type": "opsgenie", "config": {"api_key": {"type": "plain", "value": "` + ogKey + `"},
		"region": "eu", "priority": "P2", "responders": [{"type": "team", "name": "vault"}], "tags": ["vault", "${monitor.name}"],
		"entity": "${functions.0.args.from}",
		"message": {"title": "${monitor.name} ` + strings.Repeat("x", 200) + `", "body": "deposit of ${functions.0.args.amount}"}` + extra + `}}`
}

func TestOpsgenieOneAlertPerNotification(t *testing.T) {
	t.Parallel()
	og := startOpsgenie(t, ogKey)
	ch, err := New(parseTrig(t, opsgenieTrigger("")), WithGuard(localGuard(t)), OpsgenieBaseURL(og.URL()))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	n := incidentNote("ntf_og1")
	og.answerNext(forced{status: 429, header: map[string]string{"Retry-After": "7", "X-RateLimit-State": "THROTTLED"}, body: `{"message":"You are making too many requests!","took":0.0,"requestId":"r-429"}`})
	if se := sendErr(t, ch.Send(ctx, n)); !se.Retryable || se.RetryAfter != 7*time.Second {
		t.Fatalf("429: %v (retry after %s)", se, se.RetryAfter)
	}
	for range 2 {
		if err := ch.Send(ctx, n); err != nil {
			t.Fatal(err)
		}
	}
	if og.created != 1 || og.count[n.ID] != 2 {
		t.Fatalf("created %d alerts, raised %d times; want 1, 2", og.created, og.count[n.ID])
	}
	path, h, body := og.last()
	if path != "/v2/alerts" || h.Get("Authorization") != "GenieKey "+ogKey {
		t.Fatalf("request %s %v", path, h)
	}
	var a map[string]any
	if err := json.Unmarshal(body, &a); err != nil {
		t.Fatal(err)
	}
	if msg := a["message"].(string); len([]rune(msg)) != 130 || !strings.HasPrefix(msg, "Vault <deposits> xxx") {
		t.Errorf("message not cut to 130 characters: %q", msg)
	}
	if a["alias"] != n.ID || a["priority"] != "P2" || a["description"] != "deposit of 2240" || a["entity"] != "GABC" || a["source"] != "ozmon" ||
		fmt.Sprint(a["tags"]) != `[vault Vault <deposits>]` || mustJSON(t, a["responders"]) != `[{"name":"vault","type":"team"}]` {
		t.Errorf("alert %s", body)
	}
	if d := a["details"].(map[string]any); d["network"] != "stellar_mainnet" || d["notification_id"] != n.ID || d["functions.0.args.amount"] != "2240" {
		t.Errorf("details %v", d)
	}
	if err := ch.(Resolver).Resolve(ctx, n); err != nil {
		t.Fatal(err)
	}
	path, _, body = og.last()
	if path != "/v2/alerts/"+n.ID+"/close?identifierType=alias" || !strings.Contains(string(body), `"source":"ozmon"`) {
		t.Fatalf("close %s %s", path, body)
	}
	if og.open[n.ID] {
		t.Fatal("alert open after Resolve")
	}
}

func TestOpsgenieErrorsAndRegion(t *testing.T) {
	t.Parallel()
	og := startOpsgenie(t, ogKey)
	ch, err := New(parseTrig(t, opsgenieTrigger("")), WithGuard(localGuard(t)), OpsgenieBaseURL(og.URL()))
	if err != nil {
		t.Fatal(err)
	}
	og.answerNext(forced{status: 422, body: `{"message":"Key GenieKey ` + ogKey + ` has no access to team vault","took":0.002,"requestId":"r-422"}`})
	se := sendErr(t, ch.Send(context.Background(), incidentNote("ntf_og2")))
	if se.Retryable || se.StatusCode != 422 || !strings.Contains(se.Error(), "has no access to team vault") || strings.Contains(se.Error(), ogKey) {
		t.Fatalf("422: %v", se)
	}
	// Without the test's base URL the region picks the endpoint.
	for region, host := range map[string]string{"eu": "api.eu.opsgenie.com", "us": "api.opsgenie.com"} {
		c, err := New(parseTrig(t, strings.Replace(opsgenieTrigger(""), `"region": "eu"`, `"region": "`+region+`"`, 1)))
		if err != nil {
			t.Fatal(err)
		}
		if d := Destination(c); d != host {
			t.Errorf("region %s: destination %s, want %s", region, d, host)
		}
	}
}

func datadogTrigger(extra string) string {
	return `{"name": "dd", "trigger_type": "datadog", "config": {"api_key": {"type": "plain", "value": "` + ddKey + `"},
		"site": "datadoghq.eu", "alert_type": "warning", "tags": ["team:vault", "amount:${functions.0.args.amount}"],
		"message": {"title": "${monitor.name} ` + strings.Repeat("y", 120) + `", "body": "deposit of ${functions.0.args.amount}"}` + extra + `}}`
}

func TestDatadogEvent(t *testing.T) {
	t.Parallel()
	dd := startDatadog(t, ddKey)
	ch, err := New(parseTrig(t, datadogTrigger("")), WithGuard(localGuard(t)), DatadogBaseURL(dd.URL()))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	n := incidentNote("ntf_dd1")
	dd.answerNext(forced{status: 429, header: map[string]string{"X-RateLimit-Limit": "1000", "X-RateLimit-Period": "60", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "12"}, body: `{"errors":["Rate limit exceeded"]}`})
	if se := sendErr(t, ch.Send(ctx, n)); !se.Retryable || se.RetryAfter != 12*time.Second {
		t.Fatalf("429: %v (retry after %s)", se, se.RetryAfter)
	}
	if err := ch.Send(ctx, n); err != nil {
		t.Fatal(err)
	}
	_, h, _ := dd.last()
	if h.Get("DD-API-KEY") != ddKey {
		t.Fatalf("DD-API-KEY %q", h.Get("DD-API-KEY"))
	}
	e := dd.events[0]
	if title := e["title"].(string); len(title) != 100 {
		t.Errorf("title not cut to 100 bytes: %d", len(title))
	}
	if e["text"] != "deposit of 2240" || e["alert_type"] != "warning" || e["aggregation_key"] != n.ID || e["priority"] != "normal" ||
		e["date_happened"] != float64(n.MatchedAt.Unix()) ||
		fmt.Sprint(e["tags"]) != `[tenant:t1 monitor:Vault <deposits> network:stellar_mainnet team:vault amount:2240]` {
		t.Errorf("event %v", e)
	}
	// A wrong key: 403, permanent, Datadog's text kept.
	bad, err := New(parseTrig(t, strings.Replace(datadogTrigger(""), ddKey, "not-the-key", 1)), WithGuard(localGuard(t)), DatadogBaseURL(dd.URL()))
	if err != nil {
		t.Fatal(err)
	}
	se := sendErr(t, bad.Send(ctx, n))
	if se.Retryable || se.StatusCode != 403 || !strings.Contains(se.Error(), `{"errors":["Forbidden"]}`) {
		t.Fatalf("403: %v", se)
	}
	if _, ok := ch.(Resolver); ok {
		t.Error("a Datadog channel claims to resolve")
	}
	c, _ := New(parseTrig(t, datadogTrigger("")))
	if d := Destination(c); d != "api.datadoghq.eu" {
		t.Errorf("destination %s", d)
	}
}

func TestTeamsCard(t *testing.T) {
	t.Parallel()
	const path = "/workflows/abc123/triggers/manual/paths/invoke?api-version=1&sig=SECRETSIGNATURE0001"
	tf := startTeams(t, path)
	tr := &ozconfig.Trigger{Key: "tm", Name: "tm", TriggerType: ozconfig.TriggerTeams, Teams: &ozconfig.TeamsConfig{
		TeamsURL: ozconfig.PlainSecret(tf.URL() + path),
		Message:  ozconfig.NotificationMessage{Title: "**${monitor.name}**", Body: "memo: ${events.0.args.0}"},
	}}
	ch, err := New(tr, WithGuard(localGuard(t)))
	if err != nil {
		t.Fatal(err)
	}
	n := incidentNote("ntf_tm")
	n.Vars["events.0.args.0"] = "[click](http://evil) <at>Ana</at> <AT id=\"0\">x</AT> *bold* _it_ `code` \\"
	if err := ch.Send(context.Background(), n); err != nil {
		t.Fatal(err)
	}
	want := `{"type":"message","attachments":[{"contentType":"application/vnd.microsoft.card.adaptive","content":{` +
		`"$schema":"http://adaptivecards.io/schemas/adaptive-card.json","type":"AdaptiveCard","version":"1.4","body":[` +
		`{"type":"TextBlock","text":"**Vault \\<deposits\\>**","wrap":true,"weight":"Bolder","size":"Medium"},` +
		`{"type":"TextBlock","text":"memo: \\[click\\]\\(http://evil\\) \\<` + zwsp + `at\\>Ana\\<` + zwsp + `/at\\> \\<` + zwsp + `AT id=\"0\"\\>x\\<` + zwsp + `/AT\\> \\*bold\\* \\_it\\_ \\` + "`" + `code\\` + "`" + ` \\\\","wrap":true}]}}]}`
	if got := string(tf.lastBody()); got != want {
		t.Fatalf("card\n got %s\nwant %s", got, want)
	}
	tf.answerNext(forced{status: 429, header: map[string]string{"Retry-After": "3"}})
	if se := sendErr(t, ch.Send(context.Background(), n)); !se.Retryable || se.RetryAfter != 3*time.Second {
		t.Fatalf("429: %v", se)
	}
	// Legacy connectors: 200 "1" is success, 200 with a failure text is not.
	tf.answerNext(forced{status: 200, body: "1"})
	if err := ch.Send(context.Background(), n); err != nil {
		t.Fatalf("legacy success: %v", err)
	}
	tf.answerNext(forced{status: 200, body: "Webhook message delivery failed with error: Microsoft Teams endpoint returned HTTP error 429 with ContextId tcid=0"})
	if se := sendErr(t, ch.Send(context.Background(), n)); !se.Retryable || se.Channel != "teams" || se.StatusCode != 200 {
		t.Fatalf("legacy throttled: %v", se)
	}
	tf.answerNext(forced{status: 400, body: `{"error":{"code":"InvalidRequestContent","message":"bad card; url ` + tf.URL() + path + `"}}`})
	se := sendErr(t, ch.Send(context.Background(), n))
	if se.Retryable || !strings.Contains(se.Error(), "InvalidRequestContent") || strings.Contains(se.Error(), "SECRETSIGNATURE0001") {
		t.Fatalf("400: %v", se)
	}
	if s := fmt.Sprintf("%v %+v %#v", ch, ch, ch); strings.Contains(s, "SECRET") {
		t.Fatalf("channel prints its URL: %s", s)
	}
}

// What the delivery handler asks of every channel, for the four new ones.
func TestIncidentChannelsContract(t *testing.T) {
	t.Parallel()
	teams := &ozconfig.Trigger{Name: "tm", TriggerType: ozconfig.TriggerTeams, Teams: &ozconfig.TeamsConfig{
		TeamsURL: ozconfig.PlainSecret("https://prod-01.westus.logic.azure.com/workflows/x?sig=s"), Message: ozconfig.NotificationMessage{Title: "t", Body: "b"}}}
	for _, tc := range []struct {
		trig      *ozconfig.Trigger
		kind      string
		carriesID bool
		resolves  time.Duration
		dest      string
	}{
		{parseTrig(t, pagerDutyTrigger(`, "auto_resolve_after": {"secs": 3600, "nanos": 0}, "retry_policy": {"max_retries": 7}`)), "notify.PagerDuty", true, time.Hour, "events.pagerduty.com"},
		{parseTrig(t, opsgenieTrigger(`, "retry_policy": {"max_retries": 7}`)), "notify.Opsgenie", true, 0, "api.eu.opsgenie.com"},
		{parseTrig(t, datadogTrigger(`, "retry_policy": {"max_retries": 7}`)), "notify.Datadog", false, 0, "api.datadoghq.eu"},
		{teams, "notify.Teams", false, 0, "prod-01.westus.logic.azure.com"},
	} {
		ch, err := New(tc.trig)
		if err != nil {
			t.Fatal(err)
		}
		if s := fmt.Sprintf("%v|%#v", ch, ch); !strings.HasPrefix(s, tc.kind+"{") || strings.Contains(s, pdKey) || strings.Contains(s, ogKey) || strings.Contains(s, ddKey) {
			t.Errorf("%s prints as %s", tc.kind, s)
		}
		if CarriesID(ch) != tc.carriesID || Destination(ch) != tc.dest || AutoResolveAfter(tc.trig) != tc.resolves || UsesMatchJSON(ch) {
			t.Errorf("%s: carries id %v, destination %s, auto-resolve %s", tc.kind, CarriesID(ch), Destination(ch), AutoResolveAfter(tc.trig))
		}
		if tc.trig.Teams == nil && RetryPolicy(tc.trig).MaxRetries != 7 {
			t.Errorf("%s: retry policy %v is not the trigger's", tc.kind, RetryPolicy(tc.trig))
		}
	}
}

// The destination guard applies at validation: an API base or webhook on a private address
// is refused unless allow-listed.
func TestIncidentChannelsCheckedByGuard(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, tr := range []*ozconfig.Trigger{parseTrig(t, pagerDutyTrigger("")), parseTrig(t, opsgenieTrigger("")), parseTrig(t, datadogTrigger(""))} {
		if err := Check(ctx, tr, PagerDutyBaseURL("http://127.0.0.1:1"), OpsgenieBaseURL("http://10.0.0.1"), DatadogBaseURL("http://169.254.169.254")); !errors.Is(err, ErrRefused) {
			t.Errorf("%s: %v, want a refusal", tr.TriggerType, err)
		}
		if err := Check(ctx, tr, WithGuard(localGuard(t)), PagerDutyBaseURL("http://127.0.0.1:1"), OpsgenieBaseURL("http://127.0.0.1:1"), DatadogBaseURL("http://127.0.0.1:1")); err != nil {
			t.Errorf("%s allow-listed: %v", tr.TriggerType, err)
		}
	}
	teams := &ozconfig.Trigger{Name: "tm", TriggerType: ozconfig.TriggerTeams, Teams: &ozconfig.TeamsConfig{TeamsURL: ozconfig.PlainSecret("https://127.0.0.1/hook")}}
	if err := Check(ctx, teams); !errors.Is(err, ErrRefused) {
		t.Errorf("teams on loopback: %v", err)
	}
}

func TestRetryAfterFromRateLimitHeaders(t *testing.T) {
	t.Parallel()
	now := time.Unix(1_800_000_000, 0)
	for _, tc := range []struct {
		status int
		h      map[string]string
		want   time.Duration
	}{
		{429, map[string]string{"Retry-After": "5", "X-RateLimit-Reset": "50"}, 5 * time.Second},
		{429, map[string]string{"X-RateLimit-Reset": "12"}, 12 * time.Second},                   // Datadog: seconds to go
		{429, map[string]string{"X-RateLimit-Reset": "1800000030.5"}, 30500 * time.Millisecond}, // a Unix time
		{429, map[string]string{"X-RateLimit-Reset-After": "1.25"}, 1250 * time.Millisecond},
		{429, map[string]string{"X-RateLimit-Period-In-Sec": "60"}, time.Minute}, // Opsgenie
		{429, map[string]string{"X-RateLimit-Reset": "1700000000"}, 0},           // in the past
		{503, map[string]string{"X-RateLimit-Reset": "12"}, 0},                   // budget, not this failure
		{503, map[string]string{"Retry-After": "4"}, 4 * time.Second},
	} {
		h := http.Header{}
		for k, v := range tc.h {
			h.Set(k, v)
		}
		if got := retryAfter(tc.status, h, now); got != tc.want {
			t.Errorf("%d %v: %s, want %s", tc.status, tc.h, got, tc.want)
		}
	}
}
