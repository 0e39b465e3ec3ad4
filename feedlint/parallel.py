"""Check a file's records on every core, with the same findings in the same order.

Two ways to hand records to worker processes:

* **Ranges** (a plain JSON file on disk, compact records): the main process
  only guesses where chunks of about 512 KB begin (:mod:`.reader.ranges`), and
  each worker reads, splits and decodes its own range, checks its records and
  sends back the located findings, counted from the range's start.  The main
  process checks that each range ended where the next began and shifts the
  positions, record numbers and pointers into place.  Reading is then spread
  over the workers too, and the main process is left with the report.
* **Records** (gzip, a pipe, pretty-printed records, rules from outside
  feedlint -- which may read ``record.index``, not known in a worker that
  starts mid-file): the main process splits the file and sends each record's
  bytes, pointer and start position; the worker decodes it again.

Tasks are submitted with a bounded number in flight and their results consumed
in submission order, so the output is identical to a serial run whatever the
number of workers, and memory stays flat (the pool's own ``imap`` would read
the whole file ahead).  Anything unusual in a range -- malformed JSON, a rule
that crashed (its message names the record by number), guesses that keep
missing -- makes the main process read the rest of the file itself, from the
last record start known for certain, and send records: errors and numbers come
out exactly as in a serial run.  Dataset rules still run once, at the end, in
the main process, over the facts gathered here.  The workers' side and the pool
are in :mod:`feedlint.workers`.

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
from typing import Any, Iterable, Iterator, Sequence

from .checker import RecordCheck, check_records as _check_serially
from .effects import Effects
from .executor import FileJob
from .reader.errors import InputError
from .reader.positions import Cursor
from .workers import WorkerPool, check_chunk, check_range, chunk_records


MAX_MISSES = 4  # ranges are given up after this many wrong guesses, if one range in eight missed


def unpack_findings(packed: tuple, rules_by_id: dict, display: str, index: int, pointer: str, base: Cursor | None = None) -> list:
    """The :class:`Finding` objects :func:`pack_findings` packed, equal to the worker's (a shared region built once).

    ``base``: where the worker's positions are counted from (a range's start), if not the file's start.
    """
    if not packed:
        return []
    from .model import Finding
    from .reader.positions import Region

    content_id, rows = packed
    regions: dict = {}
    out = []
    for rule_id, message, record_pointer, fields, evidence, fingerprint, fix in rows:
        region = regions.get(fields)
        if region is None:
            region = regions[fields] = Region.from_fields(fields if base is None else base.shift(fields))
        name, severity = rules_by_id[rule_id]
        out.append(Finding(rule_id, name, severity, message, display, index, content_id, pointer + record_pointer, record_pointer, region, evidence, fix, fingerprint))
    return out


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
            o = raw.origin
            source = raw.source
            chunk.append((raw.index, raw.pointer, source if isinstance(source, bytes) else bytes(source), (o.line, o.column, o.column16, o.offset, o.offset16), raw.line_document, raw.kind, raw.profile))
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


def _rangeable(source: Any, rules: Sequence[Any]) -> bool:
    """Whether workers can read ``source`` by ranges: a JSON export in a plain file, no rule declaring it reads a record's place.

    A range's worker counts record numbers and pointers from the range's
    start, so a rule that reads ``record.index``/``record.pointer`` declares
    ``reads_place`` and gets records.  One that reads them without saying so
    meets :class:`feedlint.api.PlaceUnknown` in the worker, which gives its
    range back (the rest of the file is then sent as records).
    """
    from .reader.jsonstream import JsonRecordReader

    return (
        source is not None
        and hasattr(os, "pread")  # not on Windows: there, the records path
        and source.path != "-"
        and not source.info.gzip
        and isinstance(getattr(source, "reader", None), JsonRecordReader)
        and os.path.isfile(source.path)
        and not any(a.rule.reads_place for a in rules)
    )


class _Ranges:
    """A file's ranges still to check, and the last record start known for certain (see :mod:`.reader.ranges`)."""

    def __init__(self, source: Any, start: Any, step: int) -> None:
        from .reader.ranges import cuts

        reader = source.reader
        self.info = source.info
        self.path = source.path
        self.display = source.info.display
        self.bom, self.head, self.layout = reader.bom, reader.head, reader.layout
        self.fd = os.open(source.path, os.O_RDONLY)
        self.size = os.fstat(self.fd).st_size
        self.known = start  # where the next range to drain starts
        self.drained = self.misses = 0
        self.reread = False  # set when the rest of the file is to be read here, from ``known``
        self.step = step  # about this many bytes a range (Tuning.range_bytes)
        self._cuts = cuts
        self.recut(start.offset)

    def recut(self, offset: int) -> None:
        self.spans = self._cuts(self.fd, self.bom, offset, self.head, self.size, self.step)

    def stop_cutting(self) -> None:
        self.spans = iter(())

    def missed(self, pending: deque) -> None:
        """A range ended past the next one's start (a guess inside a record): drop what was cut after it and cut again.

        Guesses that miss often (records full of nested objects that begin like
        records) would waste the workers' time: then :meth:`give_up`.
        """
        pending.clear()
        self.misses += 1
        if self.misses >= MAX_MISSES and self.misses * 8 >= self.drained:
            self.give_up(pending)
        else:
            self.recut(self.known.offset)

    def give_up(self, pending: deque) -> None:
        """Read the rest here, from the last record start known for certain, and send records (exact numbers and errors)."""
        pending.clear()
        self.stop_cutting()
        self.reread = True

    def records_from_known(self) -> Iterator[Any]:
        from .reader.ranges import range_reader

        reader = range_reader(self.fd, self.bom, self.display, self.head, self.known.offset, None, self.step)
        for raw in reader.resume(self.known, self.layout, None):
            self.info.records += 1
            yield raw

    def next_span(self) -> tuple[int, int | None] | None:
        try:
            return next(self.spans, None)
        except OSError as exc:
            raise InputError(self.display, f"cannot read: {exc}") from None

    def task(self, span: tuple[int, int | None]) -> tuple:
        return (self.path, self.bom, self.layout, self.head, *span)

    def pointer(self, k: int, page: int, first_in_page: int) -> str:
        """Pointer of a range's ``k``-th record, on its ``page``-th page counted from the range's (whose first record is its ``first_in_page``-th)."""
        from .reader.jsonstream import record_pointer

        known = self.known
        if self.layout == "pages":
            return record_pointer("pages", known.outer + page, known.inner + k if page == 0 else k - first_in_page)
        return record_pointer(self.layout, known.outer + k, 0)

    def close(self) -> None:
        os.close(self.fd)


def _expected_records(source: Any, head: list) -> int:
    """About how many records the file has: its size over the size of the records read so far (a pipe or gzip: those)."""
    read = sum(raw.size for raw in head)
    try:
        if source is None or source.info.gzip or not read or not os.path.isfile(source.path):
            return len(head)
        return max(len(head), round(os.path.getsize(source.path) * len(head) / read))
    except OSError:
        return len(head)


def _start_of(source: Any, raw: Any) -> Any:
    """The :class:`RecordStart` of ``raw``, the record ``source``'s reader has just read."""
    from .reader.jsonstream import RecordStart

    place = [int(p) for p in raw.pointer.split("/")[1:]]
    return RecordStart(source.reader.record_start, raw.origin, raw.index, *place)


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
    ranged = tuning.ranges and _rangeable(source, [*check.rules, *check.facts])
    min_records = tuning.parallel_min_records
    wanted = max(1, min_records) + ranged  # ranges start at the record after the head
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
    if ranged and len(head) == wanted - 1 and source.reader.head is not None and source.reader.layout in ("array", "pages", "json-lines"):
        ranges = _Ranges(source, _start_of(source, head.pop()), tuning.range_bytes)
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


def _run_tasks(job: FileJob, raws: Iterator[Any], ranges: _Ranges | None, pool: WorkerPool) -> Iterator[Effects]:
    """Submit the records' chunks, then the ranges, to the pool; yield their effects in order.

    When ranges go wrong (see :meth:`_Ranges.give_up`) the rest of the file is
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
        yield _drain_range(got, payload, ranges, rules_by_id, display, pending, job.progress)  # type: ignore[arg-type]

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
            pending.append((pool.submit(check_range, common + ranges.task(span)), span))
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
    display = check.display
    for (packed, facts), item in zip(out, chunk):
        index, pointer = item[0], item[1]
        if packed:
            totals.findings.extend(unpack_findings(packed, rules_by_id, display, index, pointer))
        if facts is not None:
            totals.facts.append((index, pointer, *facts))  # (content_id, facts) from the worker
    yield totals


def _drain_range(got: tuple, span: tuple, ranges: _Ranges, rules_by_id: dict, display: str, pending: deque, progress: Any) -> Effects:
    """A range's effects, numbered and placed from its start; then check it ended where the next range starts."""
    out, pages, rel_end, totals = got
    known = ranges.known
    base = known.cursor
    page, first_in_page = 0, 0
    for k, (packed, facts) in enumerate(out):
        if pages and pages[k] != page:
            page, first_in_page = pages[k], k
        if packed or facts is not None:
            index, pointer = known.index + k, ranges.pointer(k, page, first_in_page)
            if packed:
                totals.findings.extend(unpack_findings(packed, rules_by_id, display, index, pointer, base))
            if facts is not None:
                totals.facts.append((index, pointer, *facts))
    ranges.info.records += len(out)
    ranges.drained += 1
    stop = span[1]
    if rel_end is None:  # the range read to the end of the file
        ranges.stop_cutting()
        pending.clear()
        return totals
    ranges.known = known.then(rel_end)
    if progress is not None:
        progress(display, ranges.bom + ranges.known.offset, ranges.size, ranges.info.records)
    if ranges.known.offset != stop:  # the next range's start was a guess inside a record
        ranges.missed(pending)
    return totals
