"""Decode a byte stream to text in growing windows, tracking where the window starts.

Memory stays proportional to the largest record, not to the file: the caller
releases text it has finished with.  Invalid UTF-8 becomes an :class:`InputError`
naming the line and column where the bad byte sits.
"""

from __future__ import annotations

import codecs
from typing import BinaryIO

from .errors import InputError
from .positions import Cursor

CHUNK = 1 << 20


class TextStream:
    def __init__(self, raw: BinaryIO, display: str, chunk: int = CHUNK) -> None:
        self._raw = raw
        self.display = display
        self._chunk = chunk
        self._decoder = codecs.getincrementaldecoder("utf-8")("strict")
        self.buf = ""
        self.base = 0  # file offset (code points) of buf[0]
        self.cursor = Cursor()  # position of buf[0]
        self.eof = False
        self.bom = False
        self._started = False
        self.bytes_read = 0

    def fill(self) -> bool:
        """Read more text; grows geometrically so a huge record is not re-read quadratically."""
        if self.eof:
            return False
        want = max(self._chunk, len(self.buf))
        data = self._raw.read(want)
        final = not data
        try:
            text = self._decoder.decode(data, final=final)
        except UnicodeDecodeError as exc:
            good = exc.object[: exc.start].decode("utf-8", "replace")
            at = self.cursor.advance(self.buf).advance(good if self._started else good.lstrip("\ufeff"))
            raise InputError(self.display, f"invalid UTF-8 (byte 0x{exc.object[exc.start]:02x} at byte offset {self.bytes_read + exc.start})", at.line, at.column) from None
        self.bytes_read += len(data)
        if not self._started and text:
            self._started = True
            if text.startswith("\ufeff"):
                self.bom = True
                text = text[1:]
        self.buf += text
        if final:
            self.eof = True
        return bool(text) or not final

    def ensure(self, offset: int, n: int = 1) -> bool:
        """Make ``buf`` hold ``n`` characters at file offset ``offset``; False at end of file."""
        while offset + n > self.base + len(self.buf):
            if not self.fill():
                return False
        return True

    def release(self, offset: int) -> None:
        """Forget text before file offset ``offset``, once a record is done with."""
        cut = offset - self.base
        if cut > self._chunk:
            dropped = self.buf[:cut]
            self.cursor = self.cursor.advance(dropped)
            self.buf = self.buf[cut:]
            self.base = offset

    def cursor_at(self, offset: int) -> Cursor:
        return self.cursor.advance(self.buf[: offset - self.base])

    def peek_all(self, limit: int = 4096) -> str:
        """The first ``limit`` characters, for layout sniffing."""
        self.ensure(0, limit)
        return self.buf[:limit]
