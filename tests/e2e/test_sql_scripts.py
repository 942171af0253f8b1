"""Scripts read by PostgreSQL's own parser (issue "Scripts read by
PostgreSQL's own parser"): exact errors, statements that cannot run in a
transaction block, and the lock report, in development and in production.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import signal
import subprocess
import threading
import time

import psycopg2
import pytest

import hoptest
from hoptest import sql
from test_production import Remote, dev_remote, make_prod
from test_release_cycle import (  # noqa: F401 (fixtures)
    assert_fatal,
    details,
    drop_hop_databases,
    drop_later,
    prepare,
    project,
)

ITEMS_SQL = """\
create table public.item (
  id serial primary key,
  name text not null
);
insert into public.item (name) select 'item ' || i from generate_series(1, 20000) as i;
"""

INDEX_SQL = """\
-- built without locking writes out
create index concurrently item_name on public.item (name);
"""

RETYPE_SQL = "alter table public.item alter column name type varchar(200);\n"


# --------------------------------------------------------------------------
# Development: errors before and during a run


def test_runtime_error_names_its_line(project):
    p = project
    prepare(p)
    p.write("Patches/0/0/1/00_a.sql",
            "create table public.a (x int);\n"       # 1
            "\n"                                     # 2
            "-- a comment\n"                         # 3
            "insert into public.a values (1);\n"     # 4
            "/* a comment\n"                         # 5
            "   on two lines */\n"                   # 6
            "  select 1 / (x - 1) from public.a;\n")  # 7
    before = p.snapshot()
    r = p.hop("apply")
    assert_fatal(r, "Patches/0/0/1/00_a.sql:7:3: division by zero")
    assert "SQLSTATE: 22012" in details(r)
    assert p.snapshot() == before


def test_server_position_inside_a_statement(project):
    p = project
    prepare(p)
    p.write("Patches/0/0/1/00_a.sql",
            "create table public.a (x int);\n"
            "select\n  x,\n  nosuchcolumn\nfrom public.a;\n")
    r = p.hop("apply")
    assert_fatal(r, "Patches/0/0/1/00_a.sql:4:3: column \"nosuchcolumn\" does not exist")


@pytest.mark.parametrize("statement, what", [
    ("commit;", "COMMIT"),
    ("begin;", "BEGIN"),
    ("rollback;", "ROLLBACK"),
    ("savepoint s;", "SAVEPOINT"),
])
def test_transaction_control_is_refused_before_any_database_is_touched(project, statement, what):
    p = project
    prepare(p)
    p.write("Patches/0/0/1/00_a.sql", f"create table public.a (x int);\n{statement}\n")
    before = p.snapshot()
    templates = p.hop_databases()
    env = dict(p.env, GIT_HOP_TRACE="1")
    r = hoptest.hop(env, p.path, "apply")
    assert r.code == 128, str(r)
    assert "fatal: Patches/0/0/1/00_a.sql:2:1: " in r.err, str(r)
    assert "create database" not in r.err.lower(), "a database was touched"
    assert p.snapshot() == before
    assert p.hop_databases() == templates


@pytest.mark.parametrize("text, expected", [
    ("\\connect other\n", "psql meta-command \\connect is not supported"),
    ("copy public.a from stdin;\n1\n\\.\n", "COPY ... FROM STDIN"),
    ("create database x;\n", "CREATE DATABASE"),
])
def test_constructs_git_hop_cannot_run_say_what_to_do(project, text, expected):
    p = project
    prepare(p)
    p.write("Patches/0/0/1/00_a.sql", "create table public.a (x int);\n" + text)
    before = p.snapshot()
    r = p.hop("apply")
    assert r.code == 128, str(r)
    assert expected in r.err, str(r)
    assert "Patches/0/0/1/00_a.sql:2:1" in r.err, str(r)
    assert p.snapshot() == before


def test_a_bom_is_stripped(project):
    p = project
    prepare(p)
    (p.path / "Patches/0/0/1").mkdir(parents=True, exist_ok=True)
    (p.path / "Patches/0/0/1/00_a.sql").write_bytes(
        "\ufeffcreate table public.a (x int);\nselect 1/0;\n".encode())
    r = p.hop("apply")
    assert_fatal(r, "Patches/0/0/1/00_a.sql:2:1: division by zero")


def test_a_script_mixing_concurrent_and_transactional_statements(project):
    p = project
    prepare(p)
    p.write("Patches/0/0/1/00_a.sql",
            "create table public.a (x int);\n"
            "create index concurrently a_x on public.a (x);\n")
    before = p.snapshot()
    r = p.hop("apply")
    assert r.code == 128, str(r)
    assert "Patches/0/0/1/00_a.sql" in r.err and "own" in r.err, str(r)
    assert p.snapshot() == before
    # Marked to run outside a transaction, one statement at a time, it runs.
    p.write("Patches/0/0/1/release.toml",
            'message = "First"\n\n[scripts."00_a.sql"]\ntransaction = false\n')
    p.hop("apply", check=True)
    assert p.sql("select indisvalid from pg_index where indexrelid = 'public.a_x'::regclass") == [(True,)]


def test_release_toml_script_options_are_checked(project):
    p = project
    prepare(p)
    p.write("Patches/0/0/1/00_a.sql", "select 1;\n")
    p.write("Patches/0/0/1/release.toml",
            'message = "First"\n\n[scripts."nosuch.sql"]\ntransaction = false\n')
    r = p.hop("apply")
    assert_fatal(r, 'Patches/0/0/1/release.toml:3:10: [scripts."nosuch.sql"] names no script')
    p.write("Patches/0/0/1/release.toml",
            'message = "First"\n\n[scripts."00_a.sql"]\ntransaction = "no"\n')
    r = p.hop("apply")
    assert_fatal(r, "Patches/0/0/1/release.toml:4:15: 'transaction' must be true or false")


# --------------------------------------------------------------------------
# Statements that cannot run in a transaction block, from dev to production


@pytest.fixture(scope="module")
def remote_index(tmp_path_factory, pg_cluster, git_hop_bin, git_hop_prefix) -> Remote:
    """0.0.1 (table item, 20,000 rows), 0.1.0 (CREATE INDEX CONCURRENTLY),
    0.1.1 (ALTER COLUMN ... TYPE: a rewrite), released and pushed."""
    with dev_remote(tmp_path_factory, "sql-dev", pg_cluster, git_hop_bin,
                    git_hop_prefix) as dev:
        p = dev.dev
        for level, message, folder, name, text in [
            ("patch", "Items", "Patches/0/0/1", "00_item.sql", ITEMS_SQL),
            ("minor", "Index", "Patches/0/1/0", "00_index.sql", INDEX_SQL),
            ("patch", "Retype", "Patches/0/1/1", "00_retype.sql", RETYPE_SQL),
        ]:
            prepare(p, level, message)
            p.write(f"{folder}/{name}", text)
            p.hop("apply", check=True)
            p.commit(message)
            r = p.hop("release", "--push", check=True)
            if message == "Retype":
                # The lock report of the release, against the dev database.
                assert "lock: Patches/0/1/1/00_retype.sql:1  ALTER TABLE  public.item  ACCESS EXCLUSIVE, rewrite" in r.err, str(r)
        assert p.sql("select indisvalid from pg_index where indexrelid = 'public.item_name'::regclass") == [(True,)]
        yield dev


@pytest.fixture
def prod_index(remote_index, tmp_path, pg_cluster, git_hop_bin, git_hop_prefix):
    p = make_prod(tmp_path / "prod", remote_index, pg_cluster, git_hop_bin, git_hop_prefix)
    p.hop("upgrade", "--init", "--to", "0.0.1", check=True)
    config = p.path / ".hop" / "config"
    config.write_text(config.read_text() + '\n[deploy]\nlock_timeout = "1s"\nlock_retries = 60\n')
    yield p
    drop_hop_databases(pg_cluster, p.db)
    hoptest.drop_database(pg_cluster, p.db)


def invalid_indexes(p) -> list:
    return p.sql("select indexrelid::regclass::text from pg_index where not indisvalid")


def test_concurrent_index_upgrades_production_while_it_is_written(prod_index):
    p = prod_index
    waits = []
    stop = threading.Event()

    def writer():
        conn = psycopg2.connect(host=p.cluster.host, user=p.cluster.user, dbname=p.db)
        conn.autocommit = True
        try:
            while not stop.is_set():
                start = time.monotonic()
                with conn.cursor() as cur:
                    cur.execute("insert into public.item (name) values (%s)",
                                (secrets.token_hex(6),))
                waits.append(time.monotonic() - start)
                time.sleep(0.01)
        finally:
            conn.close()

    t = threading.Thread(target=writer)
    t.start()
    try:
        r = p.hop("upgrade", "--to", "0.1.0")
    finally:
        stop.set()
        t.join(timeout=30)
    assert r.code == 0, str(r)
    assert p.release() == "0.1.0"
    assert p.sql("select indisvalid from pg_index where indexrelid = 'public.item_name'::regclass") == [(True,)]
    assert invalid_indexes(p) == []
    # Recorded as done, statement by statement.
    assert p.sql("select statements from half_orm_meta.hop_script"
                 " where path = 'Patches/0/1/0/00_index.sql'") == [(1,)]
    assert p.sql("select count(*) from half_orm_meta.hop_upgrade") == [(0,)]
    # The writes never waited on the index build (lock_timeout is 1 s).
    assert waits and max(waits) < 4, sorted(waits)[-5:]


def test_sigkill_during_the_concurrent_build_then_upgrade(prod_index):
    p = prod_index
    # An open snapshot makes CREATE INDEX CONCURRENTLY wait half-way, its
    # index already in the catalog, invalid.
    blocker = psycopg2.connect(host=p.cluster.host, user=p.cluster.user, dbname=p.db)
    blocker.set_session(isolation_level="REPEATABLE READ")
    blocker.cursor().execute("select count(*) from public.item")
    env = dict(p.env)
    proc = subprocess.Popen(["git", "hop", "upgrade", "--to", "0.1.0"], cwd=p.path, env=env,
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    try:
        backend = None
        for _ in range(400):
            rows = sql(p.cluster, "postgres",
                       "select pid from pg_stat_activity where datname = %s"
                       " and query ilike 'create index concurrently%%'", (p.db,))
            if rows and invalid_indexes(p):
                backend = rows[0][0]
                break
            time.sleep(0.05)
        assert backend, "the concurrent build never started"
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=60)
        # The server does not notice a dead client in the middle of a
        # statement: end the build as a crash would.
        sql(p.cluster, "postgres", "select pg_terminate_backend(%s)", (backend,))
    finally:
        blocker.rollback()
        blocker.close()
    for _ in range(100):
        if not sql(p.cluster, "postgres",
                   "select 1 from pg_stat_activity where pid = %s", (backend,)):
            break
        time.sleep(0.05)
    assert invalid_indexes(p) == [("item_name",)]
    assert p.sql("select format('%s.%s.%s', major, minor, patch) from half_orm_meta.hop_upgrade") == [("0.1.0",)]
    r = p.hop("upgrade", "--to", "0.1.0")
    assert r.code == 0, str(r)
    assert invalid_indexes(p) == []
    assert p.sql("select indisvalid from pg_index where indexrelid = 'public.item_name'::regclass") == [(True,)]
    assert p.release() == "0.1.0"
    assert p.sql("select count(*) from half_orm_meta.hop_script where path like 'Patches/0/1/0/%'") == [(1,)]


def test_lock_report_and_refusal_of_a_rewrite_of_a_big_table(prod_index):
    p = prod_index
    p.hop("upgrade", "--to", "0.1.0", check=True)
    p.sql("analyze public.item")
    config = p.path / ".hop" / "config"
    config.write_text(config.read_text() + "max_locked_rows = 1000\n")
    # The dry run shows the plan and what the upgrade would refuse (exit 1).
    r = p.hop("upgrade", "--dry-run", check=1)
    assert ("Patches/0/1/1/00_retype.sql:1  ALTER TABLE  public.item  ACCESS EXCLUSIVE, rewrite"
            " (about 20000 rows") in r.out, str(r)
    assert f"error: an upgrade of '{p.db}' would lock tables of more than 1000 rows" in r.err
    plan = json.loads(p.hop("upgrade", "--dry-run", "--format=json", "--allow-blocking",
                            check=True).out)
    locks = plan["releases"][0]["locks"]
    assert locks[0]["lock"] == "ACCESS EXCLUSIVE" and locks[0]["rewrite"] is True
    assert locks[0]["rows"] == 20000 and locks[0]["relation"] == "public.item"
    before = p.releases()
    r = p.hop("upgrade")
    assert_fatal(r, f"an upgrade of '{p.db}' would lock tables of more than 1000 rows for long")
    assert "public.item  ACCESS EXCLUSIVE, rewrite" in r.err and "--allow-blocking" in r.err
    assert p.releases() == before and p.release() == "0.1.0"
    r = p.hop("upgrade", "--allow-blocking", check=True)
    assert "warning: blocking: Patches/0/1/1/00_retype.sql:1" in r.err
    assert p.release() == "0.1.1"


def test_lock_report_of_every_pending_release_in_one_query(prod_index):
    # The relations of every pending release are sized by one catalog query;
    # each release keeps its own rows.
    p = prod_index
    p.sql("analyze public.item")
    r = hoptest.hop(dict(p.env, GIT_HOP_TRACE="1"), p.path, "upgrade", "--dry-run",
                    "--format=json")
    assert r.code == 0, str(r)
    plan = json.loads(r.out)
    assert [rel["version"] for rel in plan["releases"]] == ["0.1.0", "0.1.1"]
    locks = [[(lock["statement"], lock["tag"], lock["relation"], lock["lock"], lock["rewrite"],
               lock["rows"]) for lock in rel["locks"]] for rel in plan["releases"]]
    assert locks == [
        [("Patches/0/1/0/00_index.sql:2", "CREATE INDEX", "public.item",
          "SHARE UPDATE EXCLUSIVE", False, 20000)],
        [("Patches/0/1/1/00_retype.sql:1", "ALTER TABLE", "public.item",
          "ACCESS EXCLUSIVE", True, 20000)],
    ]
    assert all(rel["locks"][0]["bytes"] > 0 for rel in plan["releases"])
    assert r.err.count("sql: with w as (") == 1, r.err


def test_scripts_of_a_release_are_recorded_in_one_statement(project):
    p = project
    prepare(p)
    scripts = {
        "Patches/0/0/1/00_a.sql": "create table public.a (x int);\n",
        "Patches/0/0/1/10_b.sql": "insert into public.a values (1);\n",
        "Patches/0/0/1/20_c.sql": "alter table public.a add column y int;\n",
    }
    for path, text in scripts.items():
        p.write(path, text)
    r = hoptest.hop(dict(p.env, GIT_HOP_TRACE="1"), p.path, "apply")
    assert r.code == 0, str(r)
    assert p.sql("select path, sha256, duration_ms >= 0 from half_orm_meta.hop_script"
                 " where (major, minor, patch) = (0, 0, 1) order by path") == [
        (path, hashlib.sha256(text.encode()).hexdigest(), True)
        for path, text in scripts.items()]
    assert r.err.count("sql: insert into half_orm_meta.hop_script") == 1, r.err
