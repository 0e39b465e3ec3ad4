"""Stream records out of a JSON export one at a time, with each record's source text.

Layouts (detected from content, not the extension):

* pages ``[[record, ...], ...]`` (the CMS's paginated export),
* a flat array ``[record, ...]``,
* a sequence of top-level values, one per line or pretty-printed (JSON Lines).

Each record is decoded by the C JSON scanner straight from a text window, so a
record's source span comes for free and positions can be computed later, only
for records that have findings.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Iterator

from .errors import InputError
from .locate import locate, string_span
from .positions import Cursor, Region
from .textstream import TextStream

_decoder = json.JSONDecoder()
_WS = re.compile(r"[ \t\n\r]*")
_TRUNCATION_MARGIN = 16


@dataclass
class RawRecord:
    """A decoded record plus what is needed to locate values inside it later."""

    index: int  # 0-based position among the file's records
    pointer: str  # absolute JSON Pointer of the record in its document ("/0/3")
    data: Any
    text: str  # the record's exact source text
    origin: Cursor  # where ``text`` starts in the file
    line_document: bool = False  # JSON Lines: the pointer is relative to the line's document
    kind: str = "cms"

    def region(self, pointer: str, span: tuple[int, int] | None = None, on_key: bool = False) -> Region:
        """Exact region of the value (or key) at ``pointer`` relative to this record."""
        start, end = locate(self.text, pointer, on_key=on_key)
        if span is not None and not on_key and self.text[start : start + 1] == '"':
            start, end = string_span(self.text, start, span)
        return Region.between(self.origin, self.text, start, end)


class JsonRecordReader:
    """Yields :class:`RawRecord`; raises :class:`InputError` on malformed JSON."""

    def __init__(self, stream: TextStream) -> None:
        self.s = stream
        self.layout = "unknown"
        self._origin_offset = 0
        self._origin = Cursor()

    # -- low-level helpers -------------------------------------------------
    def _error(self, offset: int, message: str) -> InputError:
        c = self._cursor(offset)
        return InputError(self.s.display, message, c.line, c.column)

    def _cursor(self, offset: int) -> Cursor:
        """Cursor at ``offset``; offsets only move forward, so this stays linear."""
        if offset < self._origin_offset:
            return self.s.cursor_at(offset)
        start = max(self._origin_offset, self.s.base)
        if self._origin_offset < self.s.base:
            self._origin, self._origin_offset = self.s.cursor, self.s.base
            start = self.s.base
        self._origin = self._origin.advance(self.s.buf[start - self.s.base : offset - self.s.base])
        self._origin_offset = offset
        return self._origin

    def _skip_ws(self, offset: int) -> int:
        while True:
            rel = offset - self.s.base
            end = _WS.match(self.s.buf, rel).end()
            if end < len(self.s.buf) or not self.s.fill():
                return self.s.base + end

    def _char(self, offset: int) -> str:
        return self.s.buf[offset - self.s.base] if self.s.ensure(offset) else ""

    def _value(self, offset: int) -> tuple[Any, int]:
        """Decode one value at ``offset``, reading more text while it may be truncated."""
        while True:
            buf = self.s.buf
            rel = offset - self.s.base
            try:
                value, end = _decoder.raw_decode(buf, rel)
                return value, self.s.base + end
            except json.JSONDecodeError as exc:
                real = exc.pos < len(buf) - _TRUNCATION_MARGIN and not exc.msg.startswith("Unterminated string")
                if real or not self.s.fill():
                    raise self._error(self.s.base + exc.pos, f"invalid JSON: {exc.msg}") from None
            except RecursionError:
                raise self._error(offset, "invalid JSON: nesting too deep") from None

    def _record(self, index: int, pointer: str, start: int, line_document: bool = False) -> RawRecord:
        value, end = self._value(start)
        origin = self._cursor(start)
        text = self.s.buf[start - self.s.base : end - self.s.base]
        return RawRecord(index, pointer, value, text, origin, line_document), end

    # -- layouts -----------------------------------------------------------
    def records(self) -> Iterator[RawRecord]:
        pos = self._skip_ws(0)
        first = self._char(pos)
        if first == "":
            raise InputError(self.s.display, "empty file: no JSON value", 1, 1)
        if first == "[":
            yield from self._array(pos)
        elif first == "{":
            self.layout = "json-lines"
            yield from self._sequence(pos)
        else:
            raise self._error(pos, f"not a JSON export: expected '[' or '{{', found {first!r}")

    def _array(self, pos: int) -> Iterator[RawRecord]:
        inner = self._skip_ws(pos + 1)
        paged = self._char(inner) == "["
        self.layout = "pages" if paged else "array"
        index = 0
        outer_i = 0
        pos = inner
        while True:
            ch = self._char(pos)
            if ch == "]":
                break
            if paged:
                if ch != "[":
                    raise self._error(pos, f"invalid export: page {outer_i} is not an array (the first element was a page)")
                pos = self._skip_ws(pos + 1)
                inner_i = 0
                while self._char(pos) != "]":
                    if self._char(pos) == "":
                        raise self._error(pos, "invalid JSON: unexpected end of file inside a page")
                    rec, end = self._record(index, f"/{outer_i}/{inner_i}", pos)
                    yield rec
                    index += 1
                    inner_i += 1
                    self.s.release(end)
                    pos = self._after_item(end, "]")
                pos = self._skip_ws(pos + 1)
            else:
                if ch == "":
                    raise self._error(pos, "invalid JSON: unexpected end of file inside the array")
                rec, end = self._record(index, f"/{outer_i}", pos)
                yield rec
                index += 1
                self.s.release(end)
                pos = end
            outer_i += 1
            pos = self._after_item(pos, "]")
        self._expect_end(pos + 1)

    def _after_item(self, pos: int, close: str) -> int:
        """Skip a ``,`` (not before the closing bracket) and whitespace."""
        pos = self._skip_ws(pos)
        ch = self._char(pos)
        if ch == ",":
            nxt = self._skip_ws(pos + 1)
            if self._char(nxt) == close:
                raise self._error(pos, "invalid JSON: trailing comma")
            return nxt
        if ch == close:
            return pos
        if ch == "":
            raise self._error(pos, "invalid JSON: unexpected end of file")
        raise self._error(pos, f"invalid JSON: expected ',' or '{close}', found {ch!r}")

    def _expect_end(self, pos: int) -> None:
        pos = self._skip_ws(pos)
        ch = self._char(pos)
        if ch != "":
            raise self._error(pos, f"invalid JSON: extra data after the export ({ch!r})")

    def _sequence(self, pos: int) -> Iterator[RawRecord]:
        index = 0
        while self._char(pos) != "":
            rec, end = self._record(index, "", pos, line_document=True)
            yield rec
            index += 1
            self.s.release(end)
            pos = self._skip_ws(end)
