"""Fault injection (issue 9, "Must show"; design §11 and §11.1).

`release`, `release --push`, `apply`, `undo` and `new` are killed with
SIGKILL at each step, then at random moments, and after each kill:

- every release tag on hop_main has its note, no release commit is there
  twice, and hop_main is at a release or in a state that `git hop status`
  names (with the command that repairs it);
- the next run of the same command completes, and then every release tag on
  hop_main has its note and its database row (with its commit), status
  names nothing, and no scratch database is left.

The steps come from the command's own GIT_HOP_TRACE: a first run of each
command, traced, lists its trace lines; each step among them (git: and step: lines, the
lock, the databases renamed or dropped, each program started, a git push
or fetch done) is a kill point. A kill at a step is exact: with
GIT_HOP_TRACE_STOP, git-hop stops itself (SIGSTOP) right after it writes a
trace line holding the step's text; it is let go on (SIGCONT) up to the
step's occurrence, then SIGKILLed there. A kill at a random moment is a real SIGKILL from
here, after a delay drawn below the traced run's duration.

Every run starts from the same golden state: the project's directory (and
HOME, HALFORM_CONF_DIR, the bare remote) is copied back, its databases are
cloned back from golden copies, under the same names and paths, so that the
trace of one run is the trace of the next.

`release --push` replays and tests as `release` does: it is killed at its
own steps (the fetch, the lock, the objects, the refs and after, the push),
`release` at the replay's and the tests' too.

Knobs: HOP_FAULT_RANDOM (random kills per command, default 2),
HOP_FAULT_SEED (default: random; printed on failure), HOP_FAULT_STEPS
(at most that many step kills per command, spread over the trace; default:
all).
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

import pytest

import hoptest
from hoptest import make_env, run, sql
from test_release_cycle import FIRST_SQL, TEST_FIRST

RANDOM_POINTS = int(os.environ.get("HOP_FAULT_RANDOM", "2"))
SEED = int(os.environ.get("HOP_FAULT_SEED", str(random.randrange(1 << 30))))
MAX_STEPS = int(os.environ.get("HOP_FAULT_STEPS", "0"))  # 0: every step

PKG = "blog"
# The trace lines that are steps: what git-hop writes (git:, step:), the
# lock, each database it creates, renames or drops, each transaction it
# commits, the package written, each program it starts (not its probes),
# and a git push or fetch just done.
STEPS = re.compile(r"^(git: |step: |deploy: locked|db: (swap|dropped|renamed|ended)|"
                   r"sql: (create|alter|drop) database |sql: COMMIT|codegen: wrote|"
                   r"run: (?!python3 -c |pg_dump --help|psql --version)|done: git )")
# What changes from one run to the next: object ids, temporary paths,
# durations, pids. A kill point is the text of its line up to the first.
VOLATILE = re.compile(r"[0-9a-f]{7,40}|/tmp/git-hop|\d+(?:\.\d+)? ?m?s\b|\bpid \d+|"
                      r"hop-new-\d+")
TRACE_LINE = re.compile(r"^\d\d:\d\d:\d\d\.\d+ trace: (.*)$", re.M)
SCRATCH = ("__hop_apply", "__hop_build", "__hop_check", "__hop_test", "__hop_old")


# --------------------------------------------------------------------------
# Scenarios: a golden state, restored before every run


def quote(name: str) -> str:
    return hoptest.quote_ident(name)


@dataclass
class Scenario:
    name: str
    base: Path  # HOME, HALFORM_CONF_DIR, work/ (and remote.git): restored
    golden: Path  # the saved copy of `base`
    env: dict
    db: str
    cluster: object
    argv: list  # after git-hop
    cwd: Path  # where the command runs
    saved: list = field(default_factory=list)  # (database, golden copy, comment)

    @property
    def project(self) -> Path:
        return self.base / "work" / PKG

    def databases(self) -> list:
        rows = sql(self.cluster, "postgres",
                   "select datname from pg_database where datname = %s"
                   " or starts_with(datname, %s) order by 1",
                   (self.db, self.db + "__hop"))
        return [r[0] for r in rows]

    def save(self) -> None:
        """Make the current state the golden one."""
        shutil.rmtree(self.golden, ignore_errors=True)
        shutil.copytree(self.base, self.golden, symlinks=True)
        for i, name in enumerate(self.databases()):
            copy = f"g{i}_{self.name}_{self.db}"[:63]
            comment = sql(self.cluster, "postgres",
                          "select shobj_description(oid, 'pg_database')"
                          " from pg_database where datname = %s", (name,))[0][0]
            hoptest.drop_database(self.cluster, copy)
            sql(self.cluster, "postgres",
                f"create database {quote(copy)} template {quote(name)}")
            self.saved.append((name, copy, comment))

    def restore(self) -> None:
        for name in self.databases():
            hoptest.drop_database(self.cluster, name)
        shutil.rmtree(self.base, ignore_errors=True)
        shutil.copytree(self.golden, self.base, symlinks=True)
        for name, copy, comment in self.saved:
            sql(self.cluster, "postgres",
                f"create database {quote(name)} template {quote(copy)}")
            if comment is not None:
                sql(self.cluster, "postgres",
                    f"comment on database {quote(name)} is %s", (comment,))

    def drop_all(self) -> None:
        for name in self.databases():
            hoptest.drop_database(self.cluster, name)
        for _, copy, _ in self.saved:
            hoptest.drop_database(self.cluster, copy)

    # -- running
    def command(self, extra_env: Optional[dict] = None) -> list:
        return ["git-hop", *self.argv]

    def hop(self, *args: str, cwd: Optional[Path] = None):
        return run(self.env, "git", "hop", *args, cwd=cwd or self.project)

    def git(self, *args: str) -> str:
        return run(self.env, "git", *args, cwd=self.project, check=True).out.strip()


def make_scenario(name: str, tmp_path_factory, cluster, git_hop_bin, git_hop_prefix,
                  argv: list, *, remote: bool = False, project: bool = True) -> Scenario:
    root = tmp_path_factory.mktemp(f"faults-{name}")
    base = root / "base"
    base.mkdir()
    env = make_env(base, cluster, git_hop_bin, git_hop_prefix)
    work = base / "work"
    work.mkdir()
    db = f"f_{name}_{os.urandom(3).hex()}"
    hoptest.create_database(cluster, db)
    sc = Scenario(name, base, root / "golden", env, db, cluster, argv,
                  work / PKG if project else work)
    if not project:  # `new` runs in work/, on an existing database
        sql(cluster, db, "create table public.first (a text primary key)")
        sc.save()
        return sc

    def hop(*args):
        r = run(env, "git", "hop", *args, cwd=sc.project if sc.project.exists() else work)
        assert r.code == 0, str(r)

    hop("new", PKG, "--devel", "--database", db)
    hop("prepare", "-l", "patch", "-m", "First")
    (sc.project / "Patches/0/0/1/00_first.sql").write_text(FIRST_SQL)
    (sc.project / "tests").mkdir(exist_ok=True)
    (sc.project / "tests/test_db.py").write_text(TEST_FIRST)
    hop("apply")
    sc.git("add", "-A")
    sc.git("commit", "-q", "--no-verify", "-m", "0.0.1: first table")
    if remote:
        run(env, "git", "init", "-q", "--bare", str(base / "remote.git"), cwd=base, check=True)
        sc.git("remote", "add", "origin", str(base / "remote.git"))
    sc.save()
    return sc


# --------------------------------------------------------------------------
# Kill points


def kill_points(trace: str, skip: tuple = ()) -> list:
    """(text, nth): kill at the nth trace line that contains text. Lines
    between skip[0] and skip[1] are left out."""
    lines = TRACE_LINE.findall(trace)
    if skip:
        start = next(i for i, l in enumerate(lines) if l.startswith(skip[0]))
        end = next(i for i, l in enumerate(lines) if l.startswith(skip[1]))
        kept = set(range(len(lines))) - set(range(start + 1, end))
    else:
        kept = set(range(len(lines)))
    points = []
    for i, line in enumerate(lines):
        if i not in kept or not STEPS.match(line):
            continue
        m = VOLATILE.search(line)
        text = line[: m.start()] if m else line
        if len(text) < 8:
            continue
        nth = sum(1 for earlier in lines[: i + 1] if text in earlier)
        if (text, nth) not in points:
            points.append((text, nth))
    if MAX_STEPS and len(points) > MAX_STEPS:
        step = len(points) / MAX_STEPS
        points = [points[int(i * step)] for i in range(MAX_STEPS)]
    return points


def traced_run(sc: Scenario) -> tuple:
    """Run the command once from the golden state, traced: its trace and
    how long it took."""
    sc.restore()
    env = dict(sc.env, GIT_HOP_TRACE="1")
    start = time.monotonic()
    r = run(env, *sc.command(), cwd=sc.cwd)
    elapsed = time.monotonic() - start
    assert r.code == 0, f"the traced run of {sc.argv} failed\n{r}"
    if os.environ.get("HOP_FAULT_DUMP"):
        Path(os.environ["HOP_FAULT_DUMP"], sc.name + ".trace").write_text(r.err)
    return r.err, elapsed


def kill_at(sc: Scenario, text: str, nth: int):
    why = hoptest.kill_at_step(sc.env, sc.command(), cwd=sc.cwd, step=text, nth=nth,
                               trace=sc.base.parent / "kill.trace")
    assert why is None, f"git-hop was not killed at {text!r} #{nth}: {why}"


def kill_after(sc: Scenario, delay: float) -> bool:
    """SIGKILL the command `delay` seconds after it starts; False when it
    was done before."""
    proc = subprocess.Popen(sc.command(), cwd=sc.cwd, env=sc.env,
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        proc.wait(timeout=delay)
        return False
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        return True


# --------------------------------------------------------------------------
# Invariants


def status(sc: Scenario) -> dict:
    r = sc.hop("status", "--format=json")
    assert r.code == 0, str(r)
    return json.loads(r.out)


def release_tags_on_main(sc: Scenario) -> dict:
    """{version: commit} of the annotated X.Y.Z tags on hop_main's
    first-parent history."""
    main = set(sc.git("rev-list", "--first-parent", "hop_main").split())
    out = {}
    for line in sc.git("for-each-ref", "--format=%(refname:short) %(objecttype) %(*objectname)",
                       "refs/tags").splitlines():
        name, kind, commit = (line.split(" ") + ["", ""])[:3]
        if re.fullmatch(r"\d+\.\d+\.\d+", name) and kind == "tag" and commit in main:
            out[name] = commit
    return out


def note_of(sc: Scenario, commit: str) -> Optional[str]:
    r = run(sc.env, "git", "notes", "--ref=hop", "show", commit, cwd=sc.project)
    return r.out if r.code == 0 else None


def release_commits(sc: Scenario) -> list:
    """Subjects of the release commits of every ref ("[X.Y.Z] message",
    not the prepare commits)."""
    subjects = sc.git("log", "--all", "--format=%s").splitlines()
    return [s for s in subjects
            if re.match(r"^\[\d+\.\d+\.\d+\] ", s) and "] prepare: " not in s
            and not s.startswith("[0.0.0] git hop new")]


def rows(sc: Scenario) -> dict:
    if not hoptest.db_exists(sc.cluster, sc.db):
        return {}
    found = sql(sc.cluster, sc.db, "select to_regclass('half_orm_meta.hop_release')")
    if found != [("half_orm_meta.hop_release",)]:
        return {}
    return dict(sql(sc.cluster, sc.db,
                    "select format('%s.%s.%s', major, minor, patch), commit"
                    " from half_orm_meta.hop_release"))


def leftovers(sc: Scenario) -> list:
    return [d for d in sc.databases() if d.endswith(SCRATCH)]


def check_after_kill(sc: Scenario) -> None:
    if not (sc.project / ".hop" / "config").exists():
        return  # `new` killed before its project was in place
    tags = release_tags_on_main(sc)
    for v, commit in tags.items():
        assert note_of(sc, commit), f"tag {v} on hop_main has no note"
    subjects = release_commits(sc)
    assert len(subjects) == len(set(subjects)), f"a release commit twice: {subjects}"
    problems = status(sc)["problems"]
    main = sc.git("rev-parse", "hop_main")
    assert main in tags.values() or problems, \
        "hop_main is at no release and status names nothing"
    for p in problems:
        assert p["repair"], p


def check_complete(sc: Scenario, expect: dict) -> None:
    st = status(sc)
    assert st["problems"] == [], st["problems"]
    tags = release_tags_on_main(sc)
    assert sorted(tags) == expect["tags"], tags
    recorded = rows(sc)
    for v, commit in tags.items():
        assert note_of(sc, commit), f"tag {v} has no note"
        if v in recorded:
            assert recorded[v] == commit, f"row of {v}: {recorded[v]} != {commit}"
    assert sorted(recorded) == expect["rows"], recorded
    subjects = release_commits(sc)
    assert len(subjects) == len(set(subjects)), f"a release commit twice: {subjects}"
    assert leftovers(sc) == [], leftovers(sc)
    if expect.get("clean"):
        assert sc.git("status", "--porcelain") == ""
        assert sc.git("symbolic-ref", "--short", "HEAD") == expect["branch"]
    if expect.get("remote"):
        remote = sc.base / "remote.git"
        theirs = dict(reversed(line.split("\t")) for line in run(
            sc.env, "git", "ls-remote", str(remote), cwd=sc.base, check=True).out.splitlines())
        for ref in ["refs/heads/hop_main", "refs/notes/hop"] + [f"refs/tags/{t}" for t in tags]:
            assert theirs.get(ref) == sc.git("rev-parse", ref), ref


def next_run(sc: Scenario) -> None:
    """Run the command again (as a user would after the kill)."""
    if sc.argv[0] == "new":
        if (sc.project / ".hop" / "config").exists():
            return  # the project was made: nothing to run again
        r = run(sc.env, *sc.command(), cwd=sc.cwd)
        assert r.code == 0, str(r)
        return
    r = run(sc.env, *sc.command(), cwd=sc.cwd)
    if r.code == 128 and "fatal: no release in preparation" in r.err:
        return  # the kill came after the release was complete
    assert r.code == 0, str(r)


# --------------------------------------------------------------------------
# The tests


# release --push replays and tests as release does: those steps are
# release's (killed there); its own are the fetch, the lock, and every step
# from the objects on, the push included.
PUSH_SKIP = ("deploy: locked", "step: release 0.0.1: dumped")

COMMANDS = {
    # name: (argv, scenario options, what the next run must leave)
    "release": (["release"], {}, {"tags": ["0.0.0", "0.0.1"], "rows": ["0.0.0", "0.0.1"],
                                  "clean": True, "branch": "hop_main"}),
    "release-push": (["release", "--push"], {"remote": True},
                     {"tags": ["0.0.0", "0.0.1"], "rows": ["0.0.0", "0.0.1"],
                      "clean": True, "branch": "hop_main", "remote": True}),
    "apply": (["apply"], {}, {"tags": ["0.0.0"], "rows": ["0.0.0", "0.0.1"],
                              "clean": True, "branch": "hop_0.0.1"}),
    "undo": (["undo"], {}, {"tags": ["0.0.0"], "rows": ["0.0.0"]}),
    "new": (["new", PKG, "--devel", "--database", None], {"project": False},
            {"tags": ["0.0.0"], "rows": ["0.0.0"], "clean": True, "branch": "hop_main"}),
}


@pytest.mark.parametrize("name", list(COMMANDS))
def test_09_faults_sigkill_at_every_step_and_at_random(
        name, tmp_path_factory, pg_cluster, git_hop_bin, git_hop_prefix):
    argv, options, expect = COMMANDS[name]
    sc = make_scenario(name.replace("-", "_"), tmp_path_factory, pg_cluster,
                       git_hop_bin, git_hop_prefix, list(argv), **options)
    if None in sc.argv:
        sc.argv[sc.argv.index(None)] = sc.db
    rng = random.Random(f"{SEED}-{name}")
    done = []
    try:
        trace, elapsed = traced_run(sc)
        check_complete(sc, expect)
        points = kill_points(trace, PUSH_SKIP if name == "release-push" else ())
        assert len(points) >= 5, f"too few steps traced:\n{trace}"
        where = None
        try:
            for text, nth in points:
                where = f"at {text!r} #{nth}"
                sc.restore()
                kill_at(sc, text, nth)
                check_after_kill(sc)
                next_run(sc)
                check_complete(sc, expect)
                done.append(where)
            for _ in range(RANDOM_POINTS):
                delay = rng.uniform(0.05, elapsed)
                where = f"after {delay:.3f} s"
                sc.restore()
                kill_after(sc, delay)
                check_after_kill(sc)
                next_run(sc)
                check_complete(sc, expect)
                done.append(where)
        except AssertionError as e:
            raise AssertionError(
                f"{name}: killed {where} (HOP_FAULT_SEED={SEED}; "
                f"{len(done)} kills passed before)\n{e}") from None
    finally:
        sc.drop_all()
