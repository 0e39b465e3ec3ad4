"""The Spark run's fact table: a DataFrame made in the executors, never gathered on the driver.

The record tasks keep their fact rows in the run's cached RDD
(:func:`.tasks.run_partition`); once the record stage is over,
:meth:`SparkFacts.frame` turns them into one DataFrame there
(:func:`task_rows`: each accepted range's rows shifted into place,
the rows of ranges the driver read again dropped) plus the few rows the driver
checked itself (:meth:`SparkFacts.add`: ranges read again, stdin).  The
dataset stage aggregates it (:mod:`.evaluator`); only the rows of its hits come
back, as a small driver-side :class:`~feedlint.facts.FactTable` each
(:meth:`SparkFacts.extract`), which the expectations turn into findings as on
the local engine.  :meth:`SparkFacts.local` gathers the whole table for what
only runs on the driver (Great Expectations, a plugin's dataset rule).
"""

from __future__ import annotations

import functools
from typing import Any, Callable, Iterable, Iterator, Sequence

from ..facts import FactTable, RowRef
from .factrows import FACTS, FIXED, add_kinds, column_kind, shift_pointer, to_row, unblob
from .rowsets import ATTACHMENT_COLUMNS
from .tasks import unpack



class SparkFacts:
    """:class:`feedlint.dataset.Facts` kept in Spark (see the module's doc)."""

    def __init__(self, executor: Any) -> None:
        self.executor = executor
        self.spark = executor.session.spark
        self.files: list[str] = []
        self._driver: list[tuple] = []  # rows the driver checked itself: (file, record, pointer, content id, facts)
        self._kinds: dict[str, set[str]] = {}
        self._refs: dict[int, RowRef] = {}  # rows brought to the driver, by id
        self._memo: dict[str, Any] = {}
        self._frame: Any = None
        self._count = 0
        self.columns: list[tuple[str, str]] = []  # (fact, kind), the frame's c0, c1, ... in order
        self.collected = 0  # rows brought to the driver (the measure of what it holds)

    # -- filled by the engine ----------------------------------------------------
    def add(self, ref: RowRef, facts: dict[str, Any]) -> int:
        self._driver.append((ref.file_index, ref.record_index, ref.pointer, ref.content_id, dict(facts)))
        add_kinds(self._kinds, facts)
        return -1

    def memo(self, key: str, compute: Callable[[], Any]) -> Any:
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    def forget(self, key: str) -> None:
        self._memo.pop(key, None)

    # -- the DataFrame -------------------------------------------------------------
    def frame(self) -> Any:
        """Columns ``_row`` (:func:`.factrows.row_id`), ``_file_index``, ``_record``, ``_blob``, then each fact's (:meth:`name`, :meth:`numeric`)."""
        if self._frame is None:
            self._frame = self._build()
        return self._frame

    def _build(self) -> Any:
        from pyspark import StorageLevel
        from pyspark.sql import types as T

        ex = self.executor
        kinds: dict[str, set[str]] = {}
        for source in (ex.kinds, self._kinds):
            for name, seen in source.items():
                kinds.setdefault(name, set()).update(seen)
        self.columns = [(name, column_kind(name, kinds[name])) for name in sorted(kinds)]
        types = {"bool": T.BooleanType(), "long": T.LongType(), "double": T.DoubleType(), "string": T.StringType(), "tagged": T.StringType(), "timestamp": T.TimestampNTZType()}
        schema = T.StructType([
            T.StructField("_row", T.LongType(), False), T.StructField("_file_index", T.LongType(), False),
            T.StructField("_record", T.LongType(), False), T.StructField("_blob", T.BinaryType(), False),
            *(T.StructField(f"c{i}", types[kind], True) for i, (_, kind) in enumerate(self.columns)),
            *(T.StructField(f"n{i}", T.DoubleType(), True) for i, (_, kind) in enumerate(self.columns) if kind == "tagged"),
        ])
        spark, context = self.spark, self.spark.sparkContext
        parts = []
        if ex.shifts:
            placed = context.broadcast((ex.shifts, self.columns))
            source = ex.tagged if ex.received == len(ex.tasks) else _run_again(ex, context)
            parts.append(spark.createDataFrame(source.mapPartitions(functools.partial(task_rows, placed)), schema, verifySchema=False))
        if self._driver:
            rows = [to_row(*row, self.columns) for row in self._driver]
            parts.append(spark.createDataFrame(context.parallelize(rows, 1), schema, verifySchema=False))
            self._driver = []
        frame = functools.reduce(lambda a, b: a.unionByName(b), parts) if parts else spark.createDataFrame([], schema)
        frame = frame.persist(StorageLevel.MEMORY_AND_DISK)
        self._count = self._counted(frame)
        if ex.tagged is not None and ex.facts_in_spark:
            ex.tagged.unpersist()  # the findings went to the driver, the facts are in the frame now
        return frame

    def _counted(self, frame: Any) -> int:
        """Cache the frame (its first job) and count its rows, and the records of each export (``evaluator.domain_counts``)."""
        from pyspark.sql import functions as F

        flag = next((f"c{i}" for i, (name, _) in enumerate(self.columns) if name == "is_object"), None)
        counted = frame.groupBy("_file_index", (F.col(flag) if flag else F.lit(None).cast("boolean")).alias("_object")).count().collect()
        self._memo["spark:counts:records"] = {int(r[0]): int(r[2]) for r in counted if r[1]}
        return sum(int(r[2]) for r in counted)

    def __len__(self) -> int:
        self.frame()
        return self._count

    def name(self, fact: str) -> str | None:
        """The frame's column of a fact (None: no record had it)."""
        self.frame()
        for i, (name, _) in enumerate(self.columns):
            if name == fact:
                return f"c{i}"
        return None

    def numeric(self, fact: str) -> str | None:
        """A mixed column's numbers, as min/max compare them (``factrows.number``)."""
        name = self.name(fact)
        return "n" + name[1:] if name is not None and self.kind(fact) == "tagged" else None

    def kind(self, fact: str) -> str | None:
        self.frame()
        return next((k for name, k in self.columns if name == fact), None)

    # -- rows brought to the driver ------------------------------------------------
    def ref(self, row: int) -> RowRef:
        return self._refs[row]

    def extract(self, rows: Iterable[Any]) -> FactTable:
        """Rows of the frame (``_row``, ``_file_index``, ``_record``, ``_blob``) as a driver-side table in row order; ``ids``: their ids."""
        table = FactTable(files=self.files, spark=self.spark)
        ids = []
        for row in sorted(rows, key=lambda r: r[0]):
            pointer, content_id, facts = unblob(bytes(row[3]))
            ref = RowRef(row[1], row[2], pointer, content_id)
            table.add(ref, facts)
            self._refs.setdefault(row[0], ref)
            ids.append(row[0])
        table.ids = ids
        self.collected += len(ids)
        return table

    def local(self, having: Sequence[str] | None = None) -> FactTable:
        """The table on the driver (Great Expectations' kinds, a plugin's dataset rule): gathered once, then kept.

        ``having``: only the rows where one of these facts is set (FL607's posts
        and media); none when no record had any of them (a run without them
        gathers nothing).
        """
        if having is None or "spark:local" in self._memo:  # the whole table, once gathered, serves every ask
            return self.memo("spark:local", lambda: self.extract(self.frame().select(*FIXED).collect()))
        from functools import reduce

        from pyspark.sql import functions as F

        columns = [name for name in (self.name(fact) for fact in having) if name is not None]
        if not columns:
            return self.extract(())
        wanted = reduce(lambda a, b: a | b, (F.col(c).isNotNull() for c in columns))
        return self.memo(f"spark:local:{','.join(sorted(having))}", lambda: self.extract(self.frame().where(wanted).select(*FIXED).collect()))

    def row_id(self, row: int) -> int:
        return row

    # -- what the expectations ask of a table ---------------------------------------
    def available_columns(self) -> dict[str, set[str]]:
        self.frame()
        return {"records": {name for name, _ in self.columns} | {"_row", "_file_index", "_record"}, "attachments": set(ATTACHMENT_COLUMNS)}

    def has_records(self) -> bool:
        from .rowsets import domain_counts

        return bool(domain_counts(self, "records"))

    def distinct(self, fact: str) -> list[Any]:
        """A records column's distinct values (strings exactly; other values of a mixed column are not strings)."""
        from .rowsets import records_frame

        def build() -> list[Any]:
            column = self.name(fact)
            if column is None:
                return []
            kind = self.kind(fact)
            return [decode(kind, r[0]) for r in records_frame(self).select(column).distinct().collect()]

        return self.memo(f"spark:distinct:{fact}", build)


def _run_again(ex: Any, context: Any) -> Any:
    """The tasks whose facts count, run again: a task was lost (it would fail again) or never ran, so the cache is not whole."""
    from .tasks import run_partition

    wanted = [t for t in ex.tasks if (t.file_index, t.split) in ex.shifts]
    return context.parallelize(wanted, max(1, len(wanted))).mapPartitions(functools.partial(run_partition, ex.broadcast))


def decode(kind: str | None, value: Any) -> Any:
    """A typed cell back as the fact's value where that is exact (strings of a tagged column; others as they are)."""
    if kind == "tagged" and isinstance(value, str):
        return value[1:] if value.startswith("s") else _NOT_STR
    return value


class _NotStr:
    """A tagged value that was not a string (for :meth:`distinct`: only strings matter to the callers)."""


_NOT_STR = _NotStr()


def task_rows(broadcast: Any, items: Iterable[tuple[int, bytes]]) -> Iterator[tuple]:
    """``mapPartitions`` body: a partition's fact items as rows, placed where the driver accepted their range.

    ``broadcast.value``: ``(shifts, columns)``; ``shifts[(file, split)]`` is
    ``(index, outer, inner, layout)`` for an accepted range, None for a whole
    file (already in place); a split not in it was read again on the driver
    (or not used): its facts are dropped here.
    """
    shifts, columns = broadcast.value
    for tagged, packed in items:
        if tagged != FACTS:
            continue
        file_index, split, facts = unpack(packed)
        key = (file_index, split)
        if key not in shifts:
            continue
        shift = shifts[key]
        for index, pointer, content_id, row_facts, _start in facts:  # the record's start is not kept in Spark: its file is read again in order
            if shift is not None:
                base, outer, inner, layout = shift
                index, pointer = base + index, shift_pointer(pointer, layout, outer, inner)
            yield to_row(file_index, index, pointer, content_id, row_facts, columns)
