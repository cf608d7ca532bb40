package tenantconfig

import (
	"context"
	"errors"
	"fmt"

	"github.com/ozmon/ozmon/auth"
	"github.com/ozmon/ozmon/store"
)

// Check answers whether Apply would accept change, without writing: it
// runs the same edit, validation, stored-network and quota checks on the
// tenant's stored configuration, read without the tenant's row lock (an
// editor validating as the user types must not queue behind writers). A
// concurrent write may still change the answer Apply gives later.
//
// It returns nil when Apply would accept the change, or the *Error Apply
// would return (VALIDATION_FAILED with its Problems, QUOTA_EXCEEDED,
// NOT_FOUND, FORBIDDEN). Callers are authorized as for Apply.
func (w *Writer) Check(ctx context.Context, tenantID string, actor auth.Principal, change Change) error {
	if change == nil {
		return errors.New("tenantconfig: check: nil change")
	}
	if err := authorize(tenantID, actor); err != nil {
		return err
	}
	t, rows, err := w.st.TenantRows(ctx, tenantID)
	if errors.Is(err, store.ErrNotFound) {
		return &Error{Code: CodeNotFound, Message: "tenant not found"}
	}
	if err != nil {
		return fmt.Errorf("tenantconfig: check change for tenant %s: %w", tenantID, err)
	}
	registry, err := w.st.OperatorNetworks(ctx)
	if err != nil {
		return fmt.Errorf("tenantconfig: check change for tenant %s: %w", tenantID, err)
	}
	_, _, _, err = w.check(ctx, t, rows, registry, actor, change)
	return err
}

// authorize admits the operator and a tenant's writers to the tenant; a
// caller of another tenant gets NOT_FOUND, as for a tenant that does not
// exist.
func authorize(tenantID string, actor auth.Principal) error {
	if actor.Operator {
		return nil
	}
	if actor.TenantID == "" || actor.TenantID != tenantID {
		return &Error{Code: CodeNotFound, Message: "tenant not found"}
	}
	if !actor.Role.CanWrite() {
		return &Error{Code: CodeForbidden, Message: fmt.Sprintf("role %s may not change the configuration", actor.Role)}
	}
	return nil
}
