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
