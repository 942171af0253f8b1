"""End-to-end tests of `git hop new <package> [--devel] [--database NAME]
[--create-database]`, run exactly as a user runs it.

Each test checks the exit code, the messages, the project folder, the git
repository (through the real git CLI), the connection file and the database.
"""

from __future__ import annotations

import os
import re
import secrets
import select
import shutil
import signal
import subprocess
import time
import tomllib
from pathlib import Path

import pytest

import hoptest
from hoptest import db_exists, expect_stderr, git, hop, run, schema_exists, sql

REPO_ROOT = Path(__file__).resolve().parents[2]
HALF_ORM_META_SQL = REPO_ROOT / "templates" / "sql" / "half_orm_meta.sql"

SAMPLE_TABLE = """
create table public.post (
    id serial primary key,
    title text not null,
    body text,
    created timestamptz default now()
);
create index post_title_idx on public.post (title);
comment on table public.post is 'a blog post';
"""


# --------------------------------------------------------------------------
# Helpers


def conf_file(env: dict, package: str) -> Path:
    return Path(env["HALFORM_CONF_DIR"]) / package


def db_objects(cluster, db: str) -> tuple:
    """Everything a failed `new` could have left in `db`: its non-system
    schemas and relations, and the rows of half_orm_meta.hop_release."""
    schemas = sql(
        cluster,
        db,
        "select nspname from pg_namespace where nspname not like 'pg\\_%'"
        " and nspname <> 'information_schema' order by 1",
    )
    relations = sql(
        cluster,
        db,
        "select n.nspname, c.relname, c.relkind from pg_class c"
        " join pg_namespace n on n.oid = c.relnamespace"
        " where n.nspname not in ('pg_catalog', 'information_schema')"
        " and n.nspname !~ '^pg_toast' order by 1, 2",
    )
    rows = []
    if sql(cluster, db, "select to_regclass('half_orm_meta.hop_release')") != [(None,)]:
        rows = release_rows(cluster, db)
    return (schemas, relations, rows)


def release_rows(cluster, db: str) -> list:
    return sql(
        cluster,
        db,
        "select major, minor, patch, pre_release, pre_release_num, date, time,"
        " changelog, commit, dbid, hop_release from half_orm_meta.hop_release"
        " order by major, minor, patch",
    )


def leftovers(workdir: Path, package: str) -> list:
    """The project folder and any hidden staging folder of `package`."""
    return sorted(
        p.name
        for p in workdir.iterdir()
        if p.name == package or p.name.startswith(f".{package}.hop-new-")
    )


NEW_USAGE_LINE = (
    "usage: git hop new <package> [--devel] [--database <name>] [--create-database]\n"
)
# What a usage error prints after its "error:" line (Boost.Program_options
# lays the options out).
NEW_USAGE = NEW_USAGE_LINE + """\


Options:
  --devel                track releases: half_orm_meta, baseline and tag 0.0.0
  --database <name>      database to use (default: the connection file's, else\x20
                         <package>)
  --create-database      create the database when it does not exist

Common options:
  -h [ --help ]          show this help (--help opens the manual)
  -q [ --quiet ]         print less on stderr
  -v [ --verbose ]       print more on stderr
"""


def assert_nothing_created(workdir: Path, env: dict, package: str) -> None:
    assert leftovers(workdir, package) == []
    assert not conf_file(env, package).exists()


def install_upstream_meta(cluster, db: str, changelog: str = "Upstream release") -> None:
    """half_orm_meta as upstream hop creates it: no hop_script, no hop_meta."""
    sql(cluster, db, HALF_ORM_META_SQL.read_text())
    sql(
        cluster,
        db,
        "insert into half_orm_meta.hop_release (major, minor, patch, changelog)"
        " values (0, 0, 0, %s)",
        (changelog,),
    )


def fake_pg_dump_env(env: dict, tmp_path: Path, *, fail_on: str | None = None) -> dict:
    """`env` with a pg_dump first on PATH that fails: always, or (fail_on)
    only when its arguments contain that option, else runs the real one."""
    real = shutil.which("pg_dump", path=env["PATH"])
    assert real, "no pg_dump on PATH"
    bindir = tmp_path / "fakebin"
    bindir.mkdir()
    script = bindir / "pg_dump"
    if fail_on is None:
        body = 'echo "pg_dump: simulated failure" >&2\nexit 1\n'
    else:
        body = (
            'for a in "$@"; do\n'
            f'  if [ "$a" = "{fail_on}" ]; then\n'
            '    echo "pg_dump: simulated failure" >&2\n'
            "    exit 1\n"
            "  fi\n"
            "done\n"
            f'exec "{real}" "$@"\n'
        )
    script.write_text("#!/bin/sh\n" + body)
    script.chmod(0o755)
    result = dict(env)
    result["PATH"] = f"{bindir}{os.pathsep}{env['PATH']}"
    return result


@pytest.fixture
def make_db(pg_cluster):
    """Factory of extra empty databases, all dropped afterwards."""
    made = []

    def make() -> str:
        name = f"t_extra_{secrets.token_hex(6)}"
        hoptest.create_database(pg_cluster, name)
        made.append(name)
        return name

    yield make
    for name in made:
        hoptest.drop_database(pg_cluster, name)


def check_devel_project(env, workdir: Path, package: str, db: str, version: str = "0.0.0"):
    """The folder and git state of a successful `new --devel`."""
    root = workdir / package
    assert root.is_dir()
    config = tomllib.loads((root / ".hop" / "config").read_text())
    assert config["project"]["name"] == package
    assert re.fullmatch(r"\d+\.\d+\.\d+", config["project"]["hop_version"])
    assert config["project"]["devel"] is True

    for name in ("README.md", "pyproject.toml", ".gitignore"):
        text = (root / name).read_text()
        assert "@PACKAGE@" not in text and "@DBNAME@" not in text, name
        assert "@GIT_HOP_VERSION@" not in text, name
    readme = (root / "README.md").read_text()
    assert readme.startswith(f"# {package}\n")
    assert f"database `{db}`" in readme
    assert config["project"]["hop_version"] in readme
    pyproject = tomllib.loads((root / "pyproject.toml").read_text())
    assert pyproject["project"]["name"] == package
    assert "Backups/" in (root / ".gitignore").read_text().splitlines()

    assert sorted(p.name for p in (root / "model").iterdir()) == [
        f"metadata-{version}.sql",
        f"schema-{version}.sql",
    ]

    assert git(env, root, "branch", "--show-current") == "hop_main"
    assert git(env, root, "branch", "--list", "--format=%(refname:short)") == "hop_main"
    log = git(env, root, "log", "--format=%H %s").splitlines()
    assert len(log) == 1, log
    head, subject = log[0].split(" ", 1)
    assert subject == f"[{version}] git hop new {package}"
    assert git(env, root, "tag", "-l") == version
    assert git(env, root, "cat-file", "-t", version) == "tag"  # annotated
    assert git(env, root, "rev-parse", f"{version}^{{commit}}") == head
    assert git(env, root, "tag", "-n9", version).split() == [
        version, version, "Release", f"{version}."
    ]
    assert git(env, root, "status", "--porcelain", "--untracked-files=all") == ""
    # the objects git-hop wrote from memory (one pack, and the tag) are whole
    assert git(env, root, "fsck", "--strict", "--no-progress", "--no-dangling") == ""
    assert git(env, root, "notes", "--ref=hop", "show", "HEAD").startswith("version = ")
    tracked = set(git(env, root, "ls-files").splitlines())
    assert {
        ".hop/config", "README.md", "pyproject.toml", ".gitignore",
        f"model/schema-{version}.sql", f"model/metadata-{version}.sql",
    } <= tracked
    return root


def check_meta(cluster, db: str, last=(0, 0, 0)) -> None:
    assert schema_exists(cluster, db, "half_orm_meta")
    assert schema_exists(cluster, db, "half_orm_meta.view")
    assert sql(cluster, db, "select to_regclass('half_orm_meta.hop_script') is not null") == [(True,)]
    assert sql(cluster, db, "select to_regclass('half_orm_meta.hop_upgrade') is not null") == [(True,)]
    assert sql(cluster, db, "select id, version from half_orm_meta.hop_meta") == [(True, 2)]
    assert sql(
        cluster, db, 'select major, minor, patch from "half_orm_meta.view".hop_last_release'
    ) == [last]


# --------------------------------------------------------------------------
# Happy paths


def test_devel_on_existing_empty_database(pg_cluster, env, dbname, workdir):
    r = hop(env, workdir, "new", "blog", "--devel", "--database", dbname)
    assert r.code == 0, str(r)
    root = workdir / "blog"
    assert r.out == f"Created git-hop project 'blog' in {root}\n"
    assert f"Wrote the connection file '{conf_file(env, 'blog')}'." in r.err
    assert f"Created half_orm_meta in database '{dbname}': release 0.0.0." in r.err
    assert "hint: Run 'cd blog && git hop status'." in r.err
    assert leftovers(workdir, "blog") == ["blog"]

    check_devel_project(env, workdir, "blog", dbname)
    schema = (root / "model" / "schema-0.0.0.sql").read_text()
    assert "CREATE TABLE half_orm_meta.hop_release" in schema
    assert "CREATE TABLE half_orm_meta.hop_script" in schema
    metadata = (root / "model" / "metadata-0.0.0.sql").read_text()
    assert "half_orm_meta.hop_release" in metadata
    assert "Initial release" in metadata
    assert "Dumped from" not in metadata and "Dumped by" not in metadata

    check_meta(pg_cluster, dbname)
    assert sql(
        pg_cluster, dbname,
        "select major, minor, patch, pre_release, pre_release_num, changelog"
        " from half_orm_meta.hop_release",
    ) == [(0, 0, 0, "", "", "Initial release")]
    assert sql(pg_cluster, dbname, "select count(*) from half_orm_meta.hop_script") == [(0,)]

    text = conf_file(env, "blog").read_text()
    assert "password" not in text
    assert re.search(rf"^name = {re.escape(dbname)}$", text, re.M), text
    assert re.search(r"^production = False$", text, re.M), text
    assert text.startswith("[database]\n")


def test_baseline_is_deterministic_and_loads(pg_cluster, env, dbname, make_db, workdir):
    other = make_db()
    for db in (dbname, other):
        sql(pg_cluster, db, SAMPLE_TABLE)
    hop(env, workdir, "new", "blog", "--devel", "--database", dbname, check=True)
    hop(env, workdir, "new", "blog2", "--devel", "--database", other, check=True)
    first = (workdir / "blog" / "model" / "schema-0.0.0.sql").read_bytes()
    second = (workdir / "blog2" / "model" / "schema-0.0.0.sql").read_bytes()
    assert first.replace(dbname.encode(), b"@DB@") == second.replace(other.encode(), b"@DB@")
    for line in first.decode().splitlines():
        assert not line.startswith("-- Dumped from"), line
        assert not line.startswith("-- Dumped by"), line
        assert "Dumped from" not in line and "Dumped by" not in line

    # Dropping and recreating the same project gives the same bytes too.
    shutil.rmtree(workdir / "blog2")
    conf_file(env, "blog2").unlink()
    hop(env, workdir, "new", "blog2", "--devel", "--database", other, check=True)
    assert (workdir / "blog2" / "model" / "schema-0.0.0.sql").read_bytes() == second

    # The baseline rebuilds the schema in a fresh database.
    fresh = make_db()
    r = run(
        env, pg_cluster.bindir / "psql", "-X", "-q", "-v", "ON_ERROR_STOP=1",
        "-d", fresh, "-f", workdir / "blog" / "model" / "schema-0.0.0.sql",
        cwd=workdir,
    )
    assert r.code == 0, str(r)
    assert sql(pg_cluster, fresh, "select to_regclass('public.post') is not null") == [(True,)]
    assert sql(pg_cluster, fresh, "select to_regclass('half_orm_meta.hop_release') is not null") == [(True,)]
    assert sql(
        pg_cluster, fresh, "select to_regclass('\"half_orm_meta.view\".hop_last_release') is not null"
    ) == [(True,)]
    # Schema only: no rows.
    assert sql(pg_cluster, fresh, "select count(*) from half_orm_meta.hop_release") == [(0,)]
    # ... and the metadata dump completes it.
    r = run(
        env, pg_cluster.bindir / "psql", "-X", "-q", "-v", "ON_ERROR_STOP=1",
        "-d", fresh, "-f", workdir / "blog" / "model" / "metadata-0.0.0.sql",
        cwd=workdir,
    )
    assert r.code == 0, str(r)
    assert sql(pg_cluster, fresh, "select major, minor, patch, changelog from half_orm_meta.hop_release") == [
        (0, 0, 0, "Initial release")
    ]


def test_devel_dumps_the_baselines_while_it_writes_the_package(pg_cluster, env, dbname, workdir):
    sql(pg_cluster, dbname, SAMPLE_TABLE)
    trace = workdir / "new.trace"
    r = hop(dict(env, GIT_HOP_TRACE=str(trace)), workdir, "new", "blog", "--devel",
            "--database", dbname)
    assert r.code == 0, str(r)
    lines = trace.read_text().splitlines()
    assert hoptest.in_order(lines, r"run: pg_dump .*--schema-only",
                            r"run: pg_dump .*--data-only --schema=half_orm_meta",
                            r"codegen: read the catalog", r"done: pg_dump "), "\n".join(lines)
    assert "CREATE TABLE public.post" in (workdir / "blog" / "model" / "schema-0.0.0.sql").read_text()


def test_sample_schema_is_in_the_baseline(pg_cluster, env, dbname, workdir):
    sql(pg_cluster, dbname, SAMPLE_TABLE)
    sql(pg_cluster, dbname, "create schema shop; create table shop.item (sku text primary key)")
    sql(pg_cluster, dbname, "insert into public.post (title) values ('not in the baseline')")
    hop(env, workdir, "new", "blog", "--devel", "--database", dbname, check=True)
    schema = (workdir / "blog" / "model" / "schema-0.0.0.sql").read_text()
    assert "CREATE TABLE public.post" in schema
    assert "CREATE INDEX post_title_idx ON public.post" in schema
    assert "COMMENT ON TABLE public.post IS 'a blog post';" in schema
    assert "CREATE SCHEMA shop;" in schema
    assert "CREATE TABLE shop.item" in schema
    # schema only: the data is not there
    assert "not in the baseline" not in schema
    metadata = (workdir / "blog" / "model" / "metadata-0.0.0.sql").read_text()
    assert "not in the baseline" not in metadata
    assert "shop.item" not in metadata
    # the user's data is untouched
    assert sql(pg_cluster, dbname, "select title from public.post") == [("not in the baseline",)]


def test_without_devel_is_sync_only(pg_cluster, env, dbname, workdir):
    sql(pg_cluster, dbname, SAMPLE_TABLE)
    before = db_objects(pg_cluster, dbname)
    r = hop(env, workdir, "new", "blog", "--database", dbname)
    assert r.code == 0, str(r)
    root = workdir / "blog"
    assert r.out == f"Created git-hop project 'blog' in {root}\n"
    assert "half_orm_meta" not in r.err
    assert not schema_exists(pg_cluster, dbname, "half_orm_meta")
    assert not schema_exists(pg_cluster, dbname, "half_orm_meta.view")
    assert db_objects(pg_cluster, dbname) == before

    config = tomllib.loads((root / ".hop" / "config").read_text())
    assert config["project"]["name"] == "blog"
    assert config["project"]["devel"] is False
    assert not (root / "model").exists()
    for name in ("README.md", "pyproject.toml", ".gitignore"):
        assert "@PACKAGE@" not in (root / name).read_text()

    assert git(env, root, "branch", "--show-current") == "hop_main"
    log = git(env, root, "log", "--format=%s").splitlines()
    assert log == ["git hop new blog"]
    assert git(env, root, "tag", "-l") == ""
    assert git(env, root, "status", "--porcelain", "--untracked-files=all") == ""
    assert f"name = {dbname}\n" in conf_file(env, "blog").read_text()


def test_existing_half_orm_meta_is_reused(pg_cluster, env, dbname, workdir):
    hop(env, workdir, "new", "blog", "--devel", "--database", dbname, check=True)
    sql(
        pg_cluster, dbname,
        "insert into half_orm_meta.hop_release (major, minor, patch, changelog)"
        " values (0, 1, 0, 'Second release')",
    )
    rows = release_rows(pg_cluster, dbname)
    assert len(rows) == 2
    shutil.rmtree(workdir / "blog")
    conf_file(env, "blog").unlink()

    r = hop(env, workdir, "new", "blog2", "--devel", "--database", dbname)
    assert r.code == 0, str(r)
    assert f"Reused half_orm_meta in database '{dbname}': release 0.1.0." in r.err
    root = check_devel_project(env, workdir, "blog2", dbname, version="0.1.0")
    assert not (root / "model" / "schema-0.0.0.sql").exists()
    metadata = (root / "model" / "metadata-0.1.0.sql").read_text()
    assert "Second release" in metadata and "Initial release" in metadata
    # The reused rows are kept, but for the commit of the release the new
    # project tags, which it fills in (issue 9 item 15).
    commit = git(env, root, "rev-parse", "0.1.0^{}")
    assert release_rows(pg_cluster, dbname) == [
        row[:8] + (commit,) + row[9:] if row[:3] == (0, 1, 0) else row for row in rows]
    check_meta(pg_cluster, dbname, last=(0, 1, 0))
    assert f"name = {dbname}\n" in conf_file(env, "blog2").read_text()


def test_upstream_half_orm_meta_gets_hop_tables(pg_cluster, env, dbname, workdir):
    install_upstream_meta(pg_cluster, dbname)
    assert sql(pg_cluster, dbname, "select to_regclass('half_orm_meta.hop_script')") == [(None,)]
    rows = release_rows(pg_cluster, dbname)

    r = hop(env, workdir, "new", "blog", "--devel", "--database", dbname)
    assert r.code == 0, str(r)
    assert f"Reused half_orm_meta in database '{dbname}': release 0.0.0." in r.err
    check_devel_project(env, workdir, "blog", dbname)
    check_meta(pg_cluster, dbname)
    # The upstream rows are kept, but for the commit of the release the new
    # project tags, which it fills in (issue 9 item 15).
    commit = git(env, workdir / "blog", "rev-parse", "0.0.0^{}")
    assert release_rows(pg_cluster, dbname) == [
        row[:8] + (commit,) + row[9:] if row[:3] == (0, 0, 0) else row for row in rows]
    schema = (workdir / "blog" / "model" / "schema-0.0.0.sql").read_text()
    assert "CREATE TABLE half_orm_meta.hop_script" in schema
    assert "CREATE TABLE half_orm_meta.hop_meta" in schema


def test_partial_half_orm_meta_is_refused(pg_cluster, env, dbname, workdir):
    sql(pg_cluster, dbname, "create schema half_orm_meta; create table half_orm_meta.other (x int)")
    before = db_objects(pg_cluster, dbname)
    r = hop(env, workdir, "new", "blog", "--devel", "--database", dbname)
    expect_stderr(r, """\
fatal: the database has a half_orm_meta schema without its hop_release table
  git-hop reuses an existing half_orm_meta schema but does not repair a partial one.
hint: Drop the schemas half_orm_meta and "half_orm_meta.view" if they hold nothing of value, then run the command again.
""", code=128)
    assert_nothing_created(workdir, env, "blog")
    assert db_objects(pg_cluster, dbname) == before


def test_create_database_flag(pg_cluster, env, new_dbname, workdir):
    assert not db_exists(pg_cluster, new_dbname)
    r = hop(env, workdir, "new", "blog", "--devel", "--database", new_dbname, "--create-database")
    assert r.code == 0, str(r)
    assert f"Created database '{new_dbname}'." in r.err
    assert db_exists(pg_cluster, new_dbname)
    check_devel_project(env, workdir, "blog", new_dbname)
    check_meta(pg_cluster, new_dbname)
    assert f"name = {new_dbname}\n" in conf_file(env, "blog").read_text()


def test_create_database_named_after_the_package(pg_cluster, env, new_dbname, workdir):
    # No --database and no connection file: the database is the package.
    package = new_dbname
    r = hop(env, workdir, "new", package, "--create-database")
    assert r.code == 0, str(r)
    assert db_exists(pg_cluster, new_dbname)
    assert not schema_exists(pg_cluster, new_dbname, "half_orm_meta")
    assert f"name = {new_dbname}\n" in conf_file(env, package).read_text()
    config = tomllib.loads((workdir / package / ".hop" / "config").read_text())
    assert config["project"]["name"] == package
    assert config["project"]["devel"] is False


def test_missing_database_without_flag(pg_cluster, env, new_dbname, workdir):
    r = hop(env, workdir, "new", "blog", "--devel", "--database", new_dbname)
    # stdin is not a terminal: no question
    expect_stderr(r, """\
fatal: database '$DB' does not exist
hint: Add --create-database to create it, or name an existing one with --database <name>.
""", code=128, DB=new_dbname)
    assert_nothing_created(workdir, env, "blog")
    assert not db_exists(pg_cluster, new_dbname)


# --------------------------------------------------------------------------
# Refusals: nothing changes


DESTINATION_EXISTS = """\
fatal: destination path 'blog' already exists
hint: Choose another package name, or move 'blog' out of the way.
"""


def test_destination_exists(pg_cluster, env, dbname, workdir):
    existing = workdir / "blog"
    existing.mkdir()
    (existing / "notes.txt").write_text("mine\n")
    before = db_objects(pg_cluster, dbname)
    r = hop(env, workdir, "new", "blog", "--devel", "--database", dbname)
    expect_stderr(r, DESTINATION_EXISTS, code=128)
    assert sorted(p.name for p in existing.iterdir()) == ["notes.txt"]
    assert (existing / "notes.txt").read_text() == "mine\n"
    assert leftovers(workdir, "blog") == ["blog"]
    assert not conf_file(env, "blog").exists()
    assert db_objects(pg_cluster, dbname) == before


def test_destination_is_a_dangling_symlink(pg_cluster, env, dbname, workdir):
    (workdir / "blog").symlink_to(workdir / "nowhere")
    r = hop(env, workdir, "new", "blog", "--devel", "--database", dbname)
    expect_stderr(r, DESTINATION_EXISTS, code=128)
    assert (workdir / "blog").is_symlink() and not (workdir / "nowhere").exists()
    assert not schema_exists(pg_cluster, dbname, "half_orm_meta")
    assert not conf_file(env, "blog").exists()


@pytest.mark.parametrize("package", ["2blog", "my-model", "class", "None", "blög", "a" * 64])
def test_invalid_package_name(pg_cluster, env, dbname, workdir, package):
    before = db_objects(pg_cluster, dbname)
    r = hop(env, workdir, "new", package, "--devel", "--database", dbname)
    expect_stderr(r, f"""\
fatal: invalid package name '{package}'
  A package name is a Python identifier made of ASCII letters, digits and '_', not starting with a digit, and not a Python keyword.
hint: Try a name such as 'blog' or 'my_model'.
""", code=128)
    assert list(workdir.iterdir()) == []
    assert list(Path(env["HALFORM_CONF_DIR"]).iterdir()) == []
    assert db_objects(pg_cluster, dbname) == before


def test_inside_an_existing_project(pg_cluster, env, dbname, workdir):
    hop(env, workdir, "new", "blog", "--database", dbname, check=True)
    root = workdir / "blog"
    sub = root / "sub" / "dir"
    sub.mkdir(parents=True)
    before = db_objects(pg_cluster, dbname)
    head = git(env, root, "rev-parse", "HEAD")
    for cwd in (root, sub):
        r = hop(env, cwd, "new", "other", "--devel", "--database", dbname)
        expect_stderr(r, """\
fatal: already inside the git-hop project at '$WORK/blog'
hint: Run 'git hop new' outside of any project.
""", code=128, WORK=workdir)
        assert leftovers(cwd, "other") == []
    assert not conf_file(env, "other").exists()
    assert db_objects(pg_cluster, dbname) == before
    assert git(env, root, "rev-parse", "HEAD") == head
    # sub/dir is empty: git sees nothing new in the project
    assert git(env, root, "status", "--porcelain") == ""


def test_no_git_identity(pg_cluster, env, dbname, workdir, tmp_path):
    # No identity, and git's guess from the host name turned off (git would
    # commit with root@<host> where the host name has a domain).
    empty_home = tmp_path / "empty-home"
    empty_home.mkdir()
    (empty_home / ".gitconfig").write_text("[user]\n\tuseConfigOnly = true\n")
    env = dict(env, HOME=str(empty_home))
    before = db_objects(pg_cluster, dbname)
    r = hop(env, workdir, "new", "blog", "--devel", "--database", dbname)
    expect_stderr(r, """\
fatal: no git identity to commit with
  no email was given and auto-detection is disabled
hint: Run 'git config --global user.name "Your Name"' and 'git config --global user.email you@example.com'.
""", code=128)
    assert_nothing_created(workdir, env, "blog")
    assert db_objects(pg_cluster, dbname) == before


def test_server_unreachable(pg_cluster, env, dbname, workdir, tmp_path):
    nowhere = tmp_path / "no-server"
    nowhere.mkdir()
    env = dict(env, PGHOST=str(nowhere))
    before = db_objects(pg_cluster, dbname)
    r = hop(env, workdir, "new", "blog", "--devel", "--database", dbname)
    # libpq's reason, as detail lines
    expect_stderr(r, """\
fatal: cannot connect to database '$DB'
  connection to server on socket "$TMP/no-server/.s.PGSQL.5432" failed: No such file or directory
  Is the server running locally and accepting connections on that socket?
hint: Check the PG* variables (PGHOST, PGPORT, PGUSER...) or write a connection file in $TMP/halform.
""", code=128, DB=dbname, TMP=tmp_path)
    assert_nothing_created(workdir, env, "blog")
    assert db_objects(pg_cluster, dbname) == before


def test_production_connection_file(pg_cluster, env, dbname, workdir, tmp_path):
    conf = conf_file(env, "blog")
    content = f"[database]\nname = {dbname}\nproduction = True\n"
    conf.write_text(content)
    before = db_objects(pg_cluster, dbname)
    r = hop(env, workdir, "new", "blog", "--devel")
    expect_stderr(r, """\
fatal: the connection file '$TMP/halform/blog' marks database '$DB' as production
hint: Create projects from a development database; production databases are upgraded with 'git hop upgrade'.
""", code=128, DB=dbname, TMP=tmp_path)
    assert leftovers(workdir, "blog") == []
    assert conf.read_text() == content
    assert db_objects(pg_cluster, dbname) == before


@pytest.mark.parametrize(
    "content, line, message",
    [
        ("[database]\nname = {db}\nthis is not a pair\n", 3,
         "expected 'key = value', found 'this is not a pair'"),
        ("# comment\n[database\nname = {db}\n", 2, "malformed section header '[database'"),
        ("[database]\nname = {db}\nproduction = maybe\n", 3,
         "'production' must be True or False, not 'maybe'"),
    ],
    ids=["not-a-pair", "bad-section", "bad-production"],
)
def test_malformed_connection_file(pg_cluster, env, dbname, workdir, tmp_path, content, line,
                                   message):
    conf = conf_file(env, "blog")
    content = content.format(db=dbname)
    conf.write_text(content)
    before = db_objects(pg_cluster, dbname)
    r = hop(env, workdir, "new", "blog", "--devel", "--database", dbname)
    expect_stderr(r, f"fatal: $TMP/halform/blog:{line}: {message}\n", code=128, TMP=tmp_path)
    assert leftovers(workdir, "blog") == []
    assert conf.read_text() == content
    assert db_objects(pg_cluster, dbname) == before


def test_connection_file_without_database_section(pg_cluster, env, dbname, workdir, tmp_path):
    conf = conf_file(env, "blog")
    conf.write_text("[server]\nname = x\n")
    r = hop(env, workdir, "new", "blog", "--devel", "--database", dbname)
    expect_stderr(r, """\
fatal: $TMP/halform/blog: no [database] section
hint: A half_orm connection file starts with '[database]' followed by 'name = <database>'.
""", code=128, TMP=tmp_path)
    assert leftovers(workdir, "blog") == []
    assert conf.read_text() == "[server]\nname = x\n"
    assert not schema_exists(pg_cluster, dbname, "half_orm_meta")


def test_invalid_database_name(pg_cluster, env, workdir):
    r = hop(env, workdir, "new", "blog", "--devel", "--database", "x" * 64)
    expect_stderr(r, f"""\
fatal: invalid database name '{'x' * 64}'
  A database name has 1 to 63 bytes.
""", code=128)
    assert_nothing_created(workdir, env, "blog")


# --------------------------------------------------------------------------
# Failure after acting: everything is undone


SCHEMA_DUMP_FAILED = """\
fatal: cannot dump the schema of database '$DB'
  'pg_dump --no-password --no-owner --no-privileges --no-tablespaces --restrict-key=githop --schema-only' exited with status 1
  pg_dump: simulated failure
"""


@pytest.mark.parametrize("fail_on", [None, "--data-only"], ids=["schema-dump", "metadata-dump"])
def test_pg_dump_failure_on_empty_database(pg_cluster, env, dbname, workdir, tmp_path, fail_on):
    env = fake_pg_dump_env(env, tmp_path, fail_on=fail_on)
    before = db_objects(pg_cluster, dbname)
    r = hop(env, workdir, "new", "blog", "--devel", "--database", dbname)
    # nothing but the failure: undoing the changes printed no warning
    if fail_on is None:
        expect_stderr(r, SCHEMA_DUMP_FAILED, code=128, DB=dbname)
    else:
        expect_stderr(r, """\
fatal: cannot dump the half_orm_meta rows of database '$DB'
  'pg_dump --no-password --no-owner --no-privileges --no-tablespaces --restrict-key=githop --data-only --schema=half_orm_meta' exited with status 1
  pg_dump: simulated failure
""", code=128, DB=dbname)
    assert_nothing_created(workdir, env, "blog")
    assert not schema_exists(pg_cluster, dbname, "half_orm_meta")
    assert not schema_exists(pg_cluster, dbname, "half_orm_meta.view")
    assert db_objects(pg_cluster, dbname) == before


def test_pg_dump_failure_keeps_upstream_meta(pg_cluster, env, dbname, workdir, tmp_path):
    install_upstream_meta(pg_cluster, dbname)
    before = db_objects(pg_cluster, dbname)
    env = fake_pg_dump_env(env, tmp_path)
    r = hop(env, workdir, "new", "blog", "--devel", "--database", dbname)
    expect_stderr(r, SCHEMA_DUMP_FAILED, code=128, DB=dbname)
    assert_nothing_created(workdir, env, "blog")
    # hop_script / hop_meta added by this run are gone, the rows are kept
    assert db_objects(pg_cluster, dbname) == before
    assert sql(pg_cluster, dbname, "select to_regclass('half_orm_meta.hop_meta')") == [(None,)]


def test_pg_dump_failure_drops_the_created_database(pg_cluster, env, new_dbname, workdir, tmp_path):
    env = fake_pg_dump_env(env, tmp_path)
    r = hop(env, workdir, "new", "blog", "--devel", "--database", new_dbname, "--create-database")
    expect_stderr(r, "Created database '$DB'.\n" + SCHEMA_DUMP_FAILED, code=128, DB=new_dbname)
    assert_nothing_created(workdir, env, "blog")
    assert not db_exists(pg_cluster, new_dbname)


# --------------------------------------------------------------------------
# Usage


def test_help(env, workdir):
    r = hop(env, workdir, "new", "-h")
    assert r.code == 0, str(r)
    assert r.out.startswith(
        "usage: git hop new <package> [--devel] [--database <name>] [--create-database]\n"
    )
    for option in ("--devel", "--database", "--create-database", "--help"):
        assert option in r.out
    assert r.err == ""
    assert list(workdir.iterdir()) == []


@pytest.mark.parametrize(
    "args, expected",
    [
        ([], "error: missing <package>\n" + NEW_USAGE_LINE),
        (["blog", "--bogus"], "error: unrecognised option '--bogus'\n" + NEW_USAGE),
        (["--bogus"], "error: unrecognised option '--bogus'\n" + NEW_USAGE),
        (["blog", "other"],
         "error: too many positional options have been specified on the command line\n"
         + NEW_USAGE),
        (["blog", "--database"],
         "error: the required argument for option '--database' is missing\n" + NEW_USAGE),
    ],
    ids=["missing-package", "unknown-option", "unknown-option-only", "two-packages", "database-without-value"],
)
def test_usage_errors(env, workdir, args, expected):
    r = hop(env, workdir, "new", *args)
    expect_stderr(r, expected, code=129)
    assert list(workdir.iterdir()) == []
    assert list(Path(env["HALFORM_CONF_DIR"]).iterdir()) == []


# --------------------------------------------------------------------------
# The connection file


def test_uses_the_connection_file(pg_cluster, env, dbname, workdir):
    conf = conf_file(env, "blog")
    content = f"# mine\n[database]\nname = {dbname}\n"
    conf.write_text(content)
    os.utime(conf, (1_000_000_000, 1_000_000_000))
    r = hop(env, workdir, "new", "blog", "--devel")
    assert r.code == 0, str(r)
    assert "Wrote the connection file" not in r.err
    assert f"Created half_orm_meta in database '{dbname}'" in r.err
    check_devel_project(env, workdir, "blog", dbname)
    check_meta(pg_cluster, dbname)
    assert conf.read_text() == content
    assert conf.stat().st_mtime == 1_000_000_000
    assert sorted(p.name for p in conf.parent.iterdir()) == ["blog"]


def test_unwritable_connection_dir_with_another_database(pg_cluster, env, dbname, workdir, tmp_path):
    # Running as root ignores mode bits: a conf dir under a regular file can
    # never be created, whoever we are.
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    confdir = blocker / "halform"
    env = dict(env, HALFORM_CONF_DIR=str(confdir))
    before = db_objects(pg_cluster, dbname)
    r = hop(env, workdir, "new", "blog", "--devel", "--database", dbname)
    expect_stderr(r, """\
fatal: cannot write the connection file '$TMP/a-file/halform/blog'
  Database '$DB' differs from the package name, so git-hop must record it there.
hint: Set HALFORM_CONF_DIR to a writable directory, or create the file yourself with '[database]' and 'name = $DB'.
""", code=128, DB=dbname, TMP=tmp_path)
    assert leftovers(workdir, "blog") == []
    assert blocker.read_text() == ""
    assert db_objects(pg_cluster, dbname) == before


def test_unwritable_connection_dir_with_the_package_database(pg_cluster, env, new_dbname, workdir, tmp_path):
    # The database is named after the package: no connection file needed.
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    env = dict(env, HALFORM_CONF_DIR=str(blocker / "halform"))
    package = new_dbname
    r = hop(env, workdir, "new", package, "--devel", "--create-database")
    assert r.code == 0, str(r)
    assert "Wrote the connection file" not in r.err
    check_devel_project(env, workdir, package, new_dbname)
    check_meta(pg_cluster, new_dbname)
    assert blocker.read_text() == ""


# --------------------------------------------------------------------------
# On a terminal: the question


def run_on_tty(env, cwd, args, answer: bytes, timeout: float = 60.0):
    """Run `args` with stdin, stdout and stderr on a pseudo-terminal; wait
    for the 'Create it? [Y/n]' question, answer it, return (code, output)."""
    master, slave = os.openpty()
    try:
        proc = subprocess.Popen(
            [os.fspath(a) for a in args], cwd=cwd, env=env,
            stdin=slave, stdout=slave, stderr=slave,
            start_new_session=True, close_fds=True,
        )
    finally:
        os.close(slave)
    output = b""
    answered = False
    deadline = time.monotonic() + timeout
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"timed out; output so far:\n{output.decode(errors='replace')}")
            ready, _, _ = select.select([master], [], [], min(left, 1.0))
            if ready:
                try:
                    chunk = os.read(master, 4096)
                except OSError:  # EIO: every slave end is closed
                    chunk = b""
                if not chunk:
                    break
                output += chunk
            if not answered and b"Create it? [Y/n] " in output:
                os.write(master, answer + b"\n")
                answered = True
            if not ready and proc.poll() is not None:
                break
        code = proc.wait(timeout=max(1.0, deadline - time.monotonic()))
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        os.close(master)
    assert answered, f"no question asked:\n{output.decode(errors='replace')}"
    return code, output.decode(errors="replace").replace("\r\n", "\n")


def test_tty_question_answered_no(pg_cluster, env, new_dbname, workdir):
    code, out = run_on_tty(
        env, workdir, ["git", "hop", "new", "blog", "--devel", "--database", new_dbname], b"n"
    )
    assert code == 128, out
    assert f"Database '{new_dbname}' does not exist. Create it? [Y/n] " in out
    assert f"fatal: database '{new_dbname}' does not exist" in out
    assert_nothing_created(workdir, env, "blog")
    assert not db_exists(pg_cluster, new_dbname)


@pytest.mark.parametrize("answer", [b"y", b""], ids=["y", "enter"])
def test_tty_question_answered_yes(pg_cluster, env, new_dbname, workdir, answer):
    code, out = run_on_tty(
        env, workdir, ["git", "hop", "new", "blog", "--devel", "--database", new_dbname], answer
    )
    assert code == 0, out
    assert f"Created database '{new_dbname}'." in out
    assert f"Created git-hop project 'blog' in {workdir / 'blog'}" in out
    assert db_exists(pg_cluster, new_dbname)
    check_devel_project(env, workdir, "blog", new_dbname)
    check_meta(pg_cluster, new_dbname)
