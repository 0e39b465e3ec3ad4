"""The fact table as the expectation suites see it: two row sets, in plain Python and as DataFrames.

``records`` has one row per JSON-object record; ``attachments`` one row per
distinct attachment token of a record.  Position ``p`` means the same row in the
plain :class:`Rows` and in the pandas frame GX validates (both have a
RangeIndex built from the same columns), so GX's ``unexpected_index_list`` maps
back to fact-table rows through ``_row``.  The row sets share the fact table's
packed columns; a frame is made per rule with only the columns it needs, and
goes when the rule is done (the memory of a 1 GB run: docs/dataset.md).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from array import array
from collections import Counter
from itertools import compress
from operator import itemgetter, methodcaller
from typing import Any, Sequence

from feedlint.facts import FactTable, TextColumn

DATE_COLUMNS = ("date_start", "date_register", "date_last_edit")
DATE_FORMAT = "%Y-%m-%d %H:%M:%S"
_CANONICAL = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}\Z")  # DATE_FORMAT, zero-padded
_ZERO_DIGITS = str.maketrans("123456789", "000000000")  # a text _CANONICAL matches becomes "0000-00-00 00:00:00", and no other does
_CANONICAL_LINE = "0000-00-00 00:00:00\n"
_STR_ONLY = frozenset({str})
ATTACHMENT_COLUMNS = ("_row", "_file_index", "portal_id", "content_id", "attach_index", "token")


class Rows:
    """Column lists of one row set; ``_row`` maps a position to the fact-table row."""

    def __init__(self, columns: dict[str, Sequence[Any]]) -> None:
        self.columns = columns
        self.size = len(columns["_row"])
        self._by_file: dict[int, list[int]] | None = None
        self._data: dict[str, list[Any]] = {}
        self._cells: dict[str, Sequence[Any]] = {}

    def data(self, column: str) -> list[Any]:
        """Every cell of ``column`` as :func:`data_value` gives it, made once (each date entry reads a date column twice).

        Its text is decoded by :meth:`cells`, once for both (FL606 groups
        ``token`` by its data and shows its cells; FL603's tags and data are
        ``lang_id``'s).  A date column's text is not kept: its data are dates.
        """
        values = self._data.get(column)
        if values is None:
            cells = self.columns.get(column) if column in DATE_COLUMNS else self.cells(column)
            values = self._data[column] = data_values(column, cells) if cells is not None else [None] * self.size
        return values

    def positions(self, file_index: int | None = None) -> Sequence[int]:
        """Every position, or those of one export: grouped once, so per-export entries cost O(rows) in all, not per export."""
        if file_index is None:
            return range(self.size)
        if self._by_file is None:
            self._by_file = {}
            for p, k in enumerate(self.columns["_file_index"]):
                self._by_file.setdefault(k, []).append(p)
        return self._by_file.get(file_index, [])

    def __len__(self) -> int:
        return self.size

    def cells(self, column: str) -> Sequence[Any] | None:
        """``column``'s cells as stored (None: no such column); a packed text column is decoded whole, once, not cell by cell."""
        cells = self._cells.get(column)
        if cells is None:
            cells = self.columns.get(column)
            if isinstance(cells, TextColumn):
                cells = self._cells[column] = cells.values()
        return cells

    def get(self, p: int, column: str) -> Any:
        values = self.cells(column)
        return values[p] if values is not None else None

    def table_row(self, p: int) -> int:
        return self.columns["_row"][p]

    def file_index(self, p: int) -> int:
        return self.columns["_file_index"][p]


def object_rows(table: FactTable) -> Sequence[int]:
    """Fact-table rows of real records (JSON objects); a stray string or number in an export is FL101's."""
    def build() -> Sequence[int]:
        rows = [i for i, v in enumerate(table.column("is_object")) if v]
        return range(len(table)) if len(rows) == len(table) else rows  # the usual case: no list of 70,000 ints

    return table.memo("fl6:object-rows", build)


def row_sets(table: FactTable) -> dict[str, Rows]:
    def build() -> dict[str, Rows]:
        rows = object_rows(table)
        files, records_at = table.refs.file_indexes(), table.refs.record_indexes()
        if len(rows) == len(table):  # the usual case: share the fact table's columns, no copy
            records = dict(table.columns)
            records.update(_row=rows, _file_index=files, _record=records_at)
        else:
            records = {name: [values[i] for i in rows] for name, values in table.columns.items()}
            records.update(_row=rows, _file_index=array("q", (files[i] for i in rows)), _record=array("q", (records_at[i] for i in rows)))
        if "article_key" in records:
            records["article_key"] = _article_keys_for_comparison(records)
        return {"records": Rows(records), "attachments": Rows(_attachment_columns(table, rows))}

    return table.memo("fl6:rows", build)


def _attachment_columns(table: FactTable, rows: Sequence[int]) -> dict[str, Sequence[Any]]:
    """One row per distinct token of a record, built a column at a time (``zip``/``map`` at C speed, not six appends a token)."""
    tokens = list(table.column("attach_tokens"))  # read whole, not row by row
    cells = tokens if len(rows) == len(tokens) else [tokens[row] for row in rows]
    at, indexes, names = _token_parts(list(compress(rows, cells)), list(filter(None, cells)))
    portals, ids = (list(table.column(name)) for name in ("portal_id", "content_id"))
    token_col = TextColumn()
    token_col.extend(names)
    return {
        "_row": array("q", at),
        "_file_index": array("q", map(table.refs.file_indexes().__getitem__, at)),
        "portal_id": list(map(portals.__getitem__, at)),
        "content_id": list(map(ids.__getitem__, at)),
        "attach_index": array("q", map(int, indexes)),
        "token": token_col,
    }


def _token_parts(at: list[int], joined: list[str]) -> tuple[Sequence[int], Sequence[str], Sequence[str]]:
    """``(rows, indexes, tokens)`` of the parts of the records' ``attach_tokens`` (``index:token`` parts joined by ``|``).

    The same token twice inside one record is not a reuse across records:
    only its first part is kept.  When no record has two parts (no ``|``
    anywhere, the usual export) each record is one part, split by ``map``
    (10,000 records of one token each: 9.5 -> 7.6 ms).
    """
    if "|" not in "".join(joined):
        pieces = list(map(methodcaller("partition", ":"), joined))
        return at, list(map(itemgetter(0), pieces)), list(map(itemgetter(2), pieces))
    seen: set[tuple[int, str]] = set()  # (row, token): a row is one record
    kept = []
    for row, text in zip(at, joined):
        for part in text.split("|"):
            index, _, token = part.partition(":")
            if (row, token) not in seen:
                seen.add((row, token))
                kept.append((row, index, token))
    return tuple(zip(*kept)) if kept else ((), (), ())  # type: ignore[return-value]


def available_columns(table: Any) -> dict[str, set[str]]:
    """The columns of each row set; a table kept elsewhere (:class:`feedlint.dataset.Facts`) says its own."""
    if not isinstance(table, FactTable):
        return table.available_columns()
    return {"records": set(table.columns) | {"_row", "_file_index", "_record"}, "attachments": set(ATTACHMENT_COLUMNS)}


def has_records(table: Any) -> bool:
    """Whether the table has a real record (a JSON object) to check."""
    return bool(object_rows(table)) if isinstance(table, FactTable) else table.has_records()


def record_values(table: Any, column: str) -> Sequence[Any]:
    """A column of the records row set; a table kept elsewhere gives its distinct values (enough for a set of tags)."""
    if not isinstance(table, FactTable):
        return table.distinct(column)
    cells = row_sets(table)["records"].cells(column)  # decoded once for this and the column's data (Rows.data)
    return cells if cells is not None else ()


# --------------------------------------------------------------------------- values
def parse_date(value: Any, lenient: bool = False) -> dt.datetime | None:
    """Data dates must match the export format exactly (as pandas does); bounds may be shorter."""
    if isinstance(value, dt.datetime):
        return value
    if not isinstance(value, str):
        return None
    if _CANONICAL.match(value):  # the export's own format: fromisoformat is C, strptime Python (same answer here)
        try:
            return dt.datetime.fromisoformat(value)
        except ValueError:  # a day or hour that does not exist: strptime refuses it too
            return None
    for fmt in (DATE_FORMAT, "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d") if lenient else (DATE_FORMAT,):
        try:
            return dt.datetime.strptime(value.strip() if lenient else value, fmt)
        except ValueError:
            continue
    return None


def parse_dates(cells: Sequence[Any]) -> list[Any]:
    """``list(map(parse_date, cells))``, checked at C speed where each cell is a canonical date or None.

    :func:`parse_date` matches each cell with ``_CANONICAL`` first (5.7 k
    instructions a cell, 0.8 k of them ``fromisoformat``).  Here the column's
    text, each cell followed by a newline, has its ASCII digits made ``0``
    and is compared with one canonical shape a cell: equal only when there is
    no newline but those (one per cell) and each cell is one ``_CANONICAL``
    matches.  A date that does not exist (``fromisoformat`` refuses it) sends
    the column down the cell-by-cell path.
    """
    values = list(cells)
    present = [v for v in values if v is not None] if None in values else values
    if not _STR_ONLY.issuperset(map(type, present)) or "\n".join([*present, ""]).translate(_ZERO_DIGITS) != _CANONICAL_LINE * len(present):
        return list(map(parse_date, values))
    try:
        parsed = list(map(dt.datetime.fromisoformat, present))
    except ValueError:
        return list(map(parse_date, values))
    if present is values:
        return parsed
    found = iter(parsed)
    return [None if v is None else next(found) for v in values]


def is_null(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return type(value).__name__ in ("NaTType", "NAType")


def data_value(column: str, value: Any) -> Any:
    """A cell as the frame GX sees holds it: dates parsed (unparsable -> null), NaN -> null."""
    if column in DATE_COLUMNS:
        return parse_date(value)
    return None if is_null(value) else value


_PLAIN_TYPES = frozenset({str, int, bool, type(None)})  # cells data_value keeps as they are


def data_values(column: str, cells: Sequence[Any]) -> list[Any]:
    """:func:`data_value` of every cell, with no call per cell where none is needed (plain strings, ints, None)."""
    if column in DATE_COLUMNS:
        return parse_dates(cells)
    values = list(cells)
    if not _PLAIN_TYPES.issuperset(map(type, values)):
        values = [None if is_null(v) else v for v in values]
    return values


def comparable(column: str, value: Any) -> Any:
    """A value or bound for min/max comparisons: a datetime for date columns, a float otherwise."""
    if hasattr(value, "to_pydatetime") and not is_null(value):
        value = value.to_pydatetime()
    if column in DATE_COLUMNS:
        return parse_date(value, lenient=True)
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, (int, float)) or is_null(value):
        return None
    return float(value)


# --------------------------------------------------------------------------- pandas
def _series(values: Sequence[Any]):
    import numpy as np
    import pandas as pd

    if isinstance(values, (array, range)) and len(values):  # row numbers and file indexes: integers, never null
        return pd.array(np.asarray(values, dtype=np.int64), dtype="Int64")
    values = list(values)  # a TextColumn's strings, made for the frame
    present = [v for v in values if v is not None]
    if present and all(isinstance(v, int) and not isinstance(v, bool) for v in present):
        return pd.array(values, dtype="Int64")
    return pd.Series(values, dtype=object)


def _frame(columns: dict[str, Sequence[Any]], names: Sequence[str]):
    import pandas as pd

    out = pd.DataFrame({name: _series(columns[name]) for name in names}, columns=list(names))
    for col in DATE_COLUMNS:
        if col in out:
            out[col] = pd.to_datetime(out[col], format=DATE_FORMAT, errors="coerce")
    return out


def frame(table: FactTable, table_name: str, columns: Sequence[str] | None = None):
    """One row set as a DataFrame with a RangeIndex, for GX (pandas imported here, lazily).

    ``columns``: only these (in the row set's order); None: every column.  A
    frame of the few columns one rule's expectations name holds a fraction of
    the whole table's memory.
    """
    rows = row_sets(table)[table_name]
    names = [c for c in rows.columns if columns is None or c in columns]
    return _frame(rows.columns, names)


def frames(table: FactTable) -> dict[str, Any]:
    """Both row sets with every column, kept for the run (row conditions are evaluated on them)."""
    return table.memo("fl6:frames", lambda: {name: frame(table, name) for name in ("records", "attachments")})


def _article_keys_for_comparison(records: dict[str, Sequence[Any]]) -> Sequence[Any]:
    """The same article twice under the SAME id is a duplicate id (FL601), not a duplicate article:
    only the first of such repeats keeps its key.

    Whether a key comes twice is found at C speed (one set, one count), not
    by hashing the keys in a loop a row (10,000 rows: 2.6 -> 2.1 ms); the
    rows of keys seen twice are then looked at one by one.
    """
    keys = records["article_key"]
    values = list(keys)
    nulls = values.count(None)
    if len(set(values)) - (nulls > 0) == len(values) - nulls:
        return keys  # the usual case: no article twice, nothing to drop, no copy
    repeated = {key for key, n in Counter(values).items() if n > 1 and key is not None}
    seen: set[tuple[Any, Any, Any]] = set()
    out = TextColumn()
    for portal, cid, key in zip(records["portal_id"], records["content_id"], values):
        if key not in repeated:
            out.append(key)
            continue
        triple = (portal, cid, key)
        out.append(None if triple in seen else key)
        seen.add(triple)
    return out
