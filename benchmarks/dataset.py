#!/usr/bin/env python3
"""The dataset stage's evaluators side by side: plain Python (the one of the built-in rules) against GX.

    python benchmarks/dataset.py                      # the 10,000-record shared-image export
    python benchmarks/dataset.py --file big.json --repeat 5

Each run is a fresh process (so GX's import is paid as a real run pays it) that checks the
file with ``--select FL6`` (the record stage collects facts only) and then runs the dataset
stage with one evaluator: ``plain`` (``feedlint.rules._pyeval.PLAIN``, the default) or ``gx``
(``feedlint.rules._expect.GX``, what Data Docs and your suites' other kinds use).  The two
alternate run by run; the best of ``--repeat`` counts.  Printed per evaluator: the dataset
stage's wall time (its evaluator's imports included), the whole run's, the process's peak RSS,
and ``uptime`` before and after (other processes share the machine).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "benchmarks" / "data"

ONE = """
import json, resource, sys, time
started = time.perf_counter()
from feedlint.config import Config
from feedlint.engine import Engine
from feedlint.planning import Choices, build_plan
from feedlint.registry import load_catalogue

evaluator = None
if sys.argv[2] == "gx":
    from feedlint.rules._expect import GX as evaluator
plan = build_plan(load_catalogue(plugins=False), Config(values={}), Choices(select=["FL6"]))
engine = Engine(plan, jobs=int(sys.argv[3]), keep_fixes=False, dataset_evaluator=evaluator)
marks = {}
stage = engine._dataset_findings
def timed(paths):
    marks["records"] = time.perf_counter()
    yield from stage(paths)
    marks["dataset"] = time.perf_counter()
engine._dataset_findings = timed
findings = list(engine.run([sys.argv[1]]))
assert not engine.internal_errors and not engine.setup_errors, (engine.internal_errors, engine.setup_errors)
print(json.dumps({"findings": len(findings), "stage": marks["dataset"] - marks["records"], "total": time.perf_counter() - started,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def once(path: Path, evaluator: str, jobs: int) -> dict:
    done = subprocess.run([sys.executable, "-c", ONE, str(path), evaluator, str(jobs)], capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"{evaluator}: {done.stderr.strip()}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--file", type=Path, default=DATA / "10k-shared.json", help="export to check (default: the 10k shared-image one, generated when missing)")
    ap.add_argument("--repeat", type=int, default=3, help="runs per evaluator, alternated; the best counts (default 3)")
    ap.add_argument("--jobs", type=int, default=2, help="worker processes of the record stage (default 2)")
    args = ap.parse_args()
    if not args.file.exists():
        args.file.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, str(ROOT / "benchmarks" / "generate.py"), "--records", "10000", "--shared-image", "--defects", "0.03", "--out", str(args.file)], check=True)
    print(f"{args.file} ({args.file.stat().st_size / 1e6:,.0f} MB), --select FL6 --jobs {args.jobs}, best of {args.repeat}, alternated")
    print("before:", uptime())
    runs: dict[str, list[dict]] = {"plain": [], "gx": []}
    for _ in range(args.repeat):
        for name in runs:
            runs[name].append(once(args.file, name, args.jobs))
            print(f"  {name:<5} {runs[name][-1]}", flush=True)
    print("after: ", uptime())
    for name, rs in runs.items():
        best = min(rs, key=lambda r: r["stage"])
        print(f"{name:<5} dataset stage {best['stage']:6.2f} s  whole run {min(r['total'] for r in rs):6.2f} s  peak RSS {max(r['peak_mb'] for r in rs):5.0f} MB  findings {best['findings']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
