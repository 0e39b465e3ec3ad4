"""The executor side of the Spark engine: check one split of an input, return plain values.

A task is a byte range of a plain JSON export (records numbered, placed and
pointed at from the range's start; the driver shifts them, as for the local
engine's worker processes) or a whole file (gzip, a plain-text article, a
document read through a profile, pretty-printed records, rules from outside
feedlint), read exactly as the local engine reads it.  Nothing here imports
pyspark: a task is a function of (plan, split), so it runs and is tested
without Spark.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from itertools import chain
from typing import Any, Iterable, Iterator

from ..reader.errors import InputError
from ..reader.positions import Cursor

RANGE, WHOLE = "range", "whole"


@dataclass(frozen=True)
class SplitTask:
    """One unit of work for an executor: a byte range of a file (``RANGE``) or a whole file (``WHOLE``)."""

    file_index: int
    split: int  # the split's number within its file
    path: str
    display: str
    mode: str
    keep_fixes: bool = False
    profile: str | None = None  # RANGE: the profile the driver detected
    rule_indices: tuple[int, ...] = ()  # RANGE: the file's record rules, as indexes into plan.rules_for(profile)
    bom: int = 0
    layout: str = ""
    head: bytes = b""
    start: int = 0  # byte offset (after the BOM) of the range's first record (a true start only if the chain says so)
    stop: int | None = None  # the next range's start (a guess), None: to the end of the file
    fault: str | None = None  # tests only: "exit" kills the executor's Python worker, "raise" fails the task


@dataclass
class SplitResult:
    """What a task found, as plain values.

    ``rows``: ``(index, pointer, packed findings, facts)`` of each record that
    has findings or facts -- counted from the range's start in ``RANGE`` mode
    (``pointer`` relative, see :func:`relative_place`), as in the file in
    ``WHOLE`` mode.  ``ok`` False: the range could not be checked from where it
    started (malformed input there, a guess inside a record, a rule that
    crashed): the driver reads it itself from the last record start known for
    certain.
    """

    file_index: int
    split: int
    ok: bool = True
    rows: list = field(default_factory=list)
    count: int = 0
    end: Any = None  # RANGE: the RecordStart (relative) where the range stopped; None at the end of the file
    effects: tuple = ((), {}, (), 0)  # internal errors, setup problems, suppressions used, findings suppressed
    info: Any = None  # WHOLE: the FileInfo the executor filled
    skipped: str | None = None  # WHOLE: why the file is not checked
    error: InputError | None = None  # WHOLE: the input error that stopped reading the file
    seconds: float = 0.0  # how long the executor took (the benchmark's per-core rate)


_engines: dict[Any, Any] = {}  # run token -> Engine: one per run in each executor process (Python workers are reused)


def executor_engine(key: str, spec: Any) -> Any:
    """The engine of this executor for the run ``key`` whose plan ``spec`` describes (rebuilt once per process and run)."""
    engine = _engines.get(key)
    if engine is None:
        from ..engine import Engine
        from ..workers import _plan_from_spec

        _engines.clear()
        engine = _engines[key] = Engine(_plan_from_spec(spec))
    return engine


def run_partition(broadcast: Any, tasks: Iterable[SplitTask]) -> Iterator[SplitResult]:
    """``mapPartitions`` body: each task of the partition checked (one task per partition, usually).

    ``broadcast.value`` is ``(run token, plan spec)``: an executor-side broadcast
    has no id of its own to tell runs apart.
    """
    token, spec = broadcast.value
    engine = executor_engine(token, spec)
    for task in tasks:
        yield run_task(engine, task)


def run_task(engine: Any, task: SplitTask) -> SplitResult:
    if task.fault == "exit":
        os._exit(17)  # an executor's Python worker lost mid-task (tests)
    if task.fault == "raise":
        raise RuntimeError(f"injected failure in split {task.split} of {task.display}")
    import time

    started = time.perf_counter()
    engine.keep_fixes = task.keep_fixes
    result = check_range(engine, task) if task.mode == RANGE else check_whole(engine, task)
    result.effects = take_effects(engine)
    result.seconds = time.perf_counter() - started
    if task.mode == RANGE and result.effects[0]:
        result.ok = False  # a crash message names a record by a number counted from the range's start
    return result


def check_range(engine: Any, task: SplitTask) -> SplitResult:
    """The records of one byte range, numbered and placed from its start (see :mod:`feedlint.reader.ranges`)."""
    from ..reader.jsonstream import RecordStart
    from ..reader.ranges import range_reader
    from ..workers import pack_findings

    rules = [engine.plan.rules_for(task.profile)[i] for i in task.rule_indices]
    want_facts = engine.wants_facts
    result = SplitResult(task.file_index, task.split)
    try:
        fd = os.open(task.path, os.O_RDONLY)
    except OSError:
        result.ok = False
        return result
    try:
        reader = range_reader(fd, task.bom, task.display, task.head, task.start, task.stop)
        reader.profile = task.profile or "cms"
        for raw in reader.resume(RecordStart(task.start, Cursor()), task.layout, task.stop):
            findings = engine.check_record(raw, rules, task.display)
            facts = engine.record_facts(raw) if want_facts else None
            if findings or facts is not None:
                result.rows.append((raw.index, relative_place(raw.pointer), pack_findings(findings), facts))
            result.count += 1
        result.end = reader.stopped_at
    except (InputError, OSError):
        result.ok = False
    finally:
        os.close(fd)
    return result


def check_whole(engine: Any, task: SplitTask) -> SplitResult:
    """A whole file, read and checked as :meth:`Engine.check_file` does (detection and skipping included)."""
    from ..engine import non_object_in_pages
    from ..reader.sources import Source
    from ..workers import pack_findings

    plan = engine.plan
    source = Source(task.path, plan.input_format, task.display, profiles=plan.profile_set())
    info = source.info
    result = SplitResult(task.file_index, task.split, info=info)
    want_facts = engine.wants_facts
    try:
        records = source.records()
        first = next(records, None)
        if first is None:
            return result
        if info.kind == "cms" and not non_object_in_pages(info, first.data) and source.detect(first) is None:
            result.skipped = source.skip_reason()
            return result
        rules = plan.for_file(task.display, "record", info.kind, info.profile or None)
        for raw in chain([first], records):
            findings = engine.check_record(raw, rules, task.display)
            facts = engine.record_facts(raw) if want_facts else None
            if findings or facts is not None:
                result.rows.append((raw.index, raw.pointer, pack_findings(findings), facts))
            result.count += 1
    except InputError as exc:
        result.error = exc
    return result


def relative_place(pointer: str) -> tuple[int, int]:
    """``(element or page, place in the page)`` of a record pointer counted from a range's start (``/3`` or ``/1/7``)."""
    parts = pointer.split("/")
    return (int(parts[1]) if len(parts) > 1 else 0), (int(parts[2]) if len(parts) > 2 else 0)


def take_effects(engine: Any) -> tuple:
    """What checking changed besides the findings (for the driver to merge); the executor's engine starts afresh."""
    from ..workers import _take_effects

    return _take_effects(engine)
