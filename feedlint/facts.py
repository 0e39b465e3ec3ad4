"""The compact per-record table dataset rules work on: scalar facts, never whole bodies.

A 1 GB export has about 70,000 records, and the table lives until the dataset
rules have run, next to pandas and Great Expectations: it is kept small.  Row
references are packed into arrays (a :class:`RowRef` is made when one is looked
up) and a column whose first value is a string keeps its strings UTF-8 encoded
in one buffer (:class:`TextColumn`), about a quarter of the memory of one
``str`` object per row.  Both read like lists.
"""

from __future__ import annotations

import re
import struct
from array import array
from dataclasses import dataclass, field
from itertools import accumulate, repeat
from typing import Any, Iterable, Iterator, Mapping, NamedTuple, Sequence


@dataclass
class RowRef:
    """Where a table row came from, so a dataset finding can be located later."""

    file_index: int
    record_index: int
    pointer: str
    content_id: Any
    start: tuple | None = None  # where the record begins in its file (reader.jsonstream.RawRecord.start); None: not known


class TextColumn(Sequence):
    """A column of mostly strings: their UTF-8 in one buffer, other values (None, numbers) as they are.

    ``column[i]`` returns an equal new ``str`` (lone surrogates survive the
    round trip).
    """

    __slots__ = ("_buf", "_ends", "_other", "_pending")

    def __init__(self, values: Iterator[Any] = ()) -> None:
        self._buf = bytearray()
        self._ends = array("q")  # end offset of row i's text in _buf
        self._other: dict[int, Any] = {}  # rows whose value is not a str
        self._pending: list[Any] = []  # values appended since the last _pack, the rows after _ends'
        for value in values:
            self.append(value)

    def append(self, value: Any) -> None:
        """Add a row; values are packed a batch at a time (:meth:`_pack`), not one by one."""
        pending = self._pending
        pending.append(value)
        if len(pending) >= _TEXT_BATCH:
            self._pack()

    def extend(self, values: Iterable[Any]) -> None:
        """:meth:`append` of each value (the packed text is the same whatever the batches)."""
        pending = self._pending
        pending.extend(values)
        if len(pending) >= _TEXT_BATCH:
            self._pack()

    def _pack(self) -> None:
        """Move the pending values into the buffer: their text encoded in one piece when it is ASCII, their ends packed in one call."""
        pending = self._pending
        if not pending:
            return
        if not _STR_ONLY.issuperset(map(type, pending)):
            first = len(self._ends)
            self._other.update((first + i, value) for i, value in enumerate(pending) if type(value) is not str)
            pending = [value if type(value) is str else "" for value in pending]  # no bytes for them
        text = "".join(pending)
        if text.isascii():
            self._buf += text.encode("ascii")
            sizes = map(len, pending)
        else:
            encoded = [value.encode("utf-8", "surrogatepass") for value in pending]
            self._buf += b"".join(encoded)
            sizes = map(len, encoded)
        ends = list(accumulate(sizes, initial=self._ends[-1] if self._ends else 0))[1:]
        self._ends.frombytes(struct.pack(f"={len(ends)}q", *ends))
        self._pending.clear()

    def __len__(self) -> int:
        return len(self._ends) + len(self._pending)

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        self._pack()
        if index < 0:
            index += len(self._ends)
        end = self._ends[index]  # IndexError as a list would
        if index in self._other:
            return self._other[index]
        start = self._ends[index - 1] if index else 0
        return self._buf[start:end].decode("utf-8", "surrogatepass")

    def __iter__(self) -> Iterator[Any]:
        return iter(self.values())

    def values(self) -> list[Any]:
        """Every row's value in a new list, made at C speed: ASCII text is decoded once and cut (:func:`_ascii_cells`), other text row by row."""
        self._pack()
        ends, buf = self._ends, self._buf
        if buf.isascii():
            values = _ascii_cells(buf.decode("ascii"), ends)
        else:
            values = [buf[b].decode("utf-8", "surrogatepass") for b in map(slice, array("q", (0,)) + ends[:-1], ends)]
        for i, value in self._other.items():
            values[i] = value
        return values


def _ascii_cells(text: str, ends: array) -> list[str]:
    """``text`` cut at ``ends``: cells of one width (dates, digests, tokens) by one regex scan, others by a slice each.

    A scan for ``.{width}`` makes the strings without a slice object a cell
    (10,000 dates: 2.3 -> 1.5 ms).
    """
    width = len(text) // len(ends) if ends else 0
    if width and ends == array("q", range(width, len(text) + 1, width)):
        return re.findall(f".{{{width}}}", text, re.DOTALL)
    return list(map(text.__getitem__, map(slice, array("q", (0,)) + ends[:-1], ends)))


_TEXT_BATCH = 256  # rows a TextColumn packs at a time
_STR_ONLY = frozenset({str})
_DICT_ONLY = frozenset({dict})
_NO_START = (-1, 0, 0, 0, 0, 0)  # a start not known (RowRef.start: a byte offset, then a cursor's five fields)
_START = struct.Struct(f"={len(_NO_START)}q")  # a start packed as _starts holds it (array.extend parses each number as an argument)


def _shared(kept: Any, content_id: Any) -> Any:
    """``content_id``, or ``kept`` when it is an equal value of the same type (one object stored instead of two)."""
    return kept if kept is not None and type(kept) is type(content_id) and kept == content_id else content_id


class RowRefs(Sequence):
    """The rows' :class:`RowRef` values, packed: integer arrays, the pointers as one :class:`TextColumn`."""

    __slots__ = ("_files", "_records", "_pointers", "_ids", "_starts")

    def __init__(self) -> None:
        self._files = array("q")
        self._records = array("q")
        self._pointers = TextColumn()
        self._ids: list[Any] = []
        self._starts = array("q")  # len(_NO_START) numbers a row: its start, or _NO_START

    def append(self, ref: RowRef, content_id: Any = None) -> None:
        """``content_id``: an equal value already stored elsewhere (the facts' own), shared instead of kept twice."""
        self._files.append(ref.file_index)
        self._records.append(ref.record_index)
        self._pointers.append(ref.pointer)
        self._ids.append(_shared(content_id, ref.content_id))
        self._starts.frombytes(_START.pack(*(ref.start or _NO_START)))

    def extend(self, file_index: int, rows: Sequence[tuple]) -> None:
        """:meth:`append` of each executor row ``(record index, pointer, content_id, facts, start)`` of one file, a column at a time."""
        indexes, pointers, ids, facts, starts = zip(*rows)
        self._files.extend(repeat(file_index, len(rows)))
        self._records.extend(indexes)
        self._pointers.extend(pointers)
        self._ids.extend(map(_shared, [f.get("content_id") for f in facts], ids))
        self._starts.frombytes(b"".join([_START.pack(*(start or _NO_START)) for start in starts]))

    def __len__(self) -> int:
        return len(self._files)

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self._files)
        n = len(_NO_START)
        start = tuple(self._starts[n * index : n * index + n])
        return RowRef(self._files[index], self._records[index], self._pointers[index], self._ids[index], None if start == _NO_START else start)

    def file_indexes(self) -> array:
        """Every row's file index (the array itself: do not modify)."""
        return self._files

    def record_indexes(self) -> array:
        return self._records


class _Layout(NamedTuple):
    """A full row's facts as :meth:`FactTable.add` last laid them out."""

    names: tuple[str, ...]  # the facts, in order
    appends: list[Any]  # their columns' append and extend methods
    extends: list[Any]
    none: list[str]  # the facts whose columns hold only None so far
    none_places: list[int]  # their places in ``names``


@dataclass
class FactTable:
    """Column-oriented facts, one row per record across every file of the run."""

    refs: RowRefs = field(default_factory=RowRefs)
    columns: dict[str, Sequence[Any]] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    spark: Any = field(default=None, repr=False, compare=False)  # a Spark run's SparkSession: Great Expectations validates there
    ids: Sequence[int] | None = field(default=None, repr=False, compare=False)  # an extract of another table (a Spark run's): each row's id there
    _memo: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
    _all_none: set[str] = field(default_factory=set, repr=False, compare=False)  # columns holding only None so far
    _layout: _Layout | None = field(default=None, repr=False, compare=False)  # the last full row's facts and columns (add's fast path)

    def __len__(self) -> int:
        return len(self.refs)

    def add(self, ref: RowRef, facts: Mapping[str, Any]) -> int:
        """Add a record's facts as a row; a row with the last row's facts in the same order is appended column by column, nothing looked up."""
        row = len(self.refs)
        self.refs.append(ref, facts.get("content_id"))
        layout = self._layout
        if layout is not None and tuple(facts) == layout.names:
            for name in layout.none:
                if facts[name] is not None:
                    break  # a column of None gets its first value, which decides its kind (_add_slowly)
            else:
                for append, value in zip(layout.appends, facts.values()):
                    append(value)
                return row
        self._add_slowly(row, facts)
        return row

    def add_rows(self, file_index: int, rows: Sequence[tuple]) -> None:
        """:meth:`add` of each executor row ``(record index, pointer, content_id, facts, start)`` of the file ``file_index``.

        Rows holding the last row's facts in the same order (every row of an
        export, as a rule) go in a column at a time: transposed by ``zip`` and
        appended by ``extend``, not sixteen appends and a :class:`RowRef` a
        row (1,000 rows of the 1k export replayed a range's worth at a time:
        34 k -> 16 k instructions a row).  Anything else is added row by row.
        """
        if rows and self._layout is None:  # the first row lays the table out
            self._add_row(file_index, rows[0])
            rows = rows[1:]
        columns = self._columns(rows) if len(rows) > 1 else None
        if columns is None:
            for row in rows:
                self._add_row(file_index, row)
            return
        self.refs.extend(file_index, rows)
        for extend, values in zip(self._layout.extends, columns):
            extend(values)

    def _add_row(self, file_index: int, row: tuple) -> None:
        index, pointer, content_id, facts, start = row
        self.add(RowRef(file_index, index, pointer, content_id, start), facts)

    def _columns(self, rows: Sequence[tuple]) -> list[tuple] | None:
        """The facts of ``rows`` as columns in the layout's order; None unless :meth:`add` would append each row as it is laid out."""
        layout = self._layout
        if layout is None:
            return None
        facts = [row[3] for row in rows]
        if not _DICT_ONLY.issuperset(map(type, facts)) or list(map(tuple, facts)).count(layout.names) != len(facts):
            return None
        columns = list(zip(*[f.values() for f in facts]))
        for i in layout.none_places:  # a column of None so far stays so (its first value decides its kind: _add_slowly)
            if columns[i].count(None) != len(facts):
                return None
        return columns

    def _add_slowly(self, row: int, facts: Mapping[str, Any]) -> None:
        """:meth:`add` with each fact's column found or made (a column of None turns into a text one at its first string)."""
        columns, all_none = self.columns, self._all_none
        for name, value in facts.items():
            col = columns.get(name)
            if col is None:
                col = columns[name] = [None] * row
                all_none.add(name)
            if value is not None and name in all_none:
                all_none.discard(name)
                if type(value) is str:  # the column's kind is decided by its first value
                    col = columns[name] = TextColumn(col)
            col.append(value)
        if len(columns) != len(facts):  # every fact has its column now: equal counts, every column has this row
            for col in columns.values():
                if len(col) < row + 1:
                    col.append(None)
            self._layout = None
        else:
            names = tuple(facts)
            none = [i for i, name in enumerate(names) if name in all_none]
            self._layout = _Layout(names, [columns[name].append for name in names], [columns[name].extend for name in names], [names[i] for i in none], none)

    def ref(self, row: int) -> RowRef:
        return self.refs[row]

    def row_id(self, row: int) -> int:
        """The stage table's row this row is: itself, or for an extract its row there (``ids``)."""
        return row if self.ids is None else self.ids[row]

    def local(self, having: Sequence[str] | None = None) -> "FactTable":
        """The table on the driver: this one (all its rows, whatever ``having`` asks: reading them costs nothing here)."""
        return self

    def memo(self, key: str, compute: Any) -> Any:
        """Share a derived value (a DataFrame, a GX context) between the dataset rules of one run."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    def forget(self, key: str) -> None:
        self._memo.pop(key, None)

    def column(self, name: str) -> Sequence[Any]:
        return self.columns.get(name, [None] * len(self.refs))

    def to_pandas(self):
        """A DataFrame with the facts plus ``_file``, ``_record`` and ``_row`` columns."""
        import pandas as pd

        data = {name: list(values) for name, values in self.columns.items()}
        data["_file"] = [self.files[i] for i in self.refs.file_indexes()]
        data["_record"] = list(self.refs.record_indexes())
        data["_row"] = list(range(len(self.refs)))
        return pd.DataFrame(data)
