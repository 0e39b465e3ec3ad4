"""Cut a run's inputs into Spark tasks, on the driver.

The driver reads each file's first record (to detect its profile and learn
how its records begin, ``{"content_id":``), then:

* a plain JSON export on a local path (array, pages or JSON Lines of compact
  records) becomes byte ranges of about
  ``split_bytes``, each starting where a record seems to start -- in JSON Lines
  at a line that begins like a record, elsewhere at the first such beginning
  past the cut (:func:`feedlint.ranges.cut.cuts`).  The guesses are checked
  by the chain of ranges afterwards (see :mod:`.engine`);
* anything else (gzip, a plain-text article, a document read through a
  profile, pretty-printed records, a rule declaring ``reads_place``: it reads
  ``record.index``) is one task for the whole file;
* a file that has no records, is skipped (no profile fits) or cannot be read
  at its first record needs no task: the driver knows all there is.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, Sequence

from ..reader.errors import InputError
from ..ranges.cut import cuts
from .tasks import RANGE, WHOLE, SplitTask

MIN_SPLIT, MAX_SPLIT = 1 << 20, 64 << 20  # the default split size stays between these


@dataclass
class FileJob:
    """One input as planned: how it is checked and its tasks."""

    index: int
    path: str
    display: str
    info: Any  # the FileInfo from the driver's look at the file's start
    mode: str  # RANGE, WHOLE, "empty", "skip" or "error"
    tasks: list[SplitTask] = field(default_factory=list)
    start: Any = None  # RANGE: the RecordStart of the first record
    rules: list = field(default_factory=list)  # RANGE: the file's record rules
    reason: str = ""  # "skip": why
    error: InputError | None = None  # "error": what stopped the file at its first record


def default_split_bytes(total: int, parallelism: int) -> int:
    """About four tasks per core for the run's bytes, between 1 MB and 64 MB each."""
    return max(MIN_SPLIT, min(MAX_SPLIT, total // max(1, 4 * parallelism) or MIN_SPLIT))


def _place_free(rules: Sequence[Any]) -> bool:
    """Whether no rule declares it reads ``record.index``/``record.pointer``, which a range counts from its own start.

    One that reads them undeclared meets :class:`feedlint.api.PlaceUnknown` in
    its task, and the driver checks that range itself (exact numbers).
    """
    return not any(a.rule.reads_place for a in rules)


def plan_file(plan: Any, index: int, path: str, display: str, split_bytes: int, keep_fixes: bool) -> FileJob:
    """Look at the file's start and plan its tasks (see the module's doc)."""
    from ..engine import non_object_in_pages
    from ..reader.jsonstream import JsonRecordReader, RecordStart
    from ..reader.sources import Source

    path = os.path.abspath(path)  # an executor's working directory is not ours
    source = Source(path, plan.input_format, display, profiles=plan.profile_set())
    info = source.info
    whole = FileJob(index, path, display, info, WHOLE, [SplitTask(index, 0, path, display, WHOLE, keep_fixes)])
    records = source.records()
    try:
        first = next(records, None)
    except InputError as exc:
        reason = source.no_export_reason(exc)
        if reason is not None:  # JSONC (tsconfig.json): no export, as Engine.file_batches says
            return FileJob(index, path, display, info, "skip", reason=reason)
        return FileJob(index, path, display, info, "error", error=exc)
    finally:
        records.close()
    if first is None:
        return FileJob(index, path, display, info, "empty")
    if info.kind == "cms" and not non_object_in_pages(info, first.data) and source.detect(first) is None:
        return FileJob(index, path, display, info, "skip", reason=source.skip_reason())
    reader = source.reader
    profile = info.profile or None
    rules = plan.for_file(display, "record", info.kind, profile)
    if not (
        isinstance(reader, JsonRecordReader)
        and hasattr(os, "pread")
        and not info.gzip
        and reader.head is not None
        and reader.layout in ("array", "pages", "json-lines")
        and os.path.isfile(path)
        and _place_free([*rules, *plan.by_scope("dataset")])
    ):
        return whole
    place = [int(p) for p in first.pointer.split("/")[1:]]
    start = RecordStart(reader.record_start, first.origin, 0, *place)
    by_id = {id(a): i for i, a in enumerate(plan.rules_for(profile))}
    indices = tuple(by_id[id(a)] for a in rules)
    head = reader.head
    fd = os.open(path, os.O_RDONLY)
    try:
        spans = list(cuts(fd, reader.bom, start.offset, head, os.fstat(fd).st_size, split_bytes, reader.layout == "json-lines"))
    finally:
        os.close(fd)
    tasks = [
        SplitTask(index, n, path, display, RANGE, keep_fixes, profile, indices, reader.bom, reader.layout, head, a, b)
        for n, (a, b) in enumerate(spans)
    ]
    return FileJob(index, path, display, info, RANGE, tasks, start, rules)
