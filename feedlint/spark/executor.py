"""The Spark engine's driver side: an :class:`feedlint.executor.Executor` whose records are checked in Spark executors.

The engine reads each input and hands its records to an executor, file by file
(:mod:`feedlint.executor`).  To keep every executor core busy across files,
:meth:`SparkExecutor.expect` is told the run's inputs first: it plans every
file's tasks (:mod:`.splits`) and starts them as Spark jobs in the background;
:meth:`SparkExecutor.run` then gives each file's :class:`Effects` in order as
their results come back.

For byte ranges the chain is checked as the local engine's worker processes do
it (:mod:`feedlint.parallel`): the first range starts at the first record,
which the driver read itself, and a range that starts at a true record start
ends at one, so a range whose start is where the one before it really ended is
accepted and shifted into place.  A range that started elsewhere (its start
was a guess inside a record), or could not be checked there (malformed input,
a rule that crashed), is read by the driver itself from the last record start
known for certain up to the next range's start: errors and numbers are then
exactly a serial run's.

A task Spark itself could not run (its executor or Python worker lost, twice:
a failed wave is retried task by task) is an input error of its file at the
first record of the split, ``file:line:column: Spark task failed: ...``; the
file's findings before it are reported, as for any input error.

Inputs the executor was not told of (stdin) are checked in this process.

With a Spark fact table (:meth:`SparkExecutor.fact_table`, the CLI's way) the
tasks' fact rows stay in Spark: the tasks' RDD is cached, the driver takes only
the results (findings, counters) from it, and notes where each accepted range
really starts (``shifts``); the fact table is then made from the same cached
RDD in the executors (:mod:`.facts`), and the dataset stage aggregates it there
(:mod:`.evaluator`).  Without one, fact rows come back with the results, for
the engine's driver-side table.
"""

from __future__ import annotations

import os
from collections import deque
from dataclasses import dataclass, fields
from typing import Any, Iterator, Sequence

from ..checker import RecordCheck, check_records
from ..effects import Effects
from ..reader.errors import InputError
from ..reader.positions import Region, region_fields
from .splits import FileJob as Planned, default_split_bytes, plan_file
from .tasks import RANGE, WHOLE, SplitResult, SplitTask, results_only, run_partition, unpack

WAVE_PER_CORE = 4  # tasks per Spark job, per core: results of about two jobs are held on the driver
WAVE_BYTES = 1 << 30  # ... and at most about this much input per job (at least one task): what the driver holds does not grow with the cluster


@dataclass
class Lost:
    """A task Spark could not run (executor or Python worker lost, twice)."""

    reason: str


class SparkExecutor:
    """Checks records in Spark executors (see the module's doc); ``open``, ``expect``, then the engine's ``run`` per file."""

    def __init__(self, plan: Any, master: str | None = None, split_bytes: int | None = None, faults: dict | None = None) -> None:
        self.plan = plan
        self.master = master
        self.split_bytes = split_bytes or plan.tuning.split_bytes  # 0/None: about four tasks per core, 1-64 MB each
        self.faults = faults or {}  # tests: (file index, split) -> "exit" or "raise"
        self.session: Any = None
        self.spark_failed = False  # a task was lost: Spark's log is kept and named in ``notices``
        self.notices: list[str] = []  # the engine's notices, when the caller shares them (see the CLI)
        self.keep_session = False  # True (or facts in Spark): close() leaves the session to the dataset stage; the caller calls shutdown()
        self._log_named = False
        self.task_seconds = 0.0  # executor time of the tasks whose results were used (the benchmark's per-core rate)
        self.task_bytes = 0  # ... and the bytes they read
        self._planned: list[Planned] = []
        self._next = 0  # the planned file the next run() starts looking at
        self._results: Iterator[tuple[SplitTask, Any]] | None = None
        self._pending: deque = deque()  # results taken from the stream ahead of their file's run()
        self.facts_in_spark = False  # True once fact_table() made the run's table: fact rows stay in the executors
        self.tasks: list[SplitTask] = []
        self.tagged: Any = None  # facts in Spark: the cached RDD of every task's tagged outputs (.tasks.run_partition)
        self.shifts: dict[tuple[int, int], Any] = {}  # (file, split) of each task whose facts count -> where its range starts (None: a whole file)
        self.kinds: dict[str, set[str]] = {}  # each fact column's kinds of value, over the tasks in ``shifts``
        self.received = 0  # tasks whose results came back (a task lost or never run: the fact table runs its tasks again)
        self.broadcast: Any = None

    # -- set-up -----------------------------------------------------------------
    def open(self) -> None:
        """Start (or join) the Spark session; raises :class:`.session.SparkUnavailable`."""
        if self.session is None:
            from .session import open_session

            self.session = open_session(self.master)

    def fact_table(self) -> Any:
        """The run's fact table as a Spark DataFrame (:class:`.facts.SparkFacts`), for ``Engine(table=...)``; before :meth:`expect`."""
        from .facts import SparkFacts

        self.open()
        self.facts_in_spark = True
        return SparkFacts(self)

    def expect(self, paths: Sequence[str], displays: Sequence[str], keep_fixes: bool) -> None:
        """Plan the run's inputs (in the engine's order) and start their tasks."""
        self.open()
        context = self.session.context
        parallelism = max(1, context.defaultParallelism)
        total = sum(os.path.getsize(p) for p in paths if p != "-" and os.path.isfile(p))
        split = self.split_bytes or default_split_bytes(total, parallelism)
        self._planned = [plan_file(self.plan, i, p, d, split, keep_fixes) for i, (p, d) in enumerate(zip(paths, displays)) if p != "-"]
        tasks = [t for job in self._planned for t in job.tasks]
        if self.faults:
            from dataclasses import replace

            tasks = [replace(t, fault=self.faults.get((t.file_index, t.split))) for t in tasks]
        self.tasks = tasks
        if tasks:
            import functools
            import uuid

            from ..workers import _plan_spec

            self.broadcast = context.broadcast((uuid.uuid4().hex, _plan_spec(self.plan), self.facts_in_spark))
            self.tagged = context.parallelize(tasks, len(tasks)).mapPartitions(functools.partial(run_partition, self.broadcast))
            if self.facts_in_spark and self.plan.by_scope("dataset"):  # the fact table is made from it after the records
                from pyspark import StorageLevel

                self.tagged.persist(StorageLevel.MEMORY_AND_DISK)
        body = results_only if self.facts_in_spark else list
        self._results = _stream(context, self.tagged, body, tasks, waves(tasks, parallelism * WAVE_PER_CORE, WAVE_BYTES))

    def close(self) -> None:
        """The record stage is over (the engine's call); the session too, unless ``keep_session`` (then :meth:`shutdown`)."""
        if self._results is not None:
            self._results.close()
            self._results = None
        self._pending.clear()
        if self.session is not None and self.spark_failed and self.session.log and not self._log_named:
            self._log_named = True
            self.notices.append(f"Spark's log: {self.session.log}")
        if not (self.keep_session or self.facts_in_spark):
            self.shutdown()

    def release(self) -> None:
        """Drop the cached task outputs and the plan's broadcast (the fact table, once made, keeps its own copy)."""
        if self.tagged is not None and self.facts_in_spark:
            try:
                self.tagged.unpersist()
            except Exception:  # noqa: BLE001, S110 - the session may be gone already
                pass
        if self.broadcast is not None:
            try:
                self.broadcast.destroy()
            except Exception:  # noqa: BLE001, S110
                pass
            self.broadcast = None

    def shutdown(self) -> None:
        """End the session (when this executor started it); the dataset stage is done with it too."""
        self.release()
        if self.session is not None:
            self.session.close(keep_log=self.spark_failed)
            self.session = None

    # -- one file -----------------------------------------------------------------
    def run(self, job: Any) -> Iterator[Effects]:
        planned = self._find(job)
        if planned is None or planned.mode not in (RANGE, WHOLE):
            return check_records(job.check, job.records)  # stdin, or a file not planned: here
        return self._file(job, planned)

    def _find(self, job: Any) -> Planned | None:
        source = job.source
        path = getattr(source, "path", None)
        if path is None or path == "-":
            return None
        path = os.path.abspath(path)
        for k in range(self._next, len(self._planned)):
            if self._planned[k].path == path:
                self._next = k + 1
                return self._planned[k]
        return None

    def _results_of(self, planned: Planned) -> Iterator[tuple[SplitTask, Any]]:
        """The file's results in task order (results of files the engine did not hand over are dropped)."""
        wanted = len(planned.tasks)
        while wanted:
            task, result = self._pending.popleft() if self._pending else next(self._results)  # type: ignore[arg-type]
            self.received += not isinstance(result, Lost)
            if task.file_index < planned.index:
                continue
            wanted -= 1
            yield task, result

    def _file(self, job: Any, planned: Planned) -> Iterator[Effects]:
        results = self._results_of(planned)
        if job.prepare is not None:
            job.prepare(max(1, os.path.getsize(planned.path) // 14000))  # dataset set-up in a thread meanwhile (about 14 KB a record)
        try:
            if planned.mode == WHOLE:
                yield from self._whole(job, planned, results)
            else:
                yield from self._ranges(job, planned, results)
        finally:
            for _ in results:  # what a file stopped by an error did not need
                pass

    def _lost(self, planned: Planned, lost: Lost, cursor: Any = None) -> InputError:
        self.spark_failed = True
        return InputError(planned.display, f"Spark task failed: {lost.reason}", cursor.line if cursor else 1, cursor.column if cursor else 1)

    def _whole(self, job: Any, planned: Planned, results: Iterator) -> Iterator[Effects]:
        task, result = next(results)
        if isinstance(result, Lost):
            raise self._lost(planned, result)
        info = job.source.info
        for f in fields(info):  # the executor read the file: its layout, record count, notes
            setattr(info, f.name, getattr(result.info, f.name))
        self._timed(result, os.path.getsize(planned.path))
        self._facts_count(task, result, None)
        yield result.effects
        if result.error is not None:
            raise result.error

    def _ranges(self, job: Any, planned: Planned, results: Iterator) -> Iterator[Effects]:
        """The file's ranges in order: accepted when they start where the one before ended, else read here."""
        known = planned.start
        layout = planned.info.layout
        info = job.source.info
        counted = 0
        try:
            for task, result in results:
                if known is None or (task.stop is not None and known.offset >= task.stop):
                    continue  # the file ended, or a range before this one read past all of it
                if known.offset == task.start and isinstance(result, Lost):
                    raise self._lost(planned, result, known.cursor)
                if known.offset == task.start and result.ok:
                    self._timed(result, (task.stop if task.stop is not None else os.path.getsize(planned.path) - task.bom) - task.start)
                    counted += result.effects.records
                    self._facts_count(task, result, (known.index, known.outer, known.inner, layout))
                    yield shifted(result.effects, known, layout)
                    known = known.then(result.end) if result.end is not None else None
                    if job.progress is not None and known is not None:
                        job.progress(planned.display, task.bom + known.offset, None, counted)
                else:
                    here = _Here(job.check, planned, known, task.stop)
                    for effects in here:
                        counted += effects.records
                        yield effects
                    known = here.stopped_at
        finally:
            info.records = counted

    def _facts_count(self, task: SplitTask, result: SplitResult, shift: Any) -> None:
        """The task's fact rows (kept in Spark) belong to the table, placed by ``shift`` (see :func:`.facts.task_rows`)."""
        if result.fact_kinds is not None:
            self.shifts[(task.file_index, task.split)] = shift
            for name, kinds in result.fact_kinds.items():
                self.kinds.setdefault(name, set()).update(kinds)

    def _timed(self, result: SplitResult, size: int) -> None:
        self.task_seconds += result.seconds
        self.task_bytes += size


class _Here:
    """Read and check the file from ``known`` (a true record start) up to ``stop`` in this process; then ``stopped_at``."""

    def __init__(self, check: RecordCheck, planned: Planned, known: Any, stop: int | None) -> None:
        self.check, self.planned, self.known, self.stop = check, planned, known, stop
        self.stopped_at: Any = None

    def __iter__(self) -> Iterator[Effects]:
        from ..ranges.cut import range_reader

        task = self.planned.tasks[0]
        try:
            fd = os.open(self.planned.path, os.O_RDONLY)
        except OSError as exc:
            raise InputError(self.planned.display, f"cannot read: {exc.strerror or exc}") from None
        try:
            reader = range_reader(fd, task.bom, self.planned.display, task.head, self.known.offset, self.stop, self.check.plan.tuning.range_bytes)
            reader.profile = task.profile or "cms"
            yield from check_records(self.check, reader.resume(self.known, task.layout, self.stop))
            self.stopped_at = reader.stopped_at
        finally:
            os.close(fd)


def shifted(effects: Effects, known: Any, layout: str) -> Effects:
    """A range's effects, numbered, pointed and placed from where it really starts (``known``)."""
    from ..reader.jsonstream import shift_start
    from .factrows import shift_pointer

    base = known.cursor

    def pointer(relative: str) -> str:
        return shift_pointer(relative, layout, known.outer, known.inner)

    regions: dict = {}
    for f in effects.findings:
        relative = f.pointer[: len(f.pointer) - len(f.record_pointer)] if f.record_pointer else f.pointer
        f.pointer = pointer(relative) + f.record_pointer
        f.record_index = known.index + f.record_index
        fields_ = region_fields(f.region)
        region = regions.get(fields_)
        if region is None:
            region = regions[fields_] = Region(*base.shift(fields_))
        f.region = region
    effects.facts = [(known.index + index, pointer(p), content_id, facts, shift_start(base, start)) for index, p, content_id, facts, start in effects.facts]
    return effects


def task_bytes(task: SplitTask) -> int:
    """The input bytes a task reads (a whole file: its size on disk)."""
    if task.mode == RANGE and task.stop is not None:
        return task.stop - task.start
    try:
        return os.path.getsize(task.path) - (task.start if task.mode == RANGE else 0)
    except OSError:
        return 0


def waves(tasks: Sequence[SplitTask], most: int, budget: int) -> list[list[int]]:
    """Task indexes grouped into Spark jobs: at most ``most`` tasks and about ``budget`` input bytes each.

    The driver holds the results of about two jobs; by bytes, that stays the
    same on a cluster of any size.  The cluster is not starved by it: it checks
    a job faster than the driver takes the job's results in (docs/spark.md).
    """
    out: list[list[int]] = []
    wave: list[int] = []
    size = 0
    for i, task in enumerate(tasks):
        n = task_bytes(task)
        if wave and (len(wave) >= most or size + n > budget):
            out.append(wave)
            wave, size = [], 0
        wave.append(i)
        size += n
    if wave:
        out.append(wave)
    return out


def _stream(context: Any, rdd: Any, body: Any, tasks: list[SplitTask], waves: list[list[int]]) -> Iterator[tuple[SplitTask, Any]]:
    """``(task, SplitResult or Lost)`` in task order.

    Tasks run as Spark jobs, one per wave (:func:`waves`), one task per
    partition of ``rdd`` (``body``: what of a partition comes to the driver;
    None: all of it); the next job runs (in a thread) while the driver handles
    the results of the one before, so the driver holds the results of about
    two jobs, packed (:func:`.tasks.pack`), and unpacks one task's at a time.
    A job that fails is run again task by task: only the tasks that fail again
    are lost.
    """
    if not tasks:
        return
    from concurrent.futures import ThreadPoolExecutor

    pool = ThreadPoolExecutor(1, thread_name_prefix="feedlint-spark")
    pending: deque = deque()
    try:
        for parts in waves[:2]:
            pending.append(pool.submit(_run_wave, context, rdd, body, parts))
        for n, parts in enumerate(waves):
            results = pending.popleft().result()
            if n + 2 < len(waves):
                pending.append(pool.submit(_run_wave, context, rdd, body, waves[n + 2]))
            for j, i in enumerate(parts):
                result, results[j] = results[j], None  # only the packed results of the jobs wait here
                yield tasks[i], unpack(result) if isinstance(result, bytes) else result
    finally:
        if pending:
            context.cancelAllJobs()
        pool.shutdown(wait=True, cancel_futures=True)


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
