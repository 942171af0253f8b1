"""End-to-end tests of git-hop's git hooks (design §7): real `git commit`
and `git push` calls go through the pre-commit and pre-push hooks that
`git hop new` / `git hop hooks install` put in place.

- pre-commit on a release branch checks the release as staged (scripts
  apply, the staged package is the generated one) and refuses commits on
  hop_main in a devel project;
- pre-push checks release branches (apply + tests), hop_main and release
  tags (the note in refs/notes/hop);
- --no-verify, [hooks] in .hop/config and GIT_HOP_HOOKS=0 turn them off;
- `git hop hooks install/uninstall/status/run`, chaining to the user's own
  hooks (<hook>.pre-hop), core.hooksPath and linked work trees.

The generated package's test stubs run with the real half_orm (HOP_HALF_ORM,
design §12); the project tests below are plain psycopg2 tests in
<project>/tests/ (git-hop sets libpq's environment for the test database).
"""

from __future__ import annotations

import stat
import time
from pathlib import Path

import pytest

import hoptest
from hoptest import git, hop, run, sql

HOOK_TIMEOUT = 60  # seconds, for each command that runs a hook

TABLE_SQL = "create table public.post (id serial primary key, title text not null);\n"
BROKEN_SQL = "create tabel broken (id int);\n"  # error at 1:8

PASSING_TEST = """\
import psycopg2


def test_post_table_is_empty():
    with psycopg2.connect("") as conn, conn.cursor() as cur:
        cur.execute("select count(*) from public.post")
        assert cur.fetchone()[0] == 0
"""

FAILING_TEST = """\
import psycopg2


def test_post_table_has_rows():
    with psycopg2.connect("") as conn, conn.cursor() as cur:
        cur.execute("select count(*) from public.post")
        assert cur.fetchone()[0] == 42
"""


# --------------------------------------------------------------------------
# Fixtures and helpers


@pytest.fixture
def db(dbname, pg_cluster):
    """`dbname`, and at teardown every helper database git-hop derived from
    it (<db>__hop_X.Y.Z templates, __hop_apply, __hop_test, __hop_check)."""
    yield dbname
    prefix = dbname + "__hop"
    rows = sql(
        pg_cluster,
        "postgres",
        "select datname from pg_database where left(datname, %s) = %s",
        (len(prefix), prefix),
    )
    for (name,) in rows:
        hoptest.drop_database(pg_cluster, name)


def new_project(env, workdir: Path, db: str, *, devel: bool = True) -> Path:
    args = ["new", "blog", "--database", db] + (["--devel"] if devel else [])
    hop(env, workdir, *args, check=0)
    return workdir / "blog"


def write(project: Path, path: str, text: str) -> Path:
    file = project / path
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_text(text)
    return file


def commit(env, cwd: Path, message: str, *args: str) -> hoptest.Result:
    """`git add -A && git commit -m message [args]` (the hook's outcome is
    the result's exit code)."""
    git(env, cwd, "add", "-A")
    return run(env, "git", "commit", "-m", message, *args, cwd=cwd, timeout=HOOK_TIMEOUT)


def push(env, cwd: Path, *args: str) -> hoptest.Result:
    return run(env, "git", "push", *args, cwd=cwd, timeout=HOOK_TIMEOUT)


def head(env, cwd: Path) -> str:
    return git(env, cwd, "rev-parse", "HEAD")


def prepare(env, project: Path) -> None:
    hop(env, project, "prepare", "-l", "patch", "-m", "Add the post table", check=0)
    assert git(env, project, "branch", "--show-current") == "hop_0.0.1"


def release_branch(env, project: Path) -> None:
    """prepare 0.0.1, write a script, apply, commit (through the hook)."""
    prepare(env, project)
    write(project, "Patches/0/0/1/a.sql", TABLE_SQL)
    hop(env, project, "apply", check=0)
    r = commit(env, project, "Add the post table")
    assert r.code == 0, r
    assert "pre-commit: checking 0.0.1 as staged" in r.err


def add_remote(env, project: Path, tmp_path: Path, name: str = "origin") -> Path:
    bare = tmp_path / f"{name}.git"
    run(env, "git", "init", "-q", "--bare", bare, cwd=tmp_path, check=0)
    git(env, project, "remote", "add", name, bare)
    return bare


def remote_refs(env, project: Path, remote: str = "origin") -> dict:
    out = git(env, project, "ls-remote", remote)
    refs = {}
    for line in out.splitlines():
        sha, ref = line.split("\t")
        refs[ref] = sha
    return refs


def hooks_status(env, project: Path) -> dict:
    """`git hop hooks status` as {hook: state}."""
    r = hop(env, project, "hooks", "status", check=0)
    assert r.err == ""
    result = {}
    for line in r.out.splitlines():
        name, rest = line.split(": ", 1)
        state, path = rest.rsplit("  (", 1)
        result[name] = (state, path.rstrip(")"))
    return result


def set_hooks_config(project: Path, **values: bool) -> None:
    config = project / ".hop" / "config"
    text = config.read_text()
    for key, value in values.items():
        old = f"{key} = true"
        assert old in text, text
        text = text.replace(old, f"{key} = {'true' if value else 'false'}")
    config.write_text(text)


def write_hook(path: Path, text: str) -> None:
    path.write_text(text)
    path.chmod(0o755)


def is_executable(path: Path) -> bool:
    return bool(path.stat().st_mode & stat.S_IXUSR)


# --------------------------------------------------------------------------
# `git hop hooks` on the command line


def test_hooks_command_line(env, workdir, tmp_path):
    # Outside a git-hop project, run checks nothing.
    outside = tmp_path / "outside"
    outside.mkdir()
    r = hop(env, outside, "hooks", "run", "pre-commit", check=0)
    assert r.out == r.err == ""
    git(env, outside, "init", "-q")
    hop(env, outside, "hooks", "run", "pre-commit", check=0)
    hop(env, outside, "hooks", "run", "pre-push", "origin", "/nowhere", input="", check=0)

    r = hop(env, outside, "hooks", "run", "nonsense", check=129)
    assert "unknown hook 'nonsense'" in r.err
    r = hop(env, outside, "hooks", check=129)
    assert "missing subcommand" in r.err
    assert "usage: git hop hooks install" in r.err
    r = hop(env, outside, "hooks", "run", check=129)
    assert "missing <hook>" in r.err
    r = hop(env, outside, "hooks", "frobnicate", check=129)
    assert "unknown subcommand 'frobnicate'" in r.err
    r = hop(env, outside, "hooks", "-h", check=0)
    assert "usage: git hop hooks install [--force]" in r.out
    assert "git hop hooks run <hook>" in r.out

    # install/uninstall/status need a project.
    r = hop(env, outside, "hooks", "status", check=128)
    assert "not a git-hop project" in r.err


# --------------------------------------------------------------------------
# pre-commit


def test_pre_commit_checks_the_staged_release(env, workdir, db, pg_cluster):
    project = new_project(env, workdir, db)
    assert hooks_status(env, project) == {
        "pre-commit": ("installed", str(project / ".git" / "hooks" / "pre-commit")),
        "pre-push": ("installed", str(project / ".git" / "hooks" / "pre-push")),
    }

    # A good patch, applied and staged with its package: committed.
    release_branch(env, project)
    committed = head(env, project)
    assert git(env, project, "status", "--porcelain") == ""
    assert "Patches/0/0/1/a.sql" in git(env, project, "show", "--name-only", "HEAD")

    # A broken script: refused with its file, line and column.
    write(project, "Patches/0/0/1/b.sql", BROKEN_SQL)
    r = commit(env, project, "broken")
    assert r.code != 0, r
    assert "pre-commit: checking 0.0.1 as staged" in r.err
    assert "0.0.1 does not apply as staged" in r.err
    assert "Patches/0/0/1/b.sql:1:8" in r.err
    assert 'syntax error at or near "tabel"' in r.err
    assert head(env, project) == committed

    # The script as staged counts, not the work tree: a fixed but unstaged
    # script is still refused.
    write(project, "Patches/0/0/1/b.sql", "create table public.comment (id int);\n")
    r = run(env, "git", "commit", "-m", "still broken", cwd=project, timeout=HOOK_TIMEOUT)
    assert r.code != 0, r
    assert "Patches/0/0/1/b.sql:1:8" in r.err
    assert head(env, project) == committed

    # The fixed script staged without 'git hop apply': the staged package
    # is stale, and the hook names the files.
    r = commit(env, project, "stale package")
    assert r.code != 0, r
    assert "the staged package 'blog' is not the one 0.0.1 generates" in r.err
    assert "blog/public/comment.py: is missing" in r.err
    assert "blog/public/__init__.py: differs from what git-hop generates" in r.err
    assert "git hop apply" in r.err
    assert head(env, project) == committed

    # After apply, the commit goes through.
    hop(env, project, "apply", check=0)
    r = commit(env, project, "comment table")
    assert r.code == 0, r
    assert head(env, project) != committed
    assert git(env, project, "status", "--porcelain") == ""

    # 'git commit <path>' and 'git commit -a' commit through a temporary
    # index (GIT_INDEX_FILE): the hook checks what would be committed.
    committed = head(env, project)
    write(project, "Patches/0/0/1/b.sql", BROKEN_SQL)
    r = run(env, "git", "commit", "-m", "x", "Patches/0/0/1/b.sql", cwd=project,
            timeout=HOOK_TIMEOUT)
    assert r.code != 0, r
    assert "Patches/0/0/1/b.sql:1:8" in r.err
    r = run(env, "git", "commit", "-a", "-m", "x", cwd=project, timeout=HOOK_TIMEOUT)
    assert r.code != 0, r
    assert "Patches/0/0/1/b.sql:1:8" in r.err
    assert head(env, project) == committed
    git(env, project, "checkout", "--", "Patches/0/0/1/b.sql")

    # A staged package edited by hand is refused too.
    init = project / "blog" / "public" / "post.py"
    init.write_text(init.read_text().replace("class Post", "class Poste", 1))
    before = head(env, project)
    r = commit(env, project, "hand edit")
    assert r.code != 0, r
    assert "blog/public/post.py: differs from what git-hop generates" in r.err
    assert head(env, project) == before

    # No scratch database is left behind.
    assert not hoptest.db_exists(pg_cluster, db + "__hop_check")


def test_pre_commit_without_release_files_builds_nothing(env, workdir, db, pg_cluster):
    project = new_project(env, workdir, db)
    prepare(env, project)
    write(project, "README.md", "# blog\n\nNotes.\n")
    write(project, "tests/test_nothing.py", "def test_nothing():\n    pass\n")
    start = time.monotonic()
    r = commit(env, project, "docs and tests")
    elapsed = time.monotonic() - start
    assert r.code == 0, r
    assert "checking" not in r.err
    assert "+ " not in r.err  # no script ran
    assert not hoptest.db_exists(pg_cluster, db + "__hop_check")
    # The template of 0.0.0 has not been built either.
    assert not hoptest.db_exists(pg_cluster, db + "__hop_0.0.0")
    assert elapsed < 10, elapsed


def test_commit_on_hop_main_is_refused_in_a_devel_project(env, workdir, db):
    project = new_project(env, workdir, db)
    before = head(env, project)
    write(project, "README.md", "changed\n")
    r = commit(env, project, "on hop_main")
    assert r.code != 0, r
    assert "pre-commit: commits on hop_main are made by 'git hop release'" in r.err
    assert "hint: To commit here anyway: git commit --no-verify" in r.err
    assert head(env, project) == before

    # --no-verify skips the hook.
    r = commit(env, project, "on hop_main anyway", "--no-verify")
    assert r.code == 0, r
    assert head(env, project) != before


def test_commit_on_hop_main_is_allowed_in_a_sync_only_project(env, workdir, db):
    project = new_project(env, workdir, db, devel=False)
    assert hooks_status(env, project)["pre-commit"][0] == "installed"
    assert git(env, project, "branch", "--show-current") == "hop_main"
    before = head(env, project)
    write(project, "README.md", "changed\n")
    r = commit(env, project, "on hop_main")
    assert r.code == 0, r
    assert r.err == ""
    assert head(env, project) != before


def test_database_unreachable_during_pre_commit(env, workdir, db, tmp_path):
    project = new_project(env, workdir, db)
    prepare(env, project)
    empty = tmp_path / "no-server"
    empty.mkdir()
    conf = Path(env["HALFORM_CONF_DIR"]) / "blog"
    conf.write_text(
        f"[database]\nname = {db}\nhost = {empty}\nproduction = False\n"
    )
    write(project, "Patches/0/0/1/a.sql", TABLE_SQL)
    before = head(env, project)
    start = time.monotonic()
    r = commit(env, project, "no database")
    elapsed = time.monotonic() - start
    assert r.code == 1, r
    assert elapsed < 30, elapsed
    assert "cannot connect" in r.err
    assert f"database '{db}'" in r.err
    assert str(empty) in r.err  # names the connection
    assert head(env, project) == before

    # The same for pre-push of the release branch.
    add_remote(env, project, tmp_path)
    start = time.monotonic()
    r = push(env, project, "origin", "hop_0.0.1")
    elapsed = time.monotonic() - start
    assert r.code != 0, r
    assert elapsed < 30, elapsed
    assert "error: pre-push: refs/heads/hop_0.0.1: " in r.err
    assert "cannot connect" in r.err
    assert str(empty) in r.err
    assert remote_refs(env, project) == {}


# --------------------------------------------------------------------------
# pre-push


def test_pre_push_runs_the_tests_of_a_release_branch(env, workdir, db, tmp_path, pg_cluster):
    project = new_project(env, workdir, db)
    add_remote(env, project, tmp_path)
    release_branch(env, project)

    write(project, "tests/test_post.py", FAILING_TEST)
    r = commit(env, project, "a failing test")
    assert r.code == 0, r
    assert "checking" not in r.err  # tests/ is not part of the release

    r = push(env, project, "origin", "hop_0.0.1")
    assert r.code != 0, r
    assert "pre-push: checking hop_0.0.1" in r.err
    # The failing test and the stub of the release's relation.
    assert "error: pre-push: refs/heads/hop_0.0.1: its tests fail (1 passed, 1 failed" in r.err
    assert "git push --no-verify" in r.err
    assert "refs/heads/hop_0.0.1" not in remote_refs(env, project)

    write(project, "tests/test_post.py", PASSING_TEST)
    r = commit(env, project, "a passing test")
    assert r.code == 0, r
    r = push(env, project, "origin", "hop_0.0.1")
    assert r.code == 0, r
    assert "pre-push: checking hop_0.0.1" in r.err
    assert remote_refs(env, project)["refs/heads/hop_0.0.1"] == head(env, project)
    assert not hoptest.db_exists(pg_cluster, db + "__hop_check")

    # A release branch that is not checked out: applied, tests not run.
    git(env, project, "checkout", "-q", "hop_main")
    r = push(env, project, "origin", "hop_0.0.1:refs/heads/copy")
    assert r.code == 0, r
    assert "warning: pre-push: hop_0.0.1 is not checked out: its tests were not run" in r.err
    # Deleting a remote branch checks nothing.
    r = push(env, project, "origin", ":refs/heads/copy")
    assert r.code == 0, r
    assert "checking" not in r.err
    git(env, project, "checkout", "-q", "hop_0.0.1")

    # A branch whose committed scripts do not apply is refused too.
    write(project, "Patches/0/0/1/b.sql", BROKEN_SQL)
    r = commit(env, project, "broken", "--no-verify")
    assert r.code == 0, r
    r = push(env, project, "origin", "hop_0.0.1")
    assert r.code != 0, r
    assert "refs/heads/hop_0.0.1: does not apply" in r.err
    assert "Patches/0/0/1/b.sql:1:8" in r.err
    assert remote_refs(env, project)["refs/heads/hop_0.0.1"] != head(env, project)


def test_pre_push_of_a_fresh_devel_project(env, workdir, db, tmp_path):
    """The first push of a new project: hop_main and its tag 0.0.0 (made by
    'git hop new', which writes no note)."""
    project = new_project(env, workdir, db)
    add_remote(env, project, tmp_path)
    r = push(env, project, "--follow-tags", "origin", "hop_main")
    assert r.code == 0, r
    refs = remote_refs(env, project)
    assert refs["refs/heads/hop_main"] == head(env, project)
    assert "refs/tags/0.0.0" in refs


def test_pre_push_of_a_release_and_its_tag(env, workdir, db, tmp_path):
    project = new_project(env, workdir, db)
    add_remote(env, project, tmp_path)
    release_branch(env, project)
    write(project, "tests/test_post.py", PASSING_TEST)
    assert commit(env, project, "a passing test").code == 0

    # 'git hop release --push' pushes through the pre-push hook.
    r = hop(env, project, "release", "--push", check=0, timeout=HOOK_TIMEOUT)
    assert git(env, project, "branch", "--show-current") == "hop_main"
    released = head(env, project)
    assert git(env, project, "rev-parse", "0.0.1^{}") == released
    assert "version = '0.0.1'" in git(env, project, "notes", "--ref=hop", "show", "0.0.1^{}")
    refs = remote_refs(env, project)
    assert refs["refs/heads/hop_main"] == released
    assert "refs/tags/0.0.1" in refs
    assert "refs/notes/hop" in refs

    # By hand, with git push: the note is there, the refs go.
    add_remote(env, project, tmp_path, "backup")
    r = push(env, project, "backup", "hop_main", "0.0.1", "refs/notes/hop")
    assert r.code == 0, r
    refs = remote_refs(env, project, "backup")
    assert refs["refs/heads/hop_main"] == released
    assert "refs/tags/0.0.1" in refs
    assert "refs/notes/hop" in refs
    r = push(env, project, "--tags", "backup")  # 0.0.0, made by 'git hop new'
    assert r.code == 0, r
    assert "refs/tags/0.0.0" in remote_refs(env, project, "backup")

    # Without its note, the tag (and hop_main, which points at it) are
    # refused: each ref is named.
    git(env, project, "notes", "--ref=hop", "remove", "0.0.1^{}")
    add_remote(env, project, tmp_path, "mirror")
    r = push(env, project, "mirror", "0.0.1")
    assert r.code != 0, r
    assert "error: pre-push: refs/tags/0.0.1: release 0.0.1 has no note in refs/notes/hop" in r.err
    assert "refs/tags/0.0.1" not in remote_refs(env, project, "mirror")
    r = push(env, project, "mirror", "hop_main")
    assert r.code != 0, r
    assert "error: pre-push: refs/heads/hop_main: release 0.0.1 has no note" in r.err
    assert remote_refs(env, project, "mirror") == {}

    # A note that records failed tests is refused too.
    note = 'version = "0.0.1"\n\n[tests]\npassed = 0\nfailed = 2\n'
    git(env, project, "notes", "--ref=hop", "add", "-m", note, "0.0.1^{}")
    r = push(env, project, "mirror", "0.0.1")
    assert r.code != 0, r
    assert "refs/tags/0.0.1: the note of 0.0.1 records failed tests" in r.err

    # hop_main beyond its last release (a commit made with --no-verify).
    write(project, "README.md", "changed\n")
    assert commit(env, project, "on hop_main", "--no-verify").code == 0
    r = push(env, project, "origin", "hop_main")
    assert r.code != 0, r
    short = git(env, project, "rev-parse", "--short=7", "HEAD")
    assert f"refs/heads/hop_main: its tip {short} is not a release" in r.err
    assert remote_refs(env, project)["refs/heads/hop_main"] == released


# --------------------------------------------------------------------------
# Turning the hooks off


def broken_commit_and_push_setup(env, workdir, db, tmp_path) -> Path:
    """A release branch with a good commit, and a failing test committed."""
    project = new_project(env, workdir, db)
    add_remote(env, project, tmp_path)
    release_branch(env, project)
    write(project, "tests/test_post.py", FAILING_TEST)
    assert commit(env, project, "a failing test").code == 0
    return project


def test_no_verify_skips_both_hooks(env, workdir, db, tmp_path):
    project = broken_commit_and_push_setup(env, workdir, db, tmp_path)
    before = head(env, project)
    write(project, "Patches/0/0/1/b.sql", BROKEN_SQL)
    r = commit(env, project, "broken", "--no-verify")
    assert r.code == 0, r
    assert "checking" not in r.err
    assert head(env, project) != before

    r = push(env, project, "--no-verify", "origin", "hop_0.0.1")
    assert r.code == 0, r
    assert "checking" not in r.err
    assert remote_refs(env, project)["refs/heads/hop_0.0.1"] == head(env, project)


def test_config_turns_the_hooks_off(env, workdir, db, tmp_path):
    project = broken_commit_and_push_setup(env, workdir, db, tmp_path)

    set_hooks_config(project, pre_commit=False)
    assert commit(env, project, "turn off pre-commit").code == 0
    status = hooks_status(env, project)
    assert status["pre-commit"][0] == "installed, turned off in .hop/config"
    assert status["pre-push"][0] == "installed"

    before = head(env, project)
    write(project, "Patches/0/0/1/b.sql", BROKEN_SQL)
    r = commit(env, project, "broken")
    assert r.code == 0, r
    assert "checking" not in r.err
    assert head(env, project) != before

    # pre-push still checks: the branch does not apply and its test fails.
    r = push(env, project, "origin", "hop_0.0.1")
    assert r.code != 0, r
    assert "refs/heads/hop_0.0.1: does not apply" in r.err

    set_hooks_config(project, pre_push=False)
    assert commit(env, project, "turn off pre-push").code == 0
    assert hooks_status(env, project)["pre-push"][0] == "installed, turned off in .hop/config"
    r = push(env, project, "origin", "hop_0.0.1")
    assert r.code == 0, r
    assert "checking" not in r.err
    assert remote_refs(env, project)["refs/heads/hop_0.0.1"] == head(env, project)

    # On hop_main too: a devel project with pre_commit = false lets a
    # commit there go through.
    git(env, project, "checkout", "-q", "hop_main")
    set_hooks_config(project, pre_commit=False)
    r = commit(env, project, "turn off pre-commit on hop_main")
    assert r.code == 0, r


def test_git_hop_hooks_0_skips_them_for_one_command(env, workdir, db, tmp_path):
    project = broken_commit_and_push_setup(env, workdir, db, tmp_path)
    off = dict(env, GIT_HOP_HOOKS="0")

    # One command with GIT_HOP_HOOKS=0 ...
    write(project, "Patches/0/0/1/b.sql", BROKEN_SQL)
    git(env, project, "add", "-A")
    before = head(env, project)
    r = run(off, "git", "commit", "-m", "broken", cwd=project, timeout=HOOK_TIMEOUT)
    assert r.code == 0, r
    assert "checking" not in r.err
    assert head(env, project) != before
    r = push(off, project, "origin", "hop_0.0.1")
    assert r.code == 0, r
    assert remote_refs(env, project)["refs/heads/hop_0.0.1"] == head(env, project)

    # ... the next one without it is checked again.
    write(project, "Patches/0/0/1/c.sql", "select 1;\n")
    r = commit(env, project, "another")
    assert r.code != 0, r
    assert "Patches/0/0/1/b.sql:1:8" in r.err
    # Any other value keeps them on.
    r = run(dict(env, GIT_HOP_HOOKS="1"), "git", "commit", "-m", "x", cwd=project,
            timeout=HOOK_TIMEOUT)
    assert r.code != 0, r
    assert "Patches/0/0/1/b.sql:1:8" in r.err


# --------------------------------------------------------------------------
# install / uninstall / status: the user's own hooks


USER_HOOK = """\
#!/bin/sh
# the user's own pre-commit hook
echo "user hook ran" >> "{log}"
exit "${{USER_HOOK_EXIT:-0}}"
"""


def test_install_chains_to_the_users_hook(env, workdir, db, tmp_path):
    project = new_project(env, workdir, db)
    hooks = project / ".git" / "hooks"
    ours = (hooks / "pre-commit").read_bytes()

    r = hop(env, project, "hooks", "uninstall", check=0)
    assert r.out.splitlines() == ["pre-commit: removed", "pre-push: removed"]
    assert not (hooks / "pre-commit").exists()
    assert not (hooks / "pre-push").exists()
    status = hooks_status(env, project)
    assert status["pre-commit"][0] == "not installed"
    assert status["pre-push"][0] == "not installed"
    r = hop(env, project, "hooks", "uninstall", check=0)
    assert r.out.splitlines() == ["pre-commit: not installed", "pre-push: not installed"]

    # The user's hook, and git-hop's installed over it.
    log = tmp_path / "hook.log"
    write_hook(hooks / "pre-commit", USER_HOOK.format(log=log))
    user_bytes = (hooks / "pre-commit").read_bytes()
    r = hop(env, project, "hooks", "install", check=0)
    assert r.out.splitlines() == [
        "pre-commit: installed; your hook runs first (kept as pre-commit.pre-hop)",
        "pre-push: installed",
    ]
    assert (hooks / "pre-commit").read_bytes() == ours
    assert (hooks / "pre-commit.pre-hop").read_bytes() == user_bytes
    assert is_executable(hooks / "pre-commit") and is_executable(hooks / "pre-push")
    status = hooks_status(env, project)
    assert status["pre-commit"][0] == "installed, runs pre-commit.pre-hop first"
    assert status["pre-push"][0] == "installed"
    r = hop(env, project, "hooks", "install", check=0)
    assert r.out.splitlines() == ["pre-commit: up to date", "pre-push: up to date"]

    # Both run: the user's hook, then git-hop's (which refuses hop_main).
    before = head(env, project)
    write(project, "README.md", "changed\n")
    r = commit(env, project, "on hop_main")
    assert r.code != 0, r
    assert log.read_text() == "user hook ran\n"
    assert "commits on hop_main are made by 'git hop release'" in r.err

    # The user's hook fails: the commit stops before git-hop's checks.
    r = run(dict(env, USER_HOOK_EXIT="1"), "git", "commit", "-m", "x", cwd=project,
            timeout=HOOK_TIMEOUT)
    assert r.code != 0, r
    assert log.read_text() == "user hook ran\n" * 2
    assert "git hop release" not in r.err
    assert head(env, project) == before

    # GIT_HOP_HOOKS=0 turns off git-hop's checks, not the user's hook.
    r = run(dict(env, GIT_HOP_HOOKS="0"), "git", "commit", "-m", "x", cwd=project,
            timeout=HOOK_TIMEOUT)
    assert r.code == 0, r
    assert log.read_text() == "user hook ran\n" * 3

    # uninstall puts the user's hook back, byte for byte.
    r = hop(env, project, "hooks", "uninstall", check=0)
    assert r.out.splitlines() == [
        "pre-commit: removed; your hook is back",
        "pre-push: removed",
    ]
    assert (hooks / "pre-commit").read_bytes() == user_bytes
    assert is_executable(hooks / "pre-commit")
    assert not (hooks / "pre-commit.pre-hop").exists()
    assert not (hooks / "pre-push").exists()
    status = hooks_status(env, project)
    assert status["pre-commit"][0] == "another hook (not git-hop's)"
    assert status["pre-push"][0] == "not installed"
    r = hop(env, project, "hooks", "uninstall", check=0)
    assert r.out.splitlines() == [
        "pre-commit: left alone (not git-hop's)",
        "pre-push: not installed",
    ]
    assert (hooks / "pre-commit").read_bytes() == user_bytes
    write(project, "README.md", "changed again\n")
    r = commit(env, project, "y")  # only the user's hook now
    assert r.code == 0, r
    assert log.read_text() == "user hook ran\n" * 4


def test_install_chains_to_the_users_pre_push_hook(env, workdir, db, tmp_path):
    project = new_project(env, workdir, db)
    hooks = project / ".git" / "hooks"
    add_remote(env, project, tmp_path)
    hop(env, project, "hooks", "uninstall", check=0)
    seen = tmp_path / "pre-push.in"
    write_hook(
        hooks / "pre-push",
        f'#!/bin/sh\necho "$1 $2" > "{seen}"\ncat >> "{seen}"\n'
        'exit "${USER_HOOK_EXIT:-0}"\n',
    )
    r = hop(env, project, "hooks", "install", check=0)
    assert "pre-push: installed; your hook runs first (kept as pre-push.pre-hop)" in r.out

    # A failing user hook stops the push.
    r = run(dict(env, USER_HOOK_EXIT="1"), "git", "push", "origin", "hop_main",
            cwd=project, timeout=HOOK_TIMEOUT)
    assert r.code != 0, r
    assert remote_refs(env, project) == {}

    # The user's hook gets git's arguments and input, then git-hop's checks
    # run with the same input (hop_main is at 0.0.0).
    r = push(env, project, "origin", "hop_main")
    assert r.code == 0, r
    lines = seen.read_text().splitlines()
    sha = head(env, project)
    assert lines[0] == f"origin {tmp_path / 'origin.git'}"
    assert lines[1] == f"refs/heads/hop_main {sha} refs/heads/hop_main {'0' * 40}"
    assert remote_refs(env, project)["refs/heads/hop_main"] == sha

    # git-hop's check still sees the refs: an unreleased hop_main is refused.
    write(project, "README.md", "changed\n")
    assert commit(env, project, "x", "--no-verify").code == 0
    r = push(env, project, "origin", "hop_main")
    assert r.code != 0, r
    assert "refs/heads/hop_main: its tip" in r.err


def test_install_refuses_to_overwrite_an_existing_pre_hop(env, workdir, db):
    project = new_project(env, workdir, db)
    hooks = project / ".git" / "hooks"
    hop(env, project, "hooks", "uninstall", check=0)
    write_hook(hooks / "pre-commit", "#!/bin/sh\n# foreign\nexit 0\n")
    write_hook(hooks / "pre-commit.pre-hop", "#!/bin/sh\n# older\nexit 0\n")

    r = hop(env, project, "hooks", "install", check=128)
    assert "cannot install the pre-commit hook" in r.err
    assert "pre-commit.pre-hop' already exists" in r.err
    assert "git hop hooks install --force" in r.err
    # Nothing was changed, not even pre-push.
    assert (hooks / "pre-commit").read_text() == "#!/bin/sh\n# foreign\nexit 0\n"
    assert (hooks / "pre-commit.pre-hop").read_text() == "#!/bin/sh\n# older\nexit 0\n"
    assert not (hooks / "pre-push").exists()
    status = hooks_status(env, project)
    assert status["pre-commit"][0] == "another hook (not git-hop's), runs pre-commit.pre-hop first"

    r = hop(env, project, "hooks", "install", "--force", check=0)
    assert "pre-commit: installed; your hook runs first (kept as pre-commit.pre-hop)" in r.out
    assert (hooks / "pre-commit.pre-hop").read_text() == "#!/bin/sh\n# foreign\nexit 0\n"
    assert "git hop hooks run pre-commit" in (hooks / "pre-commit").read_text()
    status = hooks_status(env, project)
    assert status["pre-commit"][0] == "installed, runs pre-commit.pre-hop first"
    assert status["pre-push"][0] == "installed"


def test_install_updates_an_outdated_hook(env, workdir, db):
    project = new_project(env, workdir, db)
    hook = project / ".git" / "hooks" / "pre-push"
    ours = hook.read_bytes()
    write_hook(hook, "#!/bin/sh\n# an older git-hop\nexec git hop hooks run pre-push \"$@\"\n")
    status = hooks_status(env, project)
    assert status["pre-push"][0] == "installed (outdated: run 'git hop hooks install')"
    r = hop(env, project, "hooks", "install", check=0)
    assert r.out.splitlines() == ["pre-commit: up to date", "pre-push: updated"]
    assert hook.read_bytes() == ours
    assert is_executable(hook)


# --------------------------------------------------------------------------
# Where the hooks live: core.hooksPath, linked work trees


def test_install_respects_core_hooks_path(env, workdir, db):
    project = new_project(env, workdir, db)
    git(env, project, "config", "core.hooksPath", ".githooks")
    status = hooks_status(env, project)
    assert status["pre-commit"] == (
        "not installed", str(project / ".githooks" / "pre-commit"))

    r = hop(env, project, "hooks", "install", check=0)
    assert r.out.splitlines() == ["pre-commit: installed", "pre-push: installed"]
    assert is_executable(project / ".githooks" / "pre-commit")
    assert is_executable(project / ".githooks" / "pre-push")
    assert hooks_status(env, project)["pre-push"] == (
        "installed", str(project / ".githooks" / "pre-push"))

    # git runs them from there: hop_main is protected.
    write(project, "README.md", "changed\n")
    git(env, project, "add", "README.md")
    r = run(env, "git", "commit", "-m", "x", cwd=project, timeout=HOOK_TIMEOUT)
    assert r.code != 0, r
    assert "commits on hop_main are made by 'git hop release'" in r.err

    # The same from a subdirectory (the relative path is from the root).
    sub = project / "model"
    assert hooks_status(env, sub)["pre-commit"][1] == str(project / ".githooks" / "pre-commit")


def test_new_with_a_global_core_hooks_path(env, workdir, db):
    home = Path(env["HOME"])
    global_hooks = home / "githooks"
    with open(home / ".gitconfig", "a") as f:
        f.write(f"[core]\n\thooksPath = {global_hooks}\n")

    r = hop(env, workdir, "new", "blog", "--devel", "--database", db, check=0)
    assert "warning: core.hooksPath is set: git-hop's hooks were not installed" in r.err
    assert "git hop hooks install" in r.err
    project = workdir / "blog"
    assert not (project / ".git" / "hooks" / "pre-commit").exists()
    assert not (project / ".git" / "hooks" / "pre-push").exists()
    assert not global_hooks.exists()
    status = hooks_status(env, project)
    assert status["pre-commit"] == ("not installed", str(global_hooks / "pre-commit"))

    # No hook runs: a commit on hop_main goes through.
    write(project, "README.md", "changed\n")
    assert commit(env, project, "x").code == 0

    # As the hint says, 'git hop hooks install' installs them there (where
    # git runs them from, for every repository of the user).
    r = hop(env, project, "hooks", "install", check=0)
    assert r.out.splitlines() == ["pre-commit: installed", "pre-push: installed"]
    assert is_executable(global_hooks / "pre-commit")
    write(project, "README.md", "changed again\n")
    r = commit(env, project, "y")
    assert r.code != 0, r
    assert "commits on hop_main are made by 'git hop release'" in r.err
    # Elsewhere, outside a git-hop project, they let everything through.
    other = workdir / "other"
    other.mkdir()
    git(env, other, "init", "-q")
    write(other, "f", "f\n")
    r = commit(env, other, "f")
    assert r.code == 0, r
    assert r.err == ""


def test_hooks_in_a_linked_work_tree(env, workdir, db, tmp_path):
    project = new_project(env, workdir, db)
    release_branch(env, project)
    git(env, project, "checkout", "-q", "hop_main")
    wt = workdir / "wt"
    git(env, project, "worktree", "add", "-q", wt, "hop_0.0.1")
    status = hooks_status(env, wt)
    assert status["pre-commit"] == ("installed", str(project / ".git" / "hooks" / "pre-commit"))

    # A broken script staged in the linked work tree is refused.
    before = head(env, wt)
    write(wt, "Patches/0/0/1/b.sql", BROKEN_SQL)
    r = commit(env, wt, "broken")
    assert r.code != 0, r
    assert "pre-commit: checking 0.0.1 as staged" in r.err
    assert "Patches/0/0/1/b.sql:1:8" in r.err
    assert head(env, wt) == before

    # Stale package, then apply in the work tree: committed.
    write(wt, "Patches/0/0/1/b.sql", "create table public.comment (id int);\n")
    r = commit(env, wt, "stale")
    assert r.code != 0, r
    assert "blog/public/comment.py: is missing" in r.err
    hop(env, wt, "apply", check=0)
    r = commit(env, wt, "comment table")
    assert r.code == 0, r
    assert "pre-commit: checking 0.0.1 as staged" in r.err
    assert head(env, wt) != before
    assert git(env, project, "rev-parse", "hop_0.0.1") == head(env, wt)

    # The main work tree (on hop_main) still refuses commits there.
    write(project, "README.md", "changed\n")
    r = commit(env, project, "x")
    assert r.code != 0, r
    assert "commits on hop_main" in r.err

    # A new branch in another linked work tree, on hop_main: refused as
    # well only when it is hop_main; a feature branch passes.
    wt2 = workdir / "wt2"
    git(env, project, "worktree", "add", "-q", "-b", "feature", wt2, "hop_main")
    write(wt2, "NOTES.md", "notes\n")
    r = commit(env, wt2, "notes")
    assert r.code == 0, r

    # pre-push from the linked work tree checks out its branch's tests.
    add_remote(env, project, tmp_path)
    write(wt, "tests/test_post.py", FAILING_TEST)
    assert commit(env, wt, "a failing test").code == 0
    r = push(env, wt, "origin", "hop_0.0.1")
    assert r.code != 0, r
    assert "refs/heads/hop_0.0.1: its tests fail" in r.err
    write(wt, "tests/test_post.py", PASSING_TEST)
    assert commit(env, wt, "a passing test").code == 0
    r = push(env, wt, "origin", "hop_0.0.1")
    assert r.code == 0, r
    assert remote_refs(env, project)["refs/heads/hop_0.0.1"] == head(env, wt)
