-- The tenant API's write path (tenantconfig).

-- What the workers hit when they last loaded a tenant (items skipped,
-- quotas trimmed); one row per tenant, replaced on each load.
CREATE TABLE IF NOT EXISTS ozmon_tenant_problems (
    tenant_id UUID PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
    problems JSONB NOT NULL DEFAULT '[]',
    reported_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
);

-- The audit log is read per tenant, newest first, by cursor.
CREATE INDEX IF NOT EXISTS idx_audit_logs_tenant_created_id ON audit_logs(tenant_id, created_at DESC, id DESC);
