"""FL2xx: text encoding and character references.

Which fields are plain text, HTML or deliberately entity-encoded is configuration
(``[fields.cms]``), so every rule asks ``record.fields_with_role(...)``.  All
checks start with a cheap test (``"&" in value``, ``value.isascii()``) so clean
records cost little; ftfy is imported only when a field looks like mojibake.
A scan of a long field that several rules need is made once per record
(``record.memo``): the fields by role (found by a layout worked out once per
configuration), and with them FL201's reference tallies (FL202's ``&amp;``
test and FL401's look at the body's ``&`` too: :func:`whole_tally`), the
possibly malformed references (FL202 and FL203), and a non-ASCII field's
UTF-8 (FL204 and FL206 check its bytes).  Each shortcut is held to the code
it skips by tests/test_speed_encoding.py (FL401's by tests/test_rules_parity.py).
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from functools import lru_cache
from typing import Any, Iterator, NamedTuple

from feedlint.api import DeferredFix, Fix, Hit, Option, SetupError, bad, good, rule
from feedlint.fields import single_member

from . import _entities as ent
from . import _fixtext, _markup, _mojibake, _pieces
from ._excerpt import excerpt

KINDS = ("cms", "article")
TAGS = ("encoding",)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


class _Fields(NamedTuple):
    """A record's fields by FL2xx role, worked out once per record for all FL2xx rules."""

    plain: list[tuple[str, str]]  # plain-text fields
    text: list[tuple[str, str]]  # plain-text, HTML and entity-encoded fields, once each
    markup: list[tuple[str, str]]  # HTML and entity-encoded fields (references belong there), by pointer
    markup_pointers: frozenset[str]
    exempt: frozenset[str]  # pointers of entity-encoded fields
    # scans of a field that several rules need, by pointer (filled as they ask)
    tallies: dict[str, Counter]  # FL201's reference tally
    firsts: dict[str, dict[str, int]]  # where each reference first occurs, in a field tallied by counting (FL201's hits)
    stray: set[str]  # pointers of fields with an "&#" that starts no complete reference (found with the tally)
    suspects: dict[str, set[str]]  # SUSPECT matches (FL202, FL203)
    utf8: dict[str, bytes]  # a non-ASCII field's UTF-8 (FL204, FL206)
    whole: set[str]  # pointers of fields whose tally holds every "&" of the field (each starts a complete reference)


def _fields(record) -> _Fields:
    return record.memo("fl2:fields", lambda: _collect_fields(record))


def _collect_fields(record) -> _Fields:
    data = record.data
    layout = _layout(record.roles, record.kind) if isinstance(data, dict) else None
    if layout is None:
        return _collect_fields_by_role(record)
    # what fields_with_role gives for one-member patterns ("/content_body"): the members present as strings, in order
    plain = [(pointer, value) for key, pointer in layout.plain if isinstance(value := data.get(key), str)]
    markup = [(pointer, value) for key, pointer in layout.markup if isinstance(value := data.get(key), str)]
    return _Fields(plain, plain + markup, markup if layout.markup_sorted else sorted(markup), layout.markup_pointers, layout.exempt, {}, {}, set(), {}, {}, set())


def _collect_fields_by_role(record) -> _Fields:
    plain = list(record.fields_with_role("plain-text"))
    encoded = list(record.fields_with_role("entity-encoded"))
    return _assemble_fields(plain, [*record.fields_with_role("html"), *encoded], encoded)


class _Layout(NamedTuple):
    """Where a configuration puts the FL2xx fields, when each pattern names one member and no pointer repeats."""

    plain: tuple[tuple[str, str], ...]  # (key, pointer) of each plain-text member
    markup: tuple[tuple[str, str], ...]  # HTML, then entity-encoded members
    markup_sorted: bool  # the markup members are in pointer order
    markup_pointers: frozenset[str]  # all of them: rules only ask about fields that are present
    exempt: frozenset[str]


_LAYOUTS: dict[tuple[int, str], tuple[object, _Layout | None]] = {}


def _layout(roles, kind: str) -> _Layout | None:
    """The FL2xx fields' layout for a field-role configuration and record kind, or None (take the general path).

    Worked out once per configuration and kind (the configuration object is
    kept, so its ``id`` is not reused): a record then costs a dictionary lookup
    per field instead of three ``fields_with_role`` walks and the merging.
    With no pointer listed twice, the text fields are the plain ones then the
    markup ones, and whether a present field is markup or exempt does not
    depend on the record.
    """
    entry = _LAYOUTS.get((id(roles), kind))
    if entry is not None and entry[0] is roles:
        return entry[1]
    plain, html, encoded = (tuple(single_member(p) for p in roles.for_kind(kind, role)) for role in ("plain-text", "html", "entity-encoded"))
    markup = html + encoded
    pointers = [m[1] for m in plain + markup if m is not None]
    layout = None
    if len(pointers) == len(plain + markup) == len(set(pointers)):
        markup_pointers = [p for _, p in markup]
        layout = _Layout(plain, markup, markup_pointers == sorted(markup_pointers), frozenset(markup_pointers), frozenset(p for _, p in encoded))
    _LAYOUTS[(id(roles), kind)] = (roles, layout)
    return layout


def _assemble_fields(plain: list[tuple[str, str]], markup: list[tuple[str, str]], encoded: list[tuple[str, str]]) -> _Fields:
    seen = dict(plain)  # a pointer listed twice has the same value: the first position counts
    for pointer, value in markup:
        seen.setdefault(pointer, value)
    markup_pointers = frozenset([p for p, _ in markup])
    exempt = frozenset([p for p, _ in encoded]) if encoded else frozenset()
    return _Fields(plain, list(seen.items()), [(p, seen[p]) for p in sorted(markup_pointers)], markup_pointers, exempt, {}, {}, set(), {}, {}, set())


def _text_fields(record) -> list[tuple[str, str]]:
    """Every plain-text, HTML and entity-encoded field, once each."""
    return _fields(record).text


def _utf8(fields: _Fields, pointer: str, value: str) -> bytes:
    """A non-ASCII field as UTF-8, encoded once per record: FL204 and FL206 precheck it at C speed."""
    data = fields.utf8.get(pointer)
    if data is None:
        data = fields.utf8[pointer] = _mojibake.utf8_of(value)
    return data


def _suspects(fields: _Fields, pointer: str, value: str) -> set[str]:
    """Distinct ``ent.SUSPECT`` matches in a field, found once per record for FL202 and FL203."""
    found = fields.suspects.get(pointer)
    if found is None:
        found = fields.suspects[pointer] = set(ent.SUSPECT.findall(value))
    return found


def _normalise_reference(name: object) -> str:
    return "&" + str(name).strip().lstrip("&").rstrip(";") + ";"


# -- FL201 ----------------------------------------------------------------------


@rule(
    "FL201",
    "undecoded-entity",
    "warning",
    kinds=KINDS,
    tags=TAGS + ("entities",),
    options=[
        Option("allowed-entities", [], "references tolerated in plain text, written as names: [\"amp\", \"#38\"]", type=list),
        Option("legacy-without-semicolon", False, "also report legacy references written without a semicolon (&amp &copy) when no letter, digit, = or ; follows", type=bool),
    ],
    examples=[
        bad({"content_body": "Iran&#39;s president said&nbsp;no."}, "a numeric and a named reference left in a plain-text body", pointers=["/content_body"]),
        bad({"content_title": "Talks &quot;impossible&quot;, minister says"}, "quotes left encoded in a headline", pointers=["/content_title"]),
        bad({"content_summary": "The mayor&#8217s plan for the 1990&#150s"}, "numeric references that lost their semicolon", pointers=["/content_summary"]),
        good({"content_body": "AT&T, R&D and Q&A: Tom & Jerry, fish & chips, ?a=1&b=2, ?a=1&#42, C&# and F&#."}, "bare ampersands in prose and URLs"),
        good({"content_html": "<p>Iran&#39;s president said&nbsp;no.</p>"}, "references inside an HTML field are where they belong"),
    ],
)
def undecoded_entity(record, options) -> Iterator[Hit]:
    """A plain-text field contains HTML character references (`&#39;`, `&quot;`, `&nbsp;`).

    Plain-text fields are shown as they are: a reader sees `Iran&#39;s`, not
    `Iran's`.  One finding per field and distinct reference, located at its
    first occurrence, naming what the reference stands for (invisible
    characters as `U+00A0 NO-BREAK SPACE`), how often it occurs and the words
    around the first one.  `check --fix` decodes
    the references (a safe fix).

    Reported: complete references, `&name;` where `name` is a real HTML5
    entity, and numeric `&#NNN;` / `&#xHH;`; and numeric references without
    their semicolon (`Don&#8217s`, `1990&#150s`), which HTML reads as the
    reference followed by text (`Don’s`; `&#150` is Windows-1252's en dash).
    Those are left alone in a URL, a path or a query string (`?a=1&#42`),
    in backticks, and when no one writes a reference for the character
    (`&#1` a control, `&#65` a plain ASCII letter, a mark on its own, an
    unassigned code point, a letter of a script the text around lacks);
    one whose digits may run into the text's (`&#392 points`: U+0188, or
    `&#39;` before "2 points") is reported without a fix.  A bare ampersand is prose —
    `AT&T`, `R&D`, `Q&A`, `Tom & Jerry`, `fish & chips`, `&c`, `?a=1&b=2` stay
    silent, and so does `&nbps;` (not an entity).  Legacy references without a
    semicolon (`&amp`, `&copy`) are ignored unless `legacy-without-semicolon` is
    set, because in plain text they are far more often prose than entities.
    `&amp;` that wraps another reference (`&amp;#39;`) is left to FL202.
    Fields with the `entity-encoded` role are exempt, and references named in
    `allowed-entities` are tolerated.
    """
    fields = _fields(record)
    names = options["allowed-entities"]
    allowed = {_normalise_reference(n) for n in names} if names else _NONE
    legacy = options["legacy-without-semicolon"]
    for pointer, value in fields.plain:
        if "&" not in value or pointer in fields.exempt:
            continue
        unclosed = None
        if not legacy:
            tally = _reference_tally(fields, pointer, value)
            unclosed = _unclosed(fields, pointer, value)
        elif "&#" in value:
            unclosed = list(ent.unclosed_references(value))
        if not legacy and not unclosed:
            decoded = _undecoded_quick(tally, allowed) if allowed else _undecoded_quick_by_texts(tally)
            if decoded is not None:
                if decoded:
                    fix = DeferredFix(_replace_all, (value, decoded), _DECODE_FIX, explain=_fixtext.decoded_references)
                    firsts = fields.firsts.get(pointer)
                    yield from [_undecoded_hit(pointer, value, text, tally[text], firsts[text] if firsts else value.find(text), fix) for text in decoded]
                continue
        counts: dict[str, list] = {}  # text: [occurrences, first offset]
        spans: list[tuple[int, int]] = []
        for m in ent.references(value):
            text = m.group()
            if text == "&amp;" and ent.DOUBLE.match(value, m.start()):
                continue  # double encoding: FL202 reports it
            if text in allowed:
                continue
            counts.setdefault(text, [0, m.start()])[0] += 1
            spans.append(m.span())
        if options["legacy-without-semicolon"]:
            for m in ent.legacy_references(value):
                if _normalise_reference(m.group(1)) not in allowed:
                    counts.setdefault(m.group(), [0, m.start()])[0] += 1
                    spans.append(m.span())
        guesses: dict[str, str] = {}  # unclosed references that may have swallowed digits of the text: what else they may be
        for m in unclosed or ():
            text = m.group()
            if _normalise_reference(text) in allowed:
                continue
            counts.setdefault(text, [0, m.start()])[0] += 1
            if ent.unclosed_is_ambiguous(value, m):
                guesses.setdefault(text, ent.shorter_reading(text) or "")
            else:
                spans.append(m.span())
        if not counts:
            continue
        fix = DeferredFix(_decode_spans, (value, sorted(spans)), _DECODE_FIX, explain=_fixtext.decoded_spans) if spans else None
        for text, (n, at) in counts.items():
            if text[-1:] == ";" or not text.startswith("&#"):
                yield _undecoded_hit(pointer, value, text, n, at, fix)
            else:
                yield _unclosed_hit(pointer, value, text, n, at, fix if text not in guesses or any(value[a:b] == text for a, b in spans) else None, guesses.get(text))


_DECODE_FIX = "decode the character references"
_NONE: frozenset[str] = frozenset()


def _undecoded_hit(pointer: str, value: str, text: str, n: int, at: int, fix: DeferredFix) -> Hit:
    """An FL201 hit at the first occurrence of ``text`` (offset ``at``), with the words around it."""
    end = at + len(text)
    return Hit(pointer, f'{_undecoded_message(text, n)}: "{excerpt(value, at, end)}"', text, (at, end), fix)


def _unclosed(fields: _Fields, pointer: str, value: str) -> list[re.Match] | None:
    """The numeric references without ``;`` that FL201 reports, or None (looked for only when there can be one).

    One can only start at an ``&#`` that starts no complete reference (it would
    be followed by digits then ``;``), and :func:`_reference_tally` noted
    whether the field has one: a field of a hundred ``&#39;`` is not scanned again.
    """
    return list(ent.unclosed_references(value)) if pointer in fields.stray else None


def _unclosed_hit(pointer: str, value: str, text: str, n: int, at: int, fix: DeferredFix | None, guess: str | None) -> Hit:
    """An FL201 hit on a numeric reference without its ``;`` (``&#8217s``), as a browser reads it; ``guess``: what it may have been instead."""
    end = at + len(text)
    shown = ent.describe(ent.unclosed_value(text) or ent.decode(text))
    why = f'undecoded entity "{text}" without its ";" ({shown}, as browsers read it) in plain-text field ({_plural(n, "occurrence")})'
    if guess:
        why += f'; it may also be "{guess}" followed by digits of the text, so it is not fixed'
    return Hit(pointer, f'{why}: "{excerpt(value, at, end)}"', text, (at, end), fix)


@lru_cache(maxsize=4096)
def _undecoded_message(text: str, n: int) -> str:
    """The message of an FL201 hit: the same few references, mostly in small numbers, recur in every record."""
    return f'undecoded entity "{text}" ({ent.describe(ent.decode(text))}) in plain-text field ({_plural(n, "occurrence")})'


# A decoded reference that cannot be part of another reference ("'", '"', NBSP, curly quotes).
_INERT = re.compile(r"[^&;#0-9A-Za-z]+")


def _undecoded_quick(tally: Counter, allowed: set[str]) -> dict[str, str] | None:
    """What each reference FL201 reports decodes to, without a Python step per occurrence (None: take the general path).

    ``tally`` (:func:`_reference_tally`) counts each distinct reference in
    order of first occurrence, as the general loop does: the references
    reported are the keys of the answer, in that order, each ``tally[text]`` times.  A reference contains no
    ``&`` or ``;`` inside, so every occurrence of its text is a match, and
    ``str.replace`` decodes exactly the matched spans as long as no decoded
    text could join its neighbours into a new reference.  ``&amp;`` needs the
    per-occurrence double-encoding test, so it takes the general path.
    """
    if "&amp;" in tally:
        return None
    decoded: dict[str, str] = {}
    for text in tally:
        if text in allowed:
            continue
        value_of = _inert_value(text)
        if value_of is None:
            continue  # not a real entity
        if not value_of:
            return None  # decodes to text that could join a neighbour into a reference
        decoded[text] = value_of
    return decoded


_QUICK: dict[tuple[str, ...], dict[str, str] | None] = {}


def _undecoded_quick_by_texts(tally: Counter) -> dict[str, str] | None:
    """:func:`_undecoded_quick` with nothing allowed, worked out once per sequence of distinct references.

    Its answer depends on the tally's keys alone (in order), and records repeat
    the same few (``&#39;``, ``&nbsp;``, ``&quot;``, ...).  The answer is shared:
    it is only read (the fix's ``_replace_all`` reads it too).
    """
    key = tuple(tally)
    try:
        return _QUICK[key]
    except KeyError:
        if len(_QUICK) >= 4096:
            _QUICK.clear()
        decoded = _QUICK[key] = _undecoded_quick(tally, _NONE)
        return decoded


@lru_cache(maxsize=4096)
def _inert_value(text: str) -> str | None:
    """What a ``REFERENCE`` match decodes to if that is :data:`_INERT`, ``""`` if not, None when it is no real entity.

    Worked out once per distinct text (a body repeats a handful of references).
    """
    if not ent.is_reference(text):
        return None
    decoded = ent.decode(text)
    return decoded if _INERT.fullmatch(decoded) else ""


# ent.REFERENCE, or else an "&#" that starts none, or else a bare "&".  Where REFERENCE matches, this matches the
# same text (the same alternatives first), and after an "&#" or an "&" it goes on where REFERENCE would: neither
# the "#" nor what follows the "&" is an "&".
_REFERENCE_OR_HASH = re.compile("&(?:" + ent.REFERENCE_BODY + ";|#)?")


def _reference_tally(fields: _Fields, pointer: str, value: str) -> Counter:
    """How often each ``ent.REFERENCE`` text occurs in a field (C speed: ``findall``, ``Counter``), once per record.

    FL202 reads it too when FL201 made it: every ``&amp;`` in the text is one of
    these matches (a match holds no ``&`` but its first character, so none hides
    another), so ``"&amp;" in tally`` answers ``"&amp;" in value``.  The same
    pass counts the ``&#`` that start no reference and the bare ``&`` (then
    dropped from the tally): a field with such an ``&#`` goes in
    ``fields.stray`` (:func:`_unclosed`), without a ``count`` over the field.
    A field made of the references of the field scanned before is counted
    instead (:func:`_tally_by_counting`).  A field with neither such ``&#``
    nor a bare ``&`` goes in ``fields.whole`` (:func:`whole_tally`).
    """
    tally = fields.tallies.get(pointer)
    if tally is None:
        counted = _tally_by_counting(value)
        if counted is not None:
            tally, fields.firsts[pointer] = counted
            fields.whole.add(pointer)
        else:
            findall = _REFERENCE_OR_HASH.findall
            tally = _tally_in_pieces(findall, value) if _pieces.long(value) else Counter(findall(value))
            stray, bare = tally.pop("&#", None), tally.pop("&", None)
            if stray:
                fields.stray.add(pointer)
            elif not bare:
                fields.whole.add(pointer)
            _remember_references(() if stray or bare else tuple(tally))
        fields.tallies[pointer] = tally
    return tally


def whole_tally(record, pointer: str, value: str) -> Counter | None:
    """FL201's reference tally of ``value``, the plain-text field at ``pointer``, if this record's check made one that holds every ``&`` of it; else None.

    For another rule asking what the ``&`` of that field start (FL401: is
    there an ``&amp;``, or an ``&`` that starts no reference?): each ``&``
    then starts one of the tally's complete references, and every ``&amp;``
    is one of them (see :func:`_reference_tally`), so the tally answers
    without a scan of the field.  None when FL201 has not tallied the field
    (not selected, ``legacy-without-semicolon``, an exempt field): nothing
    is tallied here.
    """
    fields = _fields(record)
    if pointer not in fields.whole:
        return None
    for at, field in fields.plain:
        if at == pointer:
            return fields.tallies.get(pointer) if field is value else None
    return None


_RECENT: tuple[str, ...] = ()  # the references of the field scanned last (at most _RECENT_MAX), in first-seen order


def _tally_by_counting(value: str) -> tuple[Counter, dict[str, int]] | None:
    """The tally of a field each of whose ``&`` starts a reference of :data:`_RECENT`, counted at C speed, and where each first occurs; None when one does not.

    An export repeats the same few references, and a field of five thousand
    characters holds about eighty: the scan makes and counts a string per
    match (about 2,500 instructions each), ``str.count`` of each reference
    and of ``&`` does not.  Exact: a reference holds one ``&`` (its first
    character) and ends at its only ``;``, so no two of them start at the
    same ``&`` and the counts add up to the number of ``&`` exactly when every
    ``&`` starts one of them -- the scan's matches then, each the whole
    reference (``_REFERENCE_OR_HASH``'s alternatives end at the same ``;``),
    and no stray ``&#``.  The tally keeps the scan's first-seen order, found
    with ``str.find`` (FL201's hits take those offsets).
    Callgrind, the 1,000-record export (``--select FL2,FL3``): 2,661.6 M ->
    2,591.9 M instructions; the offsets, 7 M more (found first, then counted
    from there on: the text before the first occurrence read once).
    """
    left = value.count("&") if _RECENT else 0
    if not left:
        return None
    found = []
    for text in _RECENT:
        at = value.find(text)
        if at >= 0:
            n = value.count(text, at)  # from the first occurrence on (all of them): the text before it is read once, not twice
            found.append((at, text, n))
            left -= n
            if not left:
                found.sort()
                return Counter({text: n for _, text, n in found}), {text: at for at, text, _ in found}
    return None


_RECENT_MAX = 8


def _remember_references(references: tuple[str, ...]) -> None:
    """The next fields are counted against the references of the field just scanned (see :func:`_tally_by_counting`).

    None (an empty tuple) when that field had an ``&`` that starts no reference
    (``AT&T``) or a stray ``&#``: the next ones probably do too, and counting
    them first would be wasted.
    """
    global _RECENT
    _RECENT = references[:_RECENT_MAX]


def _tally_in_pieces(findall, value: str) -> Counter:
    """The tally of a long field a piece at a time: a reference starts with its only ``&``, so none is cut; the list of a million matches is never made."""
    tally: Counter = Counter()
    for piece in _pieces.cut_before(value, "&"):
        tally.update(findall(piece))  # counts and first-seen order as one findall gives them
    return tally


def _replace_all(value: str, decoded: dict[str, str]) -> str:
    """``value`` with every reference in ``decoded`` replaced (the FL201 fix, built when asked for)."""
    # occurrences are disjoint, so the order is free: narrow characters first keeps the copies narrow
    for text in sorted(decoded, key=lambda t: max(map(ord, decoded[t]))):
        value = value.replace(text, decoded[text])
    return value


def _decode_spans(value: str, spans: list[tuple[int, int]]) -> str:
    out, last = [], 0
    for a, b in spans:
        out.append(value[last:a])
        out.append(ent.decode(value[a:b]))  # "&#8217" without ";" too, as html.unescape reads it
        last = b
    out.append(value[last:])
    return "".join(out)


# -- FL202 ----------------------------------------------------------------------


@rule(
    "FL202",
    "double-encoded-entity",
    "warning",
    kinds=KINDS,
    tags=TAGS + ("entities",),
    examples=[
        bad({"content_html": "<p>Iran&amp;#39;s president</p>"}, "an apostrophe encoded twice in HTML", pointers=["/content_html"]),
        bad({"content_summary": "Talks &amp;quot;impossible&amp;quot;"}, "quotes encoded twice in plain text", pointers=["/content_summary"]),
        good({"content_html": '<p><a href="/search?a=1&amp;b=2">Q&amp;A</a>&nbsp;</p>'}, "a single &amp; in HTML is correct"),
        good({"content_html": "<p>Type <code>&amp;#8364;</code> for the euro sign</p>"}, "a reference shown as code, on purpose"),
    ],
)
def double_encoded_entity(record, options) -> Iterator[Hit]:
    """A character reference was escaped twice (`&amp;#39;`, `&amp;quot;`, `&amp;amp;`, `&amp;nbsp;`).

    The text went through an HTML encoder one time too many, so readers see
    `&#39;` or `&quot;` in the page.  Checked in every plain-text, HTML and
    entity-encoded field; one finding per field and distinct sequence, at its
    first occurrence, with the count and the words around it.  In HTML a single `&amp;` is correct
    (`<a href="?a=1&amp;b=2">`, `Q&amp;A`) and is not reported; only `&amp;`
    directly followed by another complete reference (a real entity name or a
    numeric reference, then `;`) is.  Script, style and comments are skipped, and
    so are code elements (`code`, `pre`, `kbd`, `samp`, `tt`): `<code>&amp;#63743;</code>`
    shows the reference itself, written by someone explaining it.
    `check --fix` removes the extra level (a safe fix): HTML keeps one
    (`&#39;`), plain text gets the character itself.
    """
    fields = _fields(record)
    tallies = fields.tallies
    for pointer, value in fields.text:
        # "&amp;" in value, answered from a scan of the field that FL201 or FL203 needs anyway: a markup
        # field's SUSPECT matches (FL203's) include every "&amp;", and so does a plain-text field's
        # reference tally when FL201 made one (else the field itself is searched)
        is_markup = pointer in fields.markup_pointers
        if is_markup:
            if "&amp;" not in _suspects(fields, pointer, value):
                continue
        elif "&amp;" not in tallies.get(pointer, value):
            continue
        scan = ent.blank_code(ent.blank_raw_text(value)) if is_markup else value  # code elements show references on purpose
        found: dict[str, list] = {}
        hits = []
        for m in ent.DOUBLE.finditer(scan):
            if not ent.is_reference("&" + m.group(2)):
                continue
            found.setdefault(m.group(), []).append(m)
            hits.append(m)
        if not found:
            continue
        parts, at = [], 0  # the fix removes the extra level where a finding is, nowhere else
        for m in hits:
            parts += [value[at : m.start()], "&" + m.group(2) if is_markup else ent.decode("&" + m.group(2))]
            at = m.end()
        fixed = "".join(parts) + value[at:]
        fix = Fix(fixed, _fixtext.unescaped_once({text: len(matches) for text, matches in found.items()}, is_markup))
        for text, matches in found.items():
            inner = "&" + matches[0].group(2)
            meaning = ent.describe(ent.decode(inner))
            yield Hit(
                pointer,
                f'double-encoded entity "{text}": readers see "{ent.decode(text)}" instead of ({meaning}); {_plural(len(matches), "occurrence")}: "{excerpt(value, *matches[0].span())}"',
                evidence=text,
                span=matches[0].span(),
                fix=fix,
            )


# -- FL203 ----------------------------------------------------------------------


@rule(
    "FL203",
    "malformed-entity",
    "warning",
    kinds=KINDS,
    tags=TAGS + ("entities",),
    options=[
        Option("allowed-entities", [], "unknown entity names to accept (e.g. a CMS's own placeholders): [\"brand\"]", type=list),
        Option("report-missing-semicolon", True, "report numeric references without their closing semicolon (&#39)", type=bool),
    ],
    examples=[
        bad({"content_html": "<p>Talks&nbps;resumed</p>"}, "a misspelt entity name", pointers=["/content_html"]),
        bad({"content_html": "<p>2010&#150;2020</p>"}, "a cp1252 byte written as a numeric reference", pointers=["/content_html"]),
        bad({"content_html": "<p>&#xZZ; and &#99999999;</p>"}, "malformed and out-of-range numeric references", pointers=["/content_html"]),
        good({"content_html": '<p>Iran&#39;s &quot;no&quot;&nbsp;&rsquo;&#x2019; <a href="/s?a=1&b=2">AT&T</a></p><script>if (a&&b) x&y;</script>'}, "valid references, bare ampersands, script code"),
    ],
)
def malformed_entity(record, options) -> Iterator[Hit]:
    """An HTML field has a character reference a browser cannot decode as intended.

    Reported in HTML and entity-encoded fields, one finding per field and
    distinct reference, at its first occurrence, with the words around it:

    * an unknown name (`&nbps;` — with the closest real name as a hint);
    * a malformed numeric reference (`&#xZZ;`, `&#;`) or one beyond U+10FFFF (`&#99999999;`);
    * a numeric reference to a control character (C0 other than tab, LF and CR;
      C1 `&#128;`–`&#159;`, the classic Windows-1252 leftover: `&#150;` is
      shown as an en dash only because browsers guess), a surrogate or a
      noncharacter;
    * a numeric reference without its closing `;` (`&#39`), unless
      `report-missing-semicolon` is off.

    Valid references (`&nbsp;`, `&#39;`, `&rsquo;`, `&#x2019;`) and bare
    ampersands (`AT&T`, `?a=1&b=2`) are fine.  Legacy names without a semicolon
    (`&copy 2024`) are not reported: browsers decode them, and inside URLs they
    are usually query parameters.  Script, style and comments are skipped.

    `check --fix` writes a C1 reference as the character browsers show for it
    (`&#150;` → `&#8211;`) and closes a numeric reference with its `;` (safe:
    browsers read them so already); with `--unsafe-fixes` an unknown name
    becomes the closest real one (`&nbps;` → `&nbsp;`, a guess).  Out-of-range,
    surrogate, noncharacter and control references keep their finding: what was
    meant is not in the export.
    """
    names = options["allowed-entities"]
    allowed = {_normalise_reference(n)[1:-1] for n in names} if names else _NONE
    fields = _fields(record)
    for pointer, value in fields.markup:
        if "&" not in value:
            continue
        if not _any_problem_in(_suspects(fields, pointer, value), allowed, options["report-missing-semicolon"]):
            continue  # not even counting script, style and comments: surely none outside them
        scan = ent.blank_raw_text(value)
        if not _any_reference_problem(scan, allowed, options["report-missing-semicolon"]):
            continue
        found: dict[str, list] = {}
        spans: list[tuple[int, int, str]] = []  # (start, end, text) of every reported occurrence
        for m in ent.REFERENCE_LIKE.finditer(scan):
            problem = _reference_problem(m, allowed, options["report-missing-semicolon"])
            if problem:
                found.setdefault(m.group(), [problem, 0, m.span()])[1] += 1
                spans.append((*m.span(), m.group()))
        fixes = _reference_fixes(value, found, spans)
        for text, (problem, n, span) in found.items():
            suffix = f" ({_plural(n, 'occurrence')})" if n > 1 else ""
            yield Hit(pointer, f'{problem}{suffix}: "{excerpt(value, *span)}"', evidence=text, span=span, fix=fixes.get(text))


def _reference_fixes(value: str, found: dict[str, list], spans: list[tuple[int, int, str]]) -> dict[str, DeferredFix]:
    """FL203's fixes of one field, by reported reference: a safe one and, when a name must be guessed, an unsafe one.

    Safe (what every browser shows, written so no guess is needed): a numeric
    reference to a C1 control becomes the Windows-1252 character the HTML
    standard maps it to (``&#150;`` → ``&#8211;``), a numeric reference
    without its semicolon gets one.  Unsafe (a guess): an unknown name
    becomes the closest real one (``&nbps;`` → ``&nbsp;``).  Out-of-range,
    surrogate, noncharacter and control references have no fix: what was
    meant is not in the export.
    """
    safe = {text: r for text in found if (r := _repaired_reference(text)) is not None}
    guessed = {text: r for text in found if text not in safe and (r := _guessed_reference(text)) is not None}
    fixes: dict[str, DeferredFix] = {}
    if safe:
        fix = DeferredFix(_fixtext.replaced_references, (value, tuple((a, b, safe[t]) for a, b, t in spans if t in safe)), "repair the character references", explain=_fixtext.references_repaired)
        fixes.update(dict.fromkeys(safe, fix))
    if guessed:
        every = {**safe, **guessed}
        fix = DeferredFix(_fixtext.replaced_references, (value, tuple((a, b, every[t]) for a, b, t in spans if t in every)), "replace unknown entity names by the closest real ones", "unsafe", explain=_fixtext.references_repaired)
        fixes.update(dict.fromkeys(guessed, fix))
    return fixes


@lru_cache(maxsize=1024)
def _repaired_reference(text: str) -> str | None:
    """A numeric reference written as the character a browser shows for it, or None when no certain repair exists."""
    m = ent.REFERENCE_LIKE.fullmatch(text)
    if m is None or m.group(1) is None:
        return None
    hexadecimal = m.group(1) in ("#x", "#X")
    lead = re.match(r"[0-9a-fA-F]+" if hexadecimal else r"[0-9]+", m.group(2))
    if lead is None or len(lead.group()) > 8:
        return None
    body, rest = lead.group(), m.group(2)[lead.end() :]  # "&#8217s": the reference, then text
    if rest and m.group(3):
        return None  # "&#8217s;": what was meant is unclear
    cp = int(body, 16 if hexadecimal else 10)
    complete = f"&{m.group(1)}{body};"
    if 0x80 <= cp <= 0x9F:
        shown = ent.decode(complete)
        if shown == chr(cp):
            return None  # no Windows-1252 character: nothing certain to write
        cp = ord(shown)
        complete = f"&{m.group(1)}{cp:x};" if hexadecimal else f"&#{cp};"
    elif ent.numeric_problem(complete):
        return None
    return complete + rest if complete + rest != text else None


@lru_cache(maxsize=1024)
def _guessed_reference(text: str) -> str | None:
    """An unknown ``&name;`` as the closest real entity name (a guess), or None."""
    m = ent.REFERENCE_LIKE.fullmatch(text)
    if m is None or m.group(1) is not None or not m.group(2) or not m.group(3):
        return None
    hint = _closest_name(m.group(2))
    return f"&{hint};" if hint else None


def _any_reference_problem(scan: str, allowed: set[str], missing_semicolon: bool) -> bool:
    """Whether any reference-like text in ``scan`` is a problem: each distinct one judged once.

    A field usually repeats a few valid references (``&nbsp;``, ``&#39;``) dozens
    of times; ``findall`` collects them at C speed so only the rare field with a
    problem pays for the located scan.
    """
    return any(_reference_problem(ent.REFERENCE_LIKE.match(text), allowed, missing_semicolon) for text in set(ent.REFERENCE_LIKE_TEXT.findall(scan)))


@lru_cache(maxsize=1024)
def _closest_name(body: str) -> str | None:
    """The entity name an unknown ``body`` was probably meant to be (cached: difflib against 2,000 names takes a millisecond)."""
    if body.lower() in ent.NAMES:
        return body.lower()
    close = difflib.get_close_matches(body, ent.NAMES, n=1, cutoff=0.75)
    return close[0] if close else None


def _any_problem_in(suspects: set[str], allowed: set[str], missing_semicolon: bool) -> bool:
    """Whether any of a field's ``ent.SUSPECT`` matches is a problem.

    They are the field's ``REFERENCE_LIKE`` matches less some that are never a
    problem, and blanking script, style and comments only removes matches (a
    match stops at ``<``), so False here means :func:`_any_reference_problem`
    is False for the blanked field too.
    """
    return any(_reference_problem(ent.REFERENCE_LIKE.match(text), allowed, missing_semicolon) for text in suspects)


def _reference_problem(m: re.Match, allowed: set[str], missing_semicolon: bool) -> str | None:
    return _problem_of(m.group(1), m.group(2), m.group(3), m.group(), allowed, missing_semicolon)


def _problem_of(prefix: str | None, body: str, semi: str, text: str, allowed: set[str], missing_semicolon: bool) -> str | None:
    if prefix is None:
        if not body or not semi or body in ent.NAMES or body in allowed:
            return None  # a bare ampersand, a legacy reference, or a valid one
        hint = _closest_name(body)
        return f'unknown entity "{text}"' + (f' (did you mean "&{hint};"?)' if hint else " (not an HTML5 entity name)")
    hexadecimal = prefix in ("#x", "#X")
    digits = re.match(r"[0-9a-fA-F]+" if hexadecimal else r"[0-9]+", body or "")
    if not digits:
        return f'malformed numeric reference "{text}"' + ("" if semi else " (no digits)")
    if digits.end() < len(body):  # "&#8217s": a browser reads the digits as the reference and the rest as text
        if semi:
            return f'malformed numeric reference "{text}"'
        head = f"&{prefix}{digits.group()}"
        problem = _problem_of(prefix, digits.group(), "", head, allowed, missing_semicolon)
        return f'{problem} (before "{body[digits.end():]}")' if problem else None
    if not semi:
        if not missing_semicolon:
            return None
        return f'numeric reference "{text}" has no closing semicolon'
    problem = ent.numeric_problem(text)
    return f'numeric reference "{text}" {problem}' if problem else None


# -- FL204 ----------------------------------------------------------------------


@rule(
    "FL204",
    "mojibake",
    "warning",
    kinds=KINDS,
    tags=TAGS,
    options=[Option("min-badness", 1, "how many suspicious sequences (ftfy's badness score) a field needs before it is checked", type=int, minimum=1)],
    examples=[
        bad({"content_body": "The ministerâ€™s plan for ZÃ¼rich"}, "UTF-8 read as Windows-1252", pointers=["/content_body"]),
        bad({"content_html": "<p>cafÃ© culture</p>"}, "an accented letter garbled in HTML", pointers=["/content_html"]),
        good({"content_body": "The minister’s “plan” — café in Zürich, 😀, 中文, سلام می\u200cخواهم"}, "curly quotes, dashes, accents, emoji, CJK, Persian"),
    ],
)
def mojibake(record, options) -> Iterator[Hit]:
    """Text that was UTF-8 but got decoded as Windows-1252/Latin-1 (`â€™`, `Ã©`, `â€œ`, `Ã¼`).

    Detected and repaired with ftfy (`ftfy.badness` to detect, `ftfy.fix_encoding`
    to repair): a field is reported only when ftfy finds it bad *and* can repair
    it, so genuine accented Latin (café, Zürich), curly quotes, dashes, emoji,
    CJK and Persian/Arabic text stay silent.  One finding per field, at the
    first garbled sequence, with what it most likely was and a short excerpt of
    the repaired text.  `check --fix` writes ftfy's repair (a safe fix).  Checked in every
    plain-text, HTML and entity-encoded field.  Mojibake through other code
    pages (e.g. Cyrillic read as Latin-1) is not detected.
    """
    fields = _fields(record)
    for pointer, value in fields.text:
        if value.isascii():
            continue
        found = _mojibake.find(value, options["min-badness"], _utf8(fields, pointer, value))
        if found is None:
            continue
        intended = found.intended.strip() or found.intended
        intended = f'"{intended}"' if intended.isprintable() and not intended.isspace() else ent.describe(intended)
        yield Hit(
            pointer,
            f'mojibake "{found.sequence.strip()}" (UTF-8 decoded as Windows-1252), probably {intended}: "{excerpt(found.fixed, found.start)}"',
            evidence=found.sequence,
            span=(found.start, found.end),
            fix=DeferredFix(_fixtext.given, (found.fixed, found.sequence, found.intended), "repair with ftfy.fix_encoding", explain=_fixtext.mojibake),
        )


# -- FL205 ----------------------------------------------------------------------


@rule(
    "FL205",
    "markup-in-plain-text",
    "warning",
    kinds=KINDS,
    tags=TAGS + ("markup",),
    options=[Option("allowed-tags", [], "element names tolerated in plain text, e.g. [\"br\"]", type=list)],
    examples=[
        bad({"content_body": "First paragraph.<br>Second <b>bold</b> one."}, "tags left in a plain-text body", pointers=["/content_body"]),
        bad({"content_summary": '<p><span style="font-size:16px;">Summary</span></p>'}, "a whole HTML paragraph in the summary", pointers=["/content_summary"]),
        good({"content_body": "5 < 6 and x<y, I <3 it, if a <b then; write to <jane@example.com> or <https://example.com>."}, "angle brackets in prose"),
        good({"content_body": "Add the <img> tag, or `<br>`.\r\n\r\n<b>bold</b>", "content_html": "<p>Add the &lt;img&gt; tag, or <code>&lt;br&gt;</code>.</p><pre>&lt;b&gt;bold&lt;/b&gt;</pre>"}, "HTML shown as text: named in prose, or a code sample the HTML escapes"),
    ],
)
def markup_in_plain_text(record, options) -> Iterator[Hit]:
    """A plain-text field contains HTML tags (`<p>`, `</p>`, `<br>`, `<b>`, `<span style=...>`).

    One finding per field, at the first tag, listing the distinct elements,
    the number of tags and the words around the first one.  A tag counts only when its name is a real HTML element,
    it is closed by `>`, and any attributes are `name=value` pairs; HTML
    comments count too.  Prose stays silent: `5 < 6`, `x<y`, `<3`, `a <b`
    without a closing bracket, and addresses in angle brackets
    (`<jane@example.com>`, `<https://example.com>`), a long-standing plain-text
    convention.  Elements named in `allowed-tags` are tolerated.  HTML the
    record shows as text is not markup: a tag the record's HTML writes
    escaped (`&lt;img&gt;`, a code sample), a tag in backticks, and a tag
    named in prose (`the <img> tag`, `a <p> element`).

    `check --fix --unsafe-fixes` strips the reported tags (unsafe: the tags
    may be text someone meant to show); `<br>` becomes a line break and a
    block element's tag a blank line where text would otherwise run together.
    """
    tags = options["allowed-tags"]
    allowed = frozenset(str(t).lower().strip("<>/ ") for t in tags) if tags else _NONE
    for pointer, value in _fields(record).plain:
        if "<" not in value:
            continue
        found = list(_markup.tags(value, allowed))
        if found:
            found = [(m, name) for m, name in found if not _shown_as_text(record, value, m)]
        if not found:
            continue
        names = list(dict.fromkeys(name for _, name in found))
        shown = ", ".join("<!-- -->" if n == "!--" else f"<{n}>" for n in names[:6]) + (", …" if len(names) > 6 else "")
        yield Hit(
            pointer,
            f"HTML markup in plain-text field: {shown} ({_plural(len(found), 'tag')}): \"{excerpt(value, *found[0][0].span())}\"",
            evidence=",".join(sorted(names)),
            span=found[0][0].span(),
            fix=DeferredFix(_fixtext.tags_stripped, (value, tuple((m.start(), m.end(), name) for m, name in found)), "strip the HTML tags", "unsafe", explain=_fixtext.stripped_description),
        )


# "the <img> tag", "a <p> element", "`<br>`": a tag named in prose, not markup
_MENTION_AFTER = re.compile(r"\s?(?:tags?|elements?|attributes?)\b", re.I)


def _shown_as_text(record: Any, value: str, m: "re.Match") -> bool:
    """The tag is text the record means to show: the record's HTML shows it as text (a code sample, escaped), or prose names it.

    A plain-text body whose HTML twin writes ``&lt;img&gt;`` quotes the tag on
    purpose; so does ``the <img> tag`` or a tag in backticks.
    """
    start, end = m.span()
    if value[start - 1 : start] == "`" and value[end : end + 1] == "`" or _MENTION_AFTER.match(value, end):
        return True
    tag = " ".join(m.group(0).split())
    return any(tag in shown for shown in _html_shown_text(record))


def _html_shown_text(record: Any) -> list[str]:
    """The visible text of the record's HTML fields, white space collapsed (once per record, only when a plain field has tags)."""
    def compute() -> list[str]:
        from ._htmltext import scan_html

        return [scan_html(html).key(fold=False) for _, html in record.fields_with_role("html") if isinstance(html, str) and "&lt;" in html]

    return record.memo("fl205:html-shown-text", compute)


# -- FL206 ----------------------------------------------------------------------

# BMP only: adding the astral noncharacters (U+1FFFE...) makes this scan ten times slower.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff]")


@rule(
    "FL206",
    "control-character",
    "error",
    kinds=KINDS,
    tags=TAGS,
    options=[Option("allowed-code-points", [], "code points to accept, written U+000C", type=list)],
    examples=[
        bad({"content_body": "Budget\x08 approved\x00"}, "a backspace and a NUL in the body", pointers=["/content_body"]),
        bad({"content_title": "2010\x962020"}, "a C1 control (a cp1252 en dash decoded as Latin-1)", pointers=["/content_title"]),
        good({"content_body": "Line one\r\n\tLine two\nمی\u200cخواهم \u200f\u200e\u200d"}, "CRLF, tab, ZWNJ, RLM/LRM, ZWJ"),
    ],
)
def control_character(record, options) -> Iterator[Hit]:
    """A text field contains a control character, a lone surrogate or a noncharacter.

    C0 controls other than tab, LF and CR (including NUL), DEL, C1 controls
    (U+0080–U+009F — usually a Windows-1252 byte decoded as Latin-1, so the
    message says which character it probably was), lone UTF-16 surrogates (a
    broken `\\uD83D` escape) and the BMP noncharacters (U+FFFE, U+FFFF, U+FDD0–U+FDEF).  They are
    invisible, break XML feeds and often terminate strings downstream.  One
    finding per field and distinct code point, at its first occurrence, with
    the words around it (the character written as an escape such as `\\x08`).
    `\\r\\n` line ends, tabs and the joiners and direction marks of
    Persian/Arabic text (ZWNJ U+200C, ZWJ U+200D, LRM U+200E, RLM U+200F) are
    legitimate and never reported.  Checked in every plain-text, HTML and
    entity-encoded field.

    `check --fix` replaces a C1 control by the Windows-1252 character it
    stands for (`\x96` → `–`; safe, as ftfy's default `fix_c1_controls`);
    with `--unsafe-fixes` a vertical tab or form feed (Word's manual breaks)
    becomes a line break and any other such character is removed.
    """
    code_points = options["allowed-code-points"]
    allowed = {_parse_code_point(c) for c in code_points} if code_points else _NONE
    fields = _fields(record)
    for pointer, value in fields.text:
        if value.isascii():
            if _ascii_printable_but_layout(value):  # faster than isprintable() on any but the shortest text
                continue
        elif not _may_have_control(_utf8(fields, pointer, value)):
            continue
        found: dict[str, list] = {}
        for m in _CONTROL.finditer(value):
            ch = m.group()
            if ord(ch) in allowed:
                continue
            found.setdefault(ch, [0, m.start()])[0] += 1
        fixes = _control_fixes(value, found)
        for ch, (n, at) in found.items():
            yield Hit(pointer, f'{_control_kind(ch)} in text ({_plural(n, "occurrence")}): "{excerpt(value, at, at + 1)}"', evidence=f"U+{ord(ch):04X}", span=(at, at + 1), fix=fixes.get(ch))


def _control_fixes(value: str, found: dict[str, list]) -> dict[str, DeferredFix]:
    """FL206's fixes of one field, by reported character.

    Safe: a C1 control that is a Windows-1252 byte decoded as Latin-1 becomes
    that character (``\x96`` → ``–``), as ftfy's ``fix_c1_controls`` does by
    default: no text means a C1 control.  Unsafe (the intent is a guess): a
    vertical tab or form feed (Word's manual line and page break) becomes a
    line break, every other control character, lone surrogate and
    noncharacter is removed.
    """
    safe = {ord(ch): meant for ch in found if (meant := _cp1252_of(ch))}
    rest = [ch for ch in found if ord(ch) not in safe]
    fixes: dict[str, DeferredFix] = {}
    if safe:
        fix = DeferredFix(_fixtext.replaced_characters, (value, safe), "replace C1 controls by the Windows-1252 characters they stand for", explain=_fixtext.characters_replaced)
        fixes.update(dict.fromkeys((chr(cp) for cp in safe), fix))
    if rest:
        newline = "\r\n" if "\r\n" in value else "\n"
        table = {**safe, **{ord(ch): newline if ch in "\x0b\x0c" else "" for ch in rest}}
        fix = DeferredFix(_fixtext.replaced_characters, (value, table), "remove control characters", "unsafe", explain=_fixtext.characters_replaced)
        fixes.update(dict.fromkeys(rest, fix))
    return fixes


def _cp1252_of(ch: str) -> str | None:
    """The Windows-1252 character a C1 control stands for (None: not a C1 control, or a byte cp1252 leaves undefined)."""
    cp = ord(ch)
    if not 0x80 <= cp <= 0x9F:
        return None
    try:
        return bytes([cp]).decode("cp1252")
    except UnicodeDecodeError:
        return None


def _ascii_printable_but_layout(value: str) -> bool:
    """True when an ASCII ``value`` has no control character other than tab, LF and CR.

    In ASCII, ``_CONTROL`` matches exactly the characters of ``_ASCII_CONTROLS``,
    which :func:`_has_ascii_control` looks for at C speed.
    """
    if _pieces.long(value):  # a megabyte at a time: a long field is not copied whole, and each piece is searched while in cache
        return all(_ascii_printable_but_layout(piece) for piece in _pieces.slices(value))
    return not _has_ascii_control(value)


_ASCII_CONTROLS = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])
_ASCII_CONTROL_CHARS = _ASCII_CONTROLS.decode("ascii")
_SEARCH_FROM = 1024  # characters (bytes): from here on a field is searched once per control, see _has_ascii_control


def _has_ascii_control(data: str | bytes) -> bool:
    """Whether ``data`` (an ASCII str, or UTF-8 bytes) holds one of ``_ASCII_CONTROLS``.

    A short field is encoded, its control bytes deleted (``bytes.translate``)
    and the lengths compared: about 13 instructions a byte.  From
    :data:`_SEARCH_FROM` characters up to a megabyte, one ``in`` per control
    (29 ``memchr`` searches, vectorised, no copy) costs less than that pass:
    on the 1,000-record export (bodies and HTML of 5-7 KB) FL206's scans take
    72 M instructions instead of 133 M, and less time.  Both answer whether
    any of the 29 characters occurs.
    """
    if _SEARCH_FROM <= len(data) <= _pieces.PIECE:
        return any(map(data.__contains__, _ASCII_CONTROL_CHARS if isinstance(data, str) else _ASCII_CONTROLS))  # a byte is an int: ``int in bytes`` is a memchr
    if isinstance(data, str):
        data = data.encode("ascii")
    return len(data.translate(None, _ASCII_CONTROLS)) != len(data)


# The non-ASCII part of ``_CONTROL`` in UTF-8 (surrogates as "surrogatepass" writes them),
# each with the lead byte that must be present for it to match.
_CONTROL_UTF8 = (
    (b"\xc2", re.compile(rb"\xc2[\x80-\x9f]")),  # C1 controls U+0080..U+009F
    (b"\xed", re.compile(rb"\xed[\xa0-\xbf]")),  # surrogates U+D800..U+DFFF
    (b"\xef", re.compile(rb"\xef(?:\xb7[\x90-\xaf]|\xbf[\xbe\xbf])")),  # U+FDD0..U+FDEF, U+FFFE, U+FFFF
)


def _may_have_control(utf8: bytes) -> bool:
    """Whether ``_CONTROL`` matches the text whose UTF-8 is ``utf8``, answered at C speed.

    ``_CONTROL``'s class scan costs several microseconds per kilobyte of
    non-ASCII text.  In UTF-8 an ASCII byte is an ASCII character, so the C0
    controls and DEL are found by :func:`_has_ascii_control`; the
    others are two- or three-byte sequences with a fixed lead byte, looked for
    (``in``, then a literal-prefix search) only when that byte occurs at all.
    """
    if _has_ascii_control(utf8):
        return True
    return any(lead in utf8 and pattern.search(utf8) is not None for lead, pattern in _CONTROL_UTF8)


def _parse_code_point(text: object) -> int:
    t = str(text).strip().upper()
    try:
        return int(t[2:], 16) if t.startswith("U+") else int(t, 16) if t.startswith("0X") else ord(t) if len(t) == 1 else int(t)
    except ValueError:
        raise SetupError(f"allowed-code-points: {text!r} is not a code point (write it as U+000C)") from None


def _control_kind(ch: str) -> str:
    cp = ord(ch)
    if 0xD800 <= cp <= 0xDFFF:
        return f"lone surrogate U+{cp:04X} (half of a broken UTF-16 pair)"
    if ent.is_noncharacter(cp):
        return f"noncharacter U+{cp:04X}"
    if 0x80 <= cp <= 0x9F:
        try:
            meant = bytes([cp]).decode("cp1252")
            return f"C1 control character U+{cp:04X} (probably {ent.describe(meant)}, a Windows-1252 byte decoded as Latin-1)"
        except UnicodeDecodeError:
            return f"C1 control character U+{cp:04X}"
    return f"control character {ent.code_point(ch)}"


# -- FL207 ----------------------------------------------------------------------


@rule(
    "FL207",
    "replacement-character",
    "warning",
    kinds=KINDS,
    tags=TAGS,
    examples=[
        bad({"content_body": "The minister\ufffds plan"}, "a character lost in an earlier decoding", pointers=["/content_body"]),
        good({"content_body": "The minister’s plan"}, "the intended character"),
    ],
)
def replacement_character(record, options) -> Iterator[Hit]:
    """A text field contains U+FFFD REPLACEMENT CHARACTER (`�`): text was already lost.

    A decoder met bytes it could not read and substituted U+FFFD; the original
    character cannot be recovered from the export, only from its source.  One
    finding per field, at the first occurrence, with the count and the words
    around it.  Checked in every
    plain-text, HTML and entity-encoded field.
    """
    for pointer, value in _text_fields(record):
        if value.isascii():
            continue
        at = value.find("\ufffd")
        if at < 0:
            continue
        n = value.count("\ufffd")
        yield Hit(pointer, f'replacement character U+FFFD in text, characters were lost in an earlier decoding ({_plural(n, "occurrence")}): "{excerpt(value, at, at + 1)}"', evidence="U+FFFD", span=(at, at + 1))


# -- FL208 ----------------------------------------------------------------------


@rule(
    "FL208",
    "byte-order-mark",
    "note",
    scope="file",
    kinds=KINDS,
    tags=TAGS,
    examples=[
        bad('\ufeff[[{"content_id": 1, "content_title": "A headline"}]]', "an export saved with a UTF-8 BOM", pointers=[""]),
        good('[[{"content_id": 1, "content_title": "A headline"}]]', "no BOM"),
    ],
)
def byte_order_mark(info, options) -> Iterator[Hit]:
    """The file starts with a UTF-8 byte-order mark (EF BB BF).

    feedlint reads such files (the mark is not counted in columns), but JSON
    forbids it (RFC 8259) and strict consumers reject it — Python's `json.load`
    fails with "Unexpected UTF-8 BOM".  A note by default; raise it to a warning
    (`[rules.FL208] severity = "warning"`) when the export feeds such a consumer.
    Reported once per file, at line 1, column 1.
    """
    if info.bom:
        yield Hit("", "file starts with a UTF-8 byte-order mark (U+FEFF); JSON forbids it and strict parsers reject it", evidence="U+FEFF")


RULES = [undecoded_entity, double_encoded_entity, malformed_entity, mojibake, markup_in_plain_text, control_character, replacement_character, byte_order_mark]
