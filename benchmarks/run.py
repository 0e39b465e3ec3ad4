#!/usr/bin/env python3
"""Benchmark ``feedlint check`` against ``check-jsonschema`` on generated CMS exports.

    python benchmarks/run.py                 # 10,000-record export (~140 MB), best of 3
    python benchmarks/run.py --big           # also a 1 GB export (one run each)
    python benchmarks/run.py --write         # and rewrite the tables in README.md and docs/performance.md
    make bench                               # the same as the first line
    python benchmarks/run.py --adversarial   # the adversarial cases at n and 2n (growth factors), and
                                             # all rules against check-jsonschema on the shared-image export

Exports are generated into ``benchmarks/data/`` (git-ignored) by
``benchmarks/generate.py`` when missing.  Every command runs as a fresh process,
side by side in one run, so they share the machine's state; the wall time of
each is the best of ``--repeat`` runs (a shared machine only ever makes a run
slower).  Memory is the peak, over one more run of each command, of the
proportional set size (PSS) summed over the process and its workers, sampled
every 20 ms from /proc (so pages shared after a fork count once); elsewhere the
largest process's peak RSS.  Sampling walks the processes' page tables and
slows them, so that run is not timed.

Rows:

* ``check-jsonschema``: the bundled schema only (what it can do);
* ``feedlint FL1``: feedlint's schema rules only: the same work, compared fairly;
* ``feedlint record rules``: every per-record rule (FL1xx-FL5xx; FL7xx are for text articles),
  ``--ignore FL6``: the issue's target, at most half check-jsonschema's time;
* ``feedlint all rules``: also the dataset checks (FL6xx, Great Expectations);
* ``--jobs 1`` rows: the same on one core, for the speed-up.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "benchmarks" / "data"
SCHEMA = ROOT / "schemas" / "cms-export.schema.json"
BIN = Path(sys.executable).parent
MARK_START = "<!-- bench:start -->"
MARK_END = "<!-- bench:end -->"
ADV_START = "<!-- adversarial:start -->"
ADV_END = "<!-- adversarial:end -->"


def tool(name: str) -> str:
    exe = BIN / name
    return str(exe) if exe.exists() else (shutil.which(name) or name)


# -- data -----------------------------------------------------------------------------


def ensure_export(name: str, *args: str) -> Path:
    path = DATA / name
    if not path.exists():
        DATA.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(path.suffix + ".part")
        print(f"generating {path.relative_to(ROOT)} ...", file=sys.stderr, flush=True)
        subprocess.run([sys.executable, str(ROOT / "benchmarks" / "generate.py"), "--out", str(tmp), *args], check=True)
        tmp.rename(path)
    return path


def count_records(path: Path) -> int:
    """Records in a generated export (pages layout), counted by their one known key."""
    key = b'{"content_id":'
    n = 0
    tail = b""
    with open(path, "rb") as f:
        while True:
            block = f.read(1 << 22)
            if not block:
                return n
            joined = tail + block  # a key cut by the block boundary is counted once
            n += joined.count(key) - tail.count(key)
            tail = block[-(len(key) - 1) :]


# -- measuring ------------------------------------------------------------------------


def _tree(pid: int) -> list[int]:
    out = [pid]
    try:
        for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split():
            out.extend(_tree(int(child)))
    except OSError:
        pass
    return out


def _pss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


@dataclass
class Run:
    wall: float
    exit_code: int
    peak_mb: float
    cpu: float = 0.0  # user + system seconds of the process and every worker it waited for
    stdout: bytes = b""
    stderr: bytes = b""


def run_once(cmd: list[str], cwd: Path, env: dict | None = None, sample_memory: bool = False) -> Run:
    """Wall time, exit code and (``sample_memory``) peak memory of one command (all its processes).

    Sampling reads ``/proc/PID/smaps_rollup`` of every process every 20 ms,
    which walks their page tables and slows them (a 2-worker run by 15%), so
    timed runs do not sample and memory comes from a run of its own.
    """
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    peak = [0]
    done = threading.Event()
    can_sample = sample_memory and Path(f"/proc/{proc.pid}/smaps_rollup").exists()

    def sample() -> None:
        while not done.wait(0.02):
            total = sum(_pss_kb(p) for p in _tree(proc.pid))
            peak[0] = max(peak[0], total)

    sampler = threading.Thread(target=sample, daemon=True)
    if can_sample:
        sampler.start()
    out, err = proc.communicate()
    wall = time.perf_counter() - t0
    done.set()
    if can_sample:
        sampler.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    peak_kb = peak[0] or (after.ru_maxrss if sample_memory else 0)  # no /proc: the largest process's peak RSS
    return Run(wall, proc.returncode, peak_kb / 1024, cpu, out, err)


@dataclass
class Row:
    name: str
    file: Path
    records: int
    runs: list[Run] = field(default_factory=list)

    @property
    def best(self) -> Run:
        return min(self.runs, key=lambda r: r.wall)

    memory: Run | None = None  # the run that sampled memory (not timed)

    @property
    def peak_mb(self) -> float:
        return self.memory.peak_mb if self.memory is not None else 0.0


def bench(name: str, cmd: list[str], file: Path, records: int, repeat: int, ok_codes: tuple[int, ...] = (0, 1), memory_run: bool = True) -> Row:
    """``repeat`` timed runs of ``cmd``, then (``memory_run``) one more that samples memory."""
    row = Row(name, file, records)
    for i in range(repeat + memory_run):
        memory = i == repeat  # the last run samples memory and is not timed
        r = run_once(cmd, ROOT, env=dict(os.environ, NO_COLOR="1", FEEDLINT_NO_PROGRESS="1"), sample_memory=memory)
        if r.exit_code not in ok_codes or b"Traceback" in r.stderr:
            sys.stderr.write(r.stderr.decode("utf-8", "replace")[-2000:])
            raise SystemExit(f"{name}: exit code {r.exit_code} from {' '.join(cmd)}")
        if memory:
            row.memory = r
        else:
            row.runs.append(r)
        what = f"{r.peak_mb:7.0f} MB (memory run)" if memory else f"{r.wall:7.2f} s wall {r.cpu:7.2f} s CPU"
        print(f"  {name:<40} run {i + 1}/{repeat + memory_run}: {what}  exit {r.exit_code}", file=sys.stderr, flush=True)
    return row


def compile_sources() -> None:
    """Byte-compile feedlint's own modules first, as installing a wheel does (check-jsonschema's are).

    An editable checkout run with PYTHONDONTWRITEBYTECODE set (as on the
    benchmark machine) would otherwise compile some 65 modules on every run:
    about 0.09 s of each feedlint row that an installed feedlint never pays.
    """
    import compileall

    for folder in ("feedlint", "rules", "schemas"):
        compileall.compile_dir(str(ROOT / folder), quiet=1)


def feedlint(*args: str) -> list[str]:
    return [tool("feedlint"), "check", "--quiet", "--format", "json", "--output", os.devnull, *args]


def check_jsonschema(path: Path) -> list[str]:
    return [tool("check-jsonschema"), "--schemafile", str(SCHEMA), str(path)]


# -- report ---------------------------------------------------------------------------


def fmt_table(rows: list[Row], reference: dict[Path, Row]) -> str:
    lines = [
        "| file | command | wall (best) | CPU | records/s | MB/s | peak memory | vs check-jsonschema (wall) |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        size_mb = row.file.stat().st_size / 1e6
        best = row.best.wall
        ref = reference.get(row.file)
        ratio = f"{best / ref.best.wall:.2f}×" if ref is not None else ""
        if ref is row:
            ratio = "1.00×"
        label = f"{row.file.name} ({size_mb:,.0f} MB, {row.records:,} rec)"
        lines.append(f"| {label} | {row.name} | {best:.2f} s | {row.best.cpu:.2f} s | {row.records / best:,.0f} | {size_mb / best:,.1f} | {row.peak_mb:,.0f} MB | {ratio} |")
    return "\n".join(lines)


def machine() -> str:
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    from importlib.metadata import PackageNotFoundError, version

    versions = []
    for dist in ("orjson", "jsonschema-rs"):
        try:
            versions.append(f"{dist} {version(dist)}")
        except PackageNotFoundError:
            versions.append(f"{dist} missing")
    cj = subprocess.run([tool("check-jsonschema"), "--version"], capture_output=True, text=True).stdout.strip().split()[-1:]
    return (
        f"{os.cpu_count()} cores, Python {platform.python_version()}, {', '.join(versions)}, "
        f"check-jsonschema {' '.join(cj)}; load average {load:.1f} when the run started"
    )


def write_between_markers(path: Path, content: str, start: str = MARK_START, end: str = MARK_END) -> None:
    text = path.read_text(encoding="utf-8")
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.S)
    if not pattern.search(text):
        print(f"{path.relative_to(ROOT)}: no {start} ... {end} markers; not updated", file=sys.stderr)
        return
    path.write_text(pattern.sub(lambda _: f"{start}\n{content}\n{end}", text), encoding="utf-8")
    print(f"updated {path.relative_to(ROOT)}", file=sys.stderr)


def startup(repeat: int) -> tuple[list[Row], str]:
    """One-record export (what pre-commit runs on): start-up cost, plus feedlint's slowest imports."""
    one = ensure_export("one.json", "--records", "1", "--non-ascii", "0")
    # An installed feedlint has bytecode (pip compiles it, like check-jsonschema's); an
    # editable checkout under PYTHONDONTWRITEBYTECODE=1 would compile ~50 modules per run.
    subprocess.run([sys.executable, "-m", "compileall", "-q", *(str(ROOT / d) for d in ("feedlint", "rules", "schemas"))], stdout=subprocess.DEVNULL)
    # Alternated run by run, so both see the same machine; the best of each counts.
    rows = alternated([("check-jsonschema", check_jsonschema(one)), ("feedlint check (all rules)", feedlint(str(one)))], one, 1, repeat)
    r = subprocess.run([sys.executable, "-X", "importtime", "-m", "feedlint", "check", "--quiet", str(one)], cwd=ROOT, capture_output=True, text=True)
    imports = []
    for line in r.stderr.splitlines():
        m = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|(\s*)(\S+)", line)
        if m and not m.group(3).strip(" ") and len(m.group(3)) <= 1:  # top-level imports only
            imports.append((int(m.group(2)), m.group(4)))
    top = ", ".join(f"{name} {us / 1000:.0f} ms" for us, name in sorted(imports, reverse=True)[:6])
    return rows, top


def ensure_adversarial(name: str, n: int) -> Path:
    path = DATA / "adversarial" / f"{name}-{n}.json"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".part")
        print(f"generating {path.relative_to(ROOT)} ...", file=sys.stderr, flush=True)
        subprocess.run([sys.executable, str(ROOT / "benchmarks" / "adversarial.py"), name, str(n), "--out", str(tmp)], check=True)
        tmp.rename(path)
    return path


def alternated(named: list[tuple[str, list[str]]], file: Path | list[Path], records: int, repeat: int) -> list[Row]:
    """The commands run in turn, ``repeat`` times, then one memory run each: contention and drift hit them alike.

    ``file``: the one file all the commands read, or each command's own.
    """
    files = file if isinstance(file, list) else [file] * len(named)
    rows = [Row(name, f, records) for (name, _), f in zip(named, files)]
    for k in range(repeat):
        for row, (_, cmd) in zip(rows, named):
            done = bench(row.name, cmd, row.file, records, 1, memory_run=k == repeat - 1)
            row.runs.extend(done.runs)
            row.memory = done.memory or row.memory
    return rows


def adversarial(repeat: int, only: list[str]) -> str:
    """Each adversarial case at n and 2n (all rules, every core), and the shared-image export against check-jsonschema."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from adversarial import CASES

    info = machine()  # its load figure is the start's, like the others'
    shared = ensure_export("10k-shared.json", "--records", "10000", "--shared-image", "--defects", "0.03")
    head = alternated([("check-jsonschema (schema only)", check_jsonschema(shared)), ("feedlint, all rules (FL6xx included)", feedlint(str(shared)))], shared, 10_000, repeat)
    lines = [
        "| case | n | wall at n | wall at 2n | growth (2n / n) | peak memory at n / 2n | findings at 2n |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    worst = 0.0
    for name, (_, n, unit) in CASES.items():
        if only and name not in only:
            continue
        paths = [ensure_adversarial(name, size) for size in (n, 2 * n)]  # run in turn, so a machine's drift does not make the growth
        rows = alternated([(f"{name} n={size:,}", feedlint(str(path))) for size, path in zip((n, 2 * n), paths)], paths, 0, repeat)
        growth = rows[1].best.wall / rows[0].best.wall
        worst = max(worst, growth)
        found = _count_findings(rows[1].file)
        lines.append(
            f"| {name} | {n:,} {unit} | {rows[0].best.wall:.2f} s | {rows[1].best.wall:.2f} s | {growth:.2f}× | "
            f"{rows[0].peak_mb:,.0f} / {rows[1].peak_mb:,.0f} MB | {found:,} |"
        )
    ref, ours = head
    size_mb = shared.stat().st_size / 1e6
    return (
        f"Measured {time.strftime('%Y-%m-%d')} by `python benchmarks/run.py --adversarial` (best of {repeat}) on {info}, "
        f"{os.getloadavg()[0]:.1f} when it ended (load average: runnable processes on these 2 cores; other sessions share the machine).\n\n"
        f"Shared-image export (`generate.py --records 10000 --shared-image --defects 0.03`: {size_mb:,.0f} MB, every record carries one "
        f"placeholder image, about 3% have a defect), the two commands alternated: check-jsonschema {ref.best.wall:.2f} s "
        f"({ref.peak_mb:,.0f} MB), feedlint with every rule {ours.best.wall:.2f} s ({ours.peak_mb:,.0f} MB) = "
        f"**{ours.best.wall / ref.best.wall:.2f}×** check-jsonschema's wall time.\n\n"
        "Adversarial cases (`benchmarks/adversarial.py`; feedlint, every rule, every core, JSON report; n and 2n run in turn, wall time best of "
        f"{repeat}, memory the peak PSS of all processes from one more run):\n\n" + "\n".join(lines) + f"\n\nLargest growth factor: {worst:.2f}× (linear: 2×)."
    )


def _count_findings(path: Path) -> int:
    import json

    r = subprocess.run([tool("feedlint"), "check", "--quiet", "--format", "json", str(path)], cwd=ROOT, capture_output=True, env=dict(os.environ, NO_COLOR="1"))
    return len(json.loads(r.stdout or b"[]"))


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--records", type=int, default=10_000, help="records in the main export (default 10000, ~140 MB)")
    p.add_argument("--repeat", type=int, default=3, help="runs per command; the best wall time counts (default 3)")
    p.add_argument("--big", action="store_true", help="also a 1 GB export (--big-repeat runs per command)")
    p.add_argument("--big-repeat", type=int, default=1, help="runs per command on the 1 GB export (default 1)")
    p.add_argument("--write", action="store_true", help="rewrite the tables between the bench markers in README.md and docs/performance.md")
    p.add_argument("--skip-serial", action="store_true", help="leave out the --jobs 1 rows")
    p.add_argument("--adversarial", nargs="*", metavar="CASE", help="the adversarial cases (all, or the ones named) instead of the main tables")
    a = p.parse_args(argv)
    compile_sources()

    if a.adversarial is not None:
        block = adversarial(a.repeat, a.adversarial)
        print(block)
        if a.write:
            for target in (ROOT / "README.md", ROOT / "docs" / "performance.md"):
                if target.exists():
                    write_between_markers(target, block, ADV_START, ADV_END)
        return 0

    info = machine()
    print(info, file=sys.stderr)
    main_file = ensure_export(f"{a.records // 1000}k.json" if a.records % 1000 == 0 else f"{a.records}.json", "--records", str(a.records))
    files = [(main_file, a.records, a.repeat)]
    if a.big:
        big = ensure_export("1g.json", "--target-mb", "1000")
        files.append((big, count_records(big), a.big_repeat))

    rows: list[Row] = []
    reference: dict[Path, Row] = {}
    speedups: list[str] = []
    for path, records, repeat in files:
        print(f"{path.relative_to(ROOT)}: {path.stat().st_size / 1e6:,.0f} MB, {records:,} records", file=sys.stderr)
        ref = bench("check-jsonschema (schema only)", check_jsonschema(path), path, records, repeat)
        reference[path] = ref
        rows.append(ref)
        rows.append(bench("feedlint --select FL1 (schema only)", feedlint("--select", "FL1", str(path)), path, records, repeat))
        parallel = bench("feedlint, record rules (--ignore FL6)", feedlint("--ignore", "FL6", str(path)), path, records, repeat)
        rows.append(parallel)
        if not a.skip_serial:
            serial = bench("… the same with --jobs 1", feedlint("--ignore", "FL6", "--jobs", "1", str(path)), path, records, repeat)
            rows.append(serial)
            speedups.append(f"{path.name} {serial.best.wall / parallel.best.wall:.2f}× (CPU {parallel.best.cpu:.2f} s against {serial.best.cpu:.2f} s)")
        rows.append(bench("feedlint, all rules (with FL6xx/GX)", feedlint(str(path)), path, records, repeat))

    start_rows, top_imports = startup(max(a.repeat, 15))
    table = fmt_table(rows, reference)
    start_ref = {start_rows[0].file: start_rows[0]}
    start_table = fmt_table(start_rows, start_ref)
    when = time.strftime("%Y-%m-%d")
    block = (
        f"Measured {when} by `python benchmarks/run.py{' --big' if a.big else ''}{f' --big-repeat {a.big_repeat}' if a.big and a.big_repeat != 1 else ''}` on {info}. "
        f"Wall time is the best of {a.repeat} runs ({a.big_repeat} for the 1 GB file); memory is the peak summed over all processes, from one more run of each command (sampling memory slows a run, so it is not timed).\n\n"
        f"{table}\n\n"
        + (f"Speed-up of the record rules on every core (the `--jobs` default) over `--jobs 1`: {'; '.join(speedups)}.\n\n" if speedups else "")
        + f"Start-up, one-record export (best of {max(a.repeat, 15)}, with bytecode, the two alternated):\n\n{start_table}\n\n"
        f"Slowest imports of `feedlint check` on one record (`python -X importtime`): {top_imports}."
    )
    print(block)
    if a.write:
        for target in (ROOT / "README.md", ROOT / "docs" / "performance.md"):
            if target.exists():
                write_between_markers(target, block)
    return 0


if __name__ == "__main__":
    sys.exit(main())
