"""Repair one export: every record through the fix loop, each repaired record handed to an output as it is found.

The file is read once into memory (gzip decompressed); only the byte ranges of
the records that changed are replaced, so layout, key order, numbers, line
ends and a byte-order mark outside them stay as they were.  The repaired
records are not kept: the output (:mod:`.outputs`: the file, a diff, JSON
Patches) writes each one as it comes, so memory holds the file once.
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass, field
from typing import Any, Callable

from ..model import Record
from ..reader.errors import InputError
from ..reader.sources import Source
from .loop import Applied, FixPolicy, fix_record

_BOM = b"\xef\xbb\xbf"


@dataclass
class RepairedRecord:
    """What is kept of a repaired record: who it is and what was done (not the record: memory stays small)."""

    index: int
    pointer: str  # of the record in its document
    content_id: Any
    applied: list[Applied]


@dataclass
class FileRepair:
    display: str
    gzip: bool = False
    records: list[RepairedRecord] = field(default_factory=list)  # the records that changed, in file order
    unconverged: list[int] = field(default_factory=list)  # indexes of records whose fixes did not settle
    refused: int = 0
    held_back: int = 0
    note: str | None = None  # why the file was left alone

    @property
    def changed(self) -> bool:
        return bool(self.records)


def repair_file(engine: Any, path: str, display: str, data: bytes, policy: FixPolicy, guard_rules: list, sink: Any) -> FileRepair:
    """The repairs of one file's ``data``, each repaired record handed to ``sink`` as it is found.

    ``sink.start(plain, repair)`` first, ``sink.change(start, end, raw, fixed,
    record)`` per repaired record (byte range in ``plain``, the file's
    decompressed bytes), ``sink.finish()`` at the end; ``sink.abort()`` when
    the file cannot be read (then :class:`InputError` is raised and nothing
    of the file is written).
    """
    plain = gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data
    repair = FileRepair(display, gzip=plain is not data)
    sink.start(plain, repair)
    try:
        _repair(engine, path, display, plain, policy, guard_rules, sink, repair)
    except BaseException:
        sink.abort()
        raise
    sink.finish()
    return repair


def _repair(engine: Any, path: str, display: str, plain: bytes, policy: FixPolicy, guard_rules: list, sink: Any, repair: FileRepair) -> None:
    source = Source(path, engine.plan.input_format, display, data=plain, profiles=engine.plan.profile_set())
    records = source.records()
    first = next(records, None)
    info = source.info
    if first is None:
        return
    if info.kind != "cms":
        repair.note = "not fixed: a plain-text article (fixes apply to JSON exports)"
        return
    if source.detect(first) is None:
        repair.note = "not fixed: not a CMS export"
        return
    rules = engine.plan.for_file(display, "record", info.kind, info.profile or None)
    check: Callable[[Any], list] = lambda raw: engine.check_record(raw, rules, display)  # noqa: E731
    guard_rules = [a for a in guard_rules if a.rule.id not in {r.rule.id for r in rules}]  # the check runs the others already
    guard = (lambda raw: engine.check_record(raw, guard_rules, display)) if guard_rules else None  # noqa: E731
    bom = len(_BOM) if plain.startswith(_BOM) else 0

    def one(raw: Any) -> None:
        start = bom + source.reader.record_start
        findings = check(raw)
        if not any(f.fix is not None for f in findings):
            return
        fixed = fix_record(check, raw, policy, guard, findings)
        repair.refused += len(fixed.refused)
        repair.held_back += fixed.held_back
        if not fixed.converged:
            repair.unconverged.append(raw.index)
        if not fixed.changed:
            return
        end = start + len(raw.source)
        if plain[start:end] != raw.source:  # the reader's offsets must name the record's bytes: never splice blindly
            raise InputError(display, f"record {raw.index}: its bytes were not found where the reader placed them; file not fixed")
        rec = RepairedRecord(raw.index, raw.pointer, Record(raw.data, raw.kind, raw.index, raw.pointer).content_id, fixed.applied)
        repair.records.append(rec)
        sink.change(start, end, raw, fixed, rec)

    one(first)
    for raw in records:
        one(raw)
