"""End-to-end tests of production: `git hop upgrade` and `git hop restore`
on the deploy engine (design §6, §6.1, §11; issue "Production").

A development project makes two releases, pushed to a bare remote:

  0.0.1  Patches/0/0/1/00_post.sql   table post, and a reference row
  0.1.0  Patches/0/1/0/00_tag.sql    table tag
         Patches/0/1/0/10_data.py    rows inserted by a .py script

A production clone of the remote has its own connection file
(`production = True`) and its own database, of another name.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import psycopg2
import pytest

import hoptest
from hoptest import git, hop, make_env, run, sql
from test_release_cycle import (
    PKG,
    Project,
    assert_fatal,
    drop_hop_databases,
    file_tree,
    new_project,
    prepare,
    schema_dump,
)

POST_SQL = """\
create table public.post (
  id serial primary key,
  title text not null
);
insert into public.post (title) values ('reference row of 0.0.1');
"""

TAG_SQL = "create table public.tag (name text primary key);\n"

# A .py data script: the libpq environment points at the database being
# upgraded (PG*), whatever its name.
DATA_PY = """\
import psycopg2

conn = psycopg2.connect("")
with conn, conn.cursor() as cur:
    cur.execute("insert into public.tag (name) values ('from 0.1.0'), ('python')")
conn.close()
"""

TEST_POST = """\
import psycopg2


def test_reference_row_is_there():
    conn = psycopg2.connect("")
    try:
        with conn.cursor() as cur:
            cur.execute("select title from public.post order by id")
            assert ("reference row of 0.0.1",) in cur.fetchall()
    finally:
        conn.close()
"""


@dataclass
class Remote:
    dev: Project
    bare: Path


@dataclass
class Prod:
    """A production clone: its work tree, environment and database."""

    path: Path
    env: dict
    db: str
    cluster: object

    def hop(self, *args, **kwargs):
        return hop(self.env, self.path, *args, **kwargs)

    def git(self, *args) -> str:
        return git(self.env, self.path, *args)

    def sql(self, query: str, params=None) -> list:
        return sql(self.cluster, self.db, query, params)

    def release(self):
        rows = self.sql('select major, minor, patch from "half_orm_meta.view".hop_last_release')
        return "%d.%d.%d" % rows[0] if rows else None

    def releases(self) -> list:
        return self.sql(
            "select format('%s.%s.%s', major, minor, patch), commit"
            " from half_orm_meta.hop_release order by major, minor, patch"
        )

    def scripts(self) -> list:
        return self.sql(
            "select format('%s.%s.%s', major, minor, patch), path, sha256"
            " from half_orm_meta.hop_script order by 1, 2"
        )

    def backups(self) -> list:
        d = self.path / "Backups"
        return sorted(p.name for p in d.iterdir()) if d.exists() else []

    def dump(self) -> str:
        return schema_dump(self.cluster, self.db)

    def data(self) -> list:
        return self.sql(
            "select 'post', title from public.post union all "
            "select 'tag', name from public.tag order by 1, 2"
        )

    def snapshot(self) -> dict:
        """What a refused or dry command leaves unchanged."""
        oid = sql(self.cluster, "postgres",
                  "select oid from pg_database where datname = %s", (self.db,))
        tracked = self.sql("select to_regclass('half_orm_meta.hop_release')") != [(None,)]
        return {
            "oid": oid,
            "dump": self.dump(),
            "releases": self.releases() if tracked else None,
            "scripts": self.scripts() if tracked else None,
            "files": file_tree(self.path),
            "refs": self.git("for-each-ref", "--format=%(refname) %(objectname)"),
        }


def make_prod(base: Path, remote: Remote, cluster, git_hop_bin, git_hop_prefix,
              *, db: str | None = None, create: bool = True) -> Prod:
    """A clone of the remote with a production connection file."""
    base.mkdir(parents=True, exist_ok=True)
    env = make_env(base, cluster, git_hop_bin, git_hop_prefix)
    path = base / "prod"
    run(env, "git", "clone", "-q", "-b", "hop_main", remote.bare, path, cwd=base, check=True)
    run(env, "git", "fetch", "-q", "origin", "refs/notes/hop:refs/notes/hop",
        cwd=path, check=True)
    db = db or f"t_prod_{secrets.token_hex(4)}"
    (Path(env["HALFORM_CONF_DIR"]) / PKG).write_text(
        f"[database]\nname = {db}\nproduction = True\n"
    )
    if create:
        hoptest.create_database(cluster, db)
    return Prod(path, env, db, cluster)


@contextlib.contextmanager
def dev_remote(tmp_path_factory, name: str, cluster, git_hop_bin, git_hop_prefix,
               **env_extra):
    """A devel project on a database of its own (dropped after, with its
    helper databases), at 0.0.0, pushed to a bare remote 'origin'; the
    environment gets `env_extra`. Yields the Remote."""
    base = tmp_path_factory.mktemp(name)
    env = make_env(base, cluster, git_hop_bin, git_hop_prefix)
    env.update(env_extra)
    work = base / "work"
    work.mkdir()
    bare = base / "remote.git"
    run(env, "git", "init", "-q", "--bare", bare, cwd=base, check=True)
    db = f"t_{name.replace('-', '')}_{secrets.token_hex(4)}"
    hoptest.create_database(cluster, db)
    try:
        p = new_project(env, work, db, cluster)
        p.git("remote", "add", "origin", str(bare))
        p.git("push", "-q", "--no-verify", "origin", "hop_main", "--tags",
              "refs/notes/hop:refs/notes/hop")
        yield Remote(p, bare)
    finally:
        drop_hop_databases(cluster, db)
        hoptest.drop_database(cluster, db)


@pytest.fixture(scope="module")
def remote(tmp_path_factory, pg_cluster, git_hop_bin, git_hop_prefix) -> Remote:
    with dev_remote(tmp_path_factory, "prod-dev", pg_cluster, git_hop_bin,
                    git_hop_prefix) as dev:
        p = dev.dev
        prepare(p, "patch", "Posts")
        p.write("Patches/0/0/1/00_post.sql", POST_SQL)
        p.write("tests/test_post.py", TEST_POST)
        p.hop("apply", check=True)
        p.commit("0.0.1: posts")
        p.hop("release", "--push", check=True)
        prepare(p, "minor", "Tags")
        p.write("Patches/0/1/0/00_tag.sql", TAG_SQL)
        p.write("Patches/0/1/0/10_data.py", DATA_PY)
        p.hop("apply", check=True)
        p.commit("0.1.0: tags")
        p.hop("release", "--push", check=True)
        yield dev


@pytest.fixture
def prod(remote, tmp_path, pg_cluster, git_hop_bin, git_hop_prefix):
    """A production clone with an empty database (dropped afterwards)."""
    p = make_prod(tmp_path / "prodbase", remote, pg_cluster, git_hop_bin, git_hop_prefix)
    yield p
    drop_hop_databases(pg_cluster, p.db)
    hoptest.drop_database(pg_cluster, p.db)


@pytest.fixture
def upgraded(prod) -> Prod:
    """`prod` brought to 0.1.0 by `upgrade --init`."""
    prod.hop("upgrade", "--init", check=True)
    return prod


# --------------------------------------------------------------------------
# Development takes the production path


def test_data_of_a_release_script_is_in_later_dev_builds(remote):
    p = remote.dev
    # 0.1.0 was applied on the template of 0.0.1: the row 00_post.sql
    # inserted is there, and the .py script's rows too.
    assert p.sql("select title from public.post") == [("reference row of 0.0.1",)]
    assert p.sql("select name from public.tag order by 1") == [("from 0.1.0",), ("python",)]
    # ... and the project's test, which needs the row, passed at release
    # (with the generated stubs of public.post and public.tag).
    note = p.git("notes", "--ref=hop", "show", "0.1.0^{}")
    assert "failed = 0" in note and "passed = 3" in note


def test_dev_template_rebuilt_from_tags_keeps_the_data(remote, pg_cluster):
    p = remote.dev
    prepare(p, "patch", "Next")
    try:
        for name in p.hop_databases():
            hoptest.drop_database(pg_cluster, name)  # no cache: replay 0.0.0..0.1.0
        r = p.hop("apply", check=True)
        assert "Building the template of release 0.0.1" in r.err, str(r)
        assert "Building the template of release 0.1.0" in r.err, str(r)
        assert p.sql("select count(*) from public.post") == [(1,)]
        assert p.sql("select count(*) from public.tag") == [(2,)]
        rows = p.sql("select format('%s.%s.%s', major, minor, patch), commit"
                     " from half_orm_meta.hop_release order by 1")
        # Each replayed release is recorded with its tag's commit; the one
        # in preparation has none yet.
        assert rows == [("0.0.0", p.rev("0.0.0^{}")), ("0.0.1", p.rev("0.0.1^{}")),
                        ("0.1.0", p.rev("0.1.0^{}")), ("0.1.1", None)]
    finally:
        p.checkout("hop_main")
        p.git("branch", "-q", "-D", "hop_0.1.1")
        p.hop("restore", "0.1.0", check=True)


# --------------------------------------------------------------------------
# upgrade --init, --dry-run, --to, upgrade


def test_upgrade_refuses_a_development_database(remote):
    r = remote.dev.hop("upgrade")
    assert_fatal(r, f"database '{remote.dev.db}' is not a production database")


def test_upgrade_of_an_untracked_database_needs_init(prod):
    before = prod.snapshot()
    r = prod.hop("upgrade")
    assert_fatal(r, f"database '{prod.db}' has no half_orm_meta")
    assert "--init" in r.err
    assert prod.snapshot() == before


def test_dry_run_changes_nothing(prod):
    before = prod.snapshot()
    r = prod.hop("upgrade", "--init", "--dry-run", check=True)
    assert "from an untracked database to 0.1.0" in r.out
    assert "Patches/0/0/1/00_post.sql  sha256:" in r.out
    assert "    | create table public.post (" in r.out
    assert "Patches/0/1/0/10_data.py" in r.out
    assert prod.snapshot() == before
    assert prod.backups() == []


def test_dry_run_json(prod):
    before = prod.snapshot()
    r = prod.hop("upgrade", "--init", "--dry-run", "--format=json", check=True)
    plan = json.loads(r.out)
    assert plan["dry_run"] is True and plan["init"] == "empty"
    assert plan["from"] is None and plan["to"] == "0.1.0"
    assert [x["version"] for x in plan["releases"]] == ["0.0.1", "0.1.0"]
    scripts = plan["releases"][1]["scripts"]
    assert [s["path"] for s in scripts] == ["Patches/0/1/0/00_tag.sql",
                                           "Patches/0/1/0/10_data.py"]
    assert scripts[0]["sql"] == TAG_SQL and scripts[1]["kind"] == "python"
    assert plan["one_transaction"] is False
    assert prod.snapshot() == before


def test_init_on_an_empty_database(upgraded, remote):
    p = upgraded
    dev = remote.dev
    assert p.release() == "0.1.0"
    assert p.releases() == [("0.0.0", dev.rev("0.0.0^{}")), ("0.0.1", dev.rev("0.0.1^{}")),
                            ("0.1.0", dev.rev("0.1.0^{}"))]
    assert [r[1] for r in p.scripts()] == ["Patches/0/0/1/00_post.sql",
                                          "Patches/0/1/0/00_tag.sql",
                                          "Patches/0/1/0/10_data.py"]
    # Data from the releases' scripts, .sql and .py.
    assert p.data() == [("post", "reference row of 0.0.1"), ("tag", "from 0.1.0"),
                        ("tag", "python")]
    # The production schema is the release's baseline.
    assert p.hop("upgrade", check=True).out.startswith(f"Database '{p.db}' is at 0.1.0")
    # One backup, of the untracked state.
    assert len(p.backups()) == 1 and "-untracked-" in p.backups()[0]


def test_upgrade_to_then_upgrade(prod):
    r = prod.hop("upgrade", "--init", "--to", "0.0.1", check=True)
    assert prod.release() == "0.0.1"
    assert "Upgraded" in r.out and "to 0.0.1" in r.out
    r = prod.hop("upgrade", check=True)
    lines = r.out.splitlines()
    assert lines[0].startswith("0.1.0  ") and lines[0].endswith("Tags")
    assert lines[-1].startswith(f"Upgraded '{prod.db}' from 0.0.1 to 0.1.0: 1 release in ")
    assert prod.release() == "0.1.0"
    backups = prod.backups()
    assert len(backups) == 2
    assert any(f"{prod.db}-0.0.1-" in b for b in backups)


def test_upgrade_to_an_unknown_release(upgraded):
    before = upgraded.snapshot()
    r = upgraded.hop("upgrade", "--to", "7.7.7")
    assert_fatal(r, "release 7.7.7 is not a release of this repository")
    assert upgraded.snapshot() == before


def test_init_adopts_a_database_equal_to_the_baseline(remote, tmp_path, pg_cluster,
                                                      git_hop_bin, git_hop_prefix):
    p = make_prod(tmp_path / "adopt", remote, pg_cluster, git_hop_bin, git_hop_prefix)
    try:
        # The 0.0.0 baseline of this project is an empty model: any empty
        # database is it; one table more is not.
        sql(pg_cluster, p.db, "create table public.stray (x int)")
        before = p.snapshot()
        r = p.hop("upgrade", "--init")
        assert_fatal(r, f"database '{p.db}' is not empty and differs from the baseline of 0.0.0")
        assert "table public.stray: only in database" in r.err
        assert p.snapshot() == before
        sql(pg_cluster, p.db, "drop table public.stray")
        sql(pg_cluster, p.db, "create schema app")  # not in the 0.0.0 baseline either
        r = p.hop("upgrade", "--init")
        assert_fatal(r, f"database '{p.db}' is not empty and differs")
        sql(pg_cluster, p.db, "drop schema app")
    finally:
        drop_hop_databases(pg_cluster, p.db)
        hoptest.drop_database(pg_cluster, p.db)


# --------------------------------------------------------------------------
# Refusals: nothing changes


def test_tampered_script_row_is_refused(upgraded):
    upgraded.sql("update half_orm_meta.hop_script set sha256 = repeat('0', 64)"
                 " where path = 'Patches/0/0/1/00_post.sql'")
    before = upgraded.snapshot()
    r = upgraded.hop("upgrade")
    assert_fatal(r, f"database '{upgraded.db}' does not agree with the repository")
    assert "'Patches/0/0/1/00_post.sql' of release 0.0.1 ran here with sha256 000000000000" in r.err
    assert upgraded.snapshot() == before


def test_database_ahead_of_the_repository_is_refused(upgraded):
    upgraded.sql("insert into half_orm_meta.hop_release (major, minor, patch) values (9, 9, 9)")
    before = upgraded.snapshot()
    r = upgraded.hop("upgrade")
    assert_fatal(r, f"database '{upgraded.db}' does not agree with the repository")
    assert "release 9.9.9, which is not a release of this repository" in r.err
    assert upgraded.snapshot() == before


def test_release_commit_of_another_repository_is_refused(upgraded):
    upgraded.sql("update half_orm_meta.hop_release set commit = repeat('a', 40)"
                 " where major = 0 and minor = 1")
    r = upgraded.hop("upgrade")
    assert_fatal(r, f"database '{upgraded.db}' does not agree with the repository")
    assert "release 0.1.0 at commit aaaaaaaaaaaa" in r.err


def test_missing_note_means_no_release(prod):
    prod.git("update-ref", "-d", "refs/notes/hop")
    prod.git("remote", "remove", "origin")  # no fetching it back
    before = prod.snapshot()
    r = prod.hop("upgrade", "--init")
    assert_fatal(r, "no release in the repository")
    assert prod.snapshot() == before


def test_drift_is_listed_and_refused(upgraded):
    upgraded.sql("alter table public.post add column hand_made int")
    upgraded.sql("create index post_title on public.post (title)")
    # A new release to apply, so that there is something to do.
    before = upgraded.snapshot()
    r = upgraded.hop("upgrade")
    # Nothing pending: still, the drift is named and the command refuses.
    assert_fatal(r, f"database '{upgraded.db}' has drifted from the baseline of release 0.1.0")
    assert "table public.post: differs from model/schema-0.1.0.sql" in r.err
    assert "index public.post_title: only in database" in r.err
    assert upgraded.snapshot() == before
    r = upgraded.hop("upgrade", "--allow-drift", check=True)
    assert "drift: table public.post" in r.err


def test_drift_with_releases_pending_is_refused_after_the_backup_which_goes(prod):
    # With releases to replay, drift is read from the backup taken under the
    # lock; refused, that backup is removed: nothing changed.
    prod.hop("upgrade", "--init", "--to", "0.0.1", check=True)
    prod.sql("alter table public.post add column hand_made int")
    before = prod.snapshot()
    r = prod.hop("upgrade")
    assert_fatal(r, f"database '{prod.db}' has drifted from the baseline of release 0.0.1")
    assert "table public.post: differs from model/schema-0.0.1.sql" in r.err
    assert "Nothing was changed." in r.err
    assert prod.snapshot() == before
    assert prod.release() == "0.0.1"
    r = prod.hop("upgrade", "--allow-drift", check=True)
    assert "drift: table public.post" in r.err
    assert prod.release() == "0.1.0"


# --------------------------------------------------------------------------
# pg_dump's --restrict-key (PostgreSQL >= 15.14, 16.10, 17.6)


def old_pg_dump_env(env: dict, tmp_path: Path) -> dict:
    """`env` with pg_dump and pg_restore first on PATH as they were before
    --restrict-key: the option refused, no \\restrict line written."""
    bindir = tmp_path / "oldbin"
    bindir.mkdir()
    for name in ("pg_dump", "pg_restore"):
        real = shutil.which(name, path=env["PATH"])
        assert real, f"no {name} on PATH"
        (bindir / name).write_text(
            "#!/bin/sh\n"
            'for a in "$@"; do\n'
            '  case $a in --restrict-key*)\n'
            f'    echo "{real}: unrecognized option \'$a\'" >&2\n'
            f'    echo "{name}: hint: Try \\"{name} --help\\" for more information." >&2\n'
            "    exit 1 ;;\n"
            "  esac\n"
            "done\n"
            'out=$(mktemp) || exit 1\n'
            f'"{real}" "$@" >"$out"\n'
            "rc=$?\n"
            "grep -v -e '^.restrict ' -e '^.unrestrict ' -e '^  --restrict-key' \"$out\"\n"
            'rm -f "$out"\n'
            "exit $rc\n")
        (bindir / name).chmod(0o755)
    return dict(env, PATH=f"{bindir}{os.pathsep}{env['PATH']}")


def test_upgrade_asks_pg_dump_for_no_help(prod):
    # Whether pg_dump knows --restrict-key is learned from the dump itself,
    # not from a `pg_dump --help` in every process.
    prod.hop("upgrade", "--init", "--to", "0.0.1", check=True)
    r = hop(dict(prod.env, GIT_HOP_TRACE="1"), prod.path, "upgrade", check=True)
    assert prod.release() == "0.1.0"
    runs = [line for line in r.err.splitlines() if "run: pg_" in line]
    assert not [line for line in runs if "--help" in line], runs
    assert [line for line in runs if "run: pg_restore" in line and "--restrict-key=githop" in line], runs


def test_pg_dump_without_restrict_key(prod, tmp_path):
    # An older pg_dump refuses the option: each program is run again without
    # it, once per process, and the upgrade goes through.
    prod.hop("upgrade", "--init", "--to", "0.0.1", check=True)
    env = old_pg_dump_env(prod.env, tmp_path)
    r = hop(dict(env, GIT_HOP_TRACE="1"), prod.path, "upgrade", check=True)
    assert prod.release() == "0.1.0"
    runs = [line.split("run: ", 1)[1] for line in r.err.splitlines() if "run: pg_" in line]
    assert not [a for a in runs if "--help" in a], runs
    restores = [a for a in runs if a.startswith("pg_restore ")]
    assert len(restores) == 2 and "--restrict-key=githop" in restores[0], runs
    assert "--restrict-key" not in restores[1]
    # The drift check read the backup with the old pg_restore: no drift.
    assert "drift" not in r.err
    # A dry run dumps with pg_dump: refused, then run without the option.
    r = hop(dict(env, GIT_HOP_TRACE="1"), prod.path, "upgrade", "--dry-run", check=True)
    runs = [line.split("run: ", 1)[1] for line in r.err.splitlines() if "run: pg_" in line]
    dumps = [a for a in runs if a.startswith("pg_dump ")]
    assert len(dumps) == 2 and "--restrict-key=githop" in dumps[0], runs
    assert "--restrict-key" not in dumps[1] and "--help" not in dumps[1]


# --------------------------------------------------------------------------
# restore


def test_restore_brings_back_the_data_of_its_backup(prod):
    prod.hop("upgrade", "--init", "--to", "0.0.1", check=True)
    prod.sql("insert into public.post (title) values ('written at 0.0.1')")
    prod.hop("upgrade", check=True)  # backs up 0.0.1 with the new row
    prod.sql("insert into public.post (title) values ('written at 0.1.0')")
    r = prod.hop("restore", "0.0.1", check=True)
    assert prod.release() == "0.0.1"
    assert prod.sql("select title from public.post order by id") == [
        ("reference row of 0.0.1",), ("written at 0.0.1",)]
    assert prod.sql("select to_regclass('public.tag')") == [(None,)]
    # The state before the restore was backed up: it can be undone.
    assert "the state before (0.1.0) is in" in r.out
    assert any(f"{prod.db}-0.1.0-" in b for b in prod.backups())
    r = prod.hop("restore", "0.1.0", check=True)
    assert prod.release() == "0.1.0"
    assert ("written at 0.1.0",) in prod.sql("select title from public.post")
    # And a following upgrade has nothing to do.
    prod.hop("restore", "0.0.1", check=True)
    prod.hop("upgrade", check=True)
    assert prod.release() == "0.1.0"


def test_restore_without_a_backup_is_refused(upgraded):
    before = upgraded.snapshot()
    r = upgraded.hop("restore", "0.0.1")
    assert_fatal(r, f"no backup of database '{upgraded.db}' at release 0.0.1")
    assert "-untracked-" in r.err  # the backups there are are listed
    assert upgraded.snapshot() == before


def test_restore_with_connected_sessions_is_refused(prod):
    prod.hop("upgrade", "--init", "--to", "0.0.1", check=True)
    prod.hop("upgrade", check=True)
    conn = prod.cluster.connect(prod.db)
    try:
        conn.cursor().execute("set application_name = 'the application'")
        before = prod.snapshot()
        r = prod.hop("restore", "0.0.1")
        assert_fatal(r, f"database '{prod.db}' has 1 other session")
        assert "(the application)" in r.err
        assert prod.snapshot() == before
    finally:
        conn.close()


def test_restore_of_a_malformed_version(prod):
    r = prod.hop("restore", "1.2")
    assert r.code == 129 and "invalid version '1.2'" in r.err


def test_restore_in_development_rebuilds_from_the_template(remote):
    p = remote.dev
    p.sql("insert into public.post (title) values ('scribble')")
    r = p.hop("restore", "0.0.1", check=True)
    assert r.out.startswith(f"The database '{p.db}' is rebuilt at 0.0.1")
    assert p.sql("select title from public.post") == [("reference row of 0.0.1",)]
    assert p.sql("select to_regclass('public.tag')") == [(None,)]
    p.hop("restore", "0.1.0", check=True)
    assert p.sql("select count(*) from public.tag") == [(2,)]



# --------------------------------------------------------------------------
# status in production: what upgrade would replay, what restore has


def status(p) -> tuple:
    r = p.hop("status", check=True)
    rows = {}
    for line in r.out.splitlines():
        key, _, value = line.partition(":")
        rows.setdefault(key, []).append(value.strip())
    data = json.loads(p.hop("status", "--format=json", check=True).out)
    return rows, data


def test_status_names_pending_releases_and_backups(prod):
    prod.hop("upgrade", "--init", "--to", "0.0.1", check=True)
    rows, data = status(prod)
    assert rows["release"] == ["0.0.1"]
    assert rows["pending"] == ["0.1.0 (run 'git hop upgrade')"]
    [backup] = prod.backups()
    assert rows["backups"] == [f"1, the last {backup} (untracked)"]
    assert "upgrade" not in rows and "drift" not in rows
    production = data["production"]
    assert production["pending"] == ["0.1.0"]
    assert production["interrupted"] is None
    assert [Path(b["path"]).name for b in production["backups"]] == [backup]
    assert production["backups"][0]["release"] is None
    assert production["backups"][0]["bytes"] > 0
    assert production["drift"] == [] and production["problems"] == []

    prod.hop("upgrade", check=True)
    rows, data = status(prod)
    assert rows["release"] == ["0.1.0"] and rows["pending"] == ["none"]
    assert rows["backups"][0].startswith("2, the last ") and rows["backups"][0].endswith(
        " (0.0.1)")
    assert data["production"]["pending"] == []


def test_status_names_drift(upgraded):
    upgraded.sql("create index post_title on public.post (title)")
    rows, data = status(upgraded)
    assert rows["drift"] == ["index public.post_title: only in the database"]
    assert rows["repair"][-1].startswith("find who changed the schema")
    assert data["production"]["drift"] == ["index public.post_title: only in the database"]


def test_status_names_an_interrupted_upgrade_and_upgrade_completes_it(prod, tmp_path):
    prod.hop("upgrade", "--init", "--to", "0.0.1", check=True)
    # Stopped, then killed, while the .py script of 0.1.0 runs: 0.1.0's
    # first part is committed with the "upgrade in progress" row.
    proc = subprocess.Popen(
        ["git-hop", "upgrade"], cwd=prod.path,
        env=dict(prod.env, GIT_HOP_TRACE=str(tmp_path / "trace"),
                 GIT_HOP_TRACE_STOP="git-hop runs each .py script"),
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    for _ in range(600):
        with open(f"/proc/{proc.pid}/stat") as f:
            if f.read().rsplit(")", 1)[1].split()[0] in ("T", "t"):
                break
        time.sleep(0.05)
    else:
        raise AssertionError("git-hop did not stop at the .py script")
    proc.kill()
    proc.communicate(timeout=60)
    for _ in range(200):  # the server ends the killed sessions
        if sql(prod.cluster, "postgres", "select count(*) from pg_stat_activity"
               " where datname = %s", (prod.db,)) == [(0,)]:
            break
        time.sleep(0.05)
    rows, data = status(prod)
    assert rows["release"] == ["0.0.1"]
    [line] = rows["upgrade"]
    assert line.startswith("interrupted in 0.1.0 (started ")
    assert line.endswith("): run 'git hop upgrade' to complete it")
    assert data["production"]["interrupted"]["release"] == "0.1.0"
    assert data["production"]["pending"] == ["0.1.0"]
    prod.hop("upgrade", check=True)
    rows, data = status(prod)
    assert rows["release"] == ["0.1.0"] and "upgrade" not in rows
    assert data["production"]["interrupted"] is None


def test_status_in_development_has_no_production_part(remote):
    data = json.loads(remote.dev.hop("status", "--format=json", check=True).out)
    assert data["production"] is None
