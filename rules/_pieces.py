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

from typing import Iterator

PIECE = 1 << 20  # characters; a module attribute so tests can make it tiny


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
