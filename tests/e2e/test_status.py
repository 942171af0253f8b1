"""End-to-end tests of `git hop status` (and of plain `git hop`).

design.md §6: status is read-only and shows project, database, git and
release state; §9: results on stdout, `fatal:`/`warning:`/`hint:` on stderr,
`--format=json` for CI, never a password; §7: it must work inside a git hook.
"""

from __future__ import annotations

import json
import os
import re
import secrets
from pathlib import Path

import pytest

from hoptest import create_database, drop_database, expect_stderr, git, hop, make_env, run, sql

PASSWORD = "s3cret-pw"


# --------------------------------------------------------------------------
# Fixtures and helpers


@pytest.fixture
def project(env, workdir, dbname) -> Path:
    """A fresh devel project 'blog' on `dbname` (release 0.0.0, tag 0.0.0)."""
    hop(env, workdir, "new", "blog", "--devel", "--database", dbname, check=0)
    return workdir / "blog"


def status_json(env, cwd) -> dict:
    r = hop(env, cwd, "status", "--format=json", check=0)
    return json.loads(r.out)


def rows(text: str) -> dict:
    """The `label: value` rows of the text status, as a dict."""
    result = {}
    for line in text.splitlines():
        m = re.match(r"^([a-z]+):\s+(.*)$", line)
        assert m, f"unexpected status line {line!r} in\n{text}"
        result[m.group(1)] = m.group(2)
    return result


def connection_file(env) -> Path:
    return Path(env["HALFORM_CONF_DIR"]) / "blog"


def write_connection_file(env, name: str, host: str, port: str = "5432") -> None:
    connection_file(env).write_text(
        "[database]\n"
        f"name = {name}\n"
        "user = postgres\n"
        f"password = {PASSWORD}\n"
        f"host = {host}\n"
        f"port = {port}\n"
        "production = False\n"
    )


def config_path(project: Path) -> Path:
    return project / ".hop" / "config"


def line_col(text: str, needle: str) -> tuple:
    """1-based line and column of the first occurrence of `needle`."""
    index = text.index(needle)
    line = text.count("\n", 0, index) + 1
    col = index - (text.rfind("\n", 0, index) + 1) + 1
    return line, col


# --------------------------------------------------------------------------
# A fresh devel project


def test_status_of_fresh_devel_project(env, project, dbname, pg_cluster):
    r = hop(env, project, "status", check=0)
    assert r.err == ""
    row = rows(r.out)
    assert row["project"] == "blog (devel)"
    assert row["path"] == str(project.resolve())
    assert row["database"].startswith(f"{dbname} as postgres on {pg_cluster.host} ")
    assert row["database"].endswith("(development)")
    assert row["connection"] == str(connection_file(env))
    assert row["release"] == "0.0.0"
    assert row["branch"] == "hop_main (clean)"
    assert row["head"] == git(env, project, "rev-parse", "--short=7", "HEAD")
    assert row["released"] == "0.0.0"
    assert row["preparing"] == "none"


def test_plain_git_hop_is_status(env, project):
    status = hop(env, project, "status", check=0)
    plain = hop(env, project, check=0)
    assert plain.out == status.out
    assert plain.err == status.err == ""
    assert "release:    0.0.0" in plain.out


def test_status_json(env, project, dbname, pg_cluster):
    r = hop(env, project, "status", "--format=json", check=0)
    assert r.err == ""
    data = json.loads(r.out)
    version = hop(env, project, "--version", check=0).out.split()[-1]

    assert data["git_hop_version"] == version
    assert data["project"] == {
        "name": "blog",
        "path": str(project.resolve()),
        "devel": True,
        "hop_version": version,
    }

    db = data["database"]
    assert {"name", "user", "host", "port", "production", "connection_file",
            "reachable", "error", "release"} <= set(db)
    assert db["name"] == dbname
    assert db["reachable"] is True
    assert db["error"] is None
    assert db["release"] == "0.0.0"
    assert db["production"] is False
    assert db["user"] == "postgres"
    assert db["host"] == pg_cluster.host
    assert db["connection_file"] == str(connection_file(env))

    g = data["git"]
    assert {"present", "branch", "head", "clean", "changes"} <= set(g)
    assert g["present"] is True
    assert g["branch"] == "hop_main"
    assert g["clean"] is True
    assert g["changes"] == 0
    assert re.fullmatch(r"[0-9a-f]{40}", g["head"]), g["head"]
    assert g["head"] == git(env, project, "rev-parse", "HEAD")

    assert data["released"] == "0.0.0"
    assert data["preparing"] == []


def test_status_from_a_subdirectory(env, project):
    top_text = hop(env, project, "status", check=0).out
    top_json = status_json(env, project)
    deep = project / "model" / "a" / "b"
    deep.mkdir(parents=True)
    for cwd in (project / "model", deep):
        r = hop(env, cwd, "status", check=0)
        # the new empty directories are not changes for git
        assert r.out == top_text
        assert status_json(env, cwd) == top_json
    assert rows(top_text)["path"] == str(project.resolve())


# --------------------------------------------------------------------------
# Git state


def test_dirty_tree_is_counted(env, project):
    (project / "notes.txt").write_text("an untracked file\n")
    r = hop(env, project, "status", check=0)
    assert rows(r.out)["branch"] == "hop_main (1 changed file)"

    with open(project / "README.md", "a") as f:
        f.write("\none more line\n")
    r = hop(env, project, "status", check=0)
    assert rows(r.out)["branch"] == "hop_main (2 changed files)"
    g = status_json(env, project)["git"]
    assert g["clean"] is False
    assert g["changes"] == 2
    assert len(git(env, project, "status", "--porcelain").splitlines()) == 2


def test_release_branches_in_preparation(env, project):
    git(env, project, "branch", "hop_0.1.0")
    git(env, project, "branch", "hop_0.0.1")
    git(env, project, "branch", "hop_0.0.0")  # released: not in preparation
    git(env, project, "branch", "feature")  # not a release branch

    r = hop(env, project, "status", check=0)
    row = rows(r.out)
    assert row["preparing"] == "0.0.1 (hop_0.0.1), 0.1.0 (hop_0.1.0)"
    assert row["released"] == "0.0.0"
    assert "hop_0.0.0" not in r.out

    data = status_json(env, project)
    assert data["preparing"] == [
        {"version": "0.0.1", "branch": "hop_0.0.1"},
        {"version": "0.1.0", "branch": "hop_0.1.0"},
    ]
    assert data["released"] == "0.0.0"
    assert data["git"]["branch"] == "hop_main"


def _snapshot(env, project: Path, pg_cluster, dbname: str) -> dict:
    tables = sql(
        pg_cluster,
        dbname,
        "select format('%I.%I', table_schema, table_name)"
        " from information_schema.tables"
        " where table_schema not in ('pg_catalog', 'information_schema')"
        " order by 1",
    )
    data = {t: sql(pg_cluster, dbname, f"select * from {t} order by 1")
            for (t,) in tables if t.startswith("half_orm_meta.")}
    assert any(t.endswith(".hop_release") for t in data), tables
    return {
        "porcelain": git(env, project, "status", "--porcelain"),
        "head": git(env, project, "rev-parse", "HEAD"),
        "symbolic-head": git(env, project, "symbolic-ref", "HEAD"),
        "refs": git(env, project, "for-each-ref", "--format=%(objectname) %(refname)"),
        "stash": git(env, project, "stash", "list"),
        "index": (project / ".git" / "index").read_bytes(),
        "config": config_path(project).read_bytes(),
        "tables": tables,
        "rows": data,
    }


def test_status_is_read_only(env, project, pg_cluster, dbname):
    # some state for status to (not) touch: a stash, a release branch, a
    # staged file, a modified file and an untracked file
    with open(project / "README.md", "a") as f:
        f.write("stashed\n")
    git(env, project, "stash")
    git(env, project, "branch", "hop_0.0.1")
    (project / "staged.txt").write_text("staged\n")
    git(env, project, "add", "staged.txt")
    with open(project / "pyproject.toml", "a") as f:
        f.write("# modified\n")
    (project / "untracked.txt").write_text("untracked\n")

    before = _snapshot(env, project, pg_cluster, dbname)
    assert before["stash"] != ""
    hop(env, project, "status", check=0)
    hop(env, project, "status", "--format=json", check=0)
    hop(env, project, check=0)
    after = _snapshot(env, project, pg_cluster, dbname)
    assert after == before


# --------------------------------------------------------------------------
# Errors and warnings


def test_outside_a_project(env, workdir, tmp_path):
    plain_repo = tmp_path / "plain"
    plain_repo.mkdir()
    git(env, plain_repo, "init", "-q")
    for cwd in (workdir, plain_repo):
        for args in (["status"], [], ["status", "--format=json"]):
            expect_stderr(hop(env, cwd, *args), """\
fatal: not a git-hop project (or any of the parent directories): .hop/config
hint: Run 'git hop new <package> --devel' to create a project from a database.
""", code=128)


def test_config_with_a_wrong_type(env, project):
    path = config_path(project)
    text = path.read_text()
    assert "\ndevel = true\n" in text
    text = text.replace("\ndevel = true\n", '\ndevel = "yes"\n')
    path.write_text(text)
    line, col = line_col(text, '"yes"')
    assert (line, col) == (5, 9)  # the file `git hop new` writes

    for args in (["status"], ["status", "--format=json"]):
        expect_stderr(hop(env, project, *args), f"""\
fatal: .hop/config:{line}:{col}: 'project.devel' must be a boolean (true or false)
hint: See 'man 5 git-hop-config' for the keys and their types.
""", code=128)


def test_config_with_unknown_keys_warns(env, project):
    path = config_path(project)
    text = path.read_text()
    text = text.replace("\ndevel = true\n", "\ndevel = true\ncolour = true\n")
    text += "\n[extra]\nx = 1\n"
    path.write_text(text)
    key_line, key_col = line_col(text, "colour = true")
    table_line, _ = line_col(text, "[extra]")

    warnings = f"""\
warning: .hop/config:{key_line}:{key_col}: unknown key 'project.colour'
warning: .hop/config:{table_line}:2: unknown key 'extra'
"""
    r = hop(env, project, "status")
    expect_stderr(r, warnings, code=0, out=None)
    assert rows(r.out)["project"] == "blog (devel)"
    # json output stays clean: the warnings are on stderr
    r = hop(env, project, "status", "--format=json")
    expect_stderr(r, warnings, code=0, out=None)
    assert json.loads(r.out)["project"]["name"] == "blog"


def test_config_from_a_newer_git_hop(env, project):
    path = config_path(project)
    text = path.read_text()
    text, n = re.subn(r"(?m)^hop_version = .*$", 'hop_version = "99.0.0"', text)
    assert n == 1
    path.write_text(text)
    version = hop(env, project, "--version", check=0).out.split()[-1]
    expect_stderr(hop(env, project, "status"), f"""\
fatal: this project needs git-hop 99.0.0 or newer
  .hop/config was written by git-hop 99.0.0; this is git-hop {version}.
hint: Install a newer git-hop.
""", code=128)


def test_database_unreachable(env, project, dbname, tmp_path):
    empty = tmp_path / "no-server-here"
    empty.mkdir()
    write_connection_file(env, dbname, str(empty))

    r = hop(env, project, "status")
    expect_stderr(r, "warning: cannot connect to database '$DB'\n", code=0, out=None,
                  DB=dbname)
    row = rows(r.out)
    assert "unreachable" in row["release"]
    assert "no-server-here" in row["cause"]  # where libpq tried
    # the rest is still there
    assert row["project"] == "blog (devel)"
    assert row["branch"] == "hop_main (clean)"
    assert row["released"] == "0.0.0"

    r = hop(env, project, "status", "--format=json", check=0)
    data = json.loads(r.out)
    assert data["database"]["reachable"] is False
    assert isinstance(data["database"]["error"], str) and data["database"]["error"]
    assert data["database"]["release"] is None
    assert data["database"]["name"] == dbname
    assert data["git"]["branch"] == "hop_main"
    assert data["released"] == "0.0.0"

    for result in (r, hop(env, project, "status", check=0),
                   hop(dict(env, GIT_HOP_TRACE="1"), project, "status", check=0)):
        assert PASSWORD not in result.out + result.err


def test_password_never_shown(env, project, dbname, pg_cluster):
    # trust authentication accepts any password: the connection works
    write_connection_file(env, dbname, pg_cluster.host)
    results = [
        hop(env, project, "status", check=0),
        hop(env, project, check=0),
        hop(env, project, "status", "--format=json", check=0),
        hop(env, project, "status", "-v", check=0),
        hop(dict(env, GIT_HOP_TRACE="1"), project, "status", check=0),
        hop(dict(env, GIT_HOP_TRACE="1"), project, "status", "--format=json", check=0),
    ]
    assert json.loads(results[2].out)["database"]["reachable"] is True
    assert "trace:" in results[4].err
    for r in results:
        assert PASSWORD not in r.out, r
        assert PASSWORD not in r.err, r
    assert "release:    0.0.0" in results[0].out


def test_sync_only_project(env, workdir, dbname):
    hop(env, workdir, "new", "blog", "--database", dbname, check=0)
    project = workdir / "blog"
    r = hop(env, project, "status", check=0)
    assert r.err == ""
    row = rows(r.out)
    assert row["project"] == "blog (sync-only)"
    assert row["branch"] == "hop_main (clean)"
    assert "released" not in row and "preparing" not in row
    data = status_json(env, project)
    assert data["project"]["devel"] is False
    assert data["database"]["reachable"] is True
    assert data["released"] is None


# --------------------------------------------------------------------------
# Inside git hooks (git exports GIT_DIR, GIT_INDEX_FILE, ... to hooks)


def install_pre_commit(project: Path, export_work_tree: bool = False) -> None:
    lines = ["#!/bin/sh"]
    if export_work_tree:
        lines.append('GIT_WORK_TREE="$(pwd)"; export GIT_WORK_TREE')
    lines += [
        'env | grep "^GIT_" > "$OUT.env"',
        'git status --porcelain > "$OUT.git"',
        'git hop status --format=json > "$OUT" 2> "$OUT.err"',
        'echo $? > "$OUT.rc"',
        "exit 0",
    ]
    hook = project / ".git" / "hooks" / "pre-commit"
    hook.write_text("\n".join(lines) + "\n")
    hook.chmod(0o755)


class HookRun:
    def __init__(self, out: Path):
        self.rc = int(Path(f"{out}.rc").read_text())
        self.err = Path(f"{out}.err").read_text()
        self.env = Path(f"{out}.env").read_text()
        self.git_status = Path(f"{out}.git").read_text()
        self.json = json.loads(out.read_text())


def commit_with_hook(env, cwd: Path, tmp_path: Path, *commit_args: str) -> HookRun:
    out = tmp_path / "hook-output.json"
    for suffix in ("", ".rc", ".err", ".env", ".git"):
        Path(f"{out}{suffix}").unlink(missing_ok=True)
    run(dict(env, OUT=str(out)), "git", "commit", "-q", *commit_args, cwd=cwd, check=0)
    assert out.exists(), "the pre-commit hook did not run"
    result = HookRun(out)
    assert result.rc == 0, result.err
    assert result.err == ""
    assert "GIT_INDEX_FILE=" in result.env
    return result


def changed_paths(porcelain: str) -> int:
    return len({line[3:] for line in porcelain.splitlines()})


def test_status_in_pre_commit_hook(env, project, tmp_path, dbname):
    install_pre_commit(project)
    (project / "new_file.txt").write_text("hello\n")
    git(env, project, "add", "new_file.txt")
    head_before = git(env, project, "rev-parse", "HEAD")

    hook = commit_with_hook(env, project, tmp_path, "-m", "add a file")

    data = hook.json
    assert data["project"]["path"] == str(project.resolve())
    assert data["database"]["reachable"] is True
    assert data["database"]["name"] == dbname
    assert data["database"]["release"] == "0.0.0"
    assert data["git"]["branch"] == "hop_main"
    assert data["git"]["head"] == head_before  # the hook runs before the commit
    assert data["git"]["clean"] is False  # what is being committed is staged
    assert data["git"]["changes"] == changed_paths(hook.git_status) == 1
    assert data["released"] == "0.0.0"
    assert git(env, project, "rev-parse", "HEAD^") == head_before


def test_status_in_pre_commit_hook_of_partial_commit(env, project, tmp_path):
    # `git commit <path>` runs the hook with a temporary index (named by
    # GIT_INDEX_FILE) holding HEAD + <path>: status must read that index,
    # as git does, not .git/index.
    install_pre_commit(project)
    with open(project / "README.md", "a") as f:
        f.write("a change\n")
    git(env, project, "rm", "--cached", "-q", "pyproject.toml")
    assert changed_paths(git(env, project, "status", "--porcelain")) == 2

    hook = commit_with_hook(env, project, tmp_path, "-m", "readme only", "README.md")

    assert ".git/next-index" in hook.env  # git used a temporary index
    assert hook.git_status.splitlines() == ["M  README.md"]
    assert hook.json["git"]["changes"] == 1
    assert hook.json["git"]["clean"] is False
    assert hook.json["git"]["branch"] == "hop_main"


@pytest.mark.parametrize("export_work_tree", [False, True],
                         ids=["git-env", "GIT_WORK_TREE-exported"])
def test_status_in_pre_commit_hook_of_linked_worktree(
        env, project, workdir, tmp_path, export_work_tree):
    git(env, project, "worktree", "add", "-q", "../wt", "-b", "other")
    wt = workdir / "wt"
    install_pre_commit(project, export_work_tree=export_work_tree)
    (wt / "in_worktree.txt").write_text("hello\n")
    git(env, wt, "add", "in_worktree.txt")
    head_before = git(env, wt, "rev-parse", "HEAD")

    hook = commit_with_hook(env, wt, tmp_path, "-m", "in the worktree")

    assert "GIT_DIR=" in hook.env  # git exports it in a linked worktree
    if export_work_tree:
        assert f"GIT_WORK_TREE={wt.resolve()}" in hook.env.splitlines()
    data = hook.json
    assert data["project"]["path"] == str(wt.resolve())
    assert data["database"]["reachable"] is True
    assert data["git"]["branch"] == "other"
    assert data["git"]["head"] == head_before
    assert data["git"]["changes"] == changed_paths(hook.git_status) == 1
    assert data["released"] == "0.0.0"
    assert git(env, wt, "rev-parse", "HEAD^") == head_before
    # and the main work tree is untouched
    assert status_json(env, project)["git"]["branch"] == "hop_main"
    assert status_json(env, project)["git"]["clean"] is True


def test_status_in_hook_env_from_shell(env, project):
    """The variables a hook gets, set by hand (relative paths, as git does)."""
    e = dict(env, GIT_DIR=".git", GIT_INDEX_FILE=".git/index")
    assert status_json(e, project) == status_json(env, project)
    e = dict(env, GIT_DIR=str(project / ".git"), GIT_WORK_TREE=str(project))
    assert status_json(e, project) == status_json(env, project)
    r = hop(dict(env, GIT_DIR=str(project / "nowhere")), project, "status")
    expect_stderr(r, """\
fatal: cannot open the git repository '$PROJECT/nowhere' named by GIT_DIR
  failed to resolve path '$PROJECT/nowhere': No such file or directory
""", code=128, PROJECT=project)



# --------------------------------------------------------------------------
# Paths that are not UTF-8


def test_status_json_of_a_path_that_is_not_utf8(env, tmp_path, dbname):
    # A Latin-1 directory name: 'café' with é as the single byte 0xe9. JSON
    # is UTF-8, so git-hop writes each ill-formed sequence as \ufffd (the
    # replacement character) and the output stays valid JSON.
    parent = Path(os.fsdecode(tmp_path) + os.sep + os.fsdecode(b"caf\xe9"))
    parent.mkdir()
    hop(env, parent, "new", "blog", "--devel", "--database", dbname, check=0,
        text=False)
    project = parent / "blog"
    r = run(env, "git", "hop", "status", "--format=json", cwd=project,
            check=0, text=False)
    assert r.err == b""
    assert b"\\ufffd" in r.out
    r.out.decode("ascii")  # every non-ASCII byte was escaped or replaced
    data = json.loads(r.out)
    assert data["project"]["path"] == os.fsencode(project.resolve()).decode(
        "utf-8", "replace")
    assert data["project"]["path"].endswith("/caf\ufffd/blog")
    assert data["database"]["reachable"] is True
    # the text format shows the bytes as they are
    r = run(env, "git", "hop", "status", cwd=project, check=0, text=False)
    m = re.search(rb"^path:\s+(.*)$", r.out, re.M)
    assert m and m.group(1) == os.fsencode(project.resolve()), r


# --------------------------------------------------------------------------
# Issue 9 items 13 and 14: status cross-checks tags, notes, hop_main and the
# database's rows, and names each inconsistency with the command that
# repairs it.


def problems(env, cwd) -> list:
    """(kind, message, repair) of each problem status names."""
    return [(p["kind"], p["message"], p["repair"]) for p in status_json(env, cwd)["problems"]]


def test_09_13_stray_tags_are_no_releases_and_status_names_them(env, project):
    (project / "docs.md").write_text("docs\n")
    git(env, project, "add", "docs.md")
    git(env, project, "commit", "-q", "--no-verify", "-m", "docs")
    git(env, project, "tag", "5.0.0")  # lightweight, on hop_main
    git(env, project, "tag", "-a", "-m", "4.0.0", "4.0.0")  # annotated, no note
    git(env, project, "checkout", "-q", "-b", "side")
    git(env, project, "commit", "-q", "--no-verify", "--allow-empty", "-m", "side")
    git(env, project, "tag", "-a", "-m", "3.0.0", "3.0.0")  # off hop_main
    git(env, project, "checkout", "-q", "hop_main")

    r = hop(env, project, "status", check=0)

    assert r.code == 0 and r.err == ""
    row = rows(r.out)
    assert row["released"] == "0.0.0"
    assert problems(env, project) == [
        ("stray-tag", "tag 3.0.0 is not a release: not on hop_main", "git tag -d 3.0.0"),
        ("stray-tag", "tag 4.0.0 is not a release: its commit has no note in refs/notes/hop",
         "git tag -d 4.0.0"),
        ("stray-tag", "tag 5.0.0 is not a release: a lightweight tag (releases are annotated tags)",
         "git tag -d 5.0.0"),
    ]
    text = r.out.splitlines()
    i = text.index("problem:    tag 5.0.0 is not a release: a lightweight tag "
                   "(releases are annotated tags)")
    assert text[i + 1] == "repair:     git tag -d 5.0.0"
    # Never the last release: the next patch is 0.0.1.
    r = hop(env, project, "prepare", "-l", "patch", "-m", "Next", check=0)
    assert git(env, project, "symbolic-ref", "--short", "HEAD") == "hop_0.0.1"
    git(env, project, "checkout", "-q", "hop_main")
    for tag in ("3.0.0", "4.0.0", "5.0.0"):
        git(env, project, "tag", "-d", tag)
    assert problems(env, project) == []


@pytest.fixture(scope="module")
def released(tmp_path_factory, pg_cluster, git_hop_bin, git_hop_prefix):
    """A devel project with 0.0.1 released (table public.first), on hop_main.
    Tests break it, check what status says, run the repair it names, and
    leave it consistent again."""
    base = tmp_path_factory.mktemp("status-released")
    env = make_env(base, pg_cluster, git_hop_bin, git_hop_prefix)
    work = base / "work"
    work.mkdir()
    db = f"t_status_released_{secrets.token_hex(4)}"
    create_database(pg_cluster, db)
    try:
        hop(env, work, "new", "blog", "--devel", "--database", db, check=0)
        p = work / "blog"
        hop(env, p, "prepare", "-l", "patch", "-m", "First", check=0)
        (p / "Patches/0/0/1/00_first.sql").write_text("create table public.first (a int);\n")
        hop(env, p, "apply", check=0)
        git(env, p, "add", "-A")
        git(env, p, "commit", "-q", "--no-verify", "-m", "0.0.1: first table")
        hop(env, p, "release", check=0)
        assert problems(env, p) == []
        yield env, p, db
    finally:
        for (name,) in sql(pg_cluster, "postgres",
                           "select datname from pg_database where starts_with(datname, %s)",
                           (db,)):
            drop_database(pg_cluster, name)


def repair(env, cwd, command: str):
    """Run the repair command status named, as a user would type it."""
    return run(env, "bash", "-c", command, cwd=cwd)


def break_rows(pg_cluster, db, value) -> None:
    sql(pg_cluster, db, "update half_orm_meta.hop_release set commit = %s"
        " where major = 0 and minor = 0 and patch = 1", (value,))


@pytest.mark.parametrize("case", [
    "row-without-commit", "row-commit-mismatch", "unknown-release", "stray-note",
    "tag-without-note", "no-hop-main", "locked-ref",
])
def test_09_14_status_cross_checks_and_names_the_repair(released, pg_cluster, case):
    env, p, db = released
    commit = git(env, p, "rev-parse", "0.0.1^{}")
    tag = git(env, p, "rev-parse", "0.0.1")
    short = commit[:7]
    lock = p / ".git" / "refs" / "heads" / "hop_main.lock"
    if case == "row-without-commit":
        break_rows(pg_cluster, db, None)
        expected = ("row-without-commit", "the database's row of release 0.0.1 records no commit",
                    "git hop release")
    elif case == "row-commit-mismatch":
        break_rows(pg_cluster, db, "0" * 40)
        expected = ("row-commit-mismatch",
                    "the database's row of release 0.0.1 records commit 0000000, "
                    f"not {short} (tag 0.0.1)", "git hop release")
    elif case == "unknown-release":
        sql(pg_cluster, db, "insert into half_orm_meta.hop_release"
            " (major, minor, patch, changelog, dbid) values"
            " (9, 9, 9, 'elsewhere', half_orm_meta.check_database())")
        expected = ("unknown-release", "the database records release 9.9.9, "
                    "which is not a release of this repository", "git hop release")
    elif case == "stray-note":
        other = git(env, p, "rev-parse", "0.0.1^{}^")
        git(env, p, "notes", "--ref=hop", "add", "-m", 'version = "0.0.1"', other)
        expected = ("stray-note", f"the note of {other[:7]} in refs/notes/hop is no "
                    f"release's: a note for 0.0.1, which was released as commit {short}",
                    f"git notes --ref=hop remove {other}")
    elif case == "tag-without-note":  # what git-hop 0.1.0 left when killed
        git(env, p, "notes", "--ref=hop", "remove", commit)
        expected = ("stray-tag", "tag 0.0.1 is not a release: its commit has no note in "
                    "refs/notes/hop", "git checkout hop_0.0.1 && git hop release")
    elif case == "no-hop-main":
        git(env, p, "checkout", "-q", "--detach")
        git(env, p, "branch", "-D", "hop_main")
        expected = ("no-hop-main", "there is no branch hop_main", "git branch hop_main 0.0.1")
    else:
        lock.write_text(commit + "\n")
        expected = ("locked-ref", f"'{lock}' exists", f"rm '{lock}'")

    found = problems(env, p)
    assert found == [expected], found
    r = hop(env, p, "status", check=0)
    assert f"problem:    {expected[1]}\nrepair:     {expected[2]}\n" in r.out

    r = repair(env, p, expected[2])

    assert r.code == 0, str(r)
    if case == "no-hop-main":
        git(env, p, "checkout", "-q", "hop_main")
    assert problems(env, p) == []
    assert git(env, p, "rev-parse", "0.0.1^{}") == commit  # no second release commit
    assert git(env, p, "rev-parse", "0.0.1") == tag  # the tag never moved
    assert git(env, p, "symbolic-ref", "--short", "HEAD") == "hop_main"
    assert git(env, p, "status", "--porcelain") == ""
    assert sql(pg_cluster, db, "select commit from half_orm_meta.hop_release"
               " where major = 0 and minor = 0 and patch = 1") == [(commit,)]
