package auth

import (
	"errors"
	"fmt"
)

// ErrUnauthenticated is wrapped by every refusal of a credential. The
// wrapping error's text adds a reason safe to show the caller (expired,
// revoked, malformed, unknown, …) and never contains the credential.
var ErrUnauthenticated = errors.New("unauthenticated")

// ErrBusy means too many password or key verifications are already
// waiting: the caller should retry shortly. It bounds the argon2 work
// that unknown or wrong credentials can make the server do.
var ErrBusy = errors.New("too many credential checks in progress, retry shortly")

func refuse(reason string) error { return fmt.Errorf("%w: %s", ErrUnauthenticated, reason) }

// The reasons an API caller may see.
var (
	errMalformed     = refuse("malformed credential")
	errUnknownKey    = refuse("unknown API key")
	errRevokedKey    = refuse("API key revoked")
	errExpiredKey    = refuse("API key expired")
	errTenantOff     = refuse("tenant is disabled")
	errBadToken      = refuse("invalid session token")
	errExpiredToken  = refuse("session token expired")
	errNoSessions    = refuse("session tokens are not enabled (api.jwt_secret is unset)")
	errWrongLogin    = refuse("wrong e-mail or password")
	errUserOff       = refuse("user is disabled")
	errNotMember     = refuse("not a member of this tenant")
	errWrongOperator = refuse("unknown credential")
)
