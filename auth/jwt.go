package auth

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
)

// Session tokens are HS256 JWTs, signed and checked here rather than with
// a JWT library: ozmon issues and accepts exactly one form, so the check
// is short enough to read whole, and "alg" is compared with the single
// accepted value instead of selecting a verifier (no "none", no RS256
// confusion by construction).

// jwtHeader is the only header ozmon signs and accepts.
const jwtHeader = `{"alg":"HS256","typ":"JWT"}`

// claims are a session token's claims: sub is the user's id, tid the
// tenant's; exp and iat are Unix seconds.
type claims struct {
	Sub string `json:"sub"`
	Tid string `json:"tid"`
	Exp int64  `json:"exp"`
	Iat int64  `json:"iat"`
}

func signJWT(c claims, secret []byte) (string, error) {
	payload, err := json.Marshal(c)
	if err != nil {
		return "", err
	}
	b64 := base64.RawURLEncoding
	unsigned := b64.EncodeToString([]byte(jwtHeader)) + "." + b64.EncodeToString(payload)
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(unsigned))
	return unsigned + "." + b64.EncodeToString(mac.Sum(nil)), nil
}

// parseJWT checks the token's header and signature and returns its
// claims; expiry is the caller's to check.
func parseJWT(tok string, secret []byte) (claims, error) {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return claims{}, errors.New("not three parts")
	}
	b64 := base64.RawURLEncoding
	hb, err := b64.DecodeString(parts[0])
	if err != nil {
		return claims{}, errors.New("header: bad encoding")
	}
	var h struct {
		Alg string `json:"alg"`
		Typ string `json:"typ"`
	}
	dec := json.NewDecoder(strings.NewReader(string(hb)))
	dec.DisallowUnknownFields() // no kid, jku, crit, …: nothing ozmon would honour
	if err := dec.Decode(&h); err != nil {
		return claims{}, errors.New("header: not the HS256 JWT header")
	}
	if h.Alg != "HS256" || (h.Typ != "" && h.Typ != "JWT") {
		return claims{}, errors.New("header: algorithm is not HS256")
	}
	sig, err := b64.DecodeString(parts[2])
	if err != nil {
		return claims{}, errors.New("signature: bad encoding")
	}
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(parts[0] + "." + parts[1]))
	if !hmac.Equal(sig, mac.Sum(nil)) {
		return claims{}, errors.New("signature mismatch")
	}
	pb, err := b64.DecodeString(parts[1])
	if err != nil {
		return claims{}, errors.New("payload: bad encoding")
	}
	var c claims
	if err := json.Unmarshal(pb, &c); err != nil {
		return claims{}, errors.New("payload: not JSON claims")
	}
	if c.Sub == "" || c.Tid == "" || c.Exp <= 0 {
		return claims{}, errors.New("payload: sub, tid or exp missing")
	}
	return c, nil
}
