"""The dataset stage: the run's fact table in, dataset findings (hits on table rows) out.

After the last record is checked, every dataset rule (scope ``dataset``: the
built-in FL6xx and any plugin's) runs once over the :class:`FactTable` the
record checks filled -- one row of scalar facts per record of every file, each
with a :class:`~feedlint.facts.RowRef` back to its record.  :func:`run_stage`
returns each rule's :class:`DatasetHit` values (row, pointer, message,
evidence); the engine then re-reads those records to give each hit its exact
place (docs/architecture.md).

The built-in FL6xx rules are expectation suites.  One :class:`Evaluator`
answers them for the whole run: :class:`feedlint.rules._pyeval.PlainEvaluator`
unless the stage is given another (``run_stage(..., evaluator=...)``, e.g. a
distributed one).  Great Expectations answers only the entries the evaluator
does not support (your own suites' other kinds) and draws Data Docs
(docs/dataset.md, "When GX runs").
"""

from __future__ import annotations

import contextvars
from dataclasses import dataclass, field, replace
from typing import Any, Mapping, Protocol, Sequence

from .api import DatasetHit
from .checker import run_rule
from .effects import Effects
from .facts import FactTable, RowRef
from .plan import ActiveRule


@dataclass
class Outcome:
    """One evaluated expectation entry (one per export for ``per: file`` entries).

    ``rows``: positions of the failing rows in the entry's row set
    (``feedlint.rules._facts_rows.row_sets(table)[entry.table]``), for
    column-map kinds; None for aggregates (min/max), whose rows are found
    from ``result["observed_value"]`` and the bounds.
    """

    entry: Any  # feedlint.rules._suite.Entry
    kwargs: dict[str, Any]  # $PARAMETERs substituted
    file_index: int | None  # the export of a per-file entry; None: the whole run
    success: bool
    rows: list[int] | None = None
    result: dict[str, Any] = field(default_factory=dict)  # element_count, unexpected_count, observed_value
    error: str | None = None  # the entry could not be evaluated (a setup problem of the run)
    engine: str = "gx"  # who answered (GX's row conditions are re-applied when its rows are located)
    table: FactTable | None = None  # the driver-side rows ``rows`` index when they are not the stage's table's (a Spark evaluator's extract)


class Facts(Protocol):
    """The run's fact table as the engine fills it and the dataset stage reads it.

    :class:`~feedlint.facts.FactTable` (rows on the driver) is one; a
    distributed engine brings its own (``Engine(table=...)``; the Spark
    engine's is a DataFrame, :class:`feedlint.spark.facts.SparkFacts`) with an
    :class:`Evaluator` that answers the expectations on it.  A dataset hit's
    ``row`` is a row id of this table (:meth:`ref`).
    """

    files: list[str]

    def __len__(self) -> int: ...

    def add(self, ref: RowRef, facts: Mapping[str, Any]) -> int:
        """A record's fact row (the engine, record by record)."""

    def ref(self, row: int) -> RowRef:
        """Where the row ``row`` came from (the rows of hits, at least)."""

    def local(self, having: Sequence[str] | None = None) -> FactTable:
        """The table on the driver, for what only reads rows there (a plugin's dataset rule, Great Expectations).

        ``having``: only the rows where at least one of these facts is set (a
        rule that joins a few rows of its own; a table on the driver may give
        all of its rows).  Its rows map back by :meth:`FactTable.row_id`."""


class Evaluator(Protocol):
    """Answers expectation entries on the fact table."""

    def supports(self, entry: Any) -> bool:
        """Whether this evaluator answers ``entry`` (the others go to Great Expectations)."""

    def evaluate(self, table: Facts, entries: Sequence[Any], params: Mapping[str, Any]) -> list[Outcome]:
        """Outcomes of ``entries`` (all supported), in entry order, a per-file entry's by file index.

        ``params``: the ``$PARAMETER`` values (languages, earliest, latest).
        """


@dataclass
class StageResult:
    hits: list[tuple[ActiveRule, DatasetHit]]  # rule by rule in the plan's order, each rule's in the order it gave them
    effects: Effects  # rule crashes and setup problems (no findings, no records)


_EVALUATOR: contextvars.ContextVar[Evaluator | None] = contextvars.ContextVar("feedlint_dataset_evaluator", default=None)


def current_evaluator() -> Evaluator | None:
    """The evaluator :func:`run_stage` was given (None: the built-in rules use the plain one)."""
    return _EVALUATOR.get()


def run_stage(rules: Sequence[ActiveRule], table: Facts, evaluator: Evaluator | None = None) -> StageResult:
    """Every dataset rule over ``table``; a rule that crashes or cannot be set up is an entry of ``effects``.

    A rule declared ``reads_rows=False`` (the FL6xx expectation suites) takes
    ``table`` as it is, its expectations going to ``evaluator``; one declared
    with fact names (FL607) gets ``table.local(having=names)``, the rows where
    one of them is set; any other (a plugin's) reads rows, and gets
    ``table.local()``.
    """
    effects = Effects()
    hits: list[tuple[ActiveRule, DatasetHit]] = []
    token = _EVALUATOR.set(evaluator)
    try:
        for active in rules:
            target = _table_for(active.rule.reads_rows, table)
            for hit in run_rule(active, target, "dataset", effects):
                if target is not table:
                    hit = replace(hit, row=target.row_id(hit.row))
                hits.append((active, hit))
    finally:
        _EVALUATOR.reset(token)
    return StageResult(hits, effects)


def _table_for(reads_rows: bool | tuple[str, ...], table: Facts) -> Facts:
    """What a dataset rule is given, by its ``reads_rows`` declaration (:func:`feedlint.api.rule`)."""
    if reads_rows is False:
        return table
    return table.local() if reads_rows is True else table.local(having=reads_rows)
