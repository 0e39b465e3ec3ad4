"""Find where a JSON Pointer's value sits in a record's source text.

Only run for records that have findings, so it favours simplicity over speed;
values are skipped with the C JSON scanner.
"""

from __future__ import annotations

import json
import re
from json.decoder import scanstring

_decoder = json.JSONDecoder()
_WS = re.compile(r"[ \t\n\r]*")
_ESCAPE = re.compile(r"\\(u[0-9a-fA-F]{4}|.)", re.S)
_PLAIN = re.compile(r'[^"\\]*')
_MEMBER = re.compile(r'("[^"\\]*(?:\\.[^"\\]*)*")[ \t\n\r]*:[ \t\n\r]*', re.S)  # "key" : (value follows)
_AFTER = re.compile(r"[ \t\n\r]*(?:,[ \t\n\r]*)?")  # whitespace and one separating comma


def unescape_pointer_token(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


def escape_pointer_token(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def join_pointer(base: str, *tokens: object) -> str:
    return base + "".join("/" + escape_pointer_token(str(t)) for t in tokens)


def split_pointer(pointer: str) -> list[str]:
    if pointer == "":
        return []
    if not pointer.startswith("/"):
        raise ValueError(f"JSON Pointer must start with '/': {pointer!r}")
    return [unescape_pointer_token(t) for t in pointer[1:].split("/")]


def _ws(text: str, pos: int) -> int:
    return _WS.match(text, pos).end()


def _skip_value(text: str, pos: int) -> int:
    return _decoder.raw_decode(text, pos)[1]  # the C scanner: faster than any regex, even for long strings


def locate(text: str, pointer: str, start: int = 0, on_key: bool = False) -> tuple[int, int]:
    """``(start, end)`` offsets in ``text`` of the value at ``pointer``.

    With ``on_key`` the member's key string is located instead.  When the pointer
    does not resolve (a missing member), the deepest existing ancestor is
    returned: a missing property is reported at its parent object.
    """
    pos = _ws(text, start)
    key_span: tuple[int, int] | None = None
    for token in split_pointer(pointer):
        ch = text[pos : pos + 1]
        found = None
        if ch == "{":
            i = _ws(text, pos + 1)
            while i < len(text) and text[i] != "}":
                m = _MEMBER.match(text, i)
                literal = m.group(1)
                key = literal[1:-1] if "\\" not in literal else scanstring(text, i + 1)[0]
                value_start = m.end()
                if key == token:
                    found = value_start
                    key_span = (i, m.end(1))
                    break
                i = _AFTER.match(text, _skip_value(text, value_start)).end()
        elif ch == "[" and token.isdigit():
            wanted = int(token)
            i = _ws(text, pos + 1)
            index = 0
            while i < len(text) and text[i] != "]":
                if index == wanted:
                    found = i
                    key_span = None
                    break
                i = _AFTER.match(text, _skip_value(text, i)).end()
                index += 1
        if found is None:
            return pos, _skip_value(text, pos)
        pos = found
    if on_key and key_span is not None:
        return key_span
    return pos, _skip_value(text, pos)


def string_span(text: str, literal_start: int, span: tuple[int, int]) -> tuple[int, int]:
    """Map ``[a, b)`` in a decoded string to offsets in its source literal.

    ``literal_start`` is the offset of the opening quote.  Escapes such as
    ``\\"``, ``\\/`` and ``\\u00e9`` are one decoded character; a surrogate pair
    of ``\\u`` escapes is one astral character.
    """
    a, b = span
    decoded = 0
    raw = literal_start + 1
    result_a = None
    n = len(text)
    while True:
        # a run without escapes maps one to one: jump over it in one step
        run_end = _PLAIN.match(text, raw).end()
        run = run_end - raw
        if result_a is None and a <= decoded + run:
            result_a = raw + (a - decoded)
        if b <= decoded + run:
            return result_a, raw + (b - decoded)
        decoded += run
        raw = run_end
        if raw >= n or text[raw] == '"':
            break
        m = _ESCAPE.match(text, raw)
        if m is None:  # a lone backslash at the very end: not a valid literal
            break
        step = m.end() - raw
        esc = m.group(1)
        if esc[0] == "u" and 0xD800 <= int(esc[1:], 16) < 0xDC00:
            nxt = _ESCAPE.match(text, m.end())
            if nxt and nxt.group(1)[0] == "u" and 0xDC00 <= int(nxt.group(1)[1:], 16) < 0xE000:
                step = nxt.end() - raw
        raw += step
        decoded += 1
    if result_a is None:
        result_a = raw
    return result_a, raw
