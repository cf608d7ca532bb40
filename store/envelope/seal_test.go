package envelope

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

const (
	testSecret = "https://hooks.example.org/T0KEN-s3cret"
	testHeader = "Bearer hdr-s3cret"
)

func testTrigger() []byte {
	return []byte(`{"name":"Ops","trigger_type":"webhook","config":{
		"url":{"type":"Plain","value":"` + testSecret + `"},
		"method":"POST",
		"headers":{"Authorization":"` + testHeader + `"},
		"retry_policy":{"max_retries":3},
		"message":{"title":"a <b> & c","body":"amount 1e400 ${x}"}}}`)
}

func testKey(b byte) []byte { return bytes.Repeat([]byte{b}, KeySize) }

func keyring(t testing.TB, active string, ids ...string) *Keyring {
	t.Helper()
	keys := map[string][]byte{}
	for i, id := range ids {
		keys[id] = testKey(byte(i + 1))
	}
	k, err := NewKeyring(keys, active)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

var bind = Binding{Tenant: "7b0c1a52-0000-4000-8000-000000000001", Table: "tenant_triggers", Record: "ops"}

func TestSealOpenRoundTrip(t *testing.T) {
	k := keyring(t, "k1", "k1")
	in := testTrigger()
	out, st, err := k.Seal(bind, in)
	if err != nil {
		t.Fatal(err)
	}
	if st.Plain != 2 || st.Sealed != 2 {
		t.Fatalf("stats = %+v, want 2 plain, 2 sealed", st)
	}
	for _, s := range []string{testSecret, testHeader, "T0KEN", "hdr-s3cret"} {
		if bytes.Contains(out, []byte(s)) {
			t.Fatalf("sealed configuration holds %q: %s", s, out)
		}
	}
	// Non-secret text and numbers come back byte for byte.
	if !bytes.Contains(out, []byte(`"a <b> & c"`)) || !bytes.Contains(out, []byte(`"max_retries":3`)) {
		t.Fatalf("non-secret values changed: %s", out)
	}
	got, err := k.Open(bind, out)
	if err != nil {
		t.Fatal(err)
	}
	var a, b any
	if err := json.Unmarshal(in, &a); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(got, &b); err != nil {
		t.Fatal(err)
	}
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	if !bytes.Equal(ja, jb) {
		t.Fatalf("open(seal(x)) != x:\n%s\n%s", ja, jb)
	}
}

func TestSealLeavesSecretlessAndReferenceSecretsAlone(t *testing.T) {
	k := keyring(t, "k1", "k1")
	in := []byte(`{"config":{"url":{"type":"environment","value":"HOOK_URL"}}, "n": 1.50}`)
	out, st, err := k.Seal(bind, in)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out, in) || st.Plain != 0 {
		t.Fatalf("a configuration without plain secrets changed: %s (%+v)", out, st)
	}
}

func TestOpenRefusesAnotherBinding(t *testing.T) {
	k := keyring(t, "k1", "k1")
	out, _, err := k.Seal(bind, testTrigger())
	if err != nil {
		t.Fatal(err)
	}
	for name, b := range map[string]Binding{
		"tenant": {Tenant: "7b0c1a52-0000-4000-8000-000000000002", Table: bind.Table, Record: bind.Record},
		"record": {Tenant: bind.Tenant, Table: bind.Table, Record: "other"},
		"table":  {Tenant: bind.Tenant, Table: "tenant_networks", Record: bind.Record},
	} {
		_, err := k.Open(b, out)
		if !errors.Is(err, ErrOpen) {
			t.Fatalf("%s moved: err = %v, want ErrOpen", name, err)
		}
		if strings.Contains(err.Error(), "s3cret") {
			t.Fatalf("error holds the secret: %v", err)
		}
	}
	// A sealed value moved to another field of the same record.
	var doc map[string]any
	_ = json.Unmarshal(out, &doc)
	cfg := doc["config"].(map[string]any)
	h := cfg["headers"].(map[string]any)
	cfg["url"].(map[string]any)["value"], h["Authorization"] = h["Authorization"], cfg["url"].(map[string]any)["value"]
	swapped, _ := json.Marshal(doc)
	if _, err := k.Open(bind, swapped); !errors.Is(err, ErrOpen) {
		t.Fatalf("fields swapped: err = %v, want ErrOpen", err)
	}
}

func TestOpenWrongOrMissingKey(t *testing.T) {
	out, _, err := keyring(t, "k1", "k1").Seal(bind, testTrigger())
	if err != nil {
		t.Fatal(err)
	}
	// Same id, other bytes.
	other, err := NewKeyring(map[string][]byte{"k1": testKey(9)}, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.Open(bind, out); !errors.Is(err, ErrOpen) || !strings.Contains(err.Error(), `"k1"`) {
		t.Fatalf("wrong key: err = %v, want ErrOpen naming k1", err)
	}
	if _, err := keyring(t, "k2", "k2").Open(bind, out); !errors.Is(err, ErrNoKey) || !strings.Contains(err.Error(), `"k1"`) {
		t.Fatalf("missing key: err = %v, want ErrNoKey naming k1", err)
	}
	var none *Keyring
	if _, err := none.Open(bind, out); !errors.Is(err, ErrNoKey) {
		t.Fatalf("no keyring: err = %v, want ErrNoKey", err)
	}
	if got, err := none.Open(bind, testTrigger()); err != nil || !bytes.Equal(got, testTrigger()) {
		t.Fatalf("no keyring, plaintext row: %v", err)
	}
}

func TestResealRewrapsKeepingCiphertext(t *testing.T) {
	old := keyring(t, "k1", "k1")
	sealedOld, _, err := old.Seal(bind, testTrigger())
	if err != nil {
		t.Fatal(err)
	}
	both := keyring(t, "k2", "k1", "k2") // k1 = key 1, k2 = key 2
	re, st, err := both.Reseal(bind, sealedOld)
	if err != nil {
		t.Fatal(err)
	}
	if st.Rewrapped != 2 || st.Plain != 0 {
		t.Fatalf("stats = %+v, want 2 rewrapped", st)
	}
	before, after := scanData(t, sealedOld), scanData(t, re)
	if before != after {
		t.Fatalf("ciphertexts changed on rotation: %q → %q", before, after)
	}
	onlyNew, err := NewKeyring(map[string][]byte{"k2": testKey(2)}, "")
	if err != nil {
		t.Fatal(err)
	}
	got, err := onlyNew.Open(bind, re)
	if err != nil {
		t.Fatalf("open with the old key removed: %v", err)
	}
	if !bytes.Contains(got, []byte(testSecret)) {
		t.Fatalf("secret lost: %s", got)
	}
	// Reseal seals plaintext rows too (the migration path), and a second
	// run changes nothing.
	re2, st, err := both.Reseal(bind, testTrigger())
	if err != nil || st.Sealed != 2 {
		t.Fatalf("reseal plaintext: %+v, %v", st, err)
	}
	if again, st, err := both.Reseal(bind, re2); err != nil || !bytes.Equal(again, re2) || st.Rewrapped+st.Sealed != 0 {
		t.Fatalf("second reseal changed the row: %+v, %v", st, err)
	}
}

// scanData returns the ciphertexts of a sealed configuration, in order.
func scanData(t *testing.T, data []byte) string {
	t.Helper()
	var b strings.Builder
	dec := json.NewDecoder(bytes.NewReader(data))
	for {
		tok, err := dec.Token()
		if err != nil {
			break
		}
		if tok == "data" {
			v, _ := dec.Token()
			b.WriteString(v.(string) + ",")
		}
	}
	return b.String()
}

func TestSealRefusesSealedInput(t *testing.T) {
	k := keyring(t, "k1", "k1")
	out, _, err := k.Seal(bind, testTrigger())
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := k.Seal(bind, out); err == nil || !strings.Contains(err.Error(), "cannot be imported") {
		t.Fatalf("sealed input: err = %v", err)
	}
}

func TestScan(t *testing.T) {
	k := keyring(t, "k1", "k1")
	out, _, err := k.Seal(bind, testTrigger())
	if err != nil {
		t.Fatal(err)
	}
	st, err := Scan(out)
	if err != nil || st.Plain != 0 || st.Sealed != 2 || st.KeyIDs["k1"] != 2 {
		t.Fatalf("scan sealed: %+v, %v", st, err)
	}
	st, err = Scan(testTrigger())
	if err != nil || st.Plain != 2 || st.Sealed != 0 {
		t.Fatalf("scan plaintext: %+v, %v", st, err)
	}
}

func TestParseKeys(t *testing.T) {
	key := base64.StdEncoding.EncodeToString(testKey(7))
	k, err := ParseKeys([]string{"old:" + key, " new:" + base64.RawURLEncoding.EncodeToString(testKey(8)) + " "}, "new")
	if err != nil || k.Active() != "new" || !k.Has("old") {
		t.Fatalf("parse: %v, %v", k, err)
	}
	if s := k.String(); strings.Contains(s, key) {
		t.Fatalf("String shows key material: %s", s)
	}
	short := base64.StdEncoding.EncodeToString([]byte("sixteen byte key"))
	for name, c := range map[string]struct {
		entries []string
		active  string
		want    string
	}{
		"no colon":    {[]string{key}, "", "want id:base64key"},
		"not base64":  {[]string{"k1:%%%not-a-key%%%"}, "", "not base64"},
		"short":       {[]string{"k1:" + short}, "", "16 bytes, want 32"},
		"bad id":      {[]string{"k 1:" + key}, "", "use only letters"},
		"duplicate":   {[]string{"k1:" + key, "k1:" + key}, "", "given twice"},
		"no active":   {[]string{"k1:" + key, "k2:" + key}, "", "none named active"},
		"active gone": {[]string{"k1:" + key}, "k9", `"k9" is not among`},
		"none at all": {nil, "", "no keys"},
	} {
		_, err := ParseKeys(c.entries, c.active)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want %q", name, err, c.want)
			continue
		}
		for _, e := range c.entries {
			if _, v, _ := strings.Cut(e, ":"); len(v) > 8 && strings.Contains(err.Error(), v) || strings.Contains(err.Error(), key) {
				t.Errorf("%s: error repeats key material: %v", name, err)
			}
		}
	}
}
