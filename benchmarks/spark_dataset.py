#!/usr/bin/env python3
"""The dataset stage (FL6xx) on the local engine and on Spark ``local[2]``, on FL6xx-heavy exports.

    python benchmarks/spark_dataset.py                          # shared-image at 10,000 and 20,000 records
    python benchmarks/spark_dataset.py --case one-content-id --sizes 5000 10000

For each size: the adversarial export (``benchmarks/adversarial.py``: every record shares
one attachment token, or one content_id, or one article) is written to ``benchmarks/data/``,
then checked by ``feedlint check --format json -o /dev/null`` with the local engine
(``--jobs 1``) and with ``--engine spark --spark-master local[2]`` (fresh processes, JVM
start included): wall time and CPU time (user + system, children included: the JVM and its
Python workers).  Then one Spark run in this process, instrumented: the dataset stage's
wall time, the fact rows in the Spark DataFrame, the rows the driver was given back, and
the dataset findings.  ``uptime`` before and after: the machine may be shared.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "benchmarks" / "data"
BIN = Path(sys.executable).parent


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def export(case: str, n: int) -> Path:
    path = DATA / f"adversarial-{case}-{n}.json"
    if not path.exists():
        spec = importlib.util.spec_from_file_location("adversarial", ROOT / "benchmarks" / "adversarial.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        DATA.mkdir(parents=True, exist_ok=True)
        with open(path, "wb") as f:
            module.write_case(case, n, f)
    return path


def timed(args: list[str]) -> tuple[float, float]:
    """(wall, CPU) seconds of one ``feedlint`` process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([str(BIN / "feedlint"), *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def tree_cpu() -> float:
    """CPU seconds of this process and every process below it (the JVM, its Python workers), from /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    parents: dict[int, int] = {}
    times: dict[int, float] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(entry)] = int(fields[1])
        times[int(entry)] = sum(int(x) for x in fields[11:15]) / tick  # utime, stime, and reaped children's
    mine, total, grew = {os.getpid()}, 0.0, True
    while grew:
        grew = False
        for pid, parent in parents.items():
            if parent in mine and pid not in mine:
                mine.add(pid)
                grew = True
    return sum(times.get(pid, 0.0) for pid in mine)


def instrumented(path: Path, spark: bool = True) -> dict:
    """One run in this process (Spark, or the local engine in one process): the dataset stage's time and what the driver held."""
    from feedlint.config import load_config
    from feedlint.engine import Engine
    from feedlint.planning import Choices, build_plan
    from feedlint.registry import load_catalogue

    plan = build_plan(load_catalogue(), load_config(None), Choices())
    executor = table = None
    if spark:
        from feedlint.spark.evaluator import SparkEvaluator
        from feedlint.spark.executor import SparkExecutor

        executor = SparkExecutor(plan, "local[2]")
        table = executor.fact_table()
        executor.keep_session = True
        engine = Engine(plan, executor=executor, table=table, dataset_evaluator=SparkEvaluator(table))
        executor.expect([str(path)], [path.name], False)
    else:
        engine = Engine(plan)
    stage = {}
    original = engine._dataset_findings

    def timed_dataset(paths):
        start, cpu = time.perf_counter(), tree_cpu()
        yield from original(paths)
        stage["wall"], stage["cpu"] = time.perf_counter() - start, tree_cpu() - cpu

    engine._dataset_findings = timed_dataset
    found = [f for f in engine.run([str(path)], [path.name])]
    out = {"dataset_wall": stage.get("wall", 0.0), "dataset_cpu": stage.get("cpu", 0.0), "rows": len(engine.table), "given_back": table.collected if table is not None else len(engine.table),
           "dataset_findings": sum(f.rule_id.startswith("FL6") for f in found), "findings": len(found)}
    if executor is not None:
        executor.shutdown()
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--case", default="shared-image")
    p.add_argument("--sizes", type=int, nargs="+", default=[10_000, 20_000])
    p.add_argument("--no-instrumented", action="store_true")
    p.add_argument("--local-stage-only", action="store_true", help="only the local engine's dataset stage, instrumented")
    p.add_argument("--instrumented-only", action="store_true", help="only the instrumented Spark run")
    args = p.parse_args(argv)
    print("before:", uptime())
    for n in args.sizes:
        path = export(args.case, n)
        size = path.stat().st_size / 1e6
        if args.local_stage_only:
            info = instrumented(path, spark=False)
            print(f"{args.case} {n} records: local engine, instrumented: dataset stage {info['dataset_wall']:.1f} s wall, {info['dataset_cpu']:.1f} s CPU (JVM and workers included); "
                  f"{info['dataset_findings']} FL6xx findings of {info['findings']}   [{uptime()}]", flush=True)
            continue
        if args.instrumented_only:
            info = instrumented(path)
            print(f"{args.case} {n} records: spark, instrumented: dataset stage {info['dataset_wall']:.1f} s wall, {info['dataset_cpu']:.1f} s CPU (JVM and workers included); {info['rows']} fact rows in Spark, "
                  f"{info['given_back']} given back to the driver; {info['dataset_findings']} FL6xx findings of {info['findings']}   [{uptime()}]", flush=True)
            continue
        local = timed(["check", "--jobs", "1", "--format", "json", "-o", os.devnull, str(path)])
        spark = timed(["check", "--engine", "spark", "--spark-master", "local[2]", "--format", "json", "-o", os.devnull, str(path)])
        print(f"{args.case} {n} records ({size:.1f} MB): local --jobs 1 {local[0]:.1f} s wall, {local[1]:.1f} s CPU; "
              f"spark local[2] {spark[0]:.1f} s wall, {spark[1]:.1f} s CPU   [{uptime()}]", flush=True)
        if not args.no_instrumented:
            info = instrumented(path)
            print(f"  spark, instrumented: dataset stage {info['dataset_wall']:.1f} s wall, {info['dataset_cpu']:.1f} s CPU (JVM and workers included); {info['rows']} fact rows in Spark, "
                  f"{info['given_back']} given back to the driver; {info['dataset_findings']} FL6xx findings of {info['findings']}", flush=True)
    print("after:", uptime())
    return 0


if __name__ == "__main__":
    sys.exit(main())
