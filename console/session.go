package console

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/redis/go-redis/v9"
)

// cookieName is the session cookie.
const cookieName = "ozmon_console"

// session is a signed-in caller: the credential the console presents to
// the API on their behalf, and what the pages show about them.
type session struct {
	Cred    string    `json:"cred"`
	Tenant  string    `json:"tenant"`
	Role    string    `json:"role"`
	Actor   string    `json:"actor"`
	CSRF    string    `json:"csrf"`
	Expires time.Time `json:"expires"`
}

// errNoSession is a request without a live session.
var errNoSession = errors.New("no console session")

// The cookie carries a random id and a random key; Redis holds the
// session under a digest of the id, sealed with the key. Neither side
// alone yields the credential.
const (
	idLen  = 16
	keyLen = 32
)

func (c *Console) redisKey(id []byte) string {
	sum := sha256.Sum256(id)
	return c.o.keyPrefix + hex.EncodeToString(sum[:])
}

// newSession stores s and sets its cookie.
func (c *Console) newSession(ctx context.Context, w http.ResponseWriter, r *http.Request, s session) error {
	var raw [idLen + keyLen]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return fmt.Errorf("new session id: %w", err)
	}
	s.CSRF = randomToken()
	plain, err := json.Marshal(s)
	if err != nil {
		return fmt.Errorf("encode session: %w", err)
	}
	sealed, err := seal(raw[idLen:], plain)
	if err != nil {
		return err
	}
	ttl := time.Until(s.Expires)
	if ttl <= 0 {
		return errors.New("new session: the credential has already expired")
	}
	if err := c.o.rdb.Set(ctx, c.redisKey(raw[:idLen]), sealed, ttl).Err(); err != nil {
		return fmt.Errorf("store session: %w", err)
	}
	http.SetCookie(w, c.cookie(r, base64.RawURLEncoding.EncodeToString(raw[:]), s.Expires))
	return nil
}

// sessionOf reads the request's session.
func (c *Console) sessionOf(r *http.Request) (session, error) {
	ck, err := r.Cookie(cookieName)
	if err != nil {
		return session{}, errNoSession
	}
	raw, err := base64.RawURLEncoding.DecodeString(ck.Value)
	if err != nil || len(raw) != idLen+keyLen {
		return session{}, errNoSession
	}
	sealed, err := c.o.rdb.Get(r.Context(), c.redisKey(raw[:idLen])).Bytes()
	if errors.Is(err, redis.Nil) {
		return session{}, errNoSession
	}
	if err != nil {
		return session{}, fmt.Errorf("read session: %w", err)
	}
	plain, err := open(raw[idLen:], sealed)
	if err != nil {
		return session{}, errNoSession
	}
	var s session
	if err := json.Unmarshal(plain, &s); err != nil {
		return session{}, errNoSession
	}
	if !c.o.now().Before(s.Expires) {
		return session{}, errNoSession
	}
	return s, nil
}

// endSession deletes the request's session and clears its cookie.
func (c *Console) endSession(w http.ResponseWriter, r *http.Request) error {
	http.SetCookie(w, c.cookie(r, "", time.Unix(1, 0)))
	ck, err := r.Cookie(cookieName)
	if err != nil {
		return nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(ck.Value)
	if err != nil || len(raw) != idLen+keyLen {
		return nil
	}
	if err := c.o.rdb.Del(r.Context(), c.redisKey(raw[:idLen])).Err(); err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	return nil
}

func (c *Console) cookie(r *http.Request, value string, expires time.Time) *http.Cookie {
	return &http.Cookie{
		Name: cookieName, Value: value, Path: prefix + "/", Expires: expires,
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil,
	}
}

func seal(key, plain []byte) ([]byte, error) {
	gcm, err := newGCM(key)
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, gcm.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("seal session: %w", err)
	}
	return gcm.Seal(nonce, nonce, plain, nil), nil
}

func open(key, sealed []byte) ([]byte, error) {
	gcm, err := newGCM(key)
	if err != nil {
		return nil, err
	}
	if len(sealed) < gcm.NonceSize() {
		return nil, errors.New("open session: too short")
	}
	return gcm.Open(nil, sealed[:gcm.NonceSize()], sealed[gcm.NonceSize():], nil)
}

func newGCM(key []byte) (cipher.AEAD, error) {
	b, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("session cipher: %w", err)
	}
	return cipher.NewGCM(b)
}

func randomToken() string {
	var b [24]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
	return base64.RawURLEncoding.EncodeToString(b[:])
}
