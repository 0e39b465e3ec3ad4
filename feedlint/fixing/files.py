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
from itertools import chain
from typing import Any

from ..checker import RecordCheck
from ..model import Record
from ..reader.errors import InputError
from ..reader.sources import Source
from .fixer import RecordFixer
from .loop import Applied, FixPolicy

_BOM = b"\xef\xbb\xbf"


@dataclass
class RepairedRecord:
    """What is kept of a repaired record: who it is and what was done (not the record: memory stays small)."""

    index: int
    pointer: str  # of the record in its document
    content_id: Any  # its identity, read with its profile's roles (a WordPress post's id)
    applied: list[Applied]
    id_name: str = "content_id"  # what its export calls that identity (feedlint.fields.id_name)


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
    fixer = RecordFixer(RecordCheck(engine.plan, rules, display), policy, guard_rules)
    bom = len(_BOM) if plain.startswith(_BOM) else 0
    for raw in chain([first], records):
        start = bom + source.reader.record_start
        fixed = fixer.fix(raw, repair)[1]
        if fixed is not None:
            splice(plain, start, raw, fixed, repair, sink, engine.plan.roles_for(raw.profile))


def splice(plain: bytes, start: int, raw: Any, fixed: Any, repair: FileRepair, sink: Any, roles: Any) -> None:
    """Hand the repaired record ``raw`` (its bytes at ``start`` in ``plain``) to ``sink``, and note it in ``repair`` (``roles``: its profile's, for its identity)."""
    end = start + len(raw.source)
    if plain[start:end] != raw.source:  # the reader's offsets must name the record's bytes: never splice blindly
        raise InputError(repair.display, f"record {raw.index}: its bytes were not found where the reader placed them; file not fixed")
    rec = RepairedRecord(raw.index, raw.pointer, Record(raw.data, raw.kind, raw.index, raw.pointer, roles).content_id, fixed.applied, roles.id_name)
    repair.records.append(rec)
    sink.change(start, end, raw, fixed, rec)
