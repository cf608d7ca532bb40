-- Deliveries whose match came from a block later orphaned by a reorg are
-- flagged, not deleted: the notification went out; operators (and, later,
-- retraction) need to know which.
ALTER TABLE ozmon_deliveries ADD COLUMN IF NOT EXISTS orphaned BOOLEAN NOT NULL DEFAULT false;
