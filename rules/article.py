"""FL7xx: plain-text article exports (section, title, paragraphs, trailer).

These rules see the article model built by ``feedlint.reader.article``: the
``section``, ``title``, ``paragraphs`` and ``trailer`` strings (verbatim lines
joined with ``\\n``) plus each line's raw ``line_endings``.  Encoding problems
in the same text (entities, mojibake, control characters) are the FL2xx rules'
job: they run on articles unchanged through the plain-text field roles.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Iterator

from feedlint.api import Hit, Option, bad, good, rule

from ._article_text import body_elements, body_lines, compile_patterns, line_number, lines_with_offsets, short, stripped_span

KINDS = ("article",)

# Invented example articles in the syndicated layout: section, title, two blank lines, body.
_HEAD = "Regional News\n\nHarbour town opens its new ferry terminal\n\n\n"
_BODY = (
    "The ferry terminal in the harbour town opened on Monday after three years of building work, the council said.\n\n"
    "\u201cIt\u2019s a good day for everyone who commutes,\u201d the mayor said \u2014 adding that fares would not rise\u2026 for now.\n\n"
    "(This report was compiled by the regional desk. Times are local.)\n"
)
CLEAN_ARTICLE = _HEAD + _BODY

# ---------------------------------------------------------------- FL701
_DECORATION = " \t\u00a0:;.\u2026-\u2013\u2014>\u00bb\u203a\u2192|[]()"


@rule(
    "FL701",
    "dangling-link-text",
    "warning",
    kinds=KINDS,
    tags=("article", "links"),
    options=[
        Option(
            "phrases",
            ["Source link", "Source", "Read more", "Read the full article", "Read the full story", "Click here", "Continue reading", "View original article", "Link"],
            "link texts that are a leftover when a line says nothing else (compared case-insensitively, whole line)",
        ),
    ],
    examples=[
        bad(CLEAN_ARTICLE + "\n\nSource link\n", "the scraper kept the link text but lost the URL", pointers=["/trailer/0"]),
        bad(_HEAD + "A short item about the harbour.\n\nRead more \u00bb\n", "a decorated 'read more' after the last paragraph", pointers=["/trailer/0"]),
        good(CLEAN_ARTICLE + "\n\nSource link: https://example.org/harbour-ferry\n", "the link kept its target"),
        good(_HEAD + "Readers were told to click here and there by a confusing sign at the terminal.\n", "the words inside a sentence"),
    ],
)
def dangling_link_text(record, options) -> Iterator[Hit]:
    """A line that is only link text ("Source link", "Read more") whose link target was lost.

    Scrapers that flatten an article to plain text keep the anchor text of a
    link and drop its URL, leaving a line that points nowhere.  The whole line
    must be one of the `phrases` (case-insensitive; surrounding punctuation and
    arrows such as `:`, `»`, `→`, `…` are ignored), so the same words inside a
    sentence, or followed by a URL, are not reported.  Checked in the body and
    the trailer; reported at the line itself.
    """
    wanted = {p.casefold().strip(_DECORATION) for p in options["phrases"]}
    for pointer, offset, line in body_lines(record):
        core = line.strip(_DECORATION)
        if core and core.casefold() in wanted:
            a = offset + len(line) - len(line.lstrip(_DECORATION))
            yield Hit(pointer, f"link text \"{core}\" has no link target (the URL was lost in the export)", evidence=core, span=(a, a + len(core)))


# ---------------------------------------------------------------- FL702
@rule(
    "FL702",
    "missing-title",
    "error",
    kinds=KINDS,
    tags=("article",),
    options=[Option("placeholders", ["untitled", "no title", "(no title)", "title", "headline"], "titles that are a placeholder, not a headline (case-insensitive)")],
    examples=[
        bad(
            "The ferry terminal in the harbour town opened on Monday after three years of building work, the council said.\n\n"
            "Fares will not rise this year, the operator added in a short statement to reporters.\n",
            "the file starts with body text",
            pointers=["/title"],
        ),
        bad("Regional News\n\nUntitled\n\n\n" + _BODY, "a placeholder title", pointers=["/title"]),
        good(CLEAN_ARTICLE, "section, title, body"),
        good("Why did the ferry fares not rise?\n\n\n" + _BODY, "a question is a headline too"),
    ],
)
def missing_title(record, options) -> Iterator[Hit]:
    """The article has no title line, or the title is empty or a placeholder.

    A title is the first single line of the file (after an optional short
    section line) that does not read as body text; when the file opens with a
    long sentence the article has none and the finding is at line 1.  A title
    without any letter or digit (only punctuation or invisible characters) is
    empty; `placeholders` lists words a CMS writes when nobody typed one.
    """
    title = record.get("title")
    if title is None:
        yield Hit("/title", "article has no title line (the file starts with body text)", evidence="missing")
        return
    core = title.strip()
    if not any(ch.isalnum() for ch in core):
        yield Hit("/title", "title is empty (no letters or digits)", evidence=repr(core))
    elif core.casefold() in {p.casefold() for p in options["placeholders"]}:
        a, b = stripped_span(title, 0)
        yield Hit("/title", f"title is a placeholder: \"{core}\"", evidence=core, span=(a, b))


# ---------------------------------------------------------------- FL703
DEFAULT_BOILERPLATE = [
    r"\ball rights reserved\b",
    r"^\W*follow us (on|at)\b",
    r"\b(subscribe|sign up) (to|for) (our|the) (free )?newsletters?\b",
    r"^\W*(\u00a9|\(c\)|copyright)\s*(\u00a9\s*)?\d{4}\b",
    r"^\W*share (this|on) (article|story|post|facebook|twitter|x|whatsapp|linkedin)\b",
    r"^\W*(advertisement|sponsored content|related articles?|you may also like)\W*$",
]


@rule(
    "FL703",
    "boilerplate-line",
    "warning",
    kinds=KINDS,
    tags=("article",),
    options=[
        Option("patterns", DEFAULT_BOILERPLATE, "regular expressions (case-insensitive, searched in each line) for site furniture"),
        Option("max-line-length", 160, "only lines up to this many characters; a long line is prose that may quote the words", minimum=1),
    ],
    examples=[
        bad(CLEAN_ARTICLE + "\nFollow us on social media for more harbour news\n", "a footer after the last paragraph", pointers=["/trailer/0"]),
        bad(CLEAN_ARTICLE + "\n\n\u00a9 2026 Harbour Gazette. All rights reserved.\n", "a copyright footer", pointers=["/trailer/0"]),
        good(CLEAN_ARTICLE, "only the article"),
        good(
            _HEAD + "Readers who follow us on the coastal route will notice the new timetable, which the council says will subscribe "
            "every ferry to the regional ticket scheme from spring onwards, with longer hours on weekends and holidays.\n",
            "the words inside a long sentence",
        ),
    ],
)
def boilerplate_line(record, options) -> Iterator[Hit]:
    """A line of site furniture (copyright, "Follow us on", newsletter sign-up) left in the article.

    Each body and trailer line of at most `max-line-length` characters is
    searched with every regular expression in `patterns` (case-insensitive);
    the earliest match is reported with its exact span, once per line.  Anchored defaults (`^`)
    keep the same words inside a sentence from matching.
    """
    patterns = compile_patterns(tuple(options["patterns"]), "patterns")
    limit = options["max-line-length"]
    for pointer, offset, line in body_lines(record):
        if len(line.strip()) > limit:
            continue
        matches = [(m.start(), -m.end(), pat.pattern) for pat in patterns for m in [pat.search(line)] if m and m.end() > m.start()]
        if matches:
            start, neg_end, pattern = min(matches)  # the earliest (then longest) match
            yield Hit(pointer, f"boilerplate line: \"{short(line)}\"", evidence=pattern, span=(offset + start, offset - neg_end))


# ---------------------------------------------------------------- FL704
_WS = re.compile(r"\s+")


@rule(
    "FL704",
    "repeated-paragraph",
    "warning",
    kinds=KINDS,
    tags=("article",),
    options=[
        Option("min-length", 20, "ignore paragraphs shorter than this many characters (separators such as '* * *')", minimum=0),
        Option("normalize-whitespace", True, "treat runs of spaces and line breaks as one space when comparing"),
    ],
    examples=[
        bad(CLEAN_ARTICLE + "\nFares will not rise this year, the operator said.\n\nFares will not rise this year, the operator said.\n", "a paragraph pasted twice", pointers=["/paragraphs/4"]),
        good(CLEAN_ARTICLE + "\n* * *\n\nA second item about the harbour follows.\n\n* * *\n", "a repeated separator is not a paragraph"),
    ],
)
def repeated_paragraph(record, options) -> Iterator[Hit]:
    """A paragraph that repeats an earlier paragraph verbatim (a scraper or paste glitch).

    Reported at the second (and any later) occurrence; the message names the
    line where the first one is.  Paragraphs shorter than `min-length`
    characters (scene breaks like `* * *`) are ignored; with
    `normalize-whitespace` a copy wrapped differently still counts.
    """
    seen: dict[str, str] = {}
    for pointer, value in body_elements(record, trailer=False):
        key = _WS.sub(" ", value).strip() if options["normalize-whitespace"] else value
        if len(key) < options["min-length"]:
            continue
        first = seen.get(key)
        if first is None:
            seen[key] = pointer
            continue
        where = line_number(record, first)
        at = f"line {where}" if where else first
        a, b = stripped_span(value, 0)
        yield Hit(pointer, f"paragraph repeats the paragraph at {at} verbatim: \"{short(value, 50)}\"", evidence=key[:200], span=(a, b))


# ---------------------------------------------------------------- FL705
_ENDS_CLAUSE = re.compile(r"[.!?\u2026:;]['\"\u2019\u201d\u00bb)\]]*$")
_LAST_WORD = re.compile(r"\S+$")
_URL = re.compile(r"(?:[a-z][a-z0-9+.-]*://|www\.|mailto:)", re.IGNORECASE)


@rule(
    "FL705",
    "hard-wrapped-paragraph",
    "note",
    kinds=KINDS,
    tags=("article",),
    precision="medium",
    options=[
        Option("min-line-length", 40, "a break counts only after a line at least this long (verse and lists have short lines)", minimum=0),
        Option("skip-line-pattern", r"^\s*(?:[>|#*•–—-]|\d+[.)]\s|[a-z][.)]\s)", "a paragraph with any line matching this regex (quotes, lists, tables) is left alone"),
    ],
    examples=[
        bad(
            _HEAD + "The ferry terminal in the harbour town opened on Monday after\nthree years of building work, the council said on its website.\n",
            "a paragraph wrapped at a fixed width",
            pointers=["/paragraphs/0"],
        ),
        good(
            _HEAD + "The ferry song the children sang at the opening:\n\nthe boats go out at morning light\nand come back home at dusk\n",
            "short lines of verse",
        ),
        good(
            _HEAD + "What the council promised for the first summer season:\n- longer opening hours on weekends and public holidays\n- cheaper fares for pupils\n",
            "a list",
        ),
    ],
)
def hard_wrapped_paragraph(record, options) -> Iterator[Hit]:
    """A paragraph broken into lines in the middle of sentences (hard-wrapped text).

    A break counts when a line of at least `min-line-length` characters ends
    without closing punctuation (`. ! ? … : ;`, optionally followed by a
    closing quote or bracket) and the next line starts with a lower-case
    letter (not a URL put on its own line).  Paragraphs with a line matching `skip-line-pattern` (quoted
    lines, list items, table rows) are skipped, and short lines (verse) never
    count.  Reported once per paragraph, at the end of the first broken line.
    """
    skip = compile_patterns((options["skip-line-pattern"],), "skip-line-pattern")[0]
    minimum = options["min-line-length"]
    for pointer, value in body_elements(record, trailer=False):
        if "\n" not in value:
            continue
        lines = list(lines_with_offsets(value))
        if any(skip.search(line) for _, line in lines):
            continue
        breaks = []
        for (offset, line), (_, nxt) in zip(lines, lines[1:]):
            body = line.rstrip()
            head = nxt.lstrip()
            if len(body.strip()) >= minimum and not _ENDS_CLAUSE.search(body) and head[:1].islower() and not _URL.match(head):
                breaks.append((offset, body, head))
        if breaks:
            offset, body, head = breaks[0]
            word = _LAST_WORD.search(body)
            span = (offset + word.start(), offset + word.end())
            nxt_word = head.split()[0]
            more = f" ({len(breaks)} breaks in this paragraph)" if len(breaks) > 1 else ""
            yield Hit(pointer, f"paragraph is hard-wrapped mid-sentence: \"{word.group()}\" / \"{nxt_word}\" are split across lines{more}", evidence=f"{word.group()} {nxt_word}", span=span)


# ---------------------------------------------------------------- FL706
_ENDING_LABEL = {"lf": "LF", "crlf": "CRLF", "cr": "CR"}


@rule(
    "FL706",
    "mixed-line-endings",
    "warning",
    kinds=KINDS,
    tags=("article", "whitespace"),
    examples=[
        bad("Regional News\r\n\r\nHarbour town opens its new ferry terminal\r\n\r\n\r\nThe terminal opened on Monday.\n\r\nFares will not rise.\r\n", "line 6 ends with LF, every other line with CRLF", pointers=["/line_endings/5"]),
        good(CLEAN_ARTICLE.replace("\n", "\r\n"), "CRLF throughout"),
        good(CLEAN_ARTICLE, "LF throughout"),
    ],
)
def mixed_line_endings(record, options) -> Iterator[Hit]:
    """The file mixes line endings (CRLF and LF, or lone CR): pieces were pasted from different systems.

    Reported once, at the first line whose ending differs from the one most
    lines use; the message counts the lines that differ.  A last line without
    any ending does not count.
    """
    endings = [e for e in (record.get("line_endings") or []) if e]
    counts = Counter(endings)
    if len(counts) < 2:
        return
    top = max(counts.values())
    majority = next(e for e in endings if counts[e] == top)  # ties: the first one used
    differing = len(endings) - counts[majority]
    for i, ending in enumerate(record.get("line_endings") or []):
        if ending and ending != majority:
            yield Hit(
                f"/line_endings/{i}",
                f"line ends with {_ENDING_LABEL[ending]} but {counts[majority]} of {len(endings)} lines end with {_ENDING_LABEL[majority]} ({differing} line{'s' if differing != 1 else ''} differ{'s' if differing == 1 else ''})",
                evidence=f"{ending}/{majority}",
            )
            return


# ---------------------------------------------------------------- FL707
@rule(
    "FL707",
    "empty-article-body",
    "error",
    kinds=KINDS,
    tags=("article",),
    examples=[
        bad(_HEAD + "Source link\n", "only a title and a dangling trailer", pointers=["/paragraphs"]),
        good(CLEAN_ARTICLE, "a title and paragraphs"),
    ],
)
def empty_article_body(record, options) -> Iterator[Hit]:
    """The article has no body paragraphs (only a header and perhaps trailer lines).

    Usually the scraper lost the body; reported at the whole file.
    """
    if not record.get("paragraphs"):
        yield Hit("/paragraphs", "article has no body paragraphs", evidence="empty")


RULES = [dangling_link_text, missing_title, boilerplate_line, repeated_paragraph, hard_wrapped_paragraph, mixed_line_endings, empty_article_body]
