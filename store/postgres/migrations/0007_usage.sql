-- Per-tenant usage rolled up per hour: cost attribution.
--
-- Every worker adds the counts it accumulated (one batched upsert per
-- flush, columns added to, never overwritten), so rows from several
-- workers sum by construction. No foreign key to tenants: a tenant deleted
-- while a worker still holds its counts must not make that worker's whole
-- flush fail, and billing history outlives the tenant.
CREATE TABLE IF NOT EXISTS ozmon_usage_hourly (
    tenant_id UUID NOT NULL,
    hour TIMESTAMPTZ NOT NULL,
    ledgers BIGINT NOT NULL DEFAULT 0,
    evaluations BIGINT NOT NULL DEFAULT 0,
    eval_cpu_us BIGINT NOT NULL DEFAULT 0,
    matches BIGINT NOT NULL DEFAULT 0,
    delivered BIGINT NOT NULL DEFAULT 0,
    failed BIGINT NOT NULL DEFAULT 0,
    archived BIGINT NOT NULL DEFAULT 0,
    retried BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, hour)
);
