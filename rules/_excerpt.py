"""Pieces of messages: a quoted value, and a short one-line excerpt of a long field around a position.

One quoting style for every rule's message: straight double quotes, as JSON
writes a string (``"AT&T"``), invisible characters escaped.

A finding in a 5,000-character body is easier to act on with the words around
it than with a column number alone; rules put :func:`excerpt` in the message
(never in the evidence, which feeds the fingerprint).
"""

from __future__ import annotations

import json
import re

_INVISIBLE = re.compile(r"[^\S ]|[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff\ud800-\udfff]")


def excerpt(text: str, start: int, end: int | None = None, width: int = 30) -> str:
    """``…words before MATCH words after…``: about ``width`` characters each side, cut at word ends.

    Runs of whitespace become one space and other invisible characters are
    written as ``\\xNN``/``\\uNNNN`` escapes, so the excerpt stays on one line
    and shows what is there.  ``…`` marks where the field goes on.
    """
    # Comparisons rather than max()/min(): this runs once per finding, and a builtin call costs more than the branch.
    if end is None or end < start:
        end = start
    a = start - width
    if a < 0:
        a = 0
    n = len(text)
    b = end + width
    if b > n:
        b = n
    words = text[a:b].split()
    if words:
        # A word the window cuts is dropped when white space parts it from the match: the first one when it
        # ends before ``start``, the last one when it begins at or after ``end`` (one split, no searches: about
        # 1,700 instructions less an excerpt than a search for the first and the last white space).
        if a and not text[a - 1].isspace() and not text[a].isspace() and len(words[0]) < start - a:
            del words[0]
        if b < n and not text[b].isspace() and not text[b - 1].isspace() and words and len(words[-1]) < b - end:
            del words[-1]
    piece = " ".join(words)
    if not piece.isprintable():  # every character _INVISIBLE matches is unprintable (a space, the one printable white space, is not matched)
        piece = _INVISIBLE.sub(_escape, piece)
    return ("…" if a else "") + piece + ("…" if b < n else "")


def _escape(m: re.Match) -> str:
    cp = ord(m.group())
    return f"\\x{cp:02x}" if cp < 0x100 else f"\\u{cp:04x}"


def quoted(value: object) -> str:
    """``value`` in straight double quotes, as a JSON string (``\\"`` inside, control characters escaped)."""
    return json.dumps(str(value), ensure_ascii=False)
