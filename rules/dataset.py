"""FL6xx: checks across records (the whole run), written as Great Expectations suites.

While streaming, every record leaves a row of scalar facts in the engine's fact
table (:func:`collect_facts`: ids, language, dates, field lengths, a fingerprint
of title + body, attachment tokens; never whole bodies).  After the last file
each FL6xx rule runs its expectations from ``rules/expectations.default.json``
plus the user's ``--expectations`` files on that table and reports each failed
expectation on the offending records.  The expectations are answered by the
dataset stage's evaluator (:mod:`feedlint.dataset`; plain Python unless given
another), GX only for what only GX does.  See docs/dataset.md.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import re
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterator

from feedlint.api import DatasetHit, Option, SetupError, bad, good, rule

from . import _pieces
from ._pieces import collapse

LENGTH_FIELDS = ("content_title", "content_summary", "content_body", "content_html", "attach_title")
DATE_FIELDS = {"date_start": "content_date_start", "date_register": "content_date_register", "date_last_edit": "content_date_last_edit"}
BUILTIN_FACTS = frozenset({"is_object", "content_id", "portal_id", "lang_id", "article_key", "attach_tokens", "id_scope", "id_pointer", *DATE_FIELDS})
EXAMPLE_SUITE = str(Path(__file__).with_name("expectations.example.json"))

# The CMS's paragraph break first, in one pass: it is all white space once decoded (whatever its
# neighbours: no reference is found inside it or made by removing it), so a space stands for it.
_COMMON_ENTITIES = (("\r\n\r\n&nbsp;\r\n\r\n", " "), ("&amp;", "&"), ("&#39;", "'"), ("&nbsp;", " "), ("&quot;", '"'), ("&rsquo;", "\u2019"), ("&lsquo;", "\u2018"), ("&ldquo;", "\u201c"), ("&rdquo;", "\u201d"))

COMMON_OPTIONS = (
    Option("expectations", [], "extra expectation suite files (JSON) run with the default suite", type=list),
    Option("data-docs", "", "directory to write Great Expectations HTML Data Docs of the run to (empty: none)", type=str),
)
LANGUAGES = Option("languages", [], "the site's languages as BCP 47 tags, compared by prefix (en takes en-US); empty: any tag naming a language ($PARAMETER languages: the run's tags that pass)", type=list)
EARLIEST = Option("earliest", "2000-01-01 00:00:00", "no export date may be earlier ($PARAMETER earliest)", type=str)
RELATED_MAX = Option("related-max", 100, "how many of a group's other members a grouped finding lists as related places (SARIF relatedLocations, JSON related), in file order; the message gives the group's size", type=int, minimum=0)
LATEST = Option("latest", "", "no export date may be later ($PARAMETER latest); empty: the end of tomorrow", type=str)


# --------------------------------------------------------------------------- facts
def _scalar(value: Any) -> Any:
    return value if isinstance(value, (int, float, str)) and not isinstance(value, bool) else None


def normalise_text(text: str) -> str:
    """Entities decoded (twice: ``&amp;quot;``), NFKC, case-folded, whitespace (incl. no-break spaces) collapsed."""
    fast = _fast_utf8(text)
    return fast.decode("utf-8") if fast is not None else _normalise_general(text)


def _normalised_utf8(text: str) -> bytes:
    """``normalise_text(text)`` in UTF-8 (lone surrogates passed through), as the fingerprint hashes it."""
    fast = _fast_utf8(text)
    return fast if fast is not None else _normalise_general(text).encode("utf-8", "surrogatepass")


def _normalise_general(text: str) -> str:
    """:func:`normalise_text` step by step on the str, for the text :func:`_fast_utf8` declines."""
    if "&" in text:
        text = _decode_common(text)  # str.replace runs at C speed; html.unescape only for the rest
        if "&" in text:
            text = html.unescape(html.unescape(text))
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    return collapse(text.casefold())  # U+00A0 and other Unicode spaces collapse too


def _decode_common(text: Any, kinds: tuple | None = None) -> Any:
    """The common references of a str, or of its UTF-8 bytes, decoded, in the order of :data:`_COMMON_ENTITIES` (or ``kinds``).

    White space may come out shorter (the CMS's paragraph break as one space):
    every caller collapses white space afterwards.  Once no ``&`` is left the
    other kinds are not searched for (the CMS's ``&#39;`` comes early): a
    C-speed look for one byte instead of a pass per kind.  Each kind is one
    search (split and join; ``replace`` searches twice, to count and to copy).
    """
    amp = "&" if isinstance(text, str) else _AMP
    if kinds is None:
        kinds = _COMMON_ENTITIES if isinstance(text, str) else _COMMON_BYTES
    for entity, char in kinds:
        pieces = text.split(entity)
        if len(pieces) > 1:
            text = char.join(pieces)
            if amp not in text:
                break
    return text


def _decoded_whole(data: bytes) -> bytes | None:
    """:func:`_decode_common` of UTF-8 holding an ``&``; None when an ``&`` is left (``html.unescape``'s work).

    Tried first without ``&amp;``, the other kinds most common first (the
    early stop comes sooner, and the text is not searched for an ``&amp;``
    it seldom holds).  The order of those kinds does not matter: none of
    their characters makes or breaks another reference.  An ``&amp;`` leaves
    its ``&``, so text holding one takes the chain in its own order.
    """
    decoded = _decode_common(data, _LIKELY_BYTES)
    if _AMP in decoded:
        decoded = _decode_common(data)
        if _AMP in decoded:
            return None
    return decoded


def _fast_utf8(text: str) -> bytes | None:
    """:func:`normalise_text` in UTF-8 for the usual text, on bytes (None: take :func:`_normalise_general`).

    The usual text's only references are the common ones, its characters are
    no white space to ``str.split`` beyond ASCII, and it has no lone surrogate.
    Then the steps of the general path become a few C-speed passes over its
    UTF-8, and the str is never case-folded, split into a list of words or
    encoded again for the hash:

    * the common references decode to the same characters in bytes (their
      UTF-8: no reference is found inside a character's bytes); when an
      ``&`` is left, ``html.unescape`` would have work (or a bare ``&`` might
      start a legacy name, ``&not``): declined.
    * NFKC runs only when :func:`_nfkc_keeps` cannot tell that it changes
      nothing (ASCII text, curly quotes and most letters: skipped).
    * one ``translate`` lowers ASCII letters (casefold on ASCII) and makes
      every ASCII white space of ``str.split`` (U+001C..U+001F too) a space;
      :func:`_fold_non_ascii` folds each distinct other character.
    * :func:`_squeeze` collapses the runs of spaces.
    """
    if text.isascii():
        data = text.encode("ascii")
        if _AMP in data:
            data = _decoded_whole(data)
            if data is None:
                return None
        return _squeeze(data.translate(_FOLD))
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate
        return None
    if _AMP in data:
        data = _decoded_whole(data)
        if data is None:
            return None
    chars = _non_ascii(data)
    if not _nfkc_keeps(chars):
        data = unicodedata.normalize("NFKC", data.decode("utf-8")).encode("utf-8")
        chars = _non_ascii(data)
    data = _fold_non_ascii(data.translate(_FOLD), chars)
    return None if data is None else _squeeze(data)


def _non_ascii(data: bytes) -> set[str]:
    """The distinct non-ASCII characters of UTF-8 ``data`` (found by deleting the ASCII bytes: a C-speed pass)."""
    return set(data.translate(None, _ASCII).decode("utf-8"))


def _nfkc_keeps(chars: set[str]) -> bool:
    """Whether NFKC leaves every text whose non-ASCII characters are ``chars`` as it is (False: not known, normalise).

    NFKC changes text only where a character decomposes, marks reorder or
    two characters compose.  ASCII characters do none of that and never
    compose with the character before them, so it is enough that each of
    ``chars`` is :func:`_nfkc_inert` and that no two of them compose: every
    pair is put side by side in one string, which NFKC must keep.  Text of
    many distinct characters (CJK, say) is normalised: the pairs would cost
    more.
    """
    if len(chars) > 16 or not all(map(_nfkc_inert, chars)):
        return False
    if len(chars) < 2:
        return True
    pairs = "".join([a + b for a in chars for b in chars])
    return unicodedata.is_normalized("NFKC", pairs)


# Every ASCII character once before the character tested (see _nfkc_inert)
_ASCII_TEXT = "".join(map(chr, range(128)))


@lru_cache(maxsize=4096)
def _nfkc_inert(char: str) -> bool:
    """Whether NFKC keeps ``char`` after any ASCII character: a starter (combining class 0) kept after each of them, tried in one string.

    Kept there, it is kept alone and decomposes to a starter first (one
    decomposing to a mark first is never composed again), so no mark of the
    text reorders with it: only another non-ASCII character next to it can
    make NFKC change it (:func:`_nfkc_keeps`).
    """
    return not unicodedata.combining(char) and unicodedata.is_normalized("NFKC", char.join(_ASCII_TEXT) + char)


def _fold_non_ascii(data: bytes, chars: set[str]) -> bytes | None:
    """UTF-8 ``data`` with each of its non-ASCII characters ``chars`` case-folded (None when one is white space to ``str.split``).

    ``str.casefold`` maps each character alone, so replacing the UTF-8 of each
    distinct character (a handful, :func:`_non_ascii`) with its folding's
    does what it does; UTF-8 is self-synchronising, so a character's bytes
    are never found inside another's.
    """
    for char in chars:
        swap = _case_swap(char)
        if swap is None:
            return None
        if swap[0] != swap[1]:
            data = data.replace(*swap)
    return data


@lru_cache(maxsize=4096)
def _case_swap(char: str) -> tuple[bytes, bytes] | None:
    """``(char, char.casefold())`` in UTF-8; None when the byte path cannot take ``char``.

    Declined: white space to ``str.split`` (U+0085, U+2028...: the byte path
    only collapses ASCII), a folding that holds white space, or one that
    would fold again (replacing one character after another could then fold
    twice).
    """
    folded = char.casefold()
    if char.isspace() or any(c.isspace() for c in folded) or folded.casefold() != folded:
        return None
    return char.encode("utf-8"), folded.encode("utf-8")


def _squeeze(data: bytes) -> bytes:
    """``b" ".join(data.split())`` for ``data`` whose only white space is spaces (after ``translate(_FOLD)``).

    Each ``replace`` halves every run of spaces (the CMS's paragraph break is
    one space already, :func:`_decode_common`): a few C-speed passes whatever
    the size, never the list of every word that ``split`` builds (a 5 KB body:
    about 3x faster; a 20 MB one: no 180 MB list).
    """
    while data.find(b"  ") >= 0:  # not `in`: bytes try the operand as an int first (an error made and dropped each time)
        data = data.replace(b"  ", b" ")
    return data.strip(b" ")


_AMP = ord("&")  # `_AMP in data` is a plain memchr; `b"&" in data` first tries b"&" as an int (an error made and dropped)
_COMMON_BYTES = tuple((e.encode(), c.encode()) for e, c in _COMMON_ENTITIES)
# _decoded_whole's first try: the paragraph break, then apostrophes and quotes (news text's usual references); no &amp;
_LIKELY_ENTITIES = (("\r\n\r\n&nbsp;\r\n\r\n", " "), ("&#39;", "'"), ("&quot;", '"'), ("&rsquo;", "\u2019"), ("&ldquo;", "\u201c"), ("&rdquo;", "\u201d"), ("&nbsp;", " "), ("&lsquo;", "\u2018"))
_LIKELY_BYTES = tuple((e.encode(), c.encode()) for e, c in _LIKELY_ENTITIES)
_ASCII = bytes(range(128))
# bytes.lower(), and every ASCII character str.split() splits at (U+001C..U+001F too) as a space, in one table
_FOLD = bytes(b + 32 if 65 <= b <= 90 else 32 if chr(b).isspace() else b for b in range(128)) + bytes(range(128, 256))


def article_key(title: Any, body: Any) -> str | None:
    """Fingerprint of title + body; None when the body is blank (too little to call two items one article).

    The hash of ``normalise_text(title) + "\\x1f" + normalise_text(body)``, the
    body normalised and hashed a piece at a time (see :func:`_normalised_pieces`):
    a 20 MB body is never copied whole (encoded, folded, collapsed, decoded and
    encoded again, it used to take five copies at once).
    """
    if not isinstance(body, str):
        return None
    digest = None
    for piece in _normalised_pieces(body):
        if digest is None:
            digest = hashlib.blake2b(_normalised_utf8(title if isinstance(title, str) else ""), digest_size=10)
            digest.update(b"\x1f")
        else:
            digest.update(b" ")
        digest.update(piece)
    return None if digest is None else digest.hexdigest()


_CUT = re.compile(r"[ \t\n\r]")


def _normalised_pieces(text: str) -> Iterator[bytes]:
    """The non-blank ``normalise_text`` (in UTF-8) of pieces of ``text`` of about :data:`_pieces.PIECE` characters, cut before white space.

    Joined by single spaces they are ``normalise_text(text)``: every step of it
    keeps an ASCII white-space character a white-space character and never
    reads across one (a character reference holds none, and a space is an
    NFKC starter that blocks composition), so normalising the pieces apart and
    collapsing the white space between them gives the same words.
    """
    n = len(text)
    i = 0
    while i < n:
        size = _pieces.PIECE
        m = _CUT.search(text, i + size) if n - i > size else None
        j = m.start() if m is not None else n
        piece = _normalised_utf8(text[i:j] if i or j < n else text)
        if piece:
            yield piece
        i = j


def _tokens(attaches: Any) -> str | None:
    if not isinstance(attaches, list):
        return None
    parts = []
    for i, att in enumerate(attaches):
        token = att.get("token") if isinstance(att, dict) else None
        if isinstance(token, (int, str)) and not isinstance(token, bool):
            token = str(token).strip()
            if token:
                parts.append(f"{i}:{token}")
    return "|".join(parts) or None


_HAS_COLUMNS = tuple(("has_" + key, key) for key in LENGTH_FIELDS)


def _facts(data: Any) -> dict[str, Any]:
    """The record's built-in facts (``content_id`` as the CMS export names it; :func:`_identity` puts a profile's).

    One dict display, each value worked out in place: the loops over
    :data:`DATE_FIELDS` and :data:`_HAS_COLUMNS` and a call per scalar cost
    about a third of the row beside the fingerprint.  The facts are in the
    order of those constants (tests/test_speed_rules.py compares this with
    the loops it stands for).
    """
    get = data.get if isinstance(data, dict) else _NOTHING.get
    cid, portal, lang = get("content_id"), get("portal_id"), get("lang_id")
    start, register, edit = get("content_date_start"), get("content_date_register"), get("content_date_last_edit")
    title, summary, body, html, attach_title = get("content_title"), get("content_summary"), get("content_body"), get("content_html"), get("attach_title")
    return {
        "is_object": True if isinstance(data, dict) else None,
        "content_id": cid if type(cid) in _PLAIN_SCALARS else _scalar(cid),
        "portal_id": portal if type(portal) in _PLAIN_SCALARS else _scalar(portal),
        "lang_id": lang if type(lang) in _PLAIN_SCALARS else _scalar(lang),
        "id_scope": None,  # the CMS export's ids are unique per portal_id; a profile record's scope: _identity
        "id_pointer": None,
        "date_start": start if isinstance(start, str) else None,
        "date_register": register if isinstance(register, str) else None,
        "date_last_edit": edit if isinstance(edit, str) else None,
        # null: missing, null or blank
        "has_content_title": True if isinstance(title, str) and title.strip() else None,
        "has_content_summary": True if isinstance(summary, str) and summary.strip() else None,
        "has_content_body": True if isinstance(body, str) and body.strip() else None,
        "has_content_html": True if isinstance(html, str) and html.strip() else None,
        "has_attach_title": True if isinstance(attach_title, str) and attach_title.strip() else None,
        "article_key": article_key(title, body),
        "attach_tokens": _tokens(get("attaches")),
    }


_NOTHING: dict[str, Any] = {}
_PLAIN_SCALARS = frozenset({int, float, str})  # _scalar keeps a value of exactly these types as it is


@lru_cache(maxsize=16)
def _extra_columns(stamped: tuple[tuple[str, int], ...]) -> frozenset[str]:
    """Record fields the user's expectations refer to beyond the built-in facts (bad files: reported elsewhere)."""
    from ._suite import SuiteFileError, load_suite_file

    names: set[str] = set()
    for path, _ in stamped:
        try:
            entries = load_suite_file(path)
        except SuiteFileError:
            continue
        for entry in entries:
            kw = entry.kwargs
            for key in ("column", "column_A", "column_B", "column_list"):
                val = kw.get(key)
                names.update([val] if isinstance(val, str) else [v for v in val if isinstance(v, str)] if isinstance(val, list) else [])
    return frozenset(n for n in names if not n.startswith(("_", "has_")) and n not in BUILTIN_FACTS)


_EXTRA_BY_OPTIONS: dict[int, tuple[Any, frozenset[str]]] = {}


def _extra_for(options) -> frozenset[str]:
    """Extra columns for one plan's options; suite files are looked at once per plan, not per record."""
    cached = _EXTRA_BY_OPTIONS.get(id(options))
    if cached is not None and cached[0] is options:
        return cached[1]
    files = options.get("expectations", ())
    extra: frozenset[str] = frozenset()
    if files:
        from ._suite import file_stamps

        extra = _extra_columns(file_stamps([str(p) for p in files]))
    if len(_EXTRA_BY_OPTIONS) > 64:
        _EXTRA_BY_OPTIONS.clear()
    _EXTRA_BY_OPTIONS[id(options)] = (options, extra)
    return extra


def _identity(record, facts: dict[str, Any]) -> dict[str, Any]:
    """``facts`` with the record's identity as FL601 compares it: the profile's id, where it must be unique, and where it is.

    ``id_scope`` and ``id_pointer`` stay null on the CMS export (:func:`_facts`),
    whose ids are unique per ``portal_id`` (the suite's ``unique-content-id``);
    a profile record's are its site or file
    (:meth:`feedlint.fields.FieldRoles.scope`) and the profile's ``[records]
    id`` (``unique-record-id``).  Set in place: no second dict per record.
    """
    roles = record.roles
    if roles.id != "/content_id":  # the CMS export's identity is the member _facts read already
        facts["content_id"] = _scalar(record.content_id)
    if roles.id_scope != "portal":
        scope = roles.scope(record.data, record.file)
        if scope is not None:
            facts["id_scope"], facts["id_pointer"] = scope, roles.identity_at(record.data) or roles.id  # the member itself: an id like /ids/* names no place
    return facts


def collect_facts(record, options) -> dict[str, Any]:
    """One fact-table row per record; computed once per record and shared by every FL6xx rule.

    The row is the record's memo under a fixed key, filled in place by the
    first rule that asks: the seven FL6xx rules each ask, and a closure made
    per call cost more than the lookup (about 1,800 instructions a call).
    """
    facts = record.memo("fl6:facts", dict)
    if not facts:  # a row always has its built-in facts: empty means not filled yet
        facts.update(_identity(record, _facts(record.data)))
    extra = _extra_for(options)
    if not extra:
        return facts
    data = record.data if isinstance(record.data, dict) else {}
    # other top-level scalars, only when a user expectation names them (content_score, uid, ...)
    return {**facts, **{key: _scalar(data.get(key)) for key in extra}}


def facts_key(options) -> tuple[str, ...]:
    """What of a rule's options decides :func:`collect_facts`'s row: the user's suite files (their extra columns, :func:`_extra_for`)."""
    return tuple(str(p) for p in options.get("expectations", ()))


# --------------------------------------------------------------------------- running
def _params(options, table=None) -> dict[str, Any]:
    # default: the end of tomorrow (a day of slack for time zones), stable through the day so messages do not churn
    latest = options.get("latest") or (dt.date.today() + dt.timedelta(days=1)).strftime("%Y-%m-%d 23:59:59")
    return {
        "languages": _languages(options, table),
        "earliest": options.get("earliest", EARLIEST.default),
        "latest": latest,
    }


def _languages(options, table) -> list[str]:
    """``$PARAMETER languages``: the run's lang_id values that match the option (BCP 47 prefixes), or name a language when it is empty."""
    from ._facts_rows import record_values
    from ._languages import accepted

    configured = list(options.get("languages", LANGUAGES.default))
    if table is None:
        return configured
    tags = table.memo("fl6:lang_id-values", lambda: set(record_values(table, "lang_id")))  # once per run, not once per rule
    return accepted(tags, configured)


def run_expectations(rule_id: str, suite_name: str, table, options) -> Iterator[DatasetHit]:
    from ._suite import SuiteFileError, entries_for

    try:
        entries = entries_for(rule_id, [str(p) for p in options.get("expectations", [])])
    except SuiteFileError as exc:
        raise SetupError(str(exc)) from None
    if not entries:
        return
    from ._expect import collector_paused, current_evaluator, evaluate, needs_gx, outcome_hits

    docs = options.get("data-docs", "")
    with collector_paused(current_evaluator() is None and not needs_gx(entries, docs)):  # the plain evaluator alone
        outcomes = evaluate(table, entries, _params(options, table), docs, suite_name)
        hits = list(outcome_hits(table, outcomes, int(options.get("related-max", RELATED_MAX.default))))
    yield from hits


def _two(a: dict, b: dict) -> list[dict]:
    return [a, b]


def import_gx_ahead(options, expected_rows: int) -> None:
    """Import Great Expectations (about 2.5 s) while workers check records, when the run will use it.

    It will only for what GX alone does: ``--data-docs``, or a user
    expectation of a kind the plain evaluator does not know.
    """
    from . import _expect, _gx
    from ._suite import SuiteFileError, user_entries

    try:
        special = _expect.needs_gx(user_entries([str(p) for p in options.get("expectations", [])]), options.get("data-docs", ""))
    except SuiteFileError:
        return  # reported by the check
    if special and _gx.available():
        _gx.import_gx()


# --------------------------------------------------------------------------- rules
@rule(
    "FL601",
    "duplicate-content-id",
    "error",
    scope="dataset",
    collect=collect_facts,
    collect_key=facts_key,
    reads_rows=False,
    prepare=import_gx_ahead,
    options=COMMON_OPTIONS,
    tags=("dataset",),
    examples=[
        bad(_two({"content_id": 510001}, {"content_id": 510001, "content_title": "Another story"}), "one id, two records", pointers=["/content_id"]),
        good(_two({"content_id": 510001}, {"content_id": 510002, "content_title": "Another story"}), "distinct ids"),
        good(_two({"content_id": 510001, "portal_id": 3}, {"content_id": 510001, "portal_id": 4, "content_title": "Another story"}), "the same id in two portals"),
    ],
)
def duplicate_content_id(table, options) -> Iterator[DatasetHit]:
    """The same content_id (within one portal) is exported more than once in the run.

    Checked across every file of the run, not per file: two exports holding the
    same article id are both reported, each at its `content_id` value, naming
    the other places.  Ids are scoped by `portal_id` (two portals may number
    their items independently); to make ids global, replace the suite entry
    `unique-content-id` (see docs/dataset.md).  Under pre-commit the run only
    sees the files of one invocation (the hook sets `require_serial`, so one
    invocation gets every staged file unless the command line would exceed
    about 128 KiB).

    Another system's records (a profile: WordPress, Ghost, JSON Feed) have no
    portal: their identity (the profile's `[records] id`, e.g. `/id`) must be
    unique within one site, and each copy is reported at that member (suite
    entry `unique-record-id`).  The profile says what one site is
    (`[records] id-scope`): WordPress, the host of the record's own address
    (posts, pages and media share one id space, whatever files they were
    dumped to; two sites in one run never collide); a Ghost export or a JSON
    Feed, its file.
    """
    yield from run_expectations("FL601", "FL601-duplicate-content-id", table, options)


@rule(
    "FL602",
    "duplicate-article",
    "warning",
    scope="dataset",
    collect=collect_facts,
    collect_key=facts_key,
    reads_rows=False,
    prepare=import_gx_ahead,
    options=COMMON_OPTIONS,
    tags=("dataset",),
    examples=[
        bad(_two({"content_id": 510001}, {"content_id": 510002}), "one article under two ids", pointers=["/content_title"]),
        good(_two({"content_id": 510001}, {"content_id": 510002, "content_body": "A different body entirely."}), "same title, different body"),
    ],
)
def duplicate_article(table, options) -> Iterator[DatasetHit]:
    """The same article (title and body) is exported under different content_ids of one portal.

    Title and body are compared after decoding entities, Unicode NFKC,
    case-folding and collapsing whitespace, so `&#39;` vs `'` or CRLF vs LF do
    not hide a copy.  Items with a blank body (galleries, videos) are not
    compared.  The same article repeated under the same id is FL601's finding.
    """
    yield from run_expectations("FL602", "FL602-duplicate-article", table, options)


@rule(
    "FL603",
    "unexpected-language",
    "warning",
    scope="dataset",
    collect=collect_facts,
    collect_key=facts_key,
    reads_rows=False,
    prepare=import_gx_ahead,
    options=(*COMMON_OPTIONS, LANGUAGES),
    tags=("dataset",),
    examples=[
        bad({"lang_id": "xx"}, "no language is called xx", pointers=["/lang_id"]),
        good({"lang_id": "pt-BR"}, "any language, with or without a region, when the site's are not configured"),
        good({"lang_id": "en-us"}, "a regional tag of a configured language", options={"languages": ["en", "fa"]}),
        bad({"lang_id": "fa"}, "the configured set decides", pointers=["/lang_id"], options={"languages": ["en"]}),
    ],
)
def unexpected_language(table, options) -> Iterator[DatasetHit]:
    """A record's lang_id is not one of the site's languages (option `languages`), or names no language.

    Tags are compared as BCP 47 language ranges (RFC 4647 basic filtering,
    case-insensitive): `languages = ["en"]` takes `en`, `en-US` and `en-gb`;
    `["en-GB"]` takes `en-GB` but not `en-US`.  By default no list is set and
    any tag whose primary subtag is a language (ISO 639-1, or three letters)
    passes, so no site is flagged for the languages it publishes in; `xx` is
    still reported.  The run's tags that pass reach the suite entry
    `lang-id-in-set` as `{"$PARAMETER": "languages"}`; null lang_ids are left
    to the schema rules.
    """
    yield from run_expectations("FL603", "FL603-unexpected-language", table, options)


@rule(
    "FL604",
    "sparse-field",
    "warning",
    scope="dataset",
    collect=collect_facts,
    collect_key=facts_key,
    reads_rows=False,
    prepare=import_gx_ahead,
    options=COMMON_OPTIONS,
    tags=("dataset",),
    examples=[
        bad({"content_body": "  "}, "a blank body in a one-record export (share 0%)", pointers=["/content_body"]),
        good({"content_summary": ""}, "no summary: a site's style choice, not checked by default"),
    ],
)
def sparse_field(table, options) -> Iterator[DatasetHit]:
    """A field is empty in more records of the run than its `mostly` threshold allows.

    Each `expect_column_values_to_not_be_null` entry of the suite (title 99%,
    body and html 90% by default; summaries are a style choice and have no
    default entry) checks one `has_<field>`
    column: null when the field is missing, null or blank.  When the share of
    filled records falls below `mostly`, every record with the field empty is
    reported at that field; above it nothing is.
    """
    yield from run_expectations("FL604", "FL604-sparse-field", table, options)


@rule(
    "FL605",
    "date-out-of-range",
    "warning",
    scope="dataset",
    collect=collect_facts,
    collect_key=facts_key,
    reads_rows=False,
    prepare=import_gx_ahead,
    options=(*COMMON_OPTIONS, EARLIEST, LATEST),
    tags=("dataset",),
    examples=[
        bad({"content_date_register": "1999-12-31 23:59:59"}, "registered before the earliest date", pointers=["/content_date_register"]),
        bad({"content_date_start": "2026-05-12 09:14:05"}, "after an explicit latest date", pointers=["/content_date_start", "/content_date_register", "/content_date_last_edit"], options={"latest": "2026-01-01 00:00:00"}),
        good({}, "dates inside the range"),
    ],
)
def date_out_of_range(table, options) -> Iterator[DatasetHit]:
    """An export's earliest or latest start/register/last-edit date is outside [earliest, latest].

    Checked per export (file) with `expect_column_min/max_to_be_between`.  These
    are aggregate expectations with no row list, so feedlint reports the
    records whose date lies outside the bounds, each at that date.  Dates that
    do not parse are left to the FL3xx rules.
    """
    yield from run_expectations("FL605", "FL605-date-out-of-range", table, options)


@rule(
    "FL606",
    "reused-attachment-token",
    "warning",
    scope="dataset",
    collect=collect_facts,
    collect_key=facts_key,
    reads_rows=False,
    prepare=import_gx_ahead,
    options=(*COMMON_OPTIONS, RELATED_MAX),
    tags=("dataset",),
    examples=[
        bad(_two({"content_id": 510001}, {"content_id": 510002, "content_title": "Another story", "content_body": "Another body."}), "two records share an attachment token", pointers=["/attaches/0/token"]),
        good(_two({"content_id": 510001}, {"content_id": 510002, "content_title": "Another story", "content_body": "Another body.", "attaches": [{"token": 1234567890}]}), "distinct tokens"),
    ],
)
def reused_attachment_token(table, options) -> Iterator[DatasetHit]:
    """Two records of one portal use the same attachment token (one file for two items).

    Tokens name the stored files (`<id>_<token>_<w>_<h>.<ext>`), so a reused
    token usually means a copied record or an upload attached twice.  Reported
    once per group of records sharing a token, at the first one's
    `/attaches/N/token` (file order across the run); the message gives the
    group's size and names three others, and the first `related-max` (100)
    others are listed as related places (SARIF `relatedLocations`, the JSON
    `related` list).  The same token twice inside one record is not a reuse
    across records and is not reported here.
    """
    yield from run_expectations("FL606", "FL606-reused-attachment-token", table, options)


@rule(
    "FL690",
    "expectation-failed",
    "warning",
    scope="dataset",
    collect=collect_facts,
    collect_key=facts_key,
    reads_rows=False,
    prepare=import_gx_ahead,
    options=COMMON_OPTIONS,
    tags=("dataset",),
    examples=[
        bad({"content_score": 250}, "a user expectation (content_score between 0 and 100) fails", pointers=["/content_score"], options={"expectations": [EXAMPLE_SUITE]}),
        good({"content_score": 40}, "the user expectation holds", options={"expectations": [EXAMPLE_SUITE]}),
    ],
)
def expectation_failed(table, options) -> Iterator[DatasetHit]:
    """A failed expectation from your own suite (`--expectations FILE`) that names no rule.

    Entries without `meta.feedlint.rule` are reported under this id, at
    `meta.feedlint.pointer` (or the column's field) with `meta.feedlint.message`
    (or a generic message).  Give an entry `"rule": "FL603"` etc. to report it
    under a built-in rule instead.  Without user files this rule does nothing
    and costs nothing.
    """
    yield from run_expectations("FL690", "FL690-expectation-failed", table, options)


RULES = [duplicate_content_id, duplicate_article, unexpected_language, sparse_field, date_out_of_range, reused_attachment_token, expectation_failed]
