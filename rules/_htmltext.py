"""Visible text of an HTML fragment and of its plain-text twin, for the FL4xx parity rules.

A small regex tokenizer (no tree is built) serves two passes.  The fast pass,
:func:`quick_scan`, gives the flat visible text and says whether the markup is
certainly clean; the full scan, :func:`scan_html`, gives the paragraphs with
their positions and the repairs an HTML5 parser would have to make
(misnested, unclosed and stray tags), and runs only when needed.  The
plain-text side is decoded the same way, keeping a map back to the original
characters so a difference can be located exactly.  Undecoded entities, CRLF,
non-breaking spaces and empty spacer paragraphs are normalised away here: they
are other rules' business.

Only the standard library is used: several times faster than BeautifulSoup,
and unlike lxml's silent repairs it says what was repaired (numbers in
docs/parity.md).
"""

from __future__ import annotations

import functools
import heapq
import html as _html
import re
import unicodedata
from array import array
from bisect import bisect_left, bisect_right
from collections import Counter, deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import compress, islice
from typing import Callable, Iterable, Iterator

from . import _pieces
from ._entities import CODE_ELEMENTS, REFERENCE_BODY, decode_unclosed, unclosed_references

# -- HTML vocabulary (WHATWG HTML, "parsing HTML documents") -------------------
VOID = frozenset("area base basefont bgsound br col embed frame hr img input keygen link meta param source track wbr".split())
# Elements the parser may close implicitly ("generate all implied end tags thoroughly").
OPTIONAL_END = frozenset("caption colgroup dd dt li optgroup option p rb rp rt rtc tbody td tfoot th thead tr html head body".split())
FORMATTING = frozenset("a b big code em font i nobr s small strike strong tt u".split())
HEADINGS = frozenset("h1 h2 h3 h4 h5 h6".split())
CLOSES_P = frozenset(
    "address article aside blockquote center details dialog dir div dl fieldset figcaption figure footer header hgroup "
    "main menu nav ol p search section summary ul h1 h2 h3 h4 h5 h6 pre listing form li dd dt plaintext table hr xmp".split()
)
SPECIAL = frozenset(
    "address applet area article aside base basefont bgsound blockquote body br button caption center col colgroup dd "
    "details dir div dl dt embed fieldset figcaption figure footer form frame frameset h1 h2 h3 h4 h5 h6 head header "
    "hgroup hr html iframe img input keygen li link listing main marquee menu meta nav noembed noframes noscript object "
    "ol p param plaintext pre script search section select source style summary table tbody td template textarea tfoot "
    "th thead title tr track ul wbr xmp".split()
)
SCOPE = frozenset("applet caption html table td th marquee object template".split())
BUTTON_SCOPE = SCOPE | {"button"}
LIST_SCOPE = SCOPE | {"ol", "ul"}
TABLE_SCOPE = frozenset("html table template".split())
IGNORED = frozenset("html head body".split())  # fragments: their tags carry no structure here
# Elements whose content is raw text (not parsed); the text of the first group is not shown.
RAWTEXT_HIDDEN = frozenset("script style iframe noembed noframes noscript title template".split())
RAWTEXT_SHOWN = frozenset("textarea xmp".split())
FOREIGN = frozenset("svg math".split())
# Start or end of these separates paragraphs of text.
_TABLE_PARTS = frozenset("table caption colgroup tbody thead tfoot tr td th".split())
BLOCK = frozenset(
    "address article aside blockquote caption center details dialog dir div dl dd dt fieldset figcaption figure footer "
    "form h1 h2 h3 h4 h5 h6 header hgroup hr li listing main menu nav ol p pre search section summary table tbody thead "
    "tfoot tr td th ul xmp".split()
)

_CODE = frozenset(CODE_ELEMENTS)  # code elements, as FL202 reads them
_START_EFFECTS = BLOCK | CLOSES_P | VOID | IGNORED | HEADINGS | FOREIGN | RAWTEXT_HIDDEN | RAWTEXT_SHOWN | {"a", "option", "optgroup"}

MAX_REPAIRS = 1000  # after this many, a field is beyond counting: stop tracking structure

# The WHATWG tokenizer's tag states as one regex.  HTML white space is tab, LF, FF, CR, space
# (not Python's ``\s``).  Between attributes, "/" is a separator.  A name may begin with
# any character but white space, "/" and ">" (``"`` and ``=`` included: ``<div "="">`` has an
# attribute named ``"``) and runs to white space, "/", ">" or "=".  Only after "=" can a quote
# open a value, which runs to its closing quote ("> inside it does not end the tag); an
# unquoted value runs to white space or ">".  Possessive throughout: every character is read
# once.  ``_ATTRIBUTE`` is one attribute with its value.
_WS = "\t\n\f\r "
_ATTRIBUTE = rf"""[^{_WS}/>][^{_WS}/>=]*+(?:[{_WS}]*+=[{_WS}]*+(?:"[^"]*+(?:"|\Z)|'[^']*+(?:'|\Z)|[^{_WS}>]*+)|(?![{_WS}]*+=))"""
_ATTRIBUTES = rf"(?:[{_WS}/]++|{_ATTRIBUTE})*+"
_MARKUP = re.compile(
    r"<!--(?:-?>|.*?(?:--!?>|\Z))"  # comment (``<!-->`` and ``<!--->`` are empty ones)
    r"|<(?:[!?]|/(?=[^a-zA-Z>]))[^>]*(?:>|\Z)"  # doctype, CDATA, processing instruction, ``</ x>``: bogus comments
    r"|</>"  # an end tag without a name: dropped
    rf"|<(/?)([a-zA-Z][^{_WS}/>]*)({_ATTRIBUTES})(>|\Z)",  # tag; cut by the end: dropped
    re.S,
)
_ATTRIBUTE_OR_SEPARATOR = re.compile(rf"[{_WS}/]++|{_ATTRIBUTE}", re.S)


def self_closing_slash(attributes: str) -> bool:
    """The tag's attributes end in a "/" of its own (``<x a="1"/>``), not in an unquoted value (``<x a=b/>``)."""
    if not attributes.endswith("/"):
        return False
    last = None
    for last in _ATTRIBUTE_OR_SEPARATOR.finditer(attributes):
        pass
    return last is not None and last.group(0)[-1:] == "/" and last.group(0)[0] in _WS + "/"
_REFERENCE = REFERENCE_BODY  # between "&" and ";" of a reference: the FL2xx rules' grammar (rules/_entities.py)
_ENTITY = re.compile("&" + _REFERENCE + ";")
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u2060\ufeff"))  # soft hyphen, zero-width space, word joiner, BOM
_TYPOGRAPHY = {
    **dict.fromkeys(map(ord, "\u2018\u2019\u201a\u201b\u2032\u02bc"), "'"),
    **dict.fromkeys(map(ord, "\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb"), '"'),
    **dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"), "-"),
    ord("\u2026"): "...",
}
_FOLD = {**_INVISIBLE, **_TYPOGRAPHY}
_HAS_FOLD = re.compile("[" + "".join(map(chr, _FOLD)) + "]")
_HAS_INVISIBLE = re.compile("[" + "".join(map(chr, _INVISIBLE)) + "]")
_BLANK_LINES = re.compile(r"(?:\r\n?|\n)(?:[^\S\r\n]*(?:\r\n?|\n))+")
_WORD = re.compile(r"\S+")


# -- text normalisation -------------------------------------------------------
@functools.lru_cache(maxsize=4096)
def _unescape_one(entity: str) -> str:
    return _html.unescape(entity)


def _entity_value(m: re.Match) -> str:
    return _unescape_one(m.group(0))


_BARE_AMPERSAND = re.compile("&(?!" + _REFERENCE + ";)")


# Every ``&``: a terminated reference, or a bare ampersand (just "&").
_REFERENCE_OR_AMPERSAND = re.compile("&(?:" + _REFERENCE + ";)?")
_INERT_VALUE = re.compile(r"[^&;#0-9A-Za-z]*")  # a decoded value that cannot join its neighbours into a reference
# What a decoded value becomes in a comparison key with typographic folding: the
# folded characters, and NBSP as a space (``str.split`` treats both alike), so an
# ASCII field stays ASCII and normalising it is one split.  Invisible characters
# are not dropped here: that must follow NFC composition, as in :func:`normalise`.
_KEY_FOLD = {**_TYPOGRAPHY, 0xA0: " "}


_MAX_DISTINCT_REFERENCES = 48


@functools.lru_cache(maxsize=4096)
def _reference_value(reference: str, fold: bool) -> str:
    value = _html.unescape(reference)
    return value.translate(_KEY_FOLD) if fold else value


def _decode_round_fast(text: str, legacy: bool = False, fold: bool = False) -> str | None:
    """One round of ``_ENTITY.sub`` (``legacy``: of ``unescape_text``) with ``str.replace``, or None.

    One C-speed ``findall`` lists the distinct references; each is then replaced
    everywhere at once, instead of a Python call per occurrence.  That equals
    the regex's single left-to-right pass as long as no replacement can form a
    new reference: references never overlap, values without ``&`` cannot start
    one, and the one kind whose value holds ``&`` (``&amp;``) goes last.  A bare
    ``&`` next to a value that could complete a reference, two ``&``-yielding
    kinds, or (``legacy``) any bare ``&``, whose decoding follows html.unescape's
    legacy rules: None, the regex decides.  ``fold``: values as in a comparison
    key (:data:`_KEY_FOLD`).
    """
    found = set(_REFERENCE_OR_AMPERSAND.findall(text))
    if len(found) > _MAX_DISTINCT_REFERENCES:
        return None  # a replace per kind would rescan the text each time: the regex's one pass is linear
    bare = "&" in found
    if bare:
        if legacy:
            return None
        found.discard("&")
    values = {ref: _reference_value(ref, fold) for ref in found}
    last = [ref for ref, value in values.items() if "&" in value]
    if len(last) > 1 or (bare and not all(_INERT_VALUE.fullmatch(v) for v in values.values())):
        return None
    # narrow characters first: the copies stay one byte per character as long as possible
    for ref in sorted(values, key=lambda r: ("&" in values[r], max(map(ord, values[r]), default=0))):
        if values[ref] != ref:
            text = text.replace(ref, values[ref])
    return text


# White space, invisible characters and complete references: what a field may start with and still be empty.
_BLANK_PREFIX = re.compile("(?:[\\s" + "".join(map(chr, _INVISIBLE)) + "]++|&" + _REFERENCE + ";)*+")


def surely_has_text(text: str) -> bool:
    """A character that no decoding or normalising can remove: the field is not empty (no key needed).

    The first character after white space and complete references, unless one
    of those references decodes to ``&``: ``&amp;nbsp;`` is a spacer once
    decoded twice.
    """
    end = _BLANK_PREFIX.match(text).end()
    if end == len(text) or text[end] == "&":
        return False
    return end == 0 or "&" not in text[:end] or "&" not in _html.unescape(text[:end])


def has_bare_ampersand(text: str) -> bool:
    """An ``&`` that starts no complete reference (``AT&T``, ``&amp`` without ``;``): html.unescape's legacy rules apply."""
    return _BARE_AMPERSAND.search(text) is not None


def _key_folded(decoded: str, fold: bool) -> str:
    """A round decoded by the regex, folded as :func:`_decode_round_fast` folds (``fold``)."""
    return decoded.translate(_KEY_FOLD) if fold and not decoded.isascii() else decoded


def unescape_text(raw: str, fold: bool = False) -> str:
    """``html.unescape`` (a browser's decoding of text), with a cache for the usual ``&name;`` entities.

    ``fold``: decode as for a comparison key (see :func:`comparison_key`).
    """
    fast = _decode_round_fast(raw, legacy=True, fold=fold)
    if fast is not None:
        return fast
    if _BARE_AMPERSAND.search(raw):
        return _key_folded(_html.unescape(raw), fold)  # "&amp" without ";", "AT&T": the legacy rules apply
    return _key_folded(_ENTITY.sub(_entity_value, raw), fold)


def decode_entities(text: str, rounds: int = 3, fold: bool = False) -> str:
    """Decode ``&name;`` / ``&#n;`` entities (terminated ones only), repeatedly for double encoding.

    Numeric references without their ``;`` that FL201 reports (``Don&#8217s``,
    ``rules/_entities.py``) are decoded too, so both rule families read the
    same references.  ``AT&T``, ``R&D`` and a bare ``&`` stay as they are.  ``fold``: decode as
    for a comparison key (folded typography; see :func:`comparison_key`).
    """
    if "&#" in text:
        text = decode_unclosed(text)  # "Don&#8217s": what FL201 reports as a reference without its ";"
    for _ in range(rounds):
        if "&" not in text:
            break
        decoded = _decode_round_fast(text, fold=fold)
        if decoded is None:
            decoded = _key_folded(_ENTITY.sub(_entity_value, text), fold)
        if decoded == text:
            break
        text = decoded
    return text


def comparison_key(text: str, fold: bool = True, html: bool = False) -> str:
    """``normalise(decode_entities(text))`` (``html``: ``unescape_text`` first), in fewer passes.

    With ``fold`` the decoded characters are folded as they are decoded, which
    keeps an ASCII field ASCII: :func:`normalise` then only splits it.
    """
    if "&" in text:
        text = decode_entities(unescape_text(text, fold) if html else text, fold=fold)
    return normalise(text, fold)


def _folded(m: re.Match) -> str:
    return _FOLD[ord(m.group(0))] or ""


def normalise(text: str, fold: bool = True) -> str:
    """Comparable form: NFC, invisible characters dropped, optional typographic folding, single spaces."""
    if not text.isascii():  # check first: normalize() copies the whole text
        if not unicodedata.is_normalized("NFC", text):
            text = unicodedata.normalize("NFC", text)
        text = (_HAS_FOLD if fold else _HAS_INVISIBLE).sub(_folded, text)
    return _pieces.collapse(text)


def _markup_edits(text: str) -> list[tuple[int, int, str]]:
    """Tags typed into plain text (as FL205 recognises them): ``<br>`` -> line break, block tags -> paragraph break."""
    from ._markup import tags  # FL205's definition of a tag, so both rules agree on what is markup

    return [(m.start(), m.end(), "" if name == "!--" else "\n" if name == "br" else "\n\n" if name in BLOCK else "") for m, name in tags(text)]


# -- plain-text conventions of a CMS (Ghost's plaintext, html-to-text) --------------------
@dataclass(frozen=True)
class PlainConventions:
    """How a CMS writes its plain text beside the HTML, undone before comparing.

    ``links``: the HTML's link targets, each with whether the HTML has text
    glued right after the link (``</a>)``) and whether the link's text ends in
    white space (``Reader </a>,``), when the plain text writes a link
    as ``text [url]``; ``markers``: what the plain text puts at the start of a
    line that the HTML shows as structure (``*``, ``-``, ``+``, ``1.``, ``1)``
    list items, ``>`` quotes, ``---`` a horizontal rule line); ``wraps``: the
    plain text is hard-wrapped by a tool that may break a line where the HTML
    has no space (html-to-text between a text and a link: ``"\nWhy`` for
    ``"<a>Why``); ``fallbacks``: the comparison keys of the text inside
    raw-text elements (an ``<iframe>``'s fallback link) that the plain text
    writes as a paragraph of its own, although a browser shows none of it.
    ``kept``, ``empty_items``, ``literal`` and ``fallbacks`` are read off
    the HTML of the record (see their comments).
    """

    links: tuple[tuple[str, bool, bool], ...] = ()
    markers: tuple[str, ...] = ()
    wraps: bool = False
    kept: frozenset[int] = frozenset()  # offsets of line markers kept as words: the HTML has the same words there (see :func:`marker_candidates`)
    empty_items: bool = False  # the HTML has an empty list item: a list marker alone on its line is the plain text's
    literal: frozenset[str] = frozenset()  # bracketed texts the HTML shows as text ("[/caption]"): never a link target
    fallbacks: tuple[str, ...] = ()  # see above: lines of the body whose key is one of these are dropped, once per element

    def __bool__(self) -> bool:
        return bool(self.links or self.markers or self.wraps or self.fallbacks)


# A list marker needs text after it on its line: a wrapped line that starts with "3." and ends there is prose.
LINE_MARKERS = {"*": r"\*(?=[ \t]+\S)", "-": r"-(?=[ \t]+\S)", "+": r"\+(?=[ \t]+\S)", "1.": r"[0-9]{1,3}\.(?=[ \t]+\S)", "1)": r"[0-9]{1,3}\)(?=[ \t]+\S)", ">": r">(?:[ \t]*>)*", "---": None}
_RULE_LINE = r"(?:-{3,}|\*{3,}|_{3,})[ \t]*(?=\r?$)"


# A marker as a word of its own (``*``, ``2.``, ``>``): html-to-text starts a nested list on its parent's line
_MARKER_WORDS = {"*": r"\*", "-": r"-", "+": r"\+", "1.": r"[0-9]{1,3}\.", "1)": r"[0-9]{1,3}\)", ">": r">+", "---": None}


@functools.lru_cache(maxsize=32)
def marker_word(markers: tuple[str, ...]) -> "re.Pattern[str] | None":
    """Matches a whole word that is one of ``markers`` (None when no marker can stand alone)."""
    items = [_MARKER_WORDS[m] for m in markers if _MARKER_WORDS.get(m)]
    return re.compile("(?:" + "|".join(items) + ")") if items else None


_LIST_MARKERS = ("*", "-", "+", "1.", "1)")


@functools.lru_cache(maxsize=32)
def _marker_pattern(markers: tuple[str, ...], lone: bool = False) -> "re.Pattern[str]":
    """A line marker at the start of a line; ``lone``: a list marker alone on its line too (the HTML has an empty ``<li>``)."""
    items = [LINE_MARKERS[m] + r"(?:[ \t]+|(?=\r?$))" for m in markers if LINE_MARKERS[m] is not None]
    if "---" in markers:
        items.insert(0, _RULE_LINE)
    if lone:
        items += [_MARKER_WORDS[m] + r"[ \t]*(?=\r?$)" for m in markers if m in _LIST_MARKERS]
    return re.compile(r"(?m)^[ \t]*(?:" + "|".join(items) + ")")


# "[target]" after a link's text, perhaps on the next line; white space inside only where the HTML's href has it
# ("[tel:+34 600111222]") or where the plain text wrapped ("[\nhttps://…]"): decided against the HTML's targets.
_BRACKETED = re.compile(r"[ \t]*(?:\r?\n[ \t]*)?\[([^\[\]]{1,4096})\]")
_WRAP_AFTER = re.compile(r"[ \t]*\r?\n[ \t]*(?![\r\n])")


def _target_key(target: str) -> str:
    """A link target as the plain text may write it: its surrounding white space dropped, inner runs (a wrap) as one space."""
    return " ".join(target.split())


def _marker_edits(text: str, conventions: PlainConventions) -> Iterator[re.Match]:
    """The line markers :func:`_convention_edits` drops (those in ``conventions.kept`` stay words)."""
    kept = conventions.kept
    for m in _marker_pattern(conventions.markers, conventions.empty_items).finditer(text):
        if m.start() not in kept:
            yield m


def has_line_markers(text: str, conventions: PlainConventions) -> bool:
    """Whether the plain text has a line marker that ``conventions`` drops."""
    return next(_marker_edits(text, conventions), None) is not None


def line_marker_words(text: str, conventions: PlainConventions) -> set[str]:
    """The words of the line markers that ``conventions`` drops in the plain text (``*``, ``2.``, ``>``)."""
    return {w for m in _marker_edits(text, conventions) for w in m.group().split()}


def fallback_keys(html: str, names: Sequence[str]) -> tuple[str, ...]:
    """The comparison keys of the text inside the raw-text elements ``names`` of ``html`` (an embed's ``<iframe>`` fallback link), in order.

    A browser shows none of it; html-to-text (Ghost's plaintext) reads it as
    markup and writes its text as a paragraph.  Tags are dropped, references
    decoded; an element holding no words gives no key.  The element's text
    runs to the first ``</name`` after it, as a browser reads raw text; each
    search goes on from where the last one stopped (linear in the field,
    however many elements are left unclosed).
    """
    if not names:
        return ()
    start = re.compile(r"<(" + "|".join(map(re.escape, names)) + r")(?=[\t\n\f\r />])[^<>]*>", re.I)
    keys: list[str] = []
    pos = 0
    while (m := start.search(html, pos)) is not None:
        end = _end_tag(m.group(1).lower()).search(html, m.end())
        if end is None:
            break  # raw text to the end of the field: nothing closed it
        key = _solid(comparison_key(_TAG_OR_COMMENT.sub(" ", html[m.end() : end.start()]), html=True))
        if key:
            keys.append(key)
        pos = end.end()
    return tuple(keys)


def _solid(key: str) -> str:
    """``key`` without its white space: a fallback's words are matched however the plain text spaced or wrapped them ("Talk to us [url], run by")."""
    return "".join(key.split())


@functools.lru_cache(maxsize=16)
def _end_tag(name: str) -> "re.Pattern[str]":
    return re.compile(r"</" + re.escape(name) + r"(?=[\t\n\f\r />])[^<>]*>?", re.I)


_TAG_OR_COMMENT = re.compile(r"<!--(?:.*?-->|.*\Z)|<[^<>]*>", re.S)  # an unclosed comment runs to the end: one scan, not one per "<!--"
_LINE = re.compile(r"[^\r\n]*")
_FALLBACK_LINES = 4  # html-to-text wraps at 80 columns: a long fallback text takes a few lines


def _fallback_edits(text: str, fallbacks: tuple[str, ...], targets: frozenset[str] = frozenset()) -> list[tuple[int, int, str]]:
    """Deletions of the whole lines of ``text`` that are fallback text (up to :data:`_FALLBACK_LINES` lines each), each element's once.

    The plain text writes a fallback where its element stands, as lines of
    its own (after a blank line, or a single line break before a list);
    elements side by side are inline, so their texts run together on one
    line (two embeds of one album: ``return by blue smileyreturn by blue
    smiley``).  The HTML's link targets written after a link's text
    (``targets``, :func:`_target_key`) are not the fallback's words.  A line
    that holds those words among others is text, and stays.
    """
    runs: dict[str, tuple[str, ...]] = {}  # the text of up to three elements in a row -> their keys
    for i in range(len(fallbacks)):
        for r in range(1, min(3, len(fallbacks) - i) + 1):
            part = fallbacks[i : i + r]
            runs.setdefault("".join(part), part)
    left = Counter(fallbacks)
    untaken = len(fallbacks)
    # a longer stretch of lines cannot be one (the plain text's references are decoded; up to three targets written in it)
    longest = 4 * max(map(len, runs)) + 64 + 3 * (max(map(len, targets), default=0) + 4)
    lines = (m.span() for m in _LINE.finditer(text) if m.end() > m.start())  # one at a time: a long body's lines are never listed
    window = deque(islice(lines, _FALLBACK_LINES))
    edits: list[tuple[int, int, str]] = []
    while window and untaken:
        taken = 0
        for k in range(1, len(window) + 1):
            start, end = window[0][0], window[k - 1][1]
            if end - start > longest:
                break
            chunk = text[start:end]
            if targets and "[" in chunk:
                chunk = _BRACKETED.sub(lambda t: "" if _target_key(t.group(1)) in targets else t.group(0), chunk)
            part = runs.get(_solid(comparison_key(chunk)))
            if part is not None and all(left[key] >= need for key, need in Counter(part).items()):  # each of those elements not yet taken
                left.subtract(part)
                untaken -= len(part)
                edits.append((start, end, ""))
                taken = k
                break
        for _ in range(taken or 1):
            window.popleft()
        window.extend(islice(lines, _FALLBACK_LINES - len(window)))
    return edits


def _convention_edits(text: str, conventions: PlainConventions) -> list[tuple[int, int, str]]:
    """Deletions that undo ``conventions`` in a plain text: ``[url]`` after a link's text, line markers, paragraphs of fallback text."""
    edits: list[tuple[int, int, str]] = []
    bracketed = conventions.links and "[" in text
    links = {_target_key(href): (glued, spaced) for href, glued, spaced in conventions.links} if bracketed or conventions.fallbacks else {}
    if conventions.fallbacks:
        edits += _fallback_edits(text, conventions.fallbacks, frozenset(links))
    if conventions.markers:
        edits += [(m.start(), m.end(), "") for m in _marker_edits(text, conventions)]
    if bracketed:
        for m in _BRACKETED.finditer(text):
            target = m.group(1)
            glued, spaced = links.get(_target_key(target), (None, False))
            if glued is None:
                bare = target.strip()
                if not _URL_LIKE.match(bare) or any(c.isspace() for c in bare) or f"[{bare}]" in conventions.literal:
                    continue  # not a link target: text in brackets (the HTML shows "[/caption]" as text too)
            # a wrap before punctuation is not a space: decided at each link, since one target may be
            # linked twice, once before ":" and once before a space (or no longer linked: a stale target)
            glued = glued or _PUNCTUATION_NEXT.match(text, m.end()) is not None
            end = m.end()
            if glued:  # "text [url]\n)": the line break is the plain text's wrapping, the HTML has ")" right after the link
                w = _WRAP_AFTER.match(text, end)
                end = w.end() if w else end
            # the space the link's text ends with in the HTML: html-to-text moved it before "[url]"
            value = " " if spaced and m.start() < m.start(1) - 1 else ""
            if not value and not glued and 0 < m.start() and end < len(text) and not text[m.start() - 1].isspace() and text[end].isalnum():
                value = " "  # "2019\n[url]This": the next block's text run onto the target, where the HTML has a boundary
            edits.append((m.start(), end, value))
    return sorted(edits)


_PUNCTUATION_NEXT = re.compile(r"[ \t]*\r?\n[ \t]*[.,;:!?)\]}]")
_URL_LIKE = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:|/|#|__GHOST_URL__")
_A_END = re.compile(r"</a[\t\n\f\r /]*>", re.I)
_TAGS_RUN = re.compile(r"(?:<[^<>]*>)*")
_TAG_NAME = re.compile(r"</?([A-Za-z][^\t\n\f\r />]*)")
_ATTRIBUTE_PARTS = re.compile(rf"""([^{_WS}/>][^{_WS}/>=]*+)(?:[{_WS}]*+=[{_WS}]*+(?:"([^"]*+)"?|'([^']*+)'?|([^{_WS}>]*+)))?""", re.S)


def _href(attributes: str) -> str | None:
    """The first ``href`` of a tag's attributes, decoded (later duplicates are ignored, as a browser does)."""
    for tok in _ATTRIBUTE_OR_SEPARATOR.finditer(attributes):
        m = _ATTRIBUTE_PARTS.fullmatch(tok.group(0))
        if m is not None and m.group(1).lower() == "href":
            value = next((v for v in m.groups()[1:] if v is not None), "")
            return unescape_text(value) if "&" in value else value
    return None


def link_targets(html: str) -> tuple[tuple[str, bool, bool], ...]:
    """``(href, glued, spaced)`` for each distinct link target of ``html``.

    ``glued`` when every such link is followed by text without a space;
    ``spaced`` when every such link's text ends in white space (``The Reader </a>,``:
    a browser shows "Reader ,", html-to-text writes "Reader [url],").
    Each ``</a>`` is looked at once, whatever the number of links it closes
    (a field of unclosed links would otherwise read on to the same end from each).
    """
    found: dict[str, tuple[bool, bool]] = {}
    if "<a" not in html and "<A" not in html:
        return ()
    ends = list(_A_END.finditer(html))  # matches of </a> never overlap: the first from a place on is the search from it
    starts = [e.start() for e in ends]
    after_end: dict[int, tuple[bool, int, int]] = {}  # an end's start -> (glued, its text's last visible character, last visible non-space)
    for m in _MARKUP.finditer(html):
        is_end, name, attrs, closed = m.groups()
        if name is None or is_end or not closed or name.lower() != "a":
            continue
        href = _href(attrs)
        if href is None:
            continue
        k = bisect_left(starts, m.end())
        glued = spaced = False
        if k < len(ends):
            end = ends[k]
            seen = after_end.get(end.start())
            if seen is None:
                after = _TAGS_RUN.match(html, end.end()).end()
                breaks = any(t.lower() in _BREAKS for t in _TAG_NAME.findall(html, end.end(), after))
                seen = after_end[end.start()] = (not breaks and after < len(html) and not html[after].isspace(), *_text_end(html, end.start()))
            glued, last, solid = seen
            # the link's text, tags dropped (_ANY_TAG), ends in white space and is not all white space
            spaced = last >= m.end() and html[last].isspace() and solid >= m.end()
        was = found.get(href, (True, True))
        found[href] = (was[0] and glued, was[1] and spaced)
    return tuple((href, glued, spaced) for href, (glued, spaced) in found.items())


def _text_end(html: str, end: int) -> tuple[int, int]:
    """``(last, solid)``: where, before ``end``, the last character outside tags (as :data:`_ANY_TAG` reads them) is, and the last such that is not white space (-1: none).

    Read backwards from ``end`` to the first such non-space character, each
    stretch between ``<`` and ``>`` searched once.
    """
    last = -1
    i = end - 1
    while i >= 0:
        ch = html[i]
        if ch == ">":
            gt = html.rfind(">", 0, i)
            lt = html.rfind("<", gt + 1, i)
            if lt >= 0:  # "<" with no "<" or ">" before this ">": a tag
                i = lt - 1
                continue
        if last < 0:
            last = i
        if not ch.isspace():
            return last, i
        i -= 1
    return last, -1


_ANY_TAG = re.compile(r"<[^<>]*>")


def in_ranges(ranges: list[tuple[int, int]], at: int) -> bool:
    """Whether ``at`` lies in one of ``ranges`` (``[start, end)`` pairs in order, not overlapping): a binary search, not a look at each."""
    k = bisect_right(ranges, (at, _AFTER_ANY)) - 1
    return k >= 0 and at < ranges[k][1]


_AFTER_ANY = float("inf")  # sorts after any end: (at, _AFTER_ANY) follows every range starting at ``at``


def element_ranges(html: str, names: frozenset[str]) -> list[tuple[int, int]]:
    """``[start, end)`` in ``html`` of the contents of each outermost element named in ``names`` (to its end tag, or the field's end)."""
    ranges: list[tuple[int, int]] = []
    depth, start = 0, 0
    for m in _MARKUP.finditer(html):
        is_end, name, attrs, closed = m.groups()
        if name is None or not closed or name.lower() not in names:
            continue
        if not is_end:
            if depth == 0:
                start = m.end()
            depth += 1
        elif depth:
            depth -= 1
            if depth == 0:
                ranges.append((start, m.start()))
    if depth:
        ranges.append((start, len(html)))
    return ranges


def decode_with_map(text: str, strip_markup: bool = False, conventions: PlainConventions | None = None) -> tuple[str, list[int]]:
    """``decode_entities`` (one round) plus, for each decoded character, its offset in ``text``.

    With ``strip_markup``, tags in the text are replaced as by :func:`_markup_edits`;
    with ``conventions``, the CMS's plain-text conventions are undone.
    The map has one extra entry (``len(text)``) so a decoded end offset maps too.
    """
    edits = _decoding_edits(text, strip_markup, conventions)
    where = OffsetMap(text, edits)
    return _decoded(text, edits), [where[d] for d in range(len(where))]


def _decoding_edits(text: str, strip_markup: bool = False, conventions: PlainConventions | None = None) -> "Edits":
    """The sorted ``(start, end, value)`` edits :func:`decode_with_map` makes in ``text``."""
    edits = _markup_edits(text) if strip_markup and "<" in text else []
    if conventions:
        edits = sorted(edits + _convention_edits(text, conventions))
    if "&" not in text:
        return Edits(edits)
    unclosed = []
    if "&#" in text:  # references without their ";" that FL201 reports ("Don&#8217s")
        unclosed = [(m.start(), m.end(), _unescape_one(m.group(0))) for m in unclosed_references(text) if not any(a <= m.start() < b for a, b, _ in edits)]
    entities = _entity_edits(text, edits)
    return Edits(heapq.merge(edits, entities, unclosed) if edits or unclosed else entities)


def _entity_edits(text: str, tags: list[tuple[int, int, str]]) -> Iterator[tuple[int, int, str]]:
    """The references of ``text`` that decode to something else, in order, but those inside a tag of ``tags`` (dropped anyway)."""
    taken = iter(tags)
    tag = next(taken, None)
    for m in _ENTITY.finditer(text):
        while tag is not None and tag[1] <= m.start():
            tag = next(taken, None)
        if tag is not None and tag[0] <= m.start():
            continue
        value = _unescape_one(m.group(0))
        if value != m.group(0):
            yield m.start(), m.end(), value


class Edits:
    """Sorted ``(start, end, value)`` edits of a text, kept as two arrays and a list: iterating gives the tuples one at a time.

    A tuple an edit, with its two offsets, held about 150 bytes: 40 MB for a
    body of 270,000 references, made at once beside the decoded body.  Equal
    values are one string (a curly quote per ``&rsquo;`` was a string each).
    """

    __slots__ = ("_starts", "_ends", "_values")

    def __init__(self, edits: Iterable[tuple[int, int, str]] = ()) -> None:
        self._starts, self._ends, self._values = array("q"), array("q"), []
        one: dict[str, str] = {}
        for start, end, value in edits:
            self._starts.append(start)
            self._ends.append(end)
            self._values.append(one.setdefault(value, value))

    def __iter__(self) -> Iterator[tuple[int, int, str]]:
        return zip(self._starts, self._ends, self._values)

    def __len__(self) -> int:
        return len(self._values)


def _decoded(text: str, edits: Iterable[tuple[int, int, str]]) -> str:
    """``text`` with ``edits`` made (the first of :func:`decode_with_map`)."""
    out: list[str] = []
    pos = 0
    for start, end, value in edits:
        if start < pos:
            continue  # overlapping edits cannot happen with today's tag finder; never corrupt the map
        out.append(text[pos:start])
        out.append(value)
        pos = end
    out.append(text[pos:])
    return "".join(out)


class OffsetMap:
    """For each character of ``_decoded(text, edits)``, its offset in ``text``, and ``len(text)`` after the last.

    Kept as the runs between edits (a copied run maps by an offset, an edit's
    value to the edit's start) and looked up by a binary search: an int per
    character, as a list, held 36 bytes a character (100 MB for a 2.8 MB body
    whose words FL401 placed).  The runs also give back any stretch of the
    decoded text (:meth:`decoded`), so that need not be kept.
    """

    __slots__ = ("_text", "_starts", "_origins", "_values", "_size")

    def __init__(self, text: str, edits: Iterable[tuple[int, int, str]]) -> None:
        self._text = text
        self._starts = array("q")  # each run's first decoded offset, increasing
        self._origins = array("q")  # its first character's offset in text (an edit's value: the edit's start)
        self._values: list[str | None] = []  # None: a run copied from text; else the edit's value
        size = pos = 0
        for start, end, value in edits:
            if start < pos:
                continue  # the edits _decoded skips
            if start > pos:
                self._run(size, pos, None)
                size += start - pos
            if value:
                self._run(size, start, value)
                size += len(value)
            pos = end
        self._run(size, pos, None)  # to len(text), inclusive
        self._size = size + len(text) - pos + 1

    def _run(self, start: int, origin: int, value: str | None) -> None:
        self._starts.append(start)
        self._origins.append(origin)
        self._values.append(value)

    def __len__(self) -> int:
        return self._size

    def __getitem__(self, offset: int) -> int:
        if offset < 0:
            offset += self._size
        if not 0 <= offset < self._size:
            raise IndexError("decoded offset out of range")
        i = bisect_right(self._starts, offset) - 1
        origin = self._origins[i]
        return origin + offset - self._starts[i] if self._values[i] is None else origin

    def decoded(self, start: int, stop: int) -> str:
        """``_decoded(text, edits)[start:stop]`` (``0 <= start <= stop``), made from ``text`` and the edits' values."""
        stop = min(stop, self._size - 1)
        pieces: list[str] = []
        i = bisect_right(self._starts, start) - 1
        while start < stop:
            first = self._starts[i]
            end = min(stop, self._starts[i + 1] if i + 1 < len(self._starts) else stop)
            value = self._values[i]
            if value is None:
                origin = self._origins[i] - first
                pieces.append(self._text[origin + start : origin + end])
            else:
                pieces.append(value[start - first : end - first])
            start = end
            i += 1
        return "".join(pieces)


# -- paragraphs -----------------------------------------------------------------
class Paragraph:
    """One paragraph: its normalised words and, as ``spans``, where each word is in the source string ([start, end)).

    The kinds below make the spans when asked: a finding needs the spans of
    a paragraph or two, not of every word.
    """

    __slots__ = ("words",)

    def __init__(self, words: list[str]) -> None:
        self.words = words

    @property
    def spans(self) -> Sequence[tuple[int, int]]:
        raise NotImplementedError

    @property
    def text(self) -> str:
        return " ".join(self.words)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Paragraph) and (self.words, list(self.spans)) == (other.words, list(other.spans))

    def __repr__(self) -> str:
        return f"Paragraph(words={self.words!r}, spans={list(self.spans)!r})"


class HtmlParagraph(Paragraph):
    """A paragraph of the HTML's text: every word spans the whole paragraph, ``[start, end)`` in the HTML."""

    __slots__ = ("start", "end")

    def __init__(self, words: list[str], start: int, end: int) -> None:
        super().__init__(words)
        self.start, self.end = start, end

    @property
    def spans(self) -> Sequence[tuple[int, int]]:
        return SameSpan((self.start, self.end), len(self.words))


class BodyParagraph(Paragraph):
    """A paragraph of a plain-text body: its words' spans are read off ``[start, stop)`` of the decoded body when first asked.

    ``body`` is ``(text, where, fold)``, one tuple for all the body's
    paragraphs (a function and its arguments a paragraph held about 250 bytes).
    """

    __slots__ = ("_body", "_start", "_stop", "_spans")

    def __init__(self, words: list[str], body: "tuple[str, OffsetMap, bool]", start: int, stop: int) -> None:
        super().__init__(words)
        self._body, self._start, self._stop = body, start, stop
        self._spans: WordSpans | None = None

    @property
    def spans(self) -> "WordSpans":
        if self._spans is None:
            text, where, fold = self._body
            self._spans = _word_spans(text, where, self._start, self._stop, fold)
        return self._spans


def body_key(text: str, fold: bool = True, strip_markup: bool = True, conventions: PlainConventions | None = None) -> str:
    """The plain-text body as one comparable string (the fast path)."""
    if (strip_markup and "<" in text) or conventions:
        text = _decoded(text, _decoding_edits(text, strip_markup, conventions))
    return comparison_key(text, fold)


def marker_candidates(text: str, fold: bool = True, strip_markup: bool = True, conventions: PlainConventions = PlainConventions()) -> tuple[list[str], list[tuple[int, int, list[str]]]]:
    """The words of :func:`body_key` and the line markers it drops, each as ``(offset, word index, its words)``.

    The word index is where the marker stood among the words: before the word
    of that index.  A marker is dropped with the white space around it, from
    the start of its line, so usually no word is split or joined at it and the
    words of the pieces between markers are the words of the whole.  Where
    that is not so (a dropped ``[url]`` took the line break before the marker),
    a marker is listed only if the words before and after it are the words of
    the whole, at most :data:`_MAX_MARKER_CHECKS` such markers a text.
    """
    edits = _decoding_edits(text, strip_markup, conventions)
    drops = {(m.start(), m.end()): m.group() for m in _marker_edits(text, conventions)}
    pieces: list[str] = []
    cuts: list[tuple[int, int, list[str]]] = []  # (offset in text, offset in the decoded text, marker words)
    size = pos = 0
    for start, end, value in edits:
        if start < pos:
            continue  # as _decoded
        for part in (text[pos:start], value):
            pieces.append(part)
            size += len(part)
        pos = end
        marker = drops.get((start, end))
        if marker is not None and not value:
            cuts.append((start, size, comparison_key(marker, fold).split()))
    pieces.append(text[pos:])
    decoded = "".join(pieces)
    words = split_words(comparison_key(decoded, fold), {})
    found: list[tuple[int, int, list[str]]] = []
    read = 0  # the words of the pieces so far, each piece compared with the whole's words at its place (no second list of them all)
    same = True
    last = 0
    for offset, at, marker in cuts:
        part = comparison_key(decoded[last:at], fold).split()
        same = same and words[read : read + len(part)] == part
        read += len(part)
        found.append((offset, read, marker))
        last = at
    if same and words[read:] == comparison_key(decoded[last:], fold).split():
        return words, found
    found = []
    for offset, at, marker in cuts[:_MAX_MARKER_CHECKS]:
        before = comparison_key(decoded[:at], fold).split()
        if before + comparison_key(decoded[at:], fold).split() == words:
            found.append((offset, len(before), marker))
    return words, found


_MAX_MARKER_CHECKS = 64


def _end(text: str, where: OffsetMap, b: int) -> int:
    """Where a word ending at decoded offset ``b`` ends in ``text``: not past a deletion that follows it (a dropped ``[url]``)."""
    end, last = where[b], where[b - 1]
    return last + 1 if end - last > 1 and text[last] != "&" else end


def body_paragraphs(text: str, fold: bool = True, strip_markup: bool = True, conventions: PlainConventions | None = None, vocabulary: dict[str, str] | None = None) -> list[Paragraph]:
    """Paragraphs of a plain-text body (separated by blank lines), with each word's exact span.

    A line holding only ``&nbsp;`` or other white space counts as blank, so the
    CMS's spacer lines separate paragraphs like an empty line does.
    ``vocabulary``: each word is kept as the equal string found there first
    (:func:`split_words`).  The decoded text is read a stretch at a time
    (:func:`_decoded_stretches`), never made whole: with the list it was
    joined from, two copies of a huge body (75 MB for a 21 MB body of curly
    quotes, stored two bytes a character).
    """
    vocabulary = {} if vocabulary is None else vocabulary
    where = OffsetMap(text, _decoding_edits(text, strip_markup, conventions))  # kept for the spans: its runs, not the edits
    body = (text, where, fold)
    paragraphs: list[Paragraph] = []
    words: list[str] = []
    start = 0

    def finish(stop: int) -> None:
        if words:
            paragraphs.append(BodyParagraph(words, body, start, stop))

    for offset, stretch in _decoded_stretches(where):
        pos = 0
        for m in _BLANK_LINES.finditer(stretch):
            words += _segment_words(stretch[pos : m.start()], vocabulary, fold)
            finish(offset + m.start())
            words, start, pos = [], offset + m.end(), m.end()
        words += _segment_words(stretch[pos:], vocabulary, fold)
    finish(len(where) - 1)
    return paragraphs


def _segment_words(segment: str, vocabulary: dict[str, str], fold: bool) -> list[str]:
    """The normalised words of a stretch of decoded plain text."""
    if segment.isascii() and "&" not in segment:  # nothing to normalise: the common case, split at C speed
        return split_words(segment, vocabulary)
    words: list[str] = []
    for word in split_words(segment, vocabulary):
        if word.isascii() and "&" not in word:
            words.append(word)
        else:
            words += normalise(decode_entities(word), fold).split()  # a decoded entity may hold a space
    return words


def _decoded_stretches(where: OffsetMap) -> Iterator[tuple[int, str]]:
    """The decoded text in consecutive stretches of about :data:`_pieces.PIECE` characters, each with its offset.

    Each stretch but the last ends where white space starts after a word, so
    no word and no run of white space (a blank line) is cut in two: the
    stretches' words and blank lines are the whole text's.  A text no longer
    than a piece is one stretch (with no edits, the text itself).
    """
    n = len(where) - 1
    a, size = 0, _pieces.PIECE
    while a < n:
        b = min(n, a + size)
        stretch = where.decoded(a, b)
        if b < n:
            cut = _white_space_after_last_word(stretch)
            if not cut:  # one word, or white space only: a longer stretch
                size *= 2
                continue
            stretch = stretch[:cut]
        yield a, stretch
        a, size = a + len(stretch), _pieces.PIECE


def _white_space_after_last_word(text: str) -> int:
    """Where the run of white space starts that follows the last word but one or, when ``text`` ends in white space, the last word (0: none)."""
    head = text.rstrip()
    if len(head) < len(text):
        return len(head)
    parts = text.rsplit(None, 1)
    return len(text[: len(text) - len(parts[1])].rstrip()) if len(parts) == 2 else 0


def split_words(text: str, vocabulary: dict[str, str], sep: str | None = None) -> list[str]:
    """``text.split(sep)``, each word the equal string first put in ``vocabulary``.

    A text's words repeat (a news body of 400,000 words has a few thousand
    different ones): a word list then holds a pointer a word, not a string
    object of about 55 bytes.  A huge text is split a piece at a time
    (:func:`_pieces.words`), so its words are never all separate strings at once.
    """
    keep = vocabulary.setdefault
    words: list[str] = []
    for pieces in _pieces.words(text, sep):
        words += map(keep, pieces, pieces)
    return words


class _Spans(Sequence):
    """A paragraph's word spans read like a list of ``(start, end)``, each made by :meth:`_at` when asked."""

    __slots__ = ()

    def _at(self, index: int) -> tuple[int, int]:
        raise NotImplementedError

    def __getitem__(self, index):  # type: ignore[override]
        n = len(self)
        if isinstance(index, slice):
            return [self._at(i) for i in range(*index.indices(n))]
        if index < 0:
            index += n
        if not 0 <= index < n:
            raise IndexError("word index out of range")
        return self._at(index)


class SameSpan(_Spans):
    """``[span] * n`` without the list: every word of an HTML paragraph spans the paragraph."""

    __slots__ = ("_span", "_n")

    def __init__(self, span: tuple[int, int], n: int) -> None:
        self._span, self._n = span, n

    def __len__(self) -> int:
        return self._n

    def _at(self, index: int) -> tuple[int, int]:
        return self._span


def _word_spans(text: str, where: OffsetMap, start: int, stop: int, fold: bool) -> "WordSpans":
    """The spans in ``text`` of the words :func:`body_paragraphs` reads in the decoded text's ``[start, stop)``, one per word.

    ``\\S+`` runs are the words ``str.split()`` gives (both split at
    ``str.isspace`` characters); a word that decodes to several words gives
    each of them its span.
    """
    bounds = array("i" if len(where) < 1 << 31 else "q")  # each word's decoded start and end, in pairs (4 bytes each when they fit)
    for m in _WORD.finditer(where.decoded(start, stop)):
        word = m.group(0)
        a, b = m.start() + start, m.end() + start
        if word.isascii() and "&" not in word:
            bounds.extend((a, b))
        else:
            bounds.extend((a, b) * len(normalise(decode_entities(word), fold).split()))
    return WordSpans(text, where, bounds)


class WordSpans(_Spans):
    """The words' ``(start, end)`` in the source text, each made when asked from its decoded bounds.

    8 bytes a word (16 past 2 G characters), where a list of tuples held
    about 120: the word diff of a huge paragraph asks for the spans of a few words.
    """

    __slots__ = ("_text", "_where", "_bounds")

    def __init__(self, text: str, where: OffsetMap, bounds: array) -> None:
        self._text, self._where, self._bounds = text, where, bounds

    def __len__(self) -> int:
        return len(self._bounds) // 2

    def _at(self, index: int) -> tuple[int, int]:
        return self._where[self._bounds[2 * index]], _end(self._text, self._where, self._bounds[2 * index + 1])


# -- HTML scan --------------------------------------------------------------------
@dataclass(frozen=True)
class Repair:
    """A place where an HTML5 parser has to repair the markup."""

    kind: str  # misnested | unclosed | stray
    start: int
    end: int
    message: str
    evidence: str


@dataclass
class HtmlScan:
    paragraphs: list[tuple[str, int, int]] = field(default_factory=list)  # (raw text, start, end) in the HTML
    repairs: list[Repair] = field(default_factory=list)
    complete: bool = True  # False: more than MAX_REPAIRS, the rest were not counted
    code: frozenset[int] = frozenset()  # indices of the paragraphs that start inside a code element (``pre code kbd samp tt``)
    empty_items: int = 0  # list items without text (``<li></li>``)
    in_item: frozenset[int] = frozenset()  # indices of the paragraphs that start inside a list item
    in_quote: frozenset[int] = frozenset()  # indices of the paragraphs that start inside a blockquote

    def key(self, fold: bool = True, markers: tuple[str, ...] = (), skip: frozenset[int] = frozenset()) -> str:
        """All visible text as one comparable string (the fast path); ``markers``: line markers dropped where a paragraph starts with one (not in code); ``skip``: paragraphs left out."""
        return " ".join(t for i, t in enumerate(self.keys(fold, markers)) if t and i not in skip)

    def keys(self, fold: bool = True, markers: tuple[str, ...] = ()) -> Iterator[str]:
        """The comparable string of each paragraph, one at a time (empty for one without words once its marker is dropped)."""
        keys = (comparison_key(raw, fold) for raw, _, _ in self.paragraphs)
        if not markers:
            return keys
        code, marker = self.code, _marker_pattern(markers)
        return (k if i in code else marker.sub("", k, count=1).strip() for i, k in enumerate(keys))

    def text_paragraphs(self, fold: bool = True, markers: tuple[str, ...] = (), skip: frozenset[int] = frozenset(), vocabulary: dict[str, str] | None = None) -> list[Paragraph]:
        """Paragraphs of the HTML's text, each word spanning its paragraph (``vocabulary``: as :func:`split_words`)."""
        vocabulary = {} if vocabulary is None else vocabulary
        out = []
        for i, (raw, start, end) in enumerate(self.paragraphs):
            if i in skip:
                continue
            text = normalise(decode_entities(raw), fold)
            if markers and i not in self.code:
                text = _marker_pattern(markers).sub("", text, count=1).strip()
            if text:
                words = split_words(text, vocabulary, " ")
                out.append(HtmlParagraph(words, start, end))
        return out


@dataclass(slots=True)
class _Open:
    name: str
    start: int
    end: int
    self_closing: bool = False
    reported: bool = False  # a repair already names this element; do not report it again as unclosed
    item: int = -1  # a list item's index in ``_Scanner.items``


def _tag(name: str, end: bool = False) -> str:
    return f"`</{name}>`" if end else f"`<{name}>`"


class _Scanner:
    """Tokenizes once; tracks open elements like an HTML5 tree builder would, and collects text."""

    def __init__(self, source: str, hidden: frozenset[str] = frozenset()) -> None:
        self.src = source
        self.hidden = hidden  # elements whose text is left out (e.g. figcaption)
        self.hiding = 0  # how many of them are open
        self.stack: list[_Open] = []
        self.count: dict[str, int] = {}  # open elements by name: most searches end here, in O(1)
        self.tracking = True  # False once MAX_REPAIRS are found: text only from then on
        self.repairs: list[Repair] = []
        self.absorbed: dict[str, int] = {}  # end tags owed by elements a reported repair already closed
        self.closed_by: dict[str, str] = {}  # element name -> the start tag that implicitly closed it last
        self.paragraphs: list[tuple[str, int, int]] = []
        self.code: set[int] = set()  # paragraphs that start inside a code element
        self.in_item: set[int] = set()  # paragraphs that start inside a list item
        self.in_quote: set[int] = set()  # paragraphs that start inside a blockquote
        self.items: list[bool] = []  # per <li> started: whether text followed before the next <li> or the list's end
        self._parts: list[str] = []
        self._start = -1
        self._end = -1
        self._br = False

    # -- text ---------------------------------------------------------------
    def text(self, start: int, end: int) -> None:
        if start == end or self.hiding:
            return
        raw = self.src[start:end]
        value = unescape_text(raw) if "&" in raw else raw
        if value.strip():
            if self.count.get("li"):
                self.mark_item()
            if self._start < 0:
                self._start = start + len(raw) - len(raw.lstrip())
                if not _CODE.isdisjoint(self.count) and any(self.count.get(n) for n in _CODE):
                    self.code.add(len(self.paragraphs))
                if self.count.get("li"):
                    self.in_item.add(len(self.paragraphs))
                if self.count.get("blockquote"):
                    self.in_quote.add(len(self.paragraphs))
            self._end = end - (len(raw) - len(raw.rstrip()))
            self._br = False
        self._parts.append(value)

    def boundary(self) -> None:
        if self._start >= 0:
            self.paragraphs.append(("".join(self._parts), self._start, self._end))
        self._parts, self._start, self._end, self._br = [], -1, -1, False

    def line_break(self) -> None:
        if self._br:
            self.boundary()  # two <br> in a row end a paragraph
        else:
            self._parts.append("\n")
            self._br = True

    # -- tree ---------------------------------------------------------------
    def repair(self, kind: str, start: int, end: int, message: str, evidence: str) -> None:
        self.repairs.append(Repair(kind, start, end, message, evidence))
        if len(self.repairs) >= MAX_REPAIRS:
            self.tracking = False

    def push(self, o: _Open) -> None:
        self.stack.append(o)
        self.count[o.name] = self.count.get(o.name, 0) + 1
        if o.name in self.hidden:
            self.hiding += 1

    def pop(self) -> _Open:
        o = self.stack.pop()
        self.count[o.name] -= 1
        if o.name in self.hidden:
            self.hiding -= 1
        return o

    def cut(self, index: int) -> None:
        for o in self.stack[index:]:
            self.count[o.name] -= 1
            if o.name in self.hidden:
                self.hiding -= 1
        del self.stack[index:]

    def is_open(self, names: frozenset[str] | set[str]) -> bool:
        return any(self.count.get(n) for n in names)

    def find(self, names: frozenset[str] | set[str], scope: frozenset[str] | set[str]) -> int | None:
        if not self.is_open(names):
            return None
        for i in range(len(self.stack) - 1, -1, -1):
            name = self.stack[i].name
            if name in names:
                return i
            if name in scope:
                return None
        return None

    def close(self, index: int, trigger: str, start: int, end: int, strict: bool = False, implicit: bool = False) -> None:
        """Pop ``stack[index:]``; elements above the target that need an end tag are a misnesting."""
        target = self.stack[index]
        above = self.stack[index + 1 :]
        bad = [o for o in above if not o.reported and (strict or o.name not in OPTIONAL_END)]
        if bad:
            inner = bad[-1].name
            names = ", ".join(_tag(o.name) for o in bad)
            if implicit:
                msg = f"{trigger} closes the open {_tag(target.name)} while {names} inside it is still open"
            else:
                msg = f"misnested tags: {trigger} while {names} is still open (close {_tag(inner)} first)"
            self.repair("misnested", start, end, msg, f"misnested:{trigger}:{inner}")
            for o in bad:
                self.absorbed[o.name] = self.absorbed.get(o.name, 0) + 1
        if implicit:
            self.closed_by[target.name] = trigger
        self.cut(index)

    def close_p(self, trigger: str, start: int, end: int) -> None:
        if not self.count.get("p"):
            return
        i = self.find({"p"}, BUTTON_SCOPE)
        if i is not None:
            self.close(i, trigger, start, end, implicit=True)

    def start_tag(self, name: str, start: int, end: int, self_closing: bool) -> None:
        if not self.tracking:
            if name in BLOCK:
                self.boundary()
            elif name == "br":
                self.line_break()
            return
        if name not in _START_EFFECTS and not self_closing:
            self.push(_Open(name, start, end))  # the common case: an inline element such as <span>
            self.closed_by.pop(name, None)
            return
        tag = _tag(name)
        if name in IGNORED:
            return
        if name in BLOCK:
            self.boundary()
        if name in ("ul", "ol") and self.count.get("li"):
            self.mark_item()  # the item holding a nested list is not empty: html-to-text writes the nested list on its line
        wanted = {"li"} if name == "li" else {"dd", "dt"}
        if name in ("li", "dd", "dt") and self.is_open(wanted):
            for i in range(len(self.stack) - 1, -1, -1):
                node = self.stack[i].name
                if node in wanted:
                    self.close(i, tag, start, end, implicit=True)
                    break
                if node in SPECIAL and node not in ("address", "div", "p"):
                    break
        if name in CLOSES_P:
            self.close_p(tag, start, end)
        if name in HEADINGS and self.stack and self.stack[-1].name in HEADINGS:
            outer = self.pop()
            self.repair("misnested", start, end, f"heading {tag} inside the open heading {_tag(outer.name)}", f"misnested:{tag}:{outer.name}")
            self.absorbed[outer.name] = self.absorbed.get(outer.name, 0) + 1
        elif name in _TABLE_PARTS and name != "table" and not self.count.get("table"):
            self.repair("stray", start, end, f"{tag} outside a table: the parser ignores the tag", f"stray:{tag}")
            self.absorbed[name] = self.absorbed.get(name, 0) + 1
            return
        elif name in ("td", "th"):
            i = self.find({"td", "th"}, TABLE_SCOPE | {"tr"})
            if i is not None:
                self.close(i, tag, start, end, implicit=True)
        elif name == "tr":
            i = self.find({"tr"}, TABLE_SCOPE | {"tbody", "thead", "tfoot"})
            if i is not None:
                self.close(i, tag, start, end, implicit=True)
        elif name in ("tbody", "thead", "tfoot"):
            i = self.find({"tbody", "thead", "tfoot"}, TABLE_SCOPE)
            if i is not None:
                self.close(i, tag, start, end, implicit=True)
        elif name == "a":
            i = self.find({"a"}, SCOPE)
            if i is not None:
                self.repair("misnested", start, end, f"link {tag} inside another open link", "misnested:<a>:a")
                above = self.stack[i + 1 :]
                for o in [self.stack[i], *(o for o in above if o.name not in OPTIONAL_END)]:
                    self.absorbed[o.name] = self.absorbed.get(o.name, 0) + 1
                self.cut(i)
        elif name in ("option", "optgroup") and self.stack and self.stack[-1].name == "option":
            self.pop()
        if name in VOID:
            if name == "br":
                self.line_break()
            return
        if self_closing and (name in FOREIGN or self.is_open(FOREIGN)):
            return  # <svg/> and <path/> inside <svg> really are self-closing
        self.push(_Open(name, start, end, self_closing, item=len(self.items) if name == "li" else -1))
        if name == "li":
            self.items.append(False)
        self.closed_by.pop(name, None)

    def mark_item(self) -> None:
        """The innermost open list item has text (or a nested list)."""
        for o in reversed(self.stack):
            if o.name == "li":
                if o.item >= 0:
                    self.items[o.item] = True
                return

    def end_tag(self, name: str, start: int, end: int) -> None:
        stack = self.stack
        if stack and stack[-1].name == name:  # closes the current element: never a repair
            if name in BLOCK:
                self.boundary()
            self.pop()
            return
        if not self.tracking:
            if name in BLOCK:
                self.boundary()
            return
        tag = _tag(name, end=True)
        if name in IGNORED:
            return
        if name in BLOCK:
            self.boundary()
        if name in VOID:
            if name == "br":
                self.repair("stray", start, end, "`</br>` is not an end tag: the parser reads it as a `<br>` line break", "stray:</br>")
                self.line_break()
            return  # </img> and the like are dropped without effect
        if name in HEADINGS:
            i = self.find(HEADINGS, SCOPE)
            if i is not None and self.stack[i].name != name:
                self.repair("misnested", start, end, f"{tag} closes the open heading {_tag(self.stack[i].name)}", f"misnested:{tag}:{self.stack[i].name}")
                self.absorbed[self.stack[i].name] = self.absorbed.get(self.stack[i].name, 0) + 1
                self.cut(i)
                return
        elif name == "p":
            i = self.find({"p"}, BUTTON_SCOPE)
        elif name == "li":
            i = self.find({"li"}, LIST_SCOPE)
        elif name in _TABLE_PARTS:
            i = self.find({name}, TABLE_SCOPE)
        elif name in FORMATTING or name in SPECIAL:
            i = self.find({name}, SCOPE)
        else:
            i = None
            for j in range(len(self.stack) - 1 if self.count.get(name) else -1, -1, -1):
                if self.stack[j].name == name:
                    i = j
                    break
                if self.stack[j].name in SPECIAL:
                    break
        if i is None:
            if self.absorbed.get(name):
                self.absorbed[name] -= 1
                return
            if name == "p":
                why = f" ({self.closed_by['p']} before it already closed the paragraph)" if "p" in self.closed_by else ""
                self.repair("stray", start, end, f"stray `</p>`: no paragraph is open{why}; the parser inserts an empty paragraph", "stray:</p>")
            elif self.count.get(name):
                k = max(j for j, o in enumerate(self.stack) if o.name == name)
                self.stack[k].reported = True
                blocking = [o.name for o in self.stack[k + 1 :] if o.name not in OPTIONAL_END] or [self.stack[-1].name]
                inner = blocking[-1]
                self.repair("misnested", start, end, f"misnested tags: {tag} while {_tag(inner)} is still open (close {_tag(inner)} first); the parser ignores {tag}", f"misnested:{tag}:{inner}")
            else:
                self.repair("stray", start, end, f"stray {tag}: no open {_tag(name)} to close; the parser drops it", f"stray:{tag}")
            return
        self.close(i, tag, start, end, strict=name in FORMATTING)

    def finish(self) -> None:
        self.boundary()
        for o in self.stack:
            if o.name in OPTIONAL_END or o.reported:
                continue
            if not self.tracking:
                break
            if o.self_closing:
                msg = f"`<{o.name}/>` does not close itself in HTML: the element stays open to the end of the field"
            else:
                msg = f"{_tag(o.name)} is never closed; the parser closes it at the end of the field"
            self.repair("unclosed", o.start, o.end, msg, f"unclosed:{o.name}")

    def run(self) -> HtmlScan:
        src = self.src
        pos = 0
        n = len(src)
        tokens = _MARKUP.finditer(src)
        while (m := next(tokens, None)) is not None:
            if m.start() < pos:
                continue  # inside raw text (a script) that was skipped
            self.text(pos, m.start())
            pos = m.end()
            is_end, name, attrs, closed = m.groups()
            if name is None:
                continue  # comment or the like: no text, no structure
            if not closed:
                if self.tracking:
                    self.repair("unclosed", m.start(), pos, f"tag `{src[m.start():m.start() + 12]}…` is cut off by the end of the field; the parser drops it", "cut-off-tag")
                continue
            name = name.lower()
            if is_end:
                self.end_tag(name, m.start(), pos)
                continue
            self_closing = name not in VOID and self_closing_slash(attrs)
            self.start_tag(name, m.start(), pos, self_closing)
            if name in RAWTEXT_HIDDEN or name in RAWTEXT_SHOWN:  # "/>" does not end them either
                close = re.compile(r"</" + re.escape(name) + r"(?=[\s/>])[^>]*>", re.I).search(src, pos)
                content_end = close.start() if close else n
                if name in RAWTEXT_SHOWN:
                    self.text(pos, content_end)
                if close is None:
                    pos = n
                    break
                pos = close.end()
                self.end_tag(name, close.start(), close.end())
                tokens = _MARKUP.finditer(src, pos)  # restart: a match inside the raw text may overlap its end
        self.text(pos, n)
        self.finish()
        self.repairs.sort(key=lambda r: r.start)
        return HtmlScan(self.paragraphs, self.repairs, complete=self.tracking, code=frozenset(self.code), empty_items=self.items.count(False), in_item=frozenset(self.in_item), in_quote=frozenset(self.in_quote))


def scan_html(source: str, hidden: frozenset[str] = frozenset()) -> HtmlScan:
    """Paragraphs of visible text and the parser repairs of one HTML fragment.

    The text inside elements named in ``hidden`` is left out.
    """
    return _Scanner(source, hidden).run()


# -- fast path: one cheap pass for the common case --------------------------------
_BREAKS = BLOCK | {"br"}
_RAWTEXT = RAWTEXT_HIDDEN | RAWTEXT_SHOWN | {"plaintext"}
_QUICK_UNSURE = _TABLE_PARTS | FOREIGN | IGNORED | {"li", "dd", "dt", "option", "optgroup"}


class QuickScan:
    """What one pass of the tokenizer tells without the tree tracking of :class:`_Scanner`.

    ``text`` is the visible text with block elements and ``<br>`` as spaces
    (entities not yet decoded); ``clean`` True means certainly nothing to
    repair (False: the full scan must decide).  The C-speed pass also keeps
    ``bare``, the text with *every* tag dropped (no spaces added), and builds
    ``text`` only when asked: on a usual CMS record ``bare`` is the plain-text
    body itself, and :meth:`bare_keeps_words` tells when it has the words of
    ``text``, so neither the spaced text nor the word comparison is needed.

    A field longer than :data:`_pieces.PIECE` is passed in pieces and keeps
    neither its pieces nor ``bare`` nor ``text`` (``pieces`` True): :meth:`bare_is` and
    :meth:`surely_has_text` split it again a piece at a time, and ``bare`` and
    ``text`` are joined each time they are asked for.  Its list of tag pieces used to
    weigh more than the record.
    """

    __slots__ = ("clean", "_bare", "_text", "_parts", "_source", "_breaks", "_tokens", "_keeps", "_pieces")

    def __init__(self, text: str | None, clean: bool, bare: str | None = None, parts: list[str] | None = None, source: str = "", breaks: frozenset[str] = frozenset(), pieces: bool = False, tokens: frozenset[str] | None = None) -> None:
        self.clean = clean
        self._bare = bare
        self._text = text
        self._parts = parts  # text, tag name, text, ...: what ``text`` is joined from
        self._source = source
        self._breaks = breaks  # block or <br> names among the tags (without "/")
        self._tokens = tokens  # the same as ``parts`` names them ("p", "/p"); None: some name is not plain (see _breaks_beside_space)
        self._pieces = pieces  # a long field: ``bare`` and ``text`` are made from ``source`` a piece at a time
        self._keeps: bool | None = None if breaks else True

    @property
    def bare(self) -> str | None:
        """The text with every tag dropped (None: the tag loop made this scan); a long field's is joined anew each time."""
        if self._bare is None and self._pieces:
            return "".join(self._bare_pieces())
        return self._bare

    def _has_bare(self) -> bool:
        return self._bare is not None or self._pieces

    def _split_pieces(self) -> Iterator[list[str]]:
        """A long field's :func:`_SIMPLE_TAG_NAME` split, piece by piece (text, name, text, ..., text each)."""
        split = _SIMPLE_TAG_NAME.split
        for piece in _pieces.cut_before(self._source, "<"):
            yield split(piece)

    def _bare_pieces(self) -> Iterator[str]:
        for parts in self._split_pieces():
            yield "".join(parts[0::2])

    def bare_is(self, text: str) -> bool:
        """``text == self.bare``, a long field's compared piece by piece (nothing as long as the field is made)."""
        if not self._pieces or self._bare is not None:
            return text == self._bare
        pos = 0
        for bare in self._bare_pieces():
            if not text.startswith(bare, pos):
                return False
            pos += len(bare)
        return pos == len(text)

    @property
    def text(self) -> str:
        """The visible text; a long field's is joined anew each time (kept, it would outlive the rule that asked, as long as the record)."""
        if self._text is None:
            if self._pieces:
                return "".join(_spaced("".join, parts) for parts in self._split_pieces())
            else:
                self._text = _spaced("".join, self._parts)
                self._parts = None
        return self._text

    def bare_keeps_words(self) -> bool:
        """``bare`` splits into the words of ``text``: no block tag or ``<br>`` stands between two non-space characters.

        ``text`` is ``bare`` with a space where each such tag was; a space next
        to white space (or at an end) joins or splits no word, so then the two
        hold the same words, and every ``&``-reference of one is one of the other.
        """
        if self._keeps is None:
            self._keeps = self._has_bare() and (self._breaks_beside_space() or _break_inside_word(self._breaks).search(self._source) is None)
        return self._keeps

    def _breaks_beside_space(self) -> bool:
        """Each block tag and ``<br>`` has a text of white space only, or an end of the field, right beside it.

        Then no run of adjacent tags holding one stands between two
        non-space characters (that side of its run is white space or an
        end), so :func:`_break_inside_word` finds nothing: the CMS's usual
        ``\\r\\n\\r\\n<p><span>`` and ``</span></p>\\r\\n\\r\\n``.  One C-speed
        map over the split and a mask instead of a regex step at each
        ``<``: 74 K instead of 118 K instructions on a 7 KB body.  False
        means "not decided here" (a break beside a word, the text already
        joined, a tag name that is not plain): the regex decides.
        """
        parts, tokens = self._parts, self._tokens
        if parts is None or tokens is None:
            return False
        apart = bytearray(map(str.isspace, parts[0::2])).translate(_NOT_BYTE)  # per text: 0 if white space only
        apart[0] &= bool(parts[0])  # the field's ends
        apart[-1] &= bool(parts[-1])
        n = len(apart) - 1
        both = int.from_bytes(apart[:-1], "big") & int.from_bytes(apart[1:], "big")  # per tag, a byte: 1 if neither text beside it is
        return not both or tokens.isdisjoint(compress(parts[1::2], both.to_bytes(n, "big")))

    def surely_has_text(self) -> bool:
        """:func:`surely_has_text` of ``text``, usually read off its first pieces without joining it."""
        if self._keeps and self._has_bare():
            if self._bare is not None:
                return surely_has_text(self._bare)  # already known to hold the words of ``text``
            return _surely_has_text_in(self._bare_pieces())
        parts = self._parts
        if parts is not None:
            head = ""
            for i in range(min(len(parts), 9)):
                piece = parts[i] if not i % 2 else " " if parts[i] in _BREAK_TOKENS else ""
                if not piece:
                    continue
                head += piece
                end = _BLANK_PREFIX.match(head).end()
                if end < len(head) and head[end] != "&":  # a character that ends the blank prefix of the whole text too
                    return surely_has_text(head)
        if self._pieces and self._text is None:
            return _surely_has_text_in(_spaced("".join, parts) for parts in self._split_pieces())
        return surely_has_text(self.text)

    def key(self, fold: bool = True) -> str:
        return comparison_key(self.text, fold, html=True)


def _spaced(join, parts: list[str]) -> str:
    """The split ``parts`` (text, name, text, ...) joined with block tags and ``<br>`` as a space, the other tags as nothing."""
    parts[1::2] = [" " if name in _BREAK_TOKENS else "" for name in parts[1::2]]  # block tags and <br> read as a space
    return join(parts)


def _surely_has_text_in(pieces: Iterator[str]) -> bool:
    """:func:`surely_has_text` of the pieces joined, from as few of the first pieces as decide it.

    The blank prefix (white space, complete references) ends at a character
    that is not ``&`` in the pieces read so far: then it ends there in the whole
    text too.  Matching goes on from where the last match stopped (the
    prefix is a run of tokens), so a long blank field is read once.
    """
    head, end = "", 0
    for piece in pieces:
        head += piece
        end = _BLANK_PREFIX.match(head, end).end()
        if end < len(head) and head[end] != "&":
            break
    return surely_has_text(head)


@functools.lru_cache(maxsize=64)
def _break_inside_word(names: frozenset[str]) -> re.Pattern:
    """A run of adjacent tags holding one of ``names`` between two non-space characters of text.

    Only for markup the C-speed pass accepted (every ``<`` opens a simple tag,
    no ``<`` or ``>`` inside one).  It starts only where a run of tags starts
    after text; the atomic group commits to the run's first such tag, so each
    run is read once: linear.
    """
    return re.compile(
        r"<(?<=[^\s>]<)(?>(?:[^>]*+><)*?/?(?:" + _alternation(names) + r")(?=[\s/>]))[^>]*+>(?:<[^>]*+>)*+(?=[^\s<])"
    )


def _alternation(names) -> str:
    return "|".join(sorted(map(re.escape, names), key=lambda n: (-len(n), n)))


# A tag with nothing surprising inside: no ``<`` or ``>`` in its attributes, quotes closed.  The
# attributes are read as ``_ATTRIBUTES`` reads them (a quote opens a value only after "="), so
# where this finds a tag's end the full tokenizer does too.
# Possessive quantifiers: a tag never needs backtracking, and this runs over every byte of HTML.
_SIMPLE_ATTRIBUTES = rf"""(?:[{_WS}/]++|[^{_WS}/<>][^{_WS}/<>=]*+(?:[{_WS}]*+=[{_WS}]*+(?:"[^"<>]*+"|'[^'<>]*+'|(?!["'])[^{_WS}<>]*+)|(?![{_WS}]*+=)))*+"""
_SIMPLE_TAG_NAME = re.compile(rf"<(/?[A-Za-z][^{_WS}/<>]*+)" + _SIMPLE_ATTRIBUTES + ">")
# The tags CMS bodies are made of (``<p>``, ``</span>``, ``<span style="font-size:16px;">``): a
# sub-language of ``_SIMPLE_TAG_NAME`` with the same name group and no ``<`` inside, read with
# fewer steps of the regex engine (see :func:`_split_tags`).
_USUAL_TAG_NAME = re.compile(rf"""<(/?+[A-Za-z][^{_WS}/<>]*+)(?:>|(?: [a-z-]++="[^"<>]*+")++>)""")
# Tag names made of these only ("p", "/span", "h2") are a break for _break_inside_word exactly when in _BREAK_TOKENS.
_PLAIN_NAMES = re.compile("[a-z0-9/]*+")
_NOT_BYTE = bytes([1, 0]) + bytes(254)  # translate table: 0 -> 1, 1 -> 0
# Tokens of the tag skeleton ``<p><span></span></p>`` (names only).
_UNSURE_NAMES = frozenset(n for name in _QUICK_UNSURE | _RAWTEXT for n in (name, "/" + name))
_BREAK_TOKENS = frozenset(n for name in _BREAKS for n in (name, "/" + name))
_SKELETON_VOID_START = re.compile(r"<(?:" + _alternation(VOID) + r")>")
_SKELETON_PAIR = re.compile(r"<([^/>][^>]*+)></\1>")


_ANY_NAME = r"[^/>][^>]*+"


def _nested(depth: int, group: int = 1, inner: str = _ANY_NAME, name: str = _ANY_NAME) -> str:
    """Elements properly nested up to ``depth`` levels, as a pattern over the skeleton (possessive: no backtracking).

    ``name`` is what the outermost element's name may be, ``inner`` the others'.
    """
    children = "" if depth == 1 else "(?:" + _nested(depth - 1, group + 1, inner, inner) + ")*+"
    return rf"<({name})>{children}</\{group}>"


_SKELETON_SHALLOW = re.compile("(?:" + _nested(3) + ")*+")  # the usual <p><span><b></b></span></p>: one match, no peeling
_SKELETON_NOT_P = re.compile(r"<(?!/?p>)[^>]*+>")
_BLOCK_IN_P = re.compile(r"<p>(?:<(?!/p>)[^>]*+>)*?<(?:" + _alternation(CLOSES_P) + r")>")
_A_IN_A = re.compile(r"<a>(?:<(?!/a>)[^>]*+>)*?<a>")
_HEADING_IN_HEADING = re.compile(r"<h[1-6]>(?:<(?!/h[1-6]>)[^>]*+>)*?<h[1-6]>")  # wider than needed: then the loop decides
_CLOSES_P_NOT_P = CLOSES_P - {"p"}
# Names that make _closes_implicitly look further than <p> tokens (and void elements, which the skeleton drops first).
_NOT_FOR_P_ON_TOP = frozenset(n for name in _CLOSES_P_NOT_P | {"a"} | HEADINGS | VOID for n in (name, "/" + name))
_MAX_PEEL = 24  # levels of nesting the skeleton check peels; deeper fields go to the tag loop


_MAX_ON_TOP_NAMES = 8  # names other than p that _p_only_on_top peels; more go to the general check (linear)


def _p_only_on_top(skeleton: str, distinct: set[str]) -> bool:
    """The CMS's usual markup: properly nested, ``<p>`` only at the top, so no ``<p>`` can close another.

    Peels the start/end pairs of the other names with ``str.replace`` (at
    most three rounds: a level or more each), then what is left must be
    ``<p></p>`` repeated.  A ``<p>`` inside another element keeps that element
    from peeling.  A few C-speed passes over the skeleton instead of a
    backreferencing pattern per tag: half the instructions.  False means only
    "not decided here" (deeper nesting, many names): the general check decides.
    """
    pairs = [f"<{name}></{name}>" for name in distinct if name[0] != "/" and name != "p"]
    if len(pairs) > _MAX_ON_TOP_NAMES:
        return False
    for _ in range(3 if pairs else 0):
        size = len(skeleton)
        for pair in pairs:
            skeleton = skeleton.replace(pair, "")
        if len(skeleton) == size:
            break
    return skeleton == "<p></p>" * (len(skeleton) // 7)


def _closes_implicitly(skeleton: str, distinct: set[str]) -> bool:
    """Whether a start tag in ``skeleton`` may close an open element (a block in ``<p>``, ``<a>`` in ``<a>``, ...)."""
    if "p" in distinct:
        if not _CLOSES_P_NOT_P.isdisjoint(distinct):
            if _BLOCK_IN_P.search(skeleton):
                return True
        else:  # only <p> can close a <p>: the <p> tokens must alternate
            ps = _SKELETON_NOT_P.sub("", skeleton)
            if ps != "<p></p>" * (len(ps) // 7):
                return True
    if "a" in distinct and _A_IN_A.search(skeleton):
        return True
    return not HEADINGS.isdisjoint(distinct) and _HEADING_IN_HEADING.search(skeleton) is not None


def _clean_fast(source: str) -> QuickScan | None:
    """The common case at C speed: a :class:`QuickScan` if the markup is certainly clean, else None.

    Only regular expressions over the whole field and over its tag skeleton
    (``<p><span></span></p>``): every ``<`` and ``>`` belongs to a simple tag,
    names in lower case, no element that :func:`quick_scan` is unsure of,
    no element closed implicitly, and matching start/end pairs peel off to
    nothing (a properly nested sequence).  ``/>`` is read as HTML reads it on
    these elements: not at all (``<span/>`` opens a span that must still be
    closed).  Anything else is left to :func:`quick_scan`'s loop, which gives
    the same text for what this accepts (and, more wary of ``/>``, may only
    call it unclean, leaving FL403 to the full scan).  The spaced text is
    joined only when asked for (see :class:`QuickScan`).  A field longer than
    :data:`_pieces.PIECE` is split a piece at a time (:func:`_clean_fast_in_pieces`).
    """
    if "<" not in source:
        return QuickScan(source, True, bare=source)
    if _pieces.long(source):
        return _clean_fast_in_pieces(source)
    parts, bare = _split_tags(source)  # text, name, text, name, ..., text: one pass gives both
    names = parts[1::2]
    if "<" in bare or ">" in bare:  # every tag holds one "<" and one ">": any other is in text
        return None  # comments, "<" or ">" in text or attributes, a tag cut off: the loop decides
    distinct = set(names)
    if not _vouched(distinct, lambda: "<" + "><".join(names) + ">"):
        return None
    breaks = _BREAK_TOKENS.intersection(distinct)
    if not breaks:
        return QuickScan(bare, True, bare=bare)
    tokens = breaks if _PLAIN_NAMES.fullmatch("".join(distinct)) else None  # the break regex reads such names as the split does
    return QuickScan(None, True, bare=bare, parts=parts, source=source, breaks=frozenset(n.lstrip("/") for n in breaks), tokens=tokens)


def _split_tags(source: str) -> tuple[list[str], str]:
    """``_SIMPLE_TAG_NAME.split(source)`` and its text pieces joined, usually by :data:`_USUAL_TAG_NAME`.

    The same split when the usual pattern leaves no ``<`` in the text: every
    ``<`` then starts one of its matches, each also a match of the general
    pattern (the same name, the same end: the first ``>``), so the general
    search would stop at the same places.  Otherwise the general pattern
    splits again, unless the field holds ``<!`` (a comment, a doctype), which
    no simple tag starts or holds: then its text keeps a ``<`` either way and
    the usual split is returned as it is (the caller only needs to see one).
    290 K instead of 378 K instructions on a 7 KB CMS body.
    """
    parts = _USUAL_TAG_NAME.split(source)
    bare = "".join(parts[0::2])
    if "<" in bare and "<!" not in source:
        parts = _SIMPLE_TAG_NAME.split(source)
        bare = "".join(parts[0::2])
    return parts, bare


def _clean_fast_in_pieces(source: str) -> QuickScan | None:
    """:func:`_clean_fast` of a long field, split a piece at a time (cut before a ``<``: no simple tag holds another).

    Keeps the distinct names and the skeleton (a few bytes per tag), not the
    pieces nor ``bare``: the :class:`QuickScan` splits again when asked.
    """
    distinct: set[str] = set()
    skeletons: list[str] = []
    split = _SIMPLE_TAG_NAME.split
    for piece in _pieces.cut_before(source, "<"):
        parts = split(piece)
        bare = "".join(parts[0::2])
        if "<" in bare or ">" in bare:
            return None
        names = parts[1::2]
        if names:
            distinct.update(names)
            skeletons.append("><".join(names))
    if not _vouched(distinct, lambda: "<" + "><".join(skeletons) + ">"):
        return None
    breaks = _BREAK_TOKENS.intersection(distinct)
    return QuickScan(None, True, source=source, breaks=frozenset(n.lstrip("/") for n in breaks), pieces=True)


def _vouched(distinct: set[str], make_skeleton) -> bool:
    """Whether tags named ``distinct``, in the order of the skeleton ``make_skeleton()`` gives, are surely clean (see :func:`_clean_fast`)."""
    if not _UNSURE_NAMES.isdisjoint(distinct):
        return False
    joined = "".join(distinct)
    if joined != joined.lower():
        return False  # upper-case names: the break pattern below knows lower case only
    # "/>" needs no look: HTML ignores it on the elements left here (void ones close anyway,
    # <span/> opens a span that must still be closed, or the skeleton does not balance)
    skeleton = make_skeleton()
    if _NOT_FOR_P_ON_TOP.isdisjoint(distinct) and _p_only_on_top(skeleton, distinct):
        skeleton = ""  # properly nested, and <p> tokens alternate: nothing closes implicitly
    elif _closes_implicitly(skeleton, distinct):
        return False
    if skeleton and not VOID.isdisjoint(distinct):
        skeleton = _SKELETON_VOID_START.sub("", skeleton)
    if skeleton and _SKELETON_SHALLOW.fullmatch(skeleton):
        skeleton = ""
    for _ in range(_MAX_PEEL if skeleton else 0):  # one pass per level of nesting
        skeleton, removed = _SKELETON_PAIR.subn("", skeleton)
        if not skeleton or not removed:
            break
    return not skeleton  # not empty: not properly nested, or nested deeper than real markup (the loop is linear)


def quick_scan(source: str) -> QuickScan | None:
    """The fast path, or None when only the full scan can say (raw-text elements such as <script>).

    ``clean`` is True only for markup where every end tag closes the element
    opened last and nothing is closed implicitly: most CMS bodies.  Anything
    else (lists, tables, ``<p>`` left open, a stray tag) is left to
    :func:`scan_html`, whose text and repairs this pass never contradicts.
    Most fields are decided by :func:`_clean_fast` without a Python step per tag.
    """
    fast = _clean_fast(source)
    return fast if fast is not None else _quick_loop(source)


def _quick_loop(source: str) -> QuickScan | None:
    """:func:`quick_scan` one tag at a time: every field :func:`_clean_fast` does not decide."""
    parts: list[str] = []
    stack: list[str] = []
    open_p = open_a = 0
    clean = True
    pos = 0
    for m in _MARKUP.finditer(source):
        parts.append(source[pos : m.start()])
        pos = m.end()
        is_end, name, attrs, closed = m.groups()
        if name is None:
            continue  # a comment
        if not closed:
            clean = False  # a tag cut off by the end of the field
            continue
        name = name.lower()
        if name in _RAWTEXT:
            return None
        if name in _BREAKS:
            parts.append(" ")
        if not clean:
            continue
        if is_end:
            if stack and stack[-1] == name:
                stack.pop()
                open_p -= name == "p"
                open_a -= name == "a"
            else:
                clean = False
        elif name in VOID:
            continue
        elif (
            attrs.endswith("/")
            or name in _QUICK_UNSURE
            or (open_p and name in CLOSES_P)
            or (open_a and name == "a")
            or (name in HEADINGS and stack and stack[-1] in HEADINGS)
        ):
            clean = False
        else:
            stack.append(name)
            open_p += name == "p"
            open_a += name == "a"
    parts.append(source[pos:])
    return QuickScan("".join(parts), clean and not stack)
