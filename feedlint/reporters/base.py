"""The reporter lifecycle (as in flake8): ``start`` once, ``handle`` per finding (``handle_many`` per list of them), ``finish`` once."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Sequence, TextIO

from ..effects import SkippedInput
from ..plan import ActiveRule
from ..severity import ORDER as SEVERITY_ORDER
from ..model import Finding, record_words
from ..reader.errors import InputError


@dataclass
class RunInfo:
    """What is known before the first finding: the tool, the selected rules, the inputs."""

    version: str
    rules: Sequence[ActiveRule]
    paths: Sequence[str]
    root: str  # directory that SARIF uris are made relative to
    color: bool = False
    statistics: bool = False
    quiet: bool = False
    fail_on: str = "warning"
    profile_of: Any = None  # display -> the profile its file was read with (None: unknown), known once the file is read
    id_name_of: Any = None  # display -> what its records call their identity ("content_id", a WordPress post's "id"); None: "content_id"


def profile_of(run: RunInfo | None, path: str) -> str | None:
    """The profile the file ``path`` (as findings name it) was read with; None for an article, a skipped file, or when not known."""
    lookup = run.profile_of if run is not None else None
    return (lookup(path) or None) if lookup is not None else None


@dataclass
class Summary:
    """What is known after the run: counts, input errors, notices, inputs not checked.

    ``files`` counts the inputs read and checked; ``skipped`` (with reasons) and
    ``unreadable`` (their errors are in ``errors``) are the others.
    ``no_records`` is the one-line reason a run that checked no record fails.
    """

    files: int
    records: int
    by_rule: Counter = field(default_factory=Counter)
    by_severity: Counter = field(default_factory=Counter)
    errors: Sequence[InputError] = ()
    notices: Sequence[str] = ()
    internal_errors: Sequence[str] = ()
    exit_code: int = 0
    extra: dict[str, Any] = field(default_factory=dict)
    skipped: Sequence[SkippedInput] = ()
    unreadable: int = 0
    no_records: str | None = None
    no_rules: bool = False  # the selection left no rule: nothing was checked, whatever the counts say
    profiles: dict[str, str] = field(default_factory=dict)  # each file checked -> the profile it was read with


def profiles_sentence(summary: Summary) -> str:
    """``Read as: wordpress (3 files).`` -- "" when every file is the CMS export (the output it always had)."""
    counts = Counter(summary.profiles.values())
    if not counts or set(counts) == {"cms"}:
        return ""
    return "Read as: " + ", ".join(f"{name} ({_count(n, 'file')})" for name, n in sorted(counts.items())) + "."


def not_checked(summary: Summary) -> str:
    """``, 1 file skipped, 1 file could not be read`` (empty when every input was checked)."""
    out = ""
    if summary.skipped:
        n = len(summary.skipped)
        out += f", {n} file{'s' if n != 1 else ''} skipped"
    if summary.unreadable:
        n = summary.unreadable
        out += f", {n} file{'s' if n != 1 else ''} could not be read"
    return out


_ARTICLE_PARTS = {"paragraphs": "paragraph", "trailer": "trailer line"}


def article_part(pointer: str) -> str:
    """An article element in words: ``/paragraphs/2`` is "paragraph 3", ``/trailer/0`` "trailer line 1", ``/title`` "title"."""
    name, _, index = pointer.strip("/").partition("/")
    if name in _ARTICLE_PARTS and index.isdigit():
        return f"{_ARTICLE_PARTS[name]} {int(index) + 1}"
    return name


def record_name(run: RunInfo | None, path: str, content_id: Any, record_index: int | None) -> str:
    """:func:`record_words` of a record of the file ``path``, its identity named as that file's profile names it (``id 5700`` in a WordPress export)."""
    lookup = run.id_name_of if run is not None and content_id is not None else None
    return record_words(lookup(path) if lookup is not None else "content_id", content_id, record_index)


def record_label(f: Finding, run: RunInfo | None = None) -> str:
    """:func:`record_name` of the record a finding is in; "" for an article or a whole file."""
    return "" if f.kind == "article" else record_name(run, f.path, f.content_id, f.record_index)


def place(f: Finding, run: RunInfo | None = None) -> str:
    """``[content_id 418667] /0/0/content_body: `` before a CMS finding's message; ``trailer line 1: `` for an article's.

    A plain-text article is one file with line numbers, so record indexes and
    JSON Pointers would be noise there: its element is named instead.
    """
    if f.kind == "article":
        part = article_part(f.pointer)
        return f"{part}: " if part else ""
    label = record_label(f, run)
    return (f"[{label}] " if label else "") + (f"{f.pointer}: " if f.pointer else "")


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def counts_sentence(summary: Summary, by_rule: bool = True) -> str:
    """The one summary wording of every human-readable format.

    "Found 5 findings (4 warnings, 1 note) in 1 file, 1 record. By rule: FL201 ×4, FL512 ×1."
    or "All checks passed (1 file, 3 records)." ("" for an incomplete run without findings).
    """
    files = f"{_count(summary.files, 'file')}, {_count(summary.records, 'record')}{not_checked(summary)}"
    total = sum(summary.by_rule.values())
    if total:
        sev = summary.by_severity
        parts = ", ".join(_count(sev[s], s) for s in SEVERITY_ORDER if sev[s])
        rules = ", ".join(f"{k} ×{v}" for k, v in sorted(summary.by_rule.items()))
        return f"Found {_count(total, 'finding')} ({parts}) in {files}.{' By rule: ' + rules + '.' if by_rule else ''}"
    if summary.no_rules and not summary.errors:
        return f"No rule selected: nothing was checked ({files} read)."
    if summary.exit_code == 0:
        return f"All checks passed ({files})."
    return f"No record checked ({files})." if summary.no_records else ""  # an incomplete run (exit 2) has not passed


def statistics_lines(summary: Summary) -> list[str]:
    """``--statistics``: a count per rule, most frequent first: ``  3  FL201  undecoded-entity``."""
    if not summary.by_rule:
        return []
    names = summary.extra.get("names", {})
    width = max(len(str(n)) for n in summary.by_rule.values())
    return [f"{n:>{width}}  {rule_id:<6} {names.get(rule_id, '')}".rstrip() for rule_id, n in sorted(summary.by_rule.items(), key=lambda kv: (-kv[1], kv[0]))]


class Reporter:
    """Base class; subclasses override what they need.  ``stream`` is where output goes."""

    name = "base"
    shows_statistics = False  # True: finish() prints the --statistics counts itself; else the CLI puts them on stderr
    uses_fixes = False  # True: findings keep their proposed Fix; costly to carry from worker processes, so off unless used

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.run: RunInfo | None = None

    def start(self, run: RunInfo) -> None:
        self.run = run

    def handle(self, finding: Finding) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def handle_many(self, findings: Sequence[Finding]) -> None:
        """Consecutive findings in order, as the engine hands them over: :meth:`handle` each (a format may do better)."""
        for finding in findings:
            self.handle(finding)

    def finish(self, summary: Summary) -> None:
        pass
