#!/usr/bin/env python3
"""The local engine's worker processes against the Spark engine on ``local[2]``, side by side.

    python benchmarks/spark.py                  # the 1 GB export (generated into benchmarks/data/ when missing)
    python benchmarks/spark.py --mb 200         # a smaller one
    python benchmarks/spark.py --cores 2 --executors 10 8   # also estimate clusters of 10 executors x 8 cores

Rows (each a fresh ``feedlint check --format json -o /dev/null`` process, one after the other,
so they share the machine's state; ``uptime`` is printed before and after):

* ``local --jobs N``: the local engine, N worker processes (ranges of the file);
* ``spark local[N]``: ``--engine spark --spark-master local[N]``, the JVM's start included;
* ``spark start``: the same on a one-record file: what starting Spark costs.

Then one more Spark run in this process, instrumented, for the cluster estimate:
the executors' time per byte (their per-core rate, from each task's own clock) and the
driver's CPU time in the record stage (planning, shifting results, the report), and the dataset
stage's wall time (FL6xx as Spark aggregations over the fact table kept in the executors).
A cluster of E executors x C cores then takes about::

    start + max(bytes / (rate x E x C), driver record share) + dataset stage

(the driver handles results while the executors run).  The estimate assumes the
executors read the file as fast as this machine's disk, and ignores the network.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "benchmarks" / "data"
BIN = Path(sys.executable).parent


def uptime() -> str:
    try:
        return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    except OSError:
        return "load %.2f %.2f %.2f" % os.getloadavg()


def export(mb: int, layout: str) -> Path:
    path = DATA / f"spark-{mb}mb.{'jsonl' if layout == 'jsonl' else 'json'}"
    if not path.exists():
        DATA.mkdir(parents=True, exist_ok=True)
        print(f"generating {path.name} ({mb} MB, layout {layout}) ...", flush=True)
        subprocess.run([sys.executable, str(ROOT / "benchmarks" / "generate.py"), "--target-mb", str(mb), "--layout", layout, "--out", str(path)], check=True)
    return path


def timed(args: list[str]) -> tuple[float, int]:
    started = time.perf_counter()
    done = subprocess.run([str(BIN / "feedlint"), "check", "--format", "json", "-o", os.devnull, *args], capture_output=True, text=True)
    if done.returncode > 1:
        sys.exit(f"feedlint {' '.join(args)} failed ({done.returncode}): {done.stderr.strip()}")
    return time.perf_counter() - started, done.returncode


def instrumented(path: Path, cores: int) -> dict:
    """One Spark run in this process: executor seconds and bytes, driver CPU per stage."""
    from feedlint.config import load_config
    from feedlint.engine import Engine
    from feedlint.planning import Choices, build_plan
    from feedlint.registry import load_catalogue
    from feedlint.spark.evaluator import SparkEvaluator
    from feedlint.spark.executor import SparkExecutor

    plan = build_plan(load_catalogue(), load_config(None), Choices())
    executor = SparkExecutor(plan, f"local[{cores}]")
    started = time.perf_counter()
    executor.open()
    start_seconds = time.perf_counter() - started
    table = executor.fact_table()  # as the CLI: facts stay in Spark, FL6xx as aggregations there
    engine = Engine(plan, keep_fixes=False, executor=executor, table=table, dataset_evaluator=SparkEvaluator(table))
    marks: dict[str, float] = {}
    dataset = engine._dataset_findings

    def timed_dataset(paths):  # the record stage ends where the dataset stage begins
        marks["records_cpu"], marks["records_wall"] = time.process_time(), time.perf_counter()
        yield from dataset(paths)

    engine._dataset_findings = timed_dataset  # type: ignore[method-assign]
    import json

    cpu0, wall0 = time.process_time(), time.perf_counter()
    executor.expect([str(path)], [path.name], False)
    with open(os.devnull, "w") as sink:
        for finding in engine.run([str(path)], [path.name]):
            sink.write(json.dumps(finding.as_dict()))  # about what the JSON reporter does
    cpu1, wall1 = time.process_time(), time.perf_counter()
    import resource

    return {
        "driver_peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "start": start_seconds,
        "wall": wall1 - wall0,
        "task_seconds": executor.task_seconds,
        "task_bytes": executor.task_bytes,
        "driver_records_cpu": marks.get("records_cpu", cpu1) - cpu0,
        "dataset_wall": wall1 - marks.get("records_wall", wall1),
        "records": engine.stats.records,
        "fact_rows": len(table),
        "rows_given_back": table.collected,
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--mb", type=int, default=1000, help="export size in MB (10^6 bytes; default 1000)")
    p.add_argument("--layout", choices=("pages", "jsonl"), default="pages")
    p.add_argument("--cores", type=int, default=2, help="worker processes / local[N] cores (default 2)")
    p.add_argument("--executors", type=int, nargs=2, action="append", metavar=("E", "C"), help="estimate a cluster of E executors x C cores (repeatable)")
    args = p.parse_args(argv)
    path = export(args.mb, args.layout)
    size = path.stat().st_size
    tiny = DATA / "spark-one-record.json"
    tiny.write_bytes((ROOT / "examples" / "clean-export.json").read_bytes())
    print(f"export: {path.name}, {size / 1e6:.0f} MB, layout {args.layout}; {os.cpu_count()} cores")
    print(f"before: {uptime()}")
    rows = [
        (f"local --jobs {args.cores}", timed(["--jobs", str(args.cores), str(path)])),
        (f"spark local[{args.cores}]", timed(["--engine", "spark", "--spark-master", f"local[{args.cores}]", str(path)])),
        ("spark start (one small file)", timed(["--engine", "spark", "--spark-master", f"local[{args.cores}]", str(tiny)])),
    ]
    print(f"after:  {uptime()}")
    local = rows[0][1][0]
    print(f"\n| run | wall s | MB/s | vs local |\n|---|---|---|---|")
    for name, (seconds, _) in rows:
        print(f"| {name} | {seconds:.1f} | {size / 1e6 / seconds:.0f} | {seconds / local:.2f}x |")
    m = instrumented(path, args.cores)
    rate = m["task_bytes"] / m["task_seconds"] / 1e6 if m["task_seconds"] else float("nan")
    driver_rate = size / 1e6 / m["driver_records_cpu"] if m["driver_records_cpu"] else float("inf")
    print(f"\ninstrumented Spark run (local[{args.cores}], {m['records']} records): start {m['start']:.1f} s, run {m['wall']:.1f} s")
    print(f"  executors: {m['task_seconds']:.1f} task-seconds for {m['task_bytes'] / 1e6:.0f} MB = {rate:.1f} MB/s per core (on a shared machine: a lower bound)")
    print(f"  driver, record stage: {m['driver_records_cpu']:.1f} CPU s ({driver_rate:.0f} MB/s: the most the driver can take in)")
    print(f"  dataset stage (Spark aggregations; on local[{args.cores}] a lower bound of a cluster's speed): {m['dataset_wall']:.1f} s wall; "
          f"{m['fact_rows']} fact rows in Spark, {m['rows_given_back']} given back to the driver")
    print(f"  driver's Python process: peak {m['driver_peak_mb']:.0f} MB (results of two waves, the dataset stage's rows and findings)")
    clusters = args.executors or [[4, 4], [10, 8], [50, 8]]
    print("\n| cluster | executors' share s/GB | driver's record share s/GB | dataset s/GB | estimated GB/min |\n|---|---|---|---|---|")
    gb = size / 1e9
    for e, c in clusters:
        exec_s = 1e3 / (rate * e * c)
        driver_s = m["driver_records_cpu"] / gb
        dataset_s = m["dataset_wall"] / gb
        per_gb = max(exec_s, driver_s) + dataset_s
        print(f"| {e} x {c} cores | {exec_s:.1f} | {driver_s:.1f} | {dataset_s:.1f} | {60 / per_gb:.1f} |")
    print(f"(plus about {m['start']:.0f} s to start Spark here; a cluster's start is its own)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
