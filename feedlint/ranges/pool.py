"""Ranges for the process pool: which files are read by ranges, the main process's side, and the workers'.

The main side (:class:`Ranges`, :func:`drain`) cuts the file (:mod:`.cut`),
hands each range to a worker, checks that each range ended where the next
began and shifts the worker's numbers, pointers and positions into place; the
worker side (:func:`check_range`) reads, splits and checks one range.  The
scheduling and the records path are :mod:`feedlint.parallel`'s; the transport
of findings (:func:`feedlint.packed.pack_findings`) is shared with it.

A worker checks its records with ``RecordCheck(place_known=False)``: a rule
reading ``record.index``/``record.pointer`` there meets
:class:`feedlint.api.PlaceUnknown`, and the range is given back (the rest of the
file then goes the records path, with the serial run's numbers).
"""

from __future__ import annotations

import os
from collections import deque
from typing import Any, Iterator, Sequence

from ..effects import Effects
from ..reader.errors import InputError
from ..reader.jsonstream import record_pointer, shift_start
from ..reader.positions import Cursor
from ..packed import PackedFindings
from ..workers import _check, _packed, _worker

MAX_MISSES = 4  # ranges are given up after this many wrong guesses, if one range in eight missed

_range_file: dict[str, int] = {}  # worker: the file this worker reads ranges of, opened once


# -- main side --------------------------------------------------------------------


def rangeable(source: Any, rules: Sequence[Any]) -> bool:
    """Whether workers can read ``source`` by ranges: a JSON export in a plain file, no rule declaring it reads a record's place.

    A range's worker counts record numbers and pointers from the range's
    start, so a rule that reads ``record.index``/``record.pointer`` declares
    ``reads_place`` and gets records.  One that reads them without saying so
    meets :class:`feedlint.api.PlaceUnknown` in the worker, which gives its
    range back (the rest of the file is then sent as records).
    """
    from ..reader.jsonstream import JsonRecordReader

    return (
        source is not None
        and hasattr(os, "pread")  # not on Windows: there, the records path
        and source.path != "-"
        and not source.info.gzip
        and isinstance(getattr(source, "reader", None), JsonRecordReader)
        and os.path.isfile(source.path)
        and not any(a.rule.reads_place for a in rules)
    )


class Ranges:
    """A file's ranges still to check, and the last record start known for certain (see :mod:`.cut`)."""

    def __init__(self, source: Any, start: Any, step: int) -> None:
        from .cut import cuts

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
        from .cut import range_reader

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
        known = self.known
        if self.layout == "pages":
            return record_pointer("pages", known.outer + page, known.inner + k if page == 0 else k - first_in_page)
        return record_pointer(self.layout, known.outer + k, 0)

    def close(self) -> None:
        os.close(self.fd)


def start_of(source: Any, raw: Any) -> Any:
    """The :class:`RecordStart` of ``raw``, the record ``source``'s reader has just read."""
    from ..reader.jsonstream import RecordStart

    place = [int(p) for p in raw.pointer.split("/")[1:]]
    return RecordStart(source.reader.record_start, raw.origin, raw.index, *place)


def drain(got: tuple, span: tuple, ranges: Ranges, rules_by_id: dict, display: str, pending: deque, progress: Any) -> Effects:
    """A range's effects, numbered and placed from its start; then check it ended where the next range starts."""
    out, pages, rel_end, totals = got
    known = ranges.known
    base = known.cursor
    found = totals.findings = PackedFindings(rules_by_id, display, base)
    page, first_in_page = 0, 0
    for k, (packed, facts) in enumerate(out):
        if pages and pages[k] != page:
            page, first_in_page = pages[k], k
        if packed or facts is not None:
            index, pointer = known.index + k, ranges.pointer(k, page, first_in_page)
            if packed:
                found.add(packed, index, pointer)
            if facts is not None:
                content_id, row, start = facts
                totals.facts.append((index, pointer, content_id, row, shift_start(base, start)))
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


# -- worker side ------------------------------------------------------------------


def _range_fd(path: str) -> int:
    fd = _range_file.get(path)
    if fd is None:
        for old in _range_file.values():
            os.close(old)
        _range_file.clear()
        fd = _range_file[path] = os.open(path, os.O_RDONLY)
    return fd


def check_range(task: tuple) -> tuple | None:
    """Worker: read, split and check the records of one byte range (see :mod:`.cut`).

    Returns per-record (findings, facts), each record's page when the export
    is paged, where the range really ended (counted from its start, None at
    the end of the file) and the side effects; None when the main process
    must check the range itself: the input is malformed there, a rule
    crashed (its message would name the record by a number counted from the
    range's start), or a rule read ``record.index``/``record.pointer``
    (:class:`PlaceUnknown`: they are not known here).
    """
    from ..api import PlaceUnknown
    from ..reader.jsonstream import RecordStart
    from .cut import range_reader

    display, rule_indices, want_facts, keep_fixes, profile, path, bom, layout, head, start, stop = task
    check = _check(display, rule_indices, want_facts, keep_fixes, profile, place_known=False)
    paged = layout == "pages"
    out: list = []
    pages: list = []
    totals = Effects()
    try:
        reader = range_reader(_range_fd(path), bom, display, head, start, stop, _worker["plan"].tuning.range_bytes)
        reader.profile = profile or "cms"
        raws = reader.resume(RecordStart(start, Cursor()), layout, stop)
        if paged:
            raws = _noting_pages(raws, pages)
        _packed(check, raws, out, totals)
    except (InputError, OSError, PlaceUnknown):
        return None
    if totals.internal_errors:
        return None
    return out, pages, reader.stopped_at, totals


def _noting_pages(raws: Iterator[Any], pages: list) -> Iterator[Any]:
    """``raws``, noting each record's page (the first step of its pointer) in ``pages``."""
    for raw in raws:
        pages.append(int(raw.pointer[1 : raw.pointer.index("/", 1)]))
        yield raw
