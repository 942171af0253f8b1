#!/usr/bin/env python3
"""Wall time per exec of a few commands, measured interleaved.

Reads the commands on stdin, one per line: NAME<TAB>ARG0<TAB>ARG1...
(ARG0 is looked up on PATH once, up front). Leading VAR=VALUE fields, as
with env(1), are added to that command's environment (no extra exec).
Every round runs each command once, in an order shuffled per round (fixed
seed), so machine noise (CPU frequency, other processes, page cache) hits
every command alike; the first --warmup rounds are discarded, and no new
round starts after --max-seconds (on a loaded machine: fewer runs, same
for every command). Each exec is os.posix_spawn + os.wait4 timed
with a monotonic clock (time.perf_counter_ns), stdin/stdout/stderr on
/dev/null. The driver's own overhead (tens of microseconds) is the same for
every command, so ratios of medians are what to look at.

Prints a table (median, p90, min, median CPU time, peak RSS) and then the
ratios given with --ratio NAME_A/NAME_B[:BUDGET], the absolute budgets
given with --budget NAME:MS and the differences of medians given with
--delta LABEL=NAME_A|NAME_B. Budgets are information only: the exit status
is 0 unless a command fails (non-zero exit or killed by a signal), then 1.
"""

import argparse
import gc
import json
import os
import random
import re
import shutil
import signal
import statistics
import sys
import time


def percentile(sorted_values, fraction):
    """Nearest-rank percentile of an already sorted list."""
    rank = max(1, min(len(sorted_values), round(fraction * len(sorted_values) + 0.5)))
    return sorted_values[rank - 1]


def parse_commands(text):
    commands = []
    for line in text.splitlines():
        if not line.strip():
            continue
        name, *argv = line.split("\t")
        env = dict(os.environ)
        while argv and re.match(r"[A-Za-z_][A-Za-z0-9_]*=", argv[0]):
            var, _, value = argv.pop(0).partition("=")
            env[var] = value
        if not argv:
            sys.exit(f"timer: no command for {name!r}")
        path = argv[0] if "/" in argv[0] else shutil.which(argv[0], path=env.get("PATH"))
        if path is None:
            sys.exit(f"timer: {argv[0]}: not found on PATH")
        commands.append({"name": name, "path": path, "argv": argv, "env": env})
    if len({c["name"] for c in commands}) != len(commands):
        sys.exit("timer: duplicate command names")
    return commands


def run_once(command, file_actions):
    start = time.perf_counter_ns()
    pid = os.posix_spawn(command["path"], command["argv"], command["env"],
                         file_actions=file_actions)
    _, status, usage = os.wait4(pid, 0)
    elapsed = time.perf_counter_ns() - start
    code = os.waitstatus_to_exitcode(status)
    if code not in command.get("ok", (0,)):
        what = f"signal {-code}" if code < 0 else f"exit status {code}"
        sys.exit(f"timer: {command['name']}: {' '.join(command['argv'])}: "
                 f"failed ({what})")
    cpu = usage.ru_utime + usage.ru_stime
    return elapsed / 1e6, cpu * 1e3, usage.ru_maxrss / 1024.0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--max-seconds", type=float, default=0,
                        help="start no new round after this (0: no limit)")
    parser.add_argument("--ratio", action="append", default=[],
                        metavar="A/B[:BUDGET]")
    parser.add_argument("--budget", action="append", default=[],
                        metavar="NAME:MS")
    parser.add_argument("--delta", action="append", default=[],
                        metavar="LABEL=A|B",
                        help="print median(A) - median(B) as LABEL")
    parser.add_argument("--json", metavar="FILE",
                        help="also write the raw samples there")
    args = parser.parse_args()

    commands = parse_commands(sys.stdin.read())
    devnull = [(os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
               (os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0),
               (os.POSIX_SPAWN_OPEN, 2, os.devnull, os.O_WRONLY, 0)]
    samples = {c["name"]: {"wall": [], "cpu": [], "rss": []} for c in commands}
    rng = random.Random(args.seed)

    gc.disable()
    started = time.monotonic()
    runs = 0
    capped = False
    for round_ in range(args.warmup + args.runs):
        if (args.max_seconds and round_ >= args.warmup + min(20, args.runs)
                and time.monotonic() - started > args.max_seconds):
            capped = True
            break
        runs = max(0, round_ + 1 - args.warmup)
        order = list(commands)
        rng.shuffle(order)
        for command in order:
            wall, cpu, rss = run_once(command, devnull)
            if round_ >= args.warmup:
                s = samples[command["name"]]
                s["wall"].append(wall)
                s["cpu"].append(cpu)
                s["rss"].append(rss)
    duration = time.monotonic() - started
    gc.enable()

    medians = {}
    width = max(len(c["name"]) for c in commands)
    cap = (f", stopped at the {args.max_seconds:g} s cap instead of "
           f"{args.runs} runs" if capped else "")
    print(f"{runs} runs each, interleaved in shuffled order after "
          f"{args.warmup} warm-up rounds ({duration:.1f} s{cap})")
    print()
    print(f"{'command':<{width}}  {'median ms':>9}  {'p90 ms':>7}  "
          f"{'min ms':>7}  {'cpu ms':>7}  {'max RSS MiB':>11}")
    for command in commands:
        s = samples[command["name"]]
        wall = sorted(s["wall"])
        medians[command["name"]] = statistics.median(wall)
        print(f"{command['name']:<{width}}  {statistics.median(wall):9.2f}  "
              f"{percentile(wall, 0.9):7.2f}  {wall[0]:7.2f}  "
              f"{statistics.median(s['cpu']):7.2f}  {max(s['rss']):11.1f}")

    lines = []
    for spec in args.ratio:
        pair, _, budget = spec.partition(":")
        a, _, b = pair.partition("/")
        if a not in medians or b not in medians:
            sys.exit(f"timer: --ratio {spec}: unknown command name")
        value = medians[a] / medians[b]
        verdict = ""
        if budget:
            verdict = f"budget <= {float(budget):g}  " + (
                "ok" if value <= float(budget) else "OVER")
        lines.append((f"{a} / {b}", f"{value:.2f} x", verdict))
    for spec in args.budget:
        name, _, budget = spec.rpartition(":")
        if name not in medians:
            sys.exit(f"timer: --budget {spec}: unknown command name")
        value = medians[name]
        verdict = f"budget <= {float(budget):g} ms  " + (
            "ok" if value <= float(budget) else "OVER")
        lines.append((f"{name} (median)", f"{value:.2f} ms", verdict))
    for spec in args.delta:
        label, _, pair = spec.partition("=")
        a, _, b = pair.partition("|")
        if a not in medians or b not in medians:
            sys.exit(f"timer: --delta {spec}: unknown command name")
        lines.append((label, f"{medians[a] - medians[b]:.2f} ms",
                      f"({a} - {b})"))
    if lines:
        print()
        w0 = max(len(l[0]) for l in lines)
        w1 = max(len(l[1]) for l in lines)
        for label, value, verdict in lines:
            print(f"{label:<{w0}}  {value:>{w1}}  {verdict}".rstrip())

    if args.json:
        with open(args.json, "w", encoding="utf-8") as out:
            json.dump({"runs": runs, "warmup": args.warmup,
                       "commands": [{"name": c["name"], "argv": c["argv"]}
                                    for c in commands],
                       "samples": samples}, out)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:  # die of SIGINT, quietly, so the caller sees it
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGINT)
