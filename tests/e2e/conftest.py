"""pytest fixtures for the git-hop end-to-end tests.

Session fixtures:
  pg_cluster      private socket-only PostgreSQL cluster (.host, .user, .port, .bindir)
  git_hop_prefix  install prefix of the git-hop under test ($GIT_HOP_PREFIX or
                  <repo>/build/stage/usr/local)
  git_hop_bin     <prefix>/bin; fails (never skips) when git-hop is not there
Function fixtures:
  env             environment dict for subprocesses (temp HOME, PG*, PATH, ...)
  dbname          name of a fresh empty database, dropped afterwards
  new_dbname      unique name of a database that does not exist (dropped afterwards)
  workdir         tmp_path/'work', the directory commands run in
Helpers (run, hop, git, sql, db_exists, schema_exists) are in hoptest.py.
The session refuses to start without half_orm (HOP_HALF_ORM, or an
importable half_orm): see hoptest.HALF_ORM_HOWTO.
"""

from __future__ import annotations

import os
import re
import secrets
import sys
from pathlib import Path

import pytest

_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:  # so that test modules can `from hoptest import ...`
    sys.path.insert(0, _HERE)

import hoptest  # noqa: E402


def pytest_sessionstart(session):
    # The generated package is for half_orm: the suite runs it (design §12).
    problem = hoptest.half_orm_problem()
    if problem:
        pytest.exit(problem, returncode=3)


@pytest.fixture(scope="session")
def pg_cluster():
    # libpq in this process must not pick up anything from the caller's
    # environment (PGHOSTADDR, PGSERVICE, PGOPTIONS, ...).
    for key in [k for k in os.environ if k.startswith("PG")]:
        del os.environ[key]
    cluster = hoptest.Cluster().start()
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(scope="session")
def git_hop_prefix() -> Path:
    prefix = os.environ.get("GIT_HOP_PREFIX")
    return Path(prefix).resolve() if prefix else hoptest.DEFAULT_PREFIX


@pytest.fixture(scope="session")
def git_hop_bin(git_hop_prefix: Path) -> Path:
    bindir = git_hop_prefix / "bin"
    exe = bindir / "git-hop"
    if not (exe.is_file() and os.access(exe, os.X_OK)):
        pytest.fail(
            f"{exe} is missing or not executable: run tools/setup first "
            "(it builds git-hop and stages it under build/stage)",
            pytrace=False,
        )
    return bindir


@pytest.fixture
def env(tmp_path: Path, pg_cluster, git_hop_bin: Path, git_hop_prefix: Path) -> dict:
    return hoptest.make_env(tmp_path, pg_cluster, git_hop_bin, git_hop_prefix)


def _unique_name(request, prefix: str) -> str:
    """prefix_<test name>_<random>: lower case, [a-z0-9_], at most 63 bytes."""
    name = re.sub(r"[^a-z0-9]+", "_", request.node.name.lower())
    name = re.sub(r"^test_*", "", name).strip("_")
    suffix = secrets.token_hex(4)
    room = 63 - len(prefix) - len(suffix) - 2
    name = name[:room].strip("_") or "x"
    return f"{prefix}_{name}_{suffix}"


@pytest.fixture
def dbname(request, pg_cluster) -> str:
    name = _unique_name(request, "t")
    hoptest.create_database(pg_cluster, name)
    yield name
    hoptest.drop_database(pg_cluster, name)  # IF EXISTS: the test may have dropped it


@pytest.fixture
def new_dbname(request, pg_cluster) -> str:
    name = _unique_name(request, "n")
    yield name
    hoptest.drop_database(pg_cluster, name)


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    work = tmp_path / "work"
    work.mkdir()
    return work
