"""A record's findings as plain rows: what a worker sends, and what the main process reads back.

:func:`pack_findings` (worker) sends a record's findings as tuples, without
what they share; :class:`PackedFindings` (main process) holds a task's rows and
is a sequence of :class:`Finding` objects made when first asked for, while the
JSON reporter (:meth:`PackedFindings.entries`) and the CLI's counts
(:func:`count_findings`) read the rows directly.  Kept apart from
:mod:`feedlint.workers` so that reporters depend on findings, not on the pool.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from itertools import chain
from operator import itemgetter
from typing import Any, Iterator

from .model import Finding, ProfiledEntry
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
    counts findings by :meth:`count_into`: no :class:`Region` or
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

    def count_into(self, by_rule: Counter, by_sev: Counter) -> None:
        """:func:`count_findings` counted a rule at a time: a finding's severity is its rule's (``rules_by_id``), so each rule's count goes to its severity.

        The keys new to either counter come in the order of their first
        finding, as counting finding by finding puts them: a severity first
        met in finding ``i`` has its first rule first met at ``i`` too.
        """
        counts = Counter(chain.from_iterable(map(_RULE_ID, rows) for (_, rows), _, _ in self._records))
        by_rule.update(counts)
        rules = self._rules
        for rule_id, n in counts.items():
            by_sev[rules[rule_id][1]] += n

    def entries(self, size: int, profile: str | None) -> Iterator[list[ProfiledEntry]]:
        """Each finding as the JSON reporter writes it (its ``as_dict()`` and ``profile``, the file's), made from its row, in lists of up to ``size`` (a record may have 50,000 findings)."""
        rules, display, base = self._rules, self.display, self._base
        out: list[ProfiledEntry] = []
        for (content_id, rows), index, pointer in self._records:
            for rule_id, message, record_pointer, fields, evidence, fingerprint, _ in rows:
                name, severity = rules[rule_id]
                line, column, end_line, end_column, column16, end_column16, offset, length, _, _ = fields if base is None else base.shift(fields)
                out.append(ProfiledEntry(rule_id, name, severity, message, display, index, content_id, pointer + record_pointer, record_pointer,
                                         line, column, end_line, end_column, column16, end_column16, offset, length, evidence, fingerprint, profile))
                if len(out) >= size:
                    yield out
                    out = []
        if out:
            yield out


_RULE_ID = itemgetter(0)  # a packed row's rule id


def count_findings(findings: Sequence[Finding], by_rule: Counter, by_sev: Counter) -> None:
    """Add each finding's rule id to ``by_rule`` and its severity to ``by_sev`` (the CLI's summary counts), new keys in the order first met.

    A worker's findings (:class:`PackedFindings`) are counted a rule at a time
    from their rows, not a finding at a time (56,544 findings of the 10k
    export: two lists and two counts a finding replayed, 108 -> 53 M instructions).
    """
    if isinstance(findings, PackedFindings):
        findings.count_into(by_rule, by_sev)
        return
    by_rule.update([f.rule_id for f in findings])
    by_sev.update([f.severity for f in findings])
