"""A rule's fix tied to the exact place of the value it replaces.

The engine wraps each proposed fix (when a reporter or ``--fix`` wants them)
with where its value lies, the value's JSON text and the record's escaping style,
so a SARIF log can offer the replacement and the fix loop can edit the
record without locating the value again.  Everything here is plain data: it
crosses process boundaries with the finding (``--jobs``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from ..reader.positions import Region, utf16_len
from .edits import Style, detect, encode, rewrite_literal


@dataclass
class LocatedFix:
    """``fix`` (a :class:`feedlint.api.Fix` or ``DeferredFix``) for the value whose JSON text is ``literal``.

    ``start`` is where ``literal`` begins in its record's source text;
    ``before16`` how many UTF-16 code units it begins before the finding's own
    region (which may be a part of the value).  Only relative places are kept:
    a parallel run moves the finding's region to where its byte range lies in
    the file, and the fix follows it.
    """

    fix: Any
    before16: int
    start: int
    literal: str
    style: Style

    @property
    def replacement(self) -> Any:
        return self.fix.replacement

    @property
    def description(self) -> str:
        return self.fix.description

    @property
    def applicability(self) -> str:
        return getattr(self.fix, "applicability", "safe")

    def edit(self) -> tuple[int, int, str]:
        """``(start, end, text)`` in the record's source text: the smallest change that writes the replacement."""
        new = self.replacement
        if isinstance(new, str) and self.literal.startswith('"'):
            a, b, text = rewrite_literal(self.literal, json.loads(self.literal), new, self.style)
            return self.start + a, self.start + b, text
        literal = json.dumps(new, ensure_ascii=self.style.ascii_only, separators=(",", ":"))
        if isinstance(new, str):
            literal = '"' + encode(new, self.style) + '"'
        return self.start, self.start + len(self.literal), literal

    def file_replacement(self, anchor: Region) -> tuple[dict, str]:
        """The SARIF ``deletedRegion`` (UTF-16 columns and offsets, like every feedlint region) and the inserted text.

        ``anchor`` is the finding's region; a string literal holds no line
        break, so the value starts on the anchor's line.
        """
        a, b, text = self.edit()
        if not self.literal.startswith('"'):  # not a string: the finding is on the whole value, which may span lines
            r = anchor
            return {"startLine": r.start_line, "startColumn": r.start_column16, "endLine": r.end_line, "endColumn": r.end_column16, "charOffset": r.offset16, "charLength": r.length16}, text
        before = utf16_len(self.literal[: a - self.start]) - self.before16
        length = utf16_len(self.literal[a - self.start : b - self.start])
        column = anchor.start_column16 + before
        return {"startLine": anchor.start_line, "startColumn": column, "endLine": anchor.start_line, "endColumn": column + length, "charOffset": anchor.offset16 + before, "charLength": length}, text


class _StyleCache:
    """The escaping style of the record last seen: its findings arrive one after another."""

    __slots__ = ("raw", "style")

    def __init__(self) -> None:
        self.raw: Any = None
        self.style = Style()

    def of(self, raw: Any) -> Style:
        if raw is not self.raw:
            self.raw, self.style = raw, detect(raw.text)
        return self.style


_styles = _StyleCache()


def locate_fix(fix: Any, raw: Any, pointer: str, anchor16: int) -> Any:
    """``fix`` as a :class:`LocatedFix` for the value at ``pointer`` in ``raw`` (``anchor16``: the UTF-16 offset of the finding's region); ``fix`` itself when it cannot be placed.

    The value's place is read from its region's fields (``raw.region_fields``):
    no :class:`Region` is made for it (a SARIF report locates every FL201 fix).
    """
    if getattr(raw, "kind", "cms") != "cms":
        return fix  # an article's text is no JSON: fixes are applied to exports only
    try:
        text = raw.text
        offset, length, offset16 = raw.region_fields(pointer)[6:9]  # region_fields order: ..., offset, length, offset16, length16
        start = offset - raw.origin.offset
        literal = text[start : start + length]
    except Exception:  # noqa: BLE001 - an article, or a pointer a plugin got wrong: the fix stays unlocated
        return fix
    return LocatedFix(fix, anchor16 - offset16, start, literal, _styles.of(raw))
