package notify

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"testing"
	"time"
)

// The test vector the Standard Webhooks reference libraries check (the spec's own example,
// also in Svix's libraries). Reproducing it is what says a receiver's library accepts ours.
const (
	specSecret    = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	specID        = "msg_p5jXN8AQM9LWM0D4loKWxJek"
	specTimestamp = 1614265330
	specBody      = `{"test": 2432232314}`
	specSignature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
)

func specHeader(signatures string) http.Header {
	h := http.Header{}
	h.Set("webhook-id", specID)
	h.Set("webhook-timestamp", "1614265330")
	h.Set("webhook-signature", signatures)
	return h
}

// specHeaderWith is the spec vector's header with one field replaced, or removed if value is "".
func specHeaderWith(name, value string) http.Header {
	h := specHeader(specSignature)
	h.Del(name)
	if value != "" {
		h.Set(name, value)
	}
	return h
}

func TestStandardWebhookSpecVector(t *testing.T) {
	t.Parallel()
	got, err := standardWebhookSignature(specSecret, specID, time.Unix(specTimestamp, 0), []byte(specBody))
	if err != nil {
		t.Fatal(err)
	}
	if got != specSignature {
		t.Fatalf("signature\n got %s\nwant %s", got, specSignature)
	}
	// Sub-second parts of the time are not signed: the header carries whole seconds.
	if again, _ := standardWebhookSignature(specSecret, specID, time.Unix(specTimestamp, 999_999_999), []byte(specBody)); again != specSignature {
		t.Fatalf("sub-second part changed the signature: %s", again)
	}
	at := time.Unix(specTimestamp, 0)
	if err := VerifyStandardWebhook(specSecret, specHeader(specSignature), []byte(specBody), 0, at); err != nil {
		t.Fatalf("verify the spec vector: %v", err)
	}
}

func TestVerifyStandardWebhook(t *testing.T) {
	t.Parallel()
	at := time.Unix(specTimestamp, 0)
	body := []byte(specBody)
	for _, tc := range []struct {
		name    string
		secret  string
		header  http.Header
		body    []byte
		tol     time.Duration
		now     time.Time
		wantErr error // nil: verifies; errAny: some error
	}{
		{"valid", specSecret, specHeader(specSignature), body, 0, at, nil},
		{"one of several signatures", specSecret, specHeader("v1,bm9wZQ== v2,whatever v1a,x " + specSignature), body, 0, at, nil},
		{"unknown versions only", specSecret, specHeader("v2," + specSignature[3:]), body, 0, at, ErrWebhookSignature},
		{"signature not base64", specSecret, specHeader("v1,@@@"), body, 0, at, ErrWebhookSignature},
		{"wrong secret", "whsec_" + base64.StdEncoding.EncodeToString([]byte("another key")), specHeader(specSignature), body, 0, at, ErrWebhookSignature},
		// The same key bytes given raw instead of as whsec_ base64 are another key.
		{"whsec_ secret given raw", "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", specHeader(specSignature), body, 0, at, ErrWebhookSignature},
		{"tampered body", specSecret, specHeader(specSignature), []byte(`{"test": 2432232315}`), 0, at, ErrWebhookSignature},
		{"re-encoded body", specSecret, specHeader(specSignature), []byte(`{"test":2432232314}`), 0, at, ErrWebhookSignature},
		{"tampered id", specSecret, specHeaderWith("webhook-id", "msg_other"), body, 0, at, ErrWebhookSignature},
		{"stale, default tolerance", specSecret, specHeader(specSignature), body, 0, at.Add(5*time.Minute + time.Second), ErrWebhookTimestamp},
		{"at the edge of the default tolerance", specSecret, specHeader(specSignature), body, 0, at.Add(5 * time.Minute), nil},
		{"from the future", specSecret, specHeader(specSignature), body, 0, at.Add(-6 * time.Minute), ErrWebhookTimestamp},
		{"stale, tight tolerance", specSecret, specHeader(specSignature), body, 30 * time.Second, at.Add(31 * time.Second), ErrWebhookTimestamp},
		{"wide tolerance", specSecret, specHeader(specSignature), body, time.Hour, at.Add(59 * time.Minute), nil},
		{"timestamp not seconds", specSecret, specHeaderWith("webhook-timestamp", "1614265330000.5"), body, 0, at, errAny},
		{"absurd timestamp", specSecret, specHeaderWith("webhook-timestamp", "-9223372036854775808"), body, 0, at, ErrWebhookTimestamp},
		{"missing id", specSecret, specHeaderWith("webhook-id", ""), body, 0, at, errAny},
		{"missing timestamp", specSecret, specHeaderWith("webhook-timestamp", ""), body, 0, at, errAny},
		{"missing signature", specSecret, specHeaderWith("webhook-signature", ""), body, 0, at, errAny},
		{"secret not base64", "whsec_!!!", specHeader(specSignature), body, 0, at, errAny},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := VerifyStandardWebhook(tc.secret, tc.header, tc.body, tc.tol, tc.now)
			switch {
			case tc.wantErr == nil && err != nil:
				t.Fatalf("got %v, want it to verify", err)
			case tc.wantErr == errAny && err == nil, tc.wantErr != nil && tc.wantErr != errAny && !errors.Is(err, tc.wantErr):
				t.Fatalf("got %v, want %v", err, tc.wantErr)
			}
		})
	}
}

var errAny = errors.New("any error")

// A secret without the whsec_ prefix is used as raw bytes; a whsec_ one must decode.
func TestSignStandardWebhookSecrets(t *testing.T) {
	t.Parallel()
	at := time.Unix(specTimestamp, 0)
	got, err := standardWebhookSignature("plain-shared-secret", specID, at, []byte(specBody))
	if err != nil {
		t.Fatal(err)
	}
	mac := hmac.New(sha256.New, []byte("plain-shared-secret"))
	mac.Write([]byte(specID + ".1614265330." + specBody))
	if want := "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil)); got != want {
		t.Fatalf("raw secret: got %s, want %s", got, want)
	}
	for _, bad := range []string{"", "whsec_", "whsec_not base64!", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaS"} {
		if _, err := standardWebhookSignature(bad, specID, at, []byte(specBody)); err == nil {
			t.Errorf("secret %q accepted", bad)
		}
	}
}
