"""What rules see (:class:`Record`) and what the engine reports (:class:`Finding`)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Callable, Iterator

from .fields import FieldRoles, expand, single_member
from .reader.positions import Region

from .severity import RANK as SEVERITY_RANK  # named here for callers of old


class Record:
    """One record as a rule sees it: its data, kind, identity and field roles.

    ``memo`` lets rules share an expensive derived value (the parsed HTML, the
    schema errors) within one record without sharing state across records.
    ``index`` and ``pointer`` (where it sits in its file) are None when not
    known here (a worker checking a byte range): reading them then raises
    :class:`feedlint.api.PlaceUnknown` (a rule that reads them declares
    ``reads_place``).  ``file`` is the file as findings name it (None: not
    given), the scope of an identity that is unique per file
    (:meth:`FieldRoles.scope`).
    """

    __slots__ = ("data", "kind", "_index", "_pointer", "roles", "_memo", "file")

    def __init__(self, data: Any, kind: str = "cms", index: int | None = 0, pointer: str | None = "", roles: FieldRoles | None = None, file: str | None = None) -> None:
        self.data = data
        self.file = file
        self.kind = kind
        self._index = index
        self._pointer = pointer
        self.roles = roles or FieldRoles()
        self._memo: dict[str, Any] = {}

    @property
    def index(self) -> int:
        """The record's number in its file (0-based)."""
        if self._index is None:
            _place_unknown()
        return self._index  # type: ignore[return-value]

    @property
    def pointer(self) -> str:
        """The record's JSON Pointer in its file (``/0/3``)."""
        if self._pointer is None:
            _place_unknown()
        return self._pointer  # type: ignore[return-value]

    @property
    def content_id(self) -> Any:
        """The record's identity: its profile's id field (``content_id`` in the CMS export)."""
        return self.roles.identity(self.data)

    @property
    def profile(self) -> str:
        """The name of the profile the record was read with (``cms``, ``wordpress``…)."""
        return self.roles.profile

    def get(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default) if isinstance(self.data, dict) else default

    def fields_with_role(self, role: str, strings_only: bool = True) -> Iterator[tuple[str, Any]]:
        """``(pointer, value)`` for each present field having ``role`` (strings only by default).

        Worked out once per record and role (a dozen rules ask for the same role).
        """
        key = ("\0fields", role, strings_only)
        found = self._memo.get(key)
        if found is None:
            found = self._memo[key] = self._fields(role, strings_only)
        return iter(found)

    def _fields(self, role: str, strings_only: bool) -> list[tuple[str, Any]]:
        data = self.data
        patterns = self.roles.for_kind(self.kind, role)
        members = _members(patterns) if isinstance(data, dict) else None
        if members is not None:  # the usual role of plain members ("/content_body"…): lookups only
            if strings_only:
                return [(pointer, value) for key, pointer in members if isinstance(value := data.get(key, _ABSENT), str)]
            return [(pointer, data[key]) for key, pointer in members if key in data]
        found = [pair for pattern in patterns for pair in expand(data, pattern)]  # wildcards, or not an object
        return [(p, v) for p, v in found if isinstance(v, str)] if strings_only else found

    def memo(self, key: str, compute: Callable[[], Any]) -> Any:
        found = self._memo.get(key, _ABSENT)  # one lookup: rules ask a dozen times per record
        if found is _ABSENT:
            found = self._memo[key] = compute()
        return found

    def forget(self, key: str) -> None:
        """Let a kept value go (made again if asked for): one that weighs more than it saves, such as a copy of a huge field."""
        self._memo.pop(key, None)


_ABSENT: Any = object()


def _place_unknown() -> None:
    from .api import PlaceUnknown

    raise PlaceUnknown("record.index and record.pointer are not known in a byte range's worker: declare @rule(..., reads_place=True)")


@lru_cache(maxsize=256)
def _members(patterns: tuple[str, ...]) -> tuple[tuple[str, str], ...] | None:
    """``(key, pointer)`` for each pattern when every pattern is a plain member, else None (worked out once per role)."""
    members = tuple(single_member(p) for p in patterns)
    return None if None in members else members  # type: ignore[return-value]


@dataclass
class Finding:
    """A located, stamped hit: the unit every reporter handles."""

    rule_id: str
    rule_name: str
    severity: str
    message: str
    path: str
    record_index: int | None
    content_id: Any
    pointer: str  # absolute JSON Pointer in the file's document
    record_pointer: str  # pointer relative to the record (stable across reordering)
    region: Region
    evidence: str | None = None
    fix: Any = None
    fingerprint: str = field(default="")
    kind: str = "cms"  # the record's kind: reporters word an article's place differently (not part of as_dict)
    related: tuple[Related, ...] = ()  # other places this finding is about (a dataset group's other members); not fingerprinted

    def __post_init__(self) -> None:
        if not self.fingerprint:
            self.fingerprint = finding_fingerprint(self.rule_id, self.content_id, self.record_pointer, self.evidence, self.path)

    @property
    def rank(self) -> int:
        return SEVERITY_RANK[self.severity]

    def as_dict(self) -> dict[str, Any]:
        """Every field, as the JSON output names them (:func:`finding_entry`), and the related places if any."""
        region = self.region
        entry = finding_entry(
            self.rule_id, self.rule_name, self.severity, self.message, self.path, self.record_index, self.content_id, self.pointer, self.record_pointer,
            region.start_line, region.start_column, region.end_line, region.end_column, region.start_column16, region.end_column16, region.offset, region.length,
            self.evidence, self.fingerprint,
        )
        if self.related:  # only when there are any: other findings' JSON stays as it was
            entry["related"] = [r.as_dict() for r in self.related]
        return entry


@dataclass
class FindingEntry:
    """A finding's fields as the JSON output names them, in order (the place's keys are :func:`_place`'s, in its order): :meth:`Finding.as_dict` is its ``vars`` (with ``related`` if any).

    An object of plain attributes, not a dict display: Python builds a display
    of more than 15 keys key by key (three resizes, a lookup per key) while
    ``__init__`` sets these attributes in place, and ``vars()`` then gives a
    dict sharing the class's keys (5.7 k instructions against 9.7 k a
    finding).  orjson writes the object itself as the dict ``vars()`` gives,
    byte for byte (a dataclass: its attributes in field order), which is how
    the JSON reporter writes a worker's findings (:class:`ProfiledEntry`).
    Not frozen, nor slotted: both would set or read the attributes one call at a time.
    """

    rule: str
    name: str
    severity: str
    message: str
    file: str
    record: int | None
    content_id: Any
    pointer: str
    record_pointer: str
    line: int
    column: int
    end_line: int
    end_column: int
    column_utf16: int
    end_column_utf16: int
    offset: int
    length: int
    evidence: str | None
    fingerprint: str


@dataclass
class ProfiledEntry(FindingEntry):
    """A :class:`FindingEntry` and the profile its file was read with, last: a finding as the JSON reporter writes it."""

    profile: str | None


def finding_entry(rule_id: str, rule_name: str, severity: str, message: str, path: str, record_index: int | None, content_id: Any, pointer: str, record_pointer: str,
                  start_line: int, start_column: int, end_line: int, end_column: int, start_column16: int, end_column16: int, offset: int, length: int,
                  evidence: str | None, fingerprint: str) -> dict[str, Any]:
    """A finding's fields as the JSON output names them, in order (:class:`FindingEntry`): :meth:`Finding.as_dict` without ``related``."""
    return vars(FindingEntry(rule_id, rule_name, severity, message, path, record_index, content_id, pointer, record_pointer,
                             start_line, start_column, end_line, end_column, start_column16, end_column16, offset, length, evidence, fingerprint))


@dataclass(frozen=True)
class Related:
    """A further place a finding is about (another member of a duplicate group), located like a finding."""

    path: str
    record_index: int | None
    content_id: Any
    pointer: str  # absolute, in the file's document
    record_pointer: str
    region: Region

    def as_dict(self) -> dict[str, Any]:
        return _place(self)


def record_words(id_name: str, content_id: Any, index: int | None) -> str:
    """Which record, for people: ``content_id 418667`` (``id 5700`` where the export calls its identity ``id``), else ``record 3``; "" if neither is known."""
    if content_id is not None:
        return f"{id_name} {content_id}"
    return f"record {index}" if index is not None else ""


def _place(at: Finding | Related) -> dict[str, Any]:
    """Where a finding or a related place is, as the JSON output names it (the keys a finding's entry has in this order too)."""
    region = at.region
    return {
        "file": at.path,
        "record": at.record_index,
        "content_id": at.content_id,
        "pointer": at.pointer,
        "record_pointer": at.record_pointer,
        "line": region.start_line,
        "column": region.start_column,
        "end_line": region.end_line,
        "end_column": region.end_column,
    }


def finding_fingerprint(rule_id: str, content_id: Any, record_pointer: str, evidence: str | None, path: str) -> str:
    """A :class:`Finding`'s fingerprint from its fields (``path``: its file, which counts only for a record without a ``content_id``)."""
    return fingerprint(rule_id, content_id, record_pointer, evidence, path if content_id is None else None)


def fingerprint(rule_id: str, content_id: Any, record_pointer: str, evidence: str | None, path: str | None = None) -> str:
    """Stable identity of a finding: survives re-export, reordering and reformatting.

    Built from the rule, the record's ``content_id``, the pointer inside the
    record and the evidence, never from line numbers.  Records without a
    ``content_id`` fall back to the file path.
    """
    parts = [rule_id, repr(content_id), record_pointer, evidence or ""]
    if path is not None:
        parts.append(path)
    return hashlib.sha256("\x1f".join(parts).encode("utf-8", "surrogatepass")).hexdigest()[:32]
