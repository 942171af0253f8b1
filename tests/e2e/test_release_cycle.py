"""End-to-end tests of the development release cycle: `git hop prepare`,
`apply`, `undo`, `test` and `release [--push]` (design.md §4-§6,
upstream-hop.md §6.3-§6.6 and the acceptance scenarios 7-30 of §12, with
their "Spec:" corrections, adapted to git-hop's design: release.toml instead
of MANIFEST.json, no CHANGELOG, releases known from tags and hop_X.Y.Z
branches, a scratch database swapped in only when everything succeeded).

Test names carry the number of the upstream scenario they adapt.

The tests run with the real half_orm (HOP_HALF_ORM, design §12): the
generated test stub of each relation runs too (public.first's, from 0.0.1
on). The projects of these tests also carry their own tests in
tests/test_*.py, written with psycopg2 and the libpq environment (PG*) that
`git hop test` exports for its throw-away copy of the database.

Every commit a test makes by hand uses --no-verify: the hooks are not what
is tested here.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import secrets
import select
import signal
import subprocess
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

import pytest

import hoptest
from hoptest import Result, db_exists, git, hop, make_env, run, sql

PKG = "blog"

FIRST_SQL = "create table public.first (a text primary key, b int);\n"

# The project's own test: the table of 0.0.1 exists in the database the
# tests run against (libpq takes it from PG*).
TEST_FIRST = """\
import psycopg2


def test_first_exists():
    conn = psycopg2.connect("")
    try:
        with conn.cursor() as cur:
            cur.execute("select to_regclass('public.first')")
            assert cur.fetchone()[0] == "first"
    finally:
        conn.close()
"""

TEST_FAILING = """\
def test_fails():
    assert 1 == 2, "this test fails on purpose"
"""


# --------------------------------------------------------------------------
# Helpers


def derived_name(db: str, suffix: str) -> str:
    """The name git-hop gives a database derived from `db` (snapshot.cpp):
    `db + suffix`, or a shortened `db` + '_' + 8 hex digits of its sha256
    when that is longer than 63 bytes."""
    if len(db.encode()) + len(suffix) <= 63:
        return db + suffix
    digest = hashlib.sha256(db.encode()).hexdigest()[:8]
    keep = 63 - len(suffix) - len(digest) - 1
    return db.encode()[:keep].decode("utf-8", "ignore") + "_" + digest + suffix


def hop_databases(cluster, db: str) -> list:
    """The databases git-hop derived from `db`: templates, scratch, copies."""
    rows = sql(
        cluster,
        "postgres",
        "select datname from pg_database"
        " where starts_with(datname, %s) or strpos(datname, %s) > 0 order by 1",
        (db + "__hop", "_" + hashlib.sha256(db.encode()).hexdigest()[:8] + "__hop"),
    )
    return [r[0] for r in rows]


def drop_hop_databases(cluster, db: str) -> None:
    for name in hop_databases(cluster, db):
        hoptest.drop_database(cluster, name)


def schema_dump(cluster, db: str) -> str:
    """pg_dump --schema-only of `db`, to compare a database before/after."""
    proc = subprocess.run(
        [
            os.fspath(cluster.bindir / "pg_dump"),
            "--schema-only",
            "--no-owner",
            "-h", cluster.host,
            "-p", str(cluster.port),
            "-U", cluster.user,
            "-d", db,
        ],
        env=hoptest.clean_pg_environ(),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=hoptest.TIMEOUT,
    )
    assert proc.returncode == 0, proc.stderr
    # pg_dump >= 15.14 writes a random \restrict key on each run.
    return re.sub(r"^\\(un)?restrict .*$", "", proc.stdout, flags=re.M)


def status_rows(text: str) -> dict:
    """The `label: value` rows of `git hop status`."""
    result = {}
    for line in text.splitlines():
        m = re.match(r"^([a-z]+):\s+(.*)$", line)
        if m:
            result[m.group(1)] = m.group(2)
    return result


def assert_fatal(r, message: str) -> None:
    """Exit 128, `fatal: <message>...` on stderr, nothing on stdout."""
    assert r.code == 128, str(r)
    assert any(l.startswith(f"fatal: {message}") for l in r.err.splitlines()), str(r)
    assert r.out == "", str(r)


def assert_failure(r, message: str) -> None:
    """Exit 1, `error: <message>...` on stderr."""
    assert r.code == 1, str(r)
    assert any(l.startswith(f"error: {message}") for l in r.err.splitlines()), str(r)


def details(r) -> list:
    """The indented detail lines of an error."""
    return [l[2:] for l in r.err.splitlines() if l.startswith("  ")]


def without(snapshot: dict, *keys: str) -> dict:
    """`snapshot` without `keys`."""
    return {k: v for k, v in snapshot.items() if k not in keys}


def file_tree(root: Path) -> dict:
    """{relative path: bytes} of every file under `root` (no __pycache__)."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    }


@dataclass
class Project:
    """A git-hop project 'blog' on database `db`, and how to look at it."""

    path: Path
    env: dict
    db: str
    cluster: Any

    # -- commands
    def hop(self, *args, **kwargs):
        return hop(self.env, self.path, *args, **kwargs)

    def git(self, *args) -> str:
        return git(self.env, self.path, *args)

    def sql(self, query: str, params=None) -> list:
        return sql(self.cluster, self.db, query, params)

    # -- files
    def write(self, rel: str, text: str) -> Path:
        p = self.path / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
        return p

    @property
    def package(self) -> Path:
        return self.path / PKG

    # -- git
    def commit(self, message: str) -> str:
        self.git("add", "-A")
        self.git("commit", "-q", "--no-verify", "-m", message)
        return self.rev("HEAD")

    def rev(self, ref: str) -> Optional[str]:
        r = run(self.env, "git", "rev-parse", "-q", "--verify", ref, cwd=self.path)
        return r.out.strip() if r.code == 0 else None

    def branch(self) -> str:
        return self.git("symbolic-ref", "--short", "HEAD")

    def checkout(self, branch: str) -> None:
        self.git("checkout", "-q", branch)

    def refs(self) -> dict:
        """Every ref (branches, tags, notes) and what it points at."""
        out = self.git("for-each-ref", "--format=%(refname) %(objectname)")
        return dict(line.split(" ") for line in out.splitlines())

    def tags(self) -> list:
        return self.git("tag", "--list").split()

    def porcelain(self) -> list:
        r = run(self.env, "git", "status", "--porcelain", "--untracked-files=all",
                cwd=self.path, check=True)
        return r.out.splitlines()

    def subjects(self, rng: str) -> list:
        out = self.git("log", "--format=%s", rng)
        return out.splitlines()

    # -- database
    def dump(self) -> str:
        return schema_dump(self.cluster, self.db)

    def releases(self) -> list:
        if not self.has_table("half_orm_meta.hop_release"):
            return []  # a sync-only project
        return self.sql(
            "select format('%s.%s.%s', major, minor, patch), changelog"
            " from half_orm_meta.hop_release order by major, minor, patch"
        )

    def scripts(self) -> list:
        return self.sql(
            "select path, sha256 from half_orm_meta.hop_script order by path"
        )

    def has_table(self, name: str) -> bool:
        return self.sql("select to_regclass(%s)", (name,)) != [(None,)]

    def hop_databases(self) -> list:
        return hop_databases(self.cluster, self.db)

    def db_oid(self) -> Optional[int]:
        """The database's oid: apply, undo and release swap in a new one."""
        rows = sql(self.cluster, "postgres",
                   "select oid from pg_database where datname = %s", (self.db,))
        return rows[0][0] if rows else None

    def name(self, suffix: str) -> str:
        """The name of a database git-hop derives from ours."""
        return derived_name(self.db, suffix)

    def leftovers(self) -> list:
        """Scratch databases and test copies (templates are a cache)."""
        return [d for d in self.hop_databases()
                if d.endswith(("__hop_apply", "__hop_test", "__hop_check",
                               "__hop_build", "__hop_old"))]

    def status(self) -> dict:
        return status_rows(self.hop("status", check=0).out)

    def local_refs(self) -> dict:
        """refs() without the remote-tracking ones (refs/remotes/, and
        refs/hop/ where git-hop keeps origin's tags and notes): a fetch
        may move those, never the others."""
        return {k: v for k, v in self.refs().items()
                if not k.startswith(("refs/remotes/", "refs/hop/"))}

    def snapshot(self) -> dict:
        """What a refused command must leave unchanged (a fetch into
        remote-tracking refs aside)."""
        return {
            "refs": self.local_refs(),
            "head": self.git("symbolic-ref", "-q", "HEAD"),
            "porcelain": self.porcelain(),
            "files": file_tree(self.path / PKG),
            "db_oid": self.db_oid(),
            "dump": self.dump(),
            "releases": self.releases(),
            "leftovers": self.leftovers(),
        }


def new_project(env: dict, workdir: Path, db: str, cluster, *, devel: bool = True) -> Project:
    args = ["new", PKG, "--database", db] + (["--devel"] if devel else [])
    hop(env, workdir, *args, check=0)
    return Project(workdir / PKG, env, db, cluster)


def prepare(p: Project, level: str = "patch", message: str = "First") -> None:
    p.hop("prepare", "-l", level, "-m", message, check=0)


def hop_version(p: Project) -> str:
    """The git-hop version that wrote the project (the one under test)."""
    return tomllib.loads((p.path / ".hop/config").read_text())["project"]["hop_version"]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@contextlib.contextmanager
def temporary_text(path: Path, text: str):
    """Write `text` to `path` for the duration of the block, then restore."""
    old = path.read_bytes() if path.exists() else None
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    try:
        yield path
    finally:
        if old is None:
            path.unlink()
        else:
            path.write_bytes(old)


def set_test_command(p: Project, command: list) -> str:
    """The .hop/config of `p` with [test] command = `command`."""
    config = (p.path / ".hop" / "config").read_text()
    line = "command = " + json.dumps(command)
    new, n = re.subn(r"^# command = .*$", line, config, flags=re.M)
    assert n == 1, config
    return new


# --------------------------------------------------------------------------
# Fixtures


def _module_env(base: Path, cluster, git_hop_bin: Path, git_hop_prefix: Path) -> dict:
    """What conftest's `env` fixture builds, for a module-scoped project."""
    return make_env(base, cluster, git_hop_bin, git_hop_prefix)


@contextlib.contextmanager
def _module_project(kind: str, tmp_path_factory, cluster, git_hop_bin, git_hop_prefix):
    """A project on its own database for a module-scoped fixture."""
    base = tmp_path_factory.mktemp(f"relcycle-{kind}")
    env = _module_env(base, cluster, git_hop_bin, git_hop_prefix)
    work = base / "work"
    work.mkdir()
    db = f"t_relcycle_{kind}_{secrets.token_hex(4)}"
    hoptest.create_database(cluster, db)
    try:
        yield new_project(env, work, db, cluster)
    finally:
        drop_hop_databases(cluster, db)
        hoptest.drop_database(cluster, db)


@pytest.fixture
def drop_later(pg_cluster):
    """Databases to drop at teardown, with every <name>__hop* derived one."""
    names: list = []
    yield names
    for name in names:
        drop_hop_databases(pg_cluster, name)
        hoptest.drop_database(pg_cluster, name)


@pytest.fixture
def project(env, workdir, dbname, pg_cluster, drop_later) -> Project:
    """A fresh devel project at 0.0.0 on hop_main (one per test)."""
    drop_later.append(dbname)
    return new_project(env, workdir, dbname, pg_cluster)


@pytest.fixture
def prepared(project) -> Project:
    """`project` with 0.0.1 in preparation ("First"), on hop_0.0.1."""
    prepare(project)
    return project


@pytest.fixture
def first(prepared) -> Project:
    """0.0.1 with a committed script creating public.first, not applied."""
    prepared.write("Patches/0/0/1/00_first.sql", FIRST_SQL)
    prepared.commit("first table")
    return prepared


@pytest.fixture
def two_in_preparation(first) -> Project:
    """0.0.1 (table first) applied and committed on hop_0.0.1; 0.1.0 (table
    second) prepared from hop_main with its script committed, checked out."""
    first.hop("apply", check=0)
    first.commit("0.0.1: generated package")
    prepare(first, "minor", "Second")
    first.write("Patches/0/1/0/00_second.sql", "create table public.second (x int);\n")
    first.commit("second table")
    return first


@pytest.fixture(scope="module")
def fresh(tmp_path_factory, pg_cluster, git_hop_bin, git_hop_prefix) -> Project:
    """A devel project at 0.0.0 shared by tests that change nothing (or put
    back what they changed)."""
    with _module_project("fresh", tmp_path_factory, pg_cluster, git_hop_bin,
                         git_hop_prefix) as p:
        yield p


@dataclass
class Applied:
    p: Project
    result: Any
    before: str  # schema dump before apply


@pytest.fixture(scope="module")
def applied(tmp_path_factory, pg_cluster, git_hop_bin, git_hop_prefix) -> Applied:
    """0.0.1 ("First": table public.first, a passing project test) applied,
    not committed. Shared: tests only look, or put back what they change."""
    with _module_project("applied", tmp_path_factory, pg_cluster, git_hop_bin,
                         git_hop_prefix) as p:
        prepare(p)
        p.write("Patches/0/0/1/00_first.sql", FIRST_SQL)
        p.write("tests/test_db.py", TEST_FIRST)
        before = p.dump()
        r = p.hop("apply")
        yield Applied(p, r, before)


@dataclass
class Released:
    p: Project
    result: Any
    main_before: str  # hop_main before the release
    head_before: str  # hop_0.0.1 before the release


@pytest.fixture(scope="module")
def released(tmp_path_factory, pg_cluster, git_hop_bin, git_hop_prefix) -> Released:
    """The happy path: 0.0.1 prepared, applied, committed and released."""
    with _module_project("released", tmp_path_factory, pg_cluster, git_hop_bin,
                         git_hop_prefix) as p:
        prepare(p)
        p.write("Patches/0/0/1/00_first.sql", FIRST_SQL)
        p.write("tests/test_db.py", TEST_FIRST)
        p.hop("apply", check=0)
        head = p.commit("0.0.1: first table")
        main = p.rev("hop_main")
        r = p.hop("release")
        yield Released(p, r, main, head)


@pytest.fixture(scope="module")
def ready_module(tmp_path_factory, pg_cluster, git_hop_bin, git_hop_prefix) -> Project:
    with _module_project("ready", tmp_path_factory, pg_cluster, git_hop_bin,
                         git_hop_prefix) as p:
        prepare(p)
        p.write("Patches/0/0/1/00_first.sql", FIRST_SQL)
        p.write("tests/test_db.py", TEST_FIRST)
        p.hop("apply", check=0)
        p.commit("0.0.1: first table")
        yield p


@pytest.fixture
def ready(ready_module) -> Project:
    """0.0.1 ("First": table public.first, a passing project test) applied
    and committed on hop_0.0.1, clean: ready to release. Shared by the tests
    of refusals; each test's changes to the work tree and commits on
    hop_0.0.1 are undone afterwards (refusals must change no other ref)."""
    p = ready_module
    refs = p.refs()
    assert p.branch() == "hop_0.0.1" and p.porcelain() == []
    yield p
    p.git("checkout", "-q", "-f", "hop_0.0.1")
    p.git("reset", "-q", "--hard", refs["refs/heads/hop_0.0.1"])
    p.git("clean", "-q", "-f", "-d")
    assert p.refs() == refs, "a refusal changed the refs of the shared project"


# --------------------------------------------------------------------------
# prepare (scenarios 7-12)


def test_07_prepare_patch(project):
    main = project.rev("hop_main")
    dump = project.dump()

    r = project.hop("prepare", "-l", "patch", "-m", "First")

    assert r.code == 0, str(r)
    assert r.out == "Preparing 0.0.1 on branch hop_0.0.1\n"
    assert "hint: Write the scripts in Patches/0/0/1/" in r.err
    assert project.branch() == "hop_0.0.1"
    assert project.rev("hop_main") == main
    # One commit on top of hop_main, holding only release.toml.
    assert project.git("rev-list", "hop_main..hop_0.0.1").split() == [project.rev("HEAD")]
    assert project.rev("HEAD^") == main
    assert project.subjects("-1") == ["[0.0.1] prepare: First"]
    assert project.git("show", "--format=", "--name-only", "HEAD").split() == [
        "Patches/0/0/1/release.toml"
    ]
    toml = tomllib.loads((project.path / "Patches/0/0/1/release.toml").read_text())
    assert toml == {"message": "First"}
    assert project.porcelain() == []
    assert project.tags() == ["0.0.0"]
    # prepare does not touch the database.
    assert project.dump() == dump
    assert project.releases() == [("0.0.0", "Initial release")]
    row = project.status()
    assert row["preparing"] == "0.0.1 (hop_0.0.1)"
    assert row["released"] == "0.0.0"


@pytest.mark.parametrize(
    "args, error",
    [
        ([], "missing --level (stdin is not a terminal)"),
        (["-m", "First"], "missing --level (stdin is not a terminal)"),
        (["-l", "patch"], "missing --message (stdin is not a terminal)"),
        (["-l", "huge", "-m", "First"], "invalid level 'huge': expected patch, minor or major"),
        (["-l", "patch", "-m", "First", "extra"], None),
        (["-l", "patch", "-m", ""], "the release message is empty"),
    ],
    ids=["no-args", "no-level", "no-message", "bad-level", "extra-arg", "empty-message"],
)
def test_08_prepare_usage_errors(fresh, args, error):
    before = fresh.snapshot()
    r = fresh.hop("prepare", *args)
    assert r.code == 129, str(r)
    assert r.out == ""
    lines = r.err.splitlines()
    assert lines[0].startswith("error: "), str(r)
    if error is not None:
        assert lines[0] == f"error: {error}", str(r)
    assert fresh.snapshot() == before


def test_09_prepare_same_level_twice_then_another_level(prepared):
    main = prepared.rev("hop_main")
    before = prepared.snapshot()

    r = prepared.hop("prepare", "-l", "patch", "-m", "Again")

    assert_fatal(r, "a patch release is already in preparation: 0.0.1")
    assert "Its branch is hop_0.0.1." in details(r)
    assert prepared.snapshot() == before

    # Another level works while 0.0.1 is in preparation, from hop_main.
    r = prepared.hop("prepare", "-l", "minor", "-m", "Second")
    assert r.code == 0, str(r)
    assert r.out == "Preparing 0.1.0 on branch hop_0.1.0\n"
    assert prepared.branch() == "hop_0.1.0"
    assert prepared.rev("HEAD^") == main
    assert prepared.rev("hop_main") == main
    assert not (prepared.path / "Patches/0/0/1").exists()
    assert tomllib.loads((prepared.path / "Patches/0/1/0/release.toml").read_text()) == {
        "message": "Second"
    }
    # hop_0.0.1 is untouched.
    assert prepared.rev("hop_0.0.1") == before["refs"]["refs/heads/hop_0.0.1"]
    row = prepared.status()
    assert row["preparing"] == "0.0.1 (hop_0.0.1), 0.1.0 (hop_0.1.0)"
    assert row["released"] == "0.0.0"

    # A third level (its message is TOML-escaped), then all three are taken.
    message = 'Say "hi" \\ to O\'Brien\tnow'
    prepared.hop("prepare", "-l", "major", "-m", message, check=0)
    assert prepared.branch() == "hop_1.0.0"
    toml = tomllib.loads((prepared.path / "Patches/1/0/0/release.toml").read_text())
    assert toml["message"] == message
    for level, version in [("patch", "0.0.1"), ("minor", "0.1.0"), ("major", "1.0.0")]:
        r = prepared.hop("prepare", "-l", level, "-m", "x")
        assert_fatal(r, f"a {level} release is already in preparation: {version}")


@pytest.mark.parametrize("dirt", ["untracked", "modified", "staged"])
def test_10_prepare_refuses_a_dirty_tree(fresh, dirt):
    readme = fresh.path / "README.md"
    junk = fresh.path / "junk.txt"
    text = readme.read_text()
    try:
        if dirt == "untracked":
            junk.write_text("junk\n")
        else:
            readme.write_text(text + "more\n")
            if dirt == "staged":
                fresh.git("add", "README.md")
        before = fresh.snapshot()

        r = fresh.hop("prepare", "-l", "major", "-m", "x")

        assert_fatal(r, "the work tree has uncommitted changes")
        expected = "untracked: junk.txt" if dirt == "untracked" else "modified:  README.md"
        assert expected in details(r), str(r)
        assert "hint: Commit or stash them before 'git hop prepare'." in r.err
        assert fresh.snapshot() == before
        assert not (fresh.path / "Patches").exists()
    finally:
        junk.unlink(missing_ok=True)
        readme.write_text(text)
        fresh.git("reset", "-q")
    assert fresh.porcelain() == []


def test_04_sync_only_project_has_no_release_cycle(env, workdir, dbname, pg_cluster, drop_later):
    drop_later.append(dbname)
    p = new_project(env, workdir, dbname, pg_cluster, devel=False)
    before = p.snapshot()
    for args in (["prepare", "-l", "patch", "-m", "x"], ["apply"], ["undo"], ["release"]):
        r = p.hop(*args)
        assert_fatal(r, "this project is not in devel mode")
        assert p.snapshot() == before, args


def test_37_production_connection_file_refuses_the_cycle(fresh):
    conf = Path(fresh.env["HALFORM_CONF_DIR"]) / PKG
    text = conf.read_text()
    assert "production = False" in text
    before = fresh.snapshot()
    with temporary_text(conf, text.replace("production = False", "production = True")):
        for args in (["prepare", "-l", "patch", "-m", "x"], ["apply"], ["undo"],
                     ["release"], ["release", "--push"]):
            r = fresh.hop(*args)
            assert_fatal(r, f"database '{fresh.db}' is a production database")
            assert "git hop upgrade" in r.err
    assert fresh.snapshot() == before


# --------------------------------------------------------------------------
# apply (scenarios 13-18)


def test_13_apply_result(applied):
    r = applied.result
    assert r.code == 0, str(r)
    assert re.fullmatch(
        r"Applied 0\.0\.1 on 0\.0\.0: 1 scripts in \d+ ms; package: \d+ files written, 0 removed\n",
        r.out,
    ), str(r)
    err = r.err.splitlines()
    assert err[0] == f"Applying 0.0.1 on 0.0.0 to '{applied.p.db}'."
    assert "+ 00_first.sql" in err


def test_13_apply_builds_the_database(applied):
    p = applied.p
    assert p.has_table("public.first")
    assert p.releases() == [("0.0.0", "Initial release"), ("0.0.1", "First")]
    script = p.path / "Patches/0/0/1/00_first.sql"
    assert p.scripts() == [("Patches/0/0/1/00_first.sql", sha256(script))]
    assert p.sql(
        "select hop_release from half_orm_meta.hop_release where patch = 1"
    ) == [(hop_version(p),)]
    # Only the template cache is left: no scratch database.
    assert p.hop_databases() == [p.name("__hop_0.0.0")]
    assert p.dump() != applied.before


def test_13_apply_generates_the_package(applied):
    p = applied.p
    module = p.package / "public" / "first.py"
    assert module.is_file()
    text = module.read_text()
    assert "class First(" in text
    assert "MODEL.get_relation_class('public.first'" in text
    # The developer reviews and commits what apply generated.
    changes = p.porcelain()
    assert "?? Patches/0/0/1/00_first.sql" in changes
    assert f"?? {PKG}/public/first.py" in changes
    assert p.branch() == "hop_0.0.1"
    assert p.tags() == ["0.0.0"]


def test_13_status_while_applied(applied):
    row = applied.p.status()
    assert row["release"] == "0.0.1"
    assert row["released"] == "0.0.0"
    assert row["preparing"] == "0.0.1 (hop_0.0.1)"
    assert row["branch"].startswith("hop_0.0.1 (")


@contextlib.contextmanager
def apply_whose_drop_waits(p: Project, git_hop_bin: Path):
    """`git-hop apply` (stdout a pipe) on a dev database that it swaps out,
    with the old database locked by a transaction of the test from just
    before the swap: yields (the apply, the locking connection), the apply
    going on; the lock is released at the end."""
    old = p.name("__hop_old")
    env = dict(p.env, GIT_HOP_TRACE=os.fspath(p.path.parent / "apply.trace"),
               GIT_HOP_TRACE_STOP="db: swap ")
    proc = subprocess.Popen([os.fspath(git_hop_bin / "git-hop"), "apply"], cwd=p.path,
                            env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    holder = p.cluster.connect("postgres")
    try:
        _, status = os.waitpid(proc.pid, os.WUNTRACED)
        assert os.WIFSTOPPED(status), "git-hop ended before the swap"
        holder.autocommit = False
        with holder.cursor() as cur:
            cur.execute(f'comment on database "{old}" is \'held by the test\'')
        os.kill(proc.pid, signal.SIGCONT)
        yield proc, holder
    finally:
        holder.rollback()
        holder.close()
        if proc.poll() is None:
            proc.wait(timeout=60)
        proc.stdout.close()


def test_apply_ends_before_the_old_database_is_dropped(first, git_hop_bin):
    """The old dev database is dropped after the result, by a child that
    goes on after git-hop exits: with stdout a pipe, the result is there and
    git-hop has exited while the drop still waits (here: for a transaction
    that holds a lock on that database). Meanwhile the database being
    dropped is no leftover for status; once the lock goes, the drop ends."""
    p = first
    p.hop("apply", check=0)  # a dev database at 0.0.1, to be swapped out
    old = p.name("__hop_old")
    with apply_whose_drop_waits(p, git_hop_bin) as (proc, holder):
        # The whole output, then end of file: git-hop is gone, and the
        # child holds none of its pipes.
        out = proc.stdout.read()
        assert out.startswith("Applied 0.0.1 on 0.0.0"), out
        assert proc.wait(timeout=20) == 0
        assert sql(p.cluster, "postgres",
                   "select count(*) from pg_stat_activity where application_name = "
                   "'git-hop drop' and wait_event_type = 'Lock'") == [(1,)], \
            "the drop is not waiting: the test proves nothing"
        assert p.leftovers() == [old]  # still there, being dropped
        st = p.hop("status", check=0)
        assert "left over" not in st.out + st.err, str(st)
        holder.rollback()
        hoptest.settle(p.env)
        assert not db_exists(p.cluster, old)


def test_apply_right_after_apply_waits_for_its_drop(first, git_hop_bin):
    """Two applies in a row, the second started while the first's old
    database is still being dropped (held by the test): the second waits
    for that drop, then swaps as usual; nothing is left."""
    p = first
    p.hop("apply", check=0)
    with apply_whose_drop_waits(p, git_hop_bin) as (proc, holder):
        assert proc.wait(timeout=20) == 0
        second = subprocess.Popen([os.fspath(git_hop_bin / "git-hop"), "apply"],
                                  cwd=p.path, env=p.env, stdin=subprocess.DEVNULL,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(1)
        assert second.poll() is None, "the second apply did not wait for the drop"
        holder.rollback()
        out, err = second.communicate(timeout=60)
        assert second.returncode == 0, err
        assert out.startswith("Applied 0.0.1 on 0.0.0"), out
    hoptest.settle(p.env)
    assert p.leftovers() == []
    assert p.releases()[-1] == ("0.0.1", "First")


def test_apply_whose_reader_is_gone_still_drops_the_old_database(first, git_hop_bin):
    """stdout a pipe whose reader has gone: git-hop dies of SIGPIPE as a
    program writing to it does, but after its cleanups (the drop of the old
    database is sent first)."""
    p = first
    p.hop("apply", check=0)
    proc = subprocess.Popen([os.fspath(git_hop_bin / "git-hop"), "apply"], cwd=p.path,
                            env=p.env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    proc.stdout.close()  # the reader is gone before git-hop prints
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == -signal.SIGPIPE, err
    assert b"Applying 0.0.1" in err
    hoptest.settle(p.env)  # the drop it left under way
    assert not db_exists(p.cluster, p.name("__hop_old"))
    assert p.leftovers() == []
    assert p.releases()[-1] == ("0.0.1", "First")


def test_14_reapply_after_editing_the_script(first):
    first.hop("apply", check=0)
    assert first.releases()[-1] == ("0.0.1", "First")
    script = first.write(
        "Patches/0/0/1/00_first.sql",
        "create table public.first (a text primary key, c text not null);\n",
    )

    r = first.hop("apply")

    assert r.code == 0, str(r)
    assert r.out.startswith("Applied 0.0.1 on 0.0.0: 1 scripts")
    assert first.releases() == [("0.0.0", "Initial release"), ("0.0.1", "First")]
    assert first.scripts() == [("Patches/0/0/1/00_first.sql", sha256(script))]
    columns = first.sql(
        "select column_name from information_schema.columns"
        " where table_name = 'first' order by ordinal_position"
    )
    assert columns == [("a",), ("c",)]
    assert "            c=c,\n" in (first.package / "public" / "first.py").read_text()
    # Same operation a third time: same result.
    dump = first.dump()
    first.hop("apply", check=0)
    assert first.dump() == dump
    assert first.releases() == [("0.0.0", "Initial release"), ("0.0.1", "First")]
    assert first.hop_databases() == [first.name("__hop_0.0.0")]


PY_SCRIPT = """\
import json, os, pathlib, sys
import psycopg2

conf = pathlib.Path(os.environ["HALFORM_CONF_DIR"], "blog")
data = {
    "cwd": os.getcwd(),
    "pythonpath": os.environ.get("PYTHONPATH", ""),
    "pgdatabase": os.environ.get("PGDATABASE"),
    "conf": conf.read_text() if conf.exists() else None,
    "git_dir": os.environ.get("GIT_DIR"),
}
conn = psycopg2.connect("")
with conn, conn.cursor() as cur:
    cur.execute("insert into public.log (what) values ('20_c.py')")
    cur.execute("insert into public.py_env (data) values (%s)", (json.dumps(data),))
conn.close()
print("20_c.py ran")
"""


def test_15_scripts_run_in_name_order_and_others_are_ignored(prepared):
    d = "Patches/0/0/1"
    prepared.write(f"{d}/00_a.sql",
                   "create table public.log (n serial primary key, what text);\n"
                   "create table public.py_env (data jsonb);\n")
    prepared.write(f"{d}/10_b.sql", "insert into public.log (what) values ('10_b.sql');\n")
    prepared.write(f"{d}/20_c.py", PY_SCRIPT)
    # Byte order, not natural order: 30_d.sql runs before 4_e.sql.
    prepared.write(f"{d}/30_d.sql", "insert into public.log (what) values ('30_d.sql');\n")
    prepared.write(f"{d}/4_e.sql", "insert into public.log (what) values ('4_e.sql');\n")
    # Neither .sql nor .py: never run (they would fail).
    prepared.write(f"{d}/README", "this is not sql;\n")
    prepared.write(f"{d}/coucou", "syntax error here\n")
    prepared.write(f"{d}/notes.sql.txt", "select 1/0;\n")

    # From a subdirectory: the .py script still runs at the project root.
    r = hop(prepared.env, prepared.path / d, "apply")

    assert r.code == 0, str(r)
    assert r.out.startswith("Applied 0.0.1 on 0.0.0: 5 scripts")
    ran = [l[2:] for l in r.err.splitlines() if l.startswith("+ ")]
    assert ran == ["00_a.sql", "10_b.sql", "20_c.py", "30_d.sql", "4_e.sql"]
    assert prepared.sql("select what from public.log order by n") == [
        ("10_b.sql",), ("20_c.py",), ("30_d.sql",), ("4_e.sql",)
    ]
    assert [s[0] for s in prepared.scripts()] == [
        f"{d}/00_a.sql", f"{d}/10_b.sql", f"{d}/20_c.py", f"{d}/30_d.sql", f"{d}/4_e.sql"
    ]
    # The .py script's environment.
    [(data,)] = prepared.sql("select data from public.py_env")
    root = str(prepared.path.resolve())
    assert os.path.realpath(data["cwd"]) == root
    assert root in [os.path.realpath(x) for x in data["pythonpath"].split(os.pathsep) if x]
    assert data["pgdatabase"] == prepared.name("__hop_apply")
    assert data["conf"] is not None, "no connection file for the package in HALFORM_CONF_DIR"
    assert re.search(rf"^name = {prepared.name('__hop_apply')}$", data["conf"], re.M)
    assert data["git_dir"] is None
    # The package maps the relations of every script.
    assert (prepared.package / "public" / "log.py").is_file()
    assert (prepared.package / "public" / "py_env.py").is_file()


BROKEN_SQL = """\
-- line 1
create table public.b (x int);
create tabl public.c (x int);
"""

# The server counts characters, not bytes: the column too.
BROKEN_SQL_UTF8 = """\
-- café, 日本語
create table public."é" (x int);
create table public."日本" (x int); selec 1;
"""


@pytest.mark.parametrize(
    "script, where, near",
    [(BROKEN_SQL, "3:8", "tabl"), (BROKEN_SQL_UTF8, "3:35", "selec")],
    ids=["ascii", "utf8"],
)
def test_17_sql_syntax_error_changes_nothing(ready, script, where, near):
    p = ready
    p.write("Patches/0/0/1/01_b.sql", script)
    before = p.snapshot()

    r = p.hop("apply")

    assert r.code == 128, str(r)
    fatal = [l for l in r.err.splitlines() if l.startswith("fatal: ")]
    assert fatal == [f'fatal: Patches/0/0/1/01_b.sql:{where}: syntax error at or near "{near}"'], str(r)
    assert "SQLSTATE: 42601" in details(r)
    assert "Nothing was changed: the database is as it was before." in details(r)
    assert r.out == ""
    # The database (the same one: not swapped), the package, git: as before.
    assert p.snapshot() == before
    assert p.has_table("public.first") and not p.has_table("public.b")
    assert p.leftovers() == []


@pytest.mark.parametrize(
    "script, message, extra",
    [
        (
            "create table public.u (x int primary key);\n"
            "insert into public.u values (1);\ninsert into public.u values (1);\n",
            '3:1: duplicate key value violates unique constraint "u_pkey"',
            ["DETAIL: Key (x)=(1) already exists.", "SQLSTATE: 23505"],
        ),
        (
            "do $$ begin raise exception 'boom' using detail = 'the detail',"
            " hint = 'the hint', errcode = 'P0042'; end $$;\n",
            "1:1: boom",
            ["DETAIL: the detail", "SQLSTATE: P0042", "hint: the hint"],
        ),
    ],
    ids=["unique-violation", "raise-with-hint"],
)
def test_17_server_detail_and_hint_are_shown(ready, script, message, extra):
    p = ready
    p.write("Patches/0/0/1/01_b.sql", script)
    before = p.snapshot()

    r = p.hop("apply")

    assert r.code == 128, str(r)
    # A runtime error names the line and column of the failing statement.
    assert f"fatal: Patches/0/0/1/01_b.sql:{message}" in r.err.splitlines(), str(r)
    for line in extra:
        if line.startswith("hint: "):
            assert line in r.err.splitlines(), str(r)
        else:
            assert line in details(r), str(r)
    assert p.snapshot() == before


def test_18_failing_py_script_changes_nothing(ready):
    p = ready
    d = "Patches/0/0/1"
    p.write(
        f"{d}/01_b.py",
        "import sys, psycopg2\n"
        "conn = psycopg2.connect('')\n"
        "with conn, conn.cursor() as cur:\n"
        "    cur.execute(\"insert into public.first values ('from 01_b.py')\")\n"
        "print('something broke', file=sys.stderr)\n"
        "print('badly', file=sys.stderr)\n"
        "sys.exit(1)\n",
    )
    p.write(f"{d}/02_c.sql", "create table public.c (x int);\n")
    before = p.snapshot()

    r = p.hop("apply")

    assert r.code == 128, str(r)
    assert "fatal: Patches/0/0/1/01_b.py: exited with status 1" in r.err.splitlines(), str(r)
    assert details(r)[:2] == ["something broke", "badly"], str(r)
    assert "Nothing was changed: the database is as it was before." in details(r)
    assert "+ 00_first.sql" in r.err.splitlines()
    assert "+ 02_c.sql" not in r.err
    assert p.snapshot() == before
    assert p.sql("select count(*) from public.first") == [(0,)]
    assert not p.has_table("public.c")


@pytest.mark.parametrize("command", ["apply", "undo"])
def test_20_apply_and_undo_on_hop_main(fresh, command):
    before = fresh.snapshot()
    r = fresh.hop(command)
    assert_fatal(r, f"'git hop {command}' works on a release branch hop_X.Y.Z")
    assert "The current branch is 'hop_main'; the last release is 0.0.0." in details(r)
    assert "hint: Run 'git hop prepare -l patch -m <message>' to start a release." in r.err
    assert fresh.snapshot() == before


def test_20_apply_on_a_released_branch(released):
    p = released.p
    before = p.snapshot()
    p.checkout("hop_0.0.1")
    try:
        r = p.hop("apply")
        assert_fatal(r, "'git hop apply' works on a release branch hop_X.Y.Z")
        assert "The current branch is 'hop_0.0.1'; the last release is 0.0.1." in details(r)
    finally:
        p.checkout("hop_main")
    assert p.snapshot() == before


def test_apply_on_a_fresh_clone_builds_the_database(first, env, tmp_path, new_dbname, drop_later):
    drop_later.append(new_dbname)
    clone = tmp_path / "clone"
    git(env, tmp_path, "clone", "-q", str(first.path), str(clone))
    git(env, clone, "checkout", "-q", "hop_main")
    git(env, clone, "checkout", "-q", "hop_0.0.1")
    # The clone's own connection file, naming a database that does not exist.
    conf_dir = tmp_path / "clone-conf"
    conf_dir.mkdir()
    (conf_dir / PKG).write_text(f"[database]\nname = {new_dbname}\nproduction = False\n")
    clone_env = dict(env, HALFORM_CONF_DIR=str(conf_dir))
    c = Project(clone, clone_env, new_dbname, first.cluster)
    assert not db_exists(first.cluster, new_dbname)
    original = first.dump()
    r = c.hop("test")
    assert_fatal(r, f"database '{new_dbname}' does not exist")
    assert "hint: Run 'git hop apply' to build it." in r.err

    r = c.hop("apply")

    assert r.code == 0, str(r)
    assert r.out.startswith("Applied 0.0.1 on 0.0.0: 1 scripts")
    assert db_exists(first.cluster, new_dbname)
    assert c.has_table("public.first")
    assert c.releases() == [("0.0.0", "Initial release"), ("0.0.1", "First")]
    assert (clone / PKG / "public" / "first.py").is_file()
    assert c.hop_databases() == [c.name("__hop_0.0.0")]
    # The original project's database was not involved.
    assert first.dump() == original


def test_apply_without_release_toml(prepared):
    (prepared.path / "Patches/0/0/1/release.toml").unlink()
    prepared.write("Patches/0/0/1/00_a.sql", "create table public.a (x int);\n")
    before = prepared.snapshot()
    r = prepared.hop("apply")
    assert_fatal(r, "'Patches/0/0/1/release.toml' is missing")
    assert prepared.snapshot() == before


# --------------------------------------------------------------------------
# Rebasing a release branch on hop_main (scenarios 29, 30)


def test_22_release_only_the_smallest(two_in_preparation):
    p = two_in_preparation
    assert p.branch() == "hop_0.1.0"
    before = p.snapshot()

    r = p.hop("release")
    assert_fatal(r, "the next release is 0.0.1")
    assert "hint: Run 'git checkout hop_0.0.1'." in r.err
    assert p.snapshot() == before

    # Same from hop_main.
    p.checkout("hop_main")
    before = p.snapshot()
    r = p.hop("release")
    assert_fatal(r, "the next release is 0.0.1")
    assert p.snapshot() == before


def test_29_apply_rebases_on_the_released_work(two_in_preparation):
    p = two_in_preparation
    row = p.status()
    assert row["preparing"] == "0.0.1 (hop_0.0.1), 0.1.0 (hop_0.1.0)"
    p.checkout("hop_0.0.1")
    p.hop("release", check=0)
    row = p.status()
    assert row["released"] == "0.0.1"
    assert row["preparing"] == "0.1.0 (hop_0.1.0)"
    release_commit = p.rev("0.0.1^{}")
    p.checkout("hop_0.1.0")
    assert p.porcelain() == []

    r = p.hop("apply")

    assert r.code == 0, str(r)
    assert "Bringing hop_0.1.0 up to date with hop_main." in r.err.splitlines()
    assert f"Applying 0.1.0 on 0.0.1 to '{p.db}'." in r.err.splitlines()
    assert r.out.startswith("Applied 0.1.0 on 0.0.1: 1 scripts")
    assert p.branch() == "hop_0.1.0"
    # The branch now sits on the release: 0.0.1's commits, then its own.
    assert p.git("merge-base", "--is-ancestor", release_commit, "hop_0.1.0") == ""
    assert p.subjects("hop_main..hop_0.1.0") == ["second table", "[0.1.0] prepare: Second"]
    assert (p.path / "Patches/0/0/1/00_first.sql").is_file()
    assert (p.path / "model/schema-0.0.1.sql").is_file()
    assert p.has_table("public.first") and p.has_table("public.second")
    assert [v for v, _ in p.releases()] == ["0.0.0", "0.0.1", "0.1.0"]
    # Rebuilt from the 0.0.1 baseline, the released rows know their commit.
    assert p.sql(
        "select format('%s.%s.%s', major, minor, patch), commit"
        " from half_orm_meta.hop_release order by 1"
    ) == [("0.0.0", p.rev("0.0.0^{}")), ("0.0.1", release_commit), ("0.1.0", None)]
    assert set(p.hop_databases()) == {p.name("__hop_0.0.0"), p.name("__hop_0.0.1")}


def test_29_second_patch_release_then_the_minor_applies_on_it(two_in_preparation):
    p = two_in_preparation
    p.checkout("hop_0.0.1")
    p.hop("release", check=0)

    # 0.0.2 while 0.1.0 is still in preparation.
    r = p.hop("prepare", "-l", "patch", "-m", "Third")
    assert r.out == "Preparing 0.0.2 on branch hop_0.0.2\n", str(r)
    p.write("Patches/0/0/2/00_third.sql", "alter table public.first add column t text;\n")
    p.hop("apply", check=0)
    p.commit("0.0.2: column t")
    assert p.status()["preparing"] == "0.0.2 (hop_0.0.2), 0.1.0 (hop_0.1.0)"

    r = p.hop("release")

    assert r.code == 0, str(r)
    assert re.search(r"^Released 0\.0\.2 \(", r.out, re.M), str(r)
    assert p.branch() == "hop_main"
    assert p.tags() == ["0.0.0", "0.0.1", "0.0.2"]
    assert p.rev("hop_main") == p.rev("0.0.2^{}")
    assert p.git("merge-base", "--is-ancestor", "0.0.1", "0.0.2") == ""
    note = tomllib.loads(p.git("notes", "--ref=hop", "show", "0.0.2^{}"))
    assert note["version"] == "0.0.2" and note["previous"] == "0.0.1"
    assert note["message"] == "Third"
    assert [v for v, _ in p.releases()] == ["0.0.0", "0.0.1", "0.0.2"]
    row = p.status()
    assert row["released"] == "0.0.2"
    assert row["preparing"] == "0.1.0 (hop_0.1.0)"

    # The minor release, prepared on 0.0.0, now applies on 0.0.2.
    p.checkout("hop_0.1.0")
    r = p.hop("apply")
    assert r.code == 0, str(r)
    assert r.out.startswith("Applied 0.1.0 on 0.0.2: 1 scripts")
    assert p.git("merge-base", "--is-ancestor", "0.0.2", "hop_0.1.0") == ""
    assert [v for v, _ in p.releases()] == ["0.0.0", "0.0.1", "0.0.2", "0.1.0"]
    assert p.sql(
        "select column_name from information_schema.columns"
        " where table_name = 'first' and column_name = 't'"
    ) == [("t",)]
    assert p.has_table("public.second")

    # And it releases on top of 0.0.2.
    p.commit("0.1.0: generated package")
    r = p.hop("release")
    assert r.code == 0, str(r)
    assert p.tags() == ["0.0.0", "0.0.1", "0.0.2", "0.1.0"]
    note = tomllib.loads(p.git("notes", "--ref=hop", "show", "0.1.0^{}"))
    assert note["previous"] == "0.0.2"
    assert p.status()["preparing"] == "none"


def test_30_rebase_conflict_changes_nothing(project):
    prepare(project, "minor", "Second")
    project.write("Patches/0/1/0/00_second.sql", "create table public.second (x int);\n")
    readme = project.path / "README.md"
    original = readme.read_text()
    readme.write_text("release branch line\n" + original)
    project.commit("0.1.0: readme")
    project.checkout("hop_main")
    readme.write_text("main line\n" + original)
    project.commit("hop_main: readme")
    project.checkout("hop_0.1.0")
    before = project.snapshot()

    r = project.hop("apply")

    assert_fatal(r, "cannot bring hop_0.1.0 up to date with hop_main: the rebase conflicts")
    assert any("CONFLICT" in d and "README.md" in d for d in details(r)), str(r)
    assert "The rebase was aborted: the repository is as it was." in details(r)
    status = project.git("status")
    assert "rebase" not in status, status
    git_dir = Path(project.git("rev-parse", "--absolute-git-dir"))
    assert not (git_dir / "rebase-merge").exists()
    assert not (git_dir / "rebase-apply").exists()
    assert project.snapshot() == before
    assert project.branch() == "hop_0.1.0"
    assert not project.has_table("public.second")


def test_apply_with_uncommitted_scripts_when_hop_main_moved(project):
    """hop_main moved on and the scripts are not committed yet: apply cannot
    rebase, and says so without changing anything."""
    prepare(project, "minor", "Second")
    project.checkout("hop_main")
    project.write("docs.txt", "doc\n")
    project.commit("hop_main: docs")
    project.checkout("hop_0.1.0")
    project.write("Patches/0/1/0/00_second.sql", "create table public.second (x int);\n")
    before = project.snapshot()

    r = project.hop("apply")

    assert_fatal(r, "the work tree has uncommitted changes")
    assert "untracked: Patches/0/1/0/00_second.sql" in details(r)
    assert "hint: Commit or stash them before bringing hop_0.1.0 up to date with hop_main." in r.err
    assert project.snapshot() == before


# --------------------------------------------------------------------------
# undo (scenario 19)


def test_19_undo(first):
    before = first.snapshot()
    first.hop("apply", check=0)
    assert first.has_table("public.first")

    r = first.hop("undo")

    assert r.code == 0, str(r)
    assert re.fullmatch(
        r"The database is back at 0\.0\.0; package: \d+ files written, [1-9]\d* removed\n", r.out
    ), str(r)
    assert f"Rebuilding '{first.db}' at 0.0.0." in r.err.splitlines()
    assert not first.has_table("public.first")
    assert first.releases() == [("0.0.0", "Initial release")]
    assert first.scripts() == []
    assert not (first.package / "public" / "first.py").exists()
    # Exactly the state before apply (in a rebuilt database): database
    # content, package, git.
    assert without(first.snapshot(), "db_oid") == without(before, "db_oid")
    assert first.branch() == "hop_0.0.1"
    assert (first.path / "Patches/0/0/1/00_first.sql").is_file()
    assert first.status()["release"].startswith("0.0.0")

    # Undo again: same state.
    first.hop("undo", check=0)
    assert without(first.snapshot(), "db_oid") == without(before, "db_oid")


# --------------------------------------------------------------------------
# git hop test


def test_test_passes_against_a_copy(applied):
    p = applied.p
    dump = p.dump()
    r = p.hop("test")
    assert r.code == 0, str(r)
    # tests/test_db.py and the stub of public.first.
    assert re.search(r"^tests: 2 passed, 0 failed in \d+\.\d\d s$", r.out, re.M), str(r)
    assert f"Testing against a copy of '{p.db}': {p.name('__hop_test')}" in r.err
    assert not db_exists(p.cluster, p.name("__hop_test"))
    assert p.dump() == dump


def test_test_fails(applied):
    p = applied.p
    with temporary_text(p.path / "tests" / "test_fail.py", TEST_FAILING):
        r = p.hop("test")
    assert r.code == 1, str(r)
    assert re.search(r"^tests: 2 passed, 1 failed in ", r.out, re.M), str(r)
    assert "this test fails on purpose" in r.err  # the tests' output is chatty: stderr
    assert not db_exists(p.cluster, p.name("__hop_test"))


def test_test_command_false(applied):
    p = applied.p
    config = p.path / ".hop" / "config"
    with temporary_text(config, set_test_command(p, ["false"])):
        r = p.hop("test")
    assert r.code == 1, str(r)
    assert re.search(r"^tests: failed in \d+\.\d\d s$", r.out, re.M), str(r)
    assert not db_exists(p.cluster, p.name("__hop_test"))
    # A command that cannot run: a fatal error, and the copy is gone too.
    with temporary_text(config, set_test_command(p, ["no-such-test-command"])):
        r = p.hop("test")
    assert_fatal(r, "cannot run 'no-such-test-command': command not found")
    assert p.leftovers() == []


def test_test_command_runs_against_the_copy(applied, tmp_path):
    p = applied.p
    out = tmp_path / "seen.txt"
    script = (
        'printf "%s\\n" "$PGDATABASE" > "$0"; '
        "psql -XtAc 'select current_database(), count(*) from public.first' >> \"$0\"; "
        'cat "$HALFORM_CONF_DIR/blog" >> "$0"'
    )
    config = p.path / ".hop" / "config"
    with temporary_text(config, set_test_command(p, ["sh", "-c", script, str(out)])):
        r = p.hop("test")
    assert r.code == 0, str(r)
    assert re.search(r"^tests: passed in ", r.out, re.M), str(r)
    lines = out.read_text().splitlines()
    copy = p.name("__hop_test")
    assert lines[0] == copy
    assert lines[1] == f"{copy}|0"
    assert f"name = {copy}" in lines[2:]
    assert not db_exists(p.cluster, copy)


def test_test_with_another_session_on_the_database(applied):
    """CREATE DATABASE ... TEMPLATE needs the database to itself."""
    p = applied.p
    dump = p.dump()
    conn = p.cluster.connect(p.db)
    try:
        r = p.hop("test")
    finally:
        conn.close()
    assert_fatal(r, f"cannot copy database '{p.db}' to '{p.name('__hop_test')}'")
    assert "SQLSTATE: 55006" in details(r)
    assert f"hint: Close the other sessions on '{p.db}'" in r.err
    assert p.leftovers() == []
    assert p.dump() == dump


def test_test_without_tests(fresh):
    """A run that tests nothing is not a pass (issue 10 #2)."""
    before = fresh.snapshot()
    r = fresh.hop("test")
    assert r.code == 1, str(r)
    assert re.search(r"^tests: no test ran in \d+\.\d\d s$", r.out, re.M), str(r)
    assert r.err.endswith(
        "error: no test ran\n"
        "  pytest collected no test.\n"
        "hint: Write tests in tests/ or keep the generated test stubs "
        "(blog/<schema>/<relation>_test.py): a run that tests nothing does not pass.\n"
    ), str(r)
    assert fresh.snapshot() == before
    assert fresh.leftovers() == []


# --------------------------------------------------------------------------
# release (scenarios 21-28)


def test_21_release_output(released):
    r = released.result
    p = released.p
    assert r.code == 0, str(r)
    commit = p.rev("0.0.1^{}")
    assert re.search(
        rf"^Released 0\.0\.1 \({commit[:7]}\), tests: 2 passed, 0 failed in \d+\.\d\d s$",
        r.out,
        re.M,
    ), str(r)
    assert "Replaying 0.0.1 on 0.0.0." in r.err.splitlines()
    assert "+ 00_first.sql" in r.err.splitlines()


def test_21_release_git_state(released):
    p = released.p
    assert p.branch() == "hop_main"
    assert p.porcelain() == []
    assert p.tags() == ["0.0.0", "0.0.1"]
    assert p.git("cat-file", "-t", "0.0.1") == "tag"  # annotated
    commit = p.rev("0.0.1^{}")
    assert p.rev("hop_main") == commit
    # The release branch is kept (and holds the release commit).
    assert p.rev("hop_0.0.1") == commit
    assert p.rev(f"{commit}^") == released.head_before
    assert p.git("merge-base", "--is-ancestor", released.main_before, commit) == ""
    assert p.subjects("-1") == ["[0.0.1] First"]
    assert p.git("tag", "-l", "--format=%(contents)", "0.0.1") == "0.0.1\n\nFirst"
    changed = p.git("show", "--format=", "--name-only", commit).split()
    assert sorted(changed) == sorted(
        ["model/schema-0.0.1.sql", "model/metadata-0.0.1.sql", f"{PKG}/version.txt"]
    )
    assert (p.package / "version.txt").read_text() == "0.0.1\n"
    schema = p.git("show", "0.0.1:model/schema-0.0.1.sql")
    assert "CREATE TABLE public.first" in schema
    metadata = p.git("show", "0.0.1:model/metadata-0.0.1.sql")
    assert "First" in metadata
    # hop_main holds the release history: prepare commit, work, release.
    assert p.subjects("0.0.0..hop_main") == [
        "[0.0.1] First", "0.0.1: first table", "[0.0.1] prepare: First"
    ]


def test_21_release_note(released):
    p = released.p
    text = p.git("notes", "--ref=hop", "show", "0.0.1^{}")
    note = tomllib.loads(text)
    assert note["version"] == "0.0.1"
    assert note["previous"] == "0.0.0"
    assert note["message"] == "First"
    assert note["git_hop_version"] == hop_version(p)
    assert note["released_at"].tzinfo is not None
    schema = p.path / "model" / "schema-0.0.1.sql"
    assert note["schema_sha256"] == sha256(schema)
    metadata = p.path / "model" / "metadata-0.0.1.sql"
    assert note["metadata_sha256"] == sha256(metadata)
    script = p.path / "Patches/0/0/1/00_first.sql"
    assert note["scripts"] == [{"path": "Patches/0/0/1/00_first.sql", "sha256": sha256(script)}]
    tests = note["tests"]
    assert tests["passed"] == 2 and tests["failed"] == 0 and tests["skipped"] == 0
    assert tests["command"][1:] == ["-m", "pytest", "-q", "-p", "no:cacheprovider"]
    assert tests["duration_s"] > 0
    # Only the tagged commit has a note (0.0.0's is git hop new's business).
    assert p.rev("refs/notes/hop") is not None


def test_21_release_database(released):
    p = released.p
    commit = p.rev("0.0.1^{}")
    rows = p.sql(
        "select format('%s.%s.%s', major, minor, patch), changelog, commit, hop_release"
        " from half_orm_meta.hop_release order by major, minor, patch"
    )
    assert rows[1:] == [("0.0.1", "First", commit, hop_version(p))]
    assert p.has_table("public.first")
    # The released database became the template of its release.
    assert p.hop_databases() == [p.name("__hop_0.0.0"), p.name("__hop_0.0.1")]
    row = p.status()
    assert row["release"] == "0.0.1"
    assert row["released"] == "0.0.1"
    assert row["preparing"] == "none"
    assert row["branch"] == "hop_main (clean)"


def test_21_the_template_is_the_copy_made_while_the_tests_ran(first):
    """release copies the replayed database into __hop_build once the tests'
    copy exists, while the tests run, and after the refs moved stamps that
    copy as it stamps the database, then renames it into place: the
    template holds what the released database holds."""
    p = first
    p.write("tests/test_db.py", TEST_FIRST)
    p.hop("apply", check=0)
    p.commit("0.0.1: first table")
    trace = p.path.parent / "release.trace"
    r = hop(dict(p.env, GIT_HOP_TRACE=os.fspath(trace)), p.path, "release")
    assert r.code == 0, str(r)
    lines = trace.read_text().splitlines()
    build, tpl = p.name("__hop_build"), p.name("__hop_0.0.1")
    assert hoptest.in_order(
        lines,
        rf'sql: create database "{re.escape(p.name("__hop_test"))}" template',
        rf'sql: create database "{re.escape(build)}" template "{re.escape(p.db)}"',
        r"run: .*pytest",
        r"step: release 0\.0\.1: rows stamped",
        rf"db: connected to '{re.escape(build)}'",
        rf'alter database "{re.escape(build)}" rename to "{re.escape(tpl)}"',
        r"template adopted \(copied during the tests\)"), "\n".join(lines)
    query = ("select format('%s.%s.%s', major, minor, patch), changelog, commit"
             " from half_orm_meta.hop_release order by 1")
    assert sql(p.cluster, tpl, query) == p.sql(query)
    assert sql(p.cluster, tpl, query)[-1][2] == p.rev("0.0.1^{}")
    assert schema_dump(p.cluster, tpl) == schema_dump(p.cluster, p.db)
    assert p.leftovers() == []
    # The next release's apply starts from it as it is.
    prepare(p, "patch", "Second")
    p.write("Patches/0/0/2/00_second.sql", "create table public.second (x int);\n")
    r = hop(dict(p.env, GIT_HOP_TRACE=os.fspath(trace)), p.path, "apply")
    assert r.code == 0, str(r)
    assert f"deploy: template {tpl} is up to date" in trace.read_text()


def test_release_with_nothing_in_preparation(fresh):
    before = fresh.snapshot()
    r = fresh.hop("release")
    assert_fatal(r, "no release in preparation")
    assert "hint: Run 'git hop prepare -l patch -m <message>' to start one." in r.err
    assert fresh.snapshot() == before


def test_release_after_release_has_nothing_to_do(released):
    p = released.p
    before = p.snapshot()
    r = p.hop("release")
    assert_fatal(r, "no release in preparation")
    assert p.snapshot() == before


@pytest.mark.parametrize("dirt", ["untracked", "modified"])
def test_23_release_refuses_a_dirty_tree(ready, dirt):
    if dirt == "untracked":
        ready.write("junk.txt", "junk\n")
    else:
        ready.write("Patches/0/0/1/00_first.sql", FIRST_SQL + "-- more\n")
    before = ready.snapshot()

    r = ready.hop("release")

    assert_fatal(r, "the work tree has uncommitted changes")
    expected = "untracked: junk.txt" if dirt == "untracked" else "modified:  Patches/0/0/1/00_first.sql"
    assert expected in details(r), str(r)
    assert "hint: Commit or stash them before 'git hop release'." in r.err
    assert ready.snapshot() == before  # the database was not replayed either


def test_25_release_refuses_failing_tests(ready):
    ready.write("tests/test_fail.py", TEST_FAILING)
    ready.commit("0.0.1: a failing test")
    before = ready.snapshot()
    notes_before = ready.rev("refs/notes/hop")

    r = ready.hop("release")

    assert_failure(r, "the tests failed: 0.0.1 is not released")
    assert "Nothing was committed or tagged." in details(r)
    assert "hint: Fix them, commit, then run 'git hop release' again." in r.err
    assert re.search(r"^Tests: 2 passed, 1 failed in ", r.err, re.M), str(r)
    assert "this test fails on purpose" in r.err  # the tests' output is chatty: stderr
    # Replayed (a new database, same content), nothing else.
    assert without(ready.snapshot(), "db_oid") == without(before, "db_oid")
    assert ready.tags() == ["0.0.0"]
    assert not (ready.path / "model" / "schema-0.0.1.sql").exists()
    assert ready.rev("refs/notes/hop") == notes_before  # only 0.0.0's note
    # The baselines' dumps, started while the tests ran, were stopped: no
    # session is left on the database.
    deadline = time.monotonic() + 5
    while sql(ready.cluster, "postgres", "select count(*) from pg_stat_activity"
              " where datname = %s", (ready.db,)) != [(0,)]:
        assert time.monotonic() < deadline, "a session is left on the database"
        time.sleep(0.05)


def test_release_dumps_the_baselines_while_the_tests_run(first):
    p = first
    p.write("tests/test_db.py", TEST_FIRST)
    p.hop("apply", check=0)
    p.commit("0.0.1: first table")
    trace = p.path.parent / "release.trace"
    env = dict(p.env, GIT_HOP_TRACE=str(trace))
    r = hop(env, p.path, "release")
    assert r.code == 0, str(r)
    lines = trace.read_text().splitlines()
    assert hoptest.in_order(lines, r"sql: create database .*__hop_test",
                            r"run: pg_dump .*--schema-only",
                            r"run: pg_dump .*--data-only --schema=half_orm_meta",
                            r"run: .*pytest", r"done: pg_dump "), "\n".join(lines)
    assert "CREATE TABLE public.first" in (p.path / "model" / "schema-0.0.1.sql").read_text()


def test_24_release_refuses_a_hand_edited_generated_module(ready):
    module = ready.package / "public" / "first.py"
    text = module.read_text()
    assert "fields_aliases = None\n" in text
    edited = text.replace("fields_aliases = None\n", "fields_aliases = {'a': 'key'}\n")
    module.write_text(edited)
    ready.commit("0.0.1: hand edit outside the user sections")
    before = ready.snapshot()

    r = ready.hop("release")

    assert_failure(r, "replaying 0.0.1 changes committed files")
    assert f"modified: {PKG}/public/first.py" in details(r), str(r)
    assert "Nothing was released." in details(r)
    assert "hint: Review the changes ('git diff'), commit them, then run 'git hop release' again." in r.err
    after = ready.snapshot()
    assert without(after, "db_oid", "porcelain", "files") == without(
        before, "db_oid", "porcelain", "files"
    )
    assert ready.branch() == "hop_0.0.1"
    assert ready.tags() == ["0.0.0"]
    # The replay's version of the module is left in the tree for review.
    assert after["porcelain"] == [f" M {PKG}/public/first.py"]
    assert module.read_text() == text


def test_24_user_sections_survive_the_replay(first):
    first.hop("apply", check=0)
    module = first.package / "public" / "first.py"
    text = module.read_text()
    lines = text.splitlines(keepends=True)
    # The line after the first marker opens the module's user section.
    begin = next(i for i, l in enumerate(lines) if l.startswith("#>>> PLACE YOUR CODE BELOW"))
    lines.insert(begin + 1, "import datetime  # user code\n")
    module.write_text("".join(lines))
    first.write("tests/test_db.py", TEST_FIRST)
    first.commit("0.0.1: user code")

    r = first.hop("release")

    assert r.code == 0, str(r)
    assert "import datetime  # user code\n" in module.read_text()
    assert first.tags() == ["0.0.0", "0.0.1"]


def test_27_push_without_a_usable_origin_changes_nothing(ready, tmp_path):
    before = ready.snapshot()

    r = ready.hop("release", "--push")

    assert_fatal(r, "cannot push: no remote 'origin'")
    assert "Nothing was changed." in details(r)
    assert "hint: Add it with 'git remote add origin <url>', or release without --push." in r.err
    assert ready.snapshot() == before  # same database: no replay

    # An origin that does not answer: same.
    ready.git("remote", "add", "origin", str(tmp_path / "no-such-repo.git"))
    try:
        r = ready.hop("release", "--push")
        assert_fatal(r, "cannot push: the remote 'origin' does not answer")
        assert "Nothing was changed." in details(r)
        assert ready.snapshot() == before
    finally:
        ready.git("remote", "remove", "origin")


def test_28_release_push_to_a_bare_remote(first, tmp_path):
    first.write("tests/test_db.py", TEST_FIRST)
    first.hop("apply", check=0)
    first.commit("0.0.1: package and tests")
    remote = tmp_path / "remote.git"
    git(first.env, tmp_path, "init", "-q", "--bare", str(remote))
    first.git("remote", "add", "origin", str(remote))

    r = first.hop("release", "--push")

    assert r.code == 0, str(r)
    assert r.out.rstrip().endswith("; pushed to origin"), str(r)
    remote_refs = dict(
        reversed(line.split("\t"))
        for line in git(first.env, tmp_path, "ls-remote", str(remote)).splitlines()
    )
    local = first.refs()
    assert remote_refs["refs/heads/hop_main"] == local["refs/heads/hop_main"]
    assert remote_refs["refs/tags/0.0.1"] == local["refs/tags/0.0.1"]
    assert remote_refs["refs/tags/0.0.1^{}"] == first.rev("0.0.1^{}")
    assert remote_refs["refs/notes/hop"] == local["refs/notes/hop"]
    assert "refs/heads/hop_0.0.1" not in remote_refs

    # A tag already on the remote is never moved: the next release refuses
    # to push before anything changes.
    prepare(first, "patch", "Next")
    first.write("Patches/0/0/2/00_x.sql", "create table public.x (x int);\n")
    first.commit("0.0.2")
    git(first.env, tmp_path, "--git-dir", str(remote), "tag", "0.0.2", "hop_main")
    before = first.snapshot()
    r = first.hop("release", "--push")
    assert_fatal(r, "cannot push: the remote 'origin' already has the tag 0.0.2")
    assert first.snapshot() == before
    # It fetched first (issue 9 item 2): origin's tags are known, locally.
    assert "refs/hop/remotes/origin/tags/0.0.2" in first.refs()
    assert "refs/tags/0.0.2" not in first.refs()



def test_release_refuses_files_left_by_the_tests(ready):
    """The tree is clean before the tests run: what the tests leave in it
    must not slip into the release commit."""
    ready.write(
        "tests/test_writes.py",
        "def test_writes():\n    open('left-by-tests.txt', 'w').write('x')\n",
    )
    ready.commit("0.0.1: a test that leaves a file")
    refs = ready.refs()

    r = ready.hop("release")

    assert_failure(r, "the tests changed the work tree: 0.0.1 is not released")
    assert "new:      left-by-tests.txt" in details(r), str(r)
    assert "Nothing was committed or tagged." in details(r)
    assert ready.refs() == refs
    assert ready.branch() == "hop_0.0.1"
    assert ready.porcelain() == ["?? left-by-tests.txt"]



def test_release_brings_the_branch_up_to_date(first):
    """hop_main moved on (a commit that is not a release): release rebases
    the branch, replays on the result and releases on top of it."""
    first.write("tests/test_db.py", TEST_FIRST)
    first.hop("apply", check=0)
    first.commit("0.0.1: package and tests")
    first.checkout("hop_main")
    first.write("docs/notes.md", "notes\n")
    docs = first.commit("hop_main: docs")
    first.checkout("hop_0.0.1")

    r = first.hop("release")

    assert r.code == 0, str(r)
    assert "Bringing hop_0.0.1 up to date with hop_main." in r.err.splitlines()
    assert first.branch() == "hop_main"
    assert first.porcelain() == []
    commit = first.rev("0.0.1^{}")
    assert first.rev("hop_main") == commit
    assert first.git("merge-base", "--is-ancestor", docs, commit) == ""
    assert first.subjects("0.0.0..0.0.1") == [
        "[0.0.1] First", "0.0.1: package and tests", "first table",
        "[0.0.1] prepare: First", "hop_main: docs",
    ]
    assert first.git("show", "0.0.1:docs/notes.md") == "notes"
    changed = first.git("show", "--format=", "--name-only", commit).split()
    assert sorted(changed) == sorted(
        ["model/schema-0.0.1.sql", "model/metadata-0.0.1.sql", f"{PKG}/version.txt"]
    )





def test_29_generated_files_in_conflict_are_generated_again(two_in_preparation):
    """Both releases committed their generated package: bringing 0.1.0 up to
    date conflicts in files git-hop generates whole (ho_dataclasses.py, the
    schema's __init__.py). apply takes a side and generates them again, so
    the package maps both releases' tables; the user only commits."""
    p = two_in_preparation
    p.hop("apply", check=0)
    p.commit("0.1.0: generated package")
    p.checkout("hop_0.0.1")
    p.hop("release", check=0)
    p.checkout("hop_0.1.0")

    r = p.hop("apply")

    assert r.code == 0, str(r)
    assert "Bringing hop_0.1.0 up to date with hop_main." in r.err.splitlines()
    assert re.search(r"^Took hop_0\.1\.0's side of \d+ conflicting generated files", r.err, re.M), str(r)
    git_dir = Path(p.git("rev-parse", "--absolute-git-dir"))
    assert not (git_dir / "rebase-merge").exists()
    assert p.has_table("public.first") and p.has_table("public.second")
    init = (p.package / "public" / "__init__.py").read_text()
    assert "'first'" in init and "'second'" in init, init
    dataclasses = (p.package / "ho_dataclasses.py").read_text()
    assert "class DC_PublicFirst(" in dataclasses and "class DC_PublicSecond(" in dataclasses
    assert "<<<<<<<" not in init + dataclasses
    # What is left to commit is the regenerated package, nothing else.
    assert all(line[3:].startswith(f"{PKG}/") for line in p.porcelain()), p.porcelain()
    p.commit("0.1.0: package on 0.0.1")
    r = p.hop("release")
    assert r.code == 0, str(r)


def test_new_records_its_release_in_a_note(fresh):
    note = tomllib.loads(fresh.git("notes", "--ref=hop", "show", "0.0.0^{}"))
    assert note["version"] == "0.0.0"
    assert "previous" not in note and "tests" not in note
    assert note["schema_sha256"] == sha256(fresh.path / "model/schema-0.0.0.sql")
    assert note["metadata_sha256"] == sha256(fresh.path / "model/metadata-0.0.0.sql")


# --------------------------------------------------------------------------
# Issue 9: a release is complete, or resumable, never stuck (design §11.1);
# one git-hop at a time per database.


def hop_killed(p: Project, *args: str, at: str) -> None:
    """`git-hop <args>` killed by SIGKILL at the first trace line that
    contains `at` (GIT_HOP_TRACE_STOP)."""
    trace = p.path.parent / f"trace-{secrets.token_hex(4)}"
    why = hoptest.kill_at_step(p.env, ["git-hop", *args], cwd=p.path, step=at, trace=trace)
    assert why is None, f"git-hop was not killed at {at!r}: {why}"


def problems(p: Project) -> list:
    """(kind, message, repair) of each problem `git hop status` names."""
    r = p.hop("status", "--format=json", check=0)
    return [(x["kind"], x["message"], x["repair"]) for x in json.loads(r.out)["problems"]]


def release_commits(p: Project, v: str, message: str) -> list:
    """The commits of any ref whose subject is the release commit's of `v`."""
    lines = p.git("log", "--all", "--format=%H %s").splitlines()
    return [h for h, subject in (l.split(" ", 1) for l in lines) if subject == f"[{v}] {message}"]


def release_row_commit(p: Project, v: str) -> list:
    return p.sql(
        "select commit from half_orm_meta.hop_release"
        " where format('%%s.%%s.%%s', major, minor, patch) = %s",
        (v,),
    )


def assert_released(p: Project, v: str, message: str = "First") -> str:
    """Tag, note, hop_main, the release branch and the database's row agree;
    one release commit; hop_main checked out, clean; status names nothing;
    no scratch database left. Returns the release commit."""
    commit = p.rev(f"{v}^{{}}")
    assert commit, f"no tag {v}"
    assert p.git("cat-file", "-t", v) == "tag"
    assert p.rev("hop_main") == commit
    assert p.rev(f"hop_{v}") == commit
    note = tomllib.loads(p.git("notes", "--ref=hop", "show", commit))
    assert note["version"] == v and note["message"] == message
    assert release_row_commit(p, v) == [(commit,)]
    assert release_commits(p, v, message) == [commit]
    assert p.branch() == "hop_main"
    assert p.porcelain() == []
    assert problems(p) == []
    assert p.leftovers() == []
    return commit


@pytest.fixture
def to_release(first) -> Project:
    """0.0.1 applied, its package and a passing test committed on hop_0.0.1:
    ready to release (one project per test)."""
    first.write("tests/test_db.py", TEST_FIRST)
    first.hop("apply", check=0)
    first.commit("0.0.1: package and tests")
    return first


@pytest.mark.parametrize("at", [
    "git: refs/notes/hop -> ",  # the note is written, the tag is not
    "git: tag 0.0.1 -> ",  # the tag is written (the database's row is not)
    "step: release 0.0.1: checked out",  # everything but the row
])
def test_09_03_killed_between_tag_and_note_is_completed(to_release, at):
    p = to_release
    hop_killed(p, "release", at=at)
    found = problems(p)
    assert found and all(repair == "git hop release" for _, _, repair in found), found
    assert any("0.0.1" in message for _, message, _ in found), found
    assert "problem:" in p.hop("status").out
    tag = p.rev("refs/tags/0.0.1")  # the tag object, when it was written

    r = p.hop("release")

    assert r.code == 0, str(r)
    assert r.out.startswith("Completed the interrupted release 0.0.1 ("), str(r)
    assert re.search(r"tests: \d+ passed, 0 failed in \d+\.\d\d s$", r.out.strip()), str(r)
    assert "Replaying" not in r.err  # the note holds the tests' results
    assert_released(p, "0.0.1")
    if tag:
        assert p.rev("refs/tags/0.0.1") == tag  # never moved


@pytest.mark.parametrize("at", [
    "git: commit ",  # the release commit is made, nothing points at it
    "step: release 0.0.1: objects written",  # commit, tag and notes objects
    "git: hop_main -> ",  # every ref moved
])
def test_09_07_killed_between_commit_and_tag_adds_no_second_commit(to_release, at):
    p = to_release
    hop_killed(p, "release", at=at)

    r = p.hop("release")

    assert r.code == 0, str(r)
    assert_released(p, "0.0.1")


def test_09_04_every_push_sends_what_origin_lacks(to_release, tmp_path):
    p = to_release
    remote = tmp_path / "remote.git"
    git(p.env, tmp_path, "init", "-q", "--bare", str(remote))
    p.git("remote", "add", "origin", str(remote))
    # Released without --push: status says so, from what git last saw of
    # origin (no network).
    assert p.hop("release").code == 0
    assert problems(p) == [("not-pushed", "released here, not pushed to origin: 0.0.0, 0.0.1",
                            "git hop release --push")]
    # The next release, its push killed.
    prepare(p, "patch", "Second")
    p.write("Patches/0/0/2/00_second.sql", "create table public.second (x int);\n")
    p.hop("apply", check=0)
    p.commit("0.0.2: second table")
    hop_killed(p, "release", "--push", at="step: pushing")
    assert git(p.env, tmp_path, "ls-remote", str(remote)) == ""
    # (The database the replay replaced and the tests' copy are dropped at
    # the end of the command: killed, it left them.)
    assert problems(p) == [
        ("scratch-leftover", f"database '{p.name('__hop_old')}' is left over by an "
         "interrupted git-hop", "git hop release"),
        ("scratch-leftover", f"database '{p.name('__hop_test')}' is left over by an "
         "interrupted git-hop", "git hop release"),
        ("not-pushed", "released here, not pushed to origin: 0.0.0, 0.0.1, 0.0.2",
         "git hop release --push")]

    # With nothing in preparation, --push publishes what origin lacks.
    r = p.hop("release", "--push")

    assert r.code == 0, str(r)
    assert r.out.startswith("Pushed 0.0.0, 0.0.1, 0.0.2 to origin (last release 0.0.2, "), str(r)
    remote_refs = dict(
        reversed(line.split("\t"))
        for line in git(p.env, tmp_path, "ls-remote", str(remote)).splitlines()
    )
    local = p.refs()
    for ref in ("refs/heads/hop_main", "refs/notes/hop", "refs/tags/0.0.0",
                "refs/tags/0.0.1", "refs/tags/0.0.2"):
        assert remote_refs[ref] == local[ref], ref
    assert not any(ref.startswith("refs/heads/hop_0") for ref in remote_refs)
    assert problems(p) == []
    r = p.hop("release", "--push")
    assert r.code == 0, str(r)
    assert r.out.startswith("Nothing to push: origin has every release (last release 0.0.2, "), str(r)


def test_09_02_push_from_a_clone_that_is_behind_changes_nothing(
        to_release, tmp_path, new_dbname, drop_later):
    a = to_release
    remote = tmp_path / "remote.git"
    git(a.env, tmp_path, "init", "-q", "--bare", str(remote))
    a.git("remote", "add", "origin", str(remote))
    a.git("push", "-q", "--no-verify", "origin", "hop_main", "0.0.0", "refs/notes/hop")
    # B clones origin at 0.0.0 and prepares 0.1.0 on its own database.
    drop_later.append(new_dbname)
    clone = tmp_path / "clone"
    git(a.env, tmp_path, "clone", "-q", "-b", "hop_main", str(remote), str(clone))
    conf = tmp_path / "clone-conf"
    conf.mkdir()
    (conf / PKG).write_text(f"[database]\nname = {new_dbname}\nproduction = False\n")
    b = Project(clone, dict(a.env, HALFORM_CONF_DIR=str(conf)), new_dbname, a.cluster)
    prepare(b, "minor", "Other")
    b.write("Patches/0/1/0/00_other.sql", "create table public.other (x int);\n")
    b.write("tests/test_db.py", "def test_nothing():\n    pass\n")
    assert b.hop("apply").code == 0
    b.commit("0.1.0: other table")
    # Meanwhile A releases 0.0.1 to origin.
    assert a.hop("release", "--push").code == 0
    remote_before = git(a.env, tmp_path, "ls-remote", str(remote))
    before = b.snapshot()

    r = b.hop("release", "--push")

    assert_fatal(r, "cannot push: origin's hop_main has commits that hop_main lacks here")
    assert "The push would be refused and leave origin half released. Nothing was changed." in details(r)
    assert "hint: Bring hop_main up to date first" in r.err
    assert b.snapshot() == before
    assert git(a.env, tmp_path, "ls-remote", str(remote)) == remote_before
    assert b.tags() == ["0.0.0"]
    assert release_commits(b, "0.1.0", "Other") == []
    # It fetched: origin's hop_main is known here (a remote-tracking ref).
    assert b.rev("refs/remotes/origin/hop_main") == a.rev("hop_main")


def test_09_05_release_from_a_linked_worktree_while_hop_main_is_checked_out_elsewhere(
        to_release, tmp_path):
    p = to_release
    wt = tmp_path / "linked"
    p.checkout("hop_main")
    p.git("worktree", "add", "-q", str(wt), "hop_0.0.1")
    w = Project(wt, p.env, p.db, p.cluster)
    before = p.snapshot()

    r = w.hop("release")

    assert_fatal(r, f"hop_main is checked out in another work tree: '{p.path.resolve()}'")
    assert "Nothing was changed." in details(r)
    assert p.snapshot() == before
    assert w.branch() == "hop_0.0.1" and w.porcelain() == []
    assert release_commits(p, "0.0.1", "First") == []
    # Once the main work tree is on something else, it releases, once.
    p.git("checkout", "-q", "--detach")
    r = w.hop("release")
    assert r.code == 0, str(r)
    assert w.branch() == "hop_main" and w.porcelain() == []
    assert release_commits(p, "0.0.1", "First") == [p.rev("0.0.1^{}")]
    assert p.rev("hop_main") == p.rev("0.0.1^{}")


@pytest.mark.parametrize("at", [
    "db: swap ",  # the database renamed away, the new one not yet in
    "owner to",  # the new one in, the old one not yet dropped
])
def test_09_06_killed_during_the_swap_keeps_a_database(to_release, at):
    p = to_release
    hop_killed(p, "apply", at=at)
    old = p.name("__hop_old")
    if at == "db: swap ":
        assert not db_exists(p.cluster, p.db) and db_exists(p.cluster, old)
        assert problems(p) == [(
            "swap-interrupted",
            f"database '{p.db}' is missing: a swap was interrupted after it renamed it to '{old}'",
            "git hop apply")]
    else:
        assert db_exists(p.cluster, p.db) and db_exists(p.cluster, old)

    r = p.hop("apply")

    assert r.code == 0, str(r)
    assert p.has_table("public.first")
    assert p.leftovers() == []
    assert problems(p) == []


def test_09_08_one_git_hop_at_a_time_per_database(first, workdir):
    p = first
    config = p.path / ".hop" / "config"
    config.write_text(config.read_text() + '\n[deploy]\nlock_wait = "1s"\n')
    p.write("Patches/0/0/1/01_slow.sql", "select pg_sleep(8);\n")
    p.commit("0.0.1: a slow script")
    holder = subprocess.Popen(["git-hop", "apply"], cwd=p.path, env=p.env,
                              stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    try:
        app = f"git-hop apply [pid {holder.pid}]"
        deadline = time.monotonic() + 60
        while not sql(p.cluster, "postgres",
                      "select 1 from pg_stat_activity where application_name = %s", (app,)):
            assert holder.poll() is None and time.monotonic() < deadline, holder.communicate()
            time.sleep(0.05)
        held_by = re.compile(
            rf"^  Held by {re.escape(app)} \(server pid \d+, user postgres, from local, "
            r"since \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\)\.$", re.M)
        for command in (["apply"], ["undo"], ["test"], ["release"]):
            r = p.hop(*command)
            assert_fatal(r, f"database '{p.db}' is busy: another git-hop is working on it")
            assert held_by.search(r.err), str(r)
        # `new --devel` on that database does not wait, and creates nothing.
        r = hop(p.env, workdir, "new", "other", "--devel", "--database", p.db)
        assert_fatal(r, f"database '{p.db}' is busy: another git-hop is working on it")
        assert held_by.search(r.err), str(r)
        assert not (workdir / "other").exists()
        assert not (Path(p.env["HALFORM_CONF_DIR"]) / "other").exists()
        out, err = holder.communicate(timeout=120)
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.communicate()
    assert holder.returncode == 0, err
    assert p.releases() == [("0.0.0", "Initial release"), ("0.0.1", "First")]


def test_09_15_new_records_the_commit_of_its_release(fresh):
    assert release_row_commit(fresh, "0.0.0") == [(fresh.rev("0.0.0^{}"),)]
    assert problems(fresh) == []
