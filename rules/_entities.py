"""HTML character references: find them, decode them, say what they stand for.

Shared by the FL2xx rules.  Only *complete* references count: ``&name;`` where
``name`` is a real HTML5 entity, ``&#NNN;`` and ``&#xHH;``.  A bare ampersand
(``AT&T``, ``R&D``, ``?a=1&b=2``, ``fish & chips``) is never a reference here.
"""

from __future__ import annotations

import html
import re
import unicodedata
from functools import lru_cache
from html.entities import html5
from typing import Iterator

# Names valid *with* a semicolon ("amp", "nbsp", "rsquo", "NotEqualTilde", ...).
NAMES = frozenset(k[:-1] for k in html5 if k.endswith(";"))
# Names a browser also decodes *without* a semicolon (legacy HTML 4 set: "amp", "copy", ...).
LEGACY_NAMES = frozenset(k for k in html5 if not k.endswith(";"))

# What stands between "&" and ";" of a reference -- the one grammar of the FL2xx and FL4xx rules
# (rules/_htmltext.py uses it too).  Numeric: every digit is read, as the HTML tokenizer does
# ("&#00000065;" is "A"; one past U+10FFFF decodes to U+FFFD, still a reference); named: a
# letter, then letters and digits (real names are 2 to 31 characters; callers check NAMES).
REFERENCE_BODY = r"(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]{1,31})"
# A complete reference: named (checked against NAMES by the caller), decimal or hex.
REFERENCE = re.compile("&" + REFERENCE_BODY + ";")
# Anything that starts like a reference in HTML: used to find malformed ones.
REFERENCE_LIKE = re.compile(r"&(#[xX]?)?([A-Za-z0-9]*)(;?)")
REFERENCE_LIKE_TEXT = re.compile(r"&(?:#[xX]?)?[A-Za-z0-9]*;?")  # the same matches, without groups (findall gives strings)
# References that are fine whatever the options (real names; numeric ones to ordinary
# characters), the ones CMS markup repeats.  "amp" is left out on purpose: FL202 finds
# "&amp;" among the SUSPECT matches.  The most frequent come first: SUSPECT's lookahead
# tries them in this order at every "&".
COMMON_VALID = (
    "nbsp", "quot", "#39", "rsquo", "ldquo", "rdquo", "lsquo", "ndash", "mdash", "hellip",
    "lt", "gt", "apos", "laquo", "raquo", "copy", "reg", "trade", "zwnj", "zwj", "shy", "middot", "bull", "deg", "euro",
    "#34", "#38", "#160", "#8211", "#8212", "#8216", "#8217", "#8220", "#8221", "#8230", "#x27", "#x2019",
)  # fmt: skip
# REFERENCE_LIKE_TEXT matches that may be malformed: numeric ones, and names closed by ";"
# other than COMMON_VALID.  A bare "&" (AT&T) or an unclosed name never is, so a clean
# field yields nothing, without a Python step per reference.
# After an "&": not one of the COMMON_VALID references (a lookahead; FL202's SUSPECT and FL401's "&" check).
NOT_COMMON_AHEAD = "(?!(?:" + "|".join(COMMON_VALID) + ");)"
SUSPECT = re.compile("&" + NOT_COMMON_AHEAD + r"(?=#|[A-Za-z0-9]+;)(?:#[xX]?)?[A-Za-z0-9]*;?")
# ``&amp;`` (one or more times) wrapped around another complete reference.
DOUBLE = re.compile(r"&amp;((?:amp;)*)(" + REFERENCE_BODY + ";)")
# Legacy references without a semicolon, not followed by a character that would
# make them part of a word (``&copy2020`` and ``&ampT`` are not references).
LEGACY = re.compile(r"&([A-Za-z][A-Za-z0-9]{1,7})(?![A-Za-z0-9;=])")
# A numeric reference without its ";" ("Don&#8217s"): HTML reads every digit as the reference
# (a parse error, decoded all the same) and what follows as text.  Not followed by a digit or ";"
# (no backtracking to a shorter run: "&#39;" and "&#3999" are not matched as "&#3").
UNCLOSED_NUMERIC = re.compile(r"&#(?:[xX][0-9a-fA-F]+(?![0-9a-fA-F;])|[0-9]+(?![0-9;]))")
# The part of a word before "&" that makes it a URL, a path or a query string ("?a=1&#frag", "www.x.org/a&#1").
_URL_WORD = re.compile(r"(?:[A-Za-z][A-Za-z0-9+.-]*:/|www\.|/)|[^\s]*[?=]")
# Openings of script, style and comments: character references are not decoded inside.
RAW_OPEN = re.compile(r"<(script|style)\b|<!--", re.I)


def is_reference(text: str) -> bool:
    """True for a complete reference to a real entity or a numeric reference."""
    if text.startswith("&#"):
        return True
    return text[1:-1] in NAMES


def references(text: str) -> Iterator[re.Match]:
    """Complete references in ``text`` (named ones only when the name is real)."""
    if "&" not in text:
        return
    for m in REFERENCE.finditer(text):
        if is_reference(m.group()):
            yield m


def legacy_references(text: str) -> Iterator[re.Match]:
    """``&amp``-style legacy references without a semicolon (opt-in; easily confused with prose)."""
    if "&" not in text:
        return
    for m in LEGACY.finditer(text):
        if m.group(1) in LEGACY_NAMES:
            yield m


def unclosed_references(text: str) -> Iterator[re.Match]:
    """Numeric references without their ``;`` that plain text surely meant as references (FL201; FL4xx decodes them).

    HTML reads ``&#8217s`` as ``’s`` and ``1990&#150s`` as ``1990–s``.  In
    plain text the same characters are prose far less often than named ones
    (``&amp``, ``&copy`` are left to the opt-in legacy check), but a few
    look-alikes are not references: ``&#`` in a URL, a path or a query string
    (``?a=1&#42``), inside backticks (a code sample), and a number that would
    stand for a character a reference is never written for (``&#1``, a
    control; ``&#65``, a plain letter; an unassigned or private code point).
    """
    if "&#" not in text:
        return
    for m in UNCLOSED_NUMERIC.finditer(text):
        value = unclosed_value(m.group())
        if value is None or _in_url(text, m.start()) or _in_backticks(text, m.start()):
            continue
        script = _script(value)
        if script and not _script_nearby(text, m, script):
            continue  # "&#2024" in English text is no NKo letter
        yield m


def _in_url(text: str, at: int) -> bool:
    """The ``&`` at ``at`` is inside a URL, a path or a query string (the word before it says so)."""
    start = max(text.rfind(ch, 0, at) for ch in " \t\r\n\u00a0") + 1
    return _URL_WORD.match(text, start, at) is not None


def _in_backticks(text: str, at: int) -> bool:
    """The ``&`` at ``at`` is inside a backtick-quoted code sample on its line."""
    line = max(text.rfind("\n", 0, at), text.rfind("\r", 0, at)) + 1
    end = text.find("\n", at)
    return text.count("`", line, at) % 2 == 1 and text.find("`", at, len(text) if end < 0 else end) >= 0


@lru_cache(maxsize=4096)
def unclosed_value(text: str) -> str | None:
    """What a browser shows for ``&#NNN`` without ``;`` (``&#150`` is the cp1252 en dash), or None when no one writes a reference for it.

    Kept: ``"``, ``&``, ``'``, ``<``, ``>`` (what HTML escapers write as
    numbers) and, from U+00A0 on, letters, punctuation, symbols, spaces,
    fractions and superscripts (``&#189`` ½) and the format characters of
    scripts (ZWNJ, soft hyphen).  Controls, marks on their own, digits of
    other scripts, private-use, unassigned and other ASCII code points are
    not references anyone meant.
    """
    body = text[2:]
    hexadecimal = body[:1] in "xX"
    digits = body[1:] if hexadecimal else body
    if len(digits) > 8:
        return None
    shown = decode(f"&#{'x' if hexadecimal else ''}{digits};")
    if len(shown) != 1:
        return None
    cp = ord(shown)
    if cp < 0xA0:
        return shown if shown in _ESCAPED_ASCII else None
    category = unicodedata.category(shown)
    if is_noncharacter(cp) or category[0] not in "LPSZCN" or category in ("Cc", "Cs", "Co", "Cn", "Nd"):
        return None
    return shown


_ESCAPED_ASCII = frozenset("\"&'<>")
# What is written before a number: a reference to one of these, its ";" lost, swallows the number's digits ("&#39;99" -> "&#3999").
_BEFORE_NUMBER = frozenset("Sc Pd Pi Pf Ps Zs".split())


@lru_cache(maxsize=4096)
def shorter_reading(text: str) -> str | None:
    """A shorter run of ``text``'s digits that is a reference to a character written before numbers, closed (``&#3999``: ``&#39;``), or None."""
    body = text[2:]
    hexadecimal = body[:1] in "xX"
    digits = body[1:] if hexadecimal else body
    for n in range(2, len(digits)):
        reference = f"&#{body[0] if hexadecimal else ''}{digits[:n]};"
        shown = decode(reference)
        if len(shown) == 1 and (shown in "\"'" or ord(shown) >= 0xA0 and unicodedata.category(shown) in _BEFORE_NUMBER):
            return reference
    return None


def unclosed_is_ambiguous(text: str, m: re.Match) -> bool:
    """The ``;`` of the reference ``m`` (an :func:`unclosed_references` match) may have been lost before digits of the text.

    ``&#3999`` is ``&#3999;`` to a browser, but may have been ``&#39;99``
    ('99).  Not ambiguous when a shorter run of its digits is no reference
    to a character written before numbers (``&#8217s``: ``&#82`` is "R"),
    when the reference runs straight into another one (``&#1605&#1740``), or
    when it is a letter of a script the text around is written in (Persian
    ``&#1605`` among Persian words).
    """
    if shorter_reading(m.group()) is None or text[m.end() : m.end() + 1] == "&":
        return False
    return not _script(unclosed_value(m.group()) or "")  # a letter of a script the text around is written in is meant


def _script(ch: str) -> str:
    """The script of a letter beyond Latin and Greek (the first word of its Unicode name: "ARABIC", "CJK"), else ""."""
    if len(ch) != 1 or ord(ch) < 0x400 or not ch.isalpha():
        return ""
    return unicodedata.name(ch, "").split(" ", 1)[0]


def _script_nearby(text: str, m: re.Match, script: str) -> bool:
    """A letter of ``script`` within a few words of the reference ``m`` (references around it read as a browser does)."""
    around = html.unescape(text[max(0, m.start() - 24) : m.start()]) + " " + html.unescape(text[m.end() : m.end() + 24])
    return any(_script(ch) == script for ch in around if not ch.isascii())


def decode_unclosed(text: str) -> str:
    """``text`` with each :func:`unclosed_references` match decoded as a browser reads it (FL4xx's plain-text side)."""
    if "&#" not in text:
        return text
    found = list(unclosed_references(text))
    if not found:
        return text
    out, last = [], 0
    for m in found:
        out += [text[last : m.start()], unclosed_value(m.group()) or m.group()]
        last = m.end()
    out.append(text[last:])
    return "".join(out)


@lru_cache(maxsize=4096)
def decode(reference: str) -> str:
    """What a browser shows for ``reference`` (``&#150;`` is the cp1252 en dash, as in html.unescape)."""
    return html.unescape(reference)


def describe(text: str) -> str:
    """``'`` for visible text, ``U+00A0 NO-BREAK SPACE`` for invisible or control characters."""
    if len(text) == 1 and not (text.isprintable() and not text.isspace()):
        return code_point(text)
    if all(ch.isprintable() and not ch.isspace() for ch in text):
        return text
    return " ".join(code_point(ch) for ch in text)


def code_point(ch: str) -> str:
    """``U+0096 <control>``-style name of one character."""
    cp = ord(ch)
    name = unicodedata.name(ch, "")
    if not name:
        if 0xD800 <= cp <= 0xDFFF:
            name = "<surrogate>"
        elif is_noncharacter(cp):
            name = "<noncharacter>"
        elif unicodedata.category(ch) == "Cc":
            name = "<control>"
        else:
            name = "<unassigned>"
    return f"U+{cp:04X} {name}"


def is_noncharacter(cp: int) -> bool:
    return 0xFDD0 <= cp <= 0xFDEF or (cp & 0xFFFE) == 0xFFFE


def numeric_problem(reference: str) -> str | None:
    """Why a complete numeric reference is a defect, or None when it is fine."""
    body = reference[2:-1]
    cp = int(body[1:], 16) if body[:1] in "xX" else int(body)
    if cp > 0x10FFFF:
        return "is beyond the last Unicode code point U+10FFFF"
    if cp == 0:
        return "is NUL (shown as U+FFFD)"
    if 0xD800 <= cp <= 0xDFFF:
        return f"is a UTF-16 surrogate U+{cp:04X}, not a character"
    if 0x80 <= cp <= 0x9F:
        shown = decode(reference)
        return f"is the C1 control U+{cp:04X}; browsers guess Windows-1252 and show {describe(shown)!s} — write &#{ord(shown)}; instead" if shown != chr(cp) else f"is the C1 control U+{cp:04X}"
    if cp < 0x20 and cp not in (0x09, 0x0A, 0x0D) or cp == 0x7F:
        return f"is the control character {code_point(chr(cp))}"
    if is_noncharacter(cp):
        return f"is the noncharacter U+{cp:04X}"
    return None


CODE_ELEMENTS = ("code", "pre", "kbd", "samp", "tt")  # what they show is meant literally (FL202, and FL401's line markers)
CODE_OPEN = re.compile(r"<(" + "|".join(CODE_ELEMENTS) + r")\b", re.I)


def blank_code(text: str) -> str:
    """``text`` with the contents of code elements (``code pre kbd samp tt``) replaced by spaces (offsets kept).

    What a code element shows is meant literally: ``<code>&amp;#63743;</code>`` shows the reference
    itself, written by someone explaining it.  An unclosed one runs to the end of the text.
    """
    if "<" not in text:
        return text
    out, pos, lower = [], 0, None
    while True:
        m = CODE_OPEN.search(text, pos)
        if m is None:
            break
        lower = lower if lower is not None else text.lower()
        close = lower.find("</" + m.group(1).lower(), m.end())
        end = len(text) if close < 0 else (lower.find(">", close) + 1 or len(text))
        out.append(text[pos : m.start()])
        out.append(" " * (end - m.start()))
        pos = end
    out.append(text[pos:])
    return "".join(out)


def blank_raw_text(text: str) -> str:
    """``text`` with script/style/comment contents replaced by spaces (offsets kept; linear time).

    An unclosed one runs to the end of the text, as in a browser.
    """
    if "<" not in text:
        return text
    out, pos, lower = [], 0, None
    while True:
        m = RAW_OPEN.search(text, pos)
        if m is None:
            break
        if m.group(1):
            lower = lower if lower is not None else text.lower()
            close = lower.find("</" + m.group(1).lower(), m.end())
            end = len(text) if close < 0 else (lower.find(">", close) + 1 or len(text))
        else:
            close = text.find("-->", m.end())
            end = len(text) if close < 0 else close + 3
        out.append(text[pos : m.start()])
        out.append(" " * (end - m.start()))
        pos = end
    out.append(text[pos:])
    return "".join(out)
