package ozconfig

import (
	"strings"
	"testing"
)

func TestWarnings(t *testing.T) {
	t.Parallel()
	n, err := ParseNetwork("networks/eth.json", []byte(`{"network_type": "EVM", "slug": "eth", "name": "Ethereum",
		"rpc_urls": [{"type_": "rpc", "url": {"type": "plain", "value": "http://127.0.0.1:8545"}, "weight": 0}],
		"block_time_ms": 12000, "confirmation_blocks": 12, "cron_schedule": "0 */1 * * * *", "max_past_blocks": 10}`))
	if err != nil {
		t.Fatal(err)
	}
	ts, err := ParseTriggers("triggers/t.json", []byte(`{
		"hook": {"name": "h", "trigger_type": "webhook", "config": {"url": {"type": "plain", "value": "http://x.example"},
			"headers": {"Content-Type": "application/json"}, "message": {"title": "t", "body": "b"}}},
		"signed": {"name": "s", "trigger_type": "webhook", "config": {"url": {"type": "plain", "value": "https://x.example"},
			"headers": {"authorization": "Bearer k"}, "payload_mode": "raw"}},
		"tg": {"name": "tg", "trigger_type": "telegram", "config": {"token": {"type": "plain", "value": "1234567890:ABCDEFGHIJKLMNOPQRSTUVWXYZ"},
			"chat_id": "1", "message": {"title": "t", "body": "b"}}},
		"tg_ok": {"name": "tg ok", "trigger_type": "telegram", "config": {"token": {"type": "plain", "value": "123456789:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"},
			"chat_id": "1", "message": {"title": "t", "body": "b"}}},
		"mail": {"name": "m", "trigger_type": "email", "config": {"host": "smtp.example.org", "port": 25,
			"username": {"type": "plain", "value": "u"}, "password": {"type": "plain", "value": "p"},
			"message": {"title": "t", "body": "b"}, "sender": "a@example.org", "recipients": ["b@example.org"]}}}`))
	if err != nil {
		t.Fatal(err)
	}
	c := &Config{Networks: map[string]*Network{"eth": n}, Triggers: map[string]*Trigger{}}
	for _, tr := range ts {
		c.Triggers[tr.Key] = tr
	}
	var got []string
	for _, w := range c.Warnings("") {
		got = append(got, w.Error())
	}
	want := []string{
		`networks/eth.json: rpc_urls[0].url: uses an unencrypted protocol (http:// or ws://)`,
		`networks/eth.json: rpc_urls: no RPC URL with a weight above 0; the network cannot be reached`,
		`networks/eth.json: max_past_blocks: 10 is below the 18 blocks one tick of "0 */1 * * * *" produces; blocks may be skipped`,
		`triggers/t.json: hook.config.url: uses unencrypted http://`,
		`triggers/t.json: hook.config.headers: no X-API-Key or Authorization header and no signing secret; the receiver cannot authenticate calls`,
		`triggers/t.json: mail.config.port: 25 is not a usual SMTP port (465, 587 or 993)`,
		`triggers/t.json: tg.config.token: does not look like a Telegram bot token (8-10 digits, ':', 35 characters)`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
