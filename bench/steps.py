"""Timing of commands that need untimed work around each sample.

bench/timer.py times bare execs; bench/apply, bench/codegen and bench/hooks
need to drop a template, remove a directory or stage a change before each
sample. This module adds that on top of timer.py (same exec, same clock,
same table) and is imported by their Python parts:

    import steps
    cmds = [steps.Step("psql", [["psql", ...]], before=[["psql", "-c", ...]]),
            steps.Step("git hop apply", [["git", "hop", "apply"]])]
    samples, seconds = steps.measure(cmds, rounds=7, warmup=1)
    medians = steps.table(cmds, samples, seconds, rounds=7, warmup=1)
    steps.verdicts([steps.ratio(medians, "git hop apply", "psql", 1.1)])

A step is timed as one or more execs in sequence (their wall and CPU times
add up, the RSS is the largest); `before` and `after` are argv lists or
Python callables run untimed around every sample; `ok` lists the exit
statuses that count as success (default 0). Every round runs each
step once, in an order shuffled per round (fixed seed); the warm-up rounds
are discarded. A failing command (timed or not) ends the run with exit
status 1, never a timing.
"""

import gc
import os
import random
import shutil
import statistics
import subprocess
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import timer  # noqa: E402  (bench/timer.py: run_once, percentile)

_DEVNULL = [(os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
            (os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0),
            (os.POSIX_SPAWN_OPEN, 2, os.devnull, os.O_WRONLY, 0)]


class Step:
    def __init__(self, name, argvs, env=None, before=(), after=(), ok=(0,)):
        self.name = name
        base = dict(os.environ)
        base.update(env or {})
        self.execs = []
        for argv in argvs:
            path = argv[0] if "/" in argv[0] else shutil.which(
                argv[0], path=base.get("PATH"))
            if path is None:
                sys.exit(f"steps: {argv[0]}: not found on PATH")
            self.execs.append({"name": name, "path": path, "argv": list(argv),
                               "env": base, "ok": tuple(ok)})
        self.before = list(before)
        self.after = list(after)


def untimed(action, step):
    if callable(action):
        action()
        return
    r = subprocess.run(action, stdin=subprocess.DEVNULL,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if r.returncode != 0:
        sys.stderr.write(r.stderr.decode(errors="replace"))
        sys.exit(f"steps: {step.name}: {' '.join(action)}: failed "
                 f"(exit status {r.returncode})")


def sample(step):
    """One timed sample of `step`: (wall ms, cpu ms, max RSS MiB)."""
    for action in step.before:
        untimed(action, step)
    wall = cpu = rss = 0.0
    gc.disable()
    for command in step.execs:
        w, c, r = timer.run_once(command, _DEVNULL)
        wall += w
        cpu += c
        rss = max(rss, r)
    gc.enable()
    for action in step.after:
        untimed(action, step)
    return wall, cpu, rss


def measure(steps, rounds, warmup=1, seed=1):
    samples = {s.name: {"wall": [], "cpu": [], "rss": []} for s in steps}
    rng = random.Random(seed)
    started = time.monotonic()
    for round_ in range(warmup + rounds):
        order = list(steps)
        rng.shuffle(order)
        for step in order:
            wall, cpu, rss = sample(step)
            if round_ >= warmup:
                s = samples[step.name]
                s["wall"].append(wall)
                s["cpu"].append(cpu)
                s["rss"].append(rss)
    return samples, time.monotonic() - started


def table(steps, samples, seconds, rounds, warmup, digits=1):
    """Print the table (as bench/timer.py does); return the medians."""
    medians = {}
    width = max(len(s.name) for s in steps)
    print(f"{rounds} runs each, interleaved in shuffled order after "
          f"{warmup} warm-up round{'s' if warmup != 1 else ''} "
          f"({seconds:.1f} s)")
    print()
    print(f"{'command':<{width}}  {'median ms':>9}  {'p90 ms':>8}  "
          f"{'min ms':>8}  {'cpu ms':>7}  {'max RSS MiB':>11}")
    for step in steps:
        s = samples[step.name]
        wall = sorted(s["wall"])
        medians[step.name] = statistics.median(wall)
        d = digits
        print(f"{step.name:<{width}}  {medians[step.name]:9.{d}f}  "
              f"{timer.percentile(wall, 0.9):8.{d}f}  {wall[0]:8.{d}f}  "
              f"{statistics.median(s['cpu']):7.{d}f}  {max(s['rss']):11.1f}")
    return medians


def ratio(medians, a, b, budget=None):
    value = medians[a] / medians[b]
    verdict = ""
    if budget is not None:
        verdict = f"budget <= {budget:g}  " + ("ok" if value <= budget else "OVER")
    return (f"{a} / {b}", f"{value:.2f} x", verdict)


def absolute(label, ms, budget_ms=None, note=""):
    verdict = note
    if budget_ms is not None:
        verdict = f"budget <= {budget_ms:g} ms  " + (
            "ok" if ms <= budget_ms else "OVER") + (f"  {note}" if note else "")
    return (label, f"{ms:.1f} ms", verdict)


def verdicts(lines):
    if not lines:
        return
    print()
    w0 = max(len(l[0]) for l in lines)
    w1 = max(len(l[1]) for l in lines)
    for label, value, verdict in lines:
        print(f"{label:<{w0}}  {value:>{w1}}  {verdict}".rstrip())


def load_line():
    with open("/proc/loadavg", encoding="ascii") as f:
        load = " ".join(f.read().split()[:3])
    return f"{os.cpu_count()} CPUs, load average {load}"
