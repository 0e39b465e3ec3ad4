"""The evaluator of the built-in dataset rules: the default suite's expectation kinds in plain Python.

It answers every kind the default suite uses (unique, compound unique, in
set, not null, min/max between; no ``row_condition``) at every size, linear
in the rows, with the standard library only: the one implementation of the
built-in FL6xx rules (docs/dataset.md "When GX runs" has the measurement that
chose it over Great Expectations).  It follows GX's semantics for these kinds
-- nulls are ignored by unique/in-set, ``mostly`` is the share of considered
rows that pass, min/max ignore nulls -- so the Data Docs pages GX draws say
what the findings say (a test compares them).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any, Iterator, Mapping, Sequence

from feedlint.dataset import Outcome

from ._facts_rows import DATE_COLUMNS, Rows, comparable, row_sets
from ._suite import Entry, expand, resolve

UNIQUE = "expect_column_values_to_be_unique"
COMPOUND_UNIQUE = "expect_compound_columns_to_be_unique"
IN_SET = "expect_column_values_to_be_in_set"
NOT_NULL = "expect_column_values_to_not_be_null"
MIN_BETWEEN = "expect_column_min_to_be_between"
MAX_BETWEEN = "expect_column_max_to_be_between"
KINDS = frozenset({UNIQUE, COMPOUND_UNIQUE, IN_SET, NOT_NULL, MIN_BETWEEN, MAX_BETWEEN})
_EPSILON = 1e-9


def supports(entries: Sequence[Entry]) -> bool:
    return all(e.type in KINDS and "row_condition" not in e.kwargs for e in entries)


def mostly_ok(considered: int, unexpected: int, mostly: float) -> bool:
    if considered == 0:
        return True
    return (considered - unexpected) / considered + _EPSILON >= mostly


def bounds(column: str, kwargs: dict[str, Any]) -> tuple[Any, Any]:
    """A min/max entry's bounds as comparable values (None: unbounded)."""
    return comparable(column, kwargs.get("min_value")), comparable(column, kwargs.get("max_value"))


def between_ok(column: str, observed: Any, kwargs: dict[str, Any]) -> bool:
    """Whether a min/max entry's observed extreme lies within its bounds (strict ones if asked)."""
    lo, hi = bounds(column, kwargs)
    return (lo is None or (observed > lo if kwargs.get("strict_min") else observed >= lo)) and (
        hi is None or (observed < hi if kwargs.get("strict_max") else observed <= hi)
    )


def unexpected_result(element_count: int, unexpected_count: int) -> dict[str, Any]:
    return {"element_count": element_count, "unexpected_count": unexpected_count}


def evaluate(entry: Entry, kwargs: dict[str, Any], rows: Rows, domain: list[int]) -> tuple[bool, list[int] | None, dict[str, Any]]:
    """``(success, unexpected positions or None for aggregates, result dict)`` over ``domain``.

    Columns are read whole (:meth:`Rows.data`, made once per run and shared
    by the entries that name them), not cell by cell: each kind is one pass
    over ``domain`` with no call per row.
    """
    mostly = float(kwargs.get("mostly", 1.0))
    if entry.type in (UNIQUE, COMPOUND_UNIQUE):
        cols = [kwargs["column"]] if entry.type == UNIQUE else list(kwargs["column_list"])
        ignore = "any_value_is_missing" if entry.type == UNIQUE else kwargs.get("ignore_row_if", "never")
        keys = _keys(rows, cols, domain, ignore)
        counts = Counter(keys.values())
        bad = [p for p, k in keys.items() if counts[k] > 1]
        considered = len(keys)
    elif entry.type in (IN_SET, NOT_NULL):
        cells = rows.data(kwargs["column"])
        if entry.type == NOT_NULL:
            bad = [p for p in domain if cells[p] is None]
            considered = len(domain)
        else:
            allowed = list(kwargs.get("value_set") or [])
            present = [p for p in domain if cells[p] is not None]
            bad = [p for p in present if cells[p] not in allowed]
            considered = len(present)
    else:
        column = kwargs["column"]
        values = _comparables(rows, column, domain)
        if not values:
            return False, None, {"observed_value": None}
        observed = min(values) if entry.type == MIN_BETWEEN else max(values)
        return between_ok(column, observed, kwargs), None, {"observed_value": observed}
    return mostly_ok(considered, len(bad), mostly), bad, unexpected_result(len(domain), len(bad))


def _keys(rows: Rows, cols: list[str], domain: Sequence[int], ignore: str) -> dict[int, tuple[Any, ...]]:
    """Each considered position's values of ``cols`` (rows with missing values left out as ``ignore`` says), in ``domain`` order."""
    if ignore == "any_value_is_missing" and any(_no_value(rows, c) for c in cols):
        return {}  # a key column without any value (FL601's profile entry on a CMS-only run): every row skipped, no loop over them
    columns = [rows.data(c) for c in cols]
    if len(domain) == len(rows):  # every position, in order (the usual whole-run entry): tuples zipped at C speed
        pairs: Iterator[tuple[int, tuple[Any, ...]]] = zip(domain, zip(*columns))
    else:
        pairs = ((p, tuple([c[p] for c in columns])) for p in domain)
    if ignore == "any_value_is_missing":
        return {p: k for p, k in pairs if None not in k}
    if ignore == "all_values_are_missing":
        return {p: k for p, k in pairs if any(v is not None for v in k)}
    return dict(pairs)


def _comparables(rows: Rows, column: str, domain: Sequence[int]) -> list[Any]:
    """The non-null values of ``column`` over ``domain`` as min/max compare them (:func:`comparable`).

    A date column's cells are parsed already (:meth:`Rows.data`): a plain
    datetime compares as it is, without a call per cell.
    """
    if column not in DATE_COLUMNS:
        cells = rows.columns.get(column)
        values = [comparable(column, cells[p]) for p in domain] if cells is not None else []
    else:
        values = [v for v in map(rows.data(column).__getitem__, domain) if v is not None]
        if not _DATETIME.issuperset(map(type, values)):
            values = [v if type(v) is dt.datetime else comparable(column, v) for v in values]
    return [v for v in values if v is not None]


_DATETIME = frozenset({dt.datetime})


def _no_value(rows: Rows, column: str) -> bool:
    """Whether ``column`` holds nothing but None in every row, found by a C-speed count (a column of values: False)."""
    cells = rows.columns.get(column)
    return cells is None or (type(cells) is list and cells.count(None) == len(cells))


class PlainEvaluator:
    """:class:`feedlint.dataset.Evaluator` for the kinds above: the run's evaluator unless it is given another."""

    name = "python"

    def supports(self, entry: Entry) -> bool:
        return supports([entry])

    def evaluate(self, table: Any, entries: Sequence[Entry], params: Mapping[str, Any]) -> list[Outcome]:
        """``table``: a FactTable, or any :class:`feedlint.dataset.Facts` (its rows gathered here: ``local()``)."""
        local = table.local()
        sets = row_sets(local)
        file_indexes = sorted(set(sets["records"].columns["_file_index"]))
        outcomes = []
        for entry, kwargs, file_index in expand(entries, file_indexes):
            rows = sets[entry.table]
            kw = {k: resolve(v, params) for k, v in kwargs.items()}
            success, bad, result = evaluate(entry, kw, rows, list(rows.positions(file_index)))
            outcomes.append(Outcome(entry, kw, file_index, success, bad, result, None, self.name, local if local is not table else None))
        return outcomes


PLAIN = PlainEvaluator()
