"""Rewrite a JSON string literal to hold a new value, touching only what changed.

A file keeps its escaping style: ``ensure_ascii`` (``\\u00e9``) or raw UTF-8,
``\\/`` (PHP's ``json_encode``), upper- or lower-case hex, ASCII characters
written as ``\\u0027``.  The style is read off the record's own text (else the
file's), and only the middle of the literal between the unchanged prefix and
suffix of the value is re-encoded, so a value with one entity decoded keeps
every other byte of its literal.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from itertools import accumulate
from dataclasses import dataclass
from typing import Iterable

# One escape: a surrogate pair, another \uXXXX, or a two-character escape.  An escaped
# backslash is one token, so "\\u0041" is not mistaken for an escape of "A".
_ESCAPE = re.compile(r"\\(?:u([dD][89abAB][0-9a-fA-F]{2})\\u([dD][c-fC-F][0-9a-fA-F]{2})|u([0-9a-fA-F]{4})|(.))", re.S)
_TOKEN = re.compile(r"\\(?:u[dD][89abAB][0-9a-fA-F]{2}\\u[dD][c-fC-F][0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|.)|[^\\]+", re.S)
_TOKEN_ESCAPE = re.compile(r"\\(?:u[dD][89abAB][0-9a-fA-F]{2}\\u[dD][c-fC-F][0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|.)", re.S)
_LOWER_U = re.compile(r"\\u([0-9a-f]{4})")
_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass(frozen=True)
class Style:
    """How a file spells string values.

    ``ascii_only``: non-ASCII characters as ``\\uXXXX`` (Python's
    ``ensure_ascii``, PHP's default); ``upper_hex``: ``\\u00E9``;
    ``escaped``: ASCII characters written as an escape (``/`` as ``\\/``,
    ``'`` as ``\\u0027``) although they need none.
    """

    ascii_only: bool = False
    upper_hex: bool = False
    escaped: frozenset[str] = frozenset()


def detect(text: str, default: Style | None = None) -> Style:
    """The style of the JSON ``text`` (a record): what its escapes and raw characters show.

    With no non-ASCII character either raw or escaped, ``default`` (the file's
    style) decides whether new ones are escaped.
    """
    ascii_only: bool | None = None if text.isascii() else False
    upper = False
    escaped: set[str] = set()
    if "\\" in text:
        # each distinct escape once (findall at C speed: a record repeats "\/" and "\r\n" hundreds of times)
        for high, low, hex4, other in set(_ESCAPE.findall(text)):
            if high:
                ascii_only = True if ascii_only is None else ascii_only
                upper = upper or any(c in "ABCDEF" for c in high + low)
            elif hex4:
                upper = upper or any(c in "ABCDEF" for c in hex4)
                cp = int(hex4, 16)
                if cp >= 0x80 and not 0xD800 <= cp <= 0xDFFF and ascii_only is None:
                    ascii_only = True
                elif 0x20 <= cp < 0x80 and chr(cp) not in '"\\':
                    escaped.add(chr(cp))
            elif other == "/":
                escaped.add("/")
    if ascii_only is None:
        ascii_only = default.ascii_only if default else False
    if default is not None:  # what the record does not show either way, the file decides
        bare = text.replace("\\/", "") if "/" in default.escaped else text
        escaped.update(ch for ch in default.escaped if ch not in bare)
    return Style(ascii_only, upper, frozenset(escaped))


def encode(value: str, style: Style) -> str:
    """``value`` as the inside of a JSON string literal, in ``style``."""
    body = json.dumps(value, ensure_ascii=style.ascii_only)[1:-1]
    if not style.ascii_only and _SURROGATE.search(body):  # a lone surrogate cannot be raw UTF-8
        body = _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", body)
    for ch in style.escaped:
        body = body.replace(ch, "\\/" if ch == "/" else f"\\u{ord(ch):04x}")
    if style.upper_hex and "\\u" in body:
        body = _LOWER_U.sub(lambda m: "\\u" + m.group(1).upper(), body)
    return body


def _literal_offsets(body: str, positions: Iterable[int]) -> list[int]:
    """Where in the literal ``body`` each decoded-character position starts.

    Text between escapes maps one to one; each escape is one decoded
    character.  The escapes are found at C speed and each position is placed
    by bisection among their decoded places (a body holds hundreds of
    ``\\r\\n`` and ``\\/``: no Python loop over them).
    """
    if "\\" not in body:
        return [min(p, len(body)) for p in positions]
    spans = [m.span() for m in _TOKEN_ESCAPE.finditer(body)]
    extra = accumulate((end - start - 1 for start, end in spans), initial=0)  # literal characters beyond one per decoded one, before each escape
    decoded = [start - x for (start, _), x in zip(spans, extra)]  # the decoded position of each escape's character
    out: list[int] = []
    for p in positions:
        i = bisect_right(decoded, p) - 1
        if i < 0:
            out.append(p)
        elif decoded[i] == p:
            out.append(spans[i][0])
        else:
            out.append(min(spans[i][1] + p - decoded[i] - 1, len(body)))
    return out


def _ends(body: str, old: str, prefix: int, suffix: int, style: Style) -> tuple[int, int] | None:
    """Where the unchanged prefix and suffix of ``old`` end and begin in ``body``, when the literal spells them in ``style`` (the usual case).

    Found by encoding them (at C speed) and comparing; the split is proved to
    fall between escapes by decoding what comes before it.  None: the literal
    spells them otherwise; :func:`_literal_offsets` counts.
    """
    head = encode(old[:prefix], style)
    tail = encode(old[len(old) - suffix :], style) if suffix else ""
    b = len(body) - len(tail)
    if not body.startswith(head) or not body.endswith(tail) or b < len(head):
        return None
    try:
        if json.loads('"' + body[:b] + '"') != old[: len(old) - suffix]:
            return None
    except ValueError:  # the split fell inside an escape
        return None
    return len(head), b


def rewrite_literal(literal: str, old: str, new: str, style: Style) -> tuple[int, int, str]:
    """The smallest change to the string ``literal`` (quotes included) that makes it hold ``new``.

    Returns ``(start, end, text)``: replace ``literal[start:end]`` by ``text``.
    The value's unchanged prefix and suffix keep their bytes; only the middle is
    encoded in ``style``.
    """
    n = min(len(old), len(new))
    prefix = 0
    while prefix < n and old[prefix] == new[prefix]:
        prefix += 1
    suffix = 0
    while suffix < n - prefix and old[-1 - suffix] == new[-1 - suffix]:
        suffix += 1
    body = literal[1:-1]
    a, b = _ends(body, old, prefix, suffix, style) or _literal_offsets(body, (prefix, len(old) - suffix))
    middle = encode(new[prefix : len(new) - suffix], style)
    return a + 1, b + 1, middle


def replace_spans(text: str, edits: Iterable[tuple[int, int, str]]) -> str:
    """``text`` with each ``(start, end, replacement)`` applied (spans must not overlap)."""
    out: list[str] = []
    last = 0
    for start, end, replacement in sorted(edits):
        if start < last:
            raise ValueError("overlapping edits")
        out.append(text[last:start])
        out.append(replacement)
        last = end
    out.append(text[last:])
    return "".join(out)
