"""Apply a record's fixes, check it again, repeat until nothing is left to fix (as ruff does per file).

Per pass each value gets at most one fix (two rules repairing one field would
undo each other's offsets); the others wait for the re-check, which sees the
repaired value and proposes again what still applies.  A pass's edits are kept
only if the record still decodes, each value holds what its fix said, and the
repaired record has no new finding that no allowed fix will remove -- schema
findings (FL1xx, run whether selected or not) included.  A refused fix is not
tried again for that record.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

from ..api import Rule
from ..reader.jsondecode import loads_exact
from ..reader.jsonstream import RawRecord
from ..reader.locate import split_pointer
from ..selection import is_selected
from .edits import replace_spans
from .located import LocatedFix

MAX_PASSES = 10


class FixPolicy:
    """Which proposed fixes may be applied: config ``fixable``/``unfixable`` and ``--unsafe-fixes``."""

    def __init__(self, rules: Sequence[Rule], fixable: Sequence[str] | None = None, unfixable: Sequence[str] = (), unsafe: bool = False) -> None:
        chosen = list(fixable) if fixable is not None else ["ALL"]
        self.rule_ids = frozenset(r.id for r in rules if is_selected(r, chosen, list(unfixable)))
        self.unsafe = unsafe

    def allows(self, rule_id: str, fix: Any) -> bool:
        return rule_id in self.rule_ids and (self.unsafe or getattr(fix, "applicability", "safe") == "safe")


@dataclass
class Applied:
    """One fix applied to one value."""

    rule_id: str
    rule_name: str
    pointer: str  # inside the record
    description: str
    applicability: str


@dataclass
class RecordRepair:
    raw: Any  # the record as read
    text: str  # its source text after the repairs
    data: Any
    applied: list[Applied] = field(default_factory=list)
    refused: list[tuple[str, str, str]] = field(default_factory=list)  # (rule id, pointer, why)
    converged: bool = True
    held_back: int = 0  # findings left whose fix is unsafe or not fixable by configuration
    final: Any = None  # the repaired record (a RawRecord), once a pass was kept

    @property
    def changed(self) -> bool:
        return bool(self.applied)


def value_at(data: Any, pointer: str) -> Any:
    for token in split_pointer(pointer):
        data = data[int(token)] if isinstance(data, list) else data[token]
    return data


def _key(f: Any) -> tuple:
    return (f.rule_id, f.record_pointer, f.evidence)


def _under(pointer: str, base: str) -> bool:
    return pointer == base or pointer.startswith(base + "/")


def fix_record(check: Callable[[Any], list], raw: Any, policy: FixPolicy, guard: Callable[[Any], list] | None = None, first: list | None = None,
               baseline: Callable[[set], list] | None = None, looked: set | None = None) -> RecordRepair:
    """Repair one record.  ``check(raw)`` gives a record's findings (with located fixes); ``guard(raw)`` its schema findings.

    ``first``: the findings of ``raw`` when the caller already has them --
    with ``baseline``, only those of the rules in ``looked`` (the rules that
    propose fixes): ``baseline(rule_ids)`` gives the findings of other rules
    on ``raw``, asked for only when a repaired record has findings of them
    (to tell a finding the record had from one a repair added).
    """
    repair = RecordRepair(raw, raw.text, raw.data)
    current = raw
    findings = first if first is not None else check(raw)
    known = {_key(f) for f in findings}  # findings the record had: repairs may leave them, not add to them
    looked = set(looked) if baseline is not None and looked is not None else None
    guard_before: set | None = None
    refused: set[tuple[str, str]] = set()
    for _ in range(MAX_PASSES):
        chosen: dict[str, Any] = {}
        for f in findings:
            fix = f.fix
            if isinstance(fix, LocatedFix) and policy.allows(f.rule_id, fix) and (f.rule_id, f.record_pointer) not in refused:
                chosen.setdefault(f.record_pointer, f)
        if not chosen:
            break
        attempt = _attempt(current, repair.text, chosen)
        if isinstance(attempt, str):
            for f in chosen.values():
                refused.add((f.rule_id, f.record_pointer))
                repair.refused.append((f.rule_id, f.record_pointer, attempt))
            continue
        new_raw = attempt
        new_findings = check(new_raw)
        if looked is not None:
            unseen = {f.rule_id for f in new_findings} - looked
            if unseen:
                known |= {_key(f) for f in baseline(unseen)}  # type: ignore[misc]
                looked |= unseen
        blame = _new_problems(new_findings, known, policy, chosen)
        if guard is not None and not blame:
            if guard_before is None:
                guard_before = {_key(f) for f in guard(raw)}
            for f in guard(new_raw):
                if _key(f) not in guard_before:
                    for p in _blamed(f.record_pointer, chosen):
                        blame.setdefault(p, f"the repaired record would fail the schema ({f.rule_id}: {f.message})")
        if blame:
            for pointer, why in blame.items():
                f = chosen[pointer]
                refused.add((f.rule_id, pointer))
                repair.refused.append((f.rule_id, pointer, why))
            continue
        for pointer, f in chosen.items():
            repair.applied.append(Applied(f.rule_id, f.rule_name, pointer, f.fix.description, f.fix.applicability))
        known |= {_key(f) for f in new_findings}
        current, findings = new_raw, new_findings
        repair.final = new_raw
        repair.text, repair.data = new_raw.text, new_raw.data
    else:
        repair.converged = not any(isinstance(f.fix, LocatedFix) and policy.allows(f.rule_id, f.fix) and (f.rule_id, f.record_pointer) not in refused for f in findings)
    repair.held_back = sum(1 for f in findings if isinstance(f.fix, LocatedFix) and not policy.allows(f.rule_id, f.fix))
    return repair


def _attempt(current: Any, text: str, chosen: dict[str, Any]) -> Any:
    """The record with the chosen fixes applied, or why they cannot be."""
    try:
        edits = [f.fix.edit() for f in chosen.values()]
        new_text = replace_spans(text, edits)
        source = new_text.encode("utf-8")
        data = loads_exact(source)
    except Exception as exc:  # noqa: BLE001 - a fix that cannot be written is refused, never half-applied
        return f"the fix could not be written: {exc}"
    for pointer, f in chosen.items():
        try:
            if value_at(data, pointer) != f.fix.replacement:
                return f"{pointer} would not hold the repaired value"
        except (KeyError, IndexError, TypeError, ValueError):
            return f"{pointer} is not in the repaired record"
    return RawRecord(current.index, current.pointer, data, source, current.origin, current.line_document, current.kind, profile=getattr(current, "profile", "cms"))  # same place, same profile (its roles and options)


def _new_problems(findings: list, known: set, policy: FixPolicy, chosen: dict[str, Any]) -> dict[str, str]:
    """Chosen values whose repair brought a finding the record did not have and no allowed fix removes."""
    blame: dict[str, str] = {}
    for f in findings:
        if _key(f) in known or (isinstance(f.fix, LocatedFix) and policy.allows(f.rule_id, f.fix)):
            continue
        for p in _blamed(f.record_pointer, chosen):
            blame.setdefault(p, f"the repair would add {f.rule_id} ({f.message})")
    return blame


def _blamed(pointer: str, chosen: dict[str, Any]) -> list[str]:
    """The chosen values a new finding at ``pointer`` can come from (all of them when none is related)."""
    return [p for p in chosen if _under(pointer, p) or _under(p, pointer)] or list(chosen)
