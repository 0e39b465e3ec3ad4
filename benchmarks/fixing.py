#!/usr/bin/env python3
"""``check --fix`` / ``--diff`` beside plain ``check`` on one export: fix rate, wall time, peak memory.

Each command runs as its own process under ``/usr/bin/time -v`` (peak
resident memory; wall time from the clock here), on a copy of the export for
``--fix``.  The FL2xx findings are counted before and after with
``check --format json``.  Run side by side in one go: the machine may be
shared, so compare the ratios and note the load (printed); on a loaded
machine compare CPU time too (check's worker processes get a larger share).

    python benchmarks/generate.py --records 10000 --defects 0.2 --out /tmp/10k.json
    python benchmarks/fixing.py /tmp/10k.json [--unsafe]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path


def feedlint() -> list[str]:
    exe = Path(sys.executable).with_name("feedlint")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "feedlint"]


def timed(args: list[str], out: str = os.devnull) -> tuple[float, float, int, float]:
    """(seconds, peak MB, exit code, CPU seconds: user + system, worker processes included) of one command, its stdout written to ``out``."""
    with open(out, "wb") as sink:
        t0 = time.perf_counter()
        r = subprocess.run(["/usr/bin/time", "-v", *args], stdout=sink, stderr=subprocess.PIPE, text=True)
        seconds = time.perf_counter() - t0
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", r.stderr)
    cpu = sum(float(x) for x in re.findall(r"(?:User|System) time \(seconds\): ([\d.]+)", r.stderr))
    return seconds, int(m.group(1)) / 1024 if m else float("nan"), r.returncode, cpu


def fl2(path: str) -> Counter:
    r = subprocess.run([*feedlint(), "check", "--format", "json", "--select", "FL2", "--fail-on", "never", path], capture_output=True, text=True)
    return Counter(f["rule"] for f in json.loads(r.stdout))


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("export")
    p.add_argument("--unsafe", action="store_true", help="also apply the unsafe fixes")
    p.add_argument("--jobs", type=int, help="-j N for every command (1: all in one process, to compare the work itself)")
    a = p.parse_args(argv)
    size = os.path.getsize(a.export) / 1e6
    print(f"export: {a.export} ({size:.1f} MB); load before: {os.getloadavg()[0]:.2f}; cores: {os.cpu_count()}; jobs: {a.jobs or 'default'}")
    extra = ["--unsafe-fixes"] if a.unsafe else []
    jobs = ["-j", str(a.jobs)] if a.jobs else []
    extra += jobs
    with tempfile.TemporaryDirectory() as tmp:
        copy = os.path.join(tmp, os.path.basename(a.export))
        shutil.copyfile(a.export, copy)
        before = fl2(copy)
        rows = [
            ("check", timed([*feedlint(), "check", *jobs, "--format", "json", "--fail-on", "never", a.export])),
            ("check --diff", timed([*feedlint(), "check", "--diff", *extra, a.export], os.path.join(tmp, "diff.out"))),
            ("check --diff --format json-patch", timed([*feedlint(), "check", "--diff", "--format", "json-patch", *extra, a.export], os.path.join(tmp, "patch.json"))),
            ("check --fix (fix, then report)", timed([*feedlint(), "check", "--fix", *extra, "--format", "json", "--fail-on", "never", copy])),
        ]
        diff_mb = os.path.getsize(os.path.join(tmp, "diff.out")) / 1e6
        after = fl2(copy)
        again = timed([*feedlint(), "check", "--fix", *extra, "--fail-on", "never", copy])
        changed_again = False  # a second run must change nothing
        shutil.copyfile(copy, copy + ".2")
        timed([*feedlint(), "check", "--fix", *extra, "--fail-on", "never", copy + ".2"])
        changed_again = Path(copy).read_bytes() != Path(copy + ".2").read_bytes()
    base, base_cpu = rows[0][1][0], rows[0][1][3]
    print(f"{'command':40} {'wall s':>8} {'x check':>8} {'CPU s':>8} {'x check':>8} {'peak MB':>8}")
    for name, (seconds, peak, _, cpu) in rows:
        print(f"{name:40} {seconds:8.1f} {seconds / base:8.2f} {cpu:8.1f} {cpu / base_cpu:8.2f} {peak:8.0f}")
    print("(a loaded machine shares its cores per process: check's --jobs workers get more of them than the one-process fix stage; compare CPU too)")
    print(f"diff output: {diff_mb:.1f} MB")
    total_before, total_after = sum(before.values()), sum(after.values())
    removed = 1 - total_after / total_before if total_before else 0.0
    print(f"FL2xx findings: {total_before} before, {total_after} after --fix{' --unsafe-fixes' if a.unsafe else ''}: {removed:.1%} removed")
    for rule in sorted(before | after):
        print(f"  {rule}: {before[rule]} -> {after[rule]}")
    print(f"second --fix changed something: {changed_again} ({again[0]:.1f} s); load after: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
