"""Where one git-hop run spends its time, from its GIT_HOP_TRACE file.

git-hop stamps each trace line when its event ends ("HH:MM:SS.micro trace:
<text>"), and most lines carry the event's duration ("(3.1 ms)" or "in 54.3
ms"). bench/apply, bench/upgrade and bench/bigscript run git-hop once with
GIT_HOP_TRACE=<file> and split the run into phases:

    import hoptrace
    run = hoptrace.traced(["git", "hop", "upgrade"], "/tmp/x/trace.txt")
    phases = hoptrace.breakdown(run, classify)
    hoptrace.show("git hop upgrade, 100 scripts", run, phases)

`classify(text)` names the phase of an event, or returns None for a line
whose time the other events already count (a summary line such as
"codegen: read the catalog ... (7.3 ms)" that spans the queries before it,
a NOTICE). The time between two events is client work. By default it
finishes the previous event (reading its result, comparing a dump,
fsync'ing a file) and is counted in the phase of the event before it;
`classify` may instead return (phase, gap phase) to name it, e.g. for a
line that marks the end of untimed work ("git: commit ..."). The time from
the spawn to the first event (exec, config, git) and from the last event to
the reaped exit have phases of their own.
"""

import os
import re
import subprocess
import sys
import time

STAMP = re.compile(r"^(\d\d):(\d\d):(\d\d)\.(\d{6}) trace: (.*)$")
DURATION = re.compile(r"\((\d+(?:\.\d+)?) ms\)$|in (\d+(?:\.\d+)?) ms$")


class Run:
    """One traced run: its wall time and its events (end ms, ms, text),
    times in ms since the spawn."""

    def __init__(self, wall_ms, events, path):
        self.wall_ms = wall_ms
        self.events = events
        self.path = path


def _ms_of_day(t):
    lt = time.localtime(t)
    return (lt.tm_hour * 3600 + lt.tm_min * 60 + lt.tm_sec + (t % 1)) * 1e3


def traced(argv, path, env=None, cwd=None):
    """Run argv once with GIT_HOP_TRACE=path; exit on failure."""
    if os.path.exists(path):
        os.remove(path)
    e = dict(os.environ if env is None else env, GIT_HOP_TRACE=path)
    t0 = time.time()
    p0 = time.perf_counter()
    r = subprocess.run(argv, env=e, cwd=cwd, stdin=subprocess.DEVNULL,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wall = (time.perf_counter() - p0) * 1e3
    if r.returncode != 0:
        sys.stderr.write(r.stderr.decode(errors="replace"))
        sys.exit(f"bench: traced {' '.join(argv)} failed")
    spawn = _ms_of_day(t0)
    events = []
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            m = STAMP.match(line.rstrip("\n"))
            if not m:
                continue
            h, mi, s, us, text = m.groups()
            end = (int(h) * 3600 + int(mi) * 60 + int(s)) * 1e3 + int(us) / 1e3
            if end < spawn - 1000:  # past midnight
                end += 86400e3
            d = DURATION.search(text)
            ms = float(d.group(1) or d.group(2)) if d else 0.0
            events.append((end - spawn, ms, text))
    return Run(wall, events, path)


def breakdown(run, classify, start="start: exec, config, git",
              tail="after the last event, until exit"):
    """Phases of `run` in order of first appearance: {name: ms}."""
    phases = {}

    def add(name, ms):
        phases[name] = phases.get(name, 0.0) + ms

    events = []
    for end, ms, text in run.events:
        phase = classify(text)
        if phase is None:
            continue
        gap = None
        if isinstance(phase, tuple):
            phase, gap = phase
        events.append((end, ms, phase, gap))
    first = events[0][0] - events[0][1] if events else run.wall_ms
    add(start, max(0.0, first))
    prev_end, prev_phase = first, start
    for end, ms, phase, gap in events:
        begin = end - ms
        add(gap or prev_phase, max(0.0, begin - prev_end))
        add(phase, end - max(begin, prev_end))
        prev_end, prev_phase = max(prev_end, end), phase
    add(tail, max(0.0, run.wall_ms - prev_end))
    return phases


def show(label, run, phases, raw=False):
    print()
    print(f"GIT_HOP_TRACE=1 {label}: {run.wall_ms:.0f} ms wall")
    width = max(len(k) for k in phases)
    for name, ms in phases.items():
        print(f"  {name:<{width}}  {ms:8.1f} ms  {100 * ms / run.wall_ms:5.1f} %")
    if raw:
        with open(run.path, encoding="utf-8", errors="replace") as f:
            for line in f:
                print("    " + line.rstrip("\n"))


class UpgradePhases:
    """A classifier for `git hop upgrade` (bench/upgrade, bench/bigscript):
    the phase of each trace line, from the line that starts it (the lines
    that follow belong to it)."""

    NAMES = {
        "read": "connect, read the record",
        "plan": "read the releases' scripts from git, plan",
        "help": "pg_dump --help (does it know --restrict-key?)",
        "drift": "drift check: pg_dump --schema-only, compare",
        "report": "lock report: catalog queries",
        "lock": "lock: connect to 'postgres', pg_try_advisory_lock",
        "reread": "read the record again, under the lock",
        "backup": "backup: pg_dump -Fc, fsync, rename, fsync dir",
        "restored": "drift check: pg_restore --schema-only of the backup, compare",
        "migrate": "half_orm_meta up to date? (a transaction)",
    }

    def __init__(self):
        self.stage = "read"

    def __call__(self, text):
        if text.startswith("db: NOTICE"):
            return None
        before = self.stage
        if text.startswith("run: pg_dump --help"):
            self.stage = "help"
        elif text.startswith("run: pg_dump") and "--schema-only" in text:
            self.stage = "drift"
        elif text.startswith("sql: with w as") and self.stage in ("read", "help", "drift"):
            self.stage = "report"
        elif text.startswith("db: connected to 'postgres'"):
            self.stage = "lock"
        elif self.stage == "lock" and text.startswith("sql: select") and "advisory" not in text:
            self.stage = "reread"
        elif text.startswith("run: pg_dump -Fc"):
            self.stage = "backup"
        elif text.startswith("run: pg_restore") and "--schema-only" in text:
            self.stage = "restored"
        elif self.stage in ("backup", "restored") and text.startswith("sql: BEGIN"):
            self.stage = "migrate"
        elif text.startswith("sql: set local lock_timeout"):
            self.stage = "scripts"
        if before == "read" and self.stage in ("help", "drift", "report"):
            # Before it: reading the scripts from git, checking them against
            # the notes, the plan.
            return self.NAMES[self.stage], self.NAMES["plan"]
        if self.stage != "scripts":
            return self.NAMES[self.stage]
        if "half_orm_meta.hop_script" in text:
            return "record the scripts (one INSERT a release)"
        if "half_orm_meta.hop_release" in text or "half_orm_meta.database" in text:
            return "record the release"
        if text.startswith("sql: COMMIT"):
            return "COMMIT"
        if text.startswith(("sql: BEGIN", "sql: set local")):
            return "BEGIN, set lock_timeout"
        return "the scripts (a round trip each)"
