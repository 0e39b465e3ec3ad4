"""Read again just the records the dataset stage needs, each from where the first pass found it.

A dataset finding and its related places are located in their records, read
again after the workers are done: the main process alone, adding to the run's
wall time.  Reading the file in order up to the last record needed decoded
nearly every record of an export whose findings reach its end (FL606's shared
image: a few findings, related places all through the file).  But the first
pass knew where each record starts (its byte offset and cursor: the fact row's
``start``, :attr:`feedlint.reader.jsonstream.RawRecord.start`), so each record
needed is read alone from there: one ``pread`` and one decode, by the reader's
own :meth:`~feedlint.reader.jsonstream.JsonRecordReader.record_at`, so its
source, values and positions are those of the first pass.

Only a plain JSON file on disk can be read that way (a gzip stream cannot
seek); :func:`seekable` says when.  Otherwise, or when a record's start is not
known (a Spark run's facts, a record moved by ``--fix``), the engine reads the
file in order as before.
"""

from __future__ import annotations

import os
from typing import Any, Generator, Sequence

from ..reader.errors import InputError
from ..reader.jsonstream import JsonRecordReader, RawRecord, RecordStart
from ..reader.positions import Cursor
from .cut import FileRange

LAYOUTS = ("pages", "array", "json-lines", "document")  # what JsonRecordReader.records reads (not an article)
_FIRST_WINDOW = 64 * 1024  # bytes read for the first record; then twice the size of the record read before
_MIN_WINDOW = 4096


def seekable(path: str, info: Any) -> bool:
    """Whether the records of the file ``info`` (read from ``path``) can be read each at its offset: a JSON export in a plain file, not gzip."""
    return hasattr(os, "pread") and info.kind == "cms" and not info.gzip and info.layout in LAYOUTS and os.path.isfile(path)


def records_at(path: str, info: Any, wanted: Sequence[tuple[int, str, tuple]]) -> Generator[RawRecord, None, None]:
    """The records ``wanted`` (``(index, pointer, start)``, in file order), each read alone from its start.

    They come as the file's reader gives them (see the module's doc); an
    :class:`InputError` if the file cannot be opened or holds no record at
    a start (it changed since it was checked).
    """
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError as exc:
        raise InputError(info.display, f"cannot read: {exc.strerror or exc}") from None
    try:
        bom = 3 if info.bom else 0
        lines = info.layout == "json-lines"
        window = _FIRST_WINDOW
        for index, pointer, (at, *cursor) in wanted:
            reader = JsonRecordReader(FileRange(fd, bom + at, info.display, window), bom=bom)  # type: ignore[arg-type]
            raw = reader.record_at(RecordStart(at, Cursor(*cursor), index), pointer, lines)
            window = max(_MIN_WINDOW, 2 * raw.size)  # records of one export are of a size: most in one read
            yield raw
    finally:
        os.close(fd)
