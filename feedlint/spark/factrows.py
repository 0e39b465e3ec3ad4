"""Fact rows as a Spark DataFrame's rows: made in the executors, typed so Spark compares as Python does.

The dataset stage on Spark (docs/spark.md) aggregates the fact table where the
executors made it; only the rows of findings come to the driver.  Each row
carries its facts twice: typed columns for the aggregations, and a ``_blob``
(the pickled ref and facts) from which the driver rebuilds exactly the rows it
is given back (:mod:`.facts`).  Nothing here imports pyspark.

A column's Spark type follows the kinds of value the run's records gave it
(:func:`kind_of`, merged over every task by the driver): a column of one kind
keeps it (longs, doubles, strings, booleans); ints and floats together are
doubles (1 == 1.0, as in Python); any other mix is ``tagged``, a string that
keeps Python's equality (``1``, ``1.0`` and ``True`` one value, ``"1"``
another).  Dates are parsed as the expectations see them
(``_facts_rows.data_value``: unparsable is null) into timestamps without a
time zone.
"""

from __future__ import annotations

import pickle
from typing import Any, Sequence

ROW_BITS = 40  # a row's id: file index above, record index below (a record index < 2**40)
DATE_COLUMNS = ("date_start", "date_register", "date_last_edit")  # as rules/_facts_rows.DATE_COLUMNS
FIXED = ("_row", "_file_index", "_record", "_blob")  # then the facts' columns c0, c1, ...
_EXACT = 1 << 53  # beyond it a double is not every int


def row_id(file_index: int, record_index: int) -> int:
    """A row's id: ordered as the local fact table's rows (file, then record), unique in the run."""
    return (file_index << ROW_BITS) | record_index


def split_id(row: int) -> tuple[int, int]:
    return row >> ROW_BITS, row & ((1 << ROW_BITS) - 1)


def kind_of(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "long" if -_EXACT <= value <= _EXACT else "bigint"
    if isinstance(value, float):
        return "double"
    if isinstance(value, str):
        return "string"
    return "other"


def add_kinds(kinds: dict[str, set[str]], facts: dict[str, Any]) -> None:
    for name, value in facts.items():
        seen = kinds.setdefault(name, set())
        k = kind_of(value)
        if k is not None:
            seen.add(k)


def column_kind(name: str, kinds: set[str]) -> str:
    """The Spark type of a fact column, from the kinds of value it holds."""
    if name in DATE_COLUMNS:
        return "timestamp"
    if not kinds:
        return "string"  # only nulls
    if kinds == {"bigint"}:
        return "tagged"
    if len(kinds) == 1:
        return next(iter(kinds))
    if kinds == {"long", "double"}:
        return "double"
    return "tagged"


def tag(value: Any) -> str | None:
    """A value of a mixed column as a string: equal strings exactly when the Python values are equal."""
    if value is None:
        return None
    if isinstance(value, bool):
        value = int(value)
    if isinstance(value, float):
        if value != value:
            return None  # NaN: null, as the expectations see it
        if not value.is_integer():
            return "f" + repr(value)
        value = int(value)
    if isinstance(value, int):
        return "i" + str(value)
    if isinstance(value, str):
        return "s" + value
    return "o" + repr(value)


def cell(kind: str, value: Any) -> Any:
    if value is None:
        return None
    if kind == "timestamp":
        from feedlint.rules._facts_rows import parse_date

        return parse_date(value)
    if kind == "tagged":
        return tag(value)
    if kind == "double":
        value = float(value)
        return None if value != value else value
    return value


def blob(pointer: str, content_id: Any, facts: dict[str, Any]) -> bytes:
    return pickle.dumps((pointer, content_id, facts), protocol=pickle.HIGHEST_PROTOCOL)


def unblob(data: bytes) -> tuple[str, Any, dict[str, Any]]:
    return pickle.loads(data)


def number(value: Any) -> float | None:
    """A value as min/max compares it (``_facts_rows.comparable``): ints and floats as floats, nothing else."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    value = float(value)
    return None if value != value else value


def to_row(file_index: int, index: int, pointer: str, content_id: Any, facts: dict[str, Any], columns: Sequence[tuple[str, str]]) -> tuple:
    """One DataFrame row: ``FIXED``, each of ``columns`` ((name, kind)) in order, then each tagged one's :func:`number`."""
    return (row_id(file_index, index), file_index, index, bytearray(blob(pointer, content_id, facts)),
            *(cell(kind, facts.get(name)) for name, kind in columns),
            *(number(facts.get(name)) for name, kind in columns if kind == "tagged"))


def shift_pointer(relative: str, layout: str, outer: int, inner: int) -> str:
    """A record pointer counted from a range's start, in the file (the range starts at page ``outer``, place ``inner``)."""
    if layout == "json-lines":
        return ""
    parts = relative.split("/")
    first = int(parts[1])
    if layout == "array":
        return f"/{outer + first}"
    second = int(parts[2])
    return f"/{outer}/{inner + second}" if first == 0 else f"/{outer + first}/{second}"


RESULT, FACTS = 0, 1  # the tags of a task's two outputs in the run's one cached RDD
