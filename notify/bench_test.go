package notify

import (
	"context"
	"testing"

	"github.com/ozmon/ozmon/monitor/ozconfig"
	"github.com/ozmon/ozmon/ozmontest"
)

// benchVars are sampleVars with the ${functions} summary monitor.Match.Variables adds.
func benchVars() map[string]string {
	vars := sampleVars()
	vars["functions"] = ozconfig.Summary("Functions", []string{vars["functions.0.signature"]}, []map[string]string{{
		"from": vars["functions.0.args.from"], "amount": vars["functions.0.args.amount"],
	}})
	return vars
}

func BenchmarkRender(b *testing.B) {
	vars := benchVars()
	tmpl := "*${monitor.name}* deposit of ${functions.0.args.amount} by ${functions.0.args.from}\n" +
		"${functions}\nhttps://stellar.expert/explorer/public/tx/${transaction.hash} ${unknown}"
	b.ReportAllocs()
	for b.Loop() {
		_ = render(tmpl, vars)
	}
}

func BenchmarkWebhookSend(b *testing.B) {
	sink := ozmontest.StartWebhookSink(b)
	ch, err := newWebhook("bench", webhookConfig{
		URL:     sink.URL() + "/hook",
		Secret:  "bench-secret",
		Message: messageTemplate{Title: "${monitor.name}", Body: "tx ${transaction.hash}${functions}"},
	}, WithGuard(localGuard(b)))
	if err != nil {
		b.Fatal(err)
	}
	n := Notification{TenantID: "t1", Vars: benchVars()}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if err := ch.Send(ctx, n); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "sends/s")
}

// BenchmarkChannelSend is BenchmarkWebhookSend for every HTTP channel, each against a local
// receiver: the webhook sink for webhook and Slack, and the vendor fakes (which parse and
// check every request) for PagerDuty, Opsgenie, Datadog and Teams.
func BenchmarkChannelSend(b *testing.B) {
	sink := ozmontest.StartWebhookSink(b)
	pd := startPagerDuty(b, pdKey)
	og := startOpsgenie(b, ogKey)
	dd := startDatadog(b, ddKey)
	tm := startTeams(b, "/workflows/bench")
	g := localGuard(b)
	msg := ozconfig.NotificationMessage{Title: "${monitor.name}", Body: "tx ${transaction.hash}${functions}"}
	webhook, err := newWebhook("bench", webhookConfig{URL: sink.URL() + "/hook", Secret: "bench-secret",
		Message: messageTemplate{Title: msg.Title, Body: msg.Body}}, WithGuard(g))
	if err != nil {
		b.Fatal(err)
	}
	chans := []struct {
		name string
		ch   Channel
	}{
		{"webhook", webhook},
		{"slack", newSlack("bench", sink.URL()+"/services/T/B/X", messageTemplate{Title: msg.Title, Body: msg.Body}, WithGuard(g))},
		{"teams", newTeams("bench", tm.URL()+"/workflows/bench", messageTemplate{Title: msg.Title, Body: msg.Body}, WithGuard(g))},
	}
	for _, c := range []struct {
		name string
		trig *ozconfig.Trigger
	}{
		{"pagerduty", &ozconfig.Trigger{Name: "bench", TriggerType: ozconfig.TriggerPagerDuty, PagerDuty: &ozconfig.PagerDutyConfig{RoutingKey: ozconfig.PlainSecret(pdKey), Message: msg}}},
		{"opsgenie", &ozconfig.Trigger{Name: "bench", TriggerType: ozconfig.TriggerOpsgenie, Opsgenie: &ozconfig.OpsgenieConfig{APIKey: ozconfig.PlainSecret(ogKey), Message: msg}}},
		{"datadog", &ozconfig.Trigger{Name: "bench", TriggerType: ozconfig.TriggerDatadog, Datadog: &ozconfig.DatadogConfig{APIKey: ozconfig.PlainSecret(ddKey), Message: msg}}},
	} {
		ch, err := New(c.trig, WithGuard(g), PagerDutyBaseURL(pd.URL()), OpsgenieBaseURL(og.URL()), DatadogBaseURL(dd.URL()))
		if err != nil {
			b.Fatal(err)
		}
		chans = append(chans, struct {
			name string
			ch   Channel
		}{c.name, ch})
	}
	n := Notification{ID: "ntf_0123456789abcdef0123456789abcdef", TenantID: "t1", Vars: benchVars(), Monitor: "Vault", Network: "stellar_mainnet"}
	ctx := context.Background()
	for _, c := range chans {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := c.ch.Send(ctx, n); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "sends/s")
		})
	}
}
