"""The public plugin API: what a rule declares and what its check yields.

A rule is plain data plus a generator.  It never builds findings itself: it
yields :class:`Hit` values (a pointer inside the record and a message) and the
engine stamps the id, severity, file, record identity and exact position.  This
mirrors yamllint's rules and keeps every plugin small and free of I/O.

Two scopes exist:

* ``scope="record"``: ``check(record, options)`` runs once per record.
* ``scope="file"``: ``check(file_info, options)`` runs once per input file
  (byte-order mark, layout); its hits are located at line 1, column 1.
* ``scope="dataset"``: ``collect(record, options)`` returns a dict of scalar
  facts per record (kept in a compact table by the engine) and
  ``check(table, options)`` runs once per run over that table, yielding
  :class:`DatasetHit` values that name the record they are about.

A record rule that reads ``record.index`` or ``record.pointer`` (where the
record sits in its file) says so: ``@rule(..., reads_place=True)``.  Records
are then read in file order for it; other rules may be given records by a
worker that starts in the middle of a file and does not know those two
values (reading them there raises :class:`PlaceUnknown`, and the records are
checked again where they are known: the findings are the same either way).
"""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Iterator, Mapping, Sequence

from .severity import ORDER as SEVERITIES
KINDS = ("cms", "article")
_ID_RE = re.compile(r"^[A-Z]{1,6}[0-9]{3,4}$")
_NAME_RE = re.compile(r"^[a-z][a-z0-9-]*$")


class RuleDefinitionError(ValueError):
    """A rule (built-in or plugin) is declared incorrectly."""


class OptionError(ValueError):
    """A user gave a rule an option it does not have, or a bad value."""


class PlaceUnknown(BaseException):
    """``record.index``/``record.pointer`` read where they are not known: a worker checking a byte range of a file.

    A :class:`BaseException`, so that neither a rule's own ``except Exception``
    nor the engine's crash isolation turns it into a finding or a crash: the
    worker gives the range back and the records are checked again in file
    order, with their true numbers.  A rule that needs them declares
    ``reads_place=True`` and never meets this.
    """


class SetupError(ValueError):
    """A rule cannot run with the given options (e.g. an unreadable schema file).

    The engine reports it once, as an error of the run (exit code 2), instead of
    as a crash per record.
    """


@dataclass(frozen=True)
class Option:
    """One rule option, declared as data so config can be validated up front."""

    name: str
    default: Any
    help: str
    type: type | tuple[type, ...] | None = None
    choices: Sequence[Any] | None = None
    minimum: float | None = None  # a number below it is refused (a count of at least 1, a tolerance of at least 0)

    def validate(self, rule_id: str, value: Any) -> Any:
        expected = self.type or type(self.default)
        if expected is float:
            expected = (int, float)
        if isinstance(value, bool) and expected in (int, (int, float)):
            raise OptionError(f"{rule_id}: option {self.name!r} must be a number, got {value!r}")
        if expected is not type(None) and not isinstance(value, expected):
            names = expected.__name__ if isinstance(expected, type) else "/".join(t.__name__ for t in expected)
            raise OptionError(f"{rule_id}: option {self.name!r} must be {names}, got {value!r}")
        if self.minimum is not None and isinstance(value, (int, float)) and value < self.minimum:
            raise OptionError(f"{rule_id}: option {self.name!r} must be at least {self.minimum:g}, got {value!r}")
        if self.choices is not None and value not in self.choices:
            raise OptionError(f"{rule_id}: option {self.name!r} must be one of {list(self.choices)}, got {value!r}")
        if isinstance(value, list) and isinstance(self.default, list) and self.default:
            item_type = type(self.default[0])
            bad = [v for v in value if not isinstance(v, item_type)]
            if bad:
                raise OptionError(f"{rule_id}: option {self.name!r} items must be {item_type.__name__}, got {bad[0]!r}")
        return value


APPLICABILITIES = ("safe", "unsafe")


@dataclass(frozen=True)
class Fix:
    """A proposed replacement of the value at the hit's pointer (applied by ``feedlint check --fix``).

    ``description`` says in words what the fix does ("decoded 3 HTML
    entities (&#39; → ')").  ``applicability`` is ``"safe"`` when the repair is
    certain (applied by ``--fix``) or ``"unsafe"`` when it is a guess at the
    intent (applied only with ``--unsafe-fixes``), as in ruff.
    """

    replacement: Any
    description: str = ""
    applicability: str = "safe"


class DeferredFix:
    """A :class:`Fix` whose replacement is worked out only when asked for.

    Building a repaired copy of a long field for every finding costs more than
    finding the defect, and most runs never look at fixes.  ``make(*args)``
    gives the replacement; ``make`` must be a module-level function and the
    arguments plain data, so the fix crosses process boundaries (``--jobs``).
    ``explain(*args)``, when given, words the description the same lazy way
    (counting occurrences costs too much for a run that never shows it).
    """

    __slots__ = ("make", "args", "_description", "applicability", "explain", "_replacement")

    def __init__(self, make: Callable[..., Any], args: tuple = (), description: str = "", applicability: str = "safe", explain: Callable[..., str] | None = None) -> None:
        self.make = make
        self.args = args
        self._description = description
        self.applicability = applicability
        self.explain = explain
        self._replacement: Any = _UNSET

    @property
    def replacement(self) -> Any:
        if self._replacement is _UNSET:
            self._replacement = self.make(*self.args)
        return self._replacement

    @property
    def description(self) -> str:
        if self.explain is not None:
            self._description, self.explain = self.explain(*self.args), None
        return self._description

    def __reduce__(self) -> tuple:
        return (DeferredFix, (self.make, self.args, self._description, self.applicability, self.explain))

    def __repr__(self) -> str:
        return f"DeferredFix({self.make.__name__}, {self._description!r})"


_UNSET: Any = object()


@dataclass(frozen=True, init=False)
class Hit:
    """What a record rule yields: where (pointer inside the record) and what.

    ``pointer`` is an RFC 6901 pointer relative to the record (``"/content_body"``,
    ``"/attaches/0/sizes/1200"``; ``""`` is the record itself).  ``evidence`` is the
    offending text (it also feeds the stable fingerprint).  ``span`` optionally
    narrows the position to ``[start, end)`` characters of a string value.
    ``on_key`` locates the member's key instead of its value (unknown fields).
    """

    pointer: str
    message: str
    evidence: str | None = None
    span: tuple[int, int] | None = None
    fix: Fix | None = None
    on_key: bool = False

    def __init__(self, pointer: str, message: str, evidence: str | None = None, span: tuple[int, int] | None = None, fix: Fix | None = None, on_key: bool = False) -> None:
        """The generated ``__init__`` of a frozen dataclass, at half the cost (rules make one per finding).

        The generated one calls ``object.__setattr__`` per field to get past
        the frozen ``__setattr__``; filling the instance ``__dict__`` directly,
        in field order, makes the same object.  Same signature, checked by
        ``tests/test_plugins.py`` against the fields.
        """
        state = self.__dict__
        state["pointer"] = pointer
        state["message"] = message
        state["evidence"] = evidence
        state["span"] = span
        state["fix"] = fix
        state["on_key"] = on_key


@dataclass(frozen=True)
class DatasetHit:
    """What a dataset rule yields: a hit plus the row of the fact table it is about.

    ``related``: other places the finding is about, as ``(row, pointer)`` (the
    other members of a group reported once, at its first member); the engine
    locates them like the hit and reporters list them (SARIF
    ``relatedLocations``, the JSON ``related`` list).  Not part of the
    fingerprint.  Keep it short: every entry costs a located record.
    """

    row: int
    pointer: str
    message: str
    evidence: str | None = None
    related: tuple[tuple[int, str], ...] = ()


@dataclass(frozen=True)
class Example:
    """A bad or good example, as data: shown by ``feedlint explain`` and run as a test.

    ``record`` is a partial record merged over a clean base record (for cms rules;
    ``remove`` deletes keys from it) or the text of an article (article rules).  A ``bad`` example must yield at
    least one hit, each at one of ``pointers`` when given; a good one none.
    """

    kind: str  # "bad" | "good"
    record: Any
    title: str = ""
    pointers: tuple[str, ...] = ()
    options: Mapping[str, Any] = field(default_factory=dict)
    remove: tuple[str, ...] = ()  # top-level keys deleted from the base record


def bad(record: Any, title: str = "", pointers: Iterable[str] = (), remove: Iterable[str] = (), options: Mapping[str, Any] | None = None) -> Example:
    return Example("bad", record, title, tuple(pointers), dict(options or {}), tuple(remove))


def good(record: Any, title: str = "", remove: Iterable[str] = (), options: Mapping[str, Any] | None = None) -> Example:
    return Example("good", record, title, (), dict(options or {}), tuple(remove))


@dataclass(frozen=True)
class Rule:
    """A rule's declaration.  Built by :func:`rule`; immutable once made."""

    id: str
    name: str
    severity: str
    summary: str
    doc: str
    check: Callable[..., Iterator[Any]]
    options: tuple[Option, ...] = ()
    scope: str = "record"
    kinds: tuple[str, ...] = ("cms",)
    collect: Callable[..., Mapping[str, Any]] | None = None
    examples: tuple[Example, ...] = ()
    tags: tuple[str, ...] = ()
    precision: str = "high"
    security_severity: float | None = None
    origin: str = "builtin"
    prepare: Callable[[Mapping[str, Any], int], None] | None = None  # dataset rules: see rule()
    reads_place: bool = False  # reads record.index or record.pointer: its records are read in file order (see the module's doc)
    reads_rows: bool | tuple[str, ...] = True  # dataset rules: reads the fact table's rows (on the driver); fact names: only rows having one; False: only through the stage's evaluator
    collect_key: Callable[[Mapping[str, Any]], Any] | None = None  # dataset rules: see rule()

    def __post_init__(self) -> None:
        if not _ID_RE.match(self.id):
            raise RuleDefinitionError(f"rule id {self.id!r} must look like FL201 (letters then 3-4 digits)")
        if not _NAME_RE.match(self.name):
            raise RuleDefinitionError(f"{self.id}: rule name {self.name!r} must be kebab-case")
        if self.severity not in SEVERITIES:
            raise RuleDefinitionError(f"{self.id}: severity {self.severity!r} not in {SEVERITIES}")
        if self.scope not in ("record", "dataset", "file"):
            raise RuleDefinitionError(f"{self.id}: scope must be record, dataset or file")
        if any(k not in KINDS for k in self.kinds):
            raise RuleDefinitionError(f"{self.id}: kinds must be within {KINDS}")
        names = [o.name for o in self.options]
        if len(names) != len(set(names)):
            raise RuleDefinitionError(f"{self.id}: duplicate option names")

    @property
    def defaults(self) -> dict[str, Any]:
        return {o.name: o.default for o in self.options}

    def resolve_options(self, given: Mapping[str, Any] | None) -> dict[str, Any]:
        """Defaults overlaid with the user's values; unknown names are an error."""
        known = {o.name: o for o in self.options}
        resolved = self.defaults
        for key, value in (given or {}).items():
            if key not in known:
                from .suggest import unknown

                raise OptionError(f"{self.id} ({self.name}): {unknown('option', key, known)}")
            resolved[key] = known[key].validate(self.id, value)
        return resolved


def rule(
    id: str,
    name: str,
    severity: str = "warning",
    *,
    options: Iterable[Option] = (),
    scope: str = "record",
    kinds: Iterable[str] = ("cms",),
    collect: Callable[..., Mapping[str, Any]] | None = None,
    examples: Iterable[Example] = (),
    tags: Iterable[str] = (),
    precision: str = "high",
    security_severity: float | None = None,
    prepare: Callable[[Mapping[str, Any], int], None] | None = None,
    reads_place: bool = False,
    reads_rows: bool | Iterable[str] = True,
    collect_key: Callable[[Mapping[str, Any]], Any] | None = None,
) -> Callable[[Callable[..., Iterator[Any]]], Rule]:
    """Decorator turning a check generator into a :class:`Rule`; its docstring is the doc.

    The first docstring line is the summary shown by ``feedlint rules``.
    ``prepare(options, expected_rows)`` (dataset rules) does slow set-up the
    check will need -- a heavy import -- ahead of time: a parallel run calls it
    in a background thread of the main process, which mostly waits while the
    workers check records, with the number of records the run is expected to
    have.  It must not report anything (the check does) and may do nothing.
    ``reads_place``: the check (or ``collect``) reads ``record.index`` or
    ``record.pointer``; without it, reading them may raise :class:`PlaceUnknown`.
    ``reads_rows`` (dataset rules): the check reads the fact table's rows
    (``table.column``...), so a table kept elsewhere (Spark) is brought to this
    process first; fact names: it needs only the rows where one of those facts
    is set (a join of a few rows: only they are brought); ``False``: it asks
    only the dataset stage's evaluator
    (:func:`feedlint.dataset.current_evaluator`), which answers on any table.
    ``collect_key(options)`` (dataset rules sharing one ``collect``): what of
    the options decides the row ``collect`` makes, for rules whose ``collect``
    gives equal rows for equal keys; of such rules next to each other with
    equal keys the engine calls the first only (their rows, all equal, would
    be merged into the record's one row anyway).  A module-level function
    (the rule is sent to worker processes).
    """

    def wrap(check: Callable[..., Iterator[Any]]) -> Rule:
        doc = inspect.cleandoc(check.__doc__ or "")
        if not doc:
            raise RuleDefinitionError(f"{id}: a rule needs a docstring (it is the rule's documentation)")
        summary = doc.splitlines()[0].strip()
        return Rule(
            id=id,
            name=name,
            severity=severity,
            summary=summary,
            doc=doc,
            check=check,
            options=tuple(options),
            scope=scope,
            kinds=tuple(kinds),
            collect=collect,
            examples=tuple(examples),
            tags=tuple(tags),
            precision=precision,
            security_severity=security_severity,
            origin=getattr(check, "__module__", "builtin") or "builtin",
            prepare=prepare,
            reads_place=reads_place,
            reads_rows=reads_rows if isinstance(reads_rows, bool) else tuple(reads_rows),
            collect_key=collect_key,
        )

    return wrap
