#!/usr/bin/env python3
"""Execution variants of ``feedlint check`` side by side: wall, total CPU and the main process's CPU.

    python benchmarks/modes.py FILE... [--variant NAME=SETUP | NAME:ARGS]... [--repeat 3] [--check-args "..."]

Each variant is one fresh process per run, the variants alternated run by run
on the same files (a shared machine's load hits them alike).  A variant is
``NAME=SETUP`` where SETUP is Python run before the CLI in that process
(``import feedlint.parallel as p; p._rangeable = lambda *a: False`` to force
the records path on ``main`` at 2242a7f, where ``--tune ranges=false`` did not exist, say, or ``import sys; sys.path.insert(0, DIR)``
to run another checkout's feedlint, e.g. ``git archive main``; empty: as
installed), or ``NAME:ARGS`` for extra CLI arguments (``ranges:--tune
ranges=false``).  Per run: wall time, CPU of the process and its workers (user +
system, children included) and the main process's own CPU (every thread; the
serial share a parallel run cannot spread).  On a 2-core machine shared with
other work compare CPU, not wall; the load is printed with each round.  The
runs start in the temporary directory (no config file, and the working
directory does not shadow another checkout).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

CHILD = r"""
import json, os, resource, sys
setup, out = sys.argv[1], sys.argv[2]
sys.argv = ["feedlint"] + sys.argv[3:]
exec(setup)  # before feedlint is imported: it may put another checkout first on sys.path
from feedlint.cli import main
code = 0
try:
    main()
except SystemExit as exc:
    code = exc.code or 0
me = resource.getrusage(resource.RUSAGE_SELF)
kids = resource.getrusage(resource.RUSAGE_CHILDREN)
with open(out, "w") as f:
    json.dump({"main": me.ru_utime + me.ru_stime, "workers": kids.ru_utime + kids.ru_stime, "code": code}, f)
"""


def run(setup: str, args: list[str]) -> dict:
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as tmp:
        out = tmp.name
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", CHILD, setup, out, "check", *args], cwd=tempfile.gettempdir(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=dict(os.environ, NO_COLOR="1", FEEDLINT_NO_PROGRESS="1"))
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    try:
        with open(out) as f:
            inner = json.load(f)
    finally:
        os.unlink(out)
    if inner["code"] not in (0, 1):
        raise SystemExit(f"exit {inner['code']}: {proc.stderr.decode()[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"wall": wall, "cpu": cpu, "main": inner["main"]}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("files", nargs="+")
    p.add_argument("--variant", action="append", default=[], help="NAME=SETUP (python) or NAME:ARGS (extra CLI arguments)")
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--check-args", default="--ignore FL6 --format json", help="arguments of every run (default: record rules, JSON report)")
    a = p.parse_args()
    variants = []
    for v in a.variant or ["default="]:
        if ":" in v and ("=" not in v or v.index(":") < v.index("=")):
            name, extra = v.split(":", 1)
            variants.append((name, "", extra.split()))
        else:
            name, setup = v.split("=", 1)
            variants.append((name, setup, []))
    for path in a.files:
        runs: dict[str, list[dict]] = {name: [] for name, _, _ in variants}
        for r in range(a.repeat):
            load = os.getloadavg()[0]
            for name, setup, extra in variants:
                got = run(setup, [os.path.abspath(path), *a.check_args.split(), *extra])
                runs[name].append(got)
                print(f"{os.path.basename(path)} round {r + 1} load {load:.1f} {name}: wall {got['wall']:.2f} s, CPU {got['cpu']:.2f} s, main {got['main']:.2f} s", flush=True)
        for name, got in runs.items():
            def stat(key: str) -> str:
                values = [g[key] for g in got]
                return f"min {min(values):.2f} / median {statistics.median(values):.2f}"
            print(f"== {os.path.basename(path)} {name}: wall {stat('wall')}; CPU {stat('cpu')}; main CPU {stat('main')}", flush=True)


if __name__ == "__main__":
    main()
