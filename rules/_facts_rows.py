"""The fact table as the expectation suites see it: two row sets, in plain Python and as DataFrames.

``records`` has one row per JSON-object record; ``attachments`` one row per
distinct attachment token of a record.  Position ``p`` means the same row in the
plain :class:`Rows` and in the pandas frame GX validates (both have a
RangeIndex built from the same lists), so GX's ``unexpected_index_list`` maps
back to fact-table rows through ``_row``.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from typing import Any

from feedlint.facts import FactTable

DATE_COLUMNS = ("date_start", "date_register", "date_last_edit")
DATE_FORMAT = "%Y-%m-%d %H:%M:%S"
ATTACHMENT_COLUMNS = ("_row", "_file_index", "portal_id", "content_id", "attach_index", "token")


class Rows:
    """Column lists of one row set; ``_row`` maps a position to the fact-table row."""

    def __init__(self, columns: dict[str, list[Any]]) -> None:
        self.columns = columns
        self.size = len(columns["_row"])

    def __len__(self) -> int:
        return self.size

    def get(self, p: int, column: str) -> Any:
        values = self.columns.get(column)
        return values[p] if values is not None else None

    def table_row(self, p: int) -> int:
        return self.columns["_row"][p]

    def file_index(self, p: int) -> int:
        return self.columns["_file_index"][p]


def object_rows(table: FactTable) -> list[int]:
    """Fact-table rows of real records (JSON objects); a stray string or number in an export is FL101's."""
    return table.memo("fl6:object-rows", lambda: [i for i, v in enumerate(table.column("is_object")) if v])


def row_sets(table: FactTable) -> dict[str, Rows]:
    def build() -> dict[str, Rows]:
        rows = object_rows(table)
        if len(rows) == len(table):  # the usual case: share the fact table's lists, no copy
            records = dict(table.columns)
        else:
            records = {name: [values[i] for i in rows] for name, values in table.columns.items()}
        records["_row"] = rows
        records["_file_index"] = [table.refs[i].file_index for i in rows]
        records["_record"] = [table.refs[i].record_index for i in rows]
        attachments = _attachment_rows(table, rows)
        if "article_key" in records:
            records["article_key"] = _article_keys_for_comparison(records)
        return {
            "records": Rows(records),
            "attachments": Rows({name: [r[k] for r in attachments] for k, name in enumerate(ATTACHMENT_COLUMNS)}),
        }

    return table.memo("fl6:rows", build)


def _attachment_rows(table: FactTable, rows: list[int]) -> list[tuple[Any, ...]]:
    tokens, portals, ids = table.column("attach_tokens"), table.column("portal_id"), table.column("content_id")
    out = []
    for row in rows:
        joined = tokens[row]
        if not joined:
            continue
        seen = set()
        for part in joined.split("|"):
            index, _, token = part.partition(":")
            if token in seen:
                continue  # the same token twice inside one record is not a reuse across records
            seen.add(token)
            out.append((row, table.refs[row].file_index, portals[row], ids[row], int(index), token))
    return out


def available_columns(table: FactTable) -> dict[str, set[str]]:
    return {"records": set(table.columns) | {"_row", "_file_index", "_record"}, "attachments": set(ATTACHMENT_COLUMNS)}


# --------------------------------------------------------------------------- values
def parse_date(value: Any, lenient: bool = False) -> dt.datetime | None:
    """Data dates must match the export format exactly (as pandas does); bounds may be shorter."""
    if isinstance(value, dt.datetime):
        return value
    if not isinstance(value, str):
        return None
    for fmt in (DATE_FORMAT, "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d") if lenient else (DATE_FORMAT,):
        try:
            return dt.datetime.strptime(value.strip() if lenient else value, fmt)
        except ValueError:
            continue
    return None


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
def _series(values: list[Any]):
    import pandas as pd

    present = [v for v in values if v is not None]
    if present and all(isinstance(v, int) and not isinstance(v, bool) for v in present):
        return pd.array(values, dtype="Int64")
    return pd.Series(values, dtype=object)


def frames(table: FactTable) -> dict[str, Any]:
    """The same row sets as DataFrames with a RangeIndex, for GX (pandas imported here, lazily)."""

    def build() -> dict[str, Any]:
        import pandas as pd

        sets = row_sets(table)
        records = pd.DataFrame({name: _series(values) for name, values in sets["records"].columns.items()})
        for col in DATE_COLUMNS:
            if col in records:
                records[col] = pd.to_datetime(records[col], format=DATE_FORMAT, errors="coerce")
        attachments = pd.DataFrame({name: _series(values) for name, values in sets["attachments"].columns.items()}, columns=list(ATTACHMENT_COLUMNS))
        return {"records": records, "attachments": attachments}

    return table.memo("fl6:frames", build)


def _article_keys_for_comparison(records: dict[str, list[Any]]) -> list[Any]:
    """The same article twice under the SAME id is a duplicate id (FL601), not a duplicate article:
    only the first of such repeats keeps its key."""
    keys = records["article_key"]
    counts = Counter(k for k in keys if k is not None)
    if all(n == 1 for n in counts.values()):
        return keys  # the usual case: no article twice, nothing to drop, no copy
    seen: set[tuple[Any, Any, Any]] = set()
    out = []
    for portal, cid, key in zip(records["portal_id"], records["content_id"], keys):
        if key is None or counts[key] == 1:
            out.append(key)
            continue
        triple = (portal, cid, key)
        out.append(None if triple in seen else key)
        seen.add(triple)
    return out
