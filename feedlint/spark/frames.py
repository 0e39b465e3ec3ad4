"""A row set of the fact table as a Spark DataFrame, for Great Expectations' Spark data source.

GX validates pandas frames by position (their RangeIndex); a Spark DataFrame has
no row order, so the frame carries the position as a column, ``_pos``, and GX
is asked to name unexpected rows by it (``unexpected_index_column_names``).

Column types follow what pandas would compare: integers as longs, integers
and floats together as doubles, dates as timestamps without a time zone
(``TIMESTAMP_NTZ``: no session time zone shifts them), the ``has_*`` flags as
booleans.  A column mixing kinds (an id that is a number in one record and a
string in another) is made strings that keep the kinds apart (``1`` and
``"1"`` stay two values), so uniqueness is decided as on pandas.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, Mapping, Sequence

POSITION = "_pos"
_LONG = (-(1 << 63), (1 << 63) - 1)


def _kind(values: Sequence[Any]) -> str:
    kinds = set()
    for v in values:
        if v is None:
            continue
        if isinstance(v, bool):
            kinds.add("bool")
        elif isinstance(v, int):
            kinds.add("long" if _LONG[0] <= v <= _LONG[1] else "tagged")
        elif isinstance(v, float):
            kinds.add("double")
        elif isinstance(v, str):
            kinds.add("string")
        elif isinstance(v, dt.datetime):
            kinds.add("timestamp")
        else:
            kinds.add("tagged")
        if len(kinds) > 2:
            break
    if kinds == {"long", "double"}:
        return "double"
    if len(kinds) == 1:
        return kinds.pop()
    return "string" if not kinds else "tagged"


def _tagged(value: Any) -> Any:
    """A value of a mixed column as a string that tells kinds apart (``1`` -> ``1``, ``"1"`` -> ``"1"`` quoted)."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # 1.0 == 1 on pandas
    return json.dumps(value, ensure_ascii=False, default=str)


def spark_frame(spark: Any, data: Mapping[str, Sequence[Any]], size: int) -> Any:
    """``data`` (column -> values as GX sees them on pandas: dates parsed, nulls None) plus ``_pos``, as a Spark DataFrame."""
    from pyspark.sql import types as T

    columns: list[list[Any]] = []
    fields = [T.StructField(POSITION, T.LongType(), False)]
    spark_types = {"bool": T.BooleanType(), "long": T.LongType(), "double": T.DoubleType(), "string": T.StringType(), "timestamp": T.TimestampNTZType(), "tagged": T.StringType()}
    for name, values in data.items():
        values = list(values)
        kind = _kind(values)
        if kind == "double":
            values = [float(v) if v is not None else None for v in values]
        elif kind == "tagged":
            values = [_tagged(v) for v in values]
        columns.append(values)
        fields.append(T.StructField(name, spark_types[kind], True))
    tuples = list(zip(range(size), *columns))
    partitions = max(1, min(spark.sparkContext.defaultParallelism, size // 50_000 + 1))
    return spark.createDataFrame(spark.sparkContext.parallelize(tuples, partitions), T.StructType(fields))
