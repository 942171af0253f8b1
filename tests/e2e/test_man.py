"""The man pages: installed where `git hop --help` finds them, clean roff, and
in sync with the code (style.md §3.10): every command of the command table in
git-hop(1)'s COMMANDS, every config key in git-hop-config(5)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from hoptest import REPO_ROOT, expect_stderr, hop, run

MAN_SOURCES = sorted((REPO_ROOT / "man").glob("*.scd"))
PAGES = ["git-hop.1.scd", "git-hop-config.5.scd"]


def source(name: str) -> Path:
    return REPO_ROOT / "man" / name


def installed(prefix: Path, name: str) -> Path:
    page = name[: -len(".scd")]  # git-hop.1
    section = page.rsplit(".", 1)[1]
    return prefix / "share" / "man" / f"man{section}" / page


def section_text(text: str, heading: str, level: int = 1) -> str:
    """The body of the scdoc section `heading` (`# heading` for level 1), up
    to the next heading of the same or a higher level."""
    marks = "#" * level
    m = re.search(rf"^{re.escape(marks)} {re.escape(heading)}\n(.*?)(?=^#{{1,{level}}} |\Z)",
                  text, re.M | re.S)
    assert m, f"no section '{marks} {heading}'"
    return m.group(1)


def test_every_source_is_checked():
    assert [p.name for p in MAN_SOURCES] == sorted(PAGES)


@pytest.mark.parametrize("name", PAGES)
def test_page_is_installed(git_hop_prefix, name):
    page = installed(git_hop_prefix, name)
    assert page.is_file(), f"{page} is missing: run tools/setup"
    assert page.stat().st_size > 0


@pytest.mark.parametrize("name", PAGES)
def test_installed_page_is_built_from_the_source(env, git_hop_prefix, name):
    # man/meson.build runs scdoc with SOURCE_DATE_EPOCH=1700000000
    scdoc = shutil.which("scdoc", path=env["PATH"])
    assert scdoc, "scdoc is missing: run tools/setup"
    r = run(dict(env, SOURCE_DATE_EPOCH="1700000000"), scdoc,
            input=source(name).read_text(), cwd=REPO_ROOT)
    expect_stderr(r, "", code=0, out=None)
    assert r.out == installed(git_hop_prefix, name).read_text(), (
        f"the installed {name[:-4]} is stale: run tools/setup")


@pytest.mark.parametrize("name", PAGES)
def test_groff_has_no_warnings(env, git_hop_prefix, name):
    page = installed(git_hop_prefix, name)
    r = run(env, "groff", "-man", "-Tutf8", "-ww", "-z", page, cwd=REPO_ROOT)
    expect_stderr(r, "", code=0)  # groff exits 0 on warnings: stderr decides


@pytest.mark.parametrize("name", PAGES)
def test_man_renders(env, git_hop_prefix, name):
    page = installed(git_hop_prefix, name)
    r = run(dict(env, MANPAGER="cat", MANWIDTH="80"), "man", "-l", page,
            cwd=REPO_ROOT)
    expect_stderr(r, "", code=0, out=None)
    assert re.search(r"^NAME$", r.out, re.M), r
    title = name.split(".")[0]
    assert re.search(rf"^\s+{re.escape(title)} - \S", r.out, re.M), r


def test_every_command_is_documented(env, workdir):
    usage = hop(env, workdir, "-h", check=0).out
    lines = usage.splitlines()
    commands = []
    for line in lines[lines.index("Commands:") + 1:]:
        m = re.match(r"^   (\S+)\s+\S", line)
        if not m:
            break
        commands.append(m.group(1))
    assert "status" in commands and "new" in commands, usage

    text = source("git-hop.1.scd").read_text()
    section = section_text(text, "COMMANDS")
    documented = re.findall(r"^\*([a-z-]+)\*", section, re.M)
    synopsis = section_text(text, "SYNOPSIS")
    for command in commands:
        assert command in documented, f"'{command}' is not in git-hop.1.scd's COMMANDS"
        assert re.search(rf"\b{re.escape(command)}\b", synopsis), (
            f"'{command}' is not in git-hop.1.scd's SYNOPSIS")
    # and the page documents no command that does not exist
    assert sorted(set(documented)) == sorted(commands)


def config_keys() -> list:
    """(table, key) of the key table in libhop/hop/config.cpp."""
    code = (REPO_ROOT / "libhop" / "hop" / "config.cpp").read_text()
    keys = re.findall(r'\{"(\w+)",\s*"(\w+)",', code)
    m = re.search(r"std::array<KeySpec,\s*(\d+)>", code)
    assert m, "no std::array<KeySpec, N> in config.cpp"
    assert len(keys) == int(m.group(1)), keys
    return keys


def test_every_config_key_is_documented():
    keys = config_keys()
    text = source("git-hop-config.5.scd").read_text()
    keys_section = section_text(text, "KEYS")
    documented = set()
    for table in sorted({t for t, _ in keys}):
        body = section_text(keys_section, f"[{table}]", level=2)
        documented |= {(table, k) for k in re.findall(r"^\*(\w+)\*$", body, re.M)}
    for table, key in keys:
        assert (table, key) in documented, (
            f"'{table}.{key}' is not documented under [{table}] in git-hop-config.5.scd")
    # the example with every key uses each of them
    example = section_text(text, "EXAMPLE")
    for table, key in keys:
        assert f"[{table}]" in example and re.search(rf"^{key} = ", example, re.M), (
            f"'{table}.{key}' is missing from the EXAMPLE")
    # no documented table holds a key the code does not know
    assert documented == set(keys)


@pytest.mark.parametrize("name", PAGES)
def test_page_version_matches(env, workdir, git_hop_prefix, name):
    version = hop(env, workdir, "--version", check=0).out.split()[-1]
    assert re.fullmatch(r"\d+\.\d+\.\d+", version)
    page = installed(git_hop_prefix, name).read_text()
    th = [line for line in page.splitlines() if line.startswith(".TH ")]
    assert len(th) == 1, th
    # .TH "title" "section" "date" "source" "manual": a version, when the
    # page carries one, is in the source or manual fields
    fields = re.findall(r'"([^"]*)"', th[0])
    versions = [v for f in fields[3:] for v in re.findall(r"\b\d+\.\d+\.\d+\b", f)]
    for v in versions:
        assert v == version, f"{name}: footer says {v}, git-hop says {version}"
