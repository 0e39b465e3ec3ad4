"""What checking records produces, as one value: :class:`Effects`.

A check never changes shared state; it returns its findings, the facts the
dataset rules will need, and what it counted (records, suppressions used,
rules that crashed or could not be set up).  Effects of several records --
in a worker process, on a cluster, in the main process -- combine by
:meth:`Effects.merge` only, so every executor adds up the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
FactRow = tuple  # (record index, record pointer, content id, {fact: value}, record start): one row of the fact table
# The record start (RawRecord.start: its byte offset and its origin's cursor fields, None if not known) is
# counted like the index and pointer: from the file's start, or a range's cursor from the range's (shifted into
# place with them).  The dataset stage reads just the records of its findings again from there (feedlint.ranges.reread).


class Effects:
    """Findings, fact rows and counters of one or more records, in file order.

    ``uses`` maps a suppression's place in :attr:`Plan.suppressions` to how
    many findings it suppressed; ``setup_problems`` maps a problem's text to
    the ids of the rules it stops (said once per cause).
    """

    __slots__ = ("findings", "facts", "records", "suppressed", "uses", "internal_errors", "setup_problems")

    def __init__(self, records: int = 0) -> None:
        self.findings: list = []
        self.facts: list[FactRow] = []
        self.records = records
        self.suppressed = 0
        self.uses: dict[int, int] = {}
        self.internal_errors: list[str] = []
        self.setup_problems: dict[str, list[str]] = {}

    def merge(self, other: Effects, payload: bool = True) -> Effects:
        """Add ``other`` (which comes after ``self`` in file order) to ``self``; returns ``self``.

        ``payload=False``: only the counters and problems, not findings and
        fact rows (a run's totals, whose findings were streamed out).
        """
        if payload:
            self.findings.extend(other.findings)
            self.facts.extend(other.facts)
        self.records += other.records
        self.suppressed += other.suppressed
        for i, n in other.uses.items():
            self.uses[i] = self.uses.get(i, 0) + n
        self.internal_errors.extend(other.internal_errors)
        for problem, ids in other.setup_problems.items():
            mine = self.setup_problems.setdefault(problem, [])
            mine.extend(i for i in ids if i not in mine)
        return self

    def add_setup_problem(self, rule_id: str, problem: str) -> None:
        ids = self.setup_problems.setdefault(problem, [])
        if rule_id not in ids:
            ids.append(rule_id)

    def __reduce__(self) -> tuple:  # pickles as plain data (workers send it back)
        return _rebuild, ((self.findings, self.facts, self.records, self.suppressed, self.uses, self.internal_errors, self.setup_problems),)

    def __repr__(self) -> str:
        return f"Effects(findings={len(self.findings)}, facts={len(self.facts)}, records={self.records}, suppressed={self.suppressed}, internal_errors={len(self.internal_errors)})"


def _rebuild(state: tuple) -> Effects:
    effects = Effects()
    effects.findings, effects.facts, effects.records, effects.suppressed, effects.uses, effects.internal_errors, effects.setup_problems = state
    return effects


@dataclass
class RunStats:
    """What the run got through: ``files`` counts inputs read and checked, not those skipped or unreadable."""

    files: int = 0
    records: int = 0
    skipped_files: int = 0
    unreadable_files: int = 0
    suppressed: int = 0


@dataclass(frozen=True)
class SkippedInput:
    """An input the run did not check, and why: every reporter and the exit code use these."""

    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: skipped: {self.reason}"
