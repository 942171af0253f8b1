"""End-to-end tests of the pre-commit hook script itself (hooks/pre-commit):
it decides without starting git-hop when a commit has nothing to check,
by the same rules as `git hop hooks run pre-commit` (libhop/hop/hooks/pre_commit.cpp):
nothing is checked outside hop_main and hop_* branches, in a project that is
not devel, or on a release branch when nothing staged is under Patches/,
model/, .hop/ or the package directory. Everything else, and whatever it
cannot read for sure, goes to git-hop.

Every commit here is a real `git commit` through the installed hook. To see
whether git-hop ran, `git-hop` on PATH is a two-line sh script that logs
its arguments and execs the real binary.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import hoptest
from hoptest import git, hop, run, sql

HOOK_TIMEOUT = 60


@pytest.fixture
def db(dbname, pg_cluster):
    """`dbname`, and at teardown the helper databases git-hop derived."""
    yield dbname
    prefix = dbname + "__hop"
    for (name,) in sql(pg_cluster, "postgres",
                       "select datname from pg_database where left(datname, %s) = %s",
                       (len(prefix), prefix)):
        hoptest.drop_database(pg_cluster, name)


class Spy:
    """`git-hop` first on PATH: logs each start, then runs the real one."""

    def __init__(self, env: dict, tmp_path: Path, git_hop_bin: Path):
        bindir = tmp_path / "spy-bin"
        bindir.mkdir()
        self.log = tmp_path / "git-hop-starts.log"
        script = bindir / "git-hop"
        script.write_text(
            "#!/bin/sh\n"
            f"printf '%s\\n' \"$*\" >>'{self.log}'\n"
            f"exec '{git_hop_bin / 'git-hop'}' \"$@\"\n"
        )
        script.chmod(0o755)
        self.env = dict(env, PATH=f"{bindir}{os.pathsep}{env['PATH']}")

    def starts(self) -> list:
        """The arguments of every git-hop started since the last call."""
        if not self.log.exists():
            return []
        lines = self.log.read_text().splitlines()
        self.log.unlink()
        return lines


@pytest.fixture
def spy(env, tmp_path, git_hop_bin) -> Spy:
    return Spy(env, tmp_path, git_hop_bin)


def new_project(env, workdir: Path, db: str, *, devel: bool = True) -> Path:
    args = ["new", "blog", "--database", db] + (["--devel"] if devel else [])
    hop(env, workdir, *args, check=0)
    return workdir / "blog"


def release_project(env, workdir: Path, db: str) -> Path:
    """A devel project on its release branch hop_0.0.1."""
    project = new_project(env, workdir, db)
    hop(env, project, "prepare", "-l", "patch", "-m", "bench", check=0)
    assert git(env, project, "branch", "--show-current") == "hop_0.0.1"
    return project


def write(root: Path, path: str, text: str) -> None:
    file = root / path
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_text(text)


def commit(spy: Spy, cwd: Path, *args: str) -> hoptest.Result:
    return run(spy.env, "git", "commit", "-q", "-m", "x", *args, cwd=cwd,
               timeout=HOOK_TIMEOUT)


HOOK_RUN = "hooks run pre-commit"


# --------------------------------------------------------------------------
# Decided by the script: git-hop does not start


@pytest.mark.parametrize("path", ["NOTES.md", "docs/Patches/x.md", "Patchesx",
                                  "blogx/y.py", "modelling.txt", "tests/test_x.py"])
def test_release_branch_commit_without_release_files(env, spy, workdir, db, path):
    project = release_project(env, workdir, db)
    write(project, path, "x\n")
    git(env, project, "add", path)
    r = commit(spy, project)
    assert r.code == 0, r
    assert r.err == ""
    assert spy.starts() == []
    assert git(env, project, "show", "--name-only", "--format=", "HEAD") == path


def test_other_branches_and_detached_head(env, spy, workdir, db):
    project = new_project(env, workdir, db)
    git(env, project, "checkout", "-q", "-b", "feature")
    write(project, "Patches/0/0/1/a.sql", "select 1;\n")
    git(env, project, "add", "-A")
    assert commit(spy, project).code == 0
    git(env, project, "checkout", "-q", "--detach")
    write(project, "blog/x.py", "x = 1\n")
    git(env, project, "add", "-A")
    assert commit(spy, project).code == 0
    assert spy.starts() == []


def test_hop_main_of_a_sync_only_project(env, spy, workdir, db):
    project = new_project(env, workdir, db, devel=False)
    write(project, "blog/x.py", "x = 1\n")
    git(env, project, "add", "-A")
    r = commit(spy, project)
    assert r.code == 0, r
    assert spy.starts() == []


def test_git_hop_hooks_0(env, spy, workdir, db):
    project = new_project(env, workdir, db)
    write(project, "NOTES.md", "x\n")
    git(env, project, "add", "-A")
    spy.env["GIT_HOP_HOOKS"] = "0"
    assert commit(spy, project).code == 0
    assert spy.starts() == []


def test_partial_commit_reads_the_temporary_index(env, spy, workdir, db):
    # `git commit NOTES.md` commits HEAD + NOTES.md (a temporary index named
    # by GIT_INDEX_FILE): the script file staged in .git/index is not part
    # of this commit, so there is nothing to check...
    project = release_project(env, workdir, db)
    write(project, "Patches/0/0/1/a.sql", "select 1;\n")
    write(project, "NOTES.md", "x\n")
    git(env, project, "add", "Patches", "NOTES.md")
    r = commit(spy, project, "NOTES.md")
    assert r.code == 0, r
    assert spy.starts() == []
    assert git(env, project, "show", "--name-only", "--format=", "HEAD") == "NOTES.md"
    # ... and `git commit <script>` has one.
    r = commit(spy, project, "Patches/0/0/1/a.sql")
    assert spy.starts() == [HOOK_RUN]
    assert r.code == 0, r
    assert "pre-commit: checking 0.0.1 as staged" in r.err


def test_linked_work_tree(env, spy, workdir, db):
    project = release_project(env, workdir, db)
    git(env, project, "worktree", "add", "-q", "../wt", "-b", "hop_0.0.2")
    wt = workdir / "wt"
    write(wt, "NOTES.md", "x\n")
    git(env, wt, "add", "-A")
    assert commit(spy, wt).code == 0
    assert spy.starts() == []
    write(wt, "model/x.txt", "x\n")
    git(env, wt, "add", "-A")
    commit(spy, wt)
    assert spy.starts() == [HOOK_RUN]


def test_the_users_hook_still_runs_first(env, spy, workdir, db):
    project = release_project(env, workdir, db)
    hooks = project / ".git" / "hooks"
    mine = hooks / "pre-commit.pre-hop"
    mine.write_text('#!/bin/sh\necho "my hook ran" >&2\nexit "${MY_HOOK_EXIT:-0}"\n')
    mine.chmod(0o755)
    write(project, "NOTES.md", "x\n")
    git(env, project, "add", "-A")
    spy.env["MY_HOOK_EXIT"] = "3"
    r = commit(spy, project)
    assert r.code == 1, r
    assert r.err == "my hook ran\n"
    spy.env["MY_HOOK_EXIT"] = "0"
    r = commit(spy, project)
    assert r.code == 0, r
    assert r.err == "my hook ran\n"
    assert spy.starts() == []


# --------------------------------------------------------------------------
# Left to git-hop


@pytest.mark.parametrize("path", ["Patches/0/0/1/a.sql", "model/notes.txt",
                                  "blog/extra.py", ".hop/extra"])
def test_release_files_go_to_git_hop(env, spy, workdir, db, path):
    project = release_project(env, workdir, db)
    write(project, path, "-- x\n")
    git(env, project, "add", path)
    commit(spy, project)
    assert spy.starts() == [HOOK_RUN]


def test_commit_all_reads_the_index_git_commits(env, spy, workdir, db):
    project = release_project(env, workdir, db)
    with open(project / "model" / "schema-0.0.0.sql", "a") as f:
        f.write("-- changed\n")
    commit(spy, project, "-a")  # nothing was `git add`ed
    assert spy.starts() == [HOOK_RUN]


def test_commit_on_hop_main_is_still_refused(env, spy, workdir, db):
    project = new_project(env, workdir, db)
    write(project, "NOTES.md", "x\n")
    git(env, project, "add", "-A")
    head = git(env, project, "rev-parse", "HEAD")
    r = commit(spy, project)
    assert r.code == 1, r
    assert "error: pre-commit: commits on hop_main are made by 'git hop release'" in r.err
    assert spy.starts() == [HOOK_RUN]
    assert git(env, project, "rev-parse", "HEAD") == head


def test_initial_commit_on_hop_main(env, spy, workdir, db, tmp_path):
    # A repository without any commit yet (HEAD unborn), on hop_main, with
    # the project's files and git-hop's hook.
    project = new_project(env, workdir, db)
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    git(env, fresh, "init", "-q", "-b", "hop_main")
    (fresh / ".hop").mkdir()
    (fresh / ".hop" / "config").write_text((project / ".hop" / "config").read_text())
    hop(env, fresh, "hooks", "install", check=0)
    git(env, fresh, "add", "-A")
    r = commit(spy, fresh)
    assert r.code == 1, r
    assert "commits on hop_main are made by 'git hop release'" in r.err
    assert spy.starts() == [HOOK_RUN]
    assert run(env, "git", "rev-parse", "-q", "--verify", "HEAD", cwd=fresh).code == 1
    # and on an unborn branch of another name there is nothing to check
    git(env, fresh, "checkout", "-q", "-b", "main")
    assert commit(spy, fresh).code == 0
    assert spy.starts() == []


@pytest.mark.parametrize("config", [
    # forms a line reader could misread: git-hop reads them
    "[project]\nname = 'blog'\ndevel = true\n[python]\nx = '''\nname = \"other\"\n'''\n",
    "project.name = \"blog\"\nproject.devel = true\n",
    "project = { name = \"blog\", devel = true }\n",
    "[project]\n\"name\" = \"blog\"\ndevel = true\n",
    "[ project ]\nname = \"blog\"\ndevel = true\n",
    "[project]\nname = \"bl\\u006fg\"\ndevel = true\n",
    "[project]\nname = \"blog\"\ndevel = yes\n",
], ids=["multi-line-string", "dotted-keys", "inline-table", "quoted-key",
        "spaced-header", "escape", "bad-devel"])
def test_unusual_config_goes_to_git_hop(env, spy, workdir, db, config):
    project = release_project(env, workdir, db)
    (project / ".hop" / "config").write_text(config)
    write(project, "NOTES.md", "x\n")
    git(env, project, "add", "NOTES.md")
    commit(spy, project)
    assert spy.starts() == [HOOK_RUN]


def test_config_forms_the_script_reads(env, spy, workdir, db):
    # Comments, spaces, single quotes, CRLF and another table's multi-line
    # array are read by the script itself.
    project = release_project(env, workdir, db)
    (project / ".hop" / "config").write_text(
        "# mine\r\n[project]   # the project\r\n  name='blog'  # the package\r\n"
        "devel=true#versioned\r\n\r\n[test]\r\ncommand = [\r\n  \"python3\",\r\n"
        "  \"-m\", \"pytest\",\r\n]\r\n"
    )
    write(project, "NOTES.md", "x\n")
    git(env, project, "add", "NOTES.md")
    assert commit(spy, project).code == 0
    assert spy.starts() == []
    write(project, "blog/extra.py", "x = 1\n")
    git(env, project, "add", "blog/extra.py")
    commit(spy, project)
    assert spy.starts() == [HOOK_RUN]


def test_devel_false_needs_no_check(env, spy, workdir, db):
    project = new_project(env, workdir, db)
    config = project / ".hop" / "config"
    config.write_text(config.read_text().replace("devel = true", "devel = false"))
    write(project, "Patches/0/0/1/a.sql", "x\n")
    git(env, project, "add", "-A")
    assert commit(spy, project).code == 0
    assert spy.starts() == []
