"""A record's findings as plain rows: what a worker sends, and what the main process reads back.

:func:`pack_findings` (worker) sends a record's findings as tuples, without
what they share; :class:`PackedFindings` (main process) holds a task's rows and
is a sequence of :class:`Finding` objects made when first asked for, while the
JSON reporter (:meth:`PackedFindings.entries`) and the CLI's counts
(:func:`rule_ids_and_severities`) read the rows directly.  Kept apart from
:mod:`feedlint.workers` so that reporters depend on findings, not on the pool.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Iterator

from .model import Finding, finding_entry
from .reader.positions import Cursor, Region, region_fields


def pack_findings(findings: list) -> tuple:
    """A record's findings as plain tuples: a third of the pickling cost of the objects, both ways.

    What every finding of the record shares (file, record, pointer prefix,
    rule name and severity) is not sent; :func:`unpack_findings` puts it back.
    """
    if not findings:
        return ()
    return pack_rows(findings[0].content_id, [(f.rule_id, f.message, f.record_pointer, region_fields(f.region), f.evidence, f.fingerprint, f.fix) for f in findings])


def pack_rows(content_id: Any, rows: list) -> tuple:
    """A record's findings packed from their rows (``(rule id, message, record pointer, region fields, evidence, fingerprint, fix)``, in file order): :func:`pack_findings`'s tuple."""
    return (content_id, rows) if rows else ()


def unpack_findings(packed: tuple, rules_by_id: dict, display: str, index: int, pointer: str, base: Cursor | None = None) -> list:
    """The :class:`Finding` objects :func:`pack_findings` packed, equal to the worker's.

    ``base``: where the worker's positions are counted from (a range's start), if not the file's start.
    A region is rebuilt per finding: looking up a shared one (hashing ten
    numbers) cost more than it saved, as findings rarely share a place.
    """
    if not packed:
        return []
    content_id, rows = packed
    out = []
    for rule_id, message, record_pointer, fields, evidence, fingerprint, fix in rows:
        name, severity = rules_by_id[rule_id]
        region = Region.from_fields(fields if base is None else base.shift(fields))
        out.append(Finding(rule_id, name, severity, message, display, index, content_id, pointer + record_pointer, record_pointer, region, evidence, fix, fingerprint))
    return out


class PackedFindings(Sequence):
    """A task's findings as a worker packed them (:func:`pack_findings`), record by record, in order.

    As a sequence it is :class:`Finding` objects, made by :func:`unpack_findings`
    when first asked for: what every reporter gets.  The JSON reporter asks for
    :meth:`entries` instead, each finding's entry made from its row, and the CLI
    counts findings by :meth:`rule_ids_and_severities`: no :class:`Region` or
    :class:`Finding` in between: about 12 k of the 48 k instructions a finding
    cost the main process (1,000 records, ``--jobs 2``: 1,222 -> 1,163 M).
    """

    def __init__(self, rules_by_id: dict, display: str, base: Cursor | None = None) -> None:
        """``rules_by_id``: rule id -> (name, severity); ``base``: where the worker's positions are counted from (:func:`unpack_findings`)."""
        self.display = display  # the file every finding is in
        self._rules = rules_by_id
        self._base = base
        self._records: list[tuple[tuple, int, str]] = []  # (packed, record index, record pointer)
        self._count = 0
        self._findings: list[Finding] | None = None

    def add(self, packed: tuple, index: int, pointer: str) -> None:
        """The (non-empty) packed findings of the record ``index`` at ``pointer``, after those added before."""
        self._records.append((packed, index, pointer))
        self._count += len(packed[1])

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, i: Any) -> Any:
        return self.findings()[i]

    def __iter__(self) -> Iterator[Finding]:
        return iter(self.findings())

    def findings(self) -> list[Finding]:
        """The :class:`Finding` objects, made once."""
        if self._findings is None:
            made: list[Finding] = []
            for packed, index, pointer in self._records:
                made.extend(unpack_findings(packed, self._rules, self.display, index, pointer, self._base))
            self._findings = made
        return self._findings

    def rule_ids_and_severities(self) -> tuple[list[str], list[str]]:
        """Each finding's rule id, and its severity, in order (no :class:`Finding` made)."""
        ids = [row[0] for packed, _, _ in self._records for row in packed[1]]
        rules = self._rules
        return ids, [rules[rule_id][1] for rule_id in ids]

    def entries(self, size: int) -> Iterator[list[dict]]:
        """Each finding's ``as_dict()`` (:func:`finding_entry`), made from its row, in lists of up to ``size`` (a record may have 50,000 findings)."""
        rules, display, base = self._rules, self.display, self._base
        out: list[dict] = []
        for (content_id, rows), index, pointer in self._records:
            for rule_id, message, record_pointer, fields, evidence, fingerprint, _ in rows:
                name, severity = rules[rule_id]
                line, column, end_line, end_column, column16, end_column16, offset, length, _, _ = fields if base is None else base.shift(fields)
                out.append(finding_entry(rule_id, name, severity, message, display, index, content_id, pointer + record_pointer, record_pointer,
                                         line, column, end_line, end_column, column16, end_column16, offset, length, evidence, fingerprint))
                if len(out) >= size:
                    yield out
                    out = []
        if out:
            yield out


def rule_ids_and_severities(findings: Sequence[Finding]) -> tuple[list[str], list[str]]:
    """Each finding's rule id, and its severity, in order (:class:`PackedFindings` makes no :class:`Finding` for it)."""
    if isinstance(findings, PackedFindings):
        return findings.rule_ids_and_severities()
    return [f.rule_id for f in findings], [f.severity for f in findings]
