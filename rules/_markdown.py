"""A plain-text body read as Markdown: the text a Markdown renderer would show (FL401's ``markdown-body``).

Some feeds write their plain-text body as the Markdown source of the HTML one
(micro.blog's JSON Feed ``content_text``: ``[text](url)`` links, ``_emphasis_``,
`` `code` ``, ``>`` quotes, list markers, ``[^1]`` footnotes).  Read as plain text it
differs from the HTML in every such construct; rendered (CommonMark, with tables,
strikethrough, footnotes and the typographic replacements renderers apply: ``--``
to a dash, ``...`` to an ellipsis, straight quotes to curly ones) it says what the
HTML says when the two agree.  The rendering is only a second reading: FL401 asks for it when the
plain reading differs, and reports as before when this one differs too.

markdown-it-py (CommonMark, pure Python) and its footnote plugin
(mdit-py-plugins) are imported on first use; without markdown-it-py there is no
second reading.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from ._htmltext import in_ranges, scan_html


def markdown_key(text: str, fold: bool) -> str | None:
    """The comparison key of ``text`` rendered as Markdown (:meth:`HtmlScan.key`); None without markdown-it-py."""
    renderer = _renderer()
    if renderer is None:
        return None
    return scan_html(renderer.render(text)).key(fold)


@lru_cache(maxsize=1)
def _renderer() -> Any:
    try:
        from markdown_it import MarkdownIt
    except ImportError:  # pragma: no cover - a dependency; kept optional for a trimmed install
        return None
    renderer = MarkdownIt("commonmark", {"typographer": True}).enable(["table", "strikethrough", "replacements", "smartquotes"])
    try:
        from mdit_py_plugins.footnote import footnote_plugin
    except ImportError:  # pragma: no cover - as markdown-it-py: without it, footnotes read as text
        return renderer
    renderer.use(footnote_plugin)
    renderer.add_render_rule("footnote_ref", _footnote_ref)
    return renderer


def _footnote_ref(self: Any, tokens: list, idx: int, options: Any, env: Any) -> str:
    """A footnote mark as its number in the order of the notes, as Hugo's Goldmark and Jekyll's kramdown show it (``[^cli]`` -> ``1``; markdown-it writes ``[1]``)."""
    number = tokens[idx].meta["id"] + 1
    return f'<sup><a href="#fn:{number}">{number}</a></sup>'


def source_as_text(text: str) -> str:
    """``text`` with the usual Markdown syntax blanked out, each character kept in its place.

    For showing and placing a difference the rendered reading found: the words
    keep their offsets in the source, so a finding points into it.  Links and
    images keep their text (``[text](url)``: the brackets and the target become
    zero-width spaces, so ``[word](url).`` is still ``word.``), emphasis and
    code spans their content; list, quote and heading
    markers, rule lines and backslashes before punctuation go; a ``--`` dash is
    one dash.  Only an approximation of a renderer (the decision is
    :func:`markdown_key`'s): a construct it misses shows up as a difference
    where the renderer found one anyway.
    """
    code_span, syntax, dashes = _patterns()
    out = list(text)

    def blank(start: int, end: int, fill: str = _JOIN) -> None:
        out[start:end] = fill * (end - start)

    code: list[tuple[int, int]] = []  # the code spans, in order (they do not overlap)
    for m in code_span.finditer(text):  # before the rest: a code span's content is literal
        blank(m.start(1), m.end(1))
        blank(m.start(3), m.end(3))
        code.append(m.span())

    for pattern, keep, fill in syntax:
        for m in pattern.finditer(text):
            if in_ranges(code, m.start()):
                continue
            start, end = m.span()
            kept = m.span(keep) if keep else (end, end)
            blank(start, kept[0], fill)
            blank(kept[1], end, fill)
    for m in dashes.finditer(text):
        if not in_ranges(code, m.start()):
            blank(m.start() + 1, m.end())
    numbers: dict[str, int] = {}  # a footnote mark reads as its note's number, in the order of first marks (as rendered)
    for m in _FOOTNOTE_MARK.finditer(text):
        if not in_ranges(code, m.start()):
            number = str(numbers.setdefault(m.group(1), len(numbers) + 1))
            out[m.start() : m.end()] = number + _JOIN * (m.end() - m.start() - len(number))  # "[^1]" is 4 characters, a number up to 999 fits
    return "".join(out)


_FOOTNOTE_MARK = re.compile(r"\[\^([^\]\s]+)\](?!:)")  # [^label], not the note's own "[^label]:"


_JOIN = "\u200b"  # ZERO WIDTH SPACE: not white space to split at, and dropped from words when texts are compared


@lru_cache(maxsize=1)
def _patterns() -> tuple:
    """The code span, the other syntax and ``--`` patterns: compiled on the first body read so (a dozen regexes; most runs need none)."""
    # each content stops at its delimiter's character: an opener never matched reads on only to the next one (linear)
    code_span = re.compile(r"(`+)([^`]+)(\1)(?!`)")
    # (pattern, the group kept, what the rest becomes): inline syntax joins what it separated ("[officials](…)." reads
    # "officials."), a line's marker is a gap
    syntax = (
        (re.compile(r"!?\[([^\]\n]*)\]\([^)\s]*(?:\s+\"[^\"]*\")?\)"), 1, _JOIN),  # [text](url "title"), ![alt](url)
        (re.compile(r"<((?:https?|mailto):[^>\s]*)>"), 1, _JOIN),  # <https://…>: the address is the text
        (re.compile(r"(?<![\w*\\])(\*\*|\*)(?=\S)([^*]+?)(?<=[^\s\\])\1(?![\w*])"), 2, _JOIN),  # **strong**, *emphasis* (not \*)
        (re.compile(r"(?<![\w_\\])(__|_)(?=\S)([^_]+?)(?<=[^\s\\])\1(?![\w_])"), 2, _JOIN),  # __strong__, _emphasis_ (not snake_case)
        (re.compile(r"~~(?=\S)([^~]+?)(?<=\S)~~"), 1, _JOIN),  # ~~strikethrough~~
        (re.compile(r"\\(?=[!-/:-@\[-`{-~])"), 0, _JOIN),  # a backslash escaping punctuation
        (re.compile(r"^[ \t]*(?:>[ \t]?)+", re.M), 0, " "),  # quote markers
        (re.compile(r"^[ \t]*(?:[*+-]|[0-9]{1,9}[.)])[ \t]+", re.M), 0, " "),  # list markers
        (re.compile(r"^[ \t]*#{1,6}[ \t]+", re.M), 0, " "),  # heading markers
        (re.compile(r"^[ \t]*(?:[-*_][ \t]*){3,}$", re.M), 0, " "),  # a rule line
    )
    dashes = re.compile(r"(?<=[\s\w])-{2,3}(?=[\s\w])")  # "--" / "---": renderers write a dash
    return code_span, syntax, dashes
