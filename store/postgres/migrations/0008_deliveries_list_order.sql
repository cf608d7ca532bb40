-- A tenant's deliveries are listed newest first, page by page, in the full
-- order of ListDeliveries (created_at DESC, then the key: monitor,
-- network, ledger DESC, tx_hash, trigger). The indexes of 0002 held only
-- (tenant_id[, monitor], created_at DESC): records sharing a created_at —
-- every record one batch writes — were sorted after reading them all, and
-- a page's keyset condition could not start the scan at the cursor.
-- These replace them with the whole order, so a page is an index range
-- read of its own rows and nothing more. Every column is one an update
-- never changes, so outcome updates stay HOT (see 0004).
--
-- Migrations run in one transaction, so the builds below hold the table's
-- writes while they run; on a large log, create the two indexes
-- CONCURRENTLY by hand first and this migration only drops the old ones.
DROP INDEX IF EXISTS idx_ozmon_deliveries_tenant_created;
CREATE INDEX IF NOT EXISTS idx_ozmon_deliveries_tenant_list
    ON ozmon_deliveries(tenant_id, created_at DESC, monitor, network, ledger DESC, tx_hash, trigger);
DROP INDEX IF EXISTS idx_ozmon_deliveries_tenant_monitor_created;
CREATE INDEX IF NOT EXISTS idx_ozmon_deliveries_tenant_monitor_list
    ON ozmon_deliveries(tenant_id, monitor, created_at DESC, network, ledger DESC, tx_hash, trigger);
