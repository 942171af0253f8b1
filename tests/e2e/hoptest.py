"""Helpers for the git-hop end-to-end tests.

Test modules import what they need:

    from hoptest import run, hop, git, sql, db_exists, schema_exists
    from hoptest import expect_stderr   # the whole stderr, diffed on mismatch

The fixtures themselves (pg_cluster, git_hop_bin, env, dbname, new_dbname,
workdir) live in conftest.py.
"""

from __future__ import annotations

import atexit
import contextlib
import difflib
import os
import re
import pwd
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, Optional, Sequence, Union

import psycopg2

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_PREFIX = REPO_ROOT / "build" / "stage" / "usr" / "local"
TIMEOUT = 120  # seconds, for every command a test runs

PathLike = Union[str, os.PathLike]


# --------------------------------------------------------------------------
# Running commands


@dataclass
class Result:
    """What a finished command left behind."""

    args: Sequence[str]
    code: int
    out: Any  # str, or bytes when run(..., text=False)
    err: Any

    def __str__(self) -> str:
        return (
            f"$ {' '.join(self.args)}\n"
            f"exit code: {self.code}\n"
            f"--- stdout ---\n{_text(self.out)}"
            f"--- stderr ---\n{_text(self.err)}"
        )


def run(
    env: Mapping[str, str],
    *args: PathLike,
    cwd: PathLike,
    input: Optional[str] = None,
    check: Union[None, bool, int] = None,
    timeout: float = TIMEOUT,
    text: bool = True,
) -> Result:
    """Run argv `args` in `cwd` with exactly the environment `env`.

    stdin is /dev/null unless `input` (text) is given: never a terminal.
    `check`: None/False = accept any exit code, True = expect 0, an int =
    expect that exit code; a mismatch raises AssertionError showing the
    command and both outputs. `text=False`: `input`, `out` and `err` are
    bytes (for output that need not be UTF-8).
    """
    argv = [os.fspath(a) for a in args]
    try:
        proc = subprocess.run(
            argv,
            cwd=os.fspath(cwd),
            env=dict(env),
            input=input,
            stdin=subprocess.DEVNULL if input is None else None,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=text,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired as e:
        raise AssertionError(
            f"timed out after {timeout} s: {' '.join(argv)}\n"
            f"--- stdout ---\n{_text(e.stdout)}--- stderr ---\n{_text(e.stderr)}"
        ) from None
    result = Result(argv, proc.returncode, proc.stdout, proc.stderr)
    if _drops_in_background(argv):
        settle(env)
    if check is not None and check is not False:
        expected = 0 if check is True else int(check)
        if result.code != expected:
            raise AssertionError(f"expected exit code {expected}\n{result}")
    return result


# The git-hop commands that leave databases to a detached child to drop
# (db::Cluster::drop_detached()): the old dev database, the tests' copy.
_DROPPING = {"apply", "undo", "release", "restore", "test"}


def _drops_in_background(argv: Sequence[str]) -> bool:
    words = [a for a in argv if not a.startswith("-")]
    if len(words) >= 2 and Path(words[0]).name == "git-hop":
        return words[1] in _DROPPING
    if len(words) >= 3 and Path(words[0]).name == "git" and words[1] == "hop":
        return words[2] in _DROPPING
    return False


def settle(env: Mapping[str, str], timeout: float = TIMEOUT) -> None:
    """Wait for the database drops that git-hop commands left running
    after they exited (their server session is named "git-hop drop"), on
    the server of `env` (PGHOST, PGUSER). run() calls it after the commands
    that leave some, so that a test sees what a finished command left; the
    tests of the drops themselves run git-hop another way."""
    if not env.get("PGHOST"):
        return
    params = {"host": env["PGHOST"], "dbname": "postgres"}
    if env.get("PGUSER"):
        params["user"] = env["PGUSER"]
    if env.get("PGPORT"):
        params["port"] = env["PGPORT"]
    try:
        conn = psycopg2.connect(**params)
    except psycopg2.Error:
        return  # the command under test may have pointed PG* elsewhere
    conn.autocommit = True
    deadline = time.monotonic() + timeout
    try:
        with conn.cursor() as cur:
            while True:
                cur.execute("select count(*) from pg_stat_activity"
                            " where application_name = 'git-hop drop'")
                if cur.fetchone()[0] == 0:
                    return
                if time.monotonic() > deadline:
                    raise AssertionError("a background drop of git-hop did not end")
                time.sleep(0.02)
    finally:
        conn.close()


def _text(data: Union[None, str, bytes]) -> str:
    if data is None:
        return ""
    if isinstance(data, bytes):
        return data.decode("utf-8", "replace")
    return data


# --------------------------------------------------------------------------
# Comparing whole outputs (git's test_cmp)


def normalize(text: str, **placeholders: Any) -> str:
    """`text` with each placeholder's value replaced by `$NAME` (longest
    value first, so that $WORK wins over a $TMP it is inside of). Values
    are str or paths; a path also matches in its resolved form."""
    pairs = []
    for name, value in placeholders.items():
        for form in {os.fspath(value), os.path.realpath(os.fspath(value))}:
            if form:
                pairs.append((form, f"${name}"))
    for value, mark in sorted(pairs, key=lambda p: len(p[0]), reverse=True):
        text = text.replace(value, mark)
    return text


def _compare(what: str, result: Result, expected: str, placeholders: dict) -> None:
    actual = normalize(result.err if what == "stderr" else result.out, **placeholders)
    if actual == expected:
        return
    diff = "".join(difflib.unified_diff(
        expected.splitlines(keepends=True), actual.splitlines(keepends=True),
        fromfile=f"expected {what}", tofile=f"actual {what}"))
    if not diff.endswith("\n"):
        diff += "\n\\ No newline at end\n"
    raise AssertionError(f"{what} differs:\n{diff}\n{result}")


def expect_stderr(result: Result, expected: str, *, code: Optional[int] = None,
                  out: Optional[str] = "", **placeholders: Any) -> None:
    """Compare the whole stderr of `result` with `expected`, as git's
    test_cmp does, and show a diff when they differ.

    Variable parts are written as placeholders: `expect_stderr(r, "fatal:
    cannot read '$TMP/x'\\n", TMP=tmp_path)` replaces every occurrence of
    tmp_path in the actual stderr by `$TMP` before comparing. `code`, when
    given, is the expected exit code; `out` the expected whole stdout (""
    by default: an error path prints nothing there; None: not checked),
    with the same placeholders."""
    if code is not None and result.code != code:
        raise AssertionError(f"expected exit code {code}\n{result}")
    _compare("stderr", result, expected, placeholders)
    if out is not None:
        _compare("stdout", result, out, placeholders)


def expect_stdout(result: Result, expected: str, *, code: Optional[int] = None,
                  **placeholders: Any) -> None:
    """expect_stderr()'s counterpart for the whole stdout."""
    if code is not None and result.code != code:
        raise AssertionError(f"expected exit code {code}\n{result}")
    _compare("stdout", result, expected, placeholders)


def hop(env: Mapping[str, str], cwd: PathLike, *args: PathLike, **kwargs: Any) -> Result:
    """`git hop <args>`; keyword arguments as for run()."""
    return run(env, "git", "hop", *args, cwd=cwd, **kwargs)


def git(env: Mapping[str, str], cwd: PathLike, *args: PathLike) -> str:
    """`git <args>`, which must succeed; returns stdout stripped."""
    return run(env, "git", *args, cwd=cwd, check=True).out.strip()


def in_order(lines: Sequence[str], *patterns: str) -> bool:
    """Whether the first line matching each regular expression comes after
    the first matching the one before (every pattern must match)."""
    at = [next(i for i, l in enumerate(lines) if re.search(p, l)) for p in patterns]
    return at == sorted(at) and len(set(at)) == len(at)


def kill_at_step(
    env: Mapping[str, str], argv: Sequence[PathLike], *, cwd: PathLike, step: str,
    nth: int = 1, trace: Path, timeout: float = TIMEOUT,
) -> Optional[str]:
    """Run git-hop's `argv` (git-hop itself, so that its pid is git-hop's)
    traced to `trace`, and SIGKILL it when it stops (GIT_HOP_TRACE_STOP) at
    the `nth` trace line that contains `step`: the state of that very step.
    Returns None when it was killed there, else what it printed (it ended
    first)."""
    Path(trace).unlink(missing_ok=True)
    e = dict(env, GIT_HOP_TRACE=os.fspath(trace), GIT_HOP_TRACE_STOP=step)
    proc = subprocess.Popen([os.fspath(a) for a in argv], cwd=os.fspath(cwd), env=e,
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    seen = 0
    watchdog = threading.Timer(timeout, lambda: os.kill(proc.pid, signal.SIGKILL))
    watchdog.start()
    try:
        while True:
            _, status = os.waitpid(proc.pid, os.WUNTRACED)
            if not os.WIFSTOPPED(status):
                proc.returncode = os.waitstatus_to_exitcode(status)
                text = Path(trace).read_text(errors="replace") if Path(trace).exists() else ""
                return f"exit status {proc.returncode} before step {step!r} #{nth}\n{text}"
            seen += 1
            if seen == nth:
                os.kill(proc.pid, signal.SIGKILL)
                os.waitpid(proc.pid, 0)
                proc.returncode = -signal.SIGKILL
                return None
            os.kill(proc.pid, signal.SIGCONT)
    finally:
        watchdog.cancel()


# --------------------------------------------------------------------------
# The private PostgreSQL cluster


def pg_bindir() -> Path:
    """Directory of initdb/pg_ctl/pg_dump (not on PATH on Debian)."""
    try:
        out = subprocess.run(
            ["pg_config", "--bindir"],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError) as e:
        raise RuntimeError(f"pg_config --bindir failed ({e}); run tools/setup") from None
    bindir = Path(out)
    if not (bindir / "initdb").exists():
        raise RuntimeError(f"no initdb in {bindir}; run tools/setup")
    return bindir


def clean_pg_environ(base: Optional[Mapping[str, str]] = None) -> dict:
    """A copy of `base` (default os.environ) without any PG* variable."""
    env = dict(os.environ if base is None else base)
    for key in list(env):
        if key.startswith("PG"):
            del env[key]
    return env


class Cluster:
    """A throw-away, socket-only PostgreSQL cluster in /tmp.

    `host` is the socket directory, `user` the superuser ('postgres'),
    `port` the (socket) port, `bindir` where initdb/pg_ctl/pg_dump live.
    """

    PORT = 5432  # only names the socket file: no TCP listener

    def __init__(self) -> None:
        self.user = "postgres"
        self.port = self.PORT
        self.bindir = pg_bindir()
        self.base = Path(tempfile.mkdtemp(prefix="git-hop-pg-", dir="/tmp"))
        self.data = self.base / "data"
        self.host = str(self.base / "sock")
        self.log = self.base / "postgres.log"
        self._as_root = os.geteuid() == 0
        self._running = False

    # -- commands run as the cluster owner
    def _owner_cmd(self, *argv: PathLike) -> list:
        cmd = [os.fspath(a) for a in argv]
        if self._as_root:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        return cmd

    def _run_owner(self, *argv: PathLike, check: bool = True) -> subprocess.CompletedProcess:
        proc = subprocess.run(
            self._owner_cmd(*argv),
            cwd=self.base,  # a directory postgres can read
            env=clean_pg_environ(),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
        )
        if check and proc.returncode != 0:
            raise RuntimeError(
                f"{' '.join(proc.args)} failed with exit code {proc.returncode}\n"
                f"{proc.stdout}{proc.stderr}{self._log_tail()}"
            )
        return proc

    def _log_tail(self) -> str:
        try:
            return "--- postgres.log ---\n" + self.log.read_text(errors="replace")[-4000:]
        except OSError:
            return ""

    def start(self) -> "Cluster":
        try:
            self._init_and_start()
        except BaseException:
            self.stop()
            raise
        atexit.register(self.stop)  # in case the session dies before teardown
        return self

    def _init_and_start(self) -> None:
        os.mkdir(self.host)
        if self._as_root:
            try:
                pw = pwd.getpwnam("postgres")
            except KeyError:
                raise RuntimeError("no 'postgres' user: run tools/setup") from None
            for path in (self.base, Path(self.host)):
                os.chown(path, pw.pw_uid, pw.pw_gid)
        self._run_owner(
            self.bindir / "initdb",
            "-D", self.data,
            "-U", self.user,
            "-A", "trust",
            "-E", "UTF8",
            "--locale=C.UTF-8",
            "--no-sync",
        )
        options = (
            f"-c listen_addresses='' -k {self.host} -c port={self.port} -c fsync=off"
        )
        self._running = True  # from here on, stop() must try pg_ctl stop
        self._run_owner(
            self.bindir / "pg_ctl", "-w", "-D", self.data, "-l", self.log,
            "-o", options, "start",
        )

    def stop(self) -> None:
        """Stop the server (-m immediate) and remove every file. Idempotent."""
        if self._running:
            self._running = False
            self._run_owner(
                self.bindir / "pg_ctl", "-D", self.data, "-m", "immediate", "stop",
                check=False,
            )
        if self.base.exists():
            shutil.rmtree(self.base, ignore_errors=True)

    def connect(self, dbname: str = "postgres"):
        """A psycopg2 connection in autocommit mode (close it yourself)."""
        conn = psycopg2.connect(
            host=self.host, port=self.port, user=self.user, dbname=dbname
        )
        conn.autocommit = True
        return conn

    def __repr__(self) -> str:
        return f"<Cluster host={self.host} user={self.user}>"


# --------------------------------------------------------------------------
# SQL


def sql(cluster: Cluster, dbname: str, query: str, params: Any = None) -> list:
    """Run one query in `dbname` (autocommit); returns its rows as tuples
    ([] for statements that return none)."""
    with contextlib.closing(cluster.connect(dbname)) as conn:
        with conn.cursor() as cur:
            cur.execute(query, params)
            if cur.description is None:
                return []
            return cur.fetchall()


def db_exists(cluster: Cluster, name: str) -> bool:
    rows = sql(cluster, "postgres", "select 1 from pg_database where datname = %s", (name,))
    return bool(rows)


def schema_exists(cluster: Cluster, dbname: str, schema: str) -> bool:
    rows = sql(cluster, dbname, "select 1 from pg_namespace where nspname = %s", (schema,))
    return bool(rows)


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def create_database(cluster: Cluster, name: str) -> None:
    sql(cluster, "postgres", f"create database {quote_ident(name)}")


def drop_database(cluster: Cluster, name: str) -> None:
    """Drop `name` if it exists, closing its connections."""
    sql(cluster, "postgres", f"drop database if exists {quote_ident(name)} with (force)")


# --------------------------------------------------------------------------
# half_orm (design §12): HOP_HALF_ORM names a folder to put on PYTHONPATH,
# else half_orm must be importable as it is. Never skipped.

HALF_ORM_HOWTO = """\
the end-to-end tests need half_orm, and found none:
  - set HOP_HALF_ORM to a folder that holds the half_orm package (CI: .ci/run
    sets it to ../shared/third_party/half_orm-0.16.0), or
  - install half_orm for /usr/bin/python3 (pip install half_orm), or
  - run tools/setup where a Python package index is reachable: it installs
    half_orm into a virtual environment under the build folder, which
    tools/test then uses."""


def half_orm_problem() -> Optional[str]:
    """Why the commands under test could not import half_orm, or None."""
    folder = os.environ.get("HOP_HALF_ORM")
    if folder:
        if not (Path(folder) / "half_orm" / "__init__.py").is_file():
            return f"HOP_HALF_ORM={folder} holds no half_orm package\n{HALF_ORM_HOWTO}"
        return None
    import importlib.util

    if importlib.util.find_spec("half_orm") is None:
        return HALF_ORM_HOWTO
    return None


def python_path() -> Optional[str]:
    """PYTHONPATH for the commands under test: HOP_HALF_ORM first."""
    parts = [p for p in (os.environ.get("HOP_HALF_ORM"), os.environ.get("PYTHONPATH")) if p]
    return os.pathsep.join(parts) if parts else None


# --------------------------------------------------------------------------
# The environment of the commands under test

GITCONFIG = """\
[user]
\tname = Hop Tester
\temail = tester@example.invalid
[init]
\tdefaultBranch = main
"""

# Variables of the caller that must not leak into the commands under test
# (besides every GIT_*, PG* and LC_* one).
_DROPPED = {"LANGUAGE", "XDG_CONFIG_HOME", "VISUAL", "EDITOR", "PSQLRC"}


def make_env(base: Path, cluster, git_hop_bin: Path, git_hop_prefix: Path) -> dict:
    """A clean environment under `base`: its own HOME (with a git identity)
    and HALFORM_CONF_DIR, the cluster's PGHOST/PGUSER, git-hop first on PATH,
    half_orm on PYTHONPATH (HOP_HALF_ORM), no variable of the caller that
    could steer git, libpq or an editor."""
    home = base / "home"
    home.mkdir()
    (home / ".gitconfig").write_text(GITCONFIG)
    halform = base / "halform"
    halform.mkdir()
    result = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("GIT_", "PG", "LC_")) and k not in _DROPPED
    }
    result.update(
        HOME=str(home),
        PATH=f"{git_hop_bin}{os.pathsep}{os.environ.get('PATH', os.defpath)}",
        PGHOST=cluster.host,
        PGUSER=cluster.user,
        GIT_CONFIG_NOSYSTEM="1",
        HALFORM_CONF_DIR=str(halform),
        LANG="C.UTF-8",
        TZ="UTC",
        NO_COLOR="1",
        MANPATH=f"{git_hop_prefix / 'share' / 'man'}:",
        MANPAGER="cat",
        PAGER="cat",
        GIT_PAGER="cat",
        EDITOR="false",  # a command that wants an editor fails instead of hanging
    )
    if python_path():
        result["PYTHONPATH"] = python_path()
    return result
