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

from hoptest import REPO_ROOT, expect_stderr, hop, run

VERSION_LINE = re.compile(r"git-hop version (\d+\.\d+\.\d+)\n")
TRACE_LINE = re.compile(r"^\d\d:\d\d:\d\d\.\d{6} trace: (.*)$")

# What a usage error prints after its "error:" line (Boost.Program_options
# lays the options out; note the blank line before "Options:" that
# `-h` does not print).
STATUS_USAGE = """\
usage: git hop status [--format=text|json]


Options:
  --format <format> (=text)  text or json

Common options:
  -h [ --help ]              show this help (--help opens the manual)
  -q [ --quiet ]             print less on stderr
  -v [ --verbose ]           print more on stderr
"""
NEW_USAGE_LINE = (
    "usage: git hop new <package> [--devel] [--database <name>] [--create-database]\n"
)
NOT_A_PROJECT = """\
fatal: not a git-hop project (or any of the parent directories): .hop/config
hint: Run 'git hop new <package> --devel' to create a project from a database.
"""


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
    expect_stderr(hop(env, workdir, "stauts"), """\
git hop: 'stauts' is not a git-hop command. See 'git hop --help'.

The most similar command is
\tstatus
""", code=1)
    # a prefix is the closest of all
    expect_stderr(hop(env, workdir, "sync"), """\
git hop: 'sync' is not a git-hop command. See 'git hop --help'.

The most similar command is
\tsync-package
""", code=1)


def test_unknown_command_far_from_all_gets_no_suggestion(env, workdir):
    expect_stderr(hop(env, workdir, "xylophonequartz"), (
        "git hop: 'xylophonequartz' is not a git-hop command. See 'git hop --help'.\n"
    ), code=1)


def test_bad_global_option(env, workdir):
    # the error, then the usage exactly as `git hop -h` prints it
    usage = hop(env, workdir, "-h", check=0).out
    expect_stderr(hop(env, workdir, "--bogus"),
                  "error: unknown option '--bogus'\n" + usage, code=129)
    expect_stderr(hop(env, workdir, "--colour=always"),
                  "error: unknown option '--colour=always'\n" + usage, code=129)


def test_bad_command_option(env, workdir):
    expect_stderr(hop(env, workdir, "status", "--bogus"),
                  "error: unrecognised option '--bogus'\n" + STATUS_USAGE, code=129)


def test_bad_format_value(env, workdir):
    expect_stderr(hop(env, workdir, "status", "--format=xml"), """\
error: invalid --format 'xml': expected text or json
usage: git hop status [--format=text|json]
""", code=129)


def test_bad_color_value(env, workdir):
    usage = hop(env, workdir, "-h", check=0).out
    for args in (["--color=sometimes", "status"], ["--color=sometimes"]):
        expect_stderr(hop(env, workdir, *args), (
            "error: invalid --color value 'sometimes': expected always, never or auto\n"
            + usage), code=129)


@pytest.mark.parametrize("when", ["always", "never", "auto"])
def test_good_color_values(env, workdir, when):
    r = hop(env, workdir, f"--color={when}", "--version", check=0)
    assert VERSION_LINE.fullmatch(r.out)


def test_new_without_package_is_usage_error(env, workdir):
    expect_stderr(hop(env, workdir, "new"),
                  "error: missing <package>\n" + NEW_USAGE_LINE, code=129)


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
    # -q silences chatty output, not errors nor their hints
    for args in (["-q", "status"], ["status", "-q"]):
        expect_stderr(hop(env, workdir, *args), NOT_A_PROJECT, code=128)


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
    r = hop(dict(env, GIT_HOP_TRACE=value), workdir, "status")
    expect_stderr(r, NOT_A_PROJECT, code=128)


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
