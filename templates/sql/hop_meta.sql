-- git-hop's own additions to the half_orm_meta schema (meta schema version 1).
--
-- Runs after half_orm_meta.sql on a fresh database, and alone on a database
-- whose half_orm_meta schema was created by upstream hop. Idempotent: running
-- it again changes nothing. Sent as one multi-statement string through libpq
-- (PQexec) inside the caller's transaction: no BEGIN/COMMIT, no psql
-- meta-commands, no SET.

-- The version of git-hop's meta schema in this database: exactly one row
-- (the primary key can only be true). git-hop reads it to know which of its
-- own meta schema migrations this database has had.
CREATE TABLE IF NOT EXISTS half_orm_meta.hop_meta (
    id boolean DEFAULT true NOT NULL,
    version integer NOT NULL,
    CONSTRAINT hop_meta_pkey PRIMARY KEY (id),
    CONSTRAINT hop_meta_id_check CHECK (id)
);

COMMENT ON TABLE half_orm_meta.hop_meta IS
'One row: the version of git-hop''s own additions to half_orm_meta.';

INSERT INTO half_orm_meta.hop_meta (id, version) VALUES (true, 1)
    ON CONFLICT (id) DO NOTHING;

-- One row per script applied to this database: release X.Y.Z, the script's
-- path relative to the project root (Patches/X/Y/Z/<name>), its sha256 (hex)
-- at the time it ran, when it ran and how long it took.
--
-- No foreign key to half_orm_meta.hop_release: that table's primary key has
-- five columns (major, minor, patch, pre_release, pre_release_num) and a
-- reference would need the two pre-release columns here too. Scripts are
-- recorded while their release is being applied, before or in the same
-- transaction as its hop_release row; git-hop keeps the two consistent.
CREATE TABLE IF NOT EXISTS half_orm_meta.hop_script (
    major integer NOT NULL,
    minor integer NOT NULL,
    patch integer NOT NULL,
    path text NOT NULL,
    sha256 text NOT NULL,
    applied_at timestamp with time zone DEFAULT now() NOT NULL,
    duration_ms integer,
    CONSTRAINT hop_script_pkey PRIMARY KEY (major, minor, patch, path)
);

COMMENT ON TABLE half_orm_meta.hop_script IS
'The scripts applied to this database by git-hop, one row per script of each release (no foreign key to hop_release: its primary key also has pre_release and pre_release_num).';
