package notify_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"time"

	"github.com/ozmon/ozmon/monitor/ozconfig"
	"github.com/ozmon/ozmon/notify"
)

// verifyOZ is a receiver's check of ozmon's default webhook signing, OpenZeppelin Monitor's:
// X-Signature is the hex HMAC-SHA256, keyed with the shared secret, of the exact body bytes
// followed by the X-Timestamp string (Unix milliseconds). The timestamp window is what stops
// a captured request from being replayed later: the signature alone would stay valid forever.
func verifyOZ(secret string, header http.Header, body []byte, window time.Duration, now time.Time) error {
	ts := header.Get("X-Timestamp")
	ms, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return errors.New("X-Timestamp is not Unix milliseconds")
	}
	if age := now.Sub(time.UnixMilli(ms)); age > window || age < -window {
		return fmt.Errorf("X-Timestamp is %s away from now", age.Round(time.Second))
	}
	sig, err := hex.DecodeString(header.Get("X-Signature"))
	if err != nil {
		return errors.New("X-Signature is not hex")
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	mac.Write([]byte(ts))
	if !hmac.Equal(sig, mac.Sum(nil)) { // constant-time
		return errors.New("X-Signature does not match")
	}
	return nil
}

// receiver is a webhook endpoint that verifies each request, then processes each notification
// once, however many times ozmon sends it.
type receiver struct {
	secret string
	mu     sync.Mutex
	seen   map[string]bool // Idempotency-Key → processed; a real receiver keeps this in its database
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		http.Error(w, "read body", http.StatusBadRequest)
		return
	}
	// Verify the bytes as received: decoding and re-encoding the JSON would change them.
	if err := verifyOZ(rc.secret, r.Header, body, 5*time.Minute, time.Now()); err != nil {
		http.Error(w, err.Error(), http.StatusUnauthorized)
		return
	}
	key := r.Header.Get("Idempotency-Key")
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if rc.seen[key] {
		// Answer 2xx all the same: ozmon then stops retrying.
		fmt.Println("duplicate", key, "acknowledged, not processed again")
		return
	}
	fmt.Printf("processing %s: %s\n", key, body)
	rc.seen[key] = true
}

// A receiver of ozmon's webhooks checks the signature and its timestamp, then deduplicates on
// Idempotency-Key: the same notification sent twice (a retry, or a worker that crashed
// between sending and recording the send) is processed once.
func Example_receiver() {
	const secret = "hmac-key-0123456789"
	srv := httptest.NewServer(&receiver{secret: secret, seen: map[string]bool{}})
	defer srv.Close()

	guard, err := notify.NewGuard(notify.Allow("127.0.0.1")) // the receiver is local here
	if err != nil {
		fmt.Println(err)
		return
	}
	// The trigger as a tenant writes it, in OpenZeppelin Monitor's format.
	trigger, err := ozconfig.ParseTrigger("vault_hook.json", fmt.Appendf(nil, `{
	  "name": "vault hook", "trigger_type": "webhook",
	  "config": {
	    "url": {"type": "plain", "value": %q},
	    "method": "POST",
	    "secret": {"type": "plain", "value": %q},
	    "message": {"title": "${monitor.name}", "body": "deposit of ${functions.0.args.amount}"}
	  }}`, srv.URL+"/ozmon", secret))
	if err != nil {
		fmt.Println(err)
		return
	}
	hook, err := notify.New(trigger, notify.WithGuard(guard))
	if err != nil {
		fmt.Println(err)
		return
	}
	n := notify.Notification{
		ID:   "ntf_0123456789abcdef0123456789abcdef",
		Vars: map[string]string{"monitor.name": "Vault deposits", "functions.0.args.amount": "2240"},
	}
	for range 2 {
		if err := hook.Send(context.Background(), n); err != nil {
			fmt.Println(err)
		}
	}
	// Output:
	// processing ntf_0123456789abcdef0123456789abcdef: {"title":"Vault deposits","body":"deposit of 2240"}
	// duplicate ntf_0123456789abcdef0123456789abcdef acknowledged, not processed again
}

// A receiver of Standard Webhooks checks the request with the shared secret; here the request
// is the spec's published example.
func ExampleVerifyStandardWebhook() {
	const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	body := []byte(`{"test": 2432232314}`)
	header := http.Header{}
	header.Set("webhook-id", "msg_p5jXN8AQM9LWM0D4loKWxJek")
	header.Set("webhook-timestamp", "1614265330")
	header.Set("webhook-signature", "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
	sent := time.Unix(1614265330, 0)

	fmt.Println(notify.VerifyStandardWebhook(secret, header, body, 5*time.Minute, sent.Add(3*time.Second)))
	err := notify.VerifyStandardWebhook(secret, header, []byte(`{"test": 1}`), 5*time.Minute, sent.Add(3*time.Second))
	fmt.Println(errors.Is(err, notify.ErrWebhookSignature))
	err = notify.VerifyStandardWebhook(secret, header, body, 5*time.Minute, sent.Add(time.Hour))
	fmt.Println(errors.Is(err, notify.ErrWebhookTimestamp))
	fmt.Println("dedupe on", header.Get("webhook-id"))
	// Output:
	// <nil>
	// true
	// true
	// dedupe on msg_p5jXN8AQM9LWM0D4loKWxJek
}
