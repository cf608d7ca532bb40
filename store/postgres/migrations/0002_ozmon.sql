-- ozmon's own tables, and the fixes to the tenant-isolation schema that
-- ozmon's runtime relies on (tenant-db.md §6).

-- Monitors and triggers are referenced by name at runtime (a monitor lists
-- its triggers by name; deliveries are keyed by monitor name), so a name
-- must mean one thing within a tenant.
CREATE UNIQUE INDEX IF NOT EXISTS tenant_monitors_tenant_id_name_key ON tenant_monitors(tenant_id, name);
CREATE UNIQUE INDEX IF NOT EXISTS tenant_triggers_tenant_id_name_key ON tenant_triggers(tenant_id, name);

-- A monitor may only hang off a network of its own tenant, and a trigger
-- off a monitor of its own tenant; the original single-column foreign keys
-- let one tenant attach to another tenant's rows.
CREATE UNIQUE INDEX IF NOT EXISTS tenant_networks_id_tenant_id_key ON tenant_networks(id, tenant_id);
CREATE UNIQUE INDEX IF NOT EXISTS tenant_monitors_id_tenant_id_key ON tenant_monitors(id, tenant_id);
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_constraint
                   WHERE conname = 'tenant_monitors_network_same_tenant'
                     AND conrelid = 'tenant_monitors'::regclass) THEN
        ALTER TABLE tenant_monitors ADD CONSTRAINT tenant_monitors_network_same_tenant
            FOREIGN KEY (network_id, tenant_id) REFERENCES tenant_networks(id, tenant_id) ON DELETE CASCADE;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_constraint
                   WHERE conname = 'tenant_triggers_monitor_same_tenant'
                     AND conrelid = 'tenant_triggers'::regclass) THEN
        ALTER TABLE tenant_triggers ADD CONSTRAINT tenant_triggers_monitor_same_tenant
            FOREIGN KEY (monitor_id, tenant_id) REFERENCES tenant_monitors(id, tenant_id) ON DELETE CASCADE;
    END IF;
END
$$;

-- Operator settings that belong to the database (schema) rather than to a
-- process, such as the LISTEN/NOTIFY channel; Migrate writes them.
CREATE TABLE IF NOT EXISTS ozmon_settings (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
);

CREATE TABLE IF NOT EXISTS ozmon_tenant_settings (
    tenant_id UUID PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
    tier TEXT NOT NULL DEFAULT 'default' CHECK (tier IN ('critical', 'high', 'default', 'low')),
    settings JSONB NOT NULL DEFAULT '{}',
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
);

CREATE TABLE IF NOT EXISTS ozmon_network_cursors (
    network TEXT PRIMARY KEY,
    ledger BIGINT NOT NULL CHECK (ledger >= 0),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
);

CREATE TABLE IF NOT EXISTS ozmon_networks (
    slug TEXT PRIMARY KEY,
    configuration JSONB NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
);

CREATE TABLE IF NOT EXISTS ozmon_deliveries (
    tenant_id UUID NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    monitor TEXT NOT NULL,
    network TEXT NOT NULL,
    ledger BIGINT NOT NULL CHECK (ledger >= 0),
    tx_hash TEXT NOT NULL,
    trigger TEXT NOT NULL,
    task_id TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'sending', 'delivered', 'failed', 'archived')),
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT NOT NULL DEFAULT '',
    channel TEXT NOT NULL DEFAULT '',
    first_attempt_at TIMESTAMPTZ,
    delivered_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    PRIMARY KEY (tenant_id, monitor, network, ledger, tx_hash, trigger)
);

-- The admin filters: a tenant's recent deliveries (optionally one
-- monitor's), one task's, and all by status (the failed/archived views).
CREATE INDEX IF NOT EXISTS idx_ozmon_deliveries_tenant_created ON ozmon_deliveries(tenant_id, created_at DESC);
CREATE INDEX IF NOT EXISTS idx_ozmon_deliveries_tenant_monitor_created ON ozmon_deliveries(tenant_id, monitor, created_at DESC);
CREATE INDEX IF NOT EXISTS idx_ozmon_deliveries_task_id ON ozmon_deliveries(task_id);
CREATE INDEX IF NOT EXISTS idx_ozmon_deliveries_status_created ON ozmon_deliveries(status, created_at DESC);
CREATE INDEX IF NOT EXISTS idx_ozmon_deliveries_created ON ozmon_deliveries(created_at DESC);

DROP TRIGGER IF EXISTS update_ozmon_tenant_settings_updated_at ON ozmon_tenant_settings;
CREATE TRIGGER update_ozmon_tenant_settings_updated_at BEFORE UPDATE ON ozmon_tenant_settings
    FOR EACH ROW EXECUTE FUNCTION update_updated_at();

-- Config-change notifications. The payload is the tenant's id; the channel
-- is read from ozmon_settings so that several ozmon installations (or test
-- schemas) in one database do not hear each other. The function pins the
-- search_path it was created under: it runs inside whatever session writes
-- the row (the tenant API's too), whose search_path may not find
-- ozmon_settings.
CREATE OR REPLACE FUNCTION ozmon_notify_config_change()
RETURNS TRIGGER
LANGUAGE plpgsql
SET search_path FROM CURRENT
AS $$
DECLARE
    channel TEXT;
    old_id UUID;
    new_id UUID;
BEGIN
    SELECT value INTO channel FROM ozmon_settings WHERE name = 'notify_channel';
    IF channel IS NULL OR channel = '' THEN
        channel := 'ozmon_config_changes';
    END IF;
    IF TG_TABLE_NAME = 'tenants' THEN
        IF TG_OP <> 'INSERT' THEN old_id := OLD.id; END IF;
        IF TG_OP <> 'DELETE' THEN new_id := NEW.id; END IF;
    ELSE
        IF TG_OP <> 'INSERT' THEN old_id := OLD.tenant_id; END IF;
        IF TG_OP <> 'DELETE' THEN new_id := NEW.tenant_id; END IF;
    END IF;
    IF new_id IS NOT NULL THEN
        PERFORM pg_notify(channel, new_id::text);
    END IF;
    IF old_id IS NOT NULL AND old_id IS DISTINCT FROM new_id THEN
        PERFORM pg_notify(channel, old_id::text);
    END IF;
    RETURN NULL;
END;
$$;

DROP TRIGGER IF EXISTS ozmon_notify_tenants ON tenants;
CREATE TRIGGER ozmon_notify_tenants AFTER INSERT OR UPDATE OR DELETE ON tenants
    FOR EACH ROW EXECUTE FUNCTION ozmon_notify_config_change();
DROP TRIGGER IF EXISTS ozmon_notify_tenant_networks ON tenant_networks;
CREATE TRIGGER ozmon_notify_tenant_networks AFTER INSERT OR UPDATE OR DELETE ON tenant_networks
    FOR EACH ROW EXECUTE FUNCTION ozmon_notify_config_change();
DROP TRIGGER IF EXISTS ozmon_notify_tenant_monitors ON tenant_monitors;
CREATE TRIGGER ozmon_notify_tenant_monitors AFTER INSERT OR UPDATE OR DELETE ON tenant_monitors
    FOR EACH ROW EXECUTE FUNCTION ozmon_notify_config_change();
DROP TRIGGER IF EXISTS ozmon_notify_tenant_triggers ON tenant_triggers;
CREATE TRIGGER ozmon_notify_tenant_triggers AFTER INSERT OR UPDATE OR DELETE ON tenant_triggers
    FOR EACH ROW EXECUTE FUNCTION ozmon_notify_config_change();
DROP TRIGGER IF EXISTS ozmon_notify_tenant_settings ON ozmon_tenant_settings;
CREATE TRIGGER ozmon_notify_tenant_settings AFTER INSERT OR UPDATE OR DELETE ON ozmon_tenant_settings
    FOR EACH ROW EXECUTE FUNCTION ozmon_notify_config_change();
