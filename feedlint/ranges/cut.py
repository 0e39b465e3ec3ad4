"""Cut a JSON export into byte ranges that workers (processes, Spark tasks) split into records themselves.

The parallel run's main process would otherwise read every record, decode it
once to find where it ends, and pipe its bytes to a worker that decodes it
again: a fixed share of the work that capped the speed-up.  Instead the main
process only *guesses* where chunks begin -- the first place after every
``step`` bytes (``Tuning.range_bytes``) where a record seems to start (``{"content_id":``, the way
this export's records begin) -- and each worker reads its own range with the
ordinary reader, from one record start to the first record starting at or after
the next guess.

A guess can be wrong (a nested object may begin the same way); the chain of
ranges is checked instead.  The first range starts at a record the main process
read itself, and a worker that starts at a true record start reads true records
(the reader checks every separator), so it ends at a true record start: if that
is the next range's start, that range starts at a record too, and so on.  When
a range ends elsewhere, the ranges after it are dropped and cut again from where
it really ended.  Positions come back counted from the range's start and are
shifted by the caller (:meth:`RecordStart.then`, :meth:`Cursor.shift`).
"""

from __future__ import annotations

import os
from typing import Iterator

from ..reader.errors import InputError
from ..reader.jsonstream import JsonRecordReader


_LOOK = 64 * 1024  # read this much at a time when looking for the next record start


class FileRange:
    """The stream a :class:`JsonRecordReader` reads a range from: ``pread`` from an offset on, no shared file position."""

    def __init__(self, fd: int, offset: int, display: str, chunk: int) -> None:
        self.fd = fd
        self.offset = offset
        self.display = display
        self.chunk = chunk  # the reader's window: the whole range in one read, usually

    def read_bytes(self, n: int) -> bytes:
        try:
            data = os.pread(self.fd, n, self.offset)
        except OSError as exc:
            raise InputError(self.display, f"cannot read: {exc}") from None
        self.offset += len(data)
        return data


def range_reader(fd: int, bom: int, display: str, head: bytes, start: int, stop: int | None, step: int) -> JsonRecordReader:
    """A reader positioned at file offset ``start`` (after ``bom`` bytes), ready for :meth:`JsonRecordReader.resume`.

    Its first window is the whole range (``step`` bytes when it reads to the end of the file).
    """
    window = (stop - start if stop is not None else max(1, step)) + _LOOK
    return JsonRecordReader(FileRange(fd, bom + start, display, window), head, bom)  # type: ignore[arg-type]


def cuts(fd: int, bom: int, start: int, head: bytes, size: int, step: int, lines: bool = False) -> Iterator[tuple[int, int | None]]:
    """``(start, stop)`` ranges from the record at ``start`` to the end of the file (the last stop is None).

    Each stop is the first place at least ``step`` bytes after its range's
    start where a record seems to begin: ``head`` anywhere, or with ``lines``
    (JSON Lines) ``head`` at the start of a line.  A guess, checked by the
    reader of the range before it (the Spark driver checks the chain the same way).
    """
    needle = b"\n" + head if lines else head
    skip = 1 if lines else 0  # the stop is after the newline, at the record
    end = size - bom
    step = max(1, step)  # each stop after its start: ranges always move on
    while True:
        at = start + step
        stop = None
        while at < end:
            found = os.pread(fd, _LOOK + len(needle), bom + at).find(needle)
            if found >= 0:
                stop = at + found + skip
                break
            at += _LOOK
        yield start, stop
        if stop is None:
            return
        start = stop
