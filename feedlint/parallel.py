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
milliseconds to start, more than checking :data:`MIN_PARALLEL_RECORDS`
records, so a file switches to the pool only when it has more records than that
(see ``docs/performance.md``).
"""

from __future__ import annotations

import os
from collections import deque
from itertools import chain, islice
from typing import Any, Iterable, Iterator, Sequence

from .reader.errors import InputError
from .reader.positions import Cursor
from . import tuning
from .workers import WorkerPool, check_chunk, check_range, chunk_records


MIN_PARALLEL_RECORDS: int = tuning.value("FEEDLINT_PARALLEL_MIN_RECORDS")  # fewer records: checked in the main process
CHUNK_BYTES = 512 * 1024  # records per task: about this much source
CHUNK_RECORDS = 256  # ... and at most this many
IN_FLIGHT_PER_WORKER = 4  # tasks submitted ahead per worker (bounded memory)
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
            region = regions[fields] = Region(*(fields if base is None else base.shift(fields)))
        name, severity = rules_by_id[rule_id]
        out.append(Finding(rule_id, name, severity, message, display, index, content_id, pointer + record_pointer, record_pointer, region, evidence, fix, fingerprint))
    return out


# -- main side --------------------------------------------------------------------


def _check_here(engine: Any, chunk: list, rules: Sequence[Any], display: str, file_index: int) -> Iterator[Any]:
    """Check a chunk in this process (when a worker could not return its results)."""
    for raw in chunk_records(chunk):
        engine.stats.records += 1
        yield from engine.check_record(raw, rules, display)
        engine.collect(raw, file_index)


def _merge_effects(engine: Any, effects: tuple) -> None:
    internal, setup, used, suppressed = effects
    engine.internal_errors.extend(internal)
    for problem, ids in setup.items():
        for rule_id in ids:
            engine.add_setup_error(rule_id, problem)
    for s, n in zip(engine.plan.suppressions, used):
        s.used += n
    engine.stats.suppressed += suppressed


def _chunks(raws: Iterator[Any]) -> Iterator[list]:
    """Records in chunks of about :data:`CHUNK_BYTES`; a reading error comes after the chunk of the records before it."""
    chunk: list = []
    size = 0
    try:
        for raw in raws:
            o = raw.origin
            chunk.append((raw.index, raw.pointer, raw.source, (o.line, o.column, o.column16, o.offset, o.offset16), raw.line_document, raw.kind, raw.profile))
            size += len(raw.source)
            if size >= CHUNK_BYTES or len(chunk) >= CHUNK_RECORDS:
                yield chunk
                chunk, size = [], 0
    except InputError:
        if chunk:
            yield chunk  # checked and reported before the error, as in a serial run
        raise
    if chunk:
        yield chunk


def _trusted(active: Any) -> bool:
    """Whether a rule ships with feedlint: it never reads ``record.index`` or ``record.pointer``, which a range's worker counts from the range's start."""
    return active.rule.origin.startswith("feedlint.rules.")


def _rangeable(source: Any, rules: Sequence[Any]) -> bool:
    """Whether workers can read ``source`` by ranges: a JSON export in a plain file, checked by feedlint's own rules."""
    from .reader.jsonstream import JsonRecordReader

    return (
        source is not None
        and hasattr(os, "pread")  # not on Windows: there, the records path
        and source.path != "-"
        and not source.info.gzip
        and isinstance(getattr(source, "reader", None), JsonRecordReader)
        and os.path.isfile(source.path)
        and all(_trusted(a) for a in rules)
    )


class _Ranges:
    """A file's ranges still to check, and the last record start known for certain (see :mod:`.reader.ranges`)."""

    def __init__(self, source: Any, start: Any) -> None:
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
        self._cuts = cuts
        self.recut(start.offset)

    def recut(self, offset: int) -> None:
        self.spans = self._cuts(self.fd, self.bom, offset, self.head, self.size)

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

        reader = range_reader(self.fd, self.bom, self.display, self.head, self.known.offset, None)
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
    read = sum(len(raw.source) for raw in head)
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


def check_records(engine: Any, raws: Iterable[Any], rules: Sequence[Any], display: str, file_index: int, pool: WorkerPool | None, source: Any = None) -> Iterator[Any]:
    """Findings of ``raws`` in record order; facts go to ``engine.table``.

    ``source`` (the :class:`Source` ``raws`` come from) lets workers read the
    rest of the file by ranges.  An :class:`InputError` from the reader is
    raised after every record read before it has been reported, as in a
    serial run.
    """
    raws = iter(raws)
    head: list = []
    failure: InputError | None = None
    ranged = pool is not None and _rangeable(source, rules)
    wanted = max(1, MIN_PARALLEL_RECORDS) + ranged  # ranges start at the record after the head
    if pool is not None:
        try:
            head.extend(islice(raws, wanted))
        except InputError as exc:  # report the records before it first
            failure = exc
    if pool is None or failure is not None or len(head) < MIN_PARALLEL_RECORDS or not isinstance(head[0].source, bytes):
        for raw in chain(head, () if failure is not None else raws):
            engine.stats.records += 1
            yield from engine.check_record(raw, rules, display)
            engine.collect(raw, file_index)
        if failure is not None:
            raise failure
        return
    # The first record is checked here, before the fork: the libraries rules import
    # lazily and the validators they build once are then inherited by every worker.
    raw = head.pop(0)
    engine.stats.records += 1
    yield from engine.check_record(raw, rules, display)
    engine.collect(raw, file_index)
    ranges = None
    if ranged and len(head) == wanted - 1 and source.reader.head is not None and source.reader.layout in ("array", "pages", "json-lines"):
        ranges = _Ranges(source, _start_of(source, head.pop()))
        source.info.records -= 1  # that record is read again, in its range
        raws = iter(())
    if engine.wants_facts:
        pool.get()  # started before the thread: no fork while it imports
        engine.prepare_in_background(len(engine.table) + _expected_records(source, head))
    try:
        yield from _run_tasks(engine, chain(head, raws), ranges, rules, display, file_index, pool)
    finally:
        if ranges is not None:
            ranges.close()


def _run_tasks(engine: Any, raws: Iterator[Any], ranges: _Ranges | None, rules: Sequence[Any], display: str, file_index: int, pool: WorkerPool) -> Iterator[Any]:
    """Submit the records' chunks, then the ranges, to the pool; yield their findings in order.

    When ranges go wrong (see :meth:`_Ranges.give_up`) the rest of the file is
    read here from the last record start known for certain and sent as records.
    """
    rules_by_id = {a.rule.id: (a.rule.name, a.severity) for a in rules}
    profile = ranges.info.profile if ranges is not None else None
    if profile is None:
        raws = iter(raws)
        first = next(raws, None)
        profile = getattr(first, "profile", None)
        raws = chain([first], raws) if first is not None else iter(())
    index_of = {id(a): i for i, a in enumerate(engine.plan.rules_for(profile))}  # the rules with this file's profile options
    common = (display, tuple(index_of[id(a)] for a in rules), engine.wants_facts, engine.keep_fixes, profile)
    workers = pool.get()
    pending: deque = deque()  # (result, chunk of records or (start, stop) of a range) in submission order
    limit = pool.jobs * IN_FLIGHT_PER_WORKER
    failure: InputError | None = None

    def drain_one() -> Iterator[Any]:
        result, payload = pending.popleft()
        if isinstance(payload, list):
            yield from _drain_records(engine, result, payload, rules, rules_by_id, display, file_index)
            return
        try:
            got = result.get()
        except Exception:  # noqa: BLE001 - e.g. a plugin's hit that cannot be pickled
            got = None
        if got is None:  # malformed input or a crash in this range
            ranges.give_up(pending)  # type: ignore[union-attr]
            return
        yield from _drain_range(engine, got, payload, ranges, rules_by_id, display, file_index, pending)

    chunks: Iterator[list] | None = _chunks(raws)
    while True:
        if ranges is not None and ranges.reread:
            ranges.reread = False
            chunks = _chunks(ranges.records_from_known())
        span = None
        if chunks is not None:
            try:
                chunk = next(chunks, None)
            except InputError as exc:  # raised once the records before it are reported
                failure, chunk = exc, None
            if chunk is not None:
                pending.append((workers.apply_async(check_chunk, (common + (chunk,),)), chunk))
            else:
                chunks = None
                continue
        elif ranges is not None and failure is None and (span := ranges.next_span()) is not None:
            pending.append((workers.apply_async(check_range, (common + ranges.task(span),)), span))
        elif pending:
            yield from drain_one()
            continue
        else:
            break
        while len(pending) >= limit or (pending and pending[0][0].ready()):
            yield from drain_one()
    if failure is not None:
        raise failure


def _drain_records(engine: Any, result: Any, chunk: list, rules: Sequence[Any], rules_by_id: dict, display: str, file_index: int) -> Iterator[Any]:
    try:
        out, effects = result.get()
    except Exception:  # noqa: BLE001 - e.g. a plugin's hit that cannot be pickled: check here instead
        yield from _check_here(engine, chunk, rules, display, file_index)
        return
    _merge_effects(engine, effects)
    for (packed, facts), item in zip(out, chunk):
        engine.stats.records += 1
        yield from unpack_findings(packed, rules_by_id, display, item[0], item[1])
        if facts is not None:
            engine.add_facts((item[0], item[1]), file_index, facts)  # (content_id, facts) from the worker


def _drain_range(engine: Any, got: tuple, span: tuple, ranges: _Ranges, rules_by_id: dict, display: str, file_index: int, pending: deque) -> Iterator[Any]:
    """A range's findings and facts, numbered and placed from its start; then check it ended where the next range starts."""
    out, pages, rel_end, effects = got
    _merge_effects(engine, effects)
    known = ranges.known
    base = known.cursor
    page, first_in_page = 0, 0
    for k, (packed, facts) in enumerate(out):
        if pages and pages[k] != page:
            page, first_in_page = pages[k], k
        if packed or facts is not None:
            index, pointer = known.index + k, ranges.pointer(k, page, first_in_page)
            if packed:
                yield from unpack_findings(packed, rules_by_id, display, index, pointer, base)
            if facts is not None:
                engine.add_facts((index, pointer), file_index, facts)
    engine.stats.records += len(out)
    ranges.info.records += len(out)
    ranges.drained += 1
    stop = span[1]
    if rel_end is None:  # the range read to the end of the file
        ranges.stop_cutting()
        pending.clear()
        return
    ranges.known = known.then(rel_end)
    if engine.progress is not None:
        engine.progress(display, ranges.bom + ranges.known.offset, ranges.size, ranges.info.records)
    if ranges.known.offset != stop:  # the next range's start was a guess inside a record
        ranges.missed(pending)
