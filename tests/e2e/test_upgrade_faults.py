"""Faults during `git hop upgrade` (design §11; issue "Production", Must
show): SIGKILL at every step and at random delays, several upgrades at
once, and a long transaction elsewhere holding a lock on a table a release
alters.

The invariant after a kill: the database is at a release (its rows say
which), or records an interrupted upgrade of the next release that the
following `upgrade` completes; after it, every script has run exactly once
(one row each, the data they insert present once).
"""

from __future__ import annotations

import os
import random
import re
import secrets
import shutil
import signal
import subprocess
import threading
import time
from pathlib import Path

import psycopg2
import pytest

import hoptest
from hoptest import sql
from test_production import POST_SQL, TAG_SQL, DATA_PY, Remote, dev_remote, make_prod
from test_release_cycle import assert_fatal, drop_hop_databases, prepare

# How many random-delay kills on top of one per trace line (at most
# KILL_POINTS of those): bounded in count and time.
KILL_POINTS = int(os.environ.get("HOP_KILL_POINTS", "36"))
RANDOM_KILLS = int(os.environ.get("HOP_RANDOM_KILLS", "8"))

ALTER_SQL = "alter table public.post add column body text;\n"


@pytest.fixture(scope="module")
def remote3(tmp_path_factory, pg_cluster, git_hop_bin, git_hop_prefix) -> Remote:
    """0.0.1 (posts + a row), 0.1.0 (tags, a .py data script), 0.1.1 (an
    ALTER TABLE on post), pushed to a bare remote."""
    with dev_remote(tmp_path_factory, "faults-dev", pg_cluster, git_hop_bin,
                    git_hop_prefix) as dev:
        p = dev.dev
        for level, message, scripts in [
            ("patch", "Posts", {"00_post.sql": POST_SQL}),
            ("minor", "Tags", {"00_tag.sql": TAG_SQL, "10_data.py": DATA_PY}),
            ("patch", "Bodies", {"00_body.sql": ALTER_SQL}),
        ]:
            prepare(p, level, message)
            version = p.branch()[len("hop_"):]
            folder = "Patches/" + version.replace(".", "/")
            for name, text in scripts.items():
                p.write(f"{folder}/{name}", text)
            p.hop("apply", check=True)
            p.commit(f"{version}: {message}")
            p.hop("release", "--push", check=True)
        yield dev


@pytest.fixture(scope="module")
def prod_clone(remote3, tmp_path_factory, pg_cluster, git_hop_bin, git_hop_prefix):
    """One production clone; each test gives it fresh databases."""
    base = tmp_path_factory.mktemp("faults-prod")
    p = make_prod(base, remote3, pg_cluster, git_hop_bin, git_hop_prefix, create=False)
    yield p
    drop_hop_databases(pg_cluster, p.db)
    hoptest.drop_database(pg_cluster, p.db)


def fresh_database(p) -> None:
    drop_hop_databases(p.cluster, p.db)
    hoptest.drop_database(p.cluster, p.db)
    hoptest.create_database(p.cluster, p.db)


def state(p) -> dict:
    tracked = p.sql("select to_regclass('half_orm_meta.hop_release')") != [(None,)]
    if not tracked:
        assert p.sql("select count(*) from pg_tables where schemaname = 'public'") == [(0,)]
        return {"release": None, "upgrade": None}
    upgrade = None
    if p.sql("select to_regclass('half_orm_meta.hop_upgrade')") != [(None,)]:
        rows = p.sql("select format('%s.%s.%s', major, minor, patch) from half_orm_meta.hop_upgrade")
        upgrade = rows[0][0] if rows else None
    return {"release": p.release(), "upgrade": upgrade}


def settle(p) -> None:
    """Wait for the server to finish what the killed git-hop's sessions had
    sent (a COMMIT already received still commits)."""
    for _ in range(200):
        rows = sql(p.cluster, "postgres",
                   "select count(*) from pg_stat_activity where datname = %s"
                   " or application_name like 'git-hop %%'", (p.db,))
        if rows == [(0,)]:
            return
        time.sleep(0.05)
    rows = sql(p.cluster, "postgres",
               "select pid, datname, application_name, state, query from pg_stat_activity"
               " where datname = %s or application_name like 'git-hop %%'", (p.db,))
    raise AssertionError(f"sessions of the killed git-hop are still there: {rows}")


def check_at_a_release(p) -> dict:
    """The database is at a release, or records an interrupted upgrade of
    the next one."""
    settle(p)
    s = state(p)
    r = s["release"]
    assert r in (None, "0.0.0", "0.0.1", "0.1.0", "0.1.1"), s
    tables = {t for (t,) in p.sql("select tablename from pg_tables where schemaname = 'public'")}
    scripts = {path for (_, path, _) in p.scripts()} if r else set()
    expected = {
        None: set(), "0.0.0": set(), "0.0.1": {"post"},
        "0.1.0": {"post", "tag"}, "0.1.1": {"post", "tag"},
    }[r]
    if s["upgrade"] is None:
        # Never between two releases.
        assert tables == expected, s
        assert all(path.startswith(("Patches/0/0/1", "Patches/0/1/0", "Patches/0/1/1"))
                   for path in scripts)
    else:
        # An interrupted release with .py scripts: 0.1.0 only.
        assert s["upgrade"] == "0.1.0" and r == "0.0.1", s
    return s


def check_complete(p) -> None:
    assert p.release() == "0.1.1"
    assert p.sql("select count(*) from half_orm_meta.hop_upgrade") == [(0,)]
    assert [path for (_, path, _) in p.scripts()] == [
        "Patches/0/0/1/00_post.sql", "Patches/0/1/0/00_tag.sql",
        "Patches/0/1/0/10_data.py", "Patches/0/1/1/00_body.sql"]
    assert p.data() == [("post", "reference row of 0.0.1"), ("tag", "from 0.1.0"),
                        ("tag", "python")]
    assert p.sql("select count(*) from information_schema.columns"
                 " where table_name = 'post' and column_name = 'body'") == [(1,)]
    leftovers = [d for (d,) in sql(p.cluster, "postgres",
                                   "select datname from pg_database where datname like %s",
                                   (p.db + "__hop%",))]
    assert leftovers == [] or all(d.endswith("__hop_old") is False for d in leftovers), leftovers


def hop_process(p, *args) -> subprocess.Popen:
    env = dict(p.env, GIT_HOP_TRACE="1")
    return subprocess.Popen(["git", "hop", *args], cwd=p.path, env=env,
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)


def upgrade_process(p, *args) -> subprocess.Popen:
    return hop_process(p, "upgrade", *args)


def is_trace(line: str) -> bool:
    return line.startswith("trace: ") or bool(re.match(r"^\d\d:\d\d:\d\d\.\d+ ", line))


def kill_after_trace_line(p, n: int, args=("upgrade", "--init")) -> list:
    """Run `git hop <args>` and SIGKILL git-hop (not its children: they
    must not outlive it by themselves) when its n-th trace line appears."""
    proc = hop_process(p, *args)
    seen = []
    for line in proc.stderr:
        if is_trace(line):
            seen.append(line.rstrip())
            if len(seen) == n:
                proc.send_signal(signal.SIGKILL)
                break
    proc.stderr.close()
    proc.wait(timeout=120)
    return seen


def trace_lines(p) -> list:
    fresh_database(p)
    proc = upgrade_process(p, "--init")
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    return [l for l in err.splitlines() if is_trace(l)]


def finish(p) -> None:
    """The next run completes whatever the kill left."""
    tracked = p.sql("select to_regclass('half_orm_meta.hop_release')") != [(None,)]
    r = p.hop("upgrade", *([] if tracked else ["--init"]))
    assert r.code == 0, str(r)
    check_complete(p)


def test_sigkill_at_every_step_then_upgrade_completes(prod_clone):
    p = prod_clone
    lines = trace_lines(p)
    assert len(lines) >= 30, lines
    points = list(range(1, len(lines) + 1))
    if len(points) > KILL_POINTS:
        step = len(points) / KILL_POINTS
        points = sorted({points[int(i * step)] for i in range(KILL_POINTS)})
    interrupted = 0
    for n in points:
        fresh_database(p)
        seen = kill_after_trace_line(p, n)
        s = check_at_a_release(p)
        interrupted += s["upgrade"] is not None
        finish(p)
    assert len(points) >= 30
    # Some kills fell inside the release with a .py script, where the
    # upgrade is recorded as in progress, and were completed.
    assert interrupted > 0, (len(points), len(lines))


def test_sigkill_at_random_delays_then_upgrade_completes(prod_clone):
    p = prod_clone
    rng = random.Random(int(os.environ.get("HOP_FAULT_SEED", "1")))
    fresh_database(p)
    start = time.monotonic()
    r = p.hop("upgrade", "--init", check=True)
    full = time.monotonic() - start
    for _ in range(RANDOM_KILLS):
        fresh_database(p)
        proc = upgrade_process(p, "--init")
        time.sleep(rng.uniform(0, full))
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=120)
        check_at_a_release(p)
        finish(p)


def at_0_1_1_with_a_backup_at_0_0_1(p) -> None:
    """A fresh database at 0.1.1 whose only backup is at 0.0.1 (the
    reference row), and a row written since."""
    fresh_database(p)
    shutil.rmtree(p.path / "Backups", ignore_errors=True)
    p.hop("upgrade", "--init", "--to", "0.0.1", check=True)
    p.hop("upgrade", check=True)
    p.sql("insert into public.post (title) values ('written after the backup')")


AT_0_0_1 = [("reference row of 0.0.1",)]


def posts(p) -> list:
    return p.sql("select title from public.post order by id")


def check_restored(p, n) -> None:
    """The next restore completes: the data of the backup, nothing left."""
    r = p.hop("restore", "0.0.1")
    assert r.code == 0, f"killed at {n}: {r}"
    assert p.release() == "0.0.1"
    assert posts(p) == AT_0_0_1
    settle(p)
    leftovers = sorted(d for d in names_now(p) if d.startswith(p.db + "__hop"))
    assert leftovers == [], (n, leftovers)


def test_sigkill_of_restore_at_every_step_then_restore_completes(prod_clone):
    p = prod_clone
    at_0_1_1_with_a_backup_at_0_0_1(p)
    proc = hop_process(p, "restore", "0.0.1")
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    lines = [l for l in err.splitlines() if is_trace(l)]
    assert len(lines) >= 10, lines
    points = list(range(1, len(lines) + 1))
    if len(points) > KILL_POINTS:
        step = len(points) / KILL_POINTS
        points = sorted({points[int(i * step)] for i in range(KILL_POINTS)})
    for n in points:
        at_0_1_1_with_a_backup_at_0_0_1(p)
        kill_after_trace_line(p, n, ("restore", "0.0.1"))
        settle(p)
        # The database as it was, or as restored, or (killed between the
        # two renames) under its renamed-away name until the next run.
        names = names_now(p)
        if p.db in names:
            assert p.release() in ("0.1.1", "0.0.1")
            if p.release() == "0.0.1":
                assert posts(p) == AT_0_0_1
        else:
            assert p.db + "__hop_old" in names, names
        check_restored(p, n)


def test_restore_killed_between_its_renames(prod_clone, git_hop_bin, tmp_path):
    """Exactly between the two renames (stopped at the trace line of the
    swap, then killed): status names the state, 'git hop upgrade' (its
    repair) renames the database back as it was, and the next restore
    completes."""
    p = prod_clone
    at_0_1_1_with_a_backup_at_0_0_1(p)
    left = hoptest.kill_at_step(p.env, [git_hop_bin / "git-hop", "restore", "0.0.1"],
                                cwd=p.path, step="db: swap ", trace=tmp_path / "trace")
    assert left is None, left
    settle(p)
    assert p.db not in names_now(p) and p.db + "__hop_old" in names_now(p)
    st = p.hop("status")
    assert "is missing: a swap was interrupted" in st.out, str(st)
    assert "repair:     git hop upgrade" in st.out, str(st)
    r = p.hop("upgrade")
    assert r.code == 0, str(r)
    assert "renamed back from" in r.err, str(r)
    assert p.release() == "0.1.1"
    assert posts(p) == AT_0_0_1 + [("written after the backup",)]
    # Killed there again, then the restore itself completes.
    left = hoptest.kill_at_step(p.env, [git_hop_bin / "git-hop", "restore", "0.0.1"],
                                cwd=p.path, step="db: swap ", trace=tmp_path / "trace")
    assert left is None, left
    settle(p)
    check_restored(p, "db: swap")


def names_now(p) -> set:
    return {d for (d,) in sql(p.cluster, "postgres", "select datname from pg_database")}


@pytest.mark.parametrize("count", [2, 5, 8])
def test_concurrent_upgrades_apply_once(prod_clone, count):
    p = prod_clone
    fresh_database(p)
    p.hop("upgrade", "--init", "--to", "0.0.1", check=True)
    procs = [subprocess.Popen(["git", "hop", "upgrade", "--lock-wait", "120"],
                              cwd=p.path, env=p.env, stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(count)]
    results = [(proc.wait(timeout=300), *proc.communicate()) for proc in procs]
    applied = [out for code, out, _ in results if code == 0 and "Upgraded" in out]
    waited = [out for code, out, _ in results
              if code == 0 and "nothing to upgrade" in out]
    assert len(applied) == 1, results
    assert len(applied) + len(waited) == count, results
    check_complete(p)


def test_a_second_upgrade_names_the_holder_and_gives_up(prod_clone):
    p = prod_clone
    fresh_database(p)
    p.hop("upgrade", "--init", "--to", "0.0.1", check=True)
    blocker = psycopg2.connect(host=p.cluster.host, user=p.cluster.user,
                               dbname=p.db)
    try:
        blocker.autocommit = False
        blocker.cursor().execute("lock table public.post in access share mode")
        first = subprocess.Popen(["git", "hop", "upgrade"], cwd=p.path, env=p.env,
                                 stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True)
        time.sleep(3)  # the first holds git-hop's lock, retrying the ALTER
        before = p.releases()
        r = p.hop("upgrade", "--lock-wait", "1")
        assert_fatal(r, f"database '{p.db}' is busy: another git-hop is working on it")
        assert "git-hop upgrade [pid " in r.err and "since" in r.err, str(r)
        assert p.releases() == before
    finally:
        blocker.rollback()
        blocker.close()
    assert first.wait(timeout=300) == 0, first.communicate()
    check_complete(p)


def test_lock_timeout_keeps_the_traffic_moving(prod_clone):
    p = prod_clone
    fresh_database(p)
    p.hop("upgrade", "--init", "--to", "0.1.0", check=True)
    config = p.path / ".hop" / "config"
    saved = config.read_text()
    config.write_text(saved + '\n[deploy]\nlock_timeout = "1s"\nlock_retries = 100\n')
    waits = []
    stop = threading.Event()

    def traffic():
        conn = psycopg2.connect(host=p.cluster.host, user=p.cluster.user, dbname=p.db)
        conn.autocommit = True
        try:
            while not stop.is_set():
                start = time.monotonic()
                with conn.cursor() as cur:
                    cur.execute("insert into public.tag (name) values (%s)",
                                (secrets.token_hex(8),))
                    cur.execute("select count(*) from public.post")
                waits.append(time.monotonic() - start)
                time.sleep(0.05)
        finally:
            conn.close()

    blocker = psycopg2.connect(host=p.cluster.host, user=p.cluster.user, dbname=p.db)
    reader = threading.Thread(target=traffic)
    try:
        blocker.autocommit = False
        blocker.cursor().execute("select * from public.post")  # ACCESS SHARE, held
        reader.start()
        upgrade = subprocess.Popen(["git", "hop", "upgrade"], cwd=p.path, env=p.env,
                                   stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True)
        time.sleep(8)  # the long transaction: without lock_timeout, the
        # traffic queued behind the ALTER would wait all of it
        assert upgrade.poll() is None, upgrade.communicate()
        blocker.rollback()
        out, err = upgrade.communicate(timeout=120)
        assert upgrade.returncode == 0, err
    finally:
        stop.set()
        if reader.is_alive():
            reader.join(timeout=30)
        blocker.close()
        config.write_text(saved)
    assert "lock_timeout; the transaction is rolled back and tried again" in err
    assert p.release() == "0.1.1"
    # Queries waited at most about one lock_timeout (1 s), never the 8 s of
    # the long transaction.
    assert waits and max(waits) < 4, sorted(waits)[-5:]
