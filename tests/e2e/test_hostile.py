"""Hostile input and hostile moments (issue 9, items 1, 10, 12, 16, 17, 20,
21 and 22): what a tester who wants git-hop to guess, follow a link, lose a
file or run someone else's code tries, and what git-hop must do instead.

Each test is named after its item: test_09_<item>_...

- 01: a connection file that exists but cannot be read, or that half_orm's
  configparser would refuse (a duplicated key or section...), is a fatal
  error naming the file; only a file that does not exist is absent.
- 10: scripts are regular files, as git tracks them: a symbolic link, a
  FIFO, a directory or a submodule named like a script is an error naming
  it, in the work tree, the index and a commit.
- 12: a multi-line message from the server or libpq is one fatal: line and
  detail lines.
- 16: GIT_DIR / GIT_WORK_TREE / core.worktree decide the work tree, as for
  git, and the project is found from that work tree.
- 17: commits, tags and notes carry the identity git would use (git -c,
  GIT_CONFIG_COUNT, GIT_AUTHOR_*, GIT_COMMITTER_*); hooks go where
  'git -c core.hooksPath=...' says.
- 20: SIGINT and SIGTERM kill the children git-hop runs and remove its
  temporary files, then git-hop dies of the same signal; after a SIGKILL the
  child dies too and the next run removes what was left.
- 21: a baseline is loaded under a fresh \\restrict key: a line
  '\\unrestrict githop' in it cannot turn psql's meta-commands back on.
- 22: the connection-file examples of the README and the man pages read the
  same with configparser and with git-hop.
"""

from __future__ import annotations

import configparser
import hashlib
import json
import os
import re
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import hoptest
from hoptest import git, hop, run, schema_exists, sql

REPO_ROOT = Path(__file__).resolve().parents[2]
PKG = "blog"
TABLE_SQL = "create table public.post (id serial primary key, title text);\n"


# --------------------------------------------------------------------------
# Helpers


@pytest.fixture
def db(dbname, pg_cluster):
    """`dbname`, and at teardown every database git-hop derived from it."""
    yield dbname
    drop_derived(pg_cluster, dbname)


def drop_derived(cluster, db: str) -> None:
    prefix = db + "__hop"
    rows = sql(cluster, "postgres",
               "select datname from pg_database where left(datname, %s) = %s",
               (len(prefix), prefix))
    for (name,) in rows:
        hoptest.drop_database(cluster, name)


def new_project(env, workdir: Path, db: str, package: str = PKG, *extra: str) -> Path:
    hop(env, workdir, "new", package, "--devel", "--database", db, *extra, check=0)
    return workdir / package


def prepare(env, project: Path) -> None:
    hop(env, project, "prepare", "-l", "patch", "-m", "First", check=0)


def write(root: Path, rel: str, text: str) -> Path:
    p = root / rel
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(text)
    return p


def fatal_lines(r) -> list:
    return [l for l in r.err.splitlines() if l.startswith("fatal: ")]


def assert_one_fatal(r, *needles: str) -> str:
    """Exit 128, exactly one fatal: line (containing every needle), and every
    other line of stderr a detail ("  text"), a hint or a progress line."""
    assert r.code == 128, str(r)
    lines = fatal_lines(r)
    assert len(lines) == 1, str(r)
    for needle in needles:
        assert needle in lines[0], str(r)
    after = r.err.split(lines[0] + "\n", 1)[1].splitlines()
    for line in after:
        assert line.startswith(("  ", "hint: ")), str(r)
        assert not line.startswith("  ") or not line[2:3].isspace(), str(r)
    return lines[0]


def db_oid(cluster, db: str):
    rows = sql(cluster, "postgres", "select oid from pg_database where datname = %s", (db,))
    return rows[0][0] if rows else None


def tables(cluster, db: str) -> list:
    return sql(cluster, db,
               "select table_schema || '.' || table_name from information_schema.tables"
               " where table_schema not in ('pg_catalog', 'information_schema')"
               " order by 1")


@pytest.fixture
def socket_for_all(pg_cluster):
    """Without CAP_DAC_OVERRIDE, root reaches the cluster's socket only if
    its base directory (mode 0700, owned by postgres) may be searched."""
    base = Path(pg_cluster.host).parent
    mode = base.stat().st_mode & 0o777
    base.chmod(mode | 0o011)
    yield
    base.chmod(mode)


def without_dac(argv: list) -> list:
    """`argv` run without the power to read what its permissions forbid:
    as root, without CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH (root ignores
    file modes otherwise); as another user, as it is."""
    if os.geteuid() != 0:
        return argv
    caps = "-dac_override,-dac_read_search"
    return ["setpriv", f"--inh-caps={caps}", f"--bounding-set={caps}", *argv]


# --------------------------------------------------------------------------
# 1. The connection file: unreadable, duplicated, malformed


def _setup_conf(case: str, conf: Path, package: str, db: str, tmp: Path) -> Path:
    """Make the connection file of `package` in `conf` hostile; returns the
    path git-hop must name."""
    file = conf / package
    good = f"[database]\nname = {db}\nproduction = True\n"
    if case == "permission_denied":
        file.write_text(good)
        file.chmod(0)
    elif case == "directory_without_search_permission":
        file.write_text(good)
        conf.chmod(0o600)
    elif case == "directory_in_its_place":
        file.mkdir()
    elif case == "fifo_in_its_place":
        os.mkfifo(file)
    elif case == "dangling_symlink":
        file.symlink_to(tmp / "nowhere")
    elif case == "symlink_loop":
        file.symlink_to(file)
    elif case == "conf_dir_is_a_file":
        conf.rmdir()
        conf.write_text(good)
    elif case == "duplicate_key":
        file.write_text(f"[database]\nname = {db}\nname = {db}_prod\n")
    elif case == "duplicate_key_in_another_case":
        file.write_text(f"[database]\nname = {db}\nNAME = {db}_prod\n")
    elif case == "duplicate_key_in_another_section":
        file.write_text(f"[other]\nx = 1\nx = 2\n[database]\nname = {db}\n")
    elif case == "duplicate_section":
        file.write_text(f"[database]\nname = {db}\n[database]\nproduction = True\n")
    elif case == "key_before_any_section":
        file.write_text(f"production = True\n[database]\nname = {db}\n")
    elif case == "continuation_line":
        # configparser: name = "<db>\nproduction = True", production unset.
        file.write_text(f"[database]\nname = {db}\n    production = True\n")
    elif case == "empty_name":
        file.write_text("[database]\nname =\n")
    else:
        raise AssertionError(case)
    return conf / package


MALFORMED = {
    "duplicate_key": "duplicate key 'name' in section [database]",
    "duplicate_key_in_another_case": "duplicate key 'name' in section [database]",
    "duplicate_key_in_another_section": "duplicate key 'x' in section [other]",
    "duplicate_section": "duplicate section [database]",
    "key_before_any_section": "before any section",
    "continuation_line": "continuation line",
    "empty_name": "'name' is empty",
}

CONF_CASES = [
    "permission_denied",
    "directory_without_search_permission",
    "directory_in_its_place",
    "fifo_in_its_place",
    "dangling_symlink",
    "symlink_loop",
    "conf_dir_is_a_file",
    "duplicate_key",
    "duplicate_key_in_another_case",
    "duplicate_key_in_another_section",
    "duplicate_section",
    "key_before_any_section",
    "continuation_line",
    "empty_name",
]


@pytest.mark.parametrize("case", CONF_CASES)
def test_09_01_unreadable_connection_file_is_fatal(case, env, workdir, db, pg_cluster, tmp_path,
                                                  socket_for_all):
    """`git hop new <package> --devel`, whose package is named like an
    existing database: a connection file that cannot be read or that
    configparser refuses is never taken as absent (which would install the
    tracking schema in the database named like the package)."""
    package = db  # a valid Python identifier, and an existing database
    conf = Path(env["HALFORM_CONF_DIR"])
    path = _setup_conf(case, conf, package, db, tmp_path)
    try:
        argv = without_dac(["git", "hop", "new", package, "--devel"])
        r = run(env, *argv, cwd=workdir, timeout=30)
    finally:
        if conf.is_dir():
            conf.chmod(0o755)
        if path.exists() and not path.is_symlink() and path.is_file():
            path.chmod(0o644)
    if case in MALFORMED:
        assert_one_fatal(r, f"fatal: {path}:", MALFORMED[case])
    else:
        assert_one_fatal(r, f"fatal: cannot read the connection file '{path}'")
    assert r.out == ""
    assert not (workdir / package).exists()
    assert list(workdir.iterdir()) == []
    assert not schema_exists(pg_cluster, db, "half_orm_meta")


def test_09_01_unreadable_connection_file_is_fatal_in_a_project(env, workdir, db, pg_cluster,
                                                               socket_for_all):
    """In a project: status, apply and test name the unreadable file and
    change nothing; readable again, everything works."""
    project = new_project(env, workdir, db)
    prepare(env, project)
    write(project, "Patches/0/0/1/a.sql", TABLE_SQL)
    conf = Path(env["HALFORM_CONF_DIR"]) / PKG
    conf.write_text(f"[database]\nname = {db}\nproduction = True\n")
    conf.chmod(0)
    before = db_oid(pg_cluster, db)
    try:
        for args in (["status"], ["apply"], ["test"]):
            r = run(env, *without_dac(["git", "hop", *args]), cwd=project)
            line = assert_one_fatal(r, f"'{conf}'")
            assert "cannot read" in line, str(r)
            assert "Permission denied" in r.err, str(r)
    finally:
        conf.chmod(0o644)
    assert db_oid(pg_cluster, db) == before
    assert ("public.post",) not in tables(pg_cluster, db)
    # Readable: the production flag is honoured.
    r = hop(env, project, "apply")
    assert r.code == 128 and "production" in r.err, str(r)


# --------------------------------------------------------------------------
# 10. Scripts are regular files


WORKTREE_CASES = [
    "symlink_outside_the_repository",
    "symlink_inside_the_repository",
    "dangling_symlink",
    "fifo",
    "directory",
    "python_symlink",
    "release_toml_symlink",
    "release_folder_symlink",
]


def _hostile_entry(case: str, folder: Path, outside: Path) -> str:
    """Put a hostile entry named like a script in `folder`; its name."""
    if case == "symlink_outside_the_repository":
        target = outside / "leak.sql"
        target.write_text("create table public.leaked (a int);\n")
        (folder / "00_a.sql").symlink_to(target)
        return "00_a.sql"
    if case == "symlink_inside_the_repository":
        (folder / "real.txt").write_text("create table public.leaked (a int);\n")
        (folder / "00_a.sql").symlink_to("real.txt")
        return "00_a.sql"
    if case == "dangling_symlink":
        (folder / "00_a.sql").symlink_to("nowhere.sql.txt")
        return "00_a.sql"
    if case == "fifo":
        os.mkfifo(folder / "00_a.sql")
        return "00_a.sql"
    if case == "directory":
        (folder / "00_a.sql").mkdir()
        (folder / "00_a.sql" / "inner.sql").write_text("create table public.leaked (a int);\n")
        return "00_a.sql"
    if case == "python_symlink":
        target = outside / "leak.py"
        target.write_text("print('outside')\n")
        (folder / "10_b.py").symlink_to(target)
        return "10_b.py"
    if case == "release_folder_symlink":
        moved = outside / "1"
        folder.rename(moved)
        (moved / "00_a.sql").write_text("create table public.leaked (a int);\n")
        folder.symlink_to(moved)
        return ""
    if case == "release_toml_symlink":
        target = outside / "release.toml"
        target.write_text('message = "from elsewhere"\n')
        (folder / "release.toml").unlink()
        (folder / "release.toml").symlink_to(target)
        return "release.toml"
    raise AssertionError(case)


@pytest.mark.parametrize("case", WORKTREE_CASES)
def test_09_10_script_that_is_not_a_regular_file_is_refused(case, env, workdir, db, pg_cluster, tmp_path):
    """apply reads the work tree without following links: anything named
    like a script that is not a regular file is an error naming it, and the
    database is left alone."""
    project = new_project(env, workdir, db)
    prepare(env, project)
    folder = project / "Patches/0/0/1"
    write(project, "Patches/0/0/1/05_ok.sql", TABLE_SQL)
    outside = tmp_path / "outside"
    outside.mkdir()
    name = _hostile_entry(case, folder, outside)
    before = db_oid(pg_cluster, db)
    r = hop(env, project, "apply", timeout=30)
    assert_one_fatal(r, f"'Patches/0/0/1{'/' if name else ''}{name}' is ")
    assert db_oid(pg_cluster, db) == before
    assert ("public.leaked",) not in tables(pg_cluster, db)
    assert ("public.post",) not in tables(pg_cluster, db)


def test_09_10_symlinked_script_in_a_commit_is_refused(env, workdir, db, pg_cluster, tmp_path):
    """Staged, a symbolic link (mode 120000), a submodule (160000) or a
    directory named like a script stops the pre-commit hook; committed
    anyway, the pre-push hook and 'git hop release' refuse it: the note never
    records the sha256 of content that is not in git."""
    project = new_project(env, workdir, db)
    bare = tmp_path / "origin.git"
    run(env, "git", "init", "-q", "--bare", bare, cwd=tmp_path, check=0)
    git(env, project, "remote", "add", "origin", bare)
    prepare(env, project)
    write(project, "Patches/0/0/1/05_ok.sql", TABLE_SQL)
    hop(env, project, "apply", check=0)
    git(env, project, "add", "-A")
    r = run(env, "git", "commit", "-q", "-m", "ok", cwd=project, timeout=60)
    assert r.code == 0, r
    outside = tmp_path / "leak.sql"
    outside.write_text("create table public.leaked (a int);\n")

    # The index: a symbolic link...
    (project / "Patches/0/0/1/00_a.sql").symlink_to(outside)
    git(env, project, "add", "Patches/0/0/1/00_a.sql")
    assert git(env, project, "ls-files", "-s", "Patches/0/0/1/00_a.sql").startswith("120000 ")
    r = run(env, "git", "commit", "-m", "link", cwd=project, timeout=60)
    assert r.code == 1, r
    assert "Patches/0/0/1/00_a.sql" in r.err and "symbolic link" in r.err, r
    git(env, project, "rm", "-q", "--cached", "Patches/0/0/1/00_a.sql")
    (project / "Patches/0/0/1/00_a.sql").unlink()
    # ... a submodule ...
    head = git(env, project, "rev-parse", "HEAD")
    git(env, project, "update-index", "--add", "--cacheinfo", f"160000,{head},Patches/0/0/1/00_s.sql")
    r = run(env, "git", "commit", "-m", "submodule", cwd=project, timeout=60)
    assert r.code == 1, r
    assert "Patches/0/0/1/00_s.sql" in r.err and "submodule" in r.err, r
    git(env, project, "rm", "-q", "--cached", "Patches/0/0/1/00_s.sql")
    # ... a directory.
    write(project, "Patches/0/0/1/00_d.sql/inner.sql", "create table public.leaked (a int);\n")
    git(env, project, "add", "Patches/0/0/1/00_d.sql/inner.sql")
    r = run(env, "git", "commit", "-m", "dir", cwd=project, timeout=60)
    assert r.code == 1, r
    assert "Patches/0/0/1/00_d.sql" in r.err and "directory" in r.err, r
    git(env, project, "rm", "-q", "-r", "--cached", "Patches/0/0/1/00_d.sql")
    (project / "Patches/0/0/1/00_d.sql/inner.sql").unlink()
    (project / "Patches/0/0/1/00_d.sql").rmdir()

    # Committed without the hook: pre-push refuses the commit's tree...
    (project / "Patches/0/0/1/00_a.sql").symlink_to(outside)
    git(env, project, "add", "Patches/0/0/1/00_a.sql")
    git(env, project, "commit", "-q", "--no-verify", "-m", "link")
    r = run(env, "git", "push", "origin", "hop_0.0.1", cwd=project, timeout=60)
    assert r.code != 0, r
    assert "Patches/0/0/1/00_a.sql" in r.err and "symbolic link" in r.err, r
    # ... and so does release.
    refs = git(env, project, "for-each-ref")
    r = hop(env, project, "release", timeout=60)
    assert_one_fatal(r, "Patches/0/0/1/00_a.sql")
    assert git(env, project, "for-each-ref") == refs  # no tag, no note
    assert ("public.leaked",) not in tables(pg_cluster, db)


# --------------------------------------------------------------------------
# 12. One fatal: line for a multi-line message


MULTILINE_CASES = {
    # A server message with newlines (RAISE in a script).
    "raise_with_newlines": (
        "do $$ begin raise exception E'first line\\nsecond line\\nthird line'; end $$;\n",
        ["first line"], ["second line", "third line"]),
    # libpq's own message when the server ends the session.
    "session_terminated": (
        "select pg_terminate_backend(pg_backend_pid());\n",
        ["terminating connection"], ["server closed the connection unexpectedly"]),
}


@pytest.mark.parametrize("case", sorted(MULTILINE_CASES))
def test_09_12_multiline_server_message_is_one_fatal_line(case, env, workdir, db):
    script, in_fatal, in_details = MULTILINE_CASES[case]
    project = new_project(env, workdir, db)
    prepare(env, project)
    write(project, "Patches/0/0/1/a.sql", script)
    r = hop(env, project, "apply")
    assert_one_fatal(r, "Patches/0/0/1/a.sql", *in_fatal)
    details = [l[2:] for l in r.err.splitlines() if l.startswith("  ")]
    for text in in_details:
        assert any(text in d for d in details), str(r)


def test_09_12_multiline_libpq_connection_error_is_one_fatal_line(env, workdir, db, tmp_path):
    """A connection to a socket that does not exist: libpq's message has a
    second, tab-indented line."""
    project = new_project(env, workdir, db)
    prepare(env, project)
    conf = Path(env["HALFORM_CONF_DIR"]) / PKG
    conf.write_text(f"[database]\nname = {db}\nhost = {tmp_path / 'no-such-dir'}\n")
    for args in (["apply"], ["test"], ["new", "other", "--devel"]):
        cwd = project if args[0] != "new" else tmp_path
        if args[0] == "new":
            (Path(env["HALFORM_CONF_DIR"]) / "other").write_text(conf.read_text())
        r = hop(env, cwd, *args)
        assert_one_fatal(r)
        assert "Is the server running locally" in r.err, str(r)


# --------------------------------------------------------------------------
# 16. GIT_DIR and GIT_WORK_TREE


def status_json(env, cwd, extra_env=None) -> dict:
    e = dict(env, **(extra_env or {}))
    r = hop(e, cwd, "status", "--format=json")
    assert r.code == 0, str(r)
    return json.loads(r.out)


def git_view(env, cwd, extra_env) -> dict:
    """What git itself says with `extra_env`: branch, HEAD, changed files."""
    e = dict(env, **extra_env)
    branch = run(e, "git", "symbolic-ref", "--short", "-q", "HEAD", cwd=cwd).out.strip()
    head = run(e, "git", "rev-parse", "-q", "--verify", "HEAD", cwd=cwd).out.strip()
    porcelain = run(e, "git", "status", "--porcelain", "--untracked-files=all",
                    cwd=cwd, check=True).out.splitlines()
    top = run(e, "git", "rev-parse", "--show-toplevel", cwd=cwd).out.strip()
    return {"branch": branch, "head": head, "changes": len(porcelain), "top": top}


def test_09_16_git_dir_decides_the_work_tree_and_the_project(env, workdir, db, new_dbname, pg_cluster, tmp_path):
    alpha = new_project(env, workdir, db, "alpha")
    beta = new_project(env, workdir, new_dbname, "beta", "--create-database")
    try:
        git(env, beta, "checkout", "-q", "-b", "feature")
        write(beta, "NOTES.md", "beta's notes\n")

        # GIT_DIR and GIT_WORK_TREE name beta: the project is beta, wherever
        # we are.
        for cwd in (alpha, alpha / "model", tmp_path):
            extra = {"GIT_DIR": str(beta / ".git"), "GIT_WORK_TREE": str(beta)}
            s = status_json(env, cwd, extra)
            assert s["project"]["name"] == "beta", s
            assert s["project"]["path"] == str(beta), s
            assert s["database"]["name"] == new_dbname, s
            assert s["git"]["branch"] == "feature", s
            assert s["git"]["changes"] == git_view(env, cwd, extra)["changes"] == 1

        # Relative values, as git takes them (from the current directory).
        extra = {"GIT_DIR": "../beta/.git", "GIT_WORK_TREE": "../beta"}
        s = status_json(env, alpha, extra)
        assert (s["project"]["name"], s["git"]["branch"]) == ("beta", "feature"), s

        # GIT_DIR alone: git takes the current directory as the top of the
        # work tree; so does git-hop (alpha's files, beta's history).
        extra = {"GIT_DIR": str(beta / ".git")}
        view = git_view(env, alpha, extra)
        assert view["top"] == str(alpha)
        s = status_json(env, alpha, extra)
        assert s["project"]["name"] == "alpha", s
        assert s["project"]["path"] == str(alpha), s
        assert s["git"]["branch"] == view["branch"] == "feature", s
        assert s["git"]["head"] == view["head"], s
        assert s["git"]["changes"] == view["changes"], (s, view)
        # From a subdirectory of alpha, that subdirectory is git's work
        # tree: it holds no project.
        r = hop(dict(env, **extra), alpha / "model", "status")
        assert_one_fatal(r, "not a git-hop project")

        # A bare repository has no work tree.
        bare = tmp_path / "bare.git"
        run(env, "git", "clone", "-q", "--bare", beta, bare, cwd=tmp_path, check=0)
        r = hop(dict(env, GIT_DIR=str(bare)), alpha, "status")
        assert_one_fatal(r, "no work tree")

        # core.worktree: the repository of beta moved away from its files.
        moved = tmp_path / "beta-git"
        (beta / ".git").rename(moved)
        run(env, "git", "--git-dir", moved, "config", "core.worktree", str(beta), cwd=tmp_path, check=0)
        extra = {"GIT_DIR": str(moved)}
        assert git_view(env, tmp_path, extra)["top"] == str(beta)
        s = status_json(env, tmp_path, extra)
        assert (s["project"]["path"], s["git"]["branch"]) == (str(beta), "feature"), s
        assert s["git"]["changes"] == git_view(env, tmp_path, extra)["changes"], s
    finally:
        drop_derived(pg_cluster, new_dbname)


def test_09_16_git_dir_inside_a_hook_of_a_linked_work_tree(env, workdir, db, tmp_path):
    """git exports GIT_DIR (the linked work tree's) to hooks; a hook that
    runs 'git hop status' sees the work tree of the commit."""
    project = new_project(env, workdir, db)
    prepare(env, project)
    git(env, project, "checkout", "-q", "hop_main")
    wt = tmp_path / "wt"
    git(env, project, "worktree", "add", "-q", wt, "hop_0.0.1")
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    out = tmp_path / "status.json"
    (hooks / "post-commit").write_text(
        f"#!/bin/sh\ntest -n \"$GIT_DIR\" || exit 3\ngit hop status --format=json > {out}\n")
    (hooks / "post-commit").chmod(0o755)
    write(wt, "NOTES.md", "notes\n")
    git(env, wt, "add", "NOTES.md")
    write(wt, "UNTRACKED.md", "x\n")
    run(env, "git", "-c", f"core.hooksPath={hooks}", "commit", "-q", "--no-verify",
        "-m", "notes", cwd=wt, check=0)
    s = json.loads(out.read_text())
    assert s["project"]["path"] == str(wt), s
    assert s["git"]["branch"] == "hop_0.0.1", s
    assert s["git"]["head"] == git(env, wt, "rev-parse", "HEAD"), s
    assert s["git"]["changes"] == 1, s


# --------------------------------------------------------------------------
# 17. The identity and the configuration git would use


def identity(env, cwd, fmt: str, ref: str) -> str:
    return git(env, cwd, "log", "-1", f"--format={fmt}", ref)


def test_09_17_git_c_and_identity_variables_reach_commits_tags_and_notes(env, workdir, db, tmp_path):
    # No identity in any configuration file: 'git -c' gives it, with
    # characters that git must quote.
    home = Path(env["HOME"])
    (home / ".gitconfig").write_text("[user]\n\tuseConfigOnly = true\n")
    name = "O'Brien \"Bang!\" Test"
    r = hop(env, workdir, "-q", "new", PKG, "--devel", "--database", db)
    assert r.code == 128 and "identity" in r.err, str(r)
    r = run(env, "git", "-c", f"user.name={name}", "-c", "user.email=ob@example.invalid",
            "hop", "new", PKG, "--devel", "--database", db, cwd=workdir)
    assert r.code == 0, str(r)
    project = workdir / PKG
    assert identity(env, project, "%an|%ae|%cn|%ce", "HEAD") == \
        f"{name}|ob@example.invalid|{name}|ob@example.invalid"
    tagger = git(env, project, "for-each-ref", "--format=%(taggername)|%(taggeremail)",
                 "refs/tags/0.0.0")
    assert tagger == f"{name}|<ob@example.invalid>"
    assert identity(env, project, "%an|%cn", "refs/notes/hop") == f"{name}|{name}"

    # GIT_CONFIG_COUNT / GIT_CONFIG_KEY_n / GIT_CONFIG_VALUE_n.
    counted = dict(env, GIT_CONFIG_COUNT="2", GIT_CONFIG_KEY_0="user.name",
                   GIT_CONFIG_VALUE_0="Counted", GIT_CONFIG_KEY_1="user.email",
                   GIT_CONFIG_VALUE_1="counted@example.invalid")
    r = hop(counted, project, "prepare", "-l", "patch", "-m", "First")
    assert r.code == 0, str(r)
    assert identity(env, project, "%an|%ae|%cn", "HEAD") == "Counted|counted@example.invalid|Counted"

    # GIT_AUTHOR_* and GIT_COMMITTER_* (names, emails, dates), with the
    # configuration in a file as usual.
    (home / ".gitconfig").write_text(hoptest.GITCONFIG)
    write(project, "Patches/0/0/1/a.sql", TABLE_SQL)
    hop(env, project, "apply", check=0)
    git(env, project, "add", "-A")
    git(env, project, "commit", "-q", "--no-verify", "-m", "post")
    ids = dict(env,
               GIT_AUTHOR_NAME="Ann Author", GIT_AUTHOR_EMAIL="ann@example.invalid",
               GIT_AUTHOR_DATE="2001-02-03T04:05:06+01:00",
               GIT_COMMITTER_NAME="Carl Committer", GIT_COMMITTER_EMAIL="carl@example.invalid",
               GIT_COMMITTER_DATE="@1000000000 -0230")
    r = hop(ids, project, "release", timeout=120)
    assert r.code == 0, str(r)
    assert identity(env, project, "%an|%ae|%aI|%cn|%ce|%cI", "0.0.1") == (
        "Ann Author|ann@example.invalid|2001-02-03T04:05:06+01:00|"
        "Carl Committer|carl@example.invalid|2001-09-08T23:16:40-02:30")
    tagger = git(env, project, "for-each-ref",
                 "--format=%(taggername)|%(taggeremail)|%(taggerdate:iso-strict)",
                 "refs/tags/0.0.1")
    assert tagger == "Carl Committer|<carl@example.invalid>|2001-09-08T23:16:40-02:30"
    assert identity(env, project, "%an|%aI|%cn|%cI", "refs/notes/hop") == (
        "Ann Author|2001-02-03T04:05:06+01:00|Carl Committer|2001-09-08T23:16:40-02:30")


def test_09_17_git_c_core_hooks_path_is_where_hooks_install(env, workdir, db):
    project = new_project(env, workdir, db)
    r = run(env, "git", "-c", "core.hooksPath=.my-hooks", "hop", "hooks", "install", cwd=project)
    assert r.code == 0, str(r)
    assert (project / ".my-hooks" / "pre-commit").is_file()
    assert (project / ".my-hooks" / "pre-push").is_file()
    r = run(env, "git", "-c", "core.hooksPath=.my-hooks", "hop", "hooks", "status", cwd=project)
    assert f"pre-commit: installed  ({project / '.my-hooks' / 'pre-commit'})" in r.out, str(r)
    # GIT_CONFIG_PARAMETERS as git writes it, old style ('key=value') too.
    e = dict(env, GIT_CONFIG_PARAMETERS="'core.hookspath=.old-style'")
    r = hop(e, project, "hooks", "install")
    assert r.code == 0, str(r)
    assert (project / ".old-style" / "pre-commit").is_file()


# --------------------------------------------------------------------------
# 20. Signals


SLEEPER = """\
import os, subprocess, sys, time
grandchild = subprocess.Popen(["sleep", "300"], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
with open(os.environ["SLEEPER_PIDS"] + ".tmp", "w") as f:
    f.write(f"{os.getpid()} {grandchild.pid}\\n")
os.rename(os.environ["SLEEPER_PIDS"] + ".tmp", os.environ["SLEEPER_PIDS"])
time.sleep(float(os.environ.get("SLEEPER_SECONDS", "300")))
grandchild.kill()
"""


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def wait_until(predicate, what: str, timeout: float = 30) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


def stopped(pid: int) -> bool:
    with open(f"/proc/{pid}/stat") as f:
        return f.read().rsplit(")", 1)[1].split()[0] in ("T", "t")


class Running:
    """git-hop started in the background (the executable itself, so that
    signals reach it and not git)."""

    def __init__(self, env, cwd, *args, trace: Path, stop_at: str = "", via_git=False):
        e = dict(env, GIT_HOP_TRACE=str(trace))
        if stop_at:
            e["GIT_HOP_TRACE_STOP"] = stop_at
        self.trace = trace
        argv = ["git", "hop", *args] if via_git else ["git-hop", *args]
        self.proc = subprocess.Popen(
            argv, cwd=cwd, env=e, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True, start_new_session=True)

    def traced(self, text: str) -> bool:
        if self.proc.poll() is not None:
            out, err = self.proc.communicate()
            raise AssertionError(f"git-hop ended ({self.proc.returncode}) before '{text}'\n{err}")
        try:
            return text in self.trace.read_text()
        except FileNotFoundError:
            return False

    def wait_trace(self, text: str) -> None:
        wait_until(lambda: self.traced(text), f"trace '{text}'")

    def wait_stopped(self) -> None:
        wait_until(lambda: self.proc.poll() is None and stopped(self.proc.pid), "SIGSTOP")

    def kill(self, sig: int) -> None:
        os.kill(self.proc.pid, sig)
        if sig != signal.SIGKILL:
            os.kill(self.proc.pid, signal.SIGCONT)

    def finish(self, timeout: float = 30):
        out, err = self.proc.communicate(timeout=timeout)
        return self.proc.returncode, out, err


def leftovers(tmpdir: Path, root: Path) -> list:
    found = [p.name for p in tmpdir.iterdir() if p.name.startswith("git-hop-")]
    found += [str(p.relative_to(root)) for p in root.rglob("*")
              if ".hop-tmp" in p.name or ".hop-new-" in p.name]
    return sorted(found)


@pytest.fixture
def sig_env(env, tmp_path):
    tmpdir = tmp_path / "tmpdir"
    tmpdir.mkdir()
    return dict(env, TMPDIR=str(tmpdir))


def sleeper_project(env, workdir: Path, db: str, tmp_path: Path, secret: str) -> Path:
    project = new_project(env, workdir, db)
    (tmp_path / "sleeper.py").write_text(SLEEPER)
    config = project / ".hop" / "config"
    text, n = re.subn(r"^# command = .*$",
                      f'command = ["{sys.executable}", "{tmp_path / "sleeper.py"}"]',
                      config.read_text(), flags=re.M)
    assert n == 1
    config.write_text(text)
    git(env, project, "commit", "-q", "--no-verify", "-am", "sleeper")
    conf = Path(env["HALFORM_CONF_DIR"]) / PKG
    conf.write_text(f"[database]\nname = {db}\npassword = {secret}\n")
    return project


def read_pids(path: Path) -> list:
    wait_until(path.exists, f"{path}")
    return [int(x) for x in path.read_text().split()]


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_09_20_signal_during_test_kills_the_children_and_cleans_up(sig, sig_env, workdir, db, tmp_path):
    secret = "pw-" + secrets.token_hex(8)
    project = sleeper_project(sig_env, workdir, db, tmp_path, secret)
    tmpdir = Path(sig_env["TMPDIR"])
    pids = tmp_path / "pids"
    env = dict(sig_env, SLEEPER_PIDS=str(pids))
    p = Running(env, project, "test", trace=tmp_path / "trace")
    p.wait_trace(f"run: {sys.executable}")
    child, grandchild = read_pids(pids)
    scratch = [x for x in tmpdir.iterdir() if x.name.startswith("git-hop-test.")]
    assert len(scratch) == 1
    assert secret in (scratch[0] / PKG).read_text()
    p.kill(sig)
    code, out, err = p.finish()
    assert code == -sig, err
    wait_until(lambda: not alive(child) and not alive(grandchild), "the children to die", 10)
    assert leftovers(tmpdir, project) == []


def test_09_20_sigint_to_git_hop_through_git_like_ctrl_c(sig_env, workdir, db, tmp_path):
    """Ctrl-C in a terminal: SIGINT to the foreground process group (git and
    git-hop); the children, in their own group, are git-hop's to stop."""
    project = sleeper_project(sig_env, workdir, db, tmp_path, "x")
    tmpdir = Path(sig_env["TMPDIR"])
    pids = tmp_path / "pids"
    env = dict(sig_env, SLEEPER_PIDS=str(pids))
    p = Running(env, project, "test", trace=tmp_path / "trace", via_git=True)
    p.wait_trace(f"run: {sys.executable}")
    child, grandchild = read_pids(pids)
    os.killpg(p.proc.pid, signal.SIGINT)
    code, out, err = p.finish()
    assert code in (-signal.SIGINT, 128 + signal.SIGINT), (code, err)
    wait_until(lambda: not alive(child) and not alive(grandchild), "the children to die", 10)
    assert leftovers(tmpdir, project) == []


def test_09_20_sigkill_leaves_no_child_and_the_next_run_sweeps(sig_env, workdir, db, tmp_path, pg_cluster):
    project = sleeper_project(sig_env, workdir, db, tmp_path, "x")
    tmpdir = Path(sig_env["TMPDIR"])
    # A: a live git-hop whose files must be left alone. Another project on
    # another database (one git-hop at a time per database), sharing TMPDIR.
    a_env = dict(sig_env, HALFORM_CONF_DIR=str(tmp_path / "conf-a"))
    (tmp_path / "conf-a").mkdir()
    (tmp_path / "work-a").mkdir()
    a_db = "t_a_" + secrets.token_hex(6)
    sql(pg_cluster, "postgres", f'create database "{a_db}"')
    a_project = sleeper_project(a_env, tmp_path / "work-a", a_db, tmp_path, "x")
    try:
        run_sweep_test(sig_env, a_env, project, a_project, tmpdir, tmp_path)
    finally:
        drop_derived(pg_cluster, a_db)
        sql(pg_cluster, "postgres", f'drop database if exists "{a_db}"')


def run_sweep_test(sig_env, a_env, project, a_project, tmpdir, tmp_path):
    a = Running(dict(a_env, SLEEPER_PIDS=str(tmp_path / "a")), a_project, "test",
                trace=tmp_path / "trace-a")
    a_child, _ = read_pids(tmp_path / "a")
    a_dirs = {x.name for x in tmpdir.iterdir()}
    assert len(a_dirs) == 1
    # B: killed with SIGKILL; its child dies with it, its files stay.
    b = Running(dict(sig_env, SLEEPER_PIDS=str(tmp_path / "b")), project, "test",
                trace=tmp_path / "trace-b")
    b_child, _ = read_pids(tmp_path / "b")
    b.kill(signal.SIGKILL)
    assert b.finish()[0] == -signal.SIGKILL
    wait_until(lambda: not alive(b_child), "B's child to die", 10)
    b_dirs = {x.name for x in tmpdir.iterdir()} - a_dirs
    assert len(b_dirs) == 1 and next(iter(b_dirs)).startswith("git-hop-test."), b_dirs
    # The next run removes B's, not A's.
    r = hop(dict(sig_env, SLEEPER_PIDS=str(tmp_path / "c"), SLEEPER_SECONDS="0"), project, "test")
    assert r.code == 0, str(r)
    assert {x.name for x in tmpdir.iterdir()} == a_dirs
    assert alive(a_child)
    a.kill(signal.SIGTERM)
    assert a.finish()[0] == -signal.SIGTERM
    assert leftovers(tmpdir, project) == []


def test_09_20_signal_during_a_python_script(sig_env, workdir, db, tmp_path, pg_cluster):
    project = new_project(sig_env, workdir, db)
    prepare(sig_env, project)
    write(project, "Patches/0/0/1/10_sleep.py", SLEEPER)
    tmpdir = Path(sig_env["TMPDIR"])
    pids = tmp_path / "pids"
    before = db_oid(pg_cluster, db)
    p = Running(dict(sig_env, SLEEPER_PIDS=str(pids)), project, "apply", trace=tmp_path / "trace")
    child, grandchild = read_pids(pids)
    assert [x.name.split(".")[0] for x in tmpdir.iterdir()] == ["git-hop-conf"]
    p.kill(signal.SIGTERM)
    assert p.finish()[0] == -signal.SIGTERM
    wait_until(lambda: not alive(child) and not alive(grandchild), "the script to die", 10)
    assert leftovers(tmpdir, project) == []
    assert db_oid(pg_cluster, db) == before

    # SIGKILL: the script dies too; the next run sweeps the connection file.
    pids.unlink()
    p = Running(dict(sig_env, SLEEPER_PIDS=str(pids)), project, "apply", trace=tmp_path / "trace2")
    child, grandchild = read_pids(pids)
    p.kill(signal.SIGKILL)
    p.finish()
    wait_until(lambda: not alive(child), "the script to die", 10)
    os.kill(grandchild, signal.SIGKILL)  # its own child: nobody's to kill
    assert [x.name.split(".")[0] for x in tmpdir.iterdir()] == ["git-hop-conf"]
    pids.unlink()
    r = hop(dict(sig_env, SLEEPER_PIDS=str(pids), SLEEPER_SECONDS="0"), project, "apply")
    assert r.code == 0, str(r)
    assert leftovers(tmpdir, project) == []


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL])
def test_09_20_signal_during_new_leaves_no_staging_folder(sig, sig_env, workdir, db, tmp_path):
    p = Running(sig_env, workdir, "new", PKG, "--devel", "--database", db,
                trace=tmp_path / "trace", stop_at="git: init")
    p.wait_stopped()
    staging = [x.name for x in workdir.iterdir()]
    assert len(staging) == 1 and staging[0].startswith(f".{PKG}.hop-new-"), staging
    p.kill(sig)
    assert p.finish()[0] == -sig
    if sig == signal.SIGKILL:
        assert [x.name for x in workdir.iterdir()] == staging
        r = hop(sig_env, workdir, "new", PKG, "--devel", "--database", db)
        assert r.code == 0, str(r)
        assert [x.name for x in workdir.iterdir()] == [PKG]
    else:
        assert list(workdir.iterdir()) == []


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL])
def test_09_20_signal_while_writing_a_module_leaves_no_temporary_file(sig, sig_env, workdir, db, tmp_path, pg_cluster):
    project = new_project(sig_env, workdir, db)
    sql(pg_cluster, db, TABLE_SQL)
    module = project / PKG / "public" / "post.py"
    p = Running(sig_env, project, "sync-package", trace=tmp_path / "trace",
                stop_at=f"write: {module}")
    p.wait_stopped()
    tmp = [x.name for x in module.parent.iterdir() if ".hop-tmp" in x.name]
    assert len(tmp) == 1 and tmp[0].startswith("post.py.hop-tmp-"), tmp
    p.kill(sig)
    assert p.finish()[0] == -sig
    if sig == signal.SIGKILL:
        assert [x.name for x in module.parent.iterdir() if ".hop-tmp" in x.name] == tmp
        r = hop(sig_env, project, "sync-package")
        assert r.code == 0, str(r)
        assert module.is_file()
    assert leftovers(Path(sig_env["TMPDIR"]), project) == []


# --------------------------------------------------------------------------
# 21. A fresh \restrict key for every load


def test_09_21_baseline_cannot_unrestrict_meta_commands(env, workdir, db, tmp_path):
    project = new_project(env, workdir, db)
    schema = project / "model" / "schema-0.0.0.sql"
    text = schema.read_text()
    # The committed files keep the fixed key: the same database gives the
    # same bytes.
    assert re.findall(r"^\\(?:un)?restrict (.*)$", text, flags=re.M) == ["githop", "githop"]
    # A hostile baseline: a line '\unrestrict githop', then a meta-command.
    pwned = tmp_path / "pwned"
    hostile = text.replace(
        "\\restrict githop\n",
        f"\\restrict githop\n\\unrestrict githop\n\\! touch {pwned}\n\\restrict githop\n", 1)
    assert hostile != text
    schema.write_text(hostile)
    # As a hostile repository would have it: the tag and its note agree with
    # the file.
    note = git(env, project, "notes", "--ref=hop", "show", "0.0.0^{}")
    digest = hashlib.sha256(hostile.encode()).hexdigest()
    note = re.sub(r'^schema_sha256 = ".*"$', f'schema_sha256 = "{digest}"', note,
                  flags=re.M)
    git(env, project, "commit", "-q", "--no-verify", "-am", "hostile baseline")
    git(env, project, "tag", "-f", "-a", "0.0.0", "-m", "0.0.0")
    git(env, project, "notes", "--ref=hop", "add", "-m", note, "HEAD")
    prepare(env, project)
    write(project, "Patches/0/0/1/a.sql", TABLE_SQL)
    r = hop(env, project, "apply")
    assert_one_fatal(r, "cannot load the baseline of release 0.0.0")
    assert "\\unrestrict: wrong key" in r.err, str(r)
    assert not pwned.exists()


# --------------------------------------------------------------------------
# 22. The connection-file examples


def ini_examples() -> list:
    """Every connection-file example ([database] ...) of README.md, the
    README of new projects and the man pages: (where, text)."""
    found = []
    for path in [REPO_ROOT / "README.md", REPO_ROOT / "templates/project/README.md",
                 *sorted((REPO_ROOT / "man").glob("*.scd"))]:
        for block in re.findall(r"^```[a-z]*\n(.*?)^```", path.read_text(), flags=re.M | re.S):
            if block.lstrip().startswith("[database]"):
                found.append((path.name, block))
    return found


def test_09_22_connection_file_examples_read_as_half_orm_reads_them(env, workdir, db):
    examples = ini_examples()
    assert any(where == "README.md" for where, _ in examples)
    project = new_project(env, workdir, db)
    conf = Path(env["HALFORM_CONF_DIR"]) / PKG
    for where, text in examples:
        parser = configparser.ConfigParser()  # as half_orm reads it
        parser.read_string(text)
        values = dict(parser["database"])
        for key, value in values.items():
            assert not re.search(r"[;#]", value), f"{where}: {key} = {value!r}"
        conf.write_text(text)
        # Without a network: the example's hosts are never contacted.
        unshare = ["unshare", "-n"] if os.geteuid() == 0 else ["unshare", "-rn"]
        r = run(env, *unshare, "git", "hop", "status", "--format=json", cwd=project)
        assert r.out, str(r)
        s = json.loads(r.out)["database"]
        assert s["name"] == values["name"], (where, s)
        for key in ("user", "host", "port"):
            if key in values:
                assert s[key] == values[key], (where, key, s)
        assert s["production"] == parser["database"].getboolean("production", False)
