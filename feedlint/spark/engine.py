"""The Spark engine's driver: plan the tasks, run them in executors, put the results back in file order.

The local engine's run is kept (file rules, suppressions, the fact table, the
dataset stage, the order of the output); only where a file's records are
checked changes.  Each file's tasks come back in order.  For byte ranges the
chain is checked as the local engine's worker processes do it
(:mod:`feedlint.parallel`): the first range starts at the first record, which
the driver read itself, and a range that starts at a true record start ends at
one, so a range whose start is where the one before it really ended is
accepted and shifted into place.  A range that started elsewhere (its start
was a guess inside a record), or could not be checked there (malformed input,
a rule that crashed), is read by the driver itself from the last record start
known for certain up to the next range's start: errors and numbers are then
exactly a serial run's.

A task Spark itself could not run (its executor or Python worker lost, twice:
a failed wave is retried task by task) is an input error of its file at the
first record of the split, ``file:line:column: Spark task failed: ...``; the
file's findings before it are reported, as for any input error.

The dataset stage runs on the driver, over facts collected from the
executors (see docs/spark.md): the fact table is the local engine's.
"""

from __future__ import annotations

import os
from collections import deque
from dataclasses import dataclass, fields
from typing import Any, Iterator, Sequence

from ..engine import Engine
from ..reader.errors import InputError
from .splits import FileJob, default_split_bytes, plan_file
from .tasks import RANGE, WHOLE, SplitResult, SplitTask, run_partition

WAVE_PER_CORE = 4  # tasks per Spark job, per core: results of about two jobs are held on the driver


@dataclass
class Lost:
    """A task Spark could not run (executor or Python worker lost, twice)."""

    reason: str


class SparkEngine(Engine):
    """:class:`Engine` with the record checks run in Spark executors."""

    def __init__(self, plan: Any, master: str | None = None, keep_fixes: bool = True, in_position_order: bool = False,
                 split_bytes: int | None = None, faults: dict | None = None) -> None:
        super().__init__(plan, 1, keep_fixes, in_position_order)
        self.master = master
        self.split_bytes = split_bytes  # None: about four tasks per core, 1-64 MB each
        self.faults = faults or {}  # tests: (file index, split) -> "exit" or "raise"
        self.session: Any = None
        self.spark_failed = False
        self.task_seconds = 0.0  # executor time of the tasks whose results were used (docs/spark.md: estimating a cluster)
        self.task_bytes = 0  # ... and the bytes they read (ranges; a whole file counts its size on disk)
        self._paths: list[str] = []
        self._displays: list[str] = []
        self._jobs: list[FileJob] | None = None
        self._results: Iterator[tuple[SplitTask, Any]] | None = None

    # -- the run ------------------------------------------------------------
    def run(self, paths: Sequence[str], displays: Sequence[str] | None = None) -> Iterator[Any]:
        self._displays = list(displays or paths)
        try:
            yield from super().run(paths, displays)
        finally:
            self.close()

    def close(self) -> None:
        if self._results is not None:
            self._results.close()
            self._results = None
        if self.session is not None:
            self.session.close(keep_log=self.spark_failed)
            if self.spark_failed and self.session.log:
                self.notices.append(f"Spark's log: {self.session.log}")
            self.session = None

    def _spool_stdin(self, paths: list[str]) -> tuple[list[str], list[str]]:
        """Executors cannot read this process's stdin: it is always copied to a file first."""
        spooled: list[str] = []
        if "-" in paths:
            import shutil
            import sys
            import tempfile

            with tempfile.NamedTemporaryFile(prefix="feedlint-stdin-", delete=False) as tmp:
                shutil.copyfileobj(sys.stdin.buffer, tmp)
            paths = [tmp.name if p == "-" else p for p in paths]
            spooled.append(tmp.name)
        self._paths = paths
        return paths, spooled

    def open(self) -> None:
        """Start (or join) the Spark session; raises :class:`.session.SparkUnavailable`."""
        if self.session is None:
            from .session import open_session

            self.session = open_session(self.master)

    def _start(self) -> None:
        self.open()
        context = self.session.context
        parallelism = max(1, context.defaultParallelism)
        total = 0
        for path in self._paths:
            try:
                total += os.path.getsize(path)
            except OSError:
                pass
        split = self.split_bytes or default_split_bytes(total, parallelism)
        self._jobs = [plan_file(self.plan, i, p, d, split, self.keep_fixes) for i, (p, d) in enumerate(zip(self._paths, self._displays))]
        tasks = [t for job in self._jobs for t in job.tasks]
        if self.faults:
            from dataclasses import replace

            tasks = [replace(t, fault=self.faults.get((t.file_index, t.split))) for t in tasks]
        self._results = _stream(self, context, tasks, parallelism * WAVE_PER_CORE)

    # -- one file -------------------------------------------------------------
    def check_file(self, path: str, display: str) -> Iterator[Any]:
        if self._jobs is None:
            self._start()
        file_index = len(self.files)
        job = self._jobs[file_index]  # type: ignore[index]
        info = job.info
        self.files.append(info)
        self.table.files.append(display)
        results = _take(self._results, len(job.tasks))  # type: ignore[arg-type]
        try:
            if job.mode == "skip":
                self._skipped(job, job.reason)
                return
            if job.mode == WHOLE:
                task, result = next(results)
                if isinstance(result, SplitResult):
                    for f in fields(info):
                        setattr(info, f.name, getattr(result.info, f.name))
                    if result.skipped is not None:
                        self._skipped(job, result.skipped)
                        return
            try:
                if job.mode == "error":
                    raise job.error  # type: ignore[misc]
                if job.mode == RANGE:
                    yield from self._ranges(job, results)
                elif job.mode == WHOLE:
                    yield from self._whole(job, result)
            except InputError as exc:
                self.errors.append(exc)
                self.stats.unreadable_files += 1
            else:
                self.stats.files += 1
        finally:
            for _ in results:  # what a file stopped by an error did not need
                pass
        yield from self._file_rules(info, display)

    def _skipped(self, job: FileJob, reason: str) -> None:
        self.skip(job.info, reason)
        self.stats.skipped_files += 1

    def _lost(self, job: FileJob, lost: Lost, cursor: Any = None) -> InputError:
        self.spark_failed = True
        return InputError(job.display, f"Spark task failed: {lost.reason}", cursor.line if cursor else 1, cursor.column if cursor else 1)

    def _whole(self, job: FileJob, result: Any) -> Iterator[Any]:
        if isinstance(result, Lost):
            raise self._lost(job, result)
        info = job.info
        self._merge(result.effects)
        self._timed(result, os.path.getsize(job.path) if os.path.isfile(job.path) else 0)
        rules = self.plan.for_file(job.display, "record", info.kind, info.profile or None)
        rules_by_id = {a.rule.id: (a.rule.name, a.severity) for a in rules}
        for index, pointer, packed, facts in result.rows:
            if packed:
                for finding in _unpack(packed, rules_by_id, job.display, index, pointer):
                    finding.kind = info.kind
                    yield finding
            if facts is not None:
                self.add_facts((index, pointer), job.index, facts)
        self.stats.records += result.count
        if result.error is not None:
            raise result.error

    def _ranges(self, job: FileJob, results: Iterator[tuple[SplitTask, Any]]) -> Iterator[Any]:
        """The file's ranges in order: accepted when they start where the one before ended, else read here."""
        known = job.start
        rules_by_id = {a.rule.id: (a.rule.name, a.severity) for a in job.rules}
        counted = [0]
        try:
            for task, result in results:
                if known is None or (task.stop is not None and known.offset >= task.stop):
                    continue  # the file ended, or a range before this one read past all of it
                if known.offset == task.start and isinstance(result, Lost):
                    raise self._lost(job, result, known.cursor)
                if known.offset == task.start and result.ok:
                    self._merge(result.effects)
                    self._timed(result, (task.stop if task.stop is not None else os.path.getsize(job.path) - task.bom) - task.start)
                    yield from self._accept(job, known, result, rules_by_id)
                    counted[0] += result.count
                    known = known.then(result.end) if result.end is not None else None
                    if self.progress is not None and known is not None:
                        self.progress(job.display, task.bom + known.offset, None, counted[0])
                else:
                    known = yield from self._read_here(job, known, task.stop, counted)
        finally:
            job.info.records = counted[0]
            self.stats.records += counted[0]

    def _accept(self, job: FileJob, known: Any, result: SplitResult, rules_by_id: dict) -> Iterator[Any]:
        """A range's findings and facts, numbered, pointed and placed from where it really starts."""
        base = known.cursor
        layout = job.info.layout
        for rel_index, (outer, inner), packed, facts in result.rows:
            index = known.index + rel_index
            if layout == "pages":
                pointer = f"/{known.outer}/{known.inner + inner}" if outer == 0 else f"/{known.outer + outer}/{inner}"
            elif layout == "array":
                pointer = f"/{known.outer + outer}"
            else:
                pointer = ""
            if packed:
                yield from _unpack(packed, rules_by_id, job.display, index, pointer, base)
            if facts is not None:
                self.add_facts((index, pointer), job.index, facts)

    def _read_here(self, job: FileJob, known: Any, stop: int | None, counted: list) -> Iterator[Any]:
        """Read and check the file from ``known`` (a true record start) up to ``stop`` in this process; returns where it stopped."""
        from ..reader.ranges import range_reader

        task = job.tasks[0]
        try:
            fd = os.open(job.path, os.O_RDONLY)
        except OSError as exc:
            raise InputError(job.display, f"cannot read: {exc.strerror or exc}") from None
        try:
            reader = range_reader(fd, task.bom, job.display, task.head, known.offset, stop)
            reader.profile = task.profile or "cms"
            for raw in reader.resume(known, task.layout, stop):
                counted[0] += 1
                yield from self.check_record(raw, job.rules, job.display)
                self.collect(raw, job.index)
            return reader.stopped_at
        finally:
            os.close(fd)

    def _timed(self, result: SplitResult, size: int) -> None:
        self.task_seconds += result.seconds
        self.task_bytes += size

    def _merge(self, effects: tuple) -> None:
        internal, setup, used, suppressed = effects
        self.internal_errors.extend(internal)
        for problem, ids in setup.items():
            for rule_id in ids:
                self.add_setup_error(rule_id, problem)
        for s, n in zip(self.plan.suppressions, used):
            s.used += n
        self.stats.suppressed += suppressed


def _unpack(packed: tuple, rules_by_id: dict, display: str, index: int, pointer: str, base: Any = None) -> list:
    from ..parallel import unpack_findings

    return unpack_findings(packed, rules_by_id, display, index, pointer, base)


def _take(results: Iterator, n: int) -> Iterator:
    for _ in range(n):
        yield next(results)


def _stream(engine: SparkEngine, context: Any, tasks: list[SplitTask], wave: int) -> Iterator[tuple[SplitTask, Any]]:
    """``(task, SplitResult or Lost)`` in task order.

    Tasks run as Spark jobs of ``wave`` tasks, one task per partition; the next
    job runs (in a thread) while the driver handles the results of the one
    before, so the driver holds the results of about two jobs.  A job that
    fails is run again task by task: only the tasks that fail again are lost.
    """
    if not tasks:
        return
    import functools
    from concurrent.futures import ThreadPoolExecutor

    from ..workers import _plan_spec

    import uuid

    broadcast = context.broadcast((uuid.uuid4().hex, _plan_spec(engine.plan)))
    rdd = context.parallelize(tasks, len(tasks))
    body = functools.partial(run_partition, broadcast)
    waves = [list(range(i, min(i + wave, len(tasks)))) for i in range(0, len(tasks), wave)]
    pool = ThreadPoolExecutor(1, thread_name_prefix="feedlint-spark")
    pending: deque = deque()
    try:
        for parts in waves[:2]:
            pending.append(pool.submit(_run_wave, context, rdd, body, parts))
        for n, parts in enumerate(waves):
            results = pending.popleft().result()
            if n + 2 < len(waves):
                pending.append(pool.submit(_run_wave, context, rdd, body, waves[n + 2]))
            for i, result in zip(parts, results):
                yield tasks[i], result
    finally:
        if pending:
            context.cancelAllJobs()
        pool.shutdown(wait=True, cancel_futures=True)
        try:
            broadcast.destroy()
        except Exception:  # noqa: BLE001, S110 - the session may be gone already
            pass


def _run_wave(context: Any, rdd: Any, body: Any, parts: list[int]) -> list:
    from .session import failure_reason, is_spark_failure

    try:
        return context.runJob(rdd, body, parts)
    except Exception as exc:  # noqa: BLE001
        if not is_spark_failure(exc):
            raise
    out: list = []
    for part in parts:
        try:
            out.extend(context.runJob(rdd, body, [part]))
        except Exception as exc:  # noqa: BLE001
            if not is_spark_failure(exc):
                raise
            out.append(Lost(failure_reason(exc)))
    return out
