"""Stream records out of a JSON export one at a time, with each record's source bytes.

Layouts (detected from content, not the extension):

* pages ``[[record, ...], ...]`` (the CMS's paginated export),
* a flat array ``[record, ...]``,
* a sequence of top-level values, one per line or pretty-printed (JSON Lines).

The file is read as bytes in windows (1 MiB by default) and never decoded as a
whole.  A record that is an object is cut out optimistically: candidate ends
are the ``}`` followed by ``,``, ``]``, ``{`` or the window's end, nested braces
are skipped by counting them with ``bytes.count``, and a candidate is accepted
only if it decodes (a JSON object is prefix-free, so a slice that starts at its
``{`` and decodes *is* the record).  Braces inside strings can fool the count;
then, and for anything that is not an object, a regular expression that skips
strings finds the end for certain.  That costs about one decode per record.

Each record keeps its exact source bytes and where they start (a
:class:`Cursor`: line, code-point column, UTF-16 column and offsets), moved
forward over every byte with C-speed counting, never decoding.  Positions
inside a record are worked out only for records that have findings.

Malformed input raises one :class:`InputError` with the line and column the
standard ``json`` module names, and invalid UTF-8 the position of its first bad
byte.
"""

from __future__ import annotations

import codecs
import json
import re
import sys
from dataclasses import dataclass
from typing import Any, Iterator

from .errors import CommentInJson, InputError
from .jsonerrors import describe_json_error
from .jsondecode import loads_stdlib, loads_unverified, verified
from ..pointer import escape as escape_token, tokens as pointer_tokens
from .locate import CountedString, locate, located_value, two_for_one, unique_keys
from .positions import Cursor, Region, TextIndex, cursor_fields
from .textstream import CHUNK, TextStream

_WS = re.compile(rb"[ \t\n\r]*")
# A ``}`` that may close a record: followed by whitespace and a separator, a new record or the window's end.
_CANDIDATE_END = re.compile(rb"\}(?=[ \t\r\n]*(?:[,\]{]|\Z))")
_MAX_FAILED_CANDIDATES = 4
_MAX_GUESS_MISSES = 3  # consecutive misses of _guess_end after which ...
_GUESS_PAUSE = 256  # ... this many records are split by counting braces before it is tried again
if sys.version_info >= (3, 11):
    _TO_BRACKET = re.compile(rb'(?:[^"{}\[\]]++|"[^"\\]*+(?:\\.[^"\\]*+)*+")*+([{}\[\]]|"|\Z)', re.S)
else:  # pragma: no cover - no possessive quantifiers before 3.11 (the match never fails, so no backtracking)
    _TO_BRACKET = re.compile(rb'(?:[^"{}\[\]]+|"[^"\\]*(?:\\.[^"\\]*)*")*([{}\[\]]|"|\Z)', re.S)
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.S)
_FIRST_KEY = re.compile(rb'\{"[^"\\]{1,64}":')  # a record's opening brace and first key, compact JSON
_SCALAR = re.compile(rb"[^ \t\r\n,\]}\[{\"]*")
_LBRACE, _LBRACKET, _RBRACKET, _COMMA, _QUOTE, _RBRACE = 0x7B, 0x5B, 0x5D, 0x2C, 0x22, 0x7D
_BETWEEN_RECORDS = b" \t\r\n,[]"
_text_decoder = json.JSONDecoder()


_SLASH, _STAR = ord("/"), ord("*")


def _input_error(display: str, message: str, line: int, column: int, here: str) -> InputError:
    """The error at ``line:column``, where the text starts with ``here``: a :class:`CommentInJson` at ``//`` or ``/*`` (JSONC)."""
    if here in ("//", "/*"):
        return CommentInJson(display, message + " (a comment: JSON has none)", line, column)
    return InputError(display, message, line, column)


class _NeedMore(Exception):
    """The window ends before the value does."""


_NOT_YET: Any = object()


# A record longer than this is decoded from, and keeps, a view of the reader's window instead of
# a copy of its bytes (see RawRecord.source): a 50 MB record is then held once, not twice.
BIG_RECORD = 1 << 20


def _cut(buf: bytes | bytearray, start: int, end: int) -> bytes | memoryview:
    """``buf[start:end]``: a copy for the usual record, a view (no copy) for a big one; bytes from a grown window too."""
    if end - start > BIG_RECORD:
        return memoryview(buf)[start:end]
    return buf[start:end] if type(buf) is bytes else bytes(memoryview(buf)[start:end])


def _is_ascii(buf: bytes | bytearray, start: int, end: int) -> bool:
    """``buf[start:end].isascii()``, a megabyte at a time (no copy of a big record)."""
    view = memoryview(buf)
    return all(bytes(view[i : min(i + BIG_RECORD, end)]).isascii() for i in range(start, end, BIG_RECORD))


def _ascii_end(cursor: Cursor, text: str) -> Cursor:
    """``cursor.advance(text)`` for ASCII ``text``, without copying its last line (a byte is a character and a UTF-16 unit)."""
    n = len(text)
    newlines = text.count("\n")
    if newlines:
        tail = n - text.rfind("\n") - 1
        return Cursor(cursor.line + newlines, tail + 1, tail + 1, cursor.offset + n, cursor.offset16 + n)
    return Cursor(cursor.line, cursor.column + n, cursor.column16 + n, cursor.offset + n, cursor.offset16 + n)


# A placeholder for a big ASCII record's value while the reader splits: it is decoded from its text
# once the window is let go (JsonRecordReader._loads_text).
_BY_TEXT: Any = object()


_U_ESCAPE = re.compile(rb"\\u")
_U_ESCAPE_TEXT = re.compile(r"\\u")


def _has_u_escape(text: str, utf8: bytes | None) -> bool:
    """Whether a record's source holds a ``\\u`` escape; ``utf8``: the text's UTF-8 when at hand (a byte per character to step over).

    A regular expression, not ``in``: ``in`` skips ahead by a table and
    stops at every ``u`` (common in English), mispredicting as often; the
    regular expression steps over every byte in a tight loop to the next
    backslash.  A 14 KB record: 5-9 us against 14-27 us (though 80 K
    instructions against 58 K).
    """
    return (_U_ESCAPE.search(utf8) if utf8 is not None else _U_ESCAPE_TEXT.search(text)) is not None


class RawRecord:
    """A decoded record plus what is needed to locate values inside it later.

    ``source`` is the record's exact source (bytes from the JSON reader; a
    ``memoryview`` of the reader's window for a record over :data:`BIG_RECORD`
    bytes); ``text`` decodes it on first use, which only records with findings
    need.  A big record's view is let go once its text is decoded (the window
    is freed; ``source`` then encodes the text again when asked), so such a
    record holds its source once, as bytes or as text, beside its values.
    A big ASCII record comes as its text already (``binary`` True, ``source``
    a str): the reader decoded it from the text after letting its window go.
    """

    __slots__ = ("index", "pointer", "_data", "_exact", "_source", "size", "binary", "origin", "at", "line_document", "kind", "profile", "_text", "_located", "_unique", "_positions", "_locate_memo")

    def __init__(self, index: int, pointer: str, data: Any, source: bytes | str, origin: Cursor, line_document: bool = False, kind: str = "cms", exact: bool = True, profile: str = "cms", binary: bool | None = None, at: int | None = None) -> None:
        self.index = index  # 0-based position among the file's records
        self.pointer = pointer  # absolute JSON Pointer of the record in its document ("/0/3")
        self._data = data
        self._exact = exact  # False: decoded by loads_unverified, checked on first use
        self.size = len(source)  # of the source, in its units (bytes, or characters of a text source; one and the same in ASCII)
        self.binary = not isinstance(source, str) if binary is None else binary  # read from bytes (JSON), not from text (an article)
        self._source: bytes | memoryview | str | None = None if self.binary and isinstance(source, str) else source  # ASCII JSON as text: ``source`` encodes it
        self.origin = origin  # where the source starts in the file
        self.at = at  # the byte offset (after any BOM) it starts at, when read from the file's bytes (see start)
        self.line_document = line_document  # JSON Lines: the pointer is relative to the line's document
        self.kind = kind
        self.profile = profile  # the name of the profile the file is read with (its roles and rule options)
        self._text: str | None = source if isinstance(source, str) else None
        self._located: dict[tuple[str, bool], list] = {}  # [start, end, the whole value's region fields or None, CountedString of a string value once a span in it was asked for, or None]
        self._locate_memo: dict = {}  # see locate's memo
        self._unique: Any = _NOT_YET
        self._positions: TextIndex | None = None

    @property
    def source(self) -> bytes | memoryview | str:
        """The record's exact source (see the class doc)."""
        if self._source is None:
            return self._text.encode("utf-8")  # type: ignore[union-attr]  # a big record whose text was decoded
        return self._source

    @property
    def start(self) -> tuple | None:
        """``(byte offset, *cursor fields of origin)``: enough to read this record alone again (:meth:`JsonRecordReader.record_at`); None if not known.

        In a range's worker the cursor is counted from the range's start
        (:func:`shift_start` puts it in place); the byte offset is the file's.
        """
        return None if self.at is None else (self.at, *cursor_fields(self.origin))

    @property
    def data(self) -> Any:
        if not self._exact:
            self._data = verified(self._text if self._source is None else self._source, self._data)  # type: ignore[arg-type]
            self._exact = True
        return self._data

    @property
    def text(self) -> str:
        if self._text is None:
            self._text = str(self._source, "utf-8")  # type: ignore[arg-type]
            if isinstance(self._source, memoryview):
                self.data  # noqa: B018 - verified from the view while it is there
                self._source = None  # the window it views is freed: the record is held once, as text
        return self._text

    def region(self, pointer: str, span: tuple[int, int] | None = None, on_key: bool = False) -> Region:
        """Exact region of the value (or key) at ``pointer`` relative to this record (:meth:`region_fields` as a :class:`Region`)."""
        return Region.from_fields(self.region_fields(pointer, span, on_key))

    def region_fields(self, pointer: str, span: tuple[int, int] | None = None, on_key: bool = False) -> tuple:
        """The fields (:func:`feedlint.reader.positions.region_fields` order) of :meth:`region`: what a worker packs.

        Several findings often point at one field (every entity in a body):
        the field is located once, and its whole-value region worked out once; a
        span in a string value already asked about goes straight to the
        literal's offsets (five FL201 findings in one body, say).
        """
        located = self._located.get((pointer, on_key))
        if located is not None:  # the usual repeat: a whole value already placed, or another span in a string
            if span is None:
                if located[2] is not None:
                    return located[2]
            elif located[3] is not None:
                return located[3].region_fields(span, self._positions, self.origin)
        text = self.text
        source = self._source if type(self._source) is bytes else None  # the text's UTF-8, unless a big record's view (or gone)
        if self._positions is None:
            self._positions = TextIndex(text, source)
        if located is None:
            if self._unique is _NOT_YET:  # with \u escapes a key may be spelt differently: count decoded keys
                self._unique = unique_keys(self.data, text) if _has_u_escape(text, source) else None
            start, end = locate(text, pointer, on_key=on_key, data=self.data, unique=self._unique, memo=self._locate_memo)
            located = self._located[(pointer, on_key)] = [start, end, None, None]
        start, end, whole, _ = located
        if span is not None and not on_key and text[start : start + 1] == '"':
            no_u = self._unique is None  # None: the record has no \\u (searched once above)
            index = located[3] = CountedString(text, start, end - 1, no_u, two_for_one(located_value(self._locate_memo, pointer), no_u))
            return index.region_fields(span, self._positions, self.origin)
        if whole is None:
            whole = located[2] = self._positions.region_fields(self.origin, start, end)
        return whole

    def __repr__(self) -> str:
        return f"RawRecord(index={self.index}, pointer={self.pointer!r}, origin={self.origin})"


def _deepest(text: str) -> tuple[int, int]:
    """``(depth, offset)``: how deep the arrays and objects of the JSON ``text`` nest, and where that depth is first reached (strings skipped)."""
    depth = deepest = where = 0
    for m in _NESTING.finditer(text):
        char = m.group()
        if char in "[{":
            depth += 1
            if depth > deepest:
                deepest, where = depth, m.start()
        elif char in "]}":
            depth -= 1
    return deepest, where


_NESTING = re.compile(_STRING.pattern.decode("ascii") + r"|[\[\]{}]", re.S)  # a string (skipped whole) or a bracket


def _advance(cursor: Cursor, source: bytes | memoryview) -> Cursor:
    """The cursor after ``source``; a big record's view a megabyte at a time (counting needs bytes, not a whole copy)."""
    if isinstance(source, bytes):
        return cursor.advance_bytes(source)
    for i in range(0, len(source), BIG_RECORD):  # UTF-8 counts add up across any cut: continuation bytes are never counted
        cursor = cursor.advance_bytes(bytes(source[i : i + BIG_RECORD]))
    return cursor


def value_end(buf: bytes, pos: int, eof: bool) -> int | None:
    """End of the JSON value starting at ``buf[pos]``, found without decoding it.

    Raises :class:`_NeedMore` when the window ends first (``eof`` false); at end
    of file returns None for a value that never ends (the decoder then says why).
    """
    c = buf[pos]
    if c == _QUOTE:
        m = _STRING.match(buf, pos)
        if m:
            return m.end()
    elif c == _LBRACE or c == _LBRACKET:
        depth = 0
        match = _TO_BRACKET.match
        p = pos
        while True:
            m = match(buf, p)
            p = m.end()
            if m.start(1) == p or buf[p - 1] == _QUOTE:  # window end, or a string the window cuts
                break
            if buf[p - 1] in b"{[":
                depth += 1
            else:
                depth -= 1
                if depth == 0:
                    return p
    else:
        end = _SCALAR.match(buf, pos).end()
        if end < len(buf) or eof:
            return end
    if not eof:
        raise _NeedMore
    return None


class JsonRecordReader:
    """Yields :class:`RawRecord`; raises :class:`InputError` on malformed JSON."""

    guess_ends = True  # find a record's end from where the next begins (see _guess_end); False: count braces only

    def __init__(self, stream: TextStream, head: bytes | None = None, bom: int = 0, pointers: tuple[str, ...] = ()) -> None:
        """``head`` and ``bom``: how records begin and the BOM's size, when an earlier pass of the file learnt them (see :meth:`resume`).

        ``pointers``: record patterns (``/db/*/data/posts/*``) to follow into a
        top-level object (see :meth:`_document`).
        """
        self.s = stream
        self.pointers = pointers
        self.matched: str | None = None  # the pattern the records were found under (layout "document")
        self.seen: dict[str, Any] = {}  # short scalars passed on the way to the records, by pointer (profile detection)
        self.profile = "cms"  # stamped on every record: the profile the file is read with
        self.display = stream.display
        self.layout = "unknown"
        self._chunk = getattr(stream, "chunk", CHUNK)
        self._loads = loads_unverified  # (value, exact): the integer check waits until a value is used
        self._head = head or b"\0"  # how the last record began (``{"content_id":``), see _guess_end
        self._guess_misses = 0
        self._guess_pause = 0  # records to split by counting braces before guessing again
        self._guess_span = 1 << 20  # how far ahead the next record may start
        self.buf = b""
        self.base = 0  # file offset (bytes, after any BOM) of buf[0]
        self.eof = False
        self._bom = bom
        self._cursor_at = 0  # byte offset the cursor stands at
        self._cur = Cursor()
        self.record_start = 0  # byte offset (after any BOM) of the record read last
        self.stopped_at: RecordStart | None = None  # see resume
        self._by_text = False  # see _value
        self._taken: tuple[int, str, Cursor] | None = None  # (start, text, origin) of a record decoded from its text
        self._decoded: bytes | memoryview | None = None  # the slice the value read last was decoded from (see _record)

    # -- window ------------------------------------------------------------
    def _fill(self) -> bool:
        """Read more bytes (doubling for a huge record); False at end of file."""
        if self.eof:
            return False
        want = max(self._chunk, len(self.buf))
        if len(self.buf) >= 4 * self._chunk:
            return self._grow(want)
        data = self.s.read_bytes(want)
        if not data:
            self.eof = True
            return False
        self.buf = self.buf + data if self.buf else data
        return True

    def _grow(self, want: int) -> bool:
        """Read ``want`` more bytes into a big window in place, a window's worth at a time.

        Joining held the old window, the bytes read and the joined copy at
        once (four times the window at the last doubling); a ``bytearray``
        grows where it is (its memory is remapped, not copied), so growing to
        a huge record holds little more than the record.  :meth:`_release`
        turns the window back into ``bytes``.
        """
        buf = self.buf
        if type(buf) is not bytearray:
            buf = self.buf = bytearray(buf)
        got = 0
        while got < want:
            data = self.s.read_bytes(min(self._chunk, want - got))
            if not data:
                self.eof = True
                break
            try:
                buf += data
            except BufferError:  # a record still views this window: grow a copy
                buf = self.buf = buf + data
            got += len(data)
        return got > 0

    def _start(self) -> None:
        self._fill()
        if self.buf.startswith(codecs.BOM_UTF8):
            self.s.bom = True
            self._bom = 3
            self.buf = self.buf[3:]
            if not self.buf:
                self._fill()

    def _release(self, offset: int) -> None:
        """Forget bytes before ``offset`` once they are more than a window's worth (a grown window becomes bytes again)."""
        cut = offset - self.base
        if cut > self._chunk:
            self._cursor(offset)
            self.buf = self.buf[cut:] if type(self.buf) is bytes else bytes(memoryview(self.buf)[cut:])
            self.base = offset

    @property
    def bytes_done(self) -> int:
        """Bytes of the (decompressed) input consumed so far, for progress reports."""
        return self._bom + self._cursor_at

    # -- positions ---------------------------------------------------------
    def _cursor(self, offset: int) -> Cursor:
        """Cursor at byte ``offset``; offsets only move forward, so this stays linear."""
        if offset > self._cursor_at:
            self._cur = self._cur.advance_bytes(self.buf[self._cursor_at - self.base : offset - self.base])
            self._cursor_at = offset
        return self._cur

    def _error(self, offset: int, message: str) -> InputError:
        c = self._cursor(offset)
        second = self._byte(offset + 1) if self._byte(offset) == _SLASH else -1  # -1: the end of the file
        here = "//" if second == _SLASH else "/*" if second == _STAR else ""
        return _input_error(self.display, message, c.line, c.column, here)

    def _utf8_error(self, offset: int) -> InputError:
        bad = self.buf[offset - self.base]
        return self._error(offset, f"invalid UTF-8 (byte 0x{bad:02x} at byte offset {self._bom + offset})")

    # -- tokens ------------------------------------------------------------
    def _skip_ws(self, offset: int) -> int:
        while True:
            end = _WS.match(self.buf, offset - self.base).end()
            if end < len(self.buf) or not self._fill():
                return self.base + end

    def _byte(self, offset: int) -> int:
        """The byte at ``offset``, or -1 at end of file."""
        rel = offset - self.base
        while rel >= len(self.buf):
            if not self._fill():
                return -1
        return self.buf[rel]

    def _char(self, offset: int) -> str:
        """The character at ``offset`` for messages; invalid UTF-8 there is the error."""
        b = self._byte(offset)
        if b < 0x80:
            return chr(b) if b >= 0 else ""
        self._byte(offset + 3)  # make sure the whole sequence is in the window
        rel = offset - self.base
        chunk = self.buf[rel : rel + 4]
        for n in (2, 3, 4):
            try:
                return chunk[:n].decode("utf-8")
            except UnicodeDecodeError:
                continue
        raise self._utf8_error(offset)

    # -- values ------------------------------------------------------------
    def _value(self, start: int, by_text: bool = False) -> tuple[Any, int]:
        """Decode the value at ``start``; returns it and its end offset.

        ``by_text``: a big ASCII object is decoded from its text (see
        :meth:`_loads_text`), which :meth:`_record` then takes.
        """
        self._by_text = by_text
        self._decoded = None
        while True:
            try:
                found = self._split(start)
            except _NeedMore:
                self._fill()
                continue
            if found[0][0] is not _BY_TEXT:
                return found
            decoded = self._loads_text(start, found[1])
            if decoded is not None:
                return decoded
            self._by_text = False  # that slice was not the object: split it again from the window, as usual

    def _loads_text(self, start: int, end: int) -> tuple[Any, int] | None:
        """Decode the big ASCII object ``[start, end)`` from its text, after letting the window go; None if it does not decode.

        Decoding from the window and then, for a finding's position, decoding
        its text held the record three times (window, values, text); here the
        text is made, the window dropped (the bytes after the object are kept),
        and the values decoded from the text: twice at most, and the record
        keeps the text it is located in (:attr:`_taken`).  The standard
        library decodes it: as fast as orjson on a few long strings, exact (no
        integer check to follow), and without orjson's transient copy of the
        input.  If the slice does not decode, the window is put back as it was
        (ASCII: the text's bytes are the window's).
        """
        base, rel, stop = self.base, start - self.base, end - self.base
        origin = self._cursor(start)
        with memoryview(self.buf) as view:
            text = str(view[rel:stop], "ascii")
            before, after = bytes(view[:rel]), bytes(view[stop:])
        self.buf, self.base = after, end  # the window is freed here: nothing else refers to it
        try:
            value = loads_stdlib(text), True  # not orjson: its parse holds a copy of the input besides the values (the text once more)
        except (ValueError, RecursionError):
            self.buf, self.base = before + text.encode("ascii") + after, base
            return None
        self._cur, self._cursor_at = _ascii_end(origin, text), end
        self._taken = (start, text, origin)
        return value, end

    def _loads_at(self, buf: bytes | bytearray, rel: int, end: int) -> tuple[Any, bool]:
        """``self._loads(buf[rel:end])``; a big ASCII object to be decoded from its text gives :data:`_BY_TEXT` for now (see :meth:`_value`).

        A slice that decodes is kept (:attr:`_decoded`): the last one of a
        value is the value's exact source, which a record keeps (one copy of
        its bytes, not two).
        """
        if self._by_text and end - rel > BIG_RECORD and _is_ascii(buf, rel, end):
            return _BY_TEXT, False
        piece = _cut(buf, rel, end)
        value = self._loads(piece)
        self._decoded = piece
        return value

    def _split(self, start: int) -> tuple[Any, int]:
        buf = self.buf
        rel = start - self.base
        if buf[rel] == _LBRACE:
            guessed = self._split_by_guess(buf, rel)
            if guessed is not None:
                return guessed
            opened = closed = failed = 0
            last = rel
            count = buf.count
            for m in _CANDIDATE_END.finditer(buf, rel + 1):
                e = m.end()
                opened += count(b"{", last, e)
                closed += count(b"}", last, e)
                last = e
                if opened == closed:
                    try:
                        return self._loads_at(buf, rel, e), self.base + e
                    except (ValueError, RecursionError):  # JSONDecodeError and UnicodeDecodeError; nesting beyond the decoder's depth
                        failed += 1
                if opened < closed or failed >= _MAX_FAILED_CANDIDATES:
                    break  # braces inside strings fooled the count: find the end for certain
            else:
                if not self.eof:
                    raise _NeedMore
        end = value_end(buf, rel, self.eof)
        stop = len(buf) if end is None else end
        try:
            return self._loads_at(buf, rel, stop), self.base + stop
        except (ValueError, RecursionError):
            raise self._decode_error(start, _cut(buf, rel, stop)) from None

    def _split_by_guess(self, buf: bytes, rel: int) -> tuple[Any, int] | None:
        """The object at ``buf[rel]`` cut where :meth:`_guess_end` says, if that slice decodes; else None."""
        if self._guess_pause:
            self._guess_pause -= 1
            return None
        if not self.guess_ends:
            return None
        guess = self._guess_end(buf, rel)
        if guess > 0:
            try:
                value = self._loads_at(buf, rel, guess)
            except (ValueError, RecursionError):
                pass  # not this record's end after all (or too deep to decode): count braces
            else:
                self._guess_misses = 0
                self._guess_span = 4 * (guess - rel) + 4096
                return value, self.base + guess
        if guess != 0:
            self._guess_misses += 1
            if self._guess_misses >= _MAX_GUESS_MISSES:  # pretty-printed, records unlike each other: rest a while
                self._guess_pause, self._guess_misses = _GUESS_PAUSE, _MAX_GUESS_MISSES - 1
        return None

    def _guess_end(self, buf: bytes, rel: int) -> int:
        """Where the record at ``buf[rel]`` probably ends, from where the next one starts.

        -1 when it is not there; 0 when the window ends before it could be.

        Records of one export begin alike (``{"content_id":``): the record ends at
        the ``}`` before the next such start, across ``,``, a page's ``],[`` or a
        JSON Lines newline.  One ``bytes.find`` (fast, multi-byte) replaces
        counting every brace of the record (``bytes.count`` of one byte is a plain
        loop): the usual record costs one search and one decode.  A wrong guess
        only costs a decode that fails, since a slice from the record's ``{`` that
        decodes *is* the record.
        """
        head = self._head
        if not buf.startswith(head, rel):
            m = _FIRST_KEY.match(buf, rel)
            if m is None:
                return -1
            head = self._head = m.group()
        limit = rel + self._guess_span  # records of one export are of a size: look a few records ahead
        i = buf.find(head, rel + len(head), limit)
        if i < 0:
            return 0 if limit > len(buf) and not self.eof else -1  # 0: the window ends first, no verdict
        end = i  # back over ",", "],[" and white space to the "}" (a step per byte: no copy of the record)
        while end > rel and buf[end - 1] in _BETWEEN_RECORDS:
            end -= 1
        return end if end > rel and buf[end - 1] == _RBRACE else -1

    def _decode_error(self, start: int, span: bytes | memoryview) -> InputError:
        """The located error for a value that does not decode."""
        try:
            text = str(span, "utf-8")
        except UnicodeDecodeError as exc:
            return self._utf8_error(start + exc.start)
        origin = self._cursor(start)
        try:
            _text_decoder.raw_decode(text)
        except json.JSONDecodeError as exc:
            at = origin.advance(text[: exc.pos])
            reaches_eof = self.eof and start - self.base + len(span) >= len(self.buf)
            return _input_error(self.display, describe_json_error(exc.msg, text, exc.pos, reaches_eof), at.line, at.column, text[exc.pos : exc.pos + 2])
        except RecursionError:  # legal JSON, nested deeper than Python's decoder recurses
            depth, offset = _deepest(text)
            at = origin.advance(text[:offset])
            return InputError(self.display, f"{depth:,} arrays and objects open here, one inside another: deeper than feedlint reads (about {sys.getrecursionlimit():,})", at.line, at.column)
        except ValueError:  # an integer of more digits than Python converts (sys.get_int_max_str_digits)
            limit = sys.get_int_max_str_digits()
            long = re.search(r"(?<=[\[:,\s])-?[0-9]{%d,}" % (limit + 1), text)  # a number, not digits in a string
            if long is not None:
                at = origin.advance(text[: long.start()])
                return InputError(self.display, f"a number of {len(long.group()):,} digits: more than the {limit:,} feedlint reads", at.line, at.column)
        return InputError(self.display, "invalid JSON: value cannot be decoded", origin.line, origin.column)  # pragma: no cover

    def _record(self, index: int, pointer: str, start: int, line_document: bool = False) -> tuple[RawRecord, int]:
        value, end = self._value(start, by_text=True)
        self.record_start = start
        data, exact = value
        if self._taken is not None:  # a big ASCII record, decoded from its text: the window is gone already
            _, text, origin = self._taken
            self._taken = None
            return RawRecord(index, pointer, data, text, origin, line_document, exact=exact, profile=self.profile, binary=True, at=start), end
        origin = self._cursor(start)
        source, self._decoded = self._decoded, None  # the slice the record was decoded from: its bytes
        self._cur, self._cursor_at = _advance(origin, source), end  # over the slice made anyway, not a second copy
        self._release(end)  # before the record is checked: a huge record is not held twice (window and source)
        return RawRecord(index, pointer, data, source, origin, line_document, exact=exact, profile=self.profile, at=start), end

    # -- layouts -----------------------------------------------------------
    def records(self) -> Iterator[RawRecord]:
        self._start()
        pos = self._skip_ws(0)
        first = self._char(pos)
        if first == "":
            raise InputError(self.display, "empty file: no JSON value", 1, 1)
        if first == "[":
            yield from self._array(pos)
        elif first == "{" and self.pointers:
            yield from self._document(pos)
        elif first == "{":
            self.layout = "json-lines"
            yield from self._sequence(pos)
        else:
            raise self._error(pos, f"not a JSON export: expected '[' or '{{', found {first!r}")

    def _array(self, pos: int) -> Iterator[RawRecord]:
        inner = self._skip_ws(pos + 1)
        paged = self._byte(inner) == _LBRACKET
        self.layout = "pages" if paged else "array"
        return self._items(inner, paged, 0, 0, 0, False, None)

    def _items(self, pos: int, paged: bool, index: int, outer_i: int, inner_i: int, in_page: bool, stop: int | None) -> Iterator[RawRecord]:
        """The array's records from ``pos`` on: a page or the array's next element, or (``in_page``) a record inside a page.

        With ``stop``, ends before the first record starting at or after it and
        leaves where that is in :attr:`stopped_at`; without, reads to the end of
        the file and checks that nothing follows the export.
        """
        while True:
            if not in_page:
                b = self._byte(pos)
                if b == _RBRACKET:
                    break
            if paged:
                if not in_page:
                    if b != _LBRACKET:
                        if b < 0:
                            raise self._error(pos, "invalid JSON: unexpected end of file")
                        self._char(pos)  # invalid UTF-8 is reported as such
                        raise self._error(pos, f"invalid export: page {outer_i} is not an array (the first element was a page)")
                    pos = self._skip_ws(pos + 1)
                    inner_i = 0
                in_page = False
                while self._byte(pos) != _RBRACKET:
                    if self._byte(pos) < 0:
                        raise self._error(pos, "invalid JSON: unexpected end of file inside a page")
                    if stop is not None and pos >= stop:
                        self._stop(pos, index, outer_i, inner_i)
                        return
                    rec, end = self._record(index, f"/{outer_i}/{inner_i}", pos)
                    yield rec
                    index += 1
                    inner_i += 1
                    self._release(end)
                    pos = self._after_item(end, "]")
                pos = self._skip_ws(pos + 1)
            else:
                if b < 0:
                    raise self._error(pos, "invalid JSON: unexpected end of file inside the array")
                if stop is not None and pos >= stop:
                    self._stop(pos, index, outer_i, 0)
                    return
                rec, end = self._record(index, f"/{outer_i}", pos)
                yield rec
                index += 1
                self._release(end)
                pos = end
            outer_i += 1
            pos = self._after_item(pos, "]")
        self._expect_end(pos + 1)

    def _document(self, pos: int) -> Iterator[RawRecord]:
        """A top-level object: the records under the first of :attr:`pointers` found in it, read as they stream past.

        Members off every pattern are decoded (the file must be valid JSON)
        and skipped; short scalars among them are kept in :attr:`seen`.  An
        object no pattern leads into is the first record of a JSON Lines
        sequence: it is still in the window (nothing was released), and is
        read again as such.
        """
        self._next_index = 0
        patterns = [(p, _pattern_tokens(p)) for p in self.pointers]
        end = yield from self._walk(pos, patterns, "")
        if self.matched is None:
            self.layout = "json-lines"
            yield from self._sequence(pos)
            return
        self._expect_end(end)

    def _walk(self, pos: int, patterns: list, pointer: str) -> Iterator[RawRecord]:
        """The records of the object or array at ``pos`` along ``patterns`` (``(name, tokens left)``); returns its end."""
        opener = self._byte(pos)
        close = _RBRACE if opener == _LBRACE else _RBRACKET
        p = self._skip_ws(pos + 1)
        if self._byte(p) == close:
            return p + 1
        i = 0
        while True:
            if opener == _LBRACE:
                token, p = self._key(p)
            else:
                token = str(i)
            child = f"{pointer}/{escape_token(token)}"
            sub = [(name, toks[1:]) for name, toks in patterns if toks[0] in ("*", token) and self.matched in (None, name)]
            p = yield from self._enter(p, sub, child)
            i += 1
            p = self._skip_ws(p)
            b = self._byte(p)
            if b == _COMMA:
                p = self._skip_ws(p + 1)
                if self._byte(p) == close:
                    raise self._error(p, "invalid JSON: trailing comma")
                continue
            if b == close:
                return p + 1
            if b < 0:
                raise self._error(p, "invalid JSON: unexpected end of file")
            raise self._error(p, f"invalid JSON: expected ',' or {chr(close)!r}, found {self._char(p)!r}")

    def _enter(self, pos: int, patterns: list, pointer: str) -> Iterator[RawRecord]:
        """The value at ``pos``: a record (a pattern ends here), a container to walk on, or a value to skip; returns its end."""
        b = self._byte(pos)
        if any(not toks for _, toks in patterns):
            rec, end = self._record(self._next_index, pointer, pos)
            self._next_index += 1
            yield rec
            self._release(end)
            return end
        if patterns and b in (_LBRACE, _LBRACKET):
            if self.matched is None:
                ending = [name for name, toks in patterns if len(toks) == 1]
                if ending:  # the records' container: the file is read with this pattern from here on
                    self.matched, self.layout = ending[0], "document"
            return (yield from self._walk(pos, patterns, pointer))
        if b < 0:
            raise self._error(pos, "invalid JSON: unexpected end of file")
        (value, _), end = self._value(pos)
        if isinstance(value, (str, int, float, bool)) and (not isinstance(value, str) or len(value) <= 200):
            self.seen[pointer] = value
        return end

    def _key(self, pos: int) -> tuple[str, int]:
        """The member name at ``pos`` and where its value starts."""
        if self._byte(pos) != _QUOTE:
            raise self._error(pos, f"invalid JSON: expected a member name in double quotes, found {self._char(pos)!r}")
        while True:
            m = _STRING.match(self.buf, pos - self.base)
            if m is not None:
                break
            if not self._fill():
                raise self._error(pos, "invalid JSON: unterminated string")
        raw = m.group()
        try:
            key = json.loads(raw)
        except ValueError:
            raise self._decode_error(pos, raw) from None
        colon = self._skip_ws(self.base + m.end())
        if self._byte(colon) != 0x3A:
            raise self._error(colon, f"invalid JSON: expected ':' after a member name, found {self._char(colon)!r}")
        return key, self._skip_ws(colon + 1)

    def _after_item(self, pos: int, close: str) -> int:
        """Skip a ``,`` (not before the closing bracket) and whitespace."""
        pos = self._skip_ws(pos)
        b = self._byte(pos)
        if b == _COMMA:
            nxt = self._skip_ws(pos + 1)
            if self._byte(nxt) == ord(close):
                raise self._error(pos, "invalid JSON: trailing comma")
            return nxt
        if b == ord(close):
            return pos
        if b < 0:
            raise self._error(pos, "invalid JSON: unexpected end of file")
        raise self._error(pos, f"invalid JSON: expected ',' or '{close}', found {self._char(pos)!r}")

    def _expect_end(self, pos: int) -> None:
        pos = self._skip_ws(pos)
        ch = self._char(pos)
        if ch != "":
            raise self._error(pos, f"invalid JSON: extra data after the export ({ch!r})")

    def _sequence(self, pos: int, index: int = 0, stop: int | None = None) -> Iterator[RawRecord]:
        while self._byte(pos) >= 0:
            if stop is not None and pos >= stop:
                self._stop(pos, index, 0, 0)
                return
            rec, end = self._record(index, "", pos, line_document=True)
            yield rec
            index += 1
            self._release(end)
            pos = self._skip_ws(end)

    # -- reading on from a known record ---------------------------------------
    def _stop(self, pos: int, index: int, outer_i: int, inner_i: int) -> None:
        self.stopped_at = RecordStart(pos, self._cursor(pos), index, outer_i, inner_i)

    def resume(self, at: "RecordStart", layout: str, stop: int | None) -> Iterator[RawRecord]:
        """Records from ``at`` (a record's first byte, found by an earlier pass) up to ``stop``.

        The stream must deliver the file from ``at.offset`` on (after any BOM,
        whose size the reader was given).  Records come numbered and placed from
        ``at``: a worker given a relative start (index 0, line 1, column 1)
        gets relative numbers, which its caller shifts once the true start is
        known.  Ends like :meth:`records` at the end of the file (``stop``
        None), or before the first record starting at or after ``stop``,
        leaving that record's start in :attr:`stopped_at`.
        """
        self.layout = layout
        self.base = self._cursor_at = at.offset
        self._cur = at.cursor
        self.stopped_at = None
        if layout == "json-lines":
            return self._sequence(at.offset, at.index, stop)
        return self._items(at.offset, layout == "pages", at.index, at.outer, at.inner, layout == "pages", stop)

    def record_at(self, at: "RecordStart", pointer: str, line_document: bool = False) -> RawRecord:
        """The one record that begins at ``at`` (found by an earlier pass), named ``at.index`` and ``pointer``.

        The stream must deliver the file from ``at.offset`` on, as for
        :meth:`resume`.  The record is cut and decoded as :meth:`records`
        does it, so its source, values and positions are the ones that pass
        gave (``line_document``: a JSON Lines record, as there).  Raises
        :class:`InputError` if no value begins there.
        """
        self.base = self._cursor_at = at.offset
        self._cur = at.cursor
        if self._byte(at.offset) < 0:
            raise self._error(at.offset, "invalid JSON: unexpected end of file")
        return self._record(at.index, pointer, at.offset, line_document)[0]

    @property
    def head(self) -> bytes | None:
        """How this export's records begin (``{"content_id":``), once a compact record has been read."""
        return None if self._head == b"\0" else self._head

    @property
    def bom(self) -> int:
        return self._bom


@dataclass(frozen=True)
class RecordStart:
    """Where a record begins and what it is called there: enough to read the file on from it.

    ``offset`` counts bytes after any BOM; ``outer`` is the page (pages) or
    element (array) number, ``inner`` the place in the page.  Counted from a
    chunk's start, each field is relative (see :meth:`then`).
    """

    offset: int
    cursor: Cursor
    index: int = 0
    outer: int = 0
    inner: int = 0

    def then(self, rel: "RecordStart") -> "RecordStart":
        """Where ``rel``, counted from this start (its first record being index 0 on line 1, column 1), is in the file."""
        inner = self.inner + rel.inner if rel.outer == 0 else rel.inner
        return RecordStart(rel.offset, self.cursor.then(rel.cursor), self.index + rel.index, self.outer + rel.outer, inner)

    def pointer(self, layout: str) -> str:
        return record_pointer(layout, self.outer, self.inner)


def shift_start(base: Cursor, start: tuple) -> tuple:
    """A record's :attr:`RawRecord.start` from a range's worker (cursor counted from ``base``, the range's start) as the file counts it."""
    at, *cursor = start
    return (at, *base.shift_cursor(cursor))


def _pattern_tokens(pattern: str) -> tuple[str, ...]:
    """``/db/*/data/posts/*`` as its unescaped tokens."""
    return pointer_tokens(pattern)


def record_pointer(layout: str, outer: int, inner: int) -> str:
    """The JSON Pointer of the record ``inner`` of page ``outer`` (pages), element ``outer`` (array) or a JSON Lines document."""
    if layout == "pages":
        return f"/{outer}/{inner}"
    return f"/{outer}" if layout == "array" else ""
