"""Python's JSON decode errors as whole sentences.

``json`` gives "Unterminated string starting at" or "Invalid control character
at" and leaves the position to its own ``str()``; feedlint puts the position in
front (``file:line:col:``), so the bare message read as a cut-off sentence.
Here each message becomes a sentence that says what was expected and what was
found, and a value that runs into the end of the file says the file may be
truncated.
"""

from __future__ import annotations

TRUNCATED = " (file truncated?)"


def _found(text: str, pos: int) -> str:
    if pos >= len(text):
        return "the end of the file"
    ch = text[pos]
    return repr(ch) if ch.isprintable() else f"U+{ord(ch):04X}"


def _previous(text: str, pos: int) -> str:
    """The last non-blank character before ``pos`` ("" at the start)."""
    head = text[:pos].rstrip()
    return head[-1] if head else ""


def describe_json_error(msg: str, text: str, pos: int, reaches_eof: bool = True) -> str:
    """``invalid JSON: …`` for ``json.JSONDecodeError(msg, text, pos)``.

    ``reaches_eof``: ``text`` runs to the end of the file, so a value cut off at
    its end is a cut-off file.
    """
    at_end = not text[pos:].strip()
    truncated = TRUNCATED if reaches_eof and at_end else ""
    if msg.startswith("Unterminated string"):
        if reaches_eof:
            return f"invalid JSON: unterminated string: no closing quote before the end of the file{TRUNCATED}"
        return "invalid JSON: unterminated string: no closing quote"
    if at_end and msg.startswith(("Expecting", "Illegal trailing comma")):
        expected = {"Expecting ':' delimiter": "':'", "Expecting ',' delimiter": "',' or a closing bracket",
                    "Expecting property name enclosed in double quotes": "a member name"}.get(msg, "a value")
        return f"invalid JSON: the file ends where {expected} was expected{truncated}"
    found = _found(text, pos)
    if msg.startswith("Illegal trailing comma") or (msg.startswith(("Expecting value", "Expecting property name")) and _previous(text, pos) == "," and text[pos] in "]}"):
        return f"invalid JSON: trailing comma before {text[pos]!r}"
    if msg == "Expecting value":
        return f"invalid JSON: expected a value (string, number, object, array, true, false or null), found {found}"
    if msg == "Expecting ':' delimiter":
        return f"invalid JSON: expected ':' after the member name, found {found}"
    if msg == "Expecting ',' delimiter":
        return f"invalid JSON: expected ',' or a closing bracket after the value, found {found}"
    if msg == "Expecting property name enclosed in double quotes":
        return f"invalid JSON: expected a member name in double quotes, found {found}"
    if msg.startswith("Invalid control character"):
        return f"invalid JSON: unescaped control character {found} inside a string"
    if msg == "Invalid \\uXXXX escape":
        return "invalid JSON: invalid \\u escape in a string (\\u takes four hex digits)"
    if msg.startswith("Invalid \\escape"):
        return f"invalid JSON: invalid escape {text[pos:pos + 2]!r} in a string"
    if msg == "Extra data":
        return f"invalid JSON: more data after the end of the JSON value, found {found}"
    words = msg[:-3] if msg.endswith(" at") else msg  # an unknown message: at least no dangling "at"
    return f"invalid JSON: {words[:1].lower()}{words[1:]}"
