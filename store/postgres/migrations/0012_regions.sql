-- Two regions, one PostgreSQL (docs/multi-region.md). A tenant's home
-- region names the region whose scheduler and workers serve it ('' is the
-- deployment's default region, regions.default_home). ozmon_regions holds
-- one row per region: its schedulers' heartbeat, the region whose processes
-- serve its tenants now (itself, or the region that took them over when it
-- stopped heartbeating), and an operator's request to hand them back.
ALTER TABLE ozmon_tenant_settings ADD COLUMN IF NOT EXISTS home_region TEXT NOT NULL DEFAULT '';

CREATE TABLE IF NOT EXISTS ozmon_regions (
    name TEXT PRIMARY KEY CHECK (name <> '' AND name !~ '[@:\s]'),
    last_seen TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    served_by TEXT NOT NULL,
    handback BOOLEAN NOT NULL DEFAULT false,
    changed_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
);
