"""Read a plain-text article export (section, title, paragraphs, trailer) as one record.

The layout is the one syndication scrapers write::

    Section line            <- optional, short
    <blank>
    Title line
    <blank>
    <blank>                 <- two blank lines end the header
    Paragraph, one or more lines
    <blank>
    Paragraph ...
    <blank>
    <blank>
    Source link             <- trailer: short lines left by the scraper

The article model (``record.data``) is::

    {"section": str | None, "title": str | None,
     "paragraphs": [str, ...], "trailer": [str, ...],
     "line_endings": ["lf" | "crlf" | "cr" | "", ...],   # one entry per line
     "line_numbers": {"/title": 3, "/paragraphs/0": 6, ...}}  # first line of each element

Values are verbatim: a paragraph is its lines joined with ``"\\n"`` (whatever
the file's line endings were), nothing stripped, so a span inside a value maps
back to an exact line and column.  ``line_endings`` records each line's raw
terminator ("" for a last line without one) for the mixed-line-endings rule;
``line_numbers`` lets a rule name another element's line in a message.
A line break is ``\\r\\n``, ``\\n`` or a lone ``\\r``; a line holding only
whitespace (spaces, tabs, no-break spaces) is blank.

How the header and trailer are told apart from the body is documented in
``docs/articles.md``; the reader only splits, the FL7xx rules judge.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from typing import Any, Iterator

from .errors import InputError
from .locate import split_pointer
from .positions import Cursor, Region, region_fields, utf16_len
from .textstream import TextStream

MAX_BYTES = 50 * 1024 * 1024  # an article is kilobytes; anything this big is not one
_LINE = re.compile(r"([^\r\n]*)(\r\n|\r|\n|)")
_ENDING_NAMES = {"\r\n": "crlf", "\n": "lf", "\r": "cr", "": ""}
_SENTENCE_END = re.compile(r"[.!?\u2026]['\"\u2019\u201d\u00bb)\]]*\s*$")
_TRAILER_VOCABULARY = re.compile(
    r"^\W*(?:(?:source(?: link)?|read (?:more|the full (?:story|article))|click here|continue reading|"
    r"all rights reserved|follow us|subscribe|share (?:this|on)|originally published|copyright)\b|\u00a9)",
    re.IGNORECASE,
)
_BYLINE = re.compile(r"^\s*by\s", re.IGNORECASE)


@dataclass(frozen=True)
class Line:
    """One physical line: where its content starts (code points), the content, its terminator."""

    start: int
    text: str
    ending: str

    @property
    def blank(self) -> bool:
        return not self.text or self.text.isspace()


def split_lines(text: str) -> list[Line]:
    """Lines with their raw terminators; only CR and LF break lines (not U+2028, FF, ...)."""
    out: list[Line] = []
    pos = 0
    n = len(text)
    while pos < n:
        m = _LINE.match(text, pos)
        out.append(Line(pos, m.group(1), m.group(2)))
        pos = m.end()
    return out


def _words(line: str) -> int:
    return len(line.split())


def _paragraph_like(line: str) -> bool:
    """A long line ending a sentence reads as body text, not as a headline."""
    return len(line) > 250 or (_words(line) > 12 and bool(_SENTENCE_END.search(line)) and not line.rstrip().endswith("?"))


def _headline_like(lines: list[Line], block: tuple[int, int]) -> bool:
    first, last = block
    return first == last and not _paragraph_like(lines[first].text) and not _BYLINE.match(lines[first].text)


def _label_like(line: str) -> bool:
    """A section name: a few words, no sentence punctuation."""
    s = line.strip()
    return 0 < len(s) <= 40 and _words(s) <= 4 and not _SENTENCE_END.search(s) and not s.endswith((":", ","))


def _trailer_like(line: str) -> bool:
    s = line.strip()
    return len(s) <= 80 and _words(s) <= 8 and (not _SENTENCE_END.search(s) or bool(_TRAILER_VOCABULARY.match(s)))


@dataclass
class ArticleLayout:
    """Which lines make up which element; built once, used for the data and for positions."""

    lines: list[Line]
    section: int | None = None  # line index
    title: int | None = None  # line index
    paragraphs: list[tuple[int, int]] = field(default_factory=list)  # (first, last) line indices
    trailer: list[int] = field(default_factory=list)  # line indices


def parse_layout(lines: list[Line]) -> ArticleLayout:
    """Split lines into header, paragraphs and trailer (see docs/articles.md for the rules)."""
    blocks: list[tuple[int, int]] = []
    gaps: list[int] = []  # blank lines before each block
    blank_run = 0
    i = 0
    while i < len(lines):
        if lines[i].blank:
            blank_run += 1
            i += 1
            continue
        j = i
        while j + 1 < len(lines) and not lines[j + 1].blank:
            j += 1
        blocks.append((i, j))
        gaps.append(blank_run)
        blank_run = 0
        i = j + 1
    layout = ArticleLayout(lines)
    if not blocks:
        return layout

    def text(b: int) -> str:
        return lines[blocks[b][0]].text

    n = len(blocks)
    body = 0
    if n >= 2 and gaps[1] >= 2 and _headline_like(lines, blocks[0]):
        layout.title, body = blocks[0][0], 1
    elif n >= 3 and gaps[2] >= 2 and gaps[1] == 1 and blocks[0][0] == blocks[0][1] and _label_like(text(0)) and _headline_like(lines, blocks[1]):
        layout.section, layout.title, body = blocks[0][0], blocks[1][0], 2
    elif (
        n >= 3
        and blocks[0][0] == blocks[0][1]
        and _label_like(text(0))
        and _headline_like(lines, blocks[1])
        and _words(text(1)) > _words(text(0))
        and not text(1).rstrip().endswith(".")  # a headline has no full stop; a first sentence has
    ):
        layout.section, layout.title, body = blocks[0][0], blocks[1][0], 2
    elif _headline_like(lines, blocks[0]):
        layout.title, body = blocks[0][0], 1

    body_blocks = blocks[body:]
    body_gaps = gaps[body:]
    trailer_blocks = 0
    # 1. what follows the last double gap, when it is a few short lines
    for k in range(len(body_blocks) - 1, 0, -1):
        if body_gaps[k] >= 2:
            tail = body_blocks[k:]
            tail_lines = [lines[x].text for f, l in tail for x in range(f, l + 1)]
            if len(tail_lines) <= 4 and all(_trailer_like(t) for t in tail_lines):
                trailer_blocks = len(tail)
            break
    # 2. known scraper leftovers at the very end, even after a single blank line
    while trailer_blocks < min(4, len(body_blocks)):
        f, l = body_blocks[-1 - trailer_blocks]
        if l - f < 2 and all(len(lines[x].text.strip()) <= 80 and _TRAILER_VOCABULARY.match(lines[x].text.strip()) for x in range(f, l + 1)):
            trailer_blocks += 1
        else:
            break
    split = len(body_blocks) - trailer_blocks
    layout.paragraphs = body_blocks[:split]
    layout.trailer = [x for f, l in body_blocks[split:] for x in range(f, l + 1)]
    return layout


class ArticleRecord:
    """The one record of an article file; ``region`` maps a pointer (and span) to line/column."""

    index = 0
    pointer = ""
    kind = "article"
    line_document = False
    start = None  # not read again by its offset (see RawRecord.start): the text is decoded as a whole

    def __init__(self, text: str, layout: ArticleLayout) -> None:
        self.text = text
        self.origin = Cursor()
        self.layout = layout
        lines = layout.lines
        self._starts = [ln.start for ln in lines]
        self._starts16: list[int] | None = None
        # pointer -> (first line, last line) of each element
        self._elements: dict[str, tuple[int, int]] = {}
        if layout.section is not None:
            self._elements["/section"] = (layout.section, layout.section)
        if layout.title is not None:
            self._elements["/title"] = (layout.title, layout.title)
        for k, block in enumerate(layout.paragraphs):
            self._elements[f"/paragraphs/{k}"] = block
        for k, x in enumerate(layout.trailer):
            self._elements[f"/trailer/{k}"] = (x, x)
        self.data: dict[str, Any] = {
            "section": lines[layout.section].text if layout.section is not None else None,
            "title": lines[layout.title].text if layout.title is not None else None,
            "paragraphs": ["\n".join(lines[x].text for x in range(f, l + 1)) for f, l in layout.paragraphs],
            "trailer": [lines[x].text for x in layout.trailer],
            "line_endings": [_ENDING_NAMES[ln.ending] for ln in lines],
            "line_numbers": {p: f + 1 for p, (f, _) in self._elements.items()},
        }

    # -- positions ------------------------------------------------------------
    def _cursor(self, offset: int) -> Cursor:
        """Line/column (code points and UTF-16) of a file offset; CR, LF and CRLF end lines."""
        if not self._starts:
            return Cursor()
        i = max(0, bisect.bisect_right(self._starts, offset) - 1)
        before = self.text[self._starts[i] : offset]
        col16 = utf16_len(before)
        return Cursor(i + 1, len(before) + 1, col16 + 1, offset, self._line_starts16()[i] + col16)

    def _line_starts16(self) -> list[int]:
        """UTF-16 offset of each line start, computed once (only when a finding needs it)."""
        if self._starts16 is None:
            acc, out = 0, []
            bounds = self._starts + [len(self.text)]
            for a, b in zip(bounds, bounds[1:]):
                out.append(acc)
                acc += utf16_len(self.text[a:b])
            self._starts16 = out
        return self._starts16

    def _region(self, start: int, end: int) -> Region:
        a = self._cursor(start)
        b = self._cursor(end) if end != start else a
        return Region(a.line, a.column, b.line, b.column, a.column16, b.column16, a.offset, b.offset - a.offset, a.offset16, b.offset16 - a.offset16)

    def _element_offsets(self, pointer: str) -> tuple[int, int] | None:
        lines = self.layout.lines
        if pointer == "":
            return 0, len(self.text)
        tokens = split_pointer(pointer)
        if len(tokens) == 2 and tokens[0] == "line_endings" and tokens[1].isdigit() and int(tokens[1]) < len(lines):
            ln = lines[int(tokens[1])]
            end_of_text = ln.start + len(ln.text)
            return end_of_text, end_of_text + len(ln.ending)
        found = self._elements.get(pointer)
        if found is None:
            return None
        f, l = found
        return lines[f].start, lines[l].start + len(lines[l].text)

    def _span_offset(self, pointer: str, k: int) -> int:
        """File offset of character ``k`` of the value at ``pointer`` (lines joined with ``\\n``)."""
        f, l = self._elements[pointer]
        value_lines = [self.layout.lines[x] for x in range(f, l + 1)]
        for ln in value_lines:
            if k <= len(ln.text):
                return ln.start + k
            k -= len(ln.text) + 1
        last = value_lines[-1]
        return last.start + len(last.text)

    def region(self, pointer: str, span: tuple[int, int] | None = None, on_key: bool = False) -> Region:
        """Exact region of the element at ``pointer`` (or of ``span`` inside its value).

        A pointer that does not resolve (the title of an article without one) is
        reported at its nearest existing ancestor, as for JSON: ultimately the
        whole file, starting at line 1, column 1.
        """
        offsets = self._element_offsets(pointer)
        while offsets is None:
            pointer = pointer[: pointer.rfind("/")] if "/" in pointer else ""
            offsets = self._element_offsets(pointer)
        start, end = offsets
        if span is not None and pointer in self._elements:
            a, b = span
            start, end = self._span_offset(pointer, a), self._span_offset(pointer, max(a, b))
        return self._region(start, end)

    def region_fields(self, pointer: str, span: tuple[int, int] | None = None, on_key: bool = False) -> tuple:
        """:meth:`region` as a plain tuple (:func:`feedlint.reader.positions.region_fields`), as :meth:`RawRecord.region_fields` gives it."""
        return region_fields(self.region(pointer, span, on_key))


class ArticleReader:
    """Reads the whole (small) text and yields its single :class:`ArticleRecord`."""

    layout = "text-article"

    def __init__(self, stream: TextStream, max_bytes: int = MAX_BYTES) -> None:
        self.s = stream
        self.max_bytes = max_bytes

    def read_text(self) -> str:
        while self.s.fill():
            if self.s.bytes_read > self.max_bytes:
                raise InputError(self.s.display, f"too large for a plain-text article (more than {self.max_bytes // (1024 * 1024)} MB)", 1, 1)
        if self.s.bytes_read > self.max_bytes:
            raise InputError(self.s.display, f"too large for a plain-text article (more than {self.max_bytes // (1024 * 1024)} MB)", 1, 1)
        return self.s.buf

    def records(self) -> Iterator[ArticleRecord]:
        text = self.read_text()
        yield ArticleRecord(text, parse_layout(split_lines(text)))
