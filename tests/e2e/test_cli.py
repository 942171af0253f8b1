"""End-to-end tests of git-hop's command line: git's UX contract.

style.md §1.3 and design.md §6: `-h` prints usage on stdout and exits 0, bad
usage prints `usage:` on stderr and exits 129, an unknown command exits 1 with
git's message (and the closest command), `--help` opens git-hop(1) through
git; §9 / style.md §3.6: `-q` silences chatty output, GIT_HOP_TRACE traces.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from hoptest import REPO_ROOT, hop, run

VERSION_LINE = re.compile(r"git-hop version (\d+\.\d+\.\d+)\n")
TRACE_LINE = re.compile(r"^\d\d:\d\d:\d\d\.\d{6} trace: (.*)$")


def meson_version() -> str:
    text = (REPO_ROOT / "meson.build").read_text()
    m = re.search(r"project\(.*?\bversion\s*:\s*'([^']+)'", text, re.S)
    assert m, "no version in meson.build's project()"
    return m.group(1)


def listed_commands(usage: str) -> list:
    """The command names of `git hop -h`'s command list."""
    lines = usage.splitlines()
    start = lines.index("Commands:") + 1
    names = []
    for line in lines[start:]:
        m = re.match(r"^   (\S+)\s+\S", line)
        if not m:
            break
        names.append(m.group(1))
    return names


# --------------------------------------------------------------------------
# --version, -h


def test_version(env, workdir):
    r = hop(env, workdir, "--version", check=0)
    assert r.err == ""
    m = VERSION_LINE.fullmatch(r.out)
    assert m, r
    assert m.group(1) == meson_version()


def test_global_h_lists_commands(env, workdir):
    r = hop(env, workdir, "-h", check=0)
    assert r.err == ""
    assert r.out.startswith("usage: git hop ")
    commands = listed_commands(r.out)
    assert "new" in commands and "status" in commands, r
    assert commands == sorted(commands)


@pytest.mark.parametrize("command", ["status", "new"])
def test_command_h(env, workdir, command):
    # outside a project: -h needs none
    r = hop(env, workdir, command, "-h", check=0)
    assert r.err == ""
    assert r.out.startswith(f"usage: git hop {command}")
    assert "-h" in r.out and "--quiet" in r.out
    assert not (workdir / "blog").exists()


def test_new_h_lists_its_options(env, workdir):
    r = hop(env, workdir, "new", "-h", check=0)
    for option in ("--devel", "--database", "--create-database"):
        assert option in r.out
    r = hop(env, workdir, "status", "-h", check=0)
    assert "--format" in r.out


# --------------------------------------------------------------------------
# Unknown commands and bad usage


def test_unknown_command_suggests_closest(env, workdir):
    r = hop(env, workdir, "stauts", check=1)
    assert r.out == ""
    lines = r.err.splitlines()
    assert lines[0] == "git hop: 'stauts' is not a git-hop command. See 'git hop --help'."
    suggestion = "\n".join(lines[1:])
    assert re.search(r"^\s+status$", suggestion, re.M), r
    assert "new" not in suggestion


def test_unknown_command_far_from_all_gets_no_suggestion(env, workdir):
    r = hop(env, workdir, "xylophonequartz", check=1)
    assert r.out == ""
    assert r.err == (
        "git hop: 'xylophonequartz' is not a git-hop command. See 'git hop --help'.\n"
    )


def test_bad_global_option(env, workdir):
    r = hop(env, workdir, "--bogus", check=129)
    assert r.out == ""
    assert "--bogus" in r.err.splitlines()[0]
    assert r.err.startswith("error: ")
    assert "usage: git hop" in r.err


def test_bad_command_option(env, workdir):
    r = hop(env, workdir, "status", "--bogus", check=129)
    assert r.out == ""
    assert r.err.startswith("error: "), r
    assert "--bogus" in r.err.splitlines()[0]
    assert "usage: git hop status" in r.err


def test_bad_format_value(env, workdir):
    r = hop(env, workdir, "status", "--format=xml", check=129)
    assert r.out == ""
    assert r.err.startswith("error: ")
    assert "xml" in r.err.splitlines()[0]
    assert "usage: git hop status" in r.err


def test_bad_color_value(env, workdir):
    r = hop(env, workdir, "--color=sometimes", "status", check=129)
    assert r.out == ""
    assert r.err.startswith("error: ")
    assert "sometimes" in r.err
    r = hop(env, workdir, "--color=sometimes", check=129)
    assert r.out == ""


@pytest.mark.parametrize("when", ["always", "never", "auto"])
def test_good_color_values(env, workdir, when):
    r = hop(env, workdir, f"--color={when}", "--version", check=0)
    assert VERSION_LINE.fullmatch(r.out)


def test_new_without_package_is_usage_error(env, workdir):
    r = hop(env, workdir, "new", check=129)
    assert r.out == ""
    assert r.err.startswith("error: ")
    assert "usage: git hop new" in r.err


# --------------------------------------------------------------------------
# --help opens git-hop(1)


@pytest.mark.parametrize("args", [["--help"], ["status", "--help"], ["new", "--help"]],
                         ids=["global", "status", "new"])
def test_help_opens_the_manual(env, workdir, args):
    r = hop(env, workdir, *args, check=0)
    assert re.search(r"^NAME$", r.out, re.M), r
    assert re.search(r"^\s+git-hop - manage", r.out, re.M), r
    assert "git-hop-config" in r.out  # the page itself, not a usage text
    assert not (workdir / "blog").exists()


def test_help_of_the_executable_itself(env, workdir, git_hop_bin):
    # `git hop --help` is rewritten by git; git-hop must handle it too
    r = run(env, git_hop_bin / "git-hop", "--help", cwd=workdir, check=0)
    assert re.search(r"^\s+git-hop - manage", r.out, re.M), r


# --------------------------------------------------------------------------
# -q and GIT_HOP_TRACE


@pytest.mark.parametrize("where", ["none", "global", "command"])
def test_quiet_silences_hints(env, workdir, dbname, where):
    args = ["new", "blog", "--devel", "--database", dbname]
    if where == "global":
        args = ["-q"] + args
    elif where == "command":
        args = args + ["-q"]
    r = hop(env, workdir, *args, check=0)
    assert r.out.startswith("Created git-hop project 'blog'"), r
    if where == "none":
        assert "hint: " in r.err
        assert "release 0.0.0" in r.err
    else:
        assert "hint:" not in r.err, r
        assert r.err == "", r


def test_quiet_keeps_errors(env, workdir):
    # -q silences chatty output, not errors (whether a fatal error keeps its
    # hint under -q is not pinned down here)
    for args in (["-q", "status"], ["status", "-q"]):
        r = hop(env, workdir, *args, check=128)
        assert r.err.startswith("fatal: not a git-hop project"), r


def trace_lines(text: str) -> list:
    return [m.group(1) for m in map(TRACE_LINE.match, text.splitlines()) if m]


def test_trace_to_stderr(env, workdir, dbname):
    r = hop(dict(env, GIT_HOP_TRACE="1"), workdir,
            "new", "blog", "--devel", "--database", dbname, check=0)
    traces = trace_lines(r.err)
    assert any(t.startswith("sql: ") for t in traces), r
    assert any(t.startswith("run: pg_dump") for t in traces), r
    assert "trace:" not in r.out
    # nothing else changes: the usual messages are still there
    assert r.out.startswith("Created git-hop project 'blog'")
    assert "hint: " in r.err

    quiet = hop(env, workdir / "blog", "status", check=0)
    traced = hop(dict(env, GIT_HOP_TRACE="1"), workdir / "blog", "status", check=0)
    assert traced.out == quiet.out
    assert trace_lines(traced.err), traced
    assert quiet.err == ""


@pytest.mark.parametrize("value", ["", "0"])
def test_trace_off(env, workdir, value):
    r = hop(dict(env, GIT_HOP_TRACE=value), workdir, "status", check=128)
    assert "trace:" not in r.err


def test_trace_to_file(env, workdir, dbname, tmp_path):
    trace = tmp_path / "trace.log"
    trace.write_text("an earlier line\n")
    e = dict(env, GIT_HOP_TRACE=str(trace))
    r = hop(e, workdir, "new", "blog", "--devel", "--database", dbname, check=0)
    assert "trace:" not in r.err
    assert "trace:" not in r.out
    text = trace.read_text()
    assert text.startswith("an earlier line\n")  # appended, not truncated
    traces = trace_lines(text)
    assert any(t.startswith("sql: ") for t in traces), text
    assert any(t.startswith("run: pg_dump") for t in traces), text
    n = len(text.splitlines())

    r = hop(e, workdir / "blog", "status", check=0)
    assert "trace:" not in r.err
    after = trace.read_text()
    assert after.startswith(text)
    assert len(after.splitlines()) > n


def test_trace_never_shows_the_password(env, workdir, dbname, pg_cluster):
    password = "s3cret-pw"
    Path(env["HALFORM_CONF_DIR"], "blog").write_text(
        f"[database]\nname = {dbname}\nuser = postgres\npassword = {password}\n"
        f"host = {pg_cluster.host}\n"
    )
    e = dict(env, GIT_HOP_TRACE="1")
    r = hop(e, workdir, "new", "blog", "--devel", check=0)
    assert any(t.startswith("run: pg_dump") for t in trace_lines(r.err)), r
    assert password not in r.out + r.err
    r = hop(e, workdir / "blog", "status", check=0)
    assert password not in r.out + r.err
