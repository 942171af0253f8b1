-- git-hop's meta schema, version 1 -> 2: what the deploy engine needs to
-- resume an interrupted upgrade.
--
-- Runs after hop_meta.sql (version 1), inside the caller's transaction, as
-- one multi-statement string through libpq: no BEGIN/COMMIT, no psql
-- meta-commands. Idempotent.

-- For a script whose statements cannot run in a transaction block (CREATE
-- INDEX CONCURRENTLY...), each statement is recorded as done: `statements`
-- counts those done so far. NULL for a script that ran whole, in a
-- transaction (it is recorded in the same transaction as its effects).
ALTER TABLE half_orm_meta.hop_script ADD COLUMN IF NOT EXISTS statements integer;

-- An upgrade that cannot be one transaction (a release with .py scripts or
-- statements that cannot run in a transaction block) is recorded here,
-- committed, before its first change, and removed in the transaction that
-- records its release: a row here means an interrupted upgrade, which the
-- next 'git hop upgrade' finds and completes.
CREATE TABLE IF NOT EXISTS half_orm_meta.hop_upgrade (
    id boolean DEFAULT true NOT NULL,
    major integer NOT NULL,
    minor integer NOT NULL,
    patch integer NOT NULL,
    target text NOT NULL,
    started_at timestamp with time zone DEFAULT now() NOT NULL,
    client text,
    backup text,
    CONSTRAINT hop_upgrade_pkey PRIMARY KEY (id),
    CONSTRAINT hop_upgrade_id_check CHECK (id)
);

COMMENT ON TABLE half_orm_meta.hop_upgrade IS
'At most one row: the release an interrupted git-hop upgrade was applying (major, minor, patch), the release it was going to (target), when and by whom it started, and the backup taken before it.';

UPDATE half_orm_meta.hop_meta SET version = 2 WHERE version < 2;
