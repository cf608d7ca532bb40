-- The schema of stellar-monitor-tenant-isolation (its migrations 001 and
-- 002), unchanged in tables, columns, types, defaults and index names, but
-- written so it can run on top of a database that already has it: every
-- CREATE is IF NOT EXISTS and triggers are dropped before being recreated.
-- All names are unqualified so the objects land in the first schema of the
-- search_path.

CREATE TABLE IF NOT EXISTS tenants (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    name VARCHAR(255) NOT NULL,
    slug VARCHAR(255) NOT NULL UNIQUE,
    is_active BOOLEAN DEFAULT true,
    max_monitors INTEGER DEFAULT 10,
    max_networks INTEGER DEFAULT 5,
    max_triggers_per_monitor INTEGER DEFAULT 10,
    max_rpc_requests_per_minute INTEGER DEFAULT 1000,
    max_storage_mb INTEGER DEFAULT 1000,
    created_at TIMESTAMPTZ DEFAULT NOW(),
    updated_at TIMESTAMPTZ DEFAULT NOW()
);

CREATE TABLE IF NOT EXISTS users (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    email VARCHAR(255) NOT NULL UNIQUE,
    password_hash VARCHAR(255) NOT NULL,
    is_active BOOLEAN DEFAULT true,
    created_at TIMESTAMPTZ DEFAULT NOW(),
    updated_at TIMESTAMPTZ DEFAULT NOW()
);

CREATE TABLE IF NOT EXISTS tenant_memberships (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id UUID NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    user_id UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role VARCHAR(50) NOT NULL DEFAULT 'member',
    created_at TIMESTAMPTZ DEFAULT NOW(),
    updated_at TIMESTAMPTZ DEFAULT NOW(),
    UNIQUE (tenant_id, user_id)
);

CREATE TABLE IF NOT EXISTS api_keys (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id UUID NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    name VARCHAR(255) NOT NULL,
    key_hash VARCHAR(255) NOT NULL,
    permissions JSONB DEFAULT '[]',
    last_used_at TIMESTAMPTZ,
    expires_at TIMESTAMPTZ,
    is_active BOOLEAN DEFAULT true,
    created_at TIMESTAMPTZ DEFAULT NOW(),
    updated_at TIMESTAMPTZ DEFAULT NOW()
);

CREATE TABLE IF NOT EXISTS tenant_networks (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id UUID NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    network_id VARCHAR(255) NOT NULL,
    name VARCHAR(255) NOT NULL,
    blockchain VARCHAR(50) NOT NULL,
    configuration JSONB NOT NULL,
    is_active BOOLEAN DEFAULT true,
    created_at TIMESTAMPTZ DEFAULT NOW(),
    updated_at TIMESTAMPTZ DEFAULT NOW(),
    UNIQUE (tenant_id, network_id)
);

CREATE TABLE IF NOT EXISTS tenant_monitors (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id UUID NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    monitor_id VARCHAR(255) NOT NULL,
    name VARCHAR(255) NOT NULL,
    network_id UUID NOT NULL REFERENCES tenant_networks(id) ON DELETE CASCADE,
    configuration JSONB NOT NULL,
    is_active BOOLEAN DEFAULT true,
    created_at TIMESTAMPTZ DEFAULT NOW(),
    updated_at TIMESTAMPTZ DEFAULT NOW(),
    UNIQUE (tenant_id, monitor_id)
);

CREATE TABLE IF NOT EXISTS tenant_triggers (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id UUID NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    trigger_id VARCHAR(255) NOT NULL,
    monitor_id UUID NOT NULL REFERENCES tenant_monitors(id) ON DELETE CASCADE,
    name VARCHAR(255) NOT NULL,
    type VARCHAR(50) NOT NULL,
    configuration JSONB NOT NULL,
    is_active BOOLEAN DEFAULT true,
    created_at TIMESTAMPTZ DEFAULT NOW(),
    updated_at TIMESTAMPTZ DEFAULT NOW(),
    UNIQUE (tenant_id, trigger_id)
);

CREATE TABLE IF NOT EXISTS resource_usage (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id UUID NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    resource_type VARCHAR(50) NOT NULL,
    usage_value BIGINT NOT NULL,
    usage_date DATE NOT NULL,
    created_at TIMESTAMPTZ DEFAULT NOW(),
    UNIQUE (tenant_id, resource_type, usage_date)
);

CREATE TABLE IF NOT EXISTS audit_logs (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id UUID NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    user_id UUID REFERENCES users(id) ON DELETE SET NULL,
    api_key_id UUID REFERENCES api_keys(id) ON DELETE SET NULL,
    action VARCHAR(100) NOT NULL,
    resource_type VARCHAR(50),
    resource_id UUID,
    changes JSONB,
    ip_address INET,
    user_agent TEXT,
    created_at TIMESTAMPTZ DEFAULT NOW()
);

CREATE INDEX IF NOT EXISTS idx_tenant_memberships_tenant_id ON tenant_memberships(tenant_id);
CREATE INDEX IF NOT EXISTS idx_tenant_memberships_user_id ON tenant_memberships(user_id);
CREATE INDEX IF NOT EXISTS idx_api_keys_tenant_id ON api_keys(tenant_id);
CREATE INDEX IF NOT EXISTS idx_tenant_networks_tenant_id ON tenant_networks(tenant_id);
CREATE INDEX IF NOT EXISTS idx_tenant_monitors_tenant_id ON tenant_monitors(tenant_id);
CREATE INDEX IF NOT EXISTS idx_tenant_monitors_network_id ON tenant_monitors(network_id);
CREATE INDEX IF NOT EXISTS idx_tenant_triggers_tenant_id ON tenant_triggers(tenant_id);
CREATE INDEX IF NOT EXISTS idx_tenant_triggers_monitor_id ON tenant_triggers(monitor_id);
CREATE INDEX IF NOT EXISTS idx_resource_usage_tenant_date ON resource_usage(tenant_id, usage_date);
CREATE INDEX IF NOT EXISTS idx_audit_logs_tenant_id ON audit_logs(tenant_id);
CREATE INDEX IF NOT EXISTS idx_audit_logs_created_at ON audit_logs(created_at);

CREATE OR REPLACE FUNCTION update_updated_at()
RETURNS TRIGGER AS $$
BEGIN
    NEW.updated_at = NOW();
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

-- Upstream migration 002: trigger scripts.
CREATE TABLE IF NOT EXISTS trigger_scripts (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id UUID NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    name VARCHAR(255) NOT NULL,
    description TEXT,
    language VARCHAR(50) NOT NULL,
    content TEXT NOT NULL,
    is_active BOOLEAN DEFAULT true,
    created_at TIMESTAMPTZ DEFAULT NOW(),
    updated_at TIMESTAMPTZ DEFAULT NOW(),
    UNIQUE (tenant_id, name)
);

CREATE INDEX IF NOT EXISTS idx_trigger_scripts_tenant_id ON trigger_scripts(tenant_id);
CREATE INDEX IF NOT EXISTS idx_trigger_scripts_language ON trigger_scripts(language);
CREATE INDEX IF NOT EXISTS idx_trigger_scripts_is_active ON trigger_scripts(is_active);

ALTER TABLE tenant_monitors ADD COLUMN IF NOT EXISTS trigger_script_ids UUID[] DEFAULT '{}';
ALTER TABLE tenant_triggers ADD COLUMN IF NOT EXISTS script_id UUID REFERENCES trigger_scripts(id) ON DELETE SET NULL;

-- CREATE TRIGGER has no IF NOT EXISTS before PostgreSQL 14; dropping first
-- keeps this runnable on 13 (the first release with gen_random_uuid()).
DROP TRIGGER IF EXISTS update_tenants_updated_at ON tenants;
CREATE TRIGGER update_tenants_updated_at BEFORE UPDATE ON tenants
    FOR EACH ROW EXECUTE FUNCTION update_updated_at();
DROP TRIGGER IF EXISTS update_users_updated_at ON users;
CREATE TRIGGER update_users_updated_at BEFORE UPDATE ON users
    FOR EACH ROW EXECUTE FUNCTION update_updated_at();
DROP TRIGGER IF EXISTS update_tenant_memberships_updated_at ON tenant_memberships;
CREATE TRIGGER update_tenant_memberships_updated_at BEFORE UPDATE ON tenant_memberships
    FOR EACH ROW EXECUTE FUNCTION update_updated_at();
DROP TRIGGER IF EXISTS update_api_keys_updated_at ON api_keys;
CREATE TRIGGER update_api_keys_updated_at BEFORE UPDATE ON api_keys
    FOR EACH ROW EXECUTE FUNCTION update_updated_at();
DROP TRIGGER IF EXISTS update_tenant_networks_updated_at ON tenant_networks;
CREATE TRIGGER update_tenant_networks_updated_at BEFORE UPDATE ON tenant_networks
    FOR EACH ROW EXECUTE FUNCTION update_updated_at();
DROP TRIGGER IF EXISTS update_tenant_monitors_updated_at ON tenant_monitors;
CREATE TRIGGER update_tenant_monitors_updated_at BEFORE UPDATE ON tenant_monitors
    FOR EACH ROW EXECUTE FUNCTION update_updated_at();
DROP TRIGGER IF EXISTS update_tenant_triggers_updated_at ON tenant_triggers;
CREATE TRIGGER update_tenant_triggers_updated_at BEFORE UPDATE ON tenant_triggers
    FOR EACH ROW EXECUTE FUNCTION update_updated_at();
DROP TRIGGER IF EXISTS update_trigger_scripts_updated_at ON trigger_scripts;
CREATE TRIGGER update_trigger_scripts_updated_at BEFORE UPDATE ON trigger_scripts
    FOR EACH ROW EXECUTE FUNCTION update_updated_at();
