"""Long fields a megabyte at a time.

A C-speed pass over a whole field (``re.split``, ``findall``, ``str.encode``)
makes something as big as the field, or several times bigger: a list of a
million pieces, each a Python object.  On a 100 MB record that list alone
outweighed the record.  Cut into pieces of about a megabyte, each just before
a character every match starts with (``<`` for a tag, ``&`` for a reference)
and holds nowhere else, the pieces give exactly the whole field's matches,
and the copies stay a megabyte.  Fields up to :data:`PIECE` are one piece (the
field itself, no copy).
"""

from __future__ import annotations

import re
from typing import Iterator

PIECE = 1 << 20  # characters; a module attribute so tests can make it tiny


def long(text: str) -> bool:
    """``text`` is longer than a piece: it is taken a piece at a time, and what is made of it whole is not kept."""
    return len(text) > PIECE


def cut_before(text: str, char: str) -> Iterator[str]:
    """``text`` in consecutive pieces of at least :data:`PIECE` characters, each cut just before a ``char``.

    A match that starts with ``char``, holds no other ``char`` and looks
    neither behind its start nor past its end lies whole in one piece.  With
    no ``char`` after a piece's first :data:`PIECE` characters the rest is one
    piece.
    """
    size, n, start = PIECE, len(text), 0
    while start < n:
        cut = text.find(char, start + size) if start + size < n else -1
        end = n if cut < 0 else cut
        yield text[start:end]  # the whole field itself when it is one piece: no copy
        start = end


def slices(text: str) -> Iterator[str]:
    """``text`` in consecutive pieces of :data:`PIECE` characters (for a check of one character at a time)."""
    size = PIECE
    for i in range(0, len(text), size):
        yield text[i : i + size]


def collapse(text: str) -> str:
    """``" ".join(text.split())`` (white-space runs as one space, ends stripped) in bounded memory beyond its result.

    ``split()`` builds a list of every word first (about 180 MB for a 20 MB
    text): a huge text is collapsed a piece at a time, a space put between two
    pieces where white space separated them.
    """
    size = PIECE
    if len(text) < size:
        return " ".join(text.split())
    out: list[str] = []
    gap = False  # white space since the last piece
    for i in range(0, len(text), size):
        chunk = text[i : i + size]
        piece = " ".join(chunk.split())
        if piece:
            if out and (gap or chunk[:1].isspace()):
                out.append(" ")
            out.append(piece)
            gap = chunk[-1:].isspace()
        else:
            gap = True
    return "".join(out)


def words(text: str, sep: str | None = None) -> Iterator[list[str]]:
    """``text.split(sep)`` in lists of the words of about :data:`PIECE` characters each, cut at a separator (one list for a shorter text)."""
    size = PIECE
    if len(text) < size:
        yield text.split(sep)
        return
    cut = _WHITE_SPACE if sep is None else re.compile(re.escape(sep))
    i, n = 0, len(text)
    while True:
        m = cut.search(text, i + size) if n - i > size else None
        j = m.start() if m is not None else n
        yield text[i:j].split(sep)
        if m is None:
            return
        i = j if sep is None else m.end()  # white space starts the next piece (split drops it); a separator is consumed


_WHITE_SPACE = re.compile(r"\s")  # what str.split() splits at (str.isspace)
