-- Delivery guarantees.
--
-- in_doubt: an attempt started and never recorded an outcome, and the
-- operator asked to hold such notifications (notify.in_doubt = hold) for
-- channels that carry no idempotency key.
ALTER TABLE ozmon_deliveries DROP CONSTRAINT IF EXISTS ozmon_deliveries_status_check;
ALTER TABLE ozmon_deliveries ADD CONSTRAINT ozmon_deliveries_status_check
    CHECK (status IN ('pending', 'sending', 'delivered', 'failed', 'archived', 'in_doubt'));
-- The status an attempt found when it began (NULL: the record was new).
-- "sending" there means the attempt before it recorded no outcome.
ALTER TABLE ozmon_deliveries ADD COLUMN IF NOT EXISTS previous_status TEXT;

-- Durable progress of every scheduled ledger, kept outside Redis so that a
-- Redis that loses tasks cannot lose ledgers: a ledger is complete once
-- fetch-block recorded its batches and every batch is done. The scheduler
-- re-drives unfinished ledgers whose tasks are gone.
CREATE TABLE IF NOT EXISTS ozmon_ledger_progress (
    network TEXT NOT NULL,
    ledger BIGINT NOT NULL,
    scheduled_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    fanned_out_at TIMESTAMPTZ,
    -- batches still to finish, each "<queue> <task id>"
    pending TEXT[] NOT NULL DEFAULT '{}',
    completed_at TIMESTAMPTZ,
    redrives INT NOT NULL DEFAULT 0,
    last_redrive_at TIMESTAMPTZ,
    gave_up_reason TEXT,
    PRIMARY KEY (network, ledger)
);
CREATE INDEX IF NOT EXISTS idx_ozmon_ledger_progress_open
    ON ozmon_ledger_progress (network, ledger) WHERE completed_at IS NULL;

-- The last ledger up to which every ledger is complete (or given up).
ALTER TABLE ozmon_network_cursors ADD COLUMN IF NOT EXISTS completed_ledger BIGINT;

-- Unfinished notifications are looked for only after Redis lost data (a
-- rare, one-off scan), so no index is added for them: every delivery
-- record insert would pay for it.

-- The highest mark the scheduler wrote into Redis per network (see
-- store.Progress): Redis holding a lower one has lost writes.
CREATE TABLE IF NOT EXISTS ozmon_redis_marks (
    name TEXT PRIMARY KEY, -- network slug
    mark BIGINT NOT NULL
);
