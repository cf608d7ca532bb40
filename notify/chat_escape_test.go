package notify

import (
	"testing"

	"github.com/ozmon/ozmon/chain"
	"github.com/ozmon/ozmon/monitor"
	"github.com/ozmon/ozmon/ozmontest"
)

// hostileVars is on-chain text trying Slack's and Discord's control syntax.
func hostileVars() map[string]string {
	const memo = "@everyone @here <!channel> <!here> <@U024BE7LH> <http://evil.example|click> [click](http://evil.example) <#123> </cmd:1> a&b"
	return (&monitor.Match{
		MonitorName: "Vault",
		Transaction: &chain.Transaction{Hash: "ab12"},
		MatchedOn: monitor.MatchedOn{
			Functions: []monitor.FunctionMatch{{Signature: "f(Map<String,I128>)"}},
			Events:    []monitor.EventMatch{{Signature: "memo(String)"}},
		},
		MatchedOnArgs: monitor.MatchedOnArgs{Events: []monitor.ArgsEntry{
			{Signature: "memo(String)", Args: []monitor.Arg{{Name: "memo", Value: memo}}},
		}},
	}).Variables()
}

// TestSlackEscapesValues: a value cannot notify a channel, mention a user
// or hide a link behind a label; the template's own markup stays.
func TestSlackEscapesValues(t *testing.T) {
	t.Parallel()
	sink := ozmontest.StartWebhookSink(t)
	ch := newSlack("slack", sink.URL()+slackPath,
		messageTemplate{Title: "${monitor.name} <!here>", Body: "memo: ${events.0.args.memo} <https://ok.example|docs>${functions}"},
		WithGuard(localGuard(t)))
	got := string(sendOne(t, sink, ch, hostileVars()).Body)
	want := `{"blocks":[{"type":"section","text":{"type":"mrkdwn","text":"*Vault <!here>*\n\nmemo: @everyone @here &lt;!channel&gt; &lt;!here&gt; &lt;@U024BE7LH&gt; &lt;http://evil.example|click&gt; [click](http://evil.example) &lt;#123&gt; &lt;/cmd:1&gt; a&amp;b <https://ok.example|docs>\n\n*Matched Functions:*\n\n*Reason 1*\n\n*Signature:* ` + "`f(Map&lt;String,I128&gt;)`" + `\n\n*Params:*\n"}}]}`
	if got != want {
		t.Fatalf("body\n got %s\nwant %s", got, want)
	}
}

// TestDiscordEscapesValues: no mention pings (allowed_mentions parses
// none), and a value's mentions and masked links are broken by a
// zero-width space; the template's own text stays.
func TestDiscordEscapesValues(t *testing.T) {
	t.Parallel()
	sink := ozmontest.StartWebhookSink(t)
	ch := newDiscord("discord", sink.URL()+"/api/webhooks/111/tokentokentoken",
		messageTemplate{Title: "${monitor.name} @here", Body: "memo: ${events.0.args.memo} [docs](https://ok.example)"},
		WithGuard(localGuard(t)))
	got := string(sendOne(t, sink, ch, hostileVars()).Body)
	want := "{\"content\":\"*Vault @here*\\n\\nmemo: @\u200beveryone @\u200bhere <!channel> <!here> <\u200b@U024BE7LH> <http://evil.example|click> " +
		"[click]\u200b(http://evil.example) <\u200b#123> <\u200b/cmd:1> a&b [docs](https://ok.example)\",\"allowed_mentions\":{\"parse\":[]}}"
	if got != want {
		t.Fatalf("body\n got %s\nwant %s", got, want)
	}
}

func TestEscapeDiscordAndSlack(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"":                   "",
		"plain 123":          "plain 123",
		"@everyone":          "@\u200beveryone",
		"<@&42>":             "<\u200b@&42>",
		"[a](b) [c] (d)":     "[a]\u200b(b) [c] (d)",
		"user@example.com":   "user@example.com",
		"`<@1>` ```@here```": "`<\u200b@1>` ```@\u200bhere```",
	} {
		if got := escapeDiscord(in); got != want {
			t.Errorf("EscapeDiscord(%q) = %q, want %q", in, got, want)
		}
	}
	if got := escapeSlack("<a|b> & <!here>"); got != "&lt;a|b&gt; &amp; &lt;!here&gt;" {
		t.Errorf("EscapeSlack = %q", got)
	}
}
