package notify

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestCheckTriggerDestinations(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	webhook := parseTrigger(t, `{"w": {"name": "W", "trigger_type": "webhook", "config": {
	  "url": {"type": "plain", "value": "http://127.0.0.1:9/hook?token=qwerty123"},
	  "message": {"title": "t", "body": "b"}}}}`)
	err := Check(ctx, webhook)
	if !errors.Is(err, ErrRefused) {
		t.Fatalf("loopback webhook without allow-list: got %v", err)
	}
	if strings.Contains(err.Error(), "qwerty123") || strings.Contains(err.Error(), "/hook") {
		t.Fatalf("error reveals the URL: %v", err)
	}
	if err := Check(ctx, webhook, WithGuard(localGuard(t))); err != nil {
		t.Fatalf("allow-listed: %v", err)
	}
	metadata := parseTrigger(t, `{"w": {"name": "W", "trigger_type": "webhook", "config": {
	  "url": {"type": "plain", "value": "http://169.254.169.254/latest/meta-data/"},
	  "message": {"title": "t", "body": "b"}}}}`)
	if err := Check(ctx, metadata, WithGuard(localGuard(t))); !errors.Is(err, ErrRefused) {
		t.Fatalf("metadata address: got %v", err)
	}
	email := parseTrigger(t, fmt.Sprintf(`{"e": {"name": "E", "trigger_type": "email", "config": {
	  "host": "127.0.0.1", "port": 25,
	  "username": {"type": "plain", "value": "u"}, "password": {"type": "plain", "value": "p"},
	  "message": {"title": "t", "body": "b"}, "sender": "a@example.org", "recipients": [%q]}}}`, "b@example.org"))
	if err := Check(ctx, email); !errors.Is(err, ErrRefused) {
		t.Fatalf("loopback SMTP host: got %v", err)
	}
	telegram := parseTrigger(t, `{"g": {"name": "G", "trigger_type": "telegram", "config": {
	  "token": {"type": "plain", "value": "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsawx"}, "chat_id": "1",
	  "message": {"title": "t", "body": "b"}}}}`)
	if err := Check(ctx, telegram, TelegramBaseURL("http://10.0.0.8")); !errors.Is(err, ErrRefused) {
		t.Fatalf("private Telegram base: got %v", err)
	}
}
