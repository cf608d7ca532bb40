package ozconfig

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// SecretKind says where a SecretValue's real value comes from.
type SecretKind string

// The secret kinds of OpenZeppelin Monitor. In JSON the kind is
// case-insensitive ("plain", "Plain" and "PLAIN" are the same); these are the
// canonical spellings ozmon writes back.
const (
	SecretPlain               SecretKind = "Plain"
	SecretEnvironment         SecretKind = "Environment"
	SecretHashicorpCloudVault SecretKind = "HashicorpCloudVault"
)

// ErrSecretUnresolvable is wrapped by Resolve when a secret's value cannot
// be produced (unset environment variable, unsupported store).
var ErrSecretUnresolvable = errors.New("secret cannot be resolved")

// secretText hides a secret inside a closure: reflection cannot look into a
// func, so even a SecretValue printed through reflection (an unexported
// field of a parent, any verb) shows at most a code address.
type secretText func() string

func boxSecret(v string) secretText { return func() string { return v } }

// SecretValue is an OpenZeppelin Monitor secret ({"type": …, "value": …}).
// For Plain the value is the secret itself; for Environment it names an
// environment variable; for HashicorpCloudVault it names a vault secret.
// Formatting and JSON marshalling redact a Plain value; only Resolve reveals
// it, so that a config can be logged, shown or enqueued without leaking.
type SecretValue struct {
	kind SecretKind
	ref  secretText
}

// PlainSecret returns a secret whose value is v itself.
func PlainSecret(v string) SecretValue {
	return SecretValue{kind: SecretPlain, ref: boxSecret(v)}
}

// EnvSecret returns a secret read from the environment variable name.
func EnvSecret(name string) SecretValue {
	return SecretValue{kind: SecretEnvironment, ref: boxSecret(name)}
}

// VaultSecret returns a secret stored in HashiCorp Cloud Vault under name.
func VaultSecret(name string) SecretValue {
	return SecretValue{kind: SecretHashicorpCloudVault, ref: boxSecret(name)}
}

// Kind reports where the value comes from; "" for the zero SecretValue.
func (s SecretValue) Kind() SecretKind { return s.kind }

// IsZero reports whether the secret was never set.
func (s SecretValue) IsZero() bool { return s.ref == nil }

// Reference returns the environment variable or vault secret name, and ""
// for a Plain secret (whose value is the secret and is not a reference).
func (s SecretValue) Reference() string {
	if s.ref == nil || s.kind == SecretPlain {
		return ""
	}
	return s.ref()
}

// plain returns a Plain secret's value for validation inside the package;
// ok is false for other kinds, whose value is unknown until resolved.
func (s SecretValue) plain() (string, bool) {
	if s.ref == nil || s.kind != SecretPlain {
		return "", false
	}
	return s.ref(), true
}

// Resolve returns the secret's value. lookupEnv is os.LookupEnv in
// production; tests pass their own. HashicorpCloudVault is not supported by
// ozmon yet and always fails.
func (s SecretValue) Resolve(lookupEnv func(string) (string, bool)) (string, error) {
	if s.ref == nil {
		return "", fmt.Errorf("%w: secret is empty", ErrSecretUnresolvable)
	}
	switch s.kind {
	case SecretPlain:
		return s.ref(), nil
	case SecretEnvironment:
		if lookupEnv == nil {
			return "", fmt.Errorf("%w: no environment to read %s from", ErrSecretUnresolvable, Clip(s.ref()))
		}
		v, ok := lookupEnv(s.ref())
		if !ok {
			return "", fmt.Errorf("%w: environment variable %s is not set", ErrSecretUnresolvable, Clip(s.ref()))
		}
		return v, nil
	case SecretHashicorpCloudVault:
		return "", fmt.Errorf("%w: HashiCorp Cloud Vault secret %q: vault secrets are not supported", ErrSecretUnresolvable, Clip(s.ref()))
	}
	return "", fmt.Errorf("%w: unknown secret kind %q", ErrSecretUnresolvable, s.kind)
}

const redacted = "[REDACTED]"

// String describes the secret without revealing a Plain value.
func (s SecretValue) String() string {
	switch {
	case s.ref == nil:
		return "<empty secret>"
	case s.kind == SecretPlain:
		return "Plain(" + redacted + ")"
	default:
		return string(s.kind) + "(" + s.ref() + ")"
	}
}

// GoString makes %#v as safe as %v.
func (s SecretValue) GoString() string { return "ozconfig.SecretValue{" + s.String() + "}" }

// Format covers every verb (%s, %q, %x, %+v, …) so that no formatting path
// reaches the boxed value.
func (s SecretValue) Format(f fmt.State, verb rune) {
	switch verb {
	case 'q':
		fmt.Fprintf(f, "%q", s.String())
	case 'v':
		if f.Flag('#') {
			_, _ = f.Write([]byte(s.GoString()))
			return
		}
		_, _ = f.Write([]byte(s.String()))
	default:
		_, _ = f.Write([]byte(s.String()))
	}
}

// MarshalJSON writes the OpenZeppelin Monitor form with a Plain value
// replaced by a redaction marker; references are kept because they are
// names, not secrets.
func (s SecretValue) MarshalJSON() ([]byte, error) {
	if s.ref == nil {
		return []byte("null"), nil
	}
	v := s.ref()
	if s.kind == SecretPlain {
		v = redacted
	}
	return json.Marshal(struct {
		Type  string `json:"type"`
		Value string `json:"value"`
	}{string(s.kind), v})
}

// parseSecretKind accepts the kinds in any letter case, as OZ does.
func parseSecretKind(s string) (SecretKind, bool) {
	switch strings.ToLower(s) {
	case "plain":
		return SecretPlain, true
	case "environment":
		return SecretEnvironment, true
	case "hashicorpcloudvault":
		return SecretHashicorpCloudVault, true
	}
	return "", false
}
