package api

import (
	"context"
	"time"

	"github.com/ozmon/ozmon/auth"
)

// The fields below are served by packages that merge later (tenantconfig:
// the config write path, quotas and audit; auth: keys, users and the
// operator; usage: rollups). Each checks the caller's role first, so the
// answer a role gets does not change when the implementation lands.

func (r *queryResolver) Monitors(ctx context.Context) ([]Monitor, error) {
	return nil, pending(ctx, "monitors", canRead)
}
func (r *queryResolver) Monitor(ctx context.Context, _ string) (*Monitor, error) {
	return nil, pending(ctx, "monitor", canRead)
}
func (r *queryResolver) Triggers(ctx context.Context) ([]Trigger, error) {
	return nil, pending(ctx, "triggers", canRead)
}
func (r *queryResolver) Trigger(ctx context.Context, _ string) (*Trigger, error) {
	return nil, pending(ctx, "trigger", canRead)
}
func (r *queryResolver) AuditLog(ctx context.Context, _ *int, _ *string) (*AuditConnection, error) {
	return nil, pending(ctx, "auditLog", canManage)
}
func (r *queryResolver) Usage(ctx context.Context, _, _ time.Time) ([]UsageHour, error) {
	return nil, pending(ctx, "usage", canRead)
}
func (r *queryResolver) APIKeys(ctx context.Context) ([]APIKey, error) {
	return nil, pending(ctx, "apiKeys", canManage)
}

func (r *mutationResolver) CreateMonitor(ctx context.Context, _ any) (*Monitor, error) {
	return nil, pending(ctx, "createMonitor", canWrite)
}
func (r *mutationResolver) ReplaceMonitor(ctx context.Context, _ string, _ any) (*Monitor, error) {
	return nil, pending(ctx, "replaceMonitor", canWrite)
}
func (r *mutationResolver) PauseMonitor(ctx context.Context, _ string) (*Monitor, error) {
	return nil, pending(ctx, "pauseMonitor", canWrite)
}
func (r *mutationResolver) ResumeMonitor(ctx context.Context, _ string) (*Monitor, error) {
	return nil, pending(ctx, "resumeMonitor", canWrite)
}
func (r *mutationResolver) DeleteMonitor(ctx context.Context, _ string) (bool, error) {
	return false, pending(ctx, "deleteMonitor", canWrite)
}
func (r *mutationResolver) CreateTrigger(ctx context.Context, _ any) (*Trigger, error) {
	return nil, pending(ctx, "createTrigger", canWrite)
}
func (r *mutationResolver) ReplaceTrigger(ctx context.Context, _ string, _ any) (*Trigger, error) {
	return nil, pending(ctx, "replaceTrigger", canWrite)
}
func (r *mutationResolver) PauseTrigger(ctx context.Context, _ string) (*Trigger, error) {
	return nil, pending(ctx, "pauseTrigger", canWrite)
}
func (r *mutationResolver) ResumeTrigger(ctx context.Context, _ string) (*Trigger, error) {
	return nil, pending(ctx, "resumeTrigger", canWrite)
}
func (r *mutationResolver) DeleteTrigger(ctx context.Context, _ string) (bool, error) {
	return false, pending(ctx, "deleteTrigger", canWrite)
}
func (r *mutationResolver) ImportConfig(ctx context.Context, _ []FileInput) (*ImportResult, error) {
	return nil, pending(ctx, "importConfig", canWrite)
}
func (r *mutationResolver) CreateAPIKey(ctx context.Context, _ string, _ Role, _ *time.Time) (*CreatedAPIKey, error) {
	return nil, pending(ctx, "createApiKey", canManage)
}
func (r *mutationResolver) RevokeAPIKey(ctx context.Context, _ string) (*APIKey, error) {
	return nil, pending(ctx, "revokeApiKey", canManage)
}
func (r *mutationResolver) Login(_ context.Context, _, _, _ string) (*Session, error) {
	return nil, notImplemented("login")
}
func (r *mutationResolver) CreateTenant(ctx context.Context, _ CreateTenantInput) (*Tenant, error) {
	if err := operatorOnly(ctx, "createTenant"); err != nil {
		return nil, err
	}
	return nil, notImplemented("createTenant")
}
func (r *mutationResolver) SetTenant(ctx context.Context, _ string, _ SetTenantInput) (*Tenant, error) {
	if err := operatorOnly(ctx, "setTenant"); err != nil {
		return nil, err
	}
	return nil, notImplemented("setTenant")
}

// pending checks the caller may use field, then says it is not served yet.
func pending(ctx context.Context, field string, may func(auth.Role) bool) error {
	if _, err := tenantCaller(ctx, field, may); err != nil {
		return err
	}
	return notImplemented(field)
}

// operatorOnly refuses anyone but the operator. A tenant's caller is told
// FORBIDDEN: the operator's fields exist for everyone to see in the
// schema, so refusing them leaks nothing about another tenant.
func operatorOnly(ctx context.Context, field string) error {
	p, err := caller(ctx)
	if err != nil {
		return err
	}
	if !p.Operator {
		return newError(CodeForbidden, "%s: only the operator may do this", field)
	}
	return nil
}
