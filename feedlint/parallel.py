"""Check a file's records on every core, with the same findings in the same order.

Two ways to hand records to worker processes:

* **Ranges** (a plain JSON file on disk, compact records): the main process
  only guesses where chunks of about 512 KB begin (:mod:`feedlint.ranges`), and
  each worker reads, splits and decodes its own range, checks its records and
  sends back the located findings, counted from the range's start.  The main
  process checks that each range ended where the next began and shifts the
  positions, record numbers and pointers into place.  Reading is then spread
  over the workers too, and the main process is left with the report.
* **Records** (gzip, a pipe, pretty-printed records, a rule declaring
  ``reads_place`` -- it reads ``record.index``, not known in a worker that
  starts mid-file -- or ``--tune ranges=false``): the main process splits
  the file and sends each record's bytes, pointer and start position; the
  worker decodes it again.

Tasks are submitted with a bounded number in flight and their results consumed
in submission order, so the output is identical to a serial run whatever the
number of workers, and memory stays flat (the pool's own ``imap`` would read
the whole file ahead).  Anything unusual in a range -- malformed JSON, a rule
that crashed (its message names the record by number), guesses that keep
missing -- makes the main process read the rest of the file itself, from the
last record start known for certain, and send records: errors and numbers come
out exactly as in a serial run.  Dataset rules still run once, at the end, in
the main process, over the facts gathered here.  The workers' side and the pool
are in :mod:`feedlint.workers`, both sides of the ranges in :mod:`feedlint.ranges.pool`.

Small files are checked in the main process: a pool costs tens of
milliseconds to start, more than checking ``Tuning.parallel_min_records``
records, so a file switches to the pool only when it has more records than that
(see ``docs/performance.md``).  Every such number is the plan's
:class:`feedlint.tuning.Tuning`.
"""

from __future__ import annotations

import os
from collections import deque
from itertools import chain, islice
from typing import Any, Iterator

from .checker import RecordCheck, check_records as _check_serially
from .effects import Effects
from .executor import FileJob
from .reader.errors import InputError
from .reader.positions import cursor_fields
from .ranges import pool as ranged
from .packed import PackedFindings
from .workers import WorkerPool, check_chunk, chunk_records


# -- main side --------------------------------------------------------------------


def _check_here(check: RecordCheck, chunk: list) -> Iterator[Effects]:
    """Check a chunk in this process (when a worker could not return its results)."""
    return _check_serially(check, chunk_records(chunk))


def _chunks(raws: Iterator[Any], tuning: Any) -> Iterator[list]:
    """Records in chunks of about ``tuning.task_bytes``; a reading error comes after the chunk of the records before it."""
    task_bytes, task_records = tuning.task_bytes, tuning.task_records
    chunk: list = []
    size = 0
    try:
        for raw in raws:
            source = raw.source
            chunk.append((raw.index, raw.pointer, source if isinstance(source, bytes) else bytes(source), cursor_fields(raw.origin), raw.at, raw.line_document, raw.kind, raw.profile))
            size += raw.size
            if size >= task_bytes or len(chunk) >= task_records:
                yield chunk
                chunk, size = [], 0
    except InputError:
        if chunk:
            yield chunk  # checked and reported before the error, as in a serial run
        raise
    if chunk:
        yield chunk


def _expected_records(source: Any, head: list) -> int:
    """About how many records the file has: its size over the size of the records read so far (a pipe or gzip: those)."""
    read = sum(raw.size for raw in head)
    try:
        if source is None or source.info.gzip or not read or not os.path.isfile(source.path):
            return len(head)
        return max(len(head), round(os.path.getsize(source.path) * len(head) / read))
    except OSError:
        return len(head)


class ProcessExecutor:
    """The records of a file checked by worker processes of this machine (see the module's doc); an :class:`Executor`."""

    def __init__(self, plan: Any, jobs: int) -> None:
        self.plan = plan
        self.pool = WorkerPool(plan, jobs)

    def run(self, job: FileJob) -> Iterator[Effects]:
        return check_records(job, self.pool)

    def close(self) -> None:
        self.pool.close()


def check_records(job: FileJob, pool: WorkerPool) -> Iterator[Effects]:
    """Effects of ``job``'s records in record order (in this process for a small file).

    ``job.source`` lets workers read the rest of the file by ranges.  An
    :class:`InputError` from the reader is raised after every record read
    before it has been reported, as in a serial run.
    """
    check, raws, source = job.check, iter(job.records), job.source
    tuning = check.plan.tuning
    head: list = []
    failure: InputError | None = None
    by_ranges = tuning.ranges and ranged.rangeable(source, [*check.rules, *check.facts])
    min_records = tuning.parallel_min_records
    wanted = max(1, min_records) + by_ranges  # ranges start at the record after the head
    try:
        head.extend(islice(raws, wanted))
    except InputError as exc:  # report the records before it first
        failure = exc
    if failure is not None or len(head) < min_records or not getattr(head[0], "binary", False):
        yield from _check_serially(check, chain(head, () if failure is not None else raws))
        if failure is not None:
            raise failure
        return
    # The first record is checked here, before the fork: the libraries rules import
    # lazily and the validators they build once are then inherited by every worker.
    yield from _check_serially(check, [head.pop(0)])
    ranges = None
    if by_ranges and len(head) == wanted - 1 and source.reader.head is not None and source.reader.layout in ("array", "pages", "json-lines"):
        ranges = ranged.Ranges(source, ranged.start_of(source, head.pop()), tuning.range_bytes)
        source.info.records -= 1  # that record is read again, in its range
        raws = iter(())
    if check.facts and job.prepare is not None:
        pool.get()  # started before the thread: no fork while it imports
        job.prepare(_expected_records(source, head))
    try:
        yield from _run_tasks(job, chain(head, raws), ranges, pool)
    finally:
        if ranges is not None:
            ranges.close()


def _run_tasks(job: FileJob, raws: Iterator[Any], ranges: ranged.Ranges | None, pool: WorkerPool) -> Iterator[Effects]:
    """Submit the records' chunks, then the ranges, to the pool; yield their effects in order.

    When ranges go wrong (see :meth:`feedlint.ranges.pool.Ranges.give_up`) the rest of the file is
    read here from the last record start known for certain and sent as records.
    """
    check = job.check
    rules, display = check.rules, check.display
    rules_by_id = {a.rule.id: (a.rule.name, a.severity) for a in rules}
    profile = ranges.info.profile if ranges is not None else None
    if profile is None:
        raws = iter(raws)
        first = next(raws, None)
        profile = getattr(first, "profile", None)
        raws = chain([first], raws) if first is not None else iter(())
    index_of = {id(a): i for i, a in enumerate(check.plan.rules_for(profile))}  # the rules with this file's profile options
    common = (display, tuple(index_of[id(a)] for a in rules), bool(check.facts), check.keep_fixes, profile)
    pool.get()
    pending: deque = deque()  # (result, chunk of records or (start, stop) of a range) in submission order
    tuning = check.plan.tuning
    limit = pool.jobs * tuning.tasks_in_flight
    failure: InputError | None = None

    def drain_one() -> Iterator[Effects]:
        result, payload = pending.popleft()
        if isinstance(payload, list):
            yield from _drain_records(check, result, payload, rules_by_id)
            return
        try:
            got = result.get()
        except Exception:  # noqa: BLE001 - e.g. a plugin's hit that cannot be pickled
            got = None
        if got is None:  # malformed input or a crash in this range
            ranges.give_up(pending)  # type: ignore[union-attr]
            return
        yield ranged.drain(got, payload, ranges, rules_by_id, display, pending, job.progress)  # type: ignore[arg-type]

    chunks: Iterator[list] | None = _chunks(raws, tuning)
    while True:
        if ranges is not None and ranges.reread:
            ranges.reread = False
            chunks = _chunks(ranges.records_from_known(), tuning)
        span = None
        if chunks is not None:
            try:
                chunk = next(chunks, None)
            except InputError as exc:  # raised once the records before it are reported
                failure, chunk = exc, None
            if chunk is not None:
                pending.append((pool.submit(check_chunk, common + (chunk,)), chunk))
            else:
                chunks = None
                continue
        elif ranges is not None and failure is None and (span := ranges.next_span()) is not None:
            pending.append((pool.submit(ranged.check_range, common + ranges.task(span)), span))
        elif pending:
            yield from drain_one()
            continue
        else:
            break
        while len(pending) >= limit or (pending and pending[0][0].ready()):
            yield from drain_one()
    if failure is not None:
        raise failure


def _drain_records(check: RecordCheck, result: Any, chunk: list, rules_by_id: dict) -> Iterator[Effects]:
    try:
        out, totals = result.get()
    except Exception:  # noqa: BLE001 - e.g. a plugin's hit that cannot be pickled: check here instead
        yield from _check_here(check, chunk)
        return
    found = totals.findings = PackedFindings(rules_by_id, check.display)
    for (packed, facts), item in zip(out, chunk):
        index, pointer = item[0], item[1]
        if packed:
            found.add(packed, index, pointer)
        if facts is not None:
            totals.facts.append((index, pointer, *facts))  # (content_id, facts) from the worker
    yield totals


