-- A delivery record is written twice per notification (sending, then its
-- outcome). With status indexed, every outcome rewrote each index of the
-- table; without it, and with room left on each page, PostgreSQL can update
-- the row in place (a HOT update): less index churn and bloat on the
-- busiest table. Listing by status goes through the tenant and time
-- indexes instead.
DROP INDEX IF EXISTS idx_ozmon_deliveries_status_created;
ALTER TABLE ozmon_deliveries SET (fillfactor = 70);
