"""FL4xx: the plain-text body and the HTML body of a record must say the same.

Both sides are reduced to their visible words first (entities decoded, CRLF,
non-breaking spaces and spacer paragraphs normalised), so only a difference in
what a reader sees is reported; undecoded entities in the plain text are the
FL2xx rules' business.  Equality is decided on one flat string per side (the
fast path); paragraphs are aligned and words diffed only when they differ.
The HTML is tokenized once per record and shared between the rules; the
full scan (paragraphs, repairs) runs only when the cheap pass cannot decide.
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import re
from array import array
from bisect import bisect_right
from collections.abc import Sequence
from hashlib import blake2b
from itertools import accumulate, chain, compress, count, islice, starmap, zip_longest
from operator import eq, ne
from typing import Any, Callable, Iterable, Iterator

from feedlint.api import DeferredFix, Hit, Option, SetupError, bad, good, rule
from feedlint.fields import expand, single_member

from ._entities import NOT_COMMON_AHEAD
from .encoding import whole_tally
from ._htmltext import _REFERENCE, LINE_MARKERS, HtmlScan, PlainConventions, QuickScan, body_key, body_paragraphs, has_bare_ampersand, element_ranges, fallback_keys, has_line_markers, in_ranges, line_marker_words, link_targets, marker_candidates, marker_word, quick_scan, scan_html, split_words, surely_has_text
from . import _pieces
from ._markdown import markdown_key, source_as_text

PAIR_OPTIONS = (
    Option("body-field", "/content_body", "JSON Pointer of the plain-text body in the record", type=str),
    Option("html-field", "/content_html", "JSON Pointer of the HTML body in the record", type=str),
    Option("ignore-html-elements", [], "HTML elements whose text the plain text leaves out, e.g. [\"figcaption\"]", type=list),
)
FOLD_OPTION = Option(
    "fold-typography",
    True,
    "treat curly and straight quotes, dashes and hyphens, … and ... as the same; drop soft hyphens and zero-width spaces",
    type=bool,
)
MARKUP_OPTION = Option(
    "ignore-markup-in-body",
    True,
    "drop HTML tags typed into the plain-text body before comparing (reporting them is FL205's job): `<br>` as a line break, block tags as paragraph breaks",
    type=bool,
)
LINK_STYLES = ("text", "text [url]")
FALLBACK_OPTION = Option(
    "fallback-text",
    [],
    "raw-text elements whose content the plain text writes as text, e.g. [\"iframe\", \"noscript\"] (html-to-text writes an embed's fallback link, which a browser never shows): whole lines of the body that are exactly such an element's text, once per element, are not a difference",
    type=list,
)
CONVENTION_OPTIONS = (
    Option("link-style", "text", "how the plain text writes a link: \"text\" (its text only) or \"text [url]\" (Ghost's plaintext: the target in brackets after it)", type=str, choices=LINK_STYLES),
    Option("line-markers", [], "what the plain text writes at the start of a line for HTML structure: \"*\", \"-\", \"+\", \"1.\", \"1)\" (list items), \">\" (quotes), \"---\" (a rule line)", type=list),
    Option("optional-html-elements", [], "HTML elements the plain text may leave out whole, e.g. [\"figcaption\"] (Ghost 5 and later skip captions, Ghost 4 writes them): such an element's paragraphs missing from the plain text are not a difference; their text present but changed or glued to another paragraph is", type=list),
    Option("wrap-splits-words", False, "a line break inside a plain-text paragraph may stand where the HTML has no space (html-to-text wraps between a text and a link: \"\\nWhy for \"<a>Why)", type=bool),
    FALLBACK_OPTION,
)
REPAIR_KINDS = ("misnested", "unclosed", "stray")
_MISSING = object()
# "&amp;" (decoded once more on the HTML side) or an "&" that starts no complete reference (legacy rules).
# The lookahead for the references CMS bodies repeat ("&#39;", "&nbsp;") rejects most "&" before the
# reference grammar is tried: a third fewer instructions on a usual body, the same matches.
_AMPERSAND_TO_DECODE = re.compile("&" + NOT_COMMON_AHEAD + "(?:amp;|(?!" + _REFERENCE + ";))")


# -- shared plumbing ------------------------------------------------------------
def _check_pointer(pointer: str) -> None:
    if pointer and (not pointer.startswith("/") or "*" in pointer.split("/")):
        raise SetupError(f"field option {pointer!r} must be a plain JSON Pointer such as /content_body")


def _value(record, pointer: str) -> Any:
    _check_pointer(pointer)
    for _, value in expand(record.data, pointer):
        return value
    return _MISSING


class _Fields:
    """What one options object says about the fields: read once per options object, not once per record."""

    __slots__ = ("options", "body_ptr", "html_ptr", "body_member", "html_member", "hidden")

    def __init__(self, options) -> None:
        self.options = options  # kept: its id stays its own while cached
        self.body_ptr, self.html_ptr = options["body-field"], options["html-field"]
        _check_pointer(self.body_ptr)
        _check_pointer(self.html_ptr)
        body, html = single_member(self.body_ptr), single_member(self.html_ptr)
        self.body_member = body[0] if body else None  # "/content_body": the record's own key, no walk
        self.html_member = html[0] if html else None
        self.hidden = _hidden(options)


_FIELDS: dict[int, _Fields] = {}


def _fields(options) -> _Fields:
    found = _FIELDS.get(id(options))
    if found is None or found.options is not options:
        if len(_FIELDS) >= 64:
            _FIELDS.clear()
        found = _FIELDS[id(options)] = _Fields(options)
    return found


def _pair(record, options) -> tuple[str, str, str, str] | None:
    """``(body pointer, body, html pointer, html)``; None when a field is absent or not text (schema's business)."""
    fields = _fields(options)
    data = record.data
    if fields.body_member is not None and fields.html_member is not None and isinstance(data, dict):
        body, html = data.get(fields.body_member, _MISSING), data.get(fields.html_member, _MISSING)
    else:
        body, html = _value(record, fields.body_ptr), _value(record, fields.html_ptr)
    if body is _MISSING or html is _MISSING:
        return None
    body = "" if body is None else body
    html = "" if html is None else html
    if not isinstance(body, str) or not isinstance(html, str):
        return None
    return fields.body_ptr, body, fields.html_ptr, html


def _element_names(options, option: str) -> tuple[str, ...]:
    """The element names ``option`` lists (``<iframe>``, ``IFRAME`` and ``iframe`` alike), each once, in the order given."""
    return tuple(dict.fromkeys(n for n in (str(n).lower().strip("<>/ ") for n in options.get(option, ())) if n))


def _hidden(options) -> frozenset[str]:
    return frozenset(_element_names(options, "ignore-html-elements"))


def _links(record, pair) -> tuple[tuple[str, bool, bool], ...]:
    """The HTML's link targets (:func:`link_targets`), worked out once per record and field."""
    return record.memo(f"parity:links:{pair[2]}", lambda: link_targets(pair[3]))


def _scan_key(pointer: str, hidden: frozenset[str]) -> str:
    return f"parity:scan:{pointer}:{','.join(sorted(hidden))}"


def _scan(record, pointer: str, html: str, hidden: frozenset[str] = frozenset()) -> HtmlScan:
    return record.memo(_scan_key(pointer, hidden), lambda: scan_html(html, hidden))


def _scan_for_the_diff(record, pair, options) -> HtmlScan:
    """The HTML's scan, for FL401's diff; a long HTML's is no longer kept on the record.

    Its paragraphs' text is one more copy of the field, which would be held
    through the diff and the record's other checks; FL403 scans again if the
    fast pass does not clear the HTML.
    """
    hidden = _fields(options).hidden
    scan = _scan(record, pair[2], pair[3], hidden)
    if _pieces.long(pair[3]):
        record.forget(_scan_key(pair[2], hidden))
    return scan


@functools.lru_cache(maxsize=256)
def _quick_key(pointer: str) -> str:
    return f"parity:quick:{pointer}"


def _quick(record, pointer: str, html: str) -> QuickScan | None:
    return record.memo(_quick_key(pointer), lambda: quick_scan(html))


def _html_key(record, pointer: str, html: str, fold: bool, hidden: frozenset[str]) -> str:
    quick = None if hidden else _quick(record, pointer, html)
    return quick.key(fold) if quick is not None else _scan(record, pointer, html, hidden).key(fold)


def _conventions(record, options, pair) -> PlainConventions:
    """The plain-text conventions FL401 undoes in this record's body (none by default)."""
    markers = tuple(options.get("line-markers", ()))
    unknown = [m for m in markers if m not in LINE_MARKERS]
    if unknown:
        raise SetupError(f"option 'line-markers' has unknown markers {unknown}; known: {list(LINE_MARKERS)}")
    links: tuple = ()
    literal: frozenset[str] = frozenset()
    empty_items = False
    scan = None
    if options.get("link-style", "text") == "text [url]":
        links = _links(record, pair)
        if links and "[" in pair[1]:  # bracketed texts the HTML shows as text are not link targets
            scan = _scan(record, pair[2], pair[3], _fields(options).hidden)
            literal = frozenset(m.group() for raw, _, _ in scan.paragraphs if "[" in raw for m in _BRACKET_TEXT.finditer(raw))
    if markers and ("<li" in pair[3] or "<LI" in pair[3]):  # an empty <li>: html-to-text writes its marker alone on a line
        scan = scan or _scan(record, pair[2], pair[3], _fields(options).hidden)
        empty_items = scan.empty_items > 0
    fallbacks = fallback_keys(pair[3], _element_names(options, "fallback-text")) if "<" in pair[3] else ()
    return PlainConventions(links, markers, bool(options.get("wrap-splits-words", False)), empty_items=empty_items, literal=literal, fallbacks=fallbacks)


_RULE_WORD = re.compile(r"-{3,}|\*{3,}|_{3,}")


def _unlisted(record, options, pair, conventions: PlainConventions, hk: str) -> frozenset[int]:
    """Offsets of the body's line markers where the HTML (whose words are the body's) has no list item or quote.

    Called when the keys are equal: the body's words, markers dropped, are
    the HTML's, so a marker before word i stands before the HTML's word i.
    A list marker is html-to-text's at the start of a paragraph inside a list
    item, or of one whose own text starts with the marker (dropped there
    too); a quote marker inside a blockquote (each of its lines has one).  A
    rule line, a marker alone on its line and a marker at the end stand
    between paragraphs: not checked.
    """
    if not has_line_markers(pair[1], conventions):
        return frozenset()  # the usual post: no line starts like a marker
    words, markers = marker_candidates(pair[1], options["fold-typography"], options["ignore-markup-in-body"], conventions)
    if not markers:
        return frozenset()
    scan = _scan(record, pair[2], pair[3], _fields(options).hidden)
    para: list[int] = []  # the paragraph of each HTML word
    first: set[int] = set()  # the words that start a paragraph
    marked: set[int] = set()  # paragraphs whose own text started with a marker
    fold = options["fold-typography"]
    for i, (text, plain) in enumerate(zip(scan.keys(fold, conventions.markers), scan.keys(fold))):
        if text:
            first.add(len(para))
            para += [i] * len(text.split(" "))
            if text != plain:
                marked.add(i)
    if len(para) != len(words):
        return frozenset()  # equal keys, different counts: cannot happen; decide nothing
    out = set()
    body = pair[1]
    for offset, index, marker in markers:
        if index >= len(para) or not marker or _RULE_WORD.fullmatch(marker[0]):
            continue  # a rule line stands between paragraphs
        end = body.find("\n", offset)
        if body[offset : end if end >= 0 else len(body)].split() == marker:
            continue  # alone on its line (an empty item, a quote's blank line): between paragraphs
        p = para[index]
        if marker[0].startswith(">"):
            if p in scan.in_quote or p in marked or (index and para[index - 1] in scan.in_quote):
                continue
        elif index in first and (p in scan.in_item or p in marked):
            continue
        out.add(offset)
    return frozenset(out)


def _absent_paragraphs(record, options, pair, conventions: PlainConventions, bk: str) -> frozenset[int]:
    """The HTML paragraphs inside an ``optional-html-elements`` element that the body leaves out whole.

    The words of the body and of the HTML are aligned; a paragraph of such an
    element all of whose words the HTML alone has (inside one insertion) is
    left out.  One whose words are in the body, or replaced there by others
    (a caption glued to the next paragraph: "screenLearning"), is not: it is
    still compared.
    """
    html = pair[3]
    names = _element_names(options, "optional-html-elements")
    if not names or re.search("<(?:" + "|".join(map(re.escape, names)) + ")", html, re.IGNORECASE) is None:
        return frozenset()  # no such element (searched, not lowered: a lowered copy of a long field, two bytes a character once one is not Latin-1)
    scan = _scan(record, pair[2], html, _fields(options).hidden)
    ranges = element_ranges(html, frozenset(names))
    inside = {i for i, (_, start, _) in enumerate(scan.paragraphs) if in_ranges(ranges, start)}
    if not inside:
        return frozenset()
    key = _word_key(options)
    vocabulary: dict[str, str] = {}
    hw: list[str] = []
    spans: dict[int, tuple[int, int]] = {}
    for i, text in enumerate(scan.keys(options["fold-typography"], conventions.markers)):
        if text:
            words = split_words(text, vocabulary, " ")
            if i in inside:
                spans[i] = (len(hw), len(hw) + len(words))
            hw += _keyed_all(key, words)
    if not spans:
        return frozenset()
    bw = _keyed_all(key, split_words(bk, vocabulary, " ")) if bk else []
    absent: set[int] = set()
    for tag, _, _, b1, b2 in _opcodes(bw, hw):
        if tag == "insert":
            absent.update(i for i, (s, e) in spans.items() if b1 <= s and e <= b2)
    return frozenset(absent)


_BRACKET_TEXT = re.compile(r"\[[^\[\]\s]+\]")


def _rescued(options, pair, conventions: PlainConventions, hk: str) -> PlainConventions | None:
    """``conventions`` keeping the line markers the HTML has as words at the same place; None when it has none.

    A wrapped line may start with a word that looks like a marker ("version\\n2. From",
    a code line "* Builds", an R prompt "> library"): where the words of the body
    with its markers dropped and those of the HTML align, a marker standing where
    the HTML has the same words is text, not the plain text's structure.  The
    markers of a difference block (an insertion or replacement the HTML has) are
    aligned with the HTML's words of the block; only markers that match
    words there are kept.  A marker where the HTML has nothing stays dropped.
    """
    found = line_marker_words(pair[1], conventions)
    if not found or found.isdisjoint(chain.from_iterable(_pieces.words(hk, " "))):
        return None  # the HTML has none of the markers' words: none is text
    words, markers = marker_candidates(pair[1], options["fold-typography"], options["ignore-markup-in-body"], conventions)
    if not markers:
        return None
    key = _word_key(options)
    bw, hw = _keyed_all(key, words), _keyed_all(key, split_words(hk, {}, " "))
    at: dict[int, list[tuple[int, list[str]]]] = {}
    for offset, index, marker in markers:
        at.setdefault(index, []).append((offset, [key(w) for w in marker]))
    kept: set[int] = set()
    for tag, a1, a2, b1, b2 in _opcodes(bw, hw):
        if tag == "delete" or a2 - a1 > 2000 or b2 - b1 > 2000 or not any(k in at for k in range(a1, a2 + 1)):
            continue
        merged: list[str] = []
        owner: list[int | None] = []
        for k in range(a1, a2 + 1):
            for offset, marker in at.get(k, ()):
                merged += marker
                owner += [offset] * len(marker)
            if k < a2:
                merged.append(bw[k])
                owner.append(None)
        matched: dict[int, int] = {}
        for block in difflib.SequenceMatcher(None, merged, hw[b1:b2], autojunk=False).get_matching_blocks():
            for t in range(block.a, block.a + block.size):
                if owner[t] is not None:
                    matched[owner[t]] = matched.get(owner[t], 0) + 1
        sizes = {offset: len(marker) for k in range(a1, a2 + 1) for offset, marker in at.get(k, ())}
        kept.update(offset for offset, n in matched.items() if n == sizes[offset])
    return dataclasses.replace(conventions, kept=conventions.kept | kept) if kept else None


def _keys(record, options, pair, fold: bool | None = None, strip: bool | None = None, conventions: PlainConventions | None = None) -> tuple[str, str]:
    """Comparison keys of both sides (``fold``/``strip``: instead of the options' own)."""
    body_ptr, body, html_ptr, html = pair
    fold = options["fold-typography"] if fold is None else fold
    strip = options["ignore-markup-in-body"] if strip is None else strip
    # a long field's keys are made each time: kept, two copies of a 50 MB record would outlive FL401's diff
    memo = _made_each_time if _pieces.long(body) or _pieces.long(html) else record.memo
    key = f"parity:body-key:{body_ptr}:{fold}:{strip}" + (f":{hash(conventions)}" if conventions else "")
    bk = memo(key, lambda: body_key(body, fold, strip, conventions or None))
    hidden = _fields(options).hidden
    if conventions and conventions.markers:  # a paragraph may start with "2." or ">" in the HTML too: dropped on both sides
        markers = conventions.markers
        hk = memo(f"parity:html-key:{html_ptr}:{fold}:{','.join(sorted(hidden))}:{markers}", lambda: _scan(record, html_ptr, html, hidden).key(fold, markers))
        return bk, hk
    hk = memo(f"parity:html-key:{html_ptr}:{fold}:{','.join(sorted(hidden))}", lambda: _html_key(record, html_ptr, html, fold, hidden))
    return bk, hk


def _made_each_time(key: str, compute: Callable[[], Any]) -> Any:
    """``record.memo``'s signature, nothing kept."""
    return compute()


def _same_words_undecoded(record, options, pair) -> bool:
    """Both sides hold the same words before any decoding (the usual record), so their keys are equal.

    Decoding one side word by word gives what decoding the other gives as
    long as both decode alike: no ``&amp;`` (whose second round the HTML side
    would take one more time than the body), no bare ``&`` in the HTML (decoded
    by the legacy rules there), no tags typed into the body, no hidden
    elements.  Saves decoding and normalising two long fields.
    """
    body_ptr, body, html_ptr, html = pair
    fields = _fields(options)
    if "<" in body or fields.hidden:
        return False
    quick = _quick(record, html_ptr, html)
    if quick is None:
        return False
    if quick.bare_is(body) and quick.bare_keeps_words():
        # the body is the HTML with its tags dropped (a CMS's usual pair): the same
        # words, and the same "&amp;" and bare "&" as the HTML's text, so one look decides
        return not _ampersand_to_decode(record, body_ptr, body)
    text = quick.text
    if "&amp;" in body or "&amp;" in text or has_bare_ampersand(text):
        return False
    return same_words(body, text)


def _ampersand_to_decode(record, pointer: str, body: str) -> bool:
    """Whether ``_AMPERSAND_TO_DECODE`` finds an ``&amp;`` or an ``&`` starting no reference in the plain-text ``body``, usually read off FL201's tally.

    The search tries its lookaheads at every ``&``: about a thousand
    instructions each, 110 K on a CMS body of eighty references.  FL201 has
    usually tallied the body already (it runs first); when that tally holds
    every ``&`` and no ``&amp;``, each ``&`` starts a complete reference other
    than ``&amp;``, where the pattern cannot match (its last alternative
    excludes a complete reference).  Otherwise the search decides.
    """
    tally = whole_tally(record, pointer, body)
    if tally is not None and "&amp;" not in tally:
        return False
    return _AMPERSAND_TO_DECODE.search(body) is not None


def same_words(a: str, b: str) -> bool:
    """``a.split() == b.split()``, usually decided a line at a time.

    A line feed is white space, so equal lists of stripped, non-blank lines
    hold equal words.  A CMS breaks the lines of a body and of its HTML alike:
    a few dozen line comparisons replace splitting a thousand words.  Lines
    that differ (spacing inside a line, lines broken elsewhere) go to the split.
    False can also mean "not sure": on bytes, U+001C-U+001F do not separate
    words; the caller then decodes both sides.
    """
    if _pieces.long(a) or _pieces.long(b):  # word by word, a piece at a time: never every line or word of both at once
        return all(starmap(eq, zip_longest(chain.from_iterable(_pieces.words(a)), chain.from_iterable(_pieces.words(b)))))
    if _lines(a) == _lines(b):
        return True
    if a.isascii() and b.isascii():  # the same split, on bytes: a third faster
        return a.encode("ascii").split() == b.encode("ascii").split()
    return a.split() == b.split()


def _lines(text: str) -> list[str]:
    return [line for line in map(str.strip, text.split("\n")) if line]


# Characters of scripts written without spaces between words (CSS Text's segment-break rule: East Asian
# wide, full- or half-width, not Hangul): Han, kana, bopomofo, CJK punctuation, full-width forms.
_CJK_CLASS = "\u3000-\u303f\u3040-\u30ff\u3100-\u312f\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef\U00020000-\U0003ffff"


@functools.lru_cache(maxsize=1)
def _cjk() -> "re.Pattern[str]":
    """A CJK character: compiled when a difference is first looked at (its class costs milliseconds to compile)."""
    return re.compile(f"[{_CJK_CLASS}]")


def _cjk_glue_only(a: list[str], b: list[str]) -> bool:
    """``a`` and ``b`` hold the same characters, and every word boundary only one side has is beside a CJK character.

    Between two of them no space is lost (Chinese and Japanese put none
    between words); between one and a Latin word or a digit no word is glued
    either: CJK text writes them side by side (``PR在``, ``3.3資料庫``), and
    word segmentation (Unicode's UAX #29, what search engines' tokenizers
    follow) breaks there anyway.  Beside full-width punctuation
    (``設定：var``) the glyph is the space.  Hangul is not in the class:
    Korean puts spaces between words.
    """
    joined = "".join(a)
    if joined != "".join(b):
        return False
    cuts_a = set(_cuts(a))
    cuts_b = set(_cuts(b))
    cjk = _cjk().match
    return all(cjk(joined, k - 1) or cjk(joined, k) for k in cuts_a ^ cuts_b)


def _cuts(words: list[str]) -> Iterator[int]:
    """The offsets in ``"".join(words)`` where one word ends and the next begins."""
    pos = 0
    for w in words[:-1]:
        pos += len(w)
        yield pos


def _one_line_break(gap: str) -> bool:
    """The text between two words is white space holding one line break (a wrap, not a paragraph break)."""
    return gap.count("\n") == 1 and not gap.strip()


def _same(a: str, b: str, options) -> bool:
    return a == b or (options["ignore-case"] and a.casefold() == b.casefold())


def _quote(words: list[str], limit: int) -> str:
    text = " ".join(words[:limit])
    return f'"{text}…"' if len(words) > limit else f'"{text}"'


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


# -- the difference, described once per record -------------------------------------
def _word_key(options) -> Any:
    """How two words are compared: as they are, or case-folded with ``ignore-case``."""
    return str.casefold if options["ignore-case"] else _same_word


def _keyed_all(key: Callable[[str], str], words: list[str]) -> list[str]:
    """``[key(w) for w in words]``; the list itself when words compare as they are."""
    return words if key is _same_word else list(map(key, words))


def _same_word(word: str) -> str:
    return word


def _opcodes(a: Sequence[Any], b: Sequence[Any], cap: int = 2000, key: Callable[[Any], Any] | None = None) -> list[tuple[str, int, int, int, int]]:
    """The non-equal difflib opcodes turning ``a`` into ``b`` (items compared as ``key`` makes them).

    The common prefix and suffix are trimmed first by iterating both sides
    (cheap, and usually all but a few items; neither side is copied); a
    middle longer than ``cap`` items is one replace block, so the quadratic
    worst case of difflib stays bounded.
    """
    keyed = iter if key is None else lambda items: map(key, items)
    n = min(len(a), len(b))
    p = _common_run(keyed(iter(a)), keyed(iter(b)), n)
    q = min(_common_run(keyed(reversed(a)), keyed(reversed(b)), n), n - p)
    ea, eb = len(a) - q, len(b) - q
    if ea - p > cap or eb - p > cap:
        return [("insert" if ea == p else "delete" if eb == p else "replace", p, ea, p, eb)]
    ops = difflib.SequenceMatcher(None, list(keyed(a[p:ea])), list(keyed(b[p:eb])), autojunk=False).get_opcodes()
    return [(t, i1 + p, i2 + p, j1 + p, j2 + p) for t, i1, i2, j1, j2 in ops if t != "equal"]


def _words(paragraphs: Iterable[Any]) -> Iterator[str]:
    """The words of ``paragraphs``, one after another."""
    return chain.from_iterable(p.words for p in paragraphs)


def _common_run(a: Iterable[Any], b: Iterable[Any], n: int) -> int:
    """How many items from their starts ``a`` and ``b`` have equal, compared at C speed; ``n``: the shorter one's length."""
    return next(compress(count(), map(ne, a, b)), n)


class _Words(Sequence):
    """The words of paragraphs ``i1..i2`` read as one sequence: an index is found by a binary search over the paragraphs' first words.

    A list of a changed block's words was a pointer a word on each side
    (40 MB for a 50 MB record whose every paragraph differs) beside the
    paragraphs that hold them already; the diff iterates over both sides
    and a finding slices a few words.
    """

    __slots__ = ("_paragraphs", "_i1", "_i2", "_firsts")

    def __init__(self, paragraphs: list, i1: int, i2: int) -> None:
        self._paragraphs, self._i1, self._i2 = paragraphs, i1, i2
        self._firsts = array("q", accumulate((len(paragraphs[k].words) for k in range(i1, i2)), initial=0))  # each paragraph's first word, then the end

    def __len__(self) -> int:
        return self._firsts[-1]

    def __iter__(self) -> Iterator[str]:
        return _words(islice(self._paragraphs, self._i1, self._i2))

    def __reversed__(self) -> Iterator[str]:
        return chain.from_iterable(reversed(self._paragraphs[k].words) for k in range(self._i2 - 1, self._i1 - 1, -1))

    def __getitem__(self, index):  # type: ignore[override]
        n = len(self)
        if isinstance(index, slice):
            start, stop, _ = index.indices(n)
            words: list[str] = []
            while start < stop:
                k = bisect_right(self._firsts, start) - 1
                first, held = self._firsts[k], self._paragraphs[self._i1 + k].words
                words += held[start - first : stop - first]
                start = first + len(held)
            return words
        if index < 0:
            index += n
        if not 0 <= index < n:
            raise IndexError("word index out of range")
        k = bisect_right(self._firsts, index) - 1
        return self._paragraphs[self._i1 + k].words[index - self._firsts[k]]

    def para(self, n: int) -> int:
        """The index among all the paragraphs of the paragraph word ``n`` is in."""
        return self._i1 + bisect_right(self._firsts, n) - 1

    def span(self, n: int) -> tuple[int, int]:
        k = self.para(n)
        return self._paragraphs[k].spans[n - self._firsts[k - self._i1]]


class _Diff:
    """Aligns paragraphs, then words inside the first changed block; yields at most one hit."""

    def __init__(self, pair: tuple[str, str, str, str], html_scan: Callable[[], HtmlScan], options: dict, conventions: PlainConventions | None = None, skip: frozenset[int] = frozenset()) -> None:
        """``html_scan`` is asked once, before the body is read: nothing but the HTML's paragraphs need outlive it."""
        self.body_ptr, self.body, self.html_ptr, _ = pair
        fold = options["fold-typography"]
        self.key = _word_key(options)
        self.max_words = max(1, options["max-diff-words"])
        self.context = max(0, options["context-words"])
        self.limit = max(1, options.get("max-differences", 1))
        vocabulary: dict[str, str] = {}  # both sides' words, each kept once (split_words)
        self.hp = html_scan().text_paragraphs(fold, conventions.markers if conventions else (), skip, vocabulary)
        self.bp = body_paragraphs(self.body, fold, options["ignore-markup-in-body"], conventions or None, vocabulary)
        self.marker = marker_word(conventions.markers) if conventions else None
        # where the line markers kept as words start (a marker at the start of a line is no nested list's)
        self.kept = {k + len(self.body[k:k + 64]) - len(self.body[k:k + 64].lstrip(" \t")) for k in conventions.kept} if conventions else set()
        self.wraps = bool(conventions and conventions.wraps)
        # a boundary between two CJK characters may be nothing on one side (max: Latin text never compiles the class)
        self.cjk = not self.body.isascii() and max(self.body) >= "\u3000" and _cjk().search(self.body) is not None
        self.body_has_more = False  # the body has text the HTML lacks (a paragraph, a longer ending): no rebuild from the HTML

    def _paragraph_keys(self, paragraphs: list) -> list[bytes]:
        """Each paragraph's comparable text as a 16-byte digest, for aligning the paragraphs: equal texts, equal digests.

        The texts themselves, held through the alignment, were another copy
        of both sides (a 50 MB record: about 45 MB).
        """
        key = None if self.key is _same_word else self.key
        return [blake2b((key(p.text) if key else p.text).encode("utf-8", "surrogatepass"), digest_size=16).digest() for p in paragraphs]

    def _convention(self, bw: _Words, hw: _Words, op: tuple) -> bool:
        """The change is the plain text's convention, not a difference in words.

        A marker standing alone inside a line (html-to-text starts a nested list
        on its parent's line: ``Plot.ly * Hover``; a numbered quote ``> 1.``),
        or, with ``wraps``, words split only at line breaks where the HTML has
        none (``"\nWhy`` for ``"Why``), or the same characters with a word
        boundary on one side only beside a CJK character (Chinese and
        Japanese put no space between words: ``年直`` for ``年`` newline ``直``,
        which a browser shows without a space when both are wide; nor need one
        between a CJK character and a Latin word: ``PR在``, ``設定：var``).
        """
        tag, a1, a2, b1, b2 = op
        if tag == "delete" and self.marker is not None:
            return all(self.marker.fullmatch(bw[k]) and bw.span(k)[0] not in self.kept for k in range(a1, a2))
        if tag == "replace" and self.cjk and _cjk_glue_only(_keyed_all(self.key, bw[a1:a2]), _keyed_all(self.key, hw[b1:b2])):
            return True
        if tag != "replace" or not self.wraps:
            return False
        joined = " ".join(self.key(w) for w in hw[b1:b2])
        pos = 0
        for k in range(a1, a2):
            word = self.key(bw[k])
            if not joined.startswith(word, pos):
                return False
            pos += len(word)
            if k + 1 < a2:
                if joined.startswith(" ", pos):
                    pos += 1
                elif not _one_line_break(self.body[bw.span(k)[1] : bw.span(k + 1)[0]]):
                    return False
        return pos == len(joined)

    def _word_ops(self, i1: int, i2: int, j1: int, j2: int) -> tuple[_Words, _Words, list]:
        bw, hw = _Words(self.bp, i1, i2), _Words(self.hp, j1, j2)
        return bw, hw, _opcodes(bw, hw, key=None if self.key is _same_word else self.key)

    def cut_short(self) -> Hit | None:
        """One side is the other cut off (perhaps with an ellipsis): say so, instead of a diff.

        Both sides are read as they are iterated: a list of every word of
        each was two more copies of a huge record's words.
        """
        total_b, nh = sum(len(p.words) for p in self.bp), sum(len(p.words) for p in self.hp)
        last = self.key(self.bp[-1].words[-1]) if total_b else ""
        if last in ("...", "…"):  # the body ends in an ellipsis of its own: compared without it
            nb, ending = total_b - 1, ()
        elif total_b:  # its last word compared without an ellipsis it ends in
            nb, ending = total_b, (last.rstrip(".…") if last.endswith(("...", "…")) else last,)
        else:
            nb, ending = 0, ()

        def body() -> Iterator[str]:  # the body's words as compared
            return chain(islice(self._keyed_words(self.bp), nb - len(ending)), ending)

        if 0 < nb < nh and _common_run(body(), self._keyed_words(self.hp), nb) == nb:
            rest = list(islice(_words(self.hp), nb, nb + self.max_words + 1))
            msg = f"the body stops short at the end of body paragraph {len(self.bp)}; the HTML goes on for {_plural(nh - nb, 'more word')}: {_quote(rest, self.max_words)}"
            return Hit(self.body_ptr, msg, evidence="body-cut-short", span=self.bp[-1].spans[-1])
        if 0 < nh < nb and _common_run(body(), self._keyed_words(self.hp), nh) == nh:
            self.body_has_more = True
            rest = list(islice(_words(self.bp), nh, nh + self.max_words + 1))
            msg = f"the HTML stops short at the end of HTML paragraph {len(self.hp)}; the body goes on for {_plural(total_b - nh, 'more word')}: {_quote(rest, self.max_words)}"
            return Hit(self.html_ptr, msg, evidence="html-cut-short", span=self.hp[-1].spans[-1])
        return None

    def _keyed_words(self, paragraphs: list) -> Iterator[str]:
        words = _words(paragraphs)
        return words if self.key is _same_word else map(self.key, words)

    def hits(self) -> list[Hit]:
        """The first ``max-differences`` differences, one per changed paragraph; the last names how many more there are."""
        cut = self.cut_short()
        if cut is not None:
            return [cut]
        found: list[Hit] = []
        differences = 0
        for tag, i1, i2, j1, j2 in _opcodes(self._paragraph_keys(self.bp), self._paragraph_keys(self.hp)):
            if tag == "replace":
                bw, hw, ops = self._word_ops(i1, i2, j1, j2)
                if self.marker is not None or self.wraps or self.cjk:
                    ops = [op for op in ops if not self._convention(bw, hw, op)]
                differences += len(ops)  # 0 when only the paragraph breaks differ: not a difference in text
                seen: set[int] = set()
                for op in ops:
                    para = bw.para(op[1]) if op[1] < len(bw) else bw.para(len(bw) - 1) if len(bw) else -1
                    if len(found) < self.limit and para not in seen:
                        found.append(self._changed(bw, hw, op))
                    seen.add(para)
            else:
                differences += 1
                self.body_has_more = self.body_has_more or tag == "delete"
                if len(found) < self.limit:
                    found.append(self._extra_body(i1, i2) if tag == "delete" else self._extra_html(j1, j2))
        if found and differences > len(found):
            last = found[-1]
            found[-1] = Hit(last.pointer, f"{last.message} ({_plural(differences - len(found), 'more difference')} further on)", last.evidence, last.span)
        return found

    def _extra_body(self, i1: int, i2: int) -> Hit:
        first = self.bp[i1]
        span = (first.spans[0][0], self.bp[i2 - 1].spans[-1][1])
        msg = f"the body has {_plural(i2 - i1, 'paragraph')} missing from the HTML, from body paragraph {i1 + 1}: {_quote(first.words, self.max_words)}"
        return Hit(self.body_ptr, msg, evidence="body-only:" + " ".join(first.words[: self.max_words]), span=span)

    def _extra_html(self, j1: int, j2: int) -> Hit:
        first = self.hp[j1]
        span = (first.spans[0][0], self.hp[j2 - 1].spans[-1][1])
        msg = f"the HTML has {_plural(j2 - j1, 'paragraph')} missing from the body, from HTML paragraph {j1 + 1}: {_quote(first.words, self.max_words)}"
        return Hit(self.html_ptr, msg, evidence="html-only:" + " ".join(first.words[: self.max_words]), span=span)

    def _clip(self, words: list[str]) -> str:
        return " ".join(words[: self.max_words]) + (" …" if len(words) > self.max_words else "")

    def _changed(self, bw: _Words, hw: _Words, op: tuple) -> Hit:
        _, a1, a2, b1, b2 = op
        shown = self.max_words + 1  # _clip's words, and one to tell there are more
        removed, added = bw[a1 : min(a2, a1 + shown)], hw[b1 : min(b2, b1 + shown)]
        change = " ".join(([f"[-{self._clip(removed)}-]"] if removed else []) + ([f"{{+{self._clip(added)}+}}"] if added else []))
        before = bw[max(0, a1 - self.context) : a1]
        after = bw[a2 : a2 + self.context]
        snippet = ("…" if a1 > self.context else "") + " ".join([*before, change, *after]) + ("…" if a2 + self.context < len(bw) else "")
        if removed:
            span = (bw.span(a1)[0], bw.span(a2 - 1)[1])
            para = bw.para(a1)
        else:  # words only in the HTML: point at the body word they would follow (or precede)
            near = a1 - 1 if a1 > 0 else a1 if a1 < len(bw) else None
            span = bw.span(near) if near is not None else None
            para = bw.para(near) if near is not None else 0
        msg = f"body paragraph {para + 1} differs from the HTML ([-body-] {{+HTML+}}): {snippet}"
        return Hit(self.body_ptr, msg, evidence=change, span=span)


# -- rules ----------------------------------------------------------------------------
_BODY = "The council approved the plan on Tuesday.\r\n\r\n&nbsp;\r\n\r\nThe budget of 84 million euros was criticised."
_HTML = "<p><span>The council approved the plan on Tuesday.</span></p>\r\n\r\n<p>&nbsp;</p>\r\n\r\n<p><span>The budget of 84 million euros was criticised.</span></p>"


_GHOST = {"link-style": "text [url]", "line-markers": ["*", "1.", ">", "---"], "wrap-splits-words": True}


@rule(
    "FL401",
    "body-html-mismatch",
    "warning",
    options=(
        *PAIR_OPTIONS,
        Option("ignore-case", False, "compare the two texts case-insensitively", type=bool),
        FOLD_OPTION,
        MARKUP_OPTION,
        Option("max-diff-words", 8, "at most this many changed words shown per side of the diff", type=int, minimum=1),
        Option("context-words", 3, "unchanged words shown before and after the change", type=int, minimum=0),
        Option("max-differences", 1, "findings per record: the first this many changed paragraphs (the last one counts the rest)", type=int, minimum=1),
        *CONVENTION_OPTIONS,
        Option("markdown-body", False, "the plain-text body may be Markdown source: when its text differs, it is also read rendered as Markdown (CommonMark, tables, strikethrough, footnotes: a mark reads as its note's number; micro.blog's JSON Feed content_text)", type=bool),
    ),
    tags=("parity", "html"),
    examples=[
        bad(
            {"content_body": _BODY.replace("84 million", "48 million"), "content_html": _HTML},
            "a figure changed in the plain text only",
            pointers=["/content_body"],
        ),
        bad(
            {"content_body": _BODY.split("&nbsp;\r\n\r\n")[1], "content_html": _HTML},
            "the plain text lost its first paragraph",
            pointers=["/content_html"],
        ),
        bad(
            {"content_body": _BODY.split("\r\n\r\n&nbsp;")[0] + "\r\n\r\nThe budget of 84 million…", "content_html": _HTML},
            "the plain text was cut short",
            pointers=["/content_body"],
        ),
        good(
            {
                "content_body": "Tom &amp; Jerry&#39;s show, AT&T and R&D\r\n\r\n&nbsp;\r\n\r\n5 < 6 &mdash; \u201cyes\u201d",
                "content_html": '<p><strong>Tom &amp; Jerry\u2019s</strong> show, <a href="/?a=1&amp;b=2">AT&amp;T</a> and R&amp;D</p>\n<p>&nbsp;</p>\n<p>5 &lt; 6 \u2014<br>\u201cyes\u201d</p>',
            },
            "entities, inline markup, spacer paragraphs, `<br>` and line endings are not differences",
        ),
        good(
            {
                "content_body": "The ferry app reached version\n2. From now on it sells night crossings:\n\n * One ticket [https://example.org/t]\n * Two ferries",
                "content_html": '<p>The ferry app reached version 2. From now on it sells night crossings:</p><ul><li><a href="https://example.org/t">One ticket</a></li><li>Two ferries</li></ul>',
            },
            "Ghost's plaintext (the `ghost` profile's conventions): list markers and link targets dropped, a wrapped line starting with \"2.\" read as the words the HTML has there",
            options=_GHOST,
        ),
        bad(
            {
                "content_body": "The ferry app reached version 2. From now on it sells\n3. night crossings.",
                "content_html": "<p>The ferry app reached version 2. From now on it sells night crossings.</p>",
            },
            "with the same conventions: a line starting like a list item where the HTML has no list holds a word only the plain text has",
            pointers=["/content_body"],
            options=_GHOST,
        ),
    ],
)
def body_html_mismatch(record, options) -> Iterator[Hit]:
    """The plain-text body and the HTML body say different things.

    The HTML's visible text (tags dropped, entities decoded, block elements and a
    double `<br>` as paragraph breaks) is compared with the plain-text body
    (entities decoded, blank lines as paragraph breaks).  White space, CRLF vs LF,
    non-breaking spaces, empty spacer paragraphs (`<p>&nbsp;</p>`, a line holding
    only `&nbsp;`), inline markup and a single `<br>` vs a newline are not
    differences; with `fold-typography` (the default) neither are curly vs
    straight quotes or dash styles, and with `ignore-markup-in-body` (the
    default) tags typed into the plain text are dropped first: reporting them
    is FL205's job.  A change of paragraph breaks alone is not reported
    either: only words count; nor is a word boundary only one side has
    beside a CJK character (Chinese and Japanese put no space between words,
    nor between their text and a Latin word: `PR在`, `設定：var`, `切細。git`,
    where word segmentation breaks anyway; Korean puts spaces between words,
    and glued Hangul is reported, as are two Latin words glued together).  Text the plain text leaves out on purpose
    (captions, say) is skipped with `ignore-html-elements`.

    One finding per record, for the first difference: one side cut short (the
    other goes on after its last word, an ellipsis allowed; located at that last
    word), a paragraph only one side has (located at that paragraph, in the
    body or in the HTML), or a word-level
    diff of the first changed paragraph, located at the changed words of the
    body: `…the [-words only in the body-] {+words only in the HTML+} budget…`.
    Paragraph numbers count paragraphs with text (spacers are not counted).
    The number of further differences is added to the message;
    `max-differences` (default 1, one finding per record) reports the first
    that many changed paragraphs, each at its place, so a real defect is not
    hidden behind an earlier one.  The fields are the `body-field` and
    `html-field` options; a record with one side empty is FL402's, not this
    rule's.

    `check --fix --unsafe-fixes` rebuilds the plain-text body from the HTML's
    visible text (unsafe: it takes the HTML as the right side), in the
    body's own paragraph separator and line ends.  Offered only when the
    body has no text the HTML lacks (no paragraph only the body has, the
    HTML not cut short) and neither the profile (`link-style`,
    `line-markers`) nor the body itself (a `[https://…]` link target, a
    line starting with `*`, `-`, `>` or `1.`) shows plain-text conventions
    a rebuild could not write.

    A CMS that writes its plain text with conventions of its own says so
    (the `ghost` profile does): `link-style = "text [url]"` drops the
    `[url]` the plain text writes after a link's text (a target the HTML
    links to, written with the href's own white space or wrapped across
    lines: `[tel:+34 600 111]`, `[` newline `https://…]`; or any bracketed
    URL without white space that the HTML does not show as text, so a
    literal `[/caption]` on both sides stays; the line break after it when
    the HTML has text right after the link; a space in its place when the
    link's text ends in one, `Reader </a>,`), and `line-markers` (`"*"`,
    `"-"`, `"+"`, `"1."`, `"1)"` list items, `">"` quotes, `"---"` rule
    lines) drops those markers at the start of a line where the HTML has
    what they stand for (a list marker before the first word of a
    paragraph inside `<li>`, a quote marker inside `<blockquote>`), and
    at the start of an HTML paragraph too (a heading "2. Next steps"; not
    in code, where `*` and `>` are code), a list marker alone on its line
    when the HTML has an empty `<li>`, and a marker standing alone inside
    a line (html-to-text starts a nested list on its parent's line,
    numbers a quote `> 1.`).  A line that only starts like a marker is
    text: where the HTML has the same words at that place (a wrapped
    "version" newline "2. From now on", a doc comment's `* ` lines or an R
    prompt's `> ` in a code block) they are compared as words, and where
    the HTML has neither those words nor a list item or quote there, the
    marker is a word only the body has.  `wrap-splits-words` says the
    plain text is wrapped by a tool that may break a line where the HTML
    has no space (`"` newline `Why` for `"<a>Why`): a single line break
    may then stand for nothing.  The reverse, words glued where the HTML
    has a space or a block boundary ("improvesurvival"), is still
    reported.  `optional-html-elements` names elements the plain text may
    leave out whole (Ghost 5 and later skip `figcaption`, Ghost 4 writes
    captions): such a paragraph missing from the plain text is not a
    difference, one present but changed or glued to the next paragraph
    is.  `fallback-text` names raw-text elements whose content the plain
    text writes although a browser shows none of it (Ghost's html-to-text
    writes the fallback link inside an embed's `<iframe>`): whole lines of
    the body that are such an element's text, once per element, are not a
    difference.  Captions the plain text always leaves
    out go in `ignore-html-elements`.
    """
    pair = _pair(record, options)
    if pair is None:
        return
    conventions = _conventions(record, options, pair) if options["link-style"] != "text" or options["line-markers"] or options["wrap-splits-words"] or options["fallback-text"] else None
    if not conventions and _same_words_undecoded(record, options, pair):
        return
    bk, hk = _keys(record, options, pair, conventions=conventions)
    if not bk or not hk:
        return
    if conventions and conventions.markers and _same(bk, hk, options):
        unlisted = _unlisted(record, options, pair, conventions, hk)
        if unlisted:  # a line starting like a marker where the HTML has no list item or quote: a word only the body has
            conventions = dataclasses.replace(conventions, kept=conventions.kept | unlisted)
            bk, hk = _keys(record, options, pair, conventions=conventions)
    if _same(bk, hk, options):
        return
    if conventions and conventions.markers:
        rescued = _rescued(options, pair, conventions, hk)
        if rescued is not None:  # words that only look like markers ("version\n2. From"): kept, and compared again
            conventions = rescued
            bk, hk = _keys(record, options, pair, conventions=conventions)
            if _same(bk, hk, options):
                return
    skip: frozenset[int] = frozenset()
    if conventions and options.get("optional-html-elements"):
        skip = _absent_paragraphs(record, options, pair, conventions, bk)
        if skip:  # Ghost 5's plaintext skips captions: a caption missing whole is not a difference
            hk = _scan(record, pair[2], pair[3], _fields(options).hidden).key(options["fold-typography"], conventions.markers, skip)
            if _same(bk, hk, options):
                return
    if options["ignore-markup-in-body"] and "<" in pair[1]:
        # "<b>" in the body may be literal text the HTML shows escaped: equal either way is equal
        raw = body_key(pair[1], options["fold-typography"], strip_markup=False, conventions=conventions or None)
        if _same(raw, hk, options):
            return
    markdown = False  # the body is Markdown that reads otherwise rendered: a rebuilt plain text would lose it
    if options["markdown-body"]:
        mk = markdown_key(pair[1], options["fold-typography"])
        if mk is not None and _same(mk, hk, options):
            return  # the Markdown source of the HTML's text
        markdown = mk is not None and mk != bk
    shown = (pair[0], source_as_text(pair[1]), pair[2], pair[3]) if markdown else pair  # the difference shown in the Markdown's words, at their places
    bk = hk = raw = mk = None  # the keys are two more copies of the record: not held through the diff
    diff = _Diff(shown, lambda: _scan_for_the_diff(record, pair, options), options, conventions, skip)
    hits = diff.hits()
    if options["link-style"] != "text" or options["line-markers"] or options["fallback-text"] or markdown or diff.body_has_more or _PLAIN_CONVENTION.search(pair[1]):
        yield from hits  # a CMS's own plain-text conventions cannot be rebuilt; text only the body has would be lost
        return
    fix = _rebuild_fix(pair, options)
    yield from [dataclasses.replace(h, fix=fix) if h.pointer == pair[0] else h for h in hits]


def _rebuild_fix(pair: tuple[str, str, str, str], options) -> DeferredFix:
    """FL401/FL402's unsafe fix: the plain-text body written anew from the HTML's visible text."""
    return DeferredFix(rebuilt_body, (pair[1], pair[3], tuple(sorted(_fields(options).hidden))), "rebuild the plain-text body from the HTML", "unsafe", explain=_rebuilt_description)


# Plain-text conventions a rebuild from the HTML would drop: a link target in brackets ("text [https://…]"),
# list and quote markers at the start of a line ("* item", "1. item", "> quote").  Their body is kept.
_PLAIN_CONVENTION = re.compile(r"\[(?:https?://|mailto:|/)[^\]\s]*\]|^[ \t]*(?:[*+>-]|[0-9]{1,3}[.)])[ \t]", re.M)
_SEPARATOR = re.compile(r"(?:\r\n?|\n)(?:[ \t\u00a0]*(?:&nbsp;|&#160;)?[ \t\u00a0]*(?:\r\n?|\n))+")
_SPACES = re.compile(r"[ \t\r\n\f]+")


def rebuilt_body(body: str, html: str, hidden: tuple[str, ...] = ()) -> str:
    """The HTML's visible text as plain text, in the body's own conventions.

    Paragraphs (block elements, a double ``<br>``) are joined with the
    separator the body already uses between its paragraphs (a blank line,
    or the CMS's ``\\r\\n\\r\\n&nbsp;\\r\\n\\r\\n``), a single ``<br>`` is a line
    break in the body's line ends; entities are decoded, spacer paragraphs and
    runs of white space inside a line dropped (non-breaking spaces kept).
    """
    newline = "\r\n" if "\r\n" in body or ("\n" not in body and "\r\n" in html) else "\n"
    m = _SEPARATOR.search(body)
    separator = m.group() if m else newline * 2
    paragraphs = []
    for raw, _, _ in scan_html(html, frozenset(hidden)).paragraphs:
        lines = [_SPACES.sub(" ", line).strip(" ") for line in raw.split("\n")]
        text = newline.join(line for line in lines if line.strip())
        if text.strip():
            paragraphs.append(text)
    return separator.join(paragraphs)


def _rebuilt_description(body: str, html: str, hidden: tuple[str, ...] = ()) -> str:
    """What the rebuild did; the body's words counted as FL401/FL402 count them (visible words: a lone ``&nbsp;`` is none)."""
    paragraphs = len(scan_html(html, frozenset(hidden)).paragraphs)
    words = len(body_key(body).split())
    was = f"had {_plural(words, 'word')}" if words else "was empty" if not body.strip() else "had no visible words, only spacing"
    return f"rebuilt the plain-text body from the HTML's visible text ({_plural(paragraphs, 'paragraph')}; the body {was}; the HTML is taken as right)"


@rule(
    "FL402",
    "body-or-html-empty",
    "warning",
    options=(*PAIR_OPTIONS, FALLBACK_OPTION),
    tags=("parity", "html"),
    examples=[
        bad({"content_body": "\r\n&nbsp;\r\n", "content_html": _HTML}, "the plain text is empty, the HTML is not", pointers=["/content_body"]),
        bad({"content_html": "<p>&nbsp;</p><p><br></p>"}, "the HTML has only spacers, the plain text has the story", pointers=["/content_html"]),
        good({"content_body": "", "content_html": "<p>&nbsp;</p>"}, "both sides empty"),
    ],
)
def body_or_html_empty(record, options) -> Iterator[Hit]:
    """One of the plain-text body and the HTML body has text, the other none.

    "No text" means no visible words once entities are decoded and white space,
    `&nbsp;` and spacer paragraphs are dropped (an HTML body holding only an
    image counts as empty).  Reported at the empty field.  Both empty, or a field
    that is absent, is not this rule's business (see FL102).  An empty body is
    rebuilt from the HTML by `check --fix --unsafe-fixes`, as for FL401.  With
    `fallback-text`, a body whose only words are the text of such elements
    (a chat widget's `<noscript>` links, which html-to-text writes and no
    browser shows) is as empty as the HTML, as FL401 reads it.
    """
    pair = _pair(record, options)
    if pair is None:
        return
    fields = _fields(options)
    if "<" not in pair[1] and surely_has_text(pair[1]) and not fields.hidden:
        html = pair[3]
        quick = _quick(record, fields.html_ptr, html)
        if quick is not None and quick.surely_has_text():
            return  # both sides have text: the usual record, decided without decoding either
    bk, hk = _keys(record, options, pair, fold=True, strip=True)
    if bool(bk) == bool(hk):
        return
    if not hk and _only_fallback_text(record, pair, options):
        return
    words = len((bk or hk).split(" "))
    if not bk:
        conventions = options.get("link-style", "text") != "text" or options.get("line-markers")
        fix = None if conventions else _rebuild_fix(pair, options)
        empty = "null" if not pair[1] and _value(record, pair[0]) is None else "empty"  # a script-written import's plaintext: null
        yield Hit(pair[0], f"the plain-text body is {empty} but the HTML has text ({_plural(words, 'word')})", evidence="empty-body", fix=fix)
    else:
        yield Hit(pair[2], f"the HTML has no visible text but the plain-text body has {_plural(words, 'word')}", evidence="empty-html")


def _only_fallback_text(record, pair, options) -> bool:
    """The body's words are all the HTML's ``fallback-text`` (and the link targets the plain text writes after them)."""
    names = _element_names(options, "fallback-text")
    fallbacks = fallback_keys(pair[3], names) if names and "<" in pair[3] else ()
    if not fallbacks:
        return False
    links = _links(record, pair) if "[" in pair[1] else ()
    return not body_key(pair[1], True, True, PlainConventions(links, fallbacks=fallbacks))


@rule(
    "FL403",
    "html-needs-repair",
    "warning",
    options=(Option("repairs", list(REPAIR_KINDS), "which repairs to report: misnested, unclosed, stray", type=list),),
    tags=("parity", "html"),
    examples=[
        bad({"content_html": "<p><b>Council approves tram line</p></b>"}, "misnested bold and paragraph", pointers=["/content_html"]),
        bad({"content_html": '<p><span style="font-size:16px;">The council approved the plan.</p>'}, "a span never closed", pointers=["/content_html"]),
        bad({"content_html": "<p>The council approved the plan.</p></div>"}, "a stray end tag", pointers=["/content_html"]),
        good(
            {"content_html": "<p>one<p>two<ul><li>three<li>four</ul><p>five<br>six<br/><img src=x.jpg></p><p>&nbsp;</p>"},
            "omitted optional end tags and void elements are valid HTML",
        ),
    ],
)
def html_needs_repair(record, options) -> Iterator[Hit]:
    """HTML the browser's parser has to repair, so the text shown may not be what the editor saw.

    Checked for every field with the `html` role, following the HTML5 parsing
    rules (no tree is built): misnested tags (`<p><b>text</p></b>`, a block such
    as `<div>` opened inside `<p><span>`, a link inside a link), elements never
    closed (`<b>`, `<span>`, `<div>`, or `<span/>`, which does not close itself
    in HTML), a tag cut off by the end of the field (a truncated export), and
    stray end tags (`</div>` with nothing to close: it would close
    the page's own container once embedded; `</p>` without a paragraph, which
    inserts an empty one; `</br>`, read as a line break).  Valid HTML is not
    reported: omitted optional end tags (`<p>one<p>two`, `<li>`, table cells),
    void elements with or without `/>` (`<br>`, `<img/>`), `<path/>` inside
    `<svg>`, comments and scripts.  One finding per field, at the first repair,
    with the count of the others (counting stops at 1,000).
    """
    wanted = set(options["repairs"])
    unknown = wanted - set(REPAIR_KINDS)
    if unknown:
        raise SetupError(f"option 'repairs' has unknown kinds {sorted(unknown)}; known: {list(REPAIR_KINDS)}")
    for pointer, html in record.fields_with_role("html"):
        quick = _quick(record, pointer, html)
        if quick is not None and quick.clean:
            continue  # the fast path: properly nested, nothing closed implicitly
        repairs = [r for r in _scan(record, pointer, html).repairs if r.kind in wanted]
        if not repairs:
            continue
        first = repairs[0]
        scan = _scan(record, pointer, html)
        more = f" ({_plural(len(repairs) - 1, 'more repair')}{'' if scan.complete else ' at least'} in this field)" if len(repairs) > 1 else ""
        yield Hit(pointer, first.message + more, evidence=first.evidence, span=(first.start, first.end))


@rule(
    "FL404",
    "html-is-whole-document",
    "warning",
    tags=("parity", "html"),
    examples=[
        bad({"content_html": "<!DOCTYPE html>\n<html lang=\"en\"><head><title>Council approves tram line</title><script src=\"site.js\"></script></head><body><p>The council approved the plan.</p></body></html>"},
            "a whole page exported as the article's HTML", pointers=["/content_html"]),
        bad({"content_html": "  <!-- exported --><HTML><BODY><p>The council approved the plan.</p></BODY></HTML>"}, "a page without a doctype, in capitals, after a comment", pointers=["/content_html"]),
        good({"content_html": "<p>A page starts with <code>&lt;!DOCTYPE html&gt;</code> and <code>&lt;html&gt;</code>.</p>"}, "a page's tags written as text in a code sample"),
        good({"content_html": "<!-- generated by the CMS --><p>The council approved the plan.</p><pre><code><html>\n</code></pre>"}, "a fragment after a comment; a tag inside a code block further on"),
    ],
)
def html_is_whole_document(record, options) -> Iterator[Hit]:
    """An HTML field holds a whole HTML document, not the fragment an article's body is.

    A field that starts (after white space and comments) with `<!DOCTYPE`,
    `<html>`, `<head>` or `<body>` is a page: embedded where a feed reader or an
    app puts the article, its document tags are parse errors, and what its head
    holds (scripts, stylesheets by relative paths, a second `<title>`) lands
    in the reader's page.  Seen on a real JSON Feed whose every `content_html`
    was the site's rendered page.  One finding per field, at that first tag,
    naming the scripts and stylesheets it carries.  A page's tags written as
    text (`&lt;html&gt;` in a code sample) or further on in a fragment are
    not this rule's (FL403 reports stray document tags in a fragment).
    """
    for pointer, html in record.fields_with_role("html"):
        m = _DOCUMENT_START.match(html)
        if m is None:
            continue
        carried = _head_contents(html)
        why = f"a whole HTML document, not a fragment: it starts with {m.group(1)}" + (f" and carries {carried}" if carried else "")
        yield Hit(pointer, why, evidence=m.group(1), span=m.span(1))


# White space and comments, then a document's first tag (`<!DOCTYPE html>` whole, `<html …>` up to its name).
_DOCUMENT_START = re.compile(r"(?:[\t\n\f\r \ufeff]|<!--.*?-->)*(<!doctype[^>]*>|<(?:html|head|body)(?=[\t\n\f\r />]))", re.I | re.S)
_CARRIED = re.compile(r"<(script|link|style|meta|base)(?=[\t\n\f\r />])", re.I)


def _head_contents(html: str) -> str:
    """What the page carries that a fragment would not: ``2 <script>, 1 <link>`` (in order of first appearance)."""
    counts: dict[str, int] = {}
    for m in _CARRIED.finditer(html):
        name = m.group(1).lower()
        counts[name] = counts.get(name, 0) + 1
    return ", ".join(f"{n} <{name}>" for name, n in counts.items())


RULES = [body_html_mismatch, body_or_html_empty, html_needs_repair, html_is_whole_document]
