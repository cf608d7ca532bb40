-- The delivery log becomes a table range-partitioned by time, one
-- partition per week, so that retention drops whole partitions (DROP
-- TABLE: no row-by-row DELETE, no bloat, no vacuum debt) and the log stays
-- bounded however many notifications go out.
--
-- Partition key: ledger_closed_at, the close time of the ledger the match
-- came from — not created_at. Why: PostgreSQL only enforces a unique
-- constraint on a partitioned table if it includes the partition key, and
-- the delivery log's primary key is the exactly-once edge (one
-- notification per tenant, monitor, network, ledger, transaction and
-- trigger). The close time is a function of (network, ledger): every
-- writer of a key — the batch that expects it, a retried batch, a ledger
-- re-driven a day later — computes the same value, so the key widened by
-- it still names exactly one row, and that row's partition is known from
-- the key's own ledger. created_at (the time of the first write) would put
-- a re-driven ledger's duplicate in another week's partition, where no
-- constraint could see it.
--
-- Two writers do not know the close time the row was filed under: rows
-- carried over from the unpartitioned table (filed under their created_at)
-- and BeginDelivery (whose signature carries no time). Both writes
-- therefore look the key up across partitions first (the store's
-- ExpectDeliveries and BeginDelivery) and reuse the row they find; only a
-- key with no row at all is filed under the given close time (or, for
-- BeginDelivery, the time of writing). See store/postgres/deliveries.go.
--
-- The conversion keeps every row and every index: the definitions of the
-- old table's indexes are read from pg_indexes and run again on the new
-- table (a partitioned index, cloned onto each partition), so an index an
-- earlier migration added survives without being listed here. A unique
-- index other than the primary key cannot be carried over unless it
-- includes ledger_closed_at; the migration stops with its name rather than
-- drop it silently.
--
-- Rows whose time has no weekly partition land in the default partition
-- (a safety net: a write never fails for want of a partition); creating a
-- partition moves them out of it (ozmon_delivery_partitions_ensure).

-- ozmon_delivery_partitions_ensure creates the weekly partitions (Monday
-- 00:00 UTC to the next) covering [from_ts, to_ts) that do not exist yet,
-- moving any rows of their weeks out of the default partition, and returns
-- how many it created. Idempotent, and safe when several schedulers call
-- it at once: they take turns under a transaction-scoped advisory lock, and
-- the later one finds the partitions made.
CREATE OR REPLACE FUNCTION ozmon_delivery_partitions_ensure(from_ts TIMESTAMPTZ, to_ts TIMESTAMPTZ)
RETURNS INTEGER
LANGUAGE plpgsql
SET search_path FROM CURRENT
AS $$
DECLARE
    wk TIMESTAMPTZ;
    nxt TIMESTAMPTZ;
    part TEXT;
    opts TEXT;
    made INTEGER := 0;
BEGIN
    IF from_ts IS NULL OR to_ts IS NULL OR to_ts - from_ts > interval '10 years' THEN
        RAISE EXCEPTION 'ozmon_delivery_partitions_ensure: range % to % is not a bounded range of at most 10 years', from_ts, to_ts;
    END IF;
    PERFORM pg_advisory_xact_lock(hashtext('ozmon_delivery_partitions:' || current_schema()));
    SELECT value INTO opts FROM ozmon_settings WHERE name = 'deliveries_partition_options';
    wk := date_trunc('week', from_ts AT TIME ZONE 'UTC') AT TIME ZONE 'UTC';
    WHILE wk < to_ts LOOP
        nxt := wk + interval '7 days';
        part := 'ozmon_deliveries_p' || to_char(wk AT TIME ZONE 'UTC', 'YYYYMMDD');
        IF to_regclass(quote_ident(part)) IS NULL THEN
            -- Made apart and attached, so that rows of its week waiting in
            -- the default partition can be moved in first (PostgreSQL
            -- refuses a partition whose rows the default still holds).
            EXECUTE format('CREATE TABLE %I (LIKE ozmon_deliveries INCLUDING DEFAULTS INCLUDING CONSTRAINTS) %s', part,
                CASE WHEN COALESCE(opts, '') = '' THEN '' ELSE 'WITH (' || opts || ')' END);
            EXECUTE format('WITH moved AS (DELETE FROM ozmon_deliveries_default
                    WHERE ledger_closed_at >= %L AND ledger_closed_at < %L RETURNING *)
                INSERT INTO %I SELECT * FROM moved', wk, nxt, part);
            EXECUTE format('ALTER TABLE ozmon_deliveries ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)', part, wk, nxt);
            made := made + 1;
        END IF;
        wk := nxt;
    END LOOP;
    RETURN made;
END;
$$;

-- The conversion, in one block so that the old indexes' definitions, read
-- before the rename, are run again once the rows are in.
DO $$
DECLARE
    defs TEXT[];
    def TEXT;
    bad TEXT;
    pk TEXT;
    opts TEXT[];
    cols TEXT;
BEGIN
    -- Already partitioned (a hand-run conversion): nothing to do.
    IF EXISTS (SELECT 1 FROM pg_partitioned_table WHERE partrelid = 'ozmon_deliveries'::regclass) THEN
        RETURN;
    END IF;

    SELECT ic.relname INTO bad FROM pg_index x JOIN pg_class ic ON ic.oid = x.indexrelid
        WHERE x.indrelid = 'ozmon_deliveries'::regclass AND x.indisunique AND NOT x.indisprimary
        LIMIT 1;
    IF bad IS NOT NULL THEN
        RAISE EXCEPTION 'ozmon_deliveries: unique index % does not include the partition key ledger_closed_at; recreate it with that column before partitioning', bad;
    END IF;
    SELECT array_agg(pg_get_indexdef(x.indexrelid) ORDER BY ic.relname) INTO defs
        FROM pg_index x JOIN pg_class ic ON ic.oid = x.indexrelid
        WHERE x.indrelid = 'ozmon_deliveries'::regclass AND NOT x.indisprimary;
    SELECT conname INTO pk FROM pg_constraint WHERE conrelid = 'ozmon_deliveries'::regclass AND contype = 'p';
    SELECT reloptions INTO opts FROM pg_class WHERE oid = 'ozmon_deliveries'::regclass;

    ALTER TABLE ozmon_deliveries RENAME TO ozmon_deliveries_unpartitioned;
    IF pk IS NOT NULL THEN
        -- The primary key's index is a relation: its name is the new one's.
        EXECUTE format('ALTER TABLE ozmon_deliveries_unpartitioned RENAME CONSTRAINT %I TO ozmon_deliveries_unpartitioned_pkey', pk);
    END IF;

    -- Columns, defaults and CHECK constraints as they are now (whatever
    -- earlier migrations added), then the partition key and the payload.
    CREATE TABLE ozmon_deliveries (
        LIKE ozmon_deliveries_unpartitioned INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING COMMENTS,
        -- The close time of the match's ledger (see above).
        ledger_closed_at TIMESTAMPTZ NOT NULL,
        -- The deliver task's payload, compressed (tasks.CompactDeliver):
        -- what a resend needs once the task has left Redis.
        payload BYTEA,
        CONSTRAINT ozmon_deliveries_pkey PRIMARY KEY (tenant_id, monitor, network, ledger, tx_hash, trigger, ledger_closed_at),
        CONSTRAINT ozmon_deliveries_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES tenants(id) ON DELETE CASCADE
    ) PARTITION BY RANGE (ledger_closed_at);

    -- Storage parameters (fillfactor, for HOT updates: 0004) cannot be set
    -- on a partitioned table; each partition takes them from this setting.
    INSERT INTO ozmon_settings (name, value)
        VALUES ('deliveries_partition_options', COALESCE(array_to_string(opts, ','), ''))
        ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value, updated_at = NOW();
    EXECUTE format('CREATE TABLE ozmon_deliveries_default PARTITION OF ozmon_deliveries DEFAULT %s',
        CASE WHEN opts IS NULL THEN '' ELSE 'WITH (' || array_to_string(opts, ',') || ')' END);

    -- Partitions for every week the carried-over rows span and four weeks
    -- ahead; then the rows (each finds its partition), the old table goes,
    -- and its indexes are made again under their own names. The old rows
    -- are filed under their created_at: their ledger's close time was never
    -- recorded, and it is within seconds of it.
    PERFORM ozmon_delivery_partitions_ensure(
        LEAST(COALESCE((SELECT MIN(created_at) FROM ozmon_deliveries_unpartitioned), NOW()), NOW()),
        NOW() + interval '28 days');
    SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) INTO cols FROM pg_attribute
        WHERE attrelid = 'ozmon_deliveries_unpartitioned'::regclass AND attnum > 0 AND NOT attisdropped;
    EXECUTE format('INSERT INTO ozmon_deliveries (%s, ledger_closed_at) SELECT %s, created_at FROM ozmon_deliveries_unpartitioned', cols, cols);
    DROP TABLE ozmon_deliveries_unpartitioned;
    FOREACH def IN ARRAY COALESCE(defs, '{}') LOOP
        EXECUTE def;
    END LOOP;
END
$$;
