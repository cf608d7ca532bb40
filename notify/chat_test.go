package notify

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ozmon/ozmon/ozmontest"
)

const slackPath = "/services/T000/B000/XXXXSECRETXXXXTOKEN"

func TestSlackSend(t *testing.T) {
	t.Parallel()
	sink := ozmontest.StartWebhookSink(t)
	ch := newSlack("vault slack", sink.URL()+slackPath,
		messageTemplate{Title: "${monitor.name} fired", Body: "amount ${functions.0.args.amount} & <b>"},
		WithGuard(localGuard(t)))
	r := sendOne(t, sink, ch, sampleVars())
	if r.Method != http.MethodPost || r.Path != slackPath {
		t.Fatalf("got %s %s", r.Method, r.Path)
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		t.Fatalf("content type %q", ct)
	}
	want := `{"blocks":[{"type":"section","text":{"type":"mrkdwn","text":"*Vault &lt;deposits&gt; fired*\n\namount 2240 & <b>"}}]}`
	if string(r.Body) != want {
		t.Fatalf("body\n got %s\nwant %s", r.Body, want)
	}
}

func TestDiscordSend(t *testing.T) {
	t.Parallel()
	sink := ozmontest.StartWebhookSink(t)
	ch := newDiscord("vault discord", sink.URL()+"/api/webhooks/111/tokentokentoken",
		messageTemplate{Title: "Vault event", Body: "tx ${transaction.hash}${events}"},
		WithGuard(localGuard(t)))
	if err := ch.Send(context.Background(), Notification{TenantID: "t1", Vars: map[string]string{"transaction.hash": "ab", "events": ""}}); err != nil {
		t.Fatalf("send: %v", err)
	}
	r := sink.Requests()[0]
	if r.Method != http.MethodPost || r.Path != "/api/webhooks/111/tokentokentoken" {
		t.Fatalf("got %s %s", r.Method, r.Path)
	}
	if want := `{"content":"*Vault event*\n\ntx ab","allowed_mentions":{"parse":[]}}`; string(r.Body) != want {
		t.Fatalf("body\n got %s\nwant %s", r.Body, want)
	}
}

func TestTelegramSend(t *testing.T) {
	t.Parallel()
	sink := ozmontest.StartWebhookSink(t)
	const token = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsawx"
	for _, preview := range []bool{true, false} {
		ch := newTelegram("vault tg", token, "-100123456789", preview,
			messageTemplate{Title: "Vault v1.2", Body: "*Amount*: ${functions.0.args.amount} (net-1)"},
			WithGuard(localGuard(t)), TelegramBaseURL(sink.URL()))
		if err := ch.Send(context.Background(), Notification{TenantID: "t1", Vars: sampleVars()}); err != nil {
			t.Fatalf("send: %v", err)
		}
	}
	reqs, err := sink.WaitFor(2, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	for i, preview := range []string{"true", "false"} {
		r := reqs[i]
		if r.Method != http.MethodPost || r.Path != "/bot"+token+"/sendMessage" {
			t.Fatalf("got %s %s", r.Method, r.Path)
		}
		want := `{"chat_id":"-100123456789","text":"*Vault v1\\.2* \n\n*Amount*: 2240 \\(net\\-1\\)","parse_mode":"MarkdownV2","disable_web_page_preview":` + preview + `}`
		if string(r.Body) != want {
			t.Fatalf("body\n got %s\nwant %s", r.Body, want)
		}
	}
}

func TestEscapeMarkdownV2(t *testing.T) {
	t.Parallel()
	cases := []struct{ in, want string }{
		{"plain text", "plain text"},
		{"a.b!c-d", `a\.b\!c\-d`},
		{`_*[]()~` + "`" + `>#+-=|{}.!\`, `\_\*\[\]\(\)\~\` + "`" + `\>\#\+\-\=\|\{\}\.\!\\`},
		{"*bold.* then.", `*bold.* then\.`},
		{"_it.alic_ x", "_it.alic_ x"},
		{"~strike.~", "~strike.~"},
		{"`code.x` y.", "`code.x` y\\."},
		{"```\nfn(a.b)\n``` z.", "```\nfn(a.b)\n``` z\\."},
		{"see [a.b](https://x.io/p_q) now.", `see [a\.b](https://x\.io/p\_q) now\.`},
		{"unclosed *star.", `unclosed \*star\.`},
		{"héllo (ü)", `héllo \(ü\)`},
	}
	for _, c := range cases {
		if got := escapeMarkdownV2(c.in); got != c.want {
			t.Errorf("EscapeMarkdownV2(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// A failing chat webhook must say channel, tenant, trigger and status, classify the
// failure, and never show the URL or its token.
func TestChatErrorsAreClassifiedAndRedacted(t *testing.T) {
	t.Parallel()
	sink := ozmontest.StartWebhookSink(t,
		ozmontest.SinkRateLimited(1, "7"),
		ozmontest.SinkResponses(
			ozmontest.SinkResponse{Status: 503, Body: "down " + slackPath},
			ozmontest.SinkResponse{Status: 404, Body: "no_service"},
		))
	const token = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsawx"
	chans := []struct {
		kind string
		ch   Channel
	}{
		{"slack", newSlack("s", sink.URL()+slackPath, messageTemplate{Title: "t", Body: "b"}, WithGuard(localGuard(t)))},
		{"discord", newDiscord("d", sink.URL()+slackPath, messageTemplate{Title: "t", Body: "b"}, WithGuard(localGuard(t)))},
		{"telegram", newTelegram("g", token, "1", false, messageTemplate{Title: "t", Body: "b"}, WithGuard(localGuard(t)), TelegramBaseURL(sink.URL()))},
	}
	want := []struct {
		status    int
		retryable bool
		after     time.Duration
	}{{429, true, 7 * time.Second}, {503, true, 0}, {404, false, 0}}
	for i, c := range chans {
		err := c.ch.Send(context.Background(), Notification{TenantID: "tenant-9"})
		var se *SendError
		if !errors.As(err, &se) {
			t.Fatalf("%s: want *SendError, got %v", c.kind, err)
		}
		w := want[i]
		if se.StatusCode != w.status || se.Retryable != w.retryable || se.RetryAfter != w.after || se.Channel != c.kind {
			t.Fatalf("%s: got %+v, want status %d retryable %v after %v", c.kind, se, w.status, w.retryable, w.after)
		}
		msg := err.Error()
		for _, secret := range []string{slackPath, "XXXXSECRETXXXXTOKEN", token, sink.URL()} {
			if strings.Contains(msg, secret) {
				t.Fatalf("%s: error %q reveals %q", c.kind, msg, secret)
			}
		}
		for _, must := range []string{c.kind, "tenant-9", `"` + se.Trigger + `"`} {
			if !strings.Contains(msg, must) {
				t.Fatalf("%s: error %q lacks %q", c.kind, msg, must)
			}
		}
	}
}

// A connection error carries *url.Error, whose text holds the full URL; it must not leak.
func TestTransportErrorRedacted(t *testing.T) {
	t.Parallel()
	sink := ozmontest.StartWebhookSink(t)
	url := sink.URL() + slackPath
	_ = sink.Close() // nothing listens any more: connection refused
	ch := newSlack("s", url, messageTemplate{Title: "t", Body: "b"}, WithGuard(localGuard(t)))
	err := ch.Send(context.Background(), Notification{TenantID: "t1"})
	if err == nil {
		t.Fatal("send to a closed port succeeded")
	}
	if !IsRetryable(err) {
		t.Fatalf("connection refused should be retryable: %v", err)
	}
	if strings.Contains(err.Error(), "XXXXSECRETXXXXTOKEN") || strings.Contains(err.Error(), slackPath) {
		t.Fatalf("error reveals the URL: %v", err)
	}
}
