-- What each tenant occupied in PostgreSQL when it was last measured
-- (MeasureTenantStorage, run by the scheduler's maintenance rounds): its
-- delivery records (payloads among them) and its configuration, against
-- its max_storage_mb. Measuring reads the whole delivery log, so it is
-- done on the maintenance schedule and kept here; the request paths — a
-- worker deciding whether to keep a notification's payload, a config
-- write — read this row instead.
CREATE TABLE IF NOT EXISTS ozmon_tenant_storage (
    tenant_id UUID PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
    delivery_bytes BIGINT NOT NULL DEFAULT 0,
    payload_bytes BIGINT NOT NULL DEFAULT 0,
    config_bytes BIGINT NOT NULL DEFAULT 0,
    quota_bytes BIGINT NOT NULL,
    over BOOLEAN NOT NULL DEFAULT FALSE,
    measured_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
);
