"""Decode a byte stream to text in growing windows, tracking where the window starts.

Memory stays proportional to the largest record, not to the file: the caller
releases text it has finished with.  Invalid UTF-8 becomes an :class:`InputError`
naming the line and column where the bad byte sits.

The JSON reader does not decode windows: it takes the raw bytes with
:meth:`TextStream.read_bytes` (after :meth:`peek_all` has sniffed the layout from
a read-ahead that is handed back, not lost) and decodes record by record.
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
        self._head = b""  # raw bytes read ahead by peek_all, not yet consumed
        self._raw_eof = False

    @property
    def chunk(self) -> int:
        """Window size in bytes."""
        return self._chunk

    def _read_raw(self, n: int) -> bytes:
        if self._head:
            data, self._head = self._head, b""
            return data
        if self._raw_eof:
            return b""
        data = self._raw.read(n)
        if not data:
            self._raw_eof = True
        return data

    def read_bytes(self, n: int) -> bytes:
        """The next raw bytes (``b""`` at end of file), for readers that decode by themselves.

        Not to be mixed with :meth:`fill`: a stream is read as text or as bytes.
        """
        data = self._read_raw(n)
        self.bytes_read += len(data)
        return data

    def fill(self) -> bool:
        """Read more text; grows geometrically so a huge record is not re-read quadratically."""
        if self.eof:
            return False
        want = max(self._chunk, len(self.buf))
        data = self._read_raw(want)
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
        """The first ``limit`` characters, for layout sniffing; consumes nothing.

        Reads ahead raw bytes (kept for whoever reads next, as text or bytes) and
        decodes them leniently: an invalid byte is reported, with its position,
        by the reader that meets it.  Sets :attr:`bom`.
        """
        if self._started:
            self.ensure(0, limit)
            return self.buf[:limit]
        while len(self._head) < 4 * limit + 3 and not self._raw_eof:
            data = self._raw.read(max(self._chunk, 4 * limit + 3))
            if not data:
                self._raw_eof = True
            self._head += data
        self.bom = self._head.startswith(codecs.BOM_UTF8)
        head = self._head[3:] if self.bom else self._head
        return head[: 4 * limit].decode("utf-8", "replace")[:limit]
