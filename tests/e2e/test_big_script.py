"""End-to-end tests of a release script bigger than what git-hop reads
into memory (4 MiB, hop::Text::k_map_above): it is copied (work tree) or
written by `git cat-file` (a blob) into an unlinked temporary file that
git-hop maps and gives back as it reads (issue "Production": a 50 MB
script upgrades in at most 64 MiB; bench/bigscript measures the peak).

The same script goes through every reader: apply (the work tree), the
pre-commit hook (the index), release (the tree), a production `upgrade
--dry-run` in text and JSON (a tag's tree, from a pack) and `upgrade`.
Errors near the end of a big script name their line and column.
"""

from __future__ import annotations

import hashlib
import json

import pytest

from hoptest import run
from test_production import Prod, dev_remote, make_prod
from test_release_cycle import assert_fatal, prepare, temporary_text


ROWS = 40_000
MAP_ABOVE = 4 << 20


def big_sql(table: str = "public.big", rows: int = ROWS) -> str:
    """A table, one INSERT a line (long labels with a multi-byte character)
    and one statement of 300 kB; more than MAP_ABOVE bytes."""
    lines = [f"create table {table} (n int primary key, label text not null);\n"]
    pad = "x" * 80
    for i in range(rows):
        lines.append(f"insert into {table} (n, label) values ({i}, 'caf\u00e9 {i} {pad}');\n")
    lines.append(f"insert into {table} (n, label) values ({rows}, '{'y' * 300_000}');\n")
    text = "".join(lines)
    assert len(text.encode()) > MAP_ABOVE
    return text


@pytest.fixture(scope="module")
def big(tmp_path_factory, pg_cluster, git_hop_bin, git_hop_prefix):
    """A devel project whose 0.0.1 is one big script, released and pushed
    through the hooks, with TMPDIR a folder of its own."""
    tmp = tmp_path_factory.mktemp("big-tmp")
    with dev_remote(tmp_path_factory, "big", pg_cluster, git_hop_bin, git_hop_prefix,
                    TMPDIR=str(tmp)) as remote:
        p = remote.dev
        prepare(p, "patch", "Big")
        script = p.write("Patches/0/0/1/00_big.sql", big_sql())
        yield p, remote, script, tmp


def test_apply_commit_release_upgrade_a_big_script(big, tmp_path, pg_cluster,
                                                   git_hop_bin, git_hop_prefix):
    p, remote, script, tmp = big
    digest = hashlib.sha256(script.read_bytes()).hexdigest()

    p.hop("apply", check=True)
    assert p.sql("select count(*), sum(length(label)) from public.big") == [
        (ROWS + 1, sum(len(f"caf\u00e9 {i} {'x' * 80}") for i in range(ROWS)) + 300_000)
    ]
    assert p.scripts() == [("Patches/0/0/1/00_big.sql", digest)]
    # The pre-commit hook reads the staged script (a loose blob).
    p.git("add", "-A")
    r = run(p.env, "git", "commit", "-q", "-m", "0.0.1: big", cwd=p.path)
    assert r.code == 0, str(r)
    p.hop("release", "--push", check=True)
    assert list(tmp.iterdir()) == []

    prod: Prod = make_prod(tmp_path, remote, pg_cluster, git_hop_bin, git_hop_prefix)
    prod.env["TMPDIR"] = str(tmp)
    prod.git("gc", "-q")  # the tag's tree from a pack
    prod.hop("upgrade", "--init", "--to", "0.0.0", check=True)
    # A replace ref for the script's blob, of the same size: git-hop reads
    # the blob itself, as libgit2 does (git cat-file would follow it).
    blob = prod.git("rev-parse", "0.0.1:Patches/0/0/1/00_big.sql")
    other = script.read_text().replace("caf\u00e9 0 ", "caf\u00e9 X ", 1)
    assert len(other.encode()) == script.stat().st_size
    fake = run(prod.env, "git", "hash-object", "-w", "--stdin", cwd=prod.path,
               input=other, check=True).out.strip()
    prod.git("replace", blob, fake)

    r = prod.hop("upgrade", "--dry-run", "--format=json", check=True)
    plan = json.loads(r.out)
    [release] = plan["releases"]
    [s] = release["scripts"]
    assert (s["path"], s["sha256"]) == ("Patches/0/0/1/00_big.sql", digest)
    assert s["sql"] == script.read_text()

    r = prod.hop("upgrade", "--dry-run", check=True)
    shown = [l[6:] for l in r.out.splitlines() if l.startswith("    | ")]
    assert shown == script.read_text().splitlines()

    prod.hop("upgrade", check=True)
    assert prod.release() == "0.0.1"
    assert prod.sql("select count(*) from public.big") == [(ROWS + 1,)]
    assert [row[1:] for row in prod.scripts()] == [("Patches/0/0/1/00_big.sql", digest)]
    assert list(tmp.iterdir()) == []


def test_errors_at_the_end_of_a_big_script_name_their_line(big):
    p, _, _, tmp = big
    if p.branch() == "hop_main":  # after the test above
        prepare(p, "patch", "More")
    folder = "Patches/" + p.branch()[len("hop_"):].replace(".", "/")
    name = f"{folder}/00_big.sql"
    script = p.path / name
    text = big_sql("public.big2")
    last_line = text.count("\n") + 1
    with temporary_text(script, text + "selec 1;\n"):
        r = p.hop("apply")
        assert_fatal(r, f"{name}:{last_line}:1: "
                        'syntax error at or near "selec"')
    # A server error: the column the server names (in characters), in the
    # last statement.
    with temporary_text(script, text + "select 'caf\u00e9' ||\n  '\u00e9' || missing;\n"):
        r = p.hop("apply")
        assert_fatal(r, f"{name}:{last_line + 1}:10: "
                        'column "missing" does not exist')
    assert list(tmp.iterdir()) == []
