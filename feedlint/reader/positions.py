"""Line/column arithmetic: code-point columns and the UTF-16 columns SARIF and GitHub use.

Columns are 1-based; an end column is exclusive (the column just after the
last character), as in SARIF.  A byte-order mark is not counted.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass

# UTF-8 continuation bytes (10xxxxxx) and the lead bytes of 4-byte sequences (astral
# characters, two UTF-16 code units each): deleting them and measuring what is left
# counts code points.
_CONTINUATION = bytes(range(0x80, 0xC0))
_NOT_LEAD4 = bytes(b for b in range(256) if not 0xF0 <= b <= 0xF4)
_LEAD4 = (b"\xf0", b"\xf1", b"\xf2", b"\xf3", b"\xf4")


def utf8_counts(data: bytes) -> tuple[int, int]:
    """``(code points, UTF-16 code units)`` of UTF-8 ``data``: a code point per byte that is not a continuation byte.

    Mostly-ASCII text with a few curly quotes is counted by decoding it and
    measuring the text (the decoder runs through ASCII a word at a time: half
    the cost of deleting continuation bytes with ``translate``, which steps
    byte by byte), and astral characters only looked for (one ``memchr`` per
    possible 4-byte lead) unless there are some.  Bytes that do not decode (a
    sequence cut by a caller counting a big record a piece at a time) are
    counted byte by byte, as before: the counts of the pieces add up.
    """
    if data.isascii():
        return len(data), len(data)
    try:
        n = len(str(data, "utf-8"))
    except UnicodeDecodeError:
        n = len(data.translate(None, _CONTINUATION))
    for lead in _LEAD4:
        if lead in data:
            return n, n + len(data.translate(None, _NOT_LEAD4))
    return n, n


def _has_astral(text: str, utf8: bytes | None) -> bool:
    """Whether ``text`` holds a character beyond U+FFFF: in its UTF-8, a 4-byte lead (a ``memchr`` each), else by UTF-16 length (an encoding of the text)."""
    if utf8 is not None:
        return any(lead in utf8 for lead in _LEAD4)
    return utf16_len(text) != len(text)


def utf16_len(text: str) -> int:
    """Length of ``text`` in UTF-16 code units (astral characters count twice)."""
    if text.isascii():
        return len(text)
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


@dataclass(frozen=True)
class Cursor:
    """Where a piece of text starts in its file."""

    line: int = 1
    column: int = 1
    column16: int = 1
    offset: int = 0
    offset16: int = 0

    def advance(self, text: str) -> "Cursor":
        """The cursor just after ``text`` when ``text`` starts at this cursor."""
        if not text:
            return self
        n16 = utf16_len(text)
        newlines = text.count("\n") if "\n" in text else 0
        if newlines:
            tail = text[text.rfind("\n") + 1 :]
            return Cursor(self.line + newlines, len(tail) + 1, utf16_len(tail) + 1, self.offset + len(text), self.offset16 + n16)
        return Cursor(self.line, self.column + len(text), self.column16 + n16, self.offset + len(text), self.offset16 + n16)

    def advance_bytes(self, data: bytes) -> "Cursor":
        """Like :meth:`advance` for valid UTF-8 bytes, counted in C without decoding.

        The byte reader moves its cursor over every byte of an export with this,
        so it must cost far less than decoding: a pure-ASCII stretch costs one
        ``isascii`` and one ``count``.
        """
        if not data:
            return self
        n, n16 = utf8_counts(data)
        newlines = data.count(b"\n") if b"\n" in data else 0  # "in" is a vectorised search, count a byte loop
        if newlines:
            t, t16 = utf8_counts(data[data.rfind(b"\n") + 1 :])
            return _cursor(self.line + newlines, t + 1, t16 + 1, self.offset + n, self.offset16 + n16)
        return _cursor(self.line, self.column + n, self.column16 + n16, self.offset + n, self.offset16 + n16)

    def _place(self, line: int, column: int, column16: int) -> tuple[int, int, int]:
        """``(line, column, UTF-16 column)`` in the file of a place counted from this cursor as line 1, column 1.

        Columns on the first line continue this cursor's; later lines start afresh.
        """
        if line == 1:
            return self.line, self.column + column - 1, self.column16 + column16 - 1
        return self.line + line - 1, column, column16

    def then(self, rel: "Cursor") -> "Cursor":
        """Where ``rel``, counted from this cursor as if it were line 1, column 1, offset 0, is in the file."""
        return Cursor(*self.shift_cursor(cursor_fields(rel)))

    def shift_cursor(self, fields: tuple) -> tuple:
        """A cursor's fields (in :func:`cursor_fields` order) counted from this cursor, as the file counts them.

        :meth:`then` on the plain tuple a worker sends (a record's start
        counted from its range's): no :class:`Cursor` made on either side.
        """
        line, column, column16, offset, offset16 = fields
        return (*self._place(line, column, column16), self.offset + offset, self.offset16 + offset16)

    def shift(self, fields: tuple) -> tuple:
        """A :class:`Region`'s fields (in :func:`region_fields` order) counted from this cursor, as the file counts them."""
        start_line, start_column, end_line, end_column, start_column16, end_column16, offset, length, offset16, length16 = fields
        if start_line == end_line == 1:  # on the first line (every finding of a one-line export): both ends placed in one step, as _place would
            line, column, column16 = self.line, self.column - 1, self.column16 - 1
            return (line, start_column + column, line, end_column + column, start_column16 + column16, end_column16 + column16, offset + self.offset, length, offset16 + self.offset16, length16)
        start_line, start_column, start_column16 = self._place(start_line, start_column, start_column16)
        end_line, end_column, end_column16 = self._place(end_line, end_column, end_column16)
        return (start_line, start_column, end_line, end_column, start_column16, end_column16, offset + self.offset, length, offset16 + self.offset16, length16)


_new = object.__new__
_setattr = object.__setattr__


def _cursor(line: int, column: int, column16: int, offset: int, offset16: int) -> Cursor:
    """``Cursor(line, column, column16, offset, offset16)`` with its fields set in one go.

    A frozen dataclass's ``__init__`` sets them one by one through
    ``object.__setattr__`` (8,900 instructions against 4,600); the reader
    moves its cursor twice a record (over the record and the separator before it).
    """
    cursor = _new(Cursor)
    _setattr(cursor, "__dict__", {"line": line, "column": column, "column16": column16, "offset": offset, "offset16": offset16})
    return cursor


assert tuple(Cursor.__dataclass_fields__) == ("line", "column", "column16", "offset", "offset16")  # _cursor's keys, in order


def cursor_fields(c: Cursor) -> tuple:
    """A cursor as a plain tuple (constructor order), for the pipe between processes and the fact table."""
    return (c.line, c.column, c.column16, c.offset, c.offset16)


def region_fields(r: "Region") -> tuple:
    """A region as a plain tuple (constructor order), for the pipe between processes."""
    return (r.start_line, r.start_column, r.end_line, r.end_column, r.start_column16, r.end_column16, r.offset, r.length, r.offset16, r.length16)


@dataclass(frozen=True)
class Region:
    """A located range in a file.  ``end_column`` is exclusive."""

    start_line: int
    start_column: int
    end_line: int
    end_column: int
    start_column16: int
    end_column16: int
    offset: int
    length: int
    offset16: int
    length16: int

    @classmethod
    def indexed(cls, origin: Cursor, index: "TextIndex", start: int, end: int) -> "Region":
        """Region of ``text[start:end]`` where ``text`` (indexed by ``index``) begins at ``origin``."""
        return cls.from_fields(index.region_fields(origin, start, end))

    @classmethod
    def from_fields(cls, fields: tuple) -> "Region":
        """``Region(*fields)`` (fields in :func:`region_fields` order), set in one go like :meth:`indexed` (the main process rebuilds one per finding a worker sends)."""
        start_line, start_column, end_line, end_column, start_column16, end_column16, offset, length, offset16, length16 = fields
        region = _new(cls)
        _setattr(  # a dict display, not dict(zip(_FIELDS, fields)): a third less per finding in the main process
            region,
            "__dict__",
            {
                "start_line": start_line,
                "start_column": start_column,
                "end_line": end_line,
                "end_column": end_column,
                "start_column16": start_column16,
                "end_column16": end_column16,
                "offset": offset,
                "length": length,
                "offset16": offset16,
                "length16": length16,
            },
        )
        return region

    @classmethod
    def file_start(cls) -> "Region":
        return cls(1, 1, 1, 1, 1, 1, 0, 0, 0, 0)

    def as_dict(self) -> dict:
        return {
            "start_line": self.start_line,
            "start_column": self.start_column,
            "end_line": self.end_line,
            "end_column": self.end_column,
            "start_column_utf16": self.start_column16,
            "end_column_utf16": self.end_column16,
            "offset": self.offset,
            "length": self.length,
            "offset_utf16": self.offset16,
            "length_utf16": self.length16,
        }


_FIELDS = ("start_line", "start_column", "end_line", "end_column", "start_column16", "end_column16", "offset", "length", "offset16", "length16")  # Region's, in order
assert _FIELDS == tuple(Region.__dataclass_fields__)

_NEWLINE = re.compile("\n")
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


class TextIndex:
    """Where a text's line feeds and astral characters are, built once for many positions.

    A record with findings is located several times (every entity in a long
    body); :meth:`Cursor.advance` over the text before each position would
    slice and count the record again each time.
    """

    __slots__ = ("newlines", "astral", "flat")

    def __init__(self, text: str, utf8: bytes | None = None) -> None:
        """``utf8``: the text's UTF-8 when the caller has it (a record's source), where astral characters are looked for at C speed."""
        self.newlines = [m.start() for m in _NEWLINE.finditer(text)] if "\n" in text else []
        self.astral = [m.start() for m in _ASTRAL.finditer(text)] if not text.isascii() and _has_astral(text, utf8) else []
        self.flat = not self.newlines and not self.astral  # every place is the origin moved on by an offset (see :meth:`Region.indexed`)

    def region_fields(self, origin: Cursor, start: int, end: int) -> tuple:
        """The fields (:func:`region_fields` order) of the :class:`Region` of ``text[start:end]`` where the text begins at ``origin``.

        A plain tuple: a worker packs it as it is (:func:`feedlint.checker.stamp_row`), with no Region in between.
        """
        if self.flat:  # one line of one UTF-16 unit per character (a compact record): both ends are the origin moved on, no place() calls
            line = origin.line
            column, column16, offset, offset16 = origin.column + start, origin.column16 + start, origin.offset + start, origin.offset16 + start
            length = end - start
            return (line, column, line, column + length, column16, column16 + length, offset, length, offset16, length)
        line, column, column16, offset, offset16 = self.place(origin, start)
        end_line, end_column, end_column16, end_offset, end_offset16 = self.place(origin, end)
        return (line, column, end_line, end_column, column16, end_column16, offset, end_offset - offset, offset16, end_offset16 - offset16)

    def place(self, origin: Cursor, offset: int) -> tuple[int, int, int, int, int]:
        """The fields of ``origin.advance(text[:offset])``, without building a Cursor (a frozen dataclass costs more than the arithmetic)."""
        astral = bisect_left(self.astral, offset) if self.astral else 0
        lines = bisect_left(self.newlines, offset) if self.newlines else 0
        if not lines:
            return origin.line, origin.column + offset, origin.column16 + offset + astral, origin.offset + offset, origin.offset16 + offset + astral
        line_start = self.newlines[lines - 1] + 1
        column = offset - line_start
        column16 = column + astral - (bisect_left(self.astral, line_start) if astral else 0)
        return origin.line + lines, column + 1, column16 + 1, origin.offset + offset, origin.offset16 + offset + astral
