-- half_orm_meta: the release tracking schema shared with half_orm's hop.
--
-- Installed by `git hop new --devel` when the database has no
-- half_orm_meta.hop_release table. Tables, columns, defaults, checks and keys
-- are exactly upstream's so that half_orm and databases created by upstream
-- hop keep working. Differences from upstream, on purpose:
--   * check_database() works without the pgcrypto extension (and never
--     creates it), and without read access to the server file 'hop_key';
--   * the views order releases correctly: final > rc > beta > alpha, and
--     pre_release_num compared as a number.
--
-- Sent as one multi-statement string through libpq (PQexec) inside the
-- caller's transaction: no BEGIN/COMMIT, no psql meta-commands, no SET.
-- git-hop's own additions are in hop_meta.sql, run after this file.

CREATE SCHEMA half_orm_meta;

CREATE SCHEMA "half_orm_meta.view";

CREATE TABLE half_orm_meta.database (
    id text NOT NULL,
    name text NOT NULL,
    description text,
    CONSTRAINT database_pkey PRIMARY KEY (id)
);

COMMENT ON TABLE half_orm_meta.database IS '
id identifies the database in the cluster. It uses the key
in hop_key.
';

CREATE TABLE half_orm_meta.hop_release (
    major integer NOT NULL,
    minor integer NOT NULL,
    patch integer NOT NULL,
    pre_release text DEFAULT ''::text NOT NULL,
    pre_release_num text DEFAULT ''::text NOT NULL,
    date date DEFAULT CURRENT_DATE,
    "time" time(0) with time zone DEFAULT CURRENT_TIME,
    changelog text,
    commit text,
    dbid text,
    hop_release text,
    CONSTRAINT hop_release_major_check CHECK ((major >= 0)),
    CONSTRAINT hop_release_minor_check CHECK ((minor >= 0)),
    CONSTRAINT hop_release_patch_check CHECK ((patch >= 0)),
    CONSTRAINT hop_release_pre_release_check
        CHECK ((pre_release = ANY (ARRAY['alpha'::text, 'beta'::text, 'rc'::text, ''::text]))),
    CONSTRAINT hop_release_pre_release_num_check
        CHECK (((pre_release_num = ''::text) OR (pre_release_num ~ '^\d+$'::text))),
    CONSTRAINT hop_release_pkey
        PRIMARY KEY (major, minor, patch, pre_release, pre_release_num),
    CONSTRAINT hop_release_dbid_fkey
        FOREIGN KEY (dbid) REFERENCES half_orm_meta.database(id) ON UPDATE CASCADE
);

CREATE TABLE half_orm_meta.hop_release_issue (
    num integer NOT NULL,
    issue_release integer DEFAULT 0 NOT NULL,
    release_major integer NOT NULL,
    release_minor integer NOT NULL,
    release_patch integer NOT NULL,
    release_pre_release text NOT NULL,
    release_pre_release_num text NOT NULL,
    changelog text,
    CONSTRAINT hop_release_issue_num_check CHECK ((num >= 0)),
    CONSTRAINT hop_release_issue_pkey PRIMARY KEY (num, issue_release),
    CONSTRAINT hop_release_issue_release_major_release_minor_release_patc_fkey
        FOREIGN KEY (release_major, release_minor, release_patch,
                     release_pre_release, release_pre_release_num)
        REFERENCES half_orm_meta.hop_release(major, minor, patch,
                                             pre_release, pre_release_num)
);

-- The database id: hex HMAC-SHA1 of the database name keyed with the content
-- of the server file 'hop_key' (relative to the data directory), when the
-- pgcrypto extension is installed (in any schema) and the file can be read;
-- otherwise the database name itself. With old_dbid, raise an error when the
-- id differs from it.
CREATE FUNCTION half_orm_meta.check_database(old_dbid text DEFAULT NULL::text) RETURNS text
    LANGUAGE plpgsql
    AS $$
DECLARE
    dbname text := pg_catalog.current_database();
    dbid text;
    crypto_schema name;
    hop_key text;
BEGIN
    SELECT n.nspname INTO crypto_schema
      FROM pg_catalog.pg_extension e
      JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace
     WHERE e.extname = 'pgcrypto';
    IF crypto_schema IS NOT NULL THEN
        BEGIN
            IF pg_catalog.to_regprocedure(pg_catalog.quote_ident(crypto_schema)
                                          || '.hmac(text,text,text)') IS NOT NULL
            THEN
                hop_key := pg_catalog.pg_read_file('hop_key');
                EXECUTE pg_catalog.format(
                    'SELECT pg_catalog.encode(%I.hmac($1, $2, ''sha1''), ''hex'')',
                    crypto_schema)
                   INTO dbid
                  USING dbname, hop_key;
            END IF;
        EXCEPTION
            WHEN undefined_file OR insufficient_privilege OR undefined_function THEN
                dbid := NULL;
        END;
    END IF;
    IF dbid IS NULL THEN
        dbid := dbname;
    END IF;
    IF old_dbid IS NOT NULL AND old_dbid <> dbid THEN
        RAISE EXCEPTION 'Not the same database!';
    END IF;
    RETURN dbid;
END;
$$;

-- The database release: the highest release recorded. Upstream ordered
-- pre_release and pre_release_num as text (rc above the final release,
-- rc10 below rc9); here a final release outranks rc > beta > alpha and
-- pre-release numbers compare numerically.
CREATE VIEW "half_orm_meta.view".hop_last_release AS
 SELECT hop_release.major,
    hop_release.minor,
    hop_release.patch,
    hop_release.pre_release,
    hop_release.pre_release_num,
    hop_release.date,
    hop_release."time",
    hop_release.changelog,
    hop_release.commit,
    hop_release.dbid,
    hop_release.hop_release
   FROM half_orm_meta.hop_release
  ORDER BY hop_release.major DESC, hop_release.minor DESC, hop_release.patch DESC,
    CASE hop_release.pre_release
        WHEN ''::text THEN 3
        WHEN 'rc'::text THEN 2
        WHEN 'beta'::text THEN 1
        ELSE 0
    END DESC,
    (COALESCE(NULLIF(hop_release.pre_release_num, ''::text), '0'::text))::numeric DESC
 LIMIT 1;

-- The release before the database release (same ordering).
CREATE VIEW "half_orm_meta.view".hop_penultimate_release AS
 WITH sub AS (
         SELECT hop_release.major,
            hop_release.minor,
            hop_release.patch,
            row_number() OVER (ORDER BY hop_release.major DESC, hop_release.minor DESC,
                hop_release.patch DESC,
                CASE hop_release.pre_release
                    WHEN ''::text THEN 3
                    WHEN 'rc'::text THEN 2
                    WHEN 'beta'::text THEN 1
                    ELSE 0
                END DESC,
                (COALESCE(NULLIF(hop_release.pre_release_num, ''::text), '0'::text))::numeric DESC) AS rn
           FROM half_orm_meta.hop_release
        )
 SELECT sub.major,
    sub.minor,
    sub.patch
   FROM sub
  WHERE (sub.rn = 2);
