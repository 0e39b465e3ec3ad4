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
from dataclasses import dataclass
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

    ``effects``: the records' :class:`feedlint.effects.Effects`, merged --
    numbered, pointed and placed from the range's start in ``RANGE`` mode (the
    driver shifts them), as in the file in ``WHOLE`` mode.  ``ok`` False: the
    range could not be checked from where it started (malformed input there, a
    guess inside a record, a rule that crashed): the driver reads it itself
    from the last record start known for certain.
    """

    file_index: int
    split: int
    ok: bool = True
    effects: Any = None
    end: Any = None  # RANGE: the RecordStart (relative) where the range stopped; None at the end of the file
    info: Any = None  # WHOLE: the FileInfo the executor filled
    skipped: str | None = None  # WHOLE: why the file is not checked
    error: InputError | None = None  # WHOLE: the input error that stopped reading the file
    seconds: float = 0.0  # how long the executor took (the benchmark's per-core rate)
    fact_kinds: dict | None = None  # facts kept in Spark: each fact column's kinds of value (``.factrows.kind_of``); the rows are not here


_plans: dict[str, Any] = {}  # run token -> Plan: one per run in each executor process (Python workers are reused)


def executor_plan(key: str, spec: Any) -> Any:
    """The plan of the run ``key``, rebuilt from ``spec`` once per executor process (rules looked up by id)."""
    plan = _plans.get(key)
    if plan is None:
        from ..workers import _plan_from_spec

        _plans.clear()
        plan = _plans[key] = _plan_from_spec(spec)
    return plan


def run_partition(broadcast: Any, tasks: Iterable[SplitTask]) -> Iterator[Any]:
    """``mapPartitions`` body: each task of the partition checked (one task per partition, usually), :func:`pack`ed.

    ``broadcast.value`` is ``(run token, plan spec, facts in Spark)``: an
    executor-side broadcast has no id of its own to tell runs apart.  With
    facts in Spark, a task yields two tagged values, ``(RESULT, packed result
    without fact rows)`` and ``(FACTS, packed fact rows)``: the driver takes
    the first (:func:`results_only`), the fact table the second
    (:func:`.facts.task_rows`), from the one cached RDD.
    """
    from .factrows import FACTS, RESULT, add_kinds

    token, spec, split_facts = broadcast.value
    plan = executor_plan(token, spec)
    for task in tasks:
        result = run_task(plan, task)
        if not split_facts:
            yield pack(result)
            continue
        facts = result.effects.facts if result.effects is not None else []
        kinds: dict[str, set[str]] = {}
        for row in facts:
            add_kinds(kinds, row[3])
        if result.effects is not None:
            result.effects.facts = []
        result.fact_kinds = kinds
        yield RESULT, pack(result)
        if facts:
            yield FACTS, pack((task.file_index, task.split, facts))


def results_only(items: Iterable[Any]) -> list[bytes]:
    """The driver's part of a partition of tagged values (see :func:`run_partition`)."""
    from .factrows import RESULT

    return [packed for tagged, packed in items if tagged == RESULT]


def pack(result: SplitResult) -> bytes:
    """A task's result as it travels to the driver and waits there: pickled and compressed.

    A finding takes about 1.3 KB as Python objects, 320 bytes pickled and 90
    bytes compressed (docs/spark.md "What the driver holds"): the driver keeps
    the results of whole Spark jobs, and unpacks one task's at a time.
    """
    import pickle
    import zlib

    return zlib.compress(pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL), 1)


def unpack(blob: bytes) -> SplitResult:
    import pickle
    import zlib

    return pickle.loads(zlib.decompress(blob))


def run_task(plan: Any, task: SplitTask) -> SplitResult:
    if task.fault == "exit":
        os._exit(17)  # an executor's Python worker lost mid-task (tests)
    if task.fault == "raise":
        raise RuntimeError(f"injected failure in split {task.split} of {task.display}")
    import time

    started = time.perf_counter()
    result = check_range(plan, task) if task.mode == RANGE else check_whole(plan, task)
    result.seconds = time.perf_counter() - started
    if task.mode == RANGE and result.effects.internal_errors:
        result.ok = False  # a crash message names a record by a number counted from the range's start
    return result


def _checked(check: Any, raws: Iterable[Any], effects: Any) -> None:
    """Every record's effects merged into ``effects`` (one value per task: the driver gets them in one piece)."""
    from ..checker import check_records

    for one in check_records(check, raws):
        effects.merge(one)


def check_range(plan: Any, task: SplitTask) -> SplitResult:
    """The records of one byte range, numbered and placed from its start (see :mod:`feedlint.ranges.cut`)."""
    from ..api import PlaceUnknown
    from ..checker import RecordCheck
    from ..effects import Effects
    from ..reader.jsonstream import RecordStart
    from ..ranges.cut import range_reader

    rules = [plan.rules_for(task.profile)[i] for i in task.rule_indices]
    check = RecordCheck(plan, rules, task.display, task.keep_fixes, plan.facts_for(task.profile), place_known=False)
    result = SplitResult(task.file_index, task.split, effects=Effects())
    try:
        fd = os.open(task.path, os.O_RDONLY)
    except OSError:
        result.ok = False
        return result
    try:
        reader = range_reader(fd, task.bom, task.display, task.head, task.start, task.stop, plan.tuning.range_bytes)
        reader.profile = task.profile or "cms"
        _checked(check, reader.resume(RecordStart(task.start, Cursor()), task.layout, task.stop), result.effects)
        result.end = reader.stopped_at
    except (InputError, OSError, PlaceUnknown):  # PlaceUnknown: a rule read record.index/pointer, not known here; the driver checks the range
        result.ok = False
    finally:
        os.close(fd)
    return result


def check_whole(plan: Any, task: SplitTask) -> SplitResult:
    """A whole file, read and checked as :meth:`feedlint.engine.Engine.file_batches` does (profile detection included)."""
    from ..checker import RecordCheck
    from ..effects import Effects
    from ..engine import non_object_in_pages
    from ..reader.sources import Source

    source = Source(task.path, plan.input_format, task.display, profiles=plan.profile_set())
    info = source.info
    result = SplitResult(task.file_index, task.split, effects=Effects(), info=info)
    try:
        records = source.records()
        first = next(records, None)
        if first is None:
            return result
        if info.kind == "cms" and not non_object_in_pages(info, first.data) and source.detect(first) is None:
            result.skipped = source.skip_reason()
            return result
        rules = plan.for_file(task.display, "record", info.kind, info.profile or None)
        _checked(RecordCheck(plan, rules, task.display, task.keep_fixes, plan.facts_for(info.profile or None)), chain([first], records), result.effects)
    except InputError as exc:
        result.error = exc
    return result
