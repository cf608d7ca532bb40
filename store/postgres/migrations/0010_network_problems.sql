-- What keeps a network from being processed (its RPC not answering, the
-- cursor far behind the tip, ledgers skipped), as the scheduler and the
-- workers saw it: one row per network and kind, its count and the times it
-- was first and last seen, deleted once the problem is resolved. Kinds are
-- a fixed set in code, so a network holds a handful of rows at most. No
-- foreign key to ozmon_networks: a network may be configured from files.
CREATE TABLE IF NOT EXISTS ozmon_network_problems (
    network TEXT NOT NULL,
    kind TEXT NOT NULL,
    message TEXT NOT NULL,
    count BIGINT NOT NULL DEFAULT 1 CHECK (count > 0),
    first_seen TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    last_seen TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    PRIMARY KEY (network, kind)
);
